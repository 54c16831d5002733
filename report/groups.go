package report

import (
	"slices"
	"strconv"
	"strings"

	"github.com/drsconform/drsconform/result"
)

// DefaultMaxFailures is how many failed or warned cases the terminal summary
// and report.md show in full by default; the others are named in their
// finding's group, and report.html has every one in full.
const DefaultMaxFailures = 10

// perGroupInFull is how many cases of one group are shown in full (unless
// every case is): enough to compare, few enough that one fault does not
// crowd out the others.
const perGroupInFull = 3

// findingGroup is one fault seen in one or more cases: the findings that
// are "the same" (sameFinding) with the cases that have them, each case
// once, in report order. A case of the verdict without such a finding (its
// findings were trimmed, or it has messages only) is grouped by its first
// message.
type findingGroup struct {
	Verdict     result.Verdict
	Requirement string // "" for a group by message
	Level       string
	Layer       result.Layer
	Expected    string
	Got         string // what the first case got
	Message     string // for a group by message: the message
	Shape       string // Got without what is specific to a case (gotShape)
	Varies      bool   // the cases did not all get exactly Got
	Cases       []string
	cases       []result.CaseResult
}

// groupKey is what makes two findings the same fault: the same
// requirement, verdict, layer (the check) and expected text, and the same
// shape of what was seen (gotShape). It leaves out the step and the
// pointer: a fault at step 2 of one case and step 1 of another, or at
// results/0 and results/1, is still one fault.
type groupKey struct {
	verdict     result.Verdict
	requirement string
	layer       result.Layer
	expected    string
	shape       string
	message     string
}

// gotShape is a finding's got text without what differs from case to case:
// the text up to the first value the target sent, which starts with a
// quote, a brace, a bracket or an angle bracket (a quoted string, a JSON
// body, markup) and carries job IDs, counts and messages of the one case.
// "status 200 {"count":1,…}" has the shape "status 200"; `error_code
// "DRS.M00301"` has the shape "error_code". Simple on purpose: a status, a
// header name, a field name stays in the shape; what a case sent back does
// not, so one wrong status in a hundred cases is one group, and two wrong
// statuses are two.
func gotShape(got string) string {
	if i := strings.IndexAny(got, "\"{[<"); i >= 0 {
		got = got[:i]
	}
	return strings.TrimSpace(got)
}

// groupsOf gathers the findings of verdict v (fail or warn, whatever the
// verdict of their case) and the cases of verdict v without any into
// groups, the largest first.
func groupsOf(r *result.Report, v result.Verdict) []*findingGroup {
	var groups []*findingGroup
	index := map[groupKey]*findingGroup{}
	add := func(key groupKey, c result.CaseResult, fill func(g *findingGroup), got string) {
		g := index[key]
		if g == nil {
			g = &findingGroup{Verdict: v, Got: got, Shape: key.shape}
			fill(g)
			index[key] = g
			groups = append(groups, g)
		} else if got != g.Got {
			g.Varies = true
		}
		if !slices.Contains(g.Cases, c.ID) {
			g.Cases = append(g.Cases, c.ID)
			g.cases = append(g.cases, c)
		}
	}
	for _, c := range r.Cases {
		found := false
		for _, f := range c.Findings {
			if f.Verdict != v {
				continue
			}
			found = true
			key := groupKey{verdict: v, requirement: f.Requirement, layer: f.Layer, expected: f.Expected, shape: gotShape(f.Got)}
			add(key, c, func(g *findingGroup) {
				g.Requirement, g.Level, g.Layer, g.Expected = f.Requirement, f.Level, f.Layer, f.Expected
			}, f.Got)
		}
		if !found && c.Verdict == v {
			msg := firstMessage(c, string(v)+": (no message)")
			add(groupKey{verdict: v, message: msg}, c, func(g *findingGroup) { g.Message = msg }, "")
		}
	}
	// The largest first: the fault that most cases share is the one to fix
	// first. Ties keep the order of their first case.
	slices.SortStableFunc(groups, func(a, b *findingGroup) int { return len(b.Cases) - len(a.Cases) })
	return groups
}

// seen is what the group's cases got, for a headline: the got text when all
// got the same, else its shape followed by "…".
func (g *findingGroup) seen() string {
	switch {
	case !g.Varies:
		return g.Got
	case g.Shape != "":
		return g.Shape + " …"
	}
	return "… (differs from case to case)"
}

// inFull picks the cases shown in full, at most max of them (0: all): the
// first case of every group before the second of any, and at most
// perGroupInFull of a group; a case once. It returns, per group, the cases
// picked for it, and how many were picked.
func inFull(groups []*findingGroup, max int) (picked [][]result.CaseResult, n int) {
	picked = make([][]result.CaseResult, len(groups))
	taken := map[string]bool{}
	next := make([]int, len(groups)) // per group, its next case to look at
	for round := 0; max == 0 || round < perGroupInFull; round++ {
		progress := false
		for i, g := range groups {
			if max > 0 && n >= max {
				return picked, n
			}
			for next[i] < len(g.cases) && taken[g.cases[next[i]].ID] {
				next[i]++
			}
			if next[i] == len(g.cases) {
				continue
			}
			c := g.cases[next[i]]
			taken[c.ID] = true
			picked[i] = append(picked[i], c)
			n++
			progress = true
		}
		if !progress {
			break
		}
	}
	return picked, n
}

// caseList is up to show case IDs, then how many more: "a, b, c … (+113 more)".
func caseList(ids []string, show int, quote func(string) string) string {
	shown := ids
	if len(shown) > show {
		shown = shown[:show]
	}
	q := make([]string, len(shown))
	for i, id := range shown {
		q[i] = quote(id)
	}
	s := strings.Join(q, ", ")
	if more := len(ids) - len(shown); more > 0 {
		s += " … (+" + strconv.Itoa(more) + " more)"
	}
	return s
}
