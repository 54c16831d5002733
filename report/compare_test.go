package report

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/drsconform/drsconform/conformance"
	"github.com/drsconform/drsconform/result"
)

// The inputs are real runs of the suite against the reference
// implementation, written by report/testdata/compare/gen (see its doc):
//
//go:generate go run ./testdata/compare/gen testdata/compare

// compareFiles are the committed runs: the reference by default, the
// reference making the other choices Config offers, a reference that
// answers 500 to unusual languages (a MUST failed), and a partial run.
var compareFiles = []string{"default.json", "rejecting.json", "language500.json", "partial.json", "otherchoices.json"}

// compareInputs reads the first n committed runs (all with n = 0).
func compareInputs(t *testing.T, n int) []CompareInput {
	t.Helper()
	if n == 0 {
		n = len(compareFiles)
	}
	var out []CompareInput
	for _, f := range compareFiles[:n] {
		in, err := ReadCompareInput(filepath.Join("testdata", "compare", f), VerifyOptions{}, false)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, in)
	}
	return out
}

func mustCompare(t *testing.T, inputs []CompareInput, opt CompareOptions) *Comparison {
	t.Helper()
	c, err := Compare(inputs, opt)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// To regenerate the golden files after a deliberate change:
//
//	go test ./report -run TestCompareGolden -update
func TestCompareGolden(t *testing.T) {
	t.Parallel()
	c := mustCompare(t, compareInputs(t, 0), CompareOptions{OutDir: t.TempDir()})
	for _, tc := range []struct {
		golden string
		write  func(io.Writer, *Comparison) error
	}{
		{"compare.md.golden", CompareMarkdown},
		{"compare.json.golden", CompareJSON},
	} {
		var buf bytes.Buffer
		if err := tc.write(&buf, c); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "compare", tc.golden)
		if *update {
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("%s differs; if the change is meant, run go test ./report -run TestCompareGolden -update\n%s",
				path, firstDifference(buf.String(), string(want)))
		}
	}
}

// Rows where the implementations differ come first; a partial run's
// unselected requirements are not-selected, never pass; a run that
// could not judge a requirement never reads as a pass either.
func TestCompareRowsAndPartialRuns(t *testing.T) {
	t.Parallel()
	inputs := compareInputs(t, 0)
	partial := inputs[3].Report
	c := mustCompare(t, inputs, CompareOptions{})
	if c.Differing == 0 {
		t.Fatal("the reference with other choices differs from the default on no requirement")
	}
	for i, row := range c.Requirements {
		if row.Differs != (i < c.Differing) {
			t.Errorf("row %d (%s): differs=%v, but the %d differing rows come first", i, row.ID, row.Differs, c.Differing)
		}
	}
	for _, row := range c.Requirements {
		selected := slices.Contains(partial.Selection.Requirements, row.ID)
		got := row.Cells[3].Verdict
		if !selected && got != CellNotSelected {
			t.Errorf("%s is outside the partial run's selection but shows %q", row.ID, got)
		}
		if selected && got == CellNotSelected {
			t.Errorf("%s is selected in the partial run but shows not-selected", row.ID)
		}
	}
	byID := map[string]CompareRow{}
	for _, row := range c.Requirements {
		byID[row.ID] = row
	}
	if got := byID["REQ-STA-11"]; !got.Differs || !slices.Equal(got.Cells[0].Chose, []string{"result-per-entry"}) ||
		!slices.Equal(got.Cells[1].Chose, []string{"rejected-400"}) {
		t.Errorf("REQ-STA-11: %+v", got)
	}
	if got := byID["REQ-HTTP-04"]; !got.Differs || got.Cells[2].Verdict != "fail" {
		t.Errorf("REQ-HTTP-04: %+v", got)
	}
	if len(c.Cases) != 1 || c.Cases[0].ID != "headers.language-other" || c.Cases[0].Cells[2].Verdict != "fail" ||
		c.Cases[0].Cells[3].Verdict != CellNotSelected {
		t.Errorf("cases: %+v", c.Cases)
	}
	// Every profile decision of the catalogue the runs were judged with,
	// with its reason, and nothing else (the catalogue of this binary may
	// have grown since the runs were made: only the ones both have count).
	cat, err := conformance.Requirements()
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, row := range c.Profile {
		listed[row.ID] = true
		if row.Reason == "" {
			t.Errorf("profile decision %s without its reason", row.ID)
		}
		if req, ok := cat.Get(row.ID); ok && req.Source.Document != "profile" {
			t.Errorf("%s is listed where the spec is silent, but its source is %s", row.ID, req.Source.Document)
		}
	}
	for _, req := range cat.Requirements {
		if req.Source.Document == "profile" && byID[req.ID].ID != "" && !listed[req.ID] {
			t.Errorf("profile decision %s is not listed where the spec is silent", req.ID)
		}
	}
	if len(c.Profile) < 5 {
		t.Errorf("only %d profile decisions listed", len(c.Profile))
	}

	// Untested and errored requirements are not a divergence and not a pass.
	rs := compareInputs(t, 3)
	rs[1].Report.Requirements[0].Verdict = result.Untested
	rs[2].Report.Requirements[0].Verdict = result.Error
	c = mustCompare(t, rs, CompareOptions{})
	for _, row := range c.Requirements {
		if row.ID == rs[0].Report.Requirements[0].ID {
			if row.Differs || row.Cells[1].Verdict != "untested" || row.Cells[2].Verdict != "error" {
				t.Errorf("%s: %+v", row.ID, row)
			}
		}
	}
}

// Results of different suites or specs get a WARNING, in every format;
// the same suite and spec none.
func TestCompareWarnsOnDifferentSuitesAndSpecs(t *testing.T) {
	t.Parallel()
	c := mustCompare(t, compareInputs(t, 2), CompareOptions{})
	for _, w := range c.Warnings {
		if strings.HasPrefix(w, "WARNING") {
			t.Errorf("same suite and spec, but: %s", w)
		}
	}
	for _, tc := range []struct {
		name, want string
		edit       func(r *result.Report)
	}{
		{"suite version", "WARNING: the results come from different suite versions (default.reference.test: 0.1.0-compare-testdata; rejecting.reference.test: 9.9.9)",
			func(r *result.Report) { r.SuiteVersion = "9.9.9" }},
		{"spec", "WARNING: the results come from different specs (spec_sha256, the OpenAPI document) (default.reference.test: 44225bac4344; rejecting.reference.test: ffffffffffff)",
			func(r *result.Report) { r.SpecSHA256 = strings.Repeat("f", 64) }},
		{"catalogue", "WARNING: the results come from different requirement catalogues",
			func(r *result.Report) { r.Requirements[0].Sentence += " (reworded)" }},
		{"case files", "WARNING: the results come from different case files",
			func(r *result.Report) { r.CaseFiles[0].SHA256 = strings.Repeat("0", 64) }},
	} {
		in := compareInputs(t, 2)
		tc.edit(in[1].Report)
		c := mustCompare(t, in, CompareOptions{})
		found := false
		for _, w := range c.Warnings {
			found = found || strings.HasPrefix(w, tc.want)
		}
		if !found {
			t.Errorf("%s: no warning %q in %q", tc.name, tc.want, c.Warnings)
			continue
		}
		var md, page bytes.Buffer
		if err := CompareMarkdown(&md, c); err != nil {
			t.Fatal(err)
		}
		if err := CompareHTML(&page, c); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(md.String(), "> **WARNING**: the results come from different") {
			t.Errorf("%s: compare.md has no warning", tc.name)
		}
		if !strings.Contains(page.String(), `<p class="warning">WARNING: the results come from different`) {
			t.Errorf("%s: compare.html has no warning", tc.name)
		}
	}
}

// compareBundle writes a committed run as a results bundle of this suite
// (its spec and case digests made this binary's, as bundleReport does).
func compareBundle(t *testing.T, dir, file string) string {
	t.Helper()
	in, err := ReadCompareInput(filepath.Join("testdata", "compare", file), VerifyOptions{}, false)
	if err != nil {
		t.Fatal(err)
	}
	r := in.Report
	fresh := bundleReport(t)
	r.SpecSHA256, r.CaseFiles = fresh.SpecSHA256, fresh.CaseFiles
	p := filepath.Join(dir, strings.TrimSuffix(file, ".json"))
	if _, err := WriteDir(p, r); err != nil {
		t.Fatal(err)
	}
	return p
}

// A bundle is verified before it is compared; one that does not verify is
// an error naming it, or with --no-verify a comparison that says so. A
// verified bundle's failed case links to its evidence in its report.html.
func TestCompareVerifiesBundles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good, bad := compareBundle(t, dir, "default.json"), compareBundle(t, dir, "language500.json")
	out := filepath.Join(dir, "out", "cmp")

	var inputs []CompareInput
	for _, p := range []string{good, bad} {
		in, err := ReadCompareInput(p, VerifyOptions{}, false)
		if err != nil {
			t.Fatal(err)
		}
		if !in.Bundle || !in.Verified {
			t.Fatalf("%s: bundle %v, verified %v", p, in.Bundle, in.Verified)
		}
		inputs = append(inputs, in)
	}
	c := mustCompare(t, inputs, CompareOptions{OutDir: out})
	if c.Implementations[0].Verification != "verified (the check of drsconform verify-bundle)" {
		t.Errorf("verification: %q", c.Implementations[0].Verification)
	}
	if len(c.Cases) != 1 || c.Cases[0].Cells[1].Link != "../../language500/report.html#case-headers.language-other" || c.Cases[0].Cells[0].Link != "" {
		t.Fatalf("cases: %+v", c.Cases)
	}
	// The anchor is one report.html has.
	page, err := os.ReadFile(filepath.Join(bad, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), `id="case-headers.language-other"`) {
		t.Error("report.html has no section case-headers.language-other to link to")
	}
	if _, err := WriteComparison(out, c); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(out, CompareMDFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "**fail** ([evidence](<../../language500/report.html#case-headers.language-other>))") {
		t.Error("compare.md does not link the failure to its evidence")
	}

	// Edited: an error that names the bundle and each file.
	if err := os.WriteFile(filepath.Join(bad, "report.md"), []byte("all good\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ReadCompareInput(bad, VerifyOptions{}, false)
	if !errors.Is(err, ErrBundleUnverified) || !strings.HasPrefix(err.Error(), bad+": the results bundle does not verify") ||
		!strings.Contains(err.Error(), "\n  report.md: edited") {
		t.Fatalf("an edited bundle: %v", err)
	}
	in, err := ReadCompareInput(bad, VerifyOptions{}, true)
	if err != nil {
		t.Fatal(err)
	}
	if in.Verified || in.Mismatches == 0 {
		t.Errorf("--no-verify: verified %v, %d mismatches", in.Verified, in.Mismatches)
	}
	c = mustCompare(t, []CompareInput{inputs[0], in}, CompareOptions{OutDir: out, NoVerify: true})
	if !c.NoVerify || !strings.HasPrefix(c.Implementations[1].Verification, "does NOT verify (2 files mismatched") {
		t.Errorf("--no-verify not recorded: %v %q", c.NoVerify, c.Implementations[1].Verification)
	}
	if !slices.ContainsFunc(c.Warnings, func(w string) bool { return strings.HasPrefix(w, "WARNING: language500.reference.test") }) {
		t.Errorf("no warning about the bundle that does not verify: %q", c.Warnings)
	}

	// Another suite version: verify-bundle's check says so.
	_, err = ReadCompareInput(good, VerifyOptions{SuiteVersion: "9.9.9"}, false)
	if !errors.Is(err, ErrBundleUnverified) || !strings.Contains(err.Error(), "written by suite 0.1.0-compare-testdata; this is suite 9.9.9") {
		t.Errorf("a bundle of another version: %v", err)
	}
}

// Everything in a report may come from a hostile target or file: names,
// IDs, sentences and titles are bounded and inert in every format, and no
// link but the evidence links is made.
func TestCompareHostileStringsAreInert(t *testing.T) {
	t.Parallel()
	in := compareInputs(t, 3)
	evil := in[2].Report
	evil.Target = "http://admin:pw-SECRET@evil.test/<script>alert(1)</script>\x1b[31m" + strings.Repeat("A", 500)
	evil.SuiteVersion = "1.0 <img src=x onerror=alert(1)> [link](http://evil.test) |col|"
	in[0].Report.Requirements[0].Sentence = "<script>alert(2)</script> [click](javascript:alert(3)) `x` | y"
	evil.Requirements[0].Choices = []string{"<b>bold</b>", "\u202Eevil"}
	evil.Requirements[1].Verdict = "<script>alert(5)</script>"
	evil.Verdict = "<img src=y>"
	for i := range evil.Cases {
		if evil.Cases[i].Verdict == result.Fail {
			evil.Cases[i].ID = `x"><img src=x>` + "\n# heading"
			evil.Cases[i].Title = "[link](http://evil.test) <iframe>"
		}
	}
	in[1].Name = "<svg onload=alert(4)>\x07" + strings.Repeat("n", 200)
	c := mustCompare(t, in, CompareOptions{OutDir: t.TempDir()})
	for _, impl := range c.Implementations {
		if n := utf8.RuneCountInString(impl.Name); n > compareNameRunes {
			t.Errorf("name of %d runes: %q", n, impl.Name)
		}
	}
	var page, md, js bytes.Buffer
	for _, w := range []struct {
		buf   *bytes.Buffer
		write func(io.Writer, *Comparison) error
	}{{&page, CompareHTML}, {&md, CompareMarkdown}, {&js, CompareJSON}} {
		if err := w.write(w.buf, c); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []string{"<script", "<img", "<svg", "<iframe", "<b>", "\x1b", "\x07", "\u202E", "pw-SECRET"} {
		if strings.Contains(page.String(), s) {
			t.Errorf("compare.html contains %q", s)
		}
		if strings.Contains(md.String(), s) {
			t.Errorf("compare.md contains %q", s)
		}
	}
	for _, s := range []string{"\x1b", "\x07", "\u202E", "pw-SECRET"} {
		if strings.Contains(js.String(), s) {
			t.Errorf("compare.json contains %q", s)
		}
	}
	for _, s := range []string{"[link](", "[click](", "\n# heading"} {
		if strings.Contains(md.String(), s) {
			t.Errorf("compare.md lets a report write %q", s)
		}
	}
	if strings.Contains(page.String(), `href="http`) || strings.Contains(page.String(), `href="javascript`) {
		t.Error("compare.html lets a report make a link")
	}
	if strings.Contains(page.String(), "<a href") {
		t.Error("a case ID that is not a plain name got an evidence link")
	}
	if !strings.Contains(md.String(), `x"&gt;&lt;img src=x&gt;\\n\# heading`) {
		t.Error("compare.md does not list the hostile case ID as text")
	}
	if !strings.Contains(page.String(), "&lt;script&gt;alert(2)&lt;/script&gt;") {
		t.Error("compare.html does not show the hostile sentence as text")
	}
}

// Names: the target's host, or the label asked for; unique.
func TestCompareNames(t *testing.T) {
	t.Parallel()
	in := compareInputs(t, 3)
	in[1].Report.Target = in[0].Report.Target
	in[2].Report.Target = in[0].Report.Target
	in[2].Name = "vendor"
	c := mustCompare(t, in, CompareOptions{})
	var got []string
	for _, impl := range c.Implementations {
		got = append(got, impl.Name)
	}
	if want := []string{"default.reference.test", "default.reference.test (2)", "vendor"}; !slices.Equal(got, want) {
		t.Errorf("names %q, want %q", got, want)
	}
	if _, err := Compare(in[:1], CompareOptions{}); err == nil {
		t.Error("one input compared")
	}
}
