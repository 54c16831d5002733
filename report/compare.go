package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/drsconform/drsconform/conformance"
	"github.com/drsconform/drsconform/internal/untrusted"
	"github.com/drsconform/drsconform/result"
)

// The comparison of several runs (drsconform compare; README.md, "Comparing
// implementations"): where implementations of the same API diverge, since a
// divergence is where the API page is ambiguous. It renders what the reports
// hold and judges nothing: every verdict and every choice in it is one that
// a run recorded.
//
// Every string of a report came from a possibly hostile target or file: the
// comparison bounds it and makes it inert (internal/untrusted) when it is
// read, and each format escapes it again for its own syntax.

// The files compare writes, in the order written.
const (
	CompareHTMLFile = "compare.html"
	CompareMDFile   = "compare.md"
	CompareJSONFile = "compare.json"
)

// Cell values beside the verdicts of result: a requirement outside a partial
// run's selection, and one the report does not have at all (a report of a
// suite with another catalogue).
const (
	CellNotSelected = "not-selected"
	CellAbsent      = "absent"
)

// Bounds on the text a comparison takes from a report.
const (
	compareNameRunes = 60
	compareTextRunes = 2000
	compareIDRunes   = 120
)

// CompareInput is one run to compare, as read from disk.
type CompareInput struct {
	Path string // as given on the command line
	// Name is the label asked for (--name LABEL=PATH); "" names the input
	// after its target.
	Name string
	// Bundle: Path is a results bundle directory (report.json with
	// manifest.json); otherwise a report.json file.
	Bundle bool
	// Verified: the bundle passed VerifyBundleWith, the check of
	// `drsconform verify-bundle`. False for a report.json file, and for a
	// bundle that did not verify and was read with --no-verify.
	Verified bool
	// Mismatches counts the files of a bundle read with --no-verify that
	// did not verify (0 when it verified).
	Mismatches int
	Report     *result.Report
}

// ErrBundleUnverified is wrapped when a bundle does not verify.
var ErrBundleUnverified = errors.New("the results bundle does not verify")

// ReadCompareInput reads path: a results bundle directory, verified first
// with opt (the check of `drsconform verify-bundle`), or a report.json file.
// A bundle that does not verify is an error that names it and wraps
// ErrBundleUnverified and the mismatches; with noVerify it is read anyway,
// and Mismatches says why it did not verify.
func ReadCompareInput(p string, opt VerifyOptions, noVerify bool) (CompareInput, error) {
	in := CompareInput{Path: p}
	st, err := os.Stat(p)
	if err != nil {
		return in, err
	}
	file := p
	if st.IsDir() {
		in.Bundle = true
		if _, err := os.Stat(filepath.Join(p, ManifestFile)); errors.Is(err, fs.ErrNotExist) {
			return in, fmt.Errorf("%s: %w", p, ErrNoBundle)
		}
		err := VerifyBundleWith(p, opt)
		var ms BundleMismatches
		switch {
		case err == nil:
			in.Verified = true
		case errors.As(err, &ms) && noVerify:
			in.Mismatches = len(ms)
		case errors.As(err, &ms):
			lines := make([]string, len(ms))
			for i, m := range ms {
				lines[i] = "  " + m.Error()
			}
			return in, fmt.Errorf("%s: %w (compare it anyway with --no-verify):\n%s", p, ErrBundleUnverified, strings.Join(lines, "\n"))
		default:
			return in, fmt.Errorf("%s: %w", p, err)
		}
		file = filepath.Join(p, "report.json")
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return in, err
	}
	if in.Report, err = ReadJSON(bytes.NewReader(raw)); err != nil {
		return in, fmt.Errorf("%s: not a report.json: %w", file, err)
	}
	return in, nil
}

// Comparison is compare.json: what every format of the comparison shows.
type Comparison struct {
	Format int `json:"format"` // 1
	// NoVerify: --no-verify was given; a bundle that did not verify says so
	// in its verification.
	NoVerify        bool            `json:"no_verify"`
	Implementations []CompareImpl   `json:"implementations"`
	Warnings        []string        `json:"warnings"`
	Differing       int             `json:"requirements_differing"`
	Requirements    []CompareRow    `json:"requirements"` // the rows that differ first, then catalogue order
	Profile         []CompareRow    `json:"profile_decisions"`
	Cases           []CompareCase   `json:"cases"` // every case some implementation failed, warned or errored
	Legend          []CompareLegend `json:"legend"`
}

// CompareImpl is one input: its name and what it was judged with.
type CompareImpl struct {
	Name   string `json:"name"`
	Source string `json:"source"` // the path given
	Kind   string `json:"kind"`   // bundle or report.json
	// Verification says whether the bundle was verified (the check of
	// `drsconform verify-bundle`), or why not.
	Verification string `json:"verification"`
	Target       string `json:"target"`
	SuiteVersion string `json:"suite_version"`
	SpecSHA256   string `json:"spec_sha256"`
	// CatalogueSHA256 is the SHA-256 of the requirement rows the report
	// holds (ID, level, sentence, source): the catalogue it was judged with.
	CatalogueSHA256 string `json:"catalogue_sha256"`
	// CasesSHA256 is the SHA-256 of the case files the run loaded (their
	// paths and digests), "" when the report lists none.
	CasesSHA256 string `json:"cases_sha256,omitempty"`
	Verdict     string `json:"verdict"`
	Complete    bool   `json:"complete"`
	Scope       string `json:"scope,omitempty"` // "partial run: …"
	StartedAt   string `json:"started_at"`
}

// CompareRow is one requirement across the implementations.
type CompareRow struct {
	ID       string `json:"id"`
	Level    string `json:"level"`
	Sentence string `json:"sentence"`
	// Reason is, for a profile decision, why the suite decided where the
	// pages are silent.
	Reason string `json:"reason,omitempty"`
	// Allowed are the outcomes the catalogue allows, for a requirement
	// that leaves a choice.
	Allowed []string `json:"allowed,omitempty"`
	// Differs: the implementations that were judged on it have different
	// verdicts, or were each seen to choose and chose differently.
	Differs bool          `json:"differs"`
	Cells   []CompareCell `json:"cells"` // one per implementation, in their order
}

// CompareCell is one implementation's result for a requirement.
type CompareCell struct {
	// Verdict is the requirement's verdict in that run (pass, fail, warn,
	// error, untested), or not-selected, or absent.
	Verdict string   `json:"verdict"`
	Chose   []string `json:"chose,omitempty"` // the allowed outcomes it was seen to choose
}

// NoChoiceSeen: the requirement leaves a choice and the implementation was
// judged on it, but no case saw which outcome it chose.
func (c CompareCell) NoChoiceSeen(row CompareRow) bool {
	return len(row.Allowed) > 0 && len(c.Chose) == 0 && judged(c)
}

// CompareCase is a case that some implementation failed, warned or errored.
type CompareCase struct {
	ID    string            `json:"id"`
	Title string            `json:"title"`
	Cells []CompareCaseCell `json:"cells"`
}

// CompareCaseCell is one implementation's verdict of a case, with a link to
// its evidence: for a bundle, its report.html at the case's section,
// relative to the comparison's directory.
type CompareCaseCell struct {
	Verdict string `json:"verdict"` // a case verdict, or not-selected, or absent
	Link    string `json:"link,omitempty"`
}

// CompareLegend says what a cell value means.
type CompareLegend struct {
	Value   string `json:"value"`
	Meaning string `json:"meaning"`
}

// CompareOptions tunes Compare.
type CompareOptions struct {
	// OutDir is where the comparison is written: evidence links are
	// relative to it.
	OutDir string
	// NoVerify: bundles that do not verify were read anyway (--no-verify);
	// the comparison says so.
	NoVerify bool
}

var safeCaseID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$`)

// Compare builds the comparison of two or more inputs. It returns an error
// for fewer than two.
func Compare(inputs []CompareInput, opt CompareOptions) (*Comparison, error) {
	if len(inputs) < 2 {
		return nil, fmt.Errorf("compare needs two or more results, got %d", len(inputs))
	}
	cat, err := conformance.Requirements()
	if err != nil {
		return nil, err
	}
	cmp := &Comparison{Format: 1, NoVerify: opt.NoVerify, Warnings: []string{}, Requirements: []CompareRow{}, Profile: []CompareRow{}, Cases: []CompareCase{},
		Legend: compareLegend()}
	for i, name := range names(inputs) {
		cmp.Implementations = append(cmp.Implementations, describeImpl(inputs[i], name))
	}
	cmp.Warnings = compareWarnings(inputs, cmp.Implementations)

	// The requirements: the rows of the first report in its (catalogue)
	// order, then any the others add.
	var order []string
	first := map[string]result.RequirementResult{}
	for _, in := range inputs {
		for _, rr := range in.Report.Requirements {
			id := clean(rr.ID, compareIDRunes)
			if _, ok := first[id]; !ok {
				first[id] = rr
				order = append(order, id)
			}
		}
	}
	var same []CompareRow
	for _, id := range order {
		rr := first[id]
		row := CompareRow{ID: id, Level: clean(string(rr.Level), 20), Sentence: clean(rr.Sentence, compareTextRunes)}
		if reason, ok := strings.CutPrefix(rr.Source, "profile decision: "); ok {
			row.Reason = clean(reason, compareTextRunes)
		}
		if req, ok := cat.Get(id); ok {
			row.Allowed = slices.Clone(req.Choices)
		}
		for _, in := range inputs {
			row.Cells = append(row.Cells, requirementCell(in.Report, id))
		}
		row.Differs = differs(row.Cells)
		if row.Differs {
			cmp.Requirements = append(cmp.Requirements, row)
			cmp.Differing++
		} else {
			same = append(same, row)
		}
		if row.Reason != "" {
			cmp.Profile = append(cmp.Profile, row)
		}
	}
	cmp.Requirements = append(cmp.Requirements, same...)
	cmp.Cases = compareCases(inputs, opt)
	return cmp, nil
}

// names are the inputs' names: the label asked for, or the host (and path)
// of the target, or the file name; bounded, inert, and made unique with a
// number.
func names(inputs []CompareInput) []string {
	out := make([]string, len(inputs))
	seen := map[string]int{}
	for i, in := range inputs {
		n := in.Name
		if n == "" {
			n = targetName(in.Report.Target)
		}
		if n == "" {
			n = filepath.Base(in.Path)
		}
		n = clean(n, compareNameRunes)
		base := n
		for k := 2; seen[n] > 0; k++ {
			n = fmt.Sprintf("%s (%d)", base, k)
		}
		seen[n]++
		out[i] = n
	}
	return out
}

// targetName is host[:port][/path] of a target URL, without its user
// information (a password never becomes a name).
func targetName(target string) string {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Host + strings.TrimRight(u.EscapedPath(), "/")
}

func describeImpl(in CompareInput, name string) CompareImpl {
	r := in.Report
	impl := CompareImpl{Name: name, Source: clean(in.Path, compareTextRunes), Kind: "report.json",
		Target: clean(redactedTarget(r.Target), compareTextRunes), SuiteVersion: clean(r.SuiteVersion, 80),
		SpecSHA256: clean(r.SpecSHA256, 80), CatalogueSHA256: catalogueDigest(r), CasesSHA256: casesDigest(r),
		Verdict: clean(string(r.Verdict), 20), Complete: r.Complete, Scope: clean(r.Selection.Describe(), compareTextRunes),
		StartedAt: r.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC")}
	switch {
	case in.Bundle && in.Verified:
		impl.Kind, impl.Verification = "bundle", "verified (the check of drsconform verify-bundle)"
	case in.Bundle:
		impl.Kind, impl.Verification = "bundle", fmt.Sprintf("does NOT verify (%s mismatched; compared anyway: --no-verify)", plural(in.Mismatches, "file"))
	default:
		impl.Verification = "no manifest to verify"
	}
	return impl
}

// redactedTarget is the target URL without a password: whatever stands
// between "scheme://" and an "@" before the path is replaced.
func redactedTarget(target string) string {
	return userInfo.ReplaceAllString(target, "${1}REDACTED@")
}

var userInfo = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@`)

// catalogueDigest is the SHA-256 of the requirement rows of a report: what
// the run was judged against, as the report records it.
func catalogueDigest(r *result.Report) string {
	h := sha256.New()
	for _, rr := range r.Requirements {
		fmt.Fprintf(h, "%q %q %q %q\n", rr.ID, rr.Level, rr.Sentence, rr.Source)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// casesDigest is the SHA-256 of the case files a run loaded, "" for none.
func casesDigest(r *result.Report) string {
	if len(r.CaseFiles) == 0 {
		return ""
	}
	files := slices.Clone(r.CaseFiles)
	slices.SortFunc(files, func(a, b result.CaseFile) int { return strings.Compare(a.Path, b.Path) })
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%q %q\n", filepath.ToSlash(f.Path), f.SHA256)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// compareWarnings says what makes the rows of the inputs not comparable one
// to one, and what the comparison could not check.
func compareWarnings(inputs []CompareInput, impls []CompareImpl) []string {
	out := []string{}
	for _, f := range []struct {
		what   string
		digest bool
		get    func(CompareImpl) string
	}{
		{"suite versions", false, func(i CompareImpl) string { return i.SuiteVersion }},
		{"specs (spec_sha256, the OpenAPI document)", true, func(i CompareImpl) string { return i.SpecSHA256 }},
		{"requirement catalogues", true, func(i CompareImpl) string { return i.CatalogueSHA256 }},
		{"case files", true, func(i CompareImpl) string { return i.CasesSHA256 }},
	} {
		var list []string
		distinct := map[string]bool{}
		for _, impl := range impls {
			v := f.get(impl)
			distinct[v] = true
			if f.digest {
				v = short(v)
			}
			list = append(list, impl.Name+": "+v)
		}
		if len(distinct) > 1 {
			out = append(out, fmt.Sprintf("WARNING: the results come from different %s (%s): results of different suites or specs are not comparable row by row",
				f.what, strings.Join(list, "; ")))
		}
	}
	for i, in := range inputs {
		if in.Report.Selection != nil && in.Report.Selection.Partial {
			out = append(out, fmt.Sprintf("%s is a partial run: a requirement outside its selection shows %s, which says nothing about the implementation",
				impls[i].Name, CellNotSelected))
		}
		if in.Bundle && !in.Verified {
			out = append(out, fmt.Sprintf("WARNING: %s (%s) does not verify (--no-verify compared it anyway): its files were edited, or written by another suite version; run drsconform verify-bundle on it to see which",
				impls[i].Name, impls[i].Source))
		}
	}
	return out
}

// short is a digest cut to 12 characters for people; compare.json keeps
// it whole.
func short(digest string) string {
	if digest == "" {
		return "(none)"
	}
	if r := []rune(digest); len(r) > 12 {
		return string(r[:12])
	}
	return digest
}

// requirementCell is what a report says about a requirement.
func requirementCell(r *result.Report, id string) CompareCell {
	if sel := r.Selection; sel != nil && sel.Partial && !slices.Contains(sel.Requirements, id) {
		return CompareCell{Verdict: CellNotSelected}
	}
	for _, rr := range r.Requirements {
		if clean(rr.ID, compareIDRunes) != id {
			continue
		}
		cell := CompareCell{Verdict: clean(string(rr.Verdict), 20)}
		for _, ch := range rr.Choices {
			cell.Chose = append(cell.Chose, clean(ch, compareIDRunes))
		}
		slices.Sort(cell.Chose)
		cell.Chose = slices.Compact(cell.Chose)
		return cell
	}
	return CompareCell{Verdict: CellAbsent}
}

// judged is whether a cell holds a judgement of the implementation.
func judged(c CompareCell) bool {
	switch result.Verdict(c.Verdict) {
	case result.Pass, result.Fail, result.Warn:
		return true
	}
	return false
}

// differs: among the implementations judged on the requirement, two have
// different verdicts, or were both seen to choose and chose differently.
// Not selected, untested, errored or absent is not a divergence of the
// implementations, and neither is a choice that one run did not see (its
// cases of the choice failed, or were not selected).
func differs(cells []CompareCell) bool {
	for i := range cells {
		for j := i + 1; j < len(cells); j++ {
			c, ref := cells[i], cells[j]
			if !judged(c) || !judged(ref) {
				continue
			}
			if c.Verdict != ref.Verdict || len(c.Chose) > 0 && len(ref.Chose) > 0 && !slices.Equal(c.Chose, ref.Chose) {
				return true
			}
		}
	}
	return false
}

// compareCases lists every case some implementation failed, warned or
// errored, with every implementation's verdict of it, in the order of the
// first report that has it.
func compareCases(inputs []CompareInput, opt CompareOptions) []CompareCase {
	byID := make([]map[string]result.CaseResult, len(inputs))
	var order []string
	titles := map[string]string{}
	for i, in := range inputs {
		byID[i] = map[string]result.CaseResult{}
		for _, c := range in.Report.Cases {
			id := clean(c.ID, compareIDRunes)
			if _, ok := titles[id]; !ok {
				titles[id] = clean(c.Title, compareTextRunes)
				order = append(order, id)
			}
			byID[i][id] = c
		}
	}
	out := []CompareCase{}
	for _, id := range order {
		cc := CompareCase{ID: id, Title: titles[id]}
		bad := false
		for i, in := range inputs {
			c, ok := byID[i][id]
			cell := CompareCaseCell{Verdict: CellAbsent}
			switch {
			case !ok:
			case c.Verdict == result.Skip && c.FilteredOut:
				cell.Verdict = CellNotSelected
			default:
				cell.Verdict = clean(string(c.Verdict), 20)
			}
			switch result.Verdict(cell.Verdict) {
			case result.Fail, result.Warn, result.Error:
				bad = true
				if in.Bundle {
					cell.Link = evidenceLink(opt.OutDir, in.Path, c.ID)
				}
			}
			cc.Cells = append(cc.Cells, cell)
		}
		if bad {
			out = append(out, cc)
		}
	}
	return out
}

// evidenceLink is the relative link from the comparison's directory to a
// bundle's report.html at a case's section (report.html names it
// "case-<ID>" for every failed, warned or errored case), or "" when there
// is none to make: a case ID that is not a plain name gets no link.
func evidenceLink(outDir, bundle, caseID string) string {
	if !safeCaseID.MatchString(caseID) {
		return ""
	}
	from, err := filepath.Abs(outDir)
	if err != nil {
		return ""
	}
	to, err := filepath.Abs(bundle)
	if err != nil {
		return ""
	}
	rel, err := filepath.Rel(from, to)
	if err != nil {
		return ""
	}
	var segs []string
	for _, s := range strings.Split(filepath.ToSlash(rel), "/") {
		segs = append(segs, url.PathEscape(s))
	}
	return path.Join(append(segs, "report.html")...) + "#case-" + caseID
}

func compareLegend() []CompareLegend {
	return []CompareLegend{
		{"pass", "judged, and every case of the requirement passed"},
		{"fail", "a case broke the requirement (a MUST, or an answer outside every outcome allowed)"},
		{"warn", "a case broke the requirement, a SHOULD"},
		{"error", "the suite could not judge a case of it; never a pass"},
		{"untested", "selected, but no case of it ran: never a pass"},
		{CellNotSelected, "outside the selection of a partial run: nothing is known, never a pass"},
		{CellAbsent, "the report has no such requirement or case (another catalogue or case set)"},
		{"chose", "the outcome the implementation was seen to choose where the catalogue allows several"},
		{"no outcome seen", "judged, but no case recorded which allowed outcome it chose (no case records that choice, or the cases that do failed or were not selected)"},
	}
}

// clean makes a string from a report inert (internal/untrusted) and bounds
// it to max runes.
func clean(s string, max int) string {
	s = untrusted.Line(s)
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max-1]) + "…"
}
