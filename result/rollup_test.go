package result

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/conformance"
)

// The roll-up used to drop a finding on a requirement the catalogue does not
// have: the case's fail vanished and the run could pass. Now the case errors,
// naming the ID, and the run cannot pass.
func TestRollUpErrorsACaseWithAnUnknownRequirement(t *testing.T) {
	t.Parallel()
	cat, err := conformance.Requirements()
	require.NoError(t, err)
	type testCase struct {
		name string
		c    CaseResult
		want string
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		good := CaseResult{ID: "good", Verdict: Pass, Requirements: []string{"REQ-STA-01"}, Messages: []string{}}
		rep := &Report{Cases: []CaseResult{good, tc.c}}
		rep.Finish(cat)
		bad := rep.Cases[1]
		assert.Equal(t, Error, bad.Verdict)
		assert.Contains(t, strings.Join(bad.Messages, "\n"), tc.want)
		assert.Equal(t, Pass, rep.Cases[0].Verdict, "a case naming known IDs is untouched")
		assert.Equal(t, 1, rep.Summary.Errored)
		assert.NotEqual(t, Pass, rep.Verdict)
		assert.Equal(t, ExitCannotJudge, rep.ExitCode)
		known := tc.c.Requirements[0]
		for _, rr := range rep.Requirements {
			if rr.ID == known {
				assert.Equal(t, Error, rr.Verdict, "%s, which the case also tests, cannot pass", known)
			}
		}
	}
	for _, tc := range []testCase{
		{name: "finding", c: CaseResult{ID: "bad-finding", Verdict: Fail, Requirements: []string{"REQ-STA-01"},
			Findings: []Finding{{Requirement: "REQ-NOPE-01", Level: "MUST", Verdict: Fail, Layer: LayerExpect, Step: 1}}},
			want: "internal: unknown requirement REQ-NOPE-01 (not in conformance/requirements.yaml)"},
		{name: "listed", c: CaseResult{ID: "bad-listed", Verdict: Pass, Requirements: []string{"REQ-STA-01", "REQ-STA-1"}},
			want: "internal: unknown requirement REQ-STA-1 "},
		{name: "choice", c: CaseResult{ID: "bad-choice", Verdict: Pass, Requirements: []string{"REQ-STA-11"}, Choices: []Choice{{Requirement: "REQ-STA-99", Label: "rejected-400"}}},
			want: "internal: unknown requirement REQ-STA-99 "},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}
