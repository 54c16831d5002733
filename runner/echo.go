package runner

// REQ-SEC-02: no answer carries back a credential its request sent, in any
// form. The forms are internal/credential's, the same the redaction removes.

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/drsconform/drsconform/internal/credential"
	"github.com/drsconform/drsconform/result"
)

// sentCredential is one credential header of a request, with a matcher for
// every form of the secrets in it.
type sentCredential struct {
	where string
	forms *credential.Redactor
}

// requestCredentials lists the credential headers a request carries, each
// with the secrets credential.SecretsOf finds in it (the token; for an
// Authorization header, what follows the scheme, or an AK/SK signature's
// access key and signature). Secrets under credential.MinSecretLen are not
// looked for: they would be found in ordinary words by chance.
func requestCredentials(h http.Header) []sentCredential {
	var out []sentCredential
	for _, name := range sortedHeaderNames(h) {
		var secrets []string
		for _, v := range h[name] {
			secrets = append(secrets, credential.SecretsOf(name, v)...)
		}
		rd := credential.New(secrets...)
		if rd.Short() < len(secrets) { // some secret is long enough to look for
			out = append(out, sentCredential{where: http.CanonicalHeaderKey(name), forms: rd})
		}
	}
	return out
}

// noEcho checks REQ-SEC-02 on every answer: no credential of the request in
// any response header (name or value) or in the body. One finding per place.
func (j *judge) noEcho() {
	sent := j.b.header
	if j.resp.Sent != nil {
		sent = j.resp.Sent // as signed, when the wire signed it
	}
	creds := requestCredentials(sent)
	if len(creds) == 0 {
		return
	}
	echoed := func(place string, texts ...string) {
		for _, c := range creds {
			if slices.ContainsFunc(texts, c.forms.Contains) {
				j.find("REQ-SEC-02", result.LayerInvariant, "no credential of the request in the answer",
					fmt.Sprintf("the %s credential of the request, in %s", c.where, place), "")
				return
			}
		}
	}
	for _, name := range sortedHeaderNames(j.resp.Header) {
		echoed("response header "+headerPlace(name), append([]string{name}, j.resp.Header[name]...)...)
	}
	echoed("the body", string(j.resp.Body))
}

// headerPlace names a response header in a finding without quoting a
// credential that may be in its name.
func headerPlace(name string) string {
	if len(name) > 40 {
		return strings.TrimSpace(name[:24]) + "… (a long name)"
	}
	return name
}

func sortedHeaderNames(h http.Header) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
