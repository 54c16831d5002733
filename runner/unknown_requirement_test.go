package runner_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
)

// A requirement ID the catalogue does not have is a fault of the suite: the
// judge used to give it the level MUST and fail the target for it. Now the
// case errors and says why; no finding on the unknown ID is written.
func TestAnUnknownRequirementErrorsTheCaseInsteadOfFailingIt(t *testing.T) {
	t.Parallel()
	files, err := cases.LoadCases(fstest.MapFS{"t.yaml": {Data: []byte(deleteOneCase)}}, "cases")
	require.NoError(t, err)
	c := files[0].Cases[0]
	c.Requirements = []string{"REQ-NOPE-01"} // past the loader, as a bug of the suite could
	// The target answers 400 where the case expects 202: a status finding on
	// the case's first requirement.
	srv := httptest.NewServer(faulty(answer(func(int, []byte) (int, []byte) {
		return 400, []byte(`{"error_code":"DRS.M00289","error_msg":"bad request"}`)
	})))
	t.Cleanup(srv.Close)
	s, err := runner.NewSession(runner.Config{Target: srv.URL, Token: testToken, Timeout: 2 * time.Second, SettleTimeout: 2 * time.Second})
	require.NoError(t, err)
	r := s.Play(context.Background(), c)
	assert.Equal(t, result.Error, r.Verdict, "%v", r.Messages)
	assert.Contains(t, strings.Join(r.Messages, "\n"), `internal: unknown requirement "REQ-NOPE-01" (not in conformance/requirements.yaml)`)
	assert.Empty(t, findingsOn(r, "REQ-NOPE-01"), "no finding on an unknown requirement, at no default level")
}

// deleteOneCase is a case file of one case: delete a task in CREATE_FAILED.
const deleteOneCase = `theme: t
title: T
cases:
  - id: t.one
    title: one
    requirements: [REQ-STA-01]
    fixtures:
      task: {status: CREATE_FAILED}
    request:
      body: {jobs: [{delete_type: delete, job_id: "{{task}}"}]}
    expect:
      status: 202
      results:
        task: success
    then:
      task: gone
`
