package reference

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"sort"
	"strings"
	"time"
)

// The AK/SK signature the Huawei Cloud SDK sends (core/auth/signer):
//
//	Authorization: SDK-HMAC-SHA256 Access=AK, SignedHeaders=h1;h2, Signature=HEX
//	X-Sdk-Date: 20060102T150405Z
//
// Signature = hex(HMAC-SHA256(SK, StringToSign)), where
//
//	StringToSign     = "SDK-HMAC-SHA256\n" + X-Sdk-Date + "\n" + hex(SHA-256(CanonicalRequest))
//	CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n PayloadHash
//
// CanonicalURI escapes each path segment and ends in "/"; CanonicalQuery is
// the sorted, escaped key=value pairs joined by "&"; CanonicalHeaders is one
// "name:trimmed value\n" per signed header (lower-case names, sorted);
// PayloadHash is hex(SHA-256(body)), or the X-Sdk-Content-Sha256 header
// (UNSIGNED-PAYLOAD) when the SDK sent one.
const (
	schemeSDKHMAC       = "SDK-HMAC-SHA256"
	headerSDKDate       = "X-Sdk-Date"
	headerContentSHA    = "X-Sdk-Content-Sha256"
	sdkDateFormat       = "20060102T150405Z"
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

// akskAuthorization is a parsed SDK-HMAC-SHA256 Authorization header.
type akskAuthorization struct {
	access        string
	signedHeaders []string
	signature     string
}

// parseAuthorization parses "SDK-HMAC-SHA256 Access=.., SignedHeaders=.., Signature=..".
func parseAuthorization(h string) (akskAuthorization, *problem) {
	scheme, rest, _ := strings.Cut(h, " ")
	if scheme != schemeSDKHMAC {
		return akskAuthorization{}, newProblem(http.StatusUnauthorized, msgUnsupportedAuth)
	}
	var a akskAuthorization
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Access":
			a.access = v
		case "SignedHeaders":
			if v != "" {
				a.signedHeaders = strings.Split(v, ";")
			}
		case "Signature":
			a.signature = v
		}
	}
	if a.access == "" || a.signature == "" || len(a.signedHeaders) == 0 {
		return a, newProblem(http.StatusForbidden, msgInvalidSignature,
			"the Authorization header needs Access, SignedHeaders and Signature")
	}
	return a, nil
}

// checkSignature verifies an AK/SK signature when an access key is
// configured; in open mode a well-formed header is enough.
func (s *Server) checkSignature(r *http.Request, header string, body []byte) *problem {
	a, p := parseAuthorization(header)
	if p != nil {
		return p
	}
	switch {
	case s.open():
		return nil
	case s.cfg.AccessKey == "":
		return newProblem(http.StatusForbidden, msgInvalidSignature, "this server accepts only X-Auth-Token")
	case subtle.ConstantTimeCompare([]byte(a.access), []byte(s.cfg.AccessKey)) != 1:
		return newProblem(http.StatusForbidden, msgInvalidSignature, "unknown access key")
	}
	date, err := time.Parse(sdkDateFormat, r.Header.Get(headerSDKDate))
	if err != nil {
		return newProblem(http.StatusForbidden, msgInvalidSignature, "X-Sdk-Date is missing or not in the form 20060102T150405Z")
	}
	if skew := s.cfg.Now().Sub(date); skew > maxSignatureSkew || skew < -maxSignatureSkew {
		return newProblem(http.StatusForbidden, msgInvalidSignature, "X-Sdk-Date is more than 15 minutes off")
	}
	want := signature(s.cfg.SecretKey, stringToSign(canonicalRequest(r, a.signedHeaders, body), date))
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(a.signature))) {
		return newProblem(http.StatusForbidden, msgInvalidSignature, "the signature does not match")
	}
	return nil
}

// canonicalRequest rebuilds the SDK's canonical request from what arrived.
func canonicalRequest(r *http.Request, signedHeaders []string, body []byte) string {
	payload := r.Header.Get(headerContentSHA)
	if payload == "" {
		sum := sha256.Sum256(body)
		payload = hex.EncodeToString(sum[:])
	}
	return strings.Join([]string{
		r.Method,
		canonicalURI(r.URL.Path),
		canonicalQuery(r),
		canonicalHeaders(r, signedHeaders),
		strings.Join(signedHeaders, ";"),
		payload,
	}, "\n")
}

func canonicalURI(path string) string {
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		segs[i] = sigEscape(seg)
	}
	uri := strings.Join(segs, "/")
	if !strings.HasSuffix(uri, "/") {
		uri += "/"
	}
	return uri
}

func canonicalQuery(r *http.Request) string {
	q := r.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs []string
	for _, k := range keys {
		vals := append([]string(nil), q[k]...)
		sort.Strings(vals)
		for _, v := range vals {
			pairs = append(pairs, sigEscape(k)+"="+sigEscape(v))
		}
	}
	return strings.Join(pairs, "&")
}

// canonicalHeaders ends in a newline after the last header, as the SDK's does.
func canonicalHeaders(r *http.Request, signed []string) string {
	var b strings.Builder
	for _, name := range signed {
		vals := r.Header.Values(name)
		if strings.EqualFold(name, "host") {
			vals = []string{r.Host}
		}
		vals = append([]string(nil), vals...)
		sort.Strings(vals)
		for _, v := range vals {
			b.WriteString(name + ":" + strings.TrimSpace(v) + "\n")
		}
	}
	return b.String()
}

func stringToSign(canonical string, date time.Time) string {
	sum := sha256.Sum256([]byte(canonical))
	return schemeSDKHMAC + "\n" + date.UTC().Format(sdkDateFormat) + "\n" + hex.EncodeToString(sum[:])
}

func signature(secret, sts string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(sts))
	return hex.EncodeToString(m.Sum(nil))
}

// sigEscape percent-encodes all but the unreserved characters of RFC 3986,
// in upper-case hex, as the SDK's signer does.
func sigEscape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '~' || c == '.' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// SignRequest signs r as the Huawei Cloud SDK does, for tests and tools
// that talk to a server with AK/SK verification without the SDK. It sets
// X-Sdk-Date (from now) and Authorization, signing host, X-Sdk-Date and
// every header already set except Content-Type.
func SignRequest(r *http.Request, body []byte, ak, sk string, now time.Time) {
	r.Header.Set(headerSDKDate, now.UTC().Format(sdkDateFormat))
	var signed []string
	for name := range r.Header {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "content-type") || strings.Contains(lower, "_") || lower == "authorization" {
			continue
		}
		signed = append(signed, lower)
	}
	if r.Host == "" {
		r.Host = r.URL.Host
	}
	signed = append(signed, "host")
	sort.Strings(signed)
	sig := signature(sk, stringToSign(canonicalRequest(r, signed, body), now))
	r.Header.Set(headerAuthorization, schemeSDKHMAC+" Access="+ak+", SignedHeaders="+strings.Join(signed, ";")+", Signature="+sig)
}
