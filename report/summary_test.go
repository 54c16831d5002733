package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/drsconform/drsconform/result"
)

// Cases that could not apply are counted by reason on the terminal; cases
// the filter left out are not: they were not meant to run.
func TestSummaryCountsSkipsByReason(t *testing.T) {
	t.Parallel()
	r := sampleReport()
	for i := 0; i < 3; i++ {
		r.Cases = append(r.Cases, result.CaseResult{ID: "x.refused", Verdict: result.Skip,
			Messages: []string{"fixture unavailable: DRS.M00202 cannot make CHANGE_JOB_STARTED"}})
	}
	r.Cases = append(r.Cases, result.CaseResult{ID: "x.filtered", Verdict: result.Skip, FilteredOut: true,
		Messages: []string{"filtered out: no tag of --tags lifecycle"}})
	var out bytes.Buffer
	Summary(&out, r)
	s := out.String()
	if !strings.Contains(s, "SKIPPED (could not apply), by reason:") {
		t.Fatalf("no skip section:\n%s", s)
	}
	if !strings.Contains(s, "3 × fixture unavailable: DRS.M00202 cannot make CHANGE_JOB_STARTED") {
		t.Errorf("the reason is not counted:\n%s", s)
	}
	if strings.Contains(s, "× filtered out") {
		t.Errorf("a filtered-out case is counted as skipped:\n%s", s)
	}
}
