package report

import (
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/drsconform/drsconform/runner"
)

// credentialHeaders never reach a report with their values. The runner
// redacts them already; the formats check again, because a report may come
// from a file (drsconform report --from) that another tool wrote or edited.
var credentialHeaders = []string{"Authorization", "Cookie", "Proxy-Authorization", "Set-Cookie", "X-Auth-Token", "X-Security-Token"}

func isCredentialHeader(name string) bool {
	return slices.ContainsFunc(credentialHeaders, func(c string) bool { return strings.EqualFold(c, name) })
}

// curlHeader finds a header option of a curl command: -H 'Name: value'.
var curlHeader = regexp.MustCompile(`-H (['"])([A-Za-z0-9-]+): ?([^'"]*)(['"])`)

// sanitize returns a deep copy of r in which no credential is left: the
// values of credential headers are replaced (an Authorization header keeps
// its scheme, which says what kind of credential was sent), every such value
// found is also removed wherever else it appears (a URL, a body, a message,
// a curl command), and URLs lose their passwords. It never changes a report
// the runner wrote, whose credentials are already [REDACTED].
func sanitize(r *runner.Report) *runner.Report {
	out := *r
	secrets := map[string]bool{}
	collect := func(h map[string][]string) {
		for k, vs := range h {
			if !isCredentialHeader(k) {
				continue
			}
			for _, v := range vs {
				for _, s := range secretParts(k, v) {
					secrets[s] = true
				}
			}
		}
	}
	for _, c := range r.Cases {
		for _, e := range c.Evidence {
			collect(e.RequestHeaders)
			collect(e.ResponseHeaders)
			for _, m := range curlHeader.FindAllStringSubmatch(e.Curl, -1) {
				if isCredentialHeader(m[2]) {
					for _, s := range secretParts(m[2], m[3]) {
						secrets[s] = true
					}
				}
			}
		}
	}
	for _, u := range []string{r.Target, r.FixturesURL} {
		if p, err := url.Parse(u); err == nil && p.User != nil {
			if pw, ok := p.User.Password(); ok && pw != "" {
				secrets[pw] = true
			}
		}
	}
	// Longest first, so that a secret containing another goes whole.
	list := make([]string, 0, len(secrets))
	for s := range secrets {
		list = append(list, s)
	}
	sort.Slice(list, func(i, j int) bool {
		if len(list[i]) != len(list[j]) {
			return len(list[i]) > len(list[j])
		}
		return list[i] < list[j]
	})
	var pairs []string
	for _, s := range list {
		pairs = append(pairs, s, runner.Redacted)
	}
	rp := strings.NewReplacer(pairs...)
	clean := func(s string) string {
		if len(pairs) == 0 {
			return s
		}
		return rp.Replace(s)
	}
	out.Target, out.FixturesURL = clean(r.Target), clean(r.FixturesURL)
	if r.Configuration != nil {
		out.Configuration = make(map[string]string, len(r.Configuration))
		for k, v := range r.Configuration {
			out.Configuration[k] = clean(v)
		}
	}
	out.Cases = make([]runner.CaseResult, len(r.Cases))
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
			e.RequestHeaders = cleanHeader(e.RequestHeaders, clean)
			e.ResponseHeaders = cleanHeader(e.ResponseHeaders, clean)
			e.RequestBody, e.ResponseBody, e.Error = clean(e.RequestBody), clean(e.ResponseBody), clean(e.Error)
			e.Curl = cleanCurl(clean(e.Curl))
		}
		out.Cases[i] = c
	}
	out.Requirements = slices.Clone(r.Requirements)
	return &out
}

// secretParts are the strings of a credential header's value that must not
// be shown: the value, and for "Scheme credentials" the credentials alone.
func secretParts(name, v string) []string {
	v = strings.TrimSpace(v)
	if v == "" || strings.Contains(v, runner.Redacted) || strings.HasPrefix(v, "$") {
		return nil
	}
	parts := []string{v}
	if strings.EqualFold(name, "Authorization") {
		if _, cred, ok := strings.Cut(v, " "); ok && strings.TrimSpace(cred) != "" {
			parts = append(parts, strings.TrimSpace(cred))
			// AK/SK signing: "Access=AK, SignedHeaders=…, Signature=…"; the
			// key and the signature may appear apart, in a log or a body.
			for _, kv := range strings.Split(cred, ",") {
				if key, val, ok := strings.Cut(strings.TrimSpace(kv), "="); ok && len(val) >= 8 && !strings.EqualFold(key, "SignedHeaders") {
					parts = append(parts, val)
				}
			}
		}
	}
	return parts
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

func cleanHeader(h map[string][]string, clean func(string) string) map[string][]string {
	if h == nil {
		return nil
	}
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		cp := make([]string, len(vs))
		for i, v := range vs {
			switch {
			case !isCredentialHeader(k):
				cp[i] = clean(v)
			case strings.EqualFold(k, "Authorization") && strings.Contains(v, " "):
				scheme, _, _ := strings.Cut(v, " ")
				cp[i] = scheme + " " + runner.Redacted
			default:
				cp[i] = runner.Redacted
			}
		}
		out[k] = cp
	}
	return out
}

// cleanCurl replaces the value of every credential header option of a curl
// command, keeping references to environment variables ($DRSCONFORM_TOKEN).
func cleanCurl(curl string) string {
	return curlHeader.ReplaceAllStringFunc(curl, func(m string) string {
		sub := curlHeader.FindStringSubmatch(m)
		name, value := sub[2], sub[3]
		if !isCredentialHeader(name) || strings.HasPrefix(value, "$") || strings.Contains(value, runner.Redacted) {
			return m
		}
		if strings.EqualFold(name, "Authorization") {
			if scheme, _, ok := strings.Cut(value, " "); ok {
				return "-H " + sub[1] + name + ": " + scheme + " " + runner.Redacted + sub[4]
			}
		}
		return "-H " + sub[1] + name + ": " + runner.Redacted + sub[4]
	})
}

// isAPIExchange tells the requests to the endpoint under test from the
// fixture protocol's.
func isAPIExchange(e runner.Exchange) bool {
	return e.Step > 0 && !strings.HasPrefix(e.Purpose, "fixture")
}

// failingStep is the step of the first finding of a case (1 without any).
func failingStep(c runner.CaseResult) int {
	if len(c.Findings) > 0 && c.Findings[0].Step > 0 {
		return c.Findings[0].Step
	}
	return 1
}

// reproduce is the curl command of the request that produced the case's
// first finding, or of its first request.
func reproduce(c runner.CaseResult) string {
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
var verdictOrder = []runner.Verdict{runner.Fail, runner.Warn, runner.Error, runner.Pass, runner.Skip, runner.Untested}

// overall says what the run's verdict means, in a few words.
func overall(r *runner.Report) string {
	switch r.Verdict {
	case runner.Pass:
		return "conformant"
	case runner.Warn:
		if r.Strict {
			return "non-conformant: a SHOULD is broken and the run is strict"
		}
		return "conformant, with warnings (a SHOULD is broken)"
	case runner.Fail:
		return "non-conformant: a MUST is broken"
	case runner.Error:
		return "not judged: the suite could not judge some cases"
	case runner.Incomplete:
		return "incomplete: nothing failed, but a selected MUST was never judged (its cases were skipped or errored)"
	}
	return string(r.Verdict)
}

// scope says what the verdict covers: the whole catalogue, or a partial run.
func scope(r *runner.Report) string {
	if d := r.Selection.Describe(); d != "" {
		return d + "; the verdict covers only these"
	}
	return ""
}

// requirementCounts tallies requirements by verdict.
func requirementCounts(r *runner.Report) map[runner.Verdict]int {
	counts := map[runner.Verdict]int{}
	for _, req := range r.Requirements {
		counts[req.Verdict]++
	}
	return counts
}

// caseCounts tallies cases by verdict.
func caseCounts(r *runner.Report) map[runner.Verdict]int {
	counts := map[runner.Verdict]int{}
	for _, c := range r.Cases {
		counts[c.Verdict]++
	}
	return counts
}

// attention lists the failed, warned and errored cases, in that order and
// in report order within each verdict.
func attention(r *runner.Report) []runner.CaseResult {
	var out []runner.CaseResult
	for _, v := range []runner.Verdict{runner.Fail, runner.Warn, runner.Error} {
		for _, c := range r.Cases {
			if c.Verdict == v {
				out = append(out, c)
			}
		}
	}
	return out
}
