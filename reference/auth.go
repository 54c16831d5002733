package reference

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/drsconform/drsconform/internal/aksk"
)

// The AK/SK signature the Huawei Cloud SDK sends (SDK-HMAC-SHA256) is
// computed by internal/aksk, which the runner signs with too; this file
// keeps what a server decides: which access key, how much clock skew, which
// problem to answer.
const (
	maxSignatureSkew    = 15 * time.Minute // what API gateways allow
	headerAuthToken     = "X-Auth-Token"
	headerAuthorization = "Authorization"
)

// open reports whether the server accepts any credential (none configured).
func (s *Server) open() bool { return len(s.cfg.Tokens) == 0 && s.cfg.AccessKey == "" }

// authenticate checks the credential of a request: X-Auth-Token if present,
// else an SDK-HMAC-SHA256 Authorization header. Missing: 401 (REQ-HDR-01).
func (s *Server) authenticate(r *http.Request, body []byte) *problem {
	if tok := strings.TrimSpace(r.Header.Get(headerAuthToken)); tok != "" {
		return s.checkToken(tok)
	}
	if a := strings.TrimSpace(r.Header.Get(headerAuthorization)); a != "" {
		return s.checkSignature(r, a, body)
	}
	return newProblem(http.StatusUnauthorized, msgNoCredential)
}

func (s *Server) checkToken(tok string) *problem {
	if s.open() {
		return nil
	}
	for _, want := range s.cfg.Tokens {
		if subtle.ConstantTimeCompare([]byte(tok), []byte(want)) == 1 {
			return nil
		}
	}
	return newProblem(http.StatusForbidden, msgInvalidToken)
}

// checkSignature verifies an AK/SK signature when an access key is
// configured; in open mode a well-formed header is enough.
func (s *Server) checkSignature(r *http.Request, header string, body []byte) *problem {
	a, err := aksk.ParseAuthorization(header)
	switch {
	case errors.Is(err, aksk.ErrScheme):
		return newProblem(http.StatusUnauthorized, msgUnsupportedAuth)
	case err != nil:
		return newProblem(http.StatusForbidden, msgInvalidSignature, err.Error())
	case s.open():
		return nil
	case s.cfg.AccessKey == "":
		return newProblem(http.StatusForbidden, msgInvalidSignature, "this server accepts only X-Auth-Token")
	case subtle.ConstantTimeCompare([]byte(a.Access), []byte(s.cfg.AccessKey)) != 1:
		return newProblem(http.StatusForbidden, msgInvalidSignature, "unknown access key")
	}
	date, err := time.Parse(aksk.DateFormat, r.Header.Get(aksk.HeaderDate))
	if err != nil {
		return newProblem(http.StatusForbidden, msgInvalidSignature, "X-Sdk-Date is missing or not in the form 20060102T150405Z")
	}
	if skew := s.cfg.Now().Sub(date); skew > maxSignatureSkew || skew < -maxSignatureSkew {
		return newProblem(http.StatusForbidden, msgInvalidSignature, "X-Sdk-Date is more than 15 minutes off")
	}
	if !aksk.Verify(r, body, a, s.cfg.SecretKey, date) {
		return newProblem(http.StatusForbidden, msgInvalidSignature, "the signature does not match")
	}
	return nil
}

// SignRequest signs r as the Huawei Cloud SDK does, and host too
// (internal/aksk.SignWithHost), for tests and tools that talk to a server
// with AK/SK verification without the SDK: it sets X-Sdk-Date (from now)
// and Authorization, signing host and every header already set except
// Content-Type.
func SignRequest(r *http.Request, body []byte, ak, sk string, now time.Time) {
	aksk.SignWithHost(r, body, ak, sk, now)
}
