package runner

import (
	"strconv"

	"github.com/drsconform/drsconform/internal/credential"
	"github.com/drsconform/drsconform/internal/untrusted"
)

// Redacted replaces every credential in every output.
const Redacted = credential.Redacted

// Redactor removes credentials from text and headers before they reach a
// report, a log or the terminal (internal/credential owns the rules).
type Redactor = credential.Redactor

// NewRedactor redacts the given secrets in every form, and the values of
// credential headers.
func NewRedactor(secrets ...string) *Redactor { return credential.New(secrets...) }

// quote is a string of the target for a finding: redacted first, then its
// start escaped (untrusted.Quote), so no cut leaves part of a secret.
func quote(rd *Redactor, s string) string {
	p, cut := rd.Prefix(s, untrusted.QuoteBytes)
	if !cut {
		return untrusted.Line(p)
	}
	return untrusted.Line(p) + untrusted.More(len(s))
}

// quoted is quote in Go's %q form.
func quoted(rd *Redactor, s string) string {
	p, cut := rd.Prefix(s, untrusted.QuoteBytes)
	if !cut {
		return strconv.Quote(p)
	}
	return strconv.Quote(p) + untrusted.More(len(s))
}

// bounded is text for a finding or a message: redacted, cut to n bytes,
// control characters escaped.
func bounded(rd *Redactor, s string, n int) string {
	p, cut := rd.Prefix(s, n)
	if !cut {
		return untrusted.Line(p)
	}
	return untrusted.Line(p) + untrusted.More(len(s))
}
