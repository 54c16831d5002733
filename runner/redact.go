package runner

import (
	"net/http"
	"strings"
)

// Redacted replaces every credential in every output.
const Redacted = "[REDACTED]"

// credentialHeaders are never written out with their values.
var credentialHeaders = []string{"X-Auth-Token", "Authorization", "Cookie", "Set-Cookie", "Proxy-Authorization", "X-Security-Token"}

// Redactor removes credentials from text and headers before they reach a
// report, a log or the terminal.
type Redactor struct {
	secrets []string
	r       *strings.Replacer
}

// NewRedactor redacts the given secrets (empty ones are ignored) wherever
// they appear, and the values of credential headers.
func NewRedactor(secrets ...string) *Redactor {
	var pairs []string
	var kept []string
	for _, s := range secrets {
		if len(s) < 1 {
			continue
		}
		kept = append(kept, s)
		pairs = append(pairs, s, Redacted)
	}
	return &Redactor{secrets: kept, r: strings.NewReplacer(pairs...)}
}

// String returns s with every secret replaced.
func (rd *Redactor) String(s string) string {
	if rd == nil || len(rd.secrets) == 0 {
		return s
	}
	return rd.r.Replace(s)
}

// Header returns a copy of h with credential headers' values replaced and
// secrets removed from the rest.
func (rd *Redactor) Header(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		cp := make([]string, len(vs))
		for i, v := range vs {
			if isCredentialHeader(k) {
				cp[i] = redactCredential(k, v)
			} else {
				cp[i] = rd.String(v)
			}
		}
		out[k] = cp
	}
	return out
}

func isCredentialHeader(name string) bool {
	for _, c := range credentialHeaders {
		if strings.EqualFold(c, name) {
			return true
		}
	}
	return false
}

// redactCredential keeps the scheme of an Authorization header (it tells
// which credential was sent) and nothing else.
func redactCredential(name, v string) string {
	if strings.EqualFold(name, "Authorization") {
		if scheme, _, ok := strings.Cut(v, " "); ok {
			return scheme + " " + Redacted
		}
	}
	return Redacted
}
