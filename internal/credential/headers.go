// Package credential owns what a credential is in this suite: the headers
// that carry one, the secrets derived from a token or an AK/SK signature,
// and how text, headers, URLs and curl commands are cleaned of them. The
// runner, the proxy and the reports all redact through it, so they agree.
package credential

import (
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"
)

// Redacted replaces every credential in every output.
const Redacted = "[REDACTED]"

// MinSecretLen is the shortest secret replaced inside free text: a shorter
// one would mangle ordinary words ("T" in CREATE_FAILED). Shorter secrets are
// still removed from credential headers, which are replaced whole.
const MinSecretLen = 8

// headers carry credentials; their values never reach an output.
var headers = []string{
	"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie",
	"X-Auth-Token", "X-Subject-Token", "X-Security-Token", "X-Api-Key",
}

// Headers lists the credential headers (canonical names).
func Headers() []string { return slices.Clone(headers) }

// IsHeader reports whether a header of that name carries a credential.
func IsHeader(name string) bool {
	return slices.ContainsFunc(headers, func(c string) bool { return strings.EqualFold(c, name) })
}

// TooShort reports whether a secret is too short to be replaced inside text
// (fewer than MinSecretLen characters); callers warn about such a token.
func TooShort(secret string) bool { return utf8.RuneCountInString(secret) < MinSecretLen }

// Value is what a credential header shows instead of its value: the
// Authorization scheme (it says which credential was sent), for an AK/SK
// signature also its SignedHeaders (not secret), and Redacted for the rest.
func Value(name, v string) string {
	if !strings.EqualFold(name, "Authorization") && !strings.EqualFold(name, "Proxy-Authorization") {
		return Redacted
	}
	scheme, rest, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || !isScheme(scheme) {
		return Redacted
	}
	if params, ok := akskParams(rest); ok {
		parts := make([]string, len(params))
		for i, p := range params {
			if strings.EqualFold(p.key, "SignedHeaders") {
				parts[i] = p.key + "=" + p.value
			} else {
				parts[i] = p.key + "=" + Redacted
			}
		}
		return scheme + " " + strings.Join(parts, ", ")
	}
	return scheme + " " + Redacted
}

// isScheme: an auth scheme is a short token; anything else may be a secret.
func isScheme(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

type param struct{ key, value string }

// akskParams parses "Access=AK, SignedHeaders=a;b, Signature=SIG" (the
// Huawei Cloud SDK's SDK-HMAC-SHA256 signature); ok only when every key is
// one of those three, so a Bearer token with '=' padding is never split.
func akskParams(rest string) ([]param, bool) {
	var out []param
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, false
		}
		switch strings.ToLower(k) {
		case "access", "signedheaders", "signature":
		default:
			return nil, false
		}
		out = append(out, param{k, v})
	}
	return out, len(out) > 0
}

// SecretsOf lists the secrets in a credential header's value: the value, the
// credentials after an Authorization scheme (for an AK/SK signature the
// access key and the signature instead), and cookie values. A value already
// redacted, or a reference to an environment variable ($DRSCONFORM_TOKEN),
// holds none.
func SecretsOf(name, v string) []string {
	v = strings.TrimSpace(v)
	if v == "" || strings.Contains(v, Redacted) || strings.HasPrefix(v, "$") || !IsHeader(name) {
		return nil
	}
	switch {
	case strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Proxy-Authorization"):
		scheme, rest, ok := strings.Cut(v, " ")
		if !ok || !isScheme(scheme) {
			return []string{v}
		}
		rest = strings.TrimSpace(rest)
		if params, ok := akskParams(rest); ok {
			var out []string
			for _, p := range params {
				if !strings.EqualFold(p.key, "SignedHeaders") && strings.TrimSpace(p.value) != "" {
					out = append(out, strings.TrimSpace(p.value))
				}
			}
			return out
		}
		return []string{v, rest}
	case strings.EqualFold(name, "Cookie") || strings.EqualFold(name, "Set-Cookie"):
		out := []string{v}
		for i, c := range strings.Split(v, ";") {
			if strings.EqualFold(name, "Set-Cookie") && i > 0 {
				break // attributes (Path, Expires) are not secret
			}
			if _, val, ok := strings.Cut(strings.TrimSpace(c), "="); ok && strings.TrimSpace(val) != "" {
				out = append(out, strings.Trim(strings.TrimSpace(val), `"`))
			}
		}
		return out
	}
	return []string{v}
}

// FromHeader lists the secrets of every credential header of h.
func FromHeader(h http.Header) []string {
	var out []string
	for k, vs := range h {
		for _, v := range vs {
			out = append(out, SecretsOf(k, v)...)
		}
	}
	return out
}
