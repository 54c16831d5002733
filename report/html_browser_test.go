package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHTMLInChromium opens report.html from disk in headless Chromium,
// driven over the DevTools Protocol (openPage, browser_test.go), and checks
// what a reviewer relies on: the requirement table renders, a failure's
// evidence renders, a click on a filter filters (and so does a link with
// #verdict=…&level=…), the page logs no error and requests nothing from the
// network. It keeps a screenshot and a PDF print in $DRSCONFORM_ARTIFACTS
// (or a temporary directory), never in the repository.
//
// It skips when Chromium is not installed (Debian: apt-get install chromium;
// .ci/run installs it) or with -short. DRSCONFORM_CHROMIUM names another
// binary.
func TestHTMLInChromium(t *testing.T) {
	b := openPage(t, "report")
	page := filepath.Join(b.dir, "report.html")
	f, err := os.Create(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := HTML(f, sampleReport()); err != nil {
		t.Fatal(err)
	}
	f.Close()
	pageURL := "file://" + filepath.ToSlash(page)

	visible := func() []string {
		var v []string
		b.eval(`Array.from(document.querySelectorAll("#req-table tbody tr")).filter(tr => tr.offsetParent !== null).map(tr => tr.dataset.verdict + " " + tr.dataset.level + " " + tr.id)`, &v)
		return v
	}

	b.navigate(pageURL)

	// The requirement table renders, every row shown.
	if rows := visible(); len(rows) != len(sampleReport().Requirements) {
		t.Errorf("requirement table shows %d rows, want %d: %v", len(rows), len(sampleReport().Requirements), rows)
	}
	var shown string
	b.eval(`document.getElementById("shown").textContent`, &shown)
	if shown != "9 of 9 requirements" {
		t.Errorf("the script did not run (CSP hash?): counter says %q", shown)
	}
	// A failure's evidence renders, hostile body as text.
	var evidence struct {
		Heading, Finding, Curl, Body string
		Scripts                      int
	}
	b.eval(`(() => { const a = document.getElementById("case-non-deletable.incre-transfer-started");
		return { Heading: a.querySelector("h3").innerText, Finding: a.querySelector("table.findings").innerText,
			Curl: a.querySelector("pre.curl").innerText,
			Body: Array.from(a.querySelectorAll(".exchange")).find(x => x.querySelector("h4").innerText.startsWith("Step 1")).querySelectorAll("pre.http")[1].innerText,
			Scripts: document.scripts.length }; })()`, &evidence)
	if !strings.Contains(evidence.Finding, "REQ-STA-02") || !strings.Contains(evidence.Finding, "results[0].status failed") {
		t.Errorf("failure evidence: finding %q", evidence.Finding)
	}
	if !strings.HasPrefix(evidence.Curl, "curl ") || !strings.Contains(evidence.Body, "</script><script>alert(1)</script>") || evidence.Scripts != 1 {
		t.Errorf("failure evidence: curl %q, body %q, %d scripts", evidence.Curl, evidence.Body, evidence.Scripts)
	}

	// A real click on the "fail" filter.
	var box struct{ X, Y float64 }
	b.eval(`(() => { const b = document.querySelector('.filters button[data-filter="verdict"][data-value="fail"]');
		b.scrollIntoView(); const r = b.getBoundingClientRect(); return { X: r.x + r.width / 2, Y: r.y + r.height / 2 }; })()`, &box)
	for _, typ := range []string{"mousePressed", "mouseReleased"} {
		b.call("Input.dispatchMouseEvent", map[string]any{"type": typ, "x": box.X, "y": box.Y, "button": "left", "clickCount": 1}, nil)
	}
	var rows []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if rows = visible(); len(rows) == 1 {
			break
		}
	}
	if len(rows) != 1 || !strings.HasPrefix(rows[0], "fail MUST req-REQ-STA-02") {
		t.Errorf("after a click on verdict fail, the table shows %v, want only REQ-STA-02", rows)
	}
	var hash string
	b.eval(`location.hash`, &hash)
	if hash != "#verdict=fail" {
		t.Errorf("the filter is not in the fragment: %q", hash)
	}

	// A link to a filtered view: a fresh load with the fragment.
	b.navigate("about:blank")
	b.navigate(pageURL + "#verdict=untested&level=SHOULD")
	if rows := visible(); len(rows) != 1 || !strings.HasSuffix(rows[0], "req-REQ-RES-03") {
		t.Errorf("#verdict=untested&level=SHOULD shows %v, want only REQ-RES-03", rows)
	}
	b.navigate(pageURL)

	// Artifacts: a laptop-sized screenshot and the print to PDF.
	shotPath := b.screenshot("report-html.png")
	pdfPath, pdf := b.printPDF("report-html.pdf")
	if !strings.HasPrefix(string(pdf), "%PDF") {
		t.Error("printing to PDF gave no PDF")
	}
	t.Logf("screenshot: %s; PDF: %s", shotPath, pdfPath)

	// Nothing but the page itself was requested; nothing was logged.
	b.checkQuiet(func(u string) bool { return strings.HasPrefix(u, pageURL) || u == "about:blank" }, 1)
}
