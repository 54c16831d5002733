package report

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/drsconform/drsconform/internal/untrusted"
	"github.com/drsconform/drsconform/result"
)

// SummaryOptions shape the terminal summary.
type SummaryOptions struct {
	// MaxFailures caps the failed and warned cases printed in full (their
	// messages and reproduce line); 0 prints all. Every case is still named
	// in the group of its finding.
	MaxFailures int
	// ReportDir is where the run writes its reports, if it does: the
	// summary points there for what it leaves out.
	ReportDir string
}

// Summary writes the end-of-run summary with the default options
// (DefaultMaxFailures cases in full).
func Summary(w io.Writer, r *result.Report) {
	SummaryWith(w, r, SummaryOptions{MaxFailures: DefaultMaxFailures})
}

// SummaryWith writes the end-of-run summary for a terminal: counts per
// verdict; then the failures and warnings grouped by finding (groupsOf), each
// group once with its cases, followed by the first of them in full, up to
// opt.MaxFailures in all; then the errors grouped by reason.
func SummaryWith(w io.Writer, r *result.Report, opt SummaryOptions) {
	r = sanitize(r)
	s := r.Summary
	fmt.Fprintf(w, "\ndrsconform %s against %s\n", r.SuiteVersion, terminalLine(r.Target))
	if r.Insecure() {
		fmt.Fprintln(w, "WARNING: TLS certificates were not verified (--insecure): the answers judged here may not have come from the target")
	}
	if d := r.Selection.Describe(); d != "" {
		fmt.Fprintln(w, terminalLine(d))
	}
	for _, p := range r.Preflight {
		if !p.OK {
			fmt.Fprintf(w, "preflight: %s: %s\n", p.Name, terminalLine(p.Detail))
		}
	}
	filtered := 0
	for _, c := range r.Cases {
		if c.FilteredOut {
			filtered++
		}
	}
	skipped := fmt.Sprintf("%d skipped", s.Skipped)
	if filtered > 0 {
		skipped += fmt.Sprintf(" (%d filtered out)", filtered)
	}
	fmt.Fprintf(w, "cases: %d total, %d passed, %d failed, %d warned, %s, %d errored\n",
		s.Total, s.Passed, s.Failed, s.Warned, skipped, s.Errored)
	counts := map[result.Verdict]int{}
	for _, req := range r.Requirements {
		counts[req.Verdict]++
	}
	fmt.Fprintf(w, "requirements: %d pass, %d fail, %d warn, %d error, %d untested (of %d)\n",
		counts[result.Pass], counts[result.Fail], counts[result.Warn], counts[result.Error], counts[result.Untested], len(r.Requirements))
	for _, req := range r.Requirements {
		if len(req.Choices) > 0 {
			fmt.Fprintf(w, "  %s (%s): the target chose %s\n", req.ID, req.Level, strings.Join(req.Choices, ", "))
		}
	}
	failures(w, r, opt)
	errorGroups(w, r)
	skipReasons(w, r)
	fieldTasksSummary(w, r)
	if len(r.Unjudged) > 0 {
		fmt.Fprintf(w, "\nNOT JUDGED (no case passed or failed them):\n")
		for _, u := range r.Unjudged {
			note := ""
			if !u.Fatal {
				note = ", reported only (fatal with --strict)"
			}
			// One line per requirement: the reasons are in full in the reports.
			fmt.Fprintf(w, "  %s (%s%s): %s\n", u.ID, u.Level, note, terminalLine(strings.Join(u.Reasons, "; ")))
		}
	}
	partial := ""
	switch {
	case r.Selection != nil && r.Selection.Partial:
		partial = ", partial run"
	case r.Complete:
		partial = ", complete"
	}
	fmt.Fprintf(w, "\nverdict: %s (exit %d%s)\n", strings.ToUpper(string(r.Verdict)), r.ExitCode, partial)
}

// failures writes the FAIL and WARN sections: each group of findings once,
// with its cases, then the cases picked to be shown in full (inFull).
func failures(w io.Writer, r *result.Report, opt SummaryOptions) {
	verdicts := []result.Verdict{result.Fail, result.Warn}
	var all []*findingGroup
	sections := make([][]*findingGroup, len(verdicts))
	for i, v := range verdicts {
		sections[i] = groupsOf(r, v)
		all = append(all, sections[i]...)
	}
	picked, shown := inFull(all, opt.MaxFailures)
	k, total := 0, map[string]bool{}
	for i, v := range verdicts {
		groups := sections[i]
		if len(groups) == 0 {
			continue
		}
		ids := map[string]bool{}
		for _, g := range groups {
			for _, id := range g.Cases {
				ids[id], total[id] = true, true
			}
		}
		fmt.Fprintf(w, "\n%s: %s, %s\n", strings.ToUpper(string(v)), plural(len(ids), "case"), plural(len(groups), "distinct finding"))
		for _, g := range groups {
			fmt.Fprintf(w, "  %s\n", terminalLine(g.headline()))
			for _, c := range picked[k] {
				caseInFull(w, c)
			}
			k++
		}
	}
	if left := len(total) - shown; left > 0 {
		where := "run with --report-dir DIR for report.html, which has every case in full"
		if opt.ReportDir != "" {
			where = "every case is in full in " + filepath.Join(opt.ReportDir, "report.html")
		}
		fmt.Fprintf(w, "\n%s with failures or warnings not printed in full (at most %d per finding, %d in all: --max-failures; 0 prints all); %s\n",
			plural(left, "more case"), perGroupInFull, opt.MaxFailures, terminalLine(where))
	}
}

// headline is a group in one line: "REQ-HTTP-01 (MUST) status: expected
// status 202; got status 200 … — 116 cases: a, b, c … (+113 more)".
func (g *findingGroup) headline() string {
	what := g.Message
	if g.Requirement != "" {
		what = fmt.Sprintf("%s (%s) %s: expected %s; got %s", g.Requirement, g.Level, g.Layer, g.Expected, g.seen())
	}
	return fmt.Sprintf("%s — %s: %s", untrusted.Cut(what, untrusted.SummaryLineBytes/2, len(what)),
		plural(len(g.Cases), "case"), caseList(g.Cases, 3, func(s string) string { return s }))
}

// caseInFull writes one case: its ID, title and file, each of its messages
// once, and the curl command that reproduces its first finding.
func caseInFull(w io.Writer, c result.CaseResult) {
	fmt.Fprintf(w, "    %s  %s  [%s]\n", terminalLine(c.ID), terminalLine(c.Title), terminalLine(c.File))
	var printed []string
	for _, m := range c.Messages {
		if slices.Contains(printed, m) {
			continue
		}
		if len(printed) == untrusted.SummaryLinesPerCase {
			fmt.Fprintf(w, "      - … %d more (see the report)\n", len(c.Messages)-len(printed))
			break
		}
		printed = append(printed, m)
		fmt.Fprintf(w, "      - %s\n", terminalLine(m))
	}
	if curl := failingCurl(c); curl != "" {
		fmt.Fprintf(w, "      reproduce: %s\n", untrusted.Cut(untrusted.Line(curl), summaryCurlBytes, len(curl)))
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// errorGroups lists the cases the suite could not judge, with identical
// reasons collapsed into one line and a count: a target that went away
// mid-run says so once, not once per case.
// skipReasons counts the cases skipped because they could not apply (not
// those the filter left out), by reason: a case file that asks for what the
// harness cannot make says so here, not only in the reports.
func skipReasons(w io.Writer, r *result.Report) {
	counts := map[string]int{}
	var order []string
	for _, c := range r.Cases {
		if c.Verdict != result.Skip || c.FilteredOut {
			continue
		}
		reason := "(no reason given)"
		if len(c.Messages) > 0 {
			reason = c.Messages[0]
		}
		if counts[reason] == 0 {
			order = append(order, reason)
		}
		counts[reason]++
	}
	if len(order) == 0 {
		return
	}
	slices.SortStableFunc(order, func(a, b string) int { return counts[b] - counts[a] })
	fmt.Fprintf(w, "\nSKIPPED (could not apply), by reason:\n")
	for i, reason := range order {
		if i == maxSkipReasons {
			fmt.Fprintf(w, "  … %d more reasons (see the report)\n", len(order)-i)
			break
		}
		fmt.Fprintf(w, "  %d × %s\n", counts[reason], terminalLine(reason))
	}
}

// maxSkipReasons bounds the skip reasons the summary lists.
const maxSkipReasons = 10

func errorGroups(w io.Writer, r *result.Report) {
	type group struct {
		reason string
		ids    []string
	}
	var groups []*group
	index := map[string]*group{}
	for _, c := range r.Cases {
		if c.Verdict != result.Error {
			continue
		}
		reason := "(no reason given)"
		if len(c.Messages) > 0 {
			reason = c.Messages[0]
		}
		g := index[reason]
		if g == nil {
			g = &group{reason: reason}
			index[reason] = g
			groups = append(groups, g)
		}
		g.ids = append(g.ids, c.ID)
	}
	if len(groups) == 0 {
		return
	}
	fmt.Fprintf(w, "\nERROR (the suite could not judge):\n")
	for _, g := range groups {
		if len(g.ids) == 1 {
			fmt.Fprintf(w, "  %s: %s\n", terminalLine(g.ids[0]), terminalLine(g.reason))
			continue
		}
		shown := g.ids
		more := ""
		if len(shown) > 5 {
			shown, more = shown[:5], fmt.Sprintf(", … %d more", len(g.ids)-5)
		}
		fmt.Fprintf(w, "  %d cases: %s\n    (%s%s)\n", len(g.ids), terminalLine(g.reason), terminalLine(strings.Join(shown, ", ")), more)
	}
}

// failingCurl is the curl command of the step that produced the first finding.
func failingCurl(c result.CaseResult) string {
	step := 1
	if len(c.Findings) > 0 {
		step = c.Findings[0].Step
	}
	for _, e := range c.Evidence {
		if e.Step == step && isAPIExchange(e) {
			return e.Curl
		}
	}
	return ""
}

// terminalLine is text as one line on a terminal: control characters
// escaped (a target's ANSI escapes never reach it), at most
// untrusted.SummaryLineBytes.
func terminalLine(s string) string {
	return untrusted.Cut(untrusted.Line(s), untrusted.SummaryLineBytes, len(s))
}

// summaryCurlBytes bounds the reproduce line: long enough for a curl
// command with a small body; a longer one is whole in the reports.
const summaryCurlBytes = 4 << 10
