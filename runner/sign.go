package runner

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/drsconform/drsconform/internal/aksk"
	"github.com/drsconform/drsconform/result"
)

// AK/SK signing (README.md, "Credentials and TLS"). With Config.AccessKey
// and SecretKey, every request the runner sends is signed as the Huawei
// Cloud SDK signs (internal/aksk, the code the reference verifies with), as
// late as possible: in wire.do, once its headers and body are final and
// before the recording transport keeps them as evidence (redacted: the
// Authorization shows only its scheme and SignedHeaders).
//
// A request asks for a signature through its Authorization header, which
// the case's request may remove (remove_headers: [Authorization]) or
// replace (credential: …), as it would the run's X-Auth-Token:
//
//   - signMarker: sign with the run's access key and secret key;
//   - signDerivedMarker: sign with the run's access key and a secret key
//     derived from the real one (DerivedToken), which no verifier that knows
//     the real one accepts (credential: derived-invalid);
//   - no Authorization and no X-Auth-Token on a request that is not to the
//     endpoint under test (fixture set-up, read-backs): sign with the run's
//     keys, so every harness request is signed however it was built.
//
// Anything else (no credential on an API request, a malformed
// Authorization of a case) is sent as it stands. The markers never leave
// the runner: signing replaces them.
const (
	signMarker        = "drsconform-sign"
	signDerivedMarker = "drsconform-sign-derived"
)

// signer signs requests with the run's AK/SK.
type signer struct {
	ak, sk, derivedSK string
	basePath          string // the path of --target, before /v3/…
	project           string // X-Project-Id of requests not under /v3/{project_id}/ (the harness's)
	now               func() time.Time
}

// newSigner is nil when cfg has no access key (nothing is signed).
func newSigner(cfg Config) *signer {
	if cfg.AccessKey == "" {
		return nil
	}
	s := &signer{ak: cfg.AccessKey, sk: cfg.SecretKey, derivedSK: DerivedToken(cfg.SecretKey),
		project: cfg.ProjectID, now: time.Now}
	if u, err := url.Parse(cfg.Target); err == nil {
		s.basePath = strings.TrimRight(u.Path, "/")
	}
	return s
}

// sign signs req (whose body is body) as its Authorization asks, see above.
// It sets X-Project-Id (unless the request has one) to the project of the
// path, /v3/{project_id}/…, or the run's project for the harness, as the
// SDK sends it; then X-Sdk-Date and Authorization (aksk.Sign).
func (s *signer) sign(req *http.Request, kind result.ExchangeKind, body []byte) {
	if s == nil {
		return
	}
	sk := s.sk
	switch auth := req.Header.Get("Authorization"); {
	case auth == signMarker:
	case auth == signDerivedMarker:
		sk = s.derivedSK
	case auth == "" && len(req.Header.Values("Authorization")) == 0 && len(req.Header.Values("X-Auth-Token")) == 0 && kind != result.KindAPI:
	default:
		return
	}
	if len(req.Header.Values(aksk.HeaderProjectID)) == 0 {
		req.Header.Set(aksk.HeaderProjectID, s.projectOf(req.URL.Path))
	}
	aksk.Sign(req, body, s.ak, sk, s.now())
}

// projectOf is the {project_id} of a path /v3/{project_id}/… under the
// target's base path, or the run's project.
func (s *signer) projectOf(path string) string {
	rest, ok := strings.CutPrefix(path, s.basePath+"/v3/")
	if !ok {
		return s.project
	}
	p, _, _ := strings.Cut(rest, "/")
	if p == "" {
		return s.project
	}
	return p
}

// runCredential puts the run's own credential into h: X-Auth-Token
// (--token), or with AK/SK the marker the wire replaces with a signature.
func (c Config) runCredential(h http.Header) {
	switch {
	case c.AccessKey != "":
		h.Set("Authorization", signMarker)
	case c.Token != "":
		h.Set("X-Auth-Token", c.Token)
	}
}
