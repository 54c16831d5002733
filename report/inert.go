package report

import (
	"maps"
	"slices"

	"github.com/drsconform/drsconform/internal/untrusted"
	"github.com/drsconform/drsconform/result"
)

// inert returns a copy of r in which no text from a target or its harness
// holds a control character (an ANSI escape, a carriage return, a bidi
// override that reorders what a reviewer reads): each is shown as an escape
// (internal/untrusted). Multi-line evidence keeps its newlines.
func inert(r *result.Report) *result.Report {
	out := *r
	out.Target, out.FixturesURL = untrusted.Line(r.Target), untrusted.Line(r.FixturesURL)
	out.Cases = make([]result.CaseResult, len(r.Cases))
	for i, c := range r.Cases {
		c.Messages = lines(c.Messages)
		c.Choices = inertChoices(c.Choices)
		c.Findings = slices.Clone(c.Findings)
		for j := range c.Findings {
			f := &c.Findings[j]
			f.Expected, f.Got, f.Pointer = untrusted.Line(f.Expected), untrusted.Line(f.Got), untrusted.Line(f.Pointer)
		}
		c.Evidence = slices.Clone(c.Evidence)
		for j := range c.Evidence {
			e := &c.Evidence[j]
			e.Purpose, e.Method, e.URL = untrusted.Line(e.Purpose), untrusted.Line(e.Method), untrusted.Line(e.URL)
			e.RequestHeaders, e.ResponseHeaders = inertHeader(e.RequestHeaders), inertHeader(e.ResponseHeaders)
			e.RequestBody, e.ResponseBody = untrusted.Text(e.RequestBody), untrusted.Text(e.ResponseBody)
			e.Error, e.Curl = untrusted.Text(e.Error), untrusted.Text(e.Curl)
			e.Sent = mapSent(e.Sent, untrusted.Line)
		}
		out.Cases[i] = c
	}
	return &out
}

func lines(list []string) []string {
	if list == nil {
		return nil
	}
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = untrusted.Line(s)
	}
	return out
}

func inertChoices(list []result.Choice) []result.Choice {
	if list == nil {
		return nil
	}
	out := make([]result.Choice, len(list))
	for i, ch := range list {
		out[i] = result.Choice{Requirement: untrusted.Line(ch.Requirement), Label: untrusted.Line(ch.Label)}
	}
	return out
}

func inertHeader(h map[string][]string) map[string][]string {
	if h == nil {
		return nil
	}
	out := make(map[string][]string, len(h))
	for _, k := range slices.Sorted(maps.Keys(h)) {
		name := untrusted.Line(k)
		out[name] = append(out[name], lines(h[k])...)
	}
	return out
}
