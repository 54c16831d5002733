package report

import (
	"net/url"
	"slices"
	"sort"

	"github.com/drsconform/drsconform/internal/credential"
	"github.com/drsconform/drsconform/result"
)

// sanitize returns a deep copy of r in which no credential is left: the
// values of credential headers are replaced (internal/credential.Value),
// every such value found is also removed wherever else it appears (a URL, a
// body, a message, a curl command), and URLs lose their passwords. The
// runner redacts already; the formats check again, because a report may
// come from a file (drsconform report --from) that another tool wrote or
// edited. It never changes a report the runner wrote.
func sanitize(r *result.Report) *result.Report {
	out := *r
	var secrets []string
	for _, c := range r.Cases {
		for _, e := range c.Evidence {
			secrets = append(secrets, credential.FromHeader(e.RequestHeaders)...)
			secrets = append(secrets, credential.FromHeader(e.ResponseHeaders)...)
			secrets = append(secrets, credential.SecretsOfCurl(e.Curl)...)
		}
	}
	for _, u := range []string{r.Target, r.FixturesURL} {
		if p, err := url.Parse(u); err == nil && p.User != nil {
			if pw, ok := p.User.Password(); ok && pw != "" {
				secrets = append(secrets, pw)
			}
		}
	}
	rd := credential.New(secrets...)
	clean := rd.String
	out.Target, out.FixturesURL = clean(r.Target), clean(r.FixturesURL)
	if r.Configuration != nil {
		out.Configuration = make(map[string]string, len(r.Configuration))
		for k, v := range r.Configuration {
			out.Configuration[k] = clean(v)
		}
	}
	out.Cases = make([]result.CaseResult, len(r.Cases))
	for i, c := range r.Cases {
		c.Messages = cleanAll(c.Messages, clean)
		c.Findings = slices.Clone(c.Findings)
		for j := range c.Findings {
			f := &c.Findings[j]
			f.Expected, f.Got = clean(f.Expected), clean(f.Got)
		}
		c.Evidence = slices.Clone(c.Evidence)
		for j := range c.Evidence {
			e := &c.Evidence[j]
			e.URL = clean(e.URL)
			e.RequestHeaders = rd.Header(e.RequestHeaders)
			e.ResponseHeaders = rd.Header(e.ResponseHeaders)
			e.RequestBody, e.ResponseBody, e.Error = clean(e.RequestBody), clean(e.ResponseBody), clean(e.Error)
			e.Curl = credential.CleanCurl(clean(e.Curl))
			e.Sent = mapSent(e.Sent, clean)
		}
		out.Cases[i] = c
	}
	out.Requirements = slices.Clone(r.Requirements)
	out.Unjudged = slices.Clone(r.Unjudged)
	for i := range out.Unjudged {
		out.Unjudged[i].Reasons = cleanAll(out.Unjudged[i].Reasons, clean)
	}
	out.Preflight = slices.Clone(r.Preflight)
	for i := range out.Preflight {
		out.Preflight[i].Detail = clean(out.Preflight[i].Detail)
	}
	return &out
}

func cleanAll(list []string, clean func(string) string) []string {
	if list == nil {
		return nil
	}
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = clean(s)
	}
	return out
}

// isAPIExchange tells the requests to the endpoint under test from the
// fixture protocol's and the preflight's.
func isAPIExchange(e result.Exchange) bool { return e.Kind == result.KindAPI }

// mapSent is a copy of s with f applied to every string of the request.
func mapSent(s *result.SentRequest, f func(string) string) *result.SentRequest {
	if s == nil {
		return nil
	}
	out := *s
	out.Members = cleanAll(s.Members, f)
	out.Status = f(s.Status)
	out.Jobs = slices.Clone(s.Jobs)
	for i := range out.Jobs {
		j := &out.Jobs[i]
		j.Members = cleanAll(j.Members, f)
		j.Fixture, j.FixtureStatus = f(j.Fixture), f(j.FixtureStatus)
		for _, p := range []**string{&j.DeleteType, &j.JobID} {
			if *p != nil {
				v := f(**p)
				*p = &v
			}
		}
	}
	return &out
}

// failingStep is the step of the first finding of a case (1 without any).
func failingStep(c result.CaseResult) int {
	if len(c.Findings) > 0 && c.Findings[0].Step > 0 {
		return c.Findings[0].Step
	}
	return 1
}

// reproduce is the curl command of the request that produced the case's
// first finding, or of its first request.
func reproduce(c result.CaseResult) string {
	step := failingStep(c)
	first := ""
	for _, e := range c.Evidence {
		if !isAPIExchange(e) || e.Curl == "" {
			continue
		}
		if e.Step == step {
			return e.Curl
		}
		if first == "" {
			first = e.Curl
		}
	}
	return first
}

// headerLines renders headers one per line, names sorted, for evidence.
func headerLines(h map[string][]string) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []string
	for _, k := range names {
		for _, v := range h[k] {
			out = append(out, k+": "+v)
		}
	}
	return out
}

// verdictOrder is the order verdict tallies are shown in.
var verdictOrder = []result.Verdict{result.Fail, result.Warn, result.Error, result.Pass, result.Skip, result.Untested}

// overall says what the run's verdict means, in a few words.
func overall(r *result.Report) string {
	switch r.Verdict {
	case result.Pass:
		return "conformant"
	case result.Warn:
		if r.Strict {
			return "non-conformant: a SHOULD is broken and the run is strict"
		}
		return "conformant, with warnings (a SHOULD is broken)"
	case result.Fail:
		return "non-conformant: a MUST is broken"
	case result.Error:
		return "not judged: the suite could not judge some cases"
	case result.Incomplete:
		return "incomplete: nothing failed, but a selected MUST was never judged (its cases were skipped or errored)"
	}
	return string(r.Verdict)
}

// scope says what the verdict covers: the whole catalogue, or a partial run.
func scope(r *result.Report) string {
	if d := r.Selection.Describe(); d != "" {
		return d + "; the verdict covers only these"
	}
	return ""
}

// requirementCounts tallies requirements by verdict.
func requirementCounts(r *result.Report) map[result.Verdict]int {
	counts := map[result.Verdict]int{}
	for _, req := range r.Requirements {
		counts[req.Verdict]++
	}
	return counts
}

// caseCounts tallies cases by verdict.
func caseCounts(r *result.Report) map[result.Verdict]int {
	counts := map[result.Verdict]int{}
	for _, c := range r.Cases {
		counts[c.Verdict]++
	}
	return counts
}

// attention lists the failed, warned and errored cases, in that order and
// in report order within each verdict.
func attention(r *result.Report) []result.CaseResult {
	var out []result.CaseResult
	for _, v := range []result.Verdict{result.Fail, result.Warn, result.Error} {
		for _, c := range r.Cases {
			if c.Verdict == v {
				out = append(out, c)
			}
		}
	}
	return out
}
