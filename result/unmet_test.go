package result

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/conformance"
)

// Cases skipped for want of a task in the fixtures file are grouped as the
// harness's refusals are: one line naming the needs, with how many cases.
func TestUnjudgedGroupsUnmetNeeds(t *testing.T) {
	t.Parallel()
	cat, err := conformance.Requirements()
	require.NoError(t, err)
	unmet := func(id string, needs ...string) CaseResult {
		return CaseResult{ID: id, Verdict: Skip, Requirements: []string{"REQ-STA-01"}, Messages: []string{"needs …"},
			Unmet: &Unmet{Needs: needs, Reason: "needs …"}}
	}
	rep := &Report{Cases: []CaseResult{
		unmet("a", "INCRE_TRANSFER_STARTED (main project)"),
		unmet("b", "INCRE_TRANSFER_STARTED (main project)", "CREATE_FAILED (other project)"),
	}}
	rep.Finish(cat)
	require.Len(t, rep.Unjudged, 1)
	assert.Equal(t, Incomplete, rep.Verdict)
	assert.Equal(t, []string{"2 cases skipped: the fixtures file has no task left for INCRE_TRANSFER_STARTED (main project); CREATE_FAILED (other project) (drsconform fixtures plan lists what a run needs)"},
		rep.Unjudged[0].Reasons)
}
