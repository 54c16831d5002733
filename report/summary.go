package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/drsconform/drsconform/internal/untrusted"
	"github.com/drsconform/drsconform/runner"
)

// Summary writes the end-of-run summary for a terminal: counts per verdict,
// then every failure, warning and error with its requirement, what was
// expected and what was seen.
func Summary(w io.Writer, r *runner.Report) {
	r = sanitize(r)
	s := r.Summary
	fmt.Fprintf(w, "\ndrsconform %s against %s\n", r.SuiteVersion, terminalLine(r.Target))
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
	counts := map[runner.Verdict]int{}
	for _, req := range r.Requirements {
		counts[req.Verdict]++
	}
	fmt.Fprintf(w, "requirements: %d pass, %d fail, %d warn, %d error, %d untested (of %d)\n",
		counts[runner.Pass], counts[runner.Fail], counts[runner.Warn], counts[runner.Error], counts[runner.Untested], len(r.Requirements))
	for _, req := range r.Requirements {
		if len(req.Choices) > 0 {
			fmt.Fprintf(w, "  %s (%s): the target chose %s\n", req.ID, req.Level, strings.Join(req.Choices, ", "))
		}
	}
	for _, v := range []runner.Verdict{runner.Fail, runner.Warn} {
		first := true
		for _, c := range r.Cases {
			if c.Verdict != v {
				continue
			}
			if first {
				fmt.Fprintf(w, "\n%s:\n", strings.ToUpper(string(v)))
				first = false
			}
			fmt.Fprintf(w, "  %s  %s  [%s]\n", terminalLine(c.ID), terminalLine(c.Title), terminalLine(c.File))
			for i, m := range c.Messages {
				if i == untrusted.SummaryLinesPerCase {
					fmt.Fprintf(w, "    - … %d more (see the report)\n", len(c.Messages)-i)
					break
				}
				fmt.Fprintf(w, "    - %s\n", terminalLine(m))
			}
			if curl := failingCurl(c); curl != "" {
				fmt.Fprintf(w, "    reproduce: %s\n", untrusted.Cut(untrusted.Line(curl), summaryCurlBytes, len(curl)))
			}
		}
	}
	errorGroups(w, r)
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

// errorGroups lists the cases the suite could not judge, with identical
// reasons collapsed into one line and a count: a target that went away
// mid-run says so once, not once per case.
func errorGroups(w io.Writer, r *runner.Report) {
	type group struct {
		reason string
		ids    []string
	}
	var groups []*group
	index := map[string]*group{}
	for _, c := range r.Cases {
		if c.Verdict != runner.Error {
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
func failingCurl(c runner.CaseResult) string {
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
