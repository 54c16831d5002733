package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/drsconform/drsconform/result"
)

// report.md stays a GitHub comment: under 65,536 characters however many
// cases fail, saying what it left out and pointing at report.html.
func TestMarkdownFitsAGitHubComment(t *testing.T) {
	const githubLimit = 65536
	check := func(t *testing.T, r *result.Report, shortened bool) string {
		t.Helper()
		var buf bytes.Buffer
		if err := Markdown(&buf, r); err != nil {
			t.Fatal(err)
		}
		md := buf.String()
		n := utf8.RuneCountInString(md)
		t.Logf("%d characters, %d bytes", n, len(md))
		if n > MarkdownMaxChars || n >= githubLimit {
			t.Errorf("report.md has %d characters, want at most %d", n, MarkdownMaxChars)
		}
		if shortened && (!strings.Contains(md, "**Shortened** to stay under GitHub's 65,536-character comment limit: it leaves out ") ||
			!strings.Contains(md, "report.html has every case in full")) {
			t.Error("report.md does not say that it left something out, or where it is")
		}
		if fences := strings.Count(md, "\n```"); fences%2 != 0 {
			t.Errorf("%d code fences: one is left open", fences)
		}
		if strings.Count(md, "<details>") != strings.Count(md, "</details>") {
			t.Error("a <details> is left open")
		}
		return md
	}

	t.Run("one fault in 500 cases", func(t *testing.T) {
		md := check(t, floodReport(500, 1500), false)
		if !strings.Contains(md, "| FAIL REQ-HTTP-01 (MUST) | status | status 202 | status 200 … | 500: `flood.case-000`, ") {
			t.Error("the fault is not one row naming its 500 cases")
		}
		if n := strings.Count(md, "REQ-HTTP-01 (MUST) | status |"); n != 1 {
			t.Errorf("the fault's group is listed %d times", n)
		}
		if !strings.Contains(md, "#### WARN `flood.warn`") && !strings.Contains(md, "`flood.warn`") {
			t.Error("the warning is lost")
		}
	})

	t.Run("500 distinct faults", func(t *testing.T) {
		r := floodReport(500, 1500)
		for i := range r.Cases[:500] {
			c := &r.Cases[i]
			c.ID = fmt.Sprintf("distinct.%03d.%s", i, strings.Repeat("long-id-", 20))
			c.Findings[0].Requirement = fmt.Sprintf("REQ-X-%03d", i)
			c.Findings[0].Expected = fmt.Sprintf("status 2%02d %s", i%100, strings.Repeat("e", 500))
		}
		md := check(t, r, true)
		if !strings.Contains(md, "cases in full beyond the first 0") {
			t.Error("the notice does not say that cases in full were left out")
		}
		if !strings.Contains(md, "| FAIL REQ-X-000 (MUST) | status |") {
			t.Error("the first fault is not listed")
		}
	})

	t.Run("beyond every limit", func(t *testing.T) {
		r := floodReport(500, 1500)
		for i := range 1000 {
			r.Unjudged = append(r.Unjudged, result.Unjudged{ID: fmt.Sprintf("REQ-U-%04d", i), Level: "MUST", Fatal: true,
				Reasons: []string{strings.Repeat("a long reason ", 100)}})
		}
		md := check(t, r, true)
		if !strings.HasSuffix(md, "\n\n"+strings.TrimSpace(cutNote)+"\n") || !strings.Contains(cutNote, "the rest is in report.html") {
			t.Error("a cut report.md does not say where it was cut")
		}
	})
}

// A report that fits is not shortened and says nothing about it.
func TestMarkdownSmallIsWhole(t *testing.T) {
	var buf bytes.Buffer
	if err := Markdown(&buf, floodReport(30, 100)); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	if strings.Contains(md, "Shortened") || strings.Contains(md, "Cut here") {
		t.Error("a report under the limit says it was shortened")
	}
	if n := strings.Count(md, "\n#### "); n != perGroupInFull+2 {
		t.Errorf("%d cases in full, want %d (the first %d of the fault, the other fault, the warning)", n, perGroupInFull+2, perGroupInFull)
	}
	if !strings.Contains(md, "The first 5 of 31, the first of each finding first; report.html has every case in full.") {
		t.Error("report.md does not say how many cases it shows in full")
	}
}
