// Package aksk is the one implementation of the AK/SK signature the Huawei
// Cloud SDK sends (SDK-HMAC-SHA256): the runner signs with it
// (runner/sign.go) and the reference implementation verifies with it
// (reference/auth.go), so the two cannot drift apart.
// interop/huaweicloud-sdk checks it byte for byte against the SDK's own
// signer.
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
// (UNSIGNED-PAYLOAD) when the request has one.
//
// What the SDK signs: every header it sends except Content-Type and names
// with "_" (it sends User-Agent, X-Project-Id, X-Sdk-Date and the
// operation's own headers such as X-Language; not Host). It adds
// X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD when the Content-Type is neither
// JSON nor BSON.
package aksk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
)

// The names and formats of the scheme.
const (
	Scheme           = "SDK-HMAC-SHA256"
	HeaderDate       = "X-Sdk-Date"
	HeaderContentSHA = "X-Sdk-Content-Sha256"
	HeaderProjectID  = "X-Project-Id"
	UnsignedPayload  = "UNSIGNED-PAYLOAD"
	DateFormat       = "20060102T150405Z"
)

// Authorization is a parsed SDK-HMAC-SHA256 Authorization header.
type Authorization struct {
	Access        string
	SignedHeaders []string
	Signature     string
}

// String is the header value, as the SDK writes it.
func (a Authorization) String() string {
	return Scheme + " Access=" + a.Access + ", SignedHeaders=" + strings.Join(a.SignedHeaders, ";") + ", Signature=" + a.Signature
}

// ErrScheme: the Authorization header is not in the SDK-HMAC-SHA256 scheme.
var ErrScheme = errors.New("not an " + Scheme + " Authorization header")

// ErrIncomplete: the header lacks Access, SignedHeaders or Signature.
var ErrIncomplete = errors.New("the Authorization header needs Access, SignedHeaders and Signature")

// ParseAuthorization parses "SDK-HMAC-SHA256 Access=.., SignedHeaders=.., Signature=..".
func ParseAuthorization(h string) (Authorization, error) {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	if scheme != Scheme {
		return Authorization{}, ErrScheme
	}
	var a Authorization
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Access":
			a.Access = v
		case "SignedHeaders":
			if v != "" {
				a.SignedHeaders = strings.Split(v, ";")
			}
		case "Signature":
			a.Signature = v
		}
	}
	if a.Access == "" || a.Signature == "" || len(a.SignedHeaders) == 0 {
		return a, ErrIncomplete
	}
	return a, nil
}

// notSent are headers Go's HTTP client does not send as they stand in
// Request.Header (it writes its own): signing them would sign what the
// server never sees. Host is signed from Request.Host instead.
var notSent = []string{"content-length", "transfer-encoding", "trailer"}

// SignedHeaders lists the headers of h the SDK signs, lower-case and
// sorted: all but Content-Type, names with "_" and Authorization.
func SignedHeaders(h http.Header) []string {
	var out []string
	for name := range h {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "content-type") || strings.Contains(lower, "_") || lower == "authorization" ||
			slices.Contains(notSent, lower) || slices.Contains(out, lower) {
			continue
		}
		out = append(out, lower)
	}
	sort.Strings(out)
	return out
}

// CanonicalRequest is the canonical request of r (its method, URL, Host
// and headers) with the given signed headers and body.
func CanonicalRequest(r *http.Request, signed []string, body []byte) string {
	payload := r.Header.Get(HeaderContentSHA)
	if payload == "" {
		sum := sha256.Sum256(body)
		payload = hex.EncodeToString(sum[:])
	}
	return strings.Join([]string{
		r.Method,
		CanonicalURI(r.URL.Path),
		CanonicalQuery(r.URL.Query()),
		canonicalHeaders(r, signed),
		strings.Join(signed, ";"),
		payload,
	}, "\n")
}

// CanonicalURI escapes each segment of a (decoded) path and ends it in "/".
func CanonicalURI(path string) string {
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		segs[i] = Escape(seg)
	}
	uri := strings.Join(segs, "/")
	if !strings.HasSuffix(uri, "/") {
		uri += "/"
	}
	return uri
}

// CanonicalQuery is the escaped key=value pairs of q, sorted by key, then
// by value, joined by "&".
func CanonicalQuery(q url.Values) string {
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
			pairs = append(pairs, Escape(k)+"="+Escape(v))
		}
	}
	return strings.Join(pairs, "&")
}

// canonicalHeaders ends in a newline after the last header, as the SDK's
// does. "host" is the host the request goes to (r.Host, else the URL's).
func canonicalHeaders(r *http.Request, signed []string) string {
	var b strings.Builder
	for _, name := range signed {
		vals := r.Header.Values(name)
		if strings.EqualFold(name, "host") {
			host := r.Host
			if host == "" {
				host = r.URL.Host
			}
			vals = []string{host}
		}
		vals = append([]string(nil), vals...)
		sort.Strings(vals)
		for _, v := range vals {
			b.WriteString(name + ":" + strings.TrimSpace(v) + "\n")
		}
	}
	return b.String()
}

// StringToSign is what the signature is the HMAC of.
func StringToSign(canonical string, date time.Time) string {
	sum := sha256.Sum256([]byte(canonical))
	return Scheme + "\n" + date.UTC().Format(DateFormat) + "\n" + hex.EncodeToString(sum[:])
}

// Signature is hex(HMAC-SHA256(secret, sts)).
func Signature(secret, sts string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(sts))
	return hex.EncodeToString(m.Sum(nil))
}

// Escape percent-encodes all but the unreserved characters of RFC 3986, in
// upper-case hex, as the SDK's signer does.
func Escape(s string) string {
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

// Sign signs r as the Huawei Cloud SDK does, once its headers and body are
// final: it sets X-Sdk-Date (from now), X-Sdk-Content-Sha256:
// UNSIGNED-PAYLOAD when the Content-Type is neither JSON nor BSON (as the
// SDK does), and Authorization, signing the headers SignedHeaders lists. It
// returns the Authorization it set.
func Sign(r *http.Request, body []byte, ak, sk string, now time.Time) Authorization {
	return sign(r, body, ak, sk, now, false)
}

// SignWithHost is Sign that signs "host" too, as the API gateway signers
// of other languages do: a proxy that rewrites Host then breaks the
// signature (reference.SignRequest uses it; the verifier accepts both).
func SignWithHost(r *http.Request, body []byte, ak, sk string, now time.Time) Authorization {
	return sign(r, body, ak, sk, now, true)
}

func sign(r *http.Request, body []byte, ak, sk string, now time.Time, host bool) Authorization {
	r.Header.Del("Authorization")
	if ct, ok := r.Header["Content-Type"]; ok && len(ct) > 0 &&
		!strings.Contains(ct[0], "application/json") && !strings.Contains(ct[0], "application/bson") {
		r.Header.Set(HeaderContentSHA, UnsignedPayload)
	}
	r.Header.Set(HeaderDate, now.UTC().Format(DateFormat))
	signed := SignedHeaders(r.Header)
	if host && !slices.Contains(signed, "host") {
		signed = append(signed, "host")
		sort.Strings(signed)
	}
	a := Authorization{Access: ak, SignedHeaders: signed,
		Signature: Signature(sk, StringToSign(CanonicalRequest(r, signed, body), now))}
	r.Header.Set("Authorization", a.String())
	return a
}

// Verify reports whether a's signature is the one sk makes for r and body
// at date (compared in constant time, in either hex case).
func Verify(r *http.Request, body []byte, a Authorization, sk string, date time.Time) bool {
	want := Signature(sk, StringToSign(CanonicalRequest(r, a.SignedHeaders, body), date))
	return hmac.Equal([]byte(want), []byte(strings.ToLower(a.Signature)))
}
