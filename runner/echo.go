package runner

// REQ-SEC-02: no answer carries back a credential its request sent, in any
// form. internal/credential (written alongside, for redaction) knows the same
// forms; this file is self-contained on purpose and is to be unified with it.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// minEchoLen is the shortest credential looked for: a shorter one would be
// found in ordinary words and IDs by chance. Real tokens are far longer.
const minEchoLen = 8

// echoForm is one spelling of a credential an answer could carry.
type echoForm struct {
	name string // for messages: never the credential itself
	text string
}

// echoForms lists the spellings of secret to look for. They are compared
// without regard to letter case, which also covers %2f and %2F, \u00e9 and
// \u00E9, and a token written in upper case.
func echoForms(secret string) []echoForm {
	forms := []echoForm{{"as sent", secret}}
	if j, err := json.Marshal(secret); err == nil { // escapes ", \, <, >, & and control characters
		forms = append(forms, echoForm{"JSON-escaped", string(j[1 : len(j)-1])})
	}
	var u strings.Builder
	for _, r := range secret {
		if r > 0xFFFF {
			r1, r2 := utf16Pair(r)
			fmt.Fprintf(&u, `\u%04x\u%04x`, r1, r2)
			continue
		}
		fmt.Fprintf(&u, `\u%04x`, r)
	}
	forms = append(forms,
		echoForm{`JSON \u-escaped`, u.String()},
		echoForm{"URL-encoded", url.QueryEscape(secret)},
		echoForm{"URL path-encoded", url.PathEscape(secret)})
	return forms
}

func utf16Pair(r rune) (rune, rune) {
	r -= 0x10000
	return 0xD800 + (r>>10)&0x3FF, 0xDC00 + r&0x3FF
}

// findEcho reports the form in which text carries secret, if it does.
func findEcho(text, secret string) (form string, found bool) {
	if len(secret) < minEchoLen {
		return "", false
	}
	low := strings.ToLower(text)
	for _, f := range echoForms(secret) {
		if strings.Contains(low, strings.ToLower(f.text)) {
			if f.name == "as sent" && !strings.Contains(text, secret) {
				return "in other letter case", true
			}
			return f.name, true
		}
	}
	return "", false
}

// findEchoInBody looks in the body as it is and, when it is JSON, in every
// string and key of it decoded: that catches a credential escaped in part.
func findEchoInBody(body []byte, secret string) (string, bool) {
	if form, ok := findEcho(string(body), secret); ok {
		return form, true
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		if s, ok := tok.(string); ok {
			if form, ok := findEcho(s, secret); ok {
				return form + " (JSON-decoded)", true
			}
		}
	}
}

// requestCredentials lists the credentials a request carries, by where they
// were: X-Auth-Token, the Authorization header, and the parts of it that are
// secret (what follows the scheme; the Access and Signature values).
func requestCredentials(h http.Header) []sentCredential {
	var out []sentCredential
	add := func(where, v string) {
		v = strings.TrimSpace(v)
		if len(v) >= minEchoLen && !slices.ContainsFunc(out, func(c sentCredential) bool { return c.value == v }) {
			out = append(out, sentCredential{where, v})
		}
	}
	for _, v := range h.Values("X-Auth-Token") {
		add("X-Auth-Token", v)
	}
	for _, v := range h.Values("Authorization") {
		add("Authorization", v)
		_, rest, _ := strings.Cut(v, " ")
		add("Authorization", rest)
		for _, part := range strings.Split(rest, ",") {
			k, val, _ := strings.Cut(strings.TrimSpace(part), "=")
			if k == "Access" || k == "Signature" {
				add("Authorization "+k, val)
			}
		}
	}
	return out
}

// sentCredential is one credential of a request and the header it was in.
type sentCredential struct {
	where string
	value string
}

// noEcho checks REQ-SEC-02 on every answer: no credential of the request in
// any response header or in the body. One finding per place.
func (j *judge) noEcho() {
	creds := requestCredentials(j.b.header)
	if len(creds) == 0 {
		return
	}
	echoed := func(place string, find func(secret string) (string, bool)) {
		for _, c := range creds {
			if form, ok := find(c.value); ok {
				j.find("REQ-SEC-02", LayerInvariant, "no credential of the request in the answer",
					fmt.Sprintf("the %s credential, %s, in %s", c.where, form, place), "")
				return
			}
		}
	}
	for _, name := range sortedHeaderNames(j.resp.Header) {
		echoed("response header "+name, func(secret string) (string, bool) {
			for _, v := range j.resp.Header[name] {
				if form, ok := findEcho(v, secret); ok {
					return form, true
				}
			}
			return "", false
		})
	}
	echoed("the body", func(secret string) (string, bool) { return findEchoInBody(j.resp.Body, secret) })
}

func sortedHeaderNames(h http.Header) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
