package reference_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/reference"
)

func TestBatchStatus(t *testing.T) {
	t.Parallel()
	svc := startService(t, reference.Config{ReleaseDelay: time.Hour})
	running := svc.create(fixture{ProjectID: projectA, Status: reference.IncreTransferStarted})
	gone := svc.create(fixture{ProjectID: projectA, Status: reference.CreateFailed})
	other := svc.create(fixture{ProjectID: projectB, Status: reference.Creating})
	svc.batchJobs(projectA, jobs(item(reference.Terminate, running), item(reference.Delete, gone)), nil).batch(t)

	body, _ := json.Marshal(map[string]any{"jobs": []string{running, gone, other}})
	a := svc.do(http.MethodPost, "/v3/"+projectA+"/jobs/batch-status", body, map[string]string{"X-Language": "zh-cn"})
	require.Equal(t, http.StatusOK, a.status, "%s", a.body)
	var raw struct {
		Count   int              `json:"count"`
		Results []map[string]any `json:"results"`
	}
	require.NoError(t, json.Unmarshal(a.body, &raw))
	require.Equal(t, 3, raw.Count)
	assert.Equal(t, map[string]any{"id": running, "status": "RELEASE_RESOURCE_STARTED"}, raw.Results[0])
	assert.Equal(t, gone, raw.Results[1]["id"])
	assert.Equal(t, reference.CodeDeleted, raw.Results[1]["error_code"])
	assert.Regexp(t, `\p{Han}`, raw.Results[1]["error_message"], "error_message, not error_msg")
	assert.Equal(t, reference.CodeNotFound, raw.Results[2]["error_code"], "another project's task is unknown here")

	type testCase struct {
		name    string
		body    string
		headers map[string]string
		status  int
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		a := svc.do(http.MethodPost, "/v3/"+projectA+"/jobs/batch-status", []byte(tc.body), tc.headers)
		assert.Equal(t, tc.status, a.status)
		a.errorBody(t)
	}
	for _, tc := range []testCase{
		{name: "empty", body: ``, status: 400},
		{name: "not JSON", body: `[`, status: 400},
		{name: "no jobs", body: `{}`, status: 400},
		{name: "empty jobs", body: `{"jobs":[]}`, status: 400},
		{name: "objects", body: `{"jobs":[{"job_id":"x"}]}`, status: 400},
		{name: "empty ID", body: `{"jobs":[""]}`, status: 400},
		{name: "text/plain", body: `{"jobs":["x"]}`, headers: map[string]string{"Content-Type": "text/plain"}, status: 400},
		{name: "no credential", body: `{"jobs":["x"]}`, headers: map[string]string{"X-Auth-Token": ""}, status: 401},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}
