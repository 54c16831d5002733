package report

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/drsconform/drsconform/conformance"
	"github.com/drsconform/drsconform/result"
)

// floodReport is a run in which one fault (200 instead of 202) fails n
// cases, each with its own job ID in the body and a message of msgBytes;
// one more case fails a second requirement too, and has that finding twice
// (two steps); one case warns.
func floodReport(n, msgBytes int) *result.Report {
	start := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	var cases []result.CaseResult
	for i := range n {
		id := fmt.Sprintf("flood.case-%03d", i)
		body := fmt.Sprintf(`{"count":1,"results":[{"id":"job-%d","status":"success","note":"%s"}]}`, i, strings.Repeat("ü", msgBytes/2))
		f := result.Finding{Requirement: "REQ-HTTP-01", Level: "MUST", Verdict: result.Fail, Layer: result.LayerStatus, Step: 1,
			Expected: "status 202", Got: "status 200 " + body}
		cases = append(cases, result.CaseResult{ID: id, Title: "case " + id, Theme: "flood", File: "cases/flood.yaml",
			Verdict: result.Fail, Requirements: []string{"REQ-HTTP-01"}, DurationMS: 1,
			Messages: []string{"REQ-HTTP-01 (MUST) step 1, status: expected status 202; got " + f.Got},
			Findings: []result.Finding{f},
			Evidence: []result.Exchange{{Step: 1, Purpose: "request", Method: "DELETE", URL: sampleURL, Status: 200, ResponseBody: body,
				Curl: fmt.Sprintf(`curl -sS -i -X DELETE '%s' --data-binary '{"jobs":[{"delete_type":"delete","job_id":"job-%d"}]}'`, sampleURL, i)}}})
	}
	twice := result.Finding{Requirement: "REQ-STA-02", Level: "MUST", Verdict: result.Fail, Layer: result.LayerExpect, Step: 1,
		Expected: "results[0].status failed", Got: `"success"`, Pointer: "/results/0/status"}
	twice2 := twice
	twice2.Step = 2
	last := &cases[len(cases)-1]
	last.Findings = append(last.Findings, twice, twice2)
	last.Messages = append(last.Messages, "REQ-STA-02 (MUST) step 1, expect at /results/0/status: expected results[0].status failed; got \"success\"",
		"REQ-STA-02 (MUST) step 2, expect at /results/0/status: expected results[0].status failed; got \"success\"")
	cases = append(cases, result.CaseResult{ID: "flood.warn", Title: "a warning", Theme: "flood", File: "cases/flood.yaml",
		Verdict: result.Warn, Requirements: []string{"REQ-HDR-05"}, Messages: []string{"REQ-HDR-05 (SHOULD) step 1, expect: expected error_msg in Chinese; got \"Task not found\""},
		Findings: []result.Finding{{Requirement: "REQ-HDR-05", Level: "SHOULD", Verdict: result.Warn, Layer: result.LayerExpect, Step: 1,
			Expected: "error_msg in Chinese", Got: `"Task not found"`}}})
	var ids []string
	for _, c := range cases[:n] {
		ids = append(ids, c.ID)
	}
	return &result.Report{SuiteVersion: "0.1.0-test", SpecSHA256: strings.Repeat("ab", 32), Target: "http://127.0.0.1:8080",
		StartedAt: start, FinishedAt: start.Add(time.Minute), Verdict: result.Fail, ExitCode: result.ExitNonConformant,
		Summary: result.Summary{Total: len(cases), Failed: n, Warned: 1}, Cases: cases,
		Requirements: []result.RequirementResult{
			{ID: "REQ-HTTP-01", Level: conformance.MUST, Sentence: "202", Verdict: result.Fail, Cases: ids},
			{ID: "REQ-STA-02", Level: conformance.MUST, Sentence: "fails", Verdict: result.Fail, Cases: ids[n-1:]},
			{ID: "REQ-HDR-05", Level: conformance.SHOULD, Sentence: "zh", Verdict: result.Warn, Cases: []string{"flood.warn"}},
		}}
}

func TestGroupsOfOneFault(t *testing.T) {
	r := floodReport(116, 40)
	groups := groupsOf(r, result.Fail)
	if len(groups) != 2 {
		t.Fatalf("%d groups, want 2 (the wrong status, the wrong item status): %+v", len(groups), groups)
	}
	if g := groups[0]; g.Requirement != "REQ-HTTP-01" || len(g.Cases) != 116 || g.seen() != "status 200 …" {
		t.Errorf("first group: %s, %d cases, seen %q", g.Requirement, len(g.Cases), g.seen())
	}
	if g := groups[1]; g.Requirement != "REQ-STA-02" || len(g.Cases) != 1 || g.seen() != `"success"` {
		t.Errorf("second group: %s, %d cases (a case once, whatever its steps), seen %q", g.Requirement, len(g.Cases), g.seen())
	}
	if w := groupsOf(r, result.Warn); len(w) != 1 || w[0].Cases[0] != "flood.warn" {
		t.Errorf("warn groups: %+v", w)
	}
	// Another status is another fault.
	r.Cases[0].Findings[0].Got = "status 500 {}"
	if n := len(groupsOf(r, result.Fail)); n != 3 {
		t.Errorf("%d groups after a 500 in one case, want 3", n)
	}
}

func TestSummaryPrintsAFaultOnce(t *testing.T) {
	r := floodReport(116, 40)
	var buf bytes.Buffer
	SummaryWith(&buf, r, SummaryOptions{MaxFailures: DefaultMaxFailures, ReportDir: "out"})
	out := buf.String()
	t.Logf("%d bytes:\n%s", len(out), out)
	if n := strings.Count(out, "REQ-HTTP-01 (MUST) status: expected status 202; got status 200 … — 116 cases: flood.case-000, flood.case-001, flood.case-002 … (+113 more)"); n != 1 {
		t.Errorf("the group's headline is there %d times, want once", n)
	}
	inFull := regexp.MustCompile(`(?m)^    flood\.`)
	if n := len(inFull.FindAllString(out, -1)); n != perGroupInFull+2 {
		t.Errorf("%d cases in full, want %d: the first of each finding", n, perGroupInFull+2)
	}
	if !strings.Contains(out, "112 more cases with failures or warnings not printed in full (at most 3 per finding, 10 in all: --max-failures; 0 prints all); every case is in full in out/report.html") {
		t.Error("the summary does not say what it left out and where it is")
	}
	// The second fault and the warning have their example, though the first
	// fault has more cases than the cap.
	for _, id := range []string{"flood.case-115", "flood.warn"} {
		if !strings.Contains(out, "\n    "+id+"  ") {
			t.Errorf("%s is not in full", id)
		}
	}
	if len(out) > 8<<10 {
		t.Errorf("the summary of one fault takes %d bytes", len(out))
	}

	// Many faults: --max-failures caps the cases in full, the first of
	// each fault first.
	many := floodReport(116, 40)
	for i := range 30 {
		many.Cases[i].Findings[0].Got = fmt.Sprintf("status %d {}", 400+i)
	}
	buf.Reset()
	SummaryWith(&buf, many, SummaryOptions{MaxFailures: 4})
	if n := len(inFull.FindAllString(buf.String(), -1)); n != 4 {
		t.Errorf("--max-failures 4: %d cases in full", n)
	}
	if n := strings.Count(buf.String(), " — 1 case: "); n != 32 {
		t.Errorf("%d groups of one case, want 32 (30 statuses, REQ-STA-02, the warning): a group is named even when none of its cases is in full", n)
	}

	buf.Reset()
	SummaryWith(&buf, r, SummaryOptions{MaxFailures: 0})
	all := buf.String()
	for _, c := range r.Cases {
		if n := strings.Count(all, "\n    "+c.ID+"  "); n != 1 {
			t.Errorf("--max-failures 0: %s in full %d times, want once", c.ID, n)
		}
		for _, m := range c.Messages {
			if n := strings.Count(all, "- "+m+"\n"); n != 1 {
				t.Errorf("--max-failures 0: %s: message printed %d times: %s", c.ID, n, m)
			}
		}
	}
	if strings.Contains(all, "not printed in full") {
		t.Error("--max-failures 0 printed every case, yet says it left some out")
	}
}
