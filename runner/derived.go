package runner

import (
	"net/http"

	"github.com/drsconform/drsconform/cases"
)

// derivedTail is how many letters and digits at the end of --token
// DerivedToken changes.
const derivedTail = 8

// DerivedToken returns token changed so that it cannot be valid (REQ-SEC-01):
// each of its last eight letters and digits becomes the next one of its
// class (a→b, z→a, Z→A, 9→0). Length and alphabet stay those of a real
// token, so a service that only checks the shape accepts it; only the tail,
// where a token's signature sits, is broken. A token without letters or
// digits gets an "x" appended. "" stays "" (nothing to derive from).
//
// The result is as secret as the token (one character from it): the runner
// registers it with the Redactor like --token (Config.withDefaults).
func DerivedToken(token string) string {
	if token == "" {
		return ""
	}
	b := []byte(token)
	changed := 0
	for i := len(b) - 1; i >= 0 && changed < derivedTail; i-- {
		switch c := b[i]; {
		case 'a' <= c && c <= 'z':
			b[i] = 'a' + (c-'a'+1)%26
		case 'A' <= c && c <= 'Z':
			b[i] = 'A' + (c-'A'+1)%26
		case '0' <= c && c <= '9':
			b[i] = '0' + (c-'0'+1)%10
		default:
			continue
		}
		changed++
	}
	if changed == 0 {
		return token + "x"
	}
	return string(b)
}

// malformedAuthorization is an Authorization header in the AK/SK scheme the
// Huawei Cloud SDK signs with, that cannot verify: a derived access key, no
// X-Sdk-Date, a one-byte signature.
func malformedAuthorization(secret string) string {
	return "SDK-HMAC-SHA256 Access=" + DerivedToken(secret) + ", SignedHeaders=host, Signature=00"
}

// garbageAuthorization is an Authorization header with no scheme: a derived
// token where the scheme and its parameters should be (what a client that
// confuses the two headers sends).
func garbageAuthorization(secret string) string { return DerivedToken(secret) }

// setCredential puts the credential a request asks for into h, in place of
// the run's own (Config.runCredential). "" leaves h as it is.
//
// With --token, the invalid credentials derive from the token. With AK/SK,
// derived-invalid is a signature made with a secret key derived from --sk
// (the wire signs it, runner/sign.go), and the malformed and garbage
// Authorization headers derive from the access key: nothing derived from
// the secret key is ever sent.
func setCredential(h http.Header, credential string, c Config) {
	source := c.Token
	if c.AccessKey != "" {
		source = c.AccessKey
	}
	switch credential {
	case cases.CredentialNone:
		h.Del("X-Auth-Token")
		h.Del("Authorization")
	case cases.CredentialDerivedInvalid:
		if c.AccessKey != "" {
			h.Del("X-Auth-Token")
			h.Set("Authorization", signDerivedMarker)
			return
		}
		h.Del("Authorization")
		h.Set("X-Auth-Token", DerivedToken(c.Token))
	case cases.CredentialMalformedAuthorization:
		h.Del("X-Auth-Token")
		h.Set("Authorization", malformedAuthorization(source))
	case cases.CredentialGarbageAuthorization:
		h.Del("X-Auth-Token")
		h.Set("Authorization", garbageAuthorization(source))
	}
}
