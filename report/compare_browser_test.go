package report

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompareHTMLInChromium opens compare.html from disk in headless
// Chromium, in the harness TestHTMLInChromium uses (openPage,
// browser_test.go), and checks what a spec reviewer relies on: the matrix
// has a row per requirement, the differing rows first; a failed case links
// to its evidence in its bundle's report.html, and the link lands on that
// case's section; the page requests nothing from the network and logs no
// error. A screenshot goes to $DRSCONFORM_ARTIFACTS (or a temporary
// directory). It skips as TestHTMLInChromium does.
func TestCompareHTMLInChromium(t *testing.T) {
	b := openPage(t, "compare")
	dir := b.dir

	// Two bundles and a partial run's report.json.
	var inputs []CompareInput
	for _, p := range []string{compareBundle(t, dir, "default.json"), compareBundle(t, dir, "language500.json")} {
		in, err := ReadCompareInput(p, VerifyOptions{}, false)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, in)
	}
	inputs = append(inputs, compareInputs(t, 0)[3])
	out := filepath.Join(dir, "cmp")
	c := mustCompare(t, inputs, CompareOptions{OutDir: out})
	if _, err := WriteComparison(out, c); err != nil {
		t.Fatal(err)
	}
	pageURL := "file://" + filepath.ToSlash(filepath.Join(out, CompareHTMLFile))

	b.navigate(pageURL)

	// The matrix: a row per requirement, the differing ones first, a
	// column per implementation.
	var matrix struct {
		Rows    []string
		Columns int
		Styled  bool
	}
	b.eval(`(() => { const rows = Array.from(document.querySelectorAll("#matrix-table tbody tr"));
		return { Rows: rows.map(r => r.dataset.differs + " " + r.id),
			Columns: document.querySelectorAll("#matrix-table thead th").length,
			Styled: getComputedStyle(document.querySelector(".badge")).borderRadius !== "0px" }; })()`, &matrix)
	if len(matrix.Rows) != len(c.Requirements) {
		t.Errorf("the matrix shows %d rows, want %d", len(matrix.Rows), len(c.Requirements))
	}
	for i, row := range matrix.Rows {
		want := fmt.Sprintf("%v row-%s", c.Requirements[i].Differs, c.Requirements[i].ID)
		if row != want {
			t.Errorf("matrix row %d: %q, want %q", i, row, want)
			break
		}
	}
	if matrix.Columns != 3+len(c.Implementations) {
		t.Errorf("the matrix has %d columns, want %d", matrix.Columns, 3+len(c.Implementations))
	}
	if !matrix.Styled {
		t.Error("the page's style did not apply (CSP hash?)")
	}

	// The failed case links to its evidence; the link lands on it.
	var link string
	b.eval(`(() => { const a = document.querySelector("#case-table a"); return a ? a.href : ""; })()`, &link)
	want := "file://" + filepath.ToSlash(filepath.Join(dir, "language500", "report.html")) + "#case-headers.language-other"
	if link != want {
		t.Fatalf("evidence link %q, want %q", link, want)
	}
	var scrolled bool
	b.eval(`(() => { document.getElementById("matrix").scrollIntoView(); return true; })()`, &scrolled)
	t.Logf("screenshot: %s", b.screenshot("compare-html.png"))

	b.navigate(link)
	var heading string
	b.eval(`(() => { const a = document.getElementById(location.hash.slice(1)); return a ? a.querySelector("h3").innerText : ""; })()`, &heading)
	if !strings.Contains(heading, "headers.language-other") {
		t.Errorf("the evidence link lands on %q, not the case's section", heading)
	}

	// Nothing but files of this test was requested (the comparison and the
	// evidence: two pages at least); nothing was logged.
	b.checkQuiet(func(u string) bool { return strings.HasPrefix(u, "file://"+filepath.ToSlash(dir)+"/") }, 2)
}
