package runner_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/drsconform/drsconform/result"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A failed case keeps its exchanges in the order they happened: the
// fixture set-up and its read-back, then the step's read-backs, request
// and post-condition read-backs. Each has its kind.
func TestEvidenceIsInTheOrderItHappened(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(faulty(answer(func(_ int, b []byte) (int, []byte) { return http.StatusOK, b })))
	t.Cleanup(srv.Close)
	c := caseResult(t, play(t, srv.URL, "delete.create-failed", nil), "delete.create-failed")
	require.Equal(t, result.Fail, c.Verdict, "%v", c.Messages)

	var kinds []result.ExchangeKind
	step := 0
	for _, e := range c.Evidence {
		kinds = append(kinds, e.Kind)
		assert.GreaterOrEqual(t, e.Step, step, "steps never go back")
		step = e.Step
	}
	require.GreaterOrEqual(t, len(kinds), 4, "%v", kinds)
	assert.Equal(t, []result.ExchangeKind{result.KindFixture, result.KindReadBack}, kinds[:2], "set-up first")
	api := 0
	for i, e := range c.Evidence {
		if e.Kind != result.KindAPI {
			continue
		}
		api++
		assert.Equal(t, 1, e.Step)
		assert.Equal(t, result.KindReadBack, c.Evidence[i-1].Kind, "the step's snapshot comes before its request")
		require.NotNil(t, e.Sent)
		require.Len(t, e.Sent.Jobs, 1)
		assert.Equal(t, "CREATE_FAILED", e.Sent.Jobs[0].FixtureStatus)
		require.NotNil(t, e.Sent.Jobs[0].DeleteType)
		assert.Equal(t, "delete", *e.Sent.Jobs[0].DeleteType)
	}
	assert.Equal(t, 1, api, "%v", kinds)
}

// A body that is not JSON is sent as it is, and recorded as not JSON.
func TestANonJSONBodyIsRecordedAsNotJSON(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(faulty(func(w http.ResponseWriter, r *http.Request, next http.Handler) { next.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	c := caseResult(t, play(t, srv.URL, "bad.body.not-json", nil), "bad.body.not-json")
	require.Equal(t, result.Pass, c.Verdict, "%v", c.Messages)
	require.NotEmpty(t, c.Evidence)
	for _, e := range c.Evidence {
		require.Equal(t, result.KindAPI, e.Kind, "a passing case keeps its API requests only")
		require.NotNil(t, e.Sent)
		assert.False(t, e.Sent.JSON)
		assert.Empty(t, e.Sent.Jobs)
		assert.Contains(t, e.RequestBody, "delete_type=delete&job_id=")
	}
}
