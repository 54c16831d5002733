package runner

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/conformance"
	"github.com/drsconform/drsconform/internal/suggest"
	"github.com/drsconform/drsconform/result"
)

// Filter selects cases. A case must carry one of Tags (if any; a theme counts
// as a tag), none of ExcludeTags, test one of Requirements (if any) and match
// one of the globs of Match (if any); with Safe, it must also be tagged
// cases.SafeTag.
type Filter struct {
	Tags         []string
	ExcludeTags  []string
	Requirements []string
	Match        []string // globs over case IDs (path.Match syntax)
	// Safe (run --safe) plays only cases that never act on an existing task
	// (README.md, "Safe against production: run --safe"): those tagged safe,
	// each checked again here with cases.SafeProblems, so that an unlinted
	// case file cannot slip one through. The run then asks nothing of the
	// fixture harness (preflight), plays generated batches of unknown IDs
	// only (generate.go) and no concurrent groups (linear.go).
	Safe bool
}

// Narrowed reports whether the filter leaves anything out on purpose: such a
// run is a partial run, judged on what it selected.
func (f Filter) Narrowed() bool {
	return len(f.Tags)+len(f.ExcludeTags)+len(f.Requirements)+len(f.Match) > 0 || f.Safe
}

// skipReason says why f leaves c out, or "" when c is in.
func (f Filter) skipReason(c *cases.Case) string {
	if f.Safe && !c.IsSafeTagged() {
		return filteredOutPrefix + " by --safe: not tagged " + cases.SafeTag + " (it makes or names a task)"
	}
	if len(f.Tags) > 0 && !anyIn(caseTags(c), f.Tags) {
		return filteredOutPrefix + ": no tag of --tags " + strings.Join(f.Tags, ",")
	}
	if anyIn(caseTags(c), f.ExcludeTags) {
		return filteredOutPrefix + " by --exclude-tags " + strings.Join(f.ExcludeTags, ",")
	}
	if len(f.Requirements) > 0 && !anyIn(c.Requirements, f.Requirements) {
		return filteredOutPrefix + ": tests none of --requirements " + strings.Join(f.Requirements, ",")
	}
	if len(f.Match) > 0 && !slices.ContainsFunc(f.Match, func(g string) bool { return globMatch(g, c.ID) }) {
		return filteredOutPrefix + ": id matches no glob of --cases-match " + strings.Join(f.Match, ",")
	}
	return ""
}

// filteredOutPrefix starts the message of every case the filter left out.
const filteredOutPrefix = "filtered out"

// caseTags are the tags a filter sees: the case's own and its theme.
func caseTags(c *cases.Case) []string {
	if c.Theme == "" {
		return c.Tags
	}
	return append(slices.Clip(c.Tags), c.Theme)
}

func globMatch(glob, id string) bool {
	ok, _ := path.Match(glob, id)
	return ok
}

// Validate checks the syntax of the filter's globs.
func (f Filter) Validate() error {
	for _, g := range f.Match {
		if _, err := path.Match(g, ""); err != nil {
			return &UsageError{Msg: fmt.Sprintf("--cases-match %q: %v", g, err)}
		}
	}
	return nil
}

// UsageError is a mistake in what the user asked for (exit 2), with hints
// on what would have been valid.
type UsageError struct {
	Msg   string
	Hints []string
}

func (e *UsageError) Error() string {
	if len(e.Hints) == 0 {
		return e.Msg
	}
	return e.Msg + "\n  " + strings.Join(e.Hints, "\n  ")
}

// Select applies f to the cases all. Every term of the filter must name something
// that exists (a tag, theme, requirement ID, or a glob matching some case),
// and together they must select at least one case: a typo never silently
// turns into a run of nothing, or of everything but one tag.
func (f Filter) Select(all []*cases.Case, cat *conformance.Catalogue) ([]*cases.Case, *result.Selection, error) {
	if err := f.Validate(); err != nil {
		return nil, nil, err
	}
	var tags, themes, ids []string
	for _, c := range all {
		for _, t := range c.Tags {
			if !slices.Contains(tags, t) {
				tags = append(tags, t)
			}
		}
		if c.Theme != "" && !slices.Contains(themes, c.Theme) {
			themes = append(themes, c.Theme)
		}
		ids = append(ids, c.ID)
	}
	slices.Sort(tags)
	slices.Sort(themes)
	known := append(slices.Clone(tags), themes...)
	listing := []string{"tags: " + strings.Join(tags, ", "), "themes: " + strings.Join(themes, ", ")}

	for _, term := range []struct {
		flag string
		list []string
	}{{"--tags", f.Tags}, {"--exclude-tags", f.ExcludeTags}} {
		for _, t := range term.list {
			if !slices.ContainsFunc(known, func(k string) bool { return strings.EqualFold(k, t) }) {
				return nil, nil, &UsageError{Msg: fmt.Sprintf("%s %s: no case has this tag or theme", term.flag, t),
					Hints: append(didYouMean(term.flag, t, known), listing...)}
			}
		}
	}
	for _, r := range f.Requirements {
		if _, ok := cat.Get(strings.ToUpper(r)); !ok {
			return nil, nil, &UsageError{Msg: fmt.Sprintf("--requirements %s: not a requirement of the catalogue", r),
				Hints: append(didYouMean("--requirements", r, cat.IDs()), "see: drsconform list --requirements")}
		}
	}
	for _, g := range f.Match {
		if !slices.ContainsFunc(ids, func(id string) bool { return globMatch(g, id) }) {
			return nil, nil, &UsageError{Msg: fmt.Sprintf("--cases-match %s: matches no case ID", g),
				Hints: append(globHints(g, ids), append(listing, "see: drsconform list")...)}
		}
	}

	if f.Safe {
		if err := checkSafe(all); err != nil {
			return nil, nil, err
		}
	}

	f.Requirements = upper(f.Requirements)
	var sel []*cases.Case
	reqs := map[string]bool{}
	for _, c := range all {
		if f.skipReason(c) != "" {
			continue
		}
		sel = append(sel, c)
		for _, r := range c.Requirements {
			if len(f.Requirements) == 0 || slices.Contains(f.Requirements, r) {
				reqs[r] = true
			}
		}
	}
	if len(sel) == 0 {
		return nil, nil, &UsageError{Msg: "the selection matches no case (each filter matches some, together none)", Hints: listing}
	}
	s := &result.Selection{Partial: f.Narrowed(), Safe: f.Safe, Tags: f.Tags, ExcludeTags: f.ExcludeTags, RequirementFilter: f.Requirements,
		CasesMatch: f.Match, CasesSelected: len(sel), CasesTotal: len(all), RequirementsTotal: len(cat.Requirements)}
	for _, id := range cat.IDs() {
		if reqs[id] {
			s.Requirements = append(s.Requirements, id)
		}
	}
	return sel, s, nil
}

// checkSafe refuses a --safe run when a case tagged safe cannot be
// (cases.SafeProblems), or when no case is tagged safe at all.
func checkSafe(all []*cases.Case) error {
	var problems []string
	tagged := 0
	for _, c := range all {
		if !c.IsSafeTagged() {
			continue
		}
		tagged++
		for _, p := range cases.SafeProblems(c) {
			problems = append(problems, fmt.Sprintf("%s:%d: %s is tagged %s but %s", c.File, c.Line, c.ID, cases.SafeTag, p))
		}
	}
	switch {
	case len(problems) > 0:
		return &UsageError{Msg: "--safe: refusing to play cases tagged " + cases.SafeTag + " that are not (drsconform lint says the same)", Hints: problems}
	case tagged == 0:
		return &UsageError{Msg: "--safe: no case is tagged " + cases.SafeTag, Hints: []string{"see: drsconform list --safe, and README.md, \"Safe against production: run --safe\""}}
	}
	return nil
}

func upper(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = strings.ToUpper(s)
	}
	return out
}

// globHints suggests globs close to g that would match: a bare prefix of
// case IDs ("lifecycle" → "lifecycle.*"), a substring, or the nearest prefix.
func globHints(g string, ids []string) []string {
	if strings.ContainsAny(g, "*?[") {
		return nil
	}
	for _, id := range ids {
		if strings.HasPrefix(id, g+".") {
			return []string{fmt.Sprintf("did you mean --cases-match '%s.*'?", g)}
		}
	}
	for _, id := range ids {
		if strings.Contains(id, g) {
			return []string{fmt.Sprintf("did you mean --cases-match '*%s*'?", g)}
		}
	}
	var prefixes []string
	for _, id := range ids {
		for i, r := range id {
			if r == '.' && !slices.Contains(prefixes, id[:i]) {
				prefixes = append(prefixes, id[:i])
			}
		}
	}
	if near := suggest.Nearest(g, prefixes); near != "" {
		return []string{fmt.Sprintf("did you mean --cases-match '%s.*'?", near)}
	}
	return nil
}

func didYouMean(flag, got string, valid []string) []string {
	if near := suggest.Nearest(got, valid); near != "" {
		return []string{fmt.Sprintf("did you mean %s %s?", flag, near)}
	}
	return nil
}

func anyIn(have, want []string) bool {
	for _, w := range want {
		for _, h := range have {
			if strings.EqualFold(h, w) {
				return true
			}
		}
	}
	return false
}
