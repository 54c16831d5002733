package reference_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/reference"
)

func TestSeedAndNoHarness(t *testing.T) {
	t.Parallel()
	srv := reference.New(reference.Config{NoHarness: true})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	svc := &service{t: t, url: ts.URL, http: &http.Client{Timeout: 10 * time.Second}, token: testToken}

	require.NoError(t, srv.Seed([]reference.SeedTask{
		{ID: "seeded-1", ProjectID: projectA, Status: reference.IncreTransferStarted},
		{ID: "seeded-2", ProjectID: projectB, Status: reference.CreateFailed, Parent: true},
	}))
	body, _ := json.Marshal(map[string]any{"jobs": []string{"seeded-1", "seeded-2"}})
	a := svc.do(http.MethodPost, "/v3/"+projectA+"/jobs/batch-status", body, nil)
	require.Equal(t, http.StatusOK, a.status, "%s", a.body)
	var got reference.BatchJobStatusResp
	require.NoError(t, json.Unmarshal(a.body, &got))
	require.Len(t, got.Results, 2)
	assert.Equal(t, reference.IncreTransferStarted, got.Results[0].Status)
	assert.Equal(t, reference.CodeNotFound, got.Results[1].ErrorCode, "seeded in the other project")

	// An invalid seed adds nothing; a taken ID is refused.
	assert.ErrorContains(t, srv.Seed([]reference.SeedTask{{ID: "x", ProjectID: projectA, Status: "NOPE"}}), "unknown status")
	assert.ErrorContains(t, srv.Seed([]reference.SeedTask{{ID: "d", ProjectID: projectA, Status: reference.CreateFailed}, {ID: "d", ProjectID: projectA, Status: reference.CreateFailed}}), "given twice")
	assert.ErrorContains(t, srv.Seed([]reference.SeedTask{{ID: "fresh", ProjectID: projectA, Status: reference.CreateFailed}, {ID: "seeded-1", ProjectID: projectA, Status: reference.CreateFailed}}), "already exists")
	body, _ = json.Marshal(map[string]any{"jobs": []string{"fresh"}})
	require.NoError(t, json.Unmarshal(svc.do(http.MethodPost, "/v3/"+projectA+"/jobs/batch-status", body, nil).body, &got))
	assert.Equal(t, reference.CodeNotFound, got.Results[0].ErrorCode, "a refused seed adds no task")

	// No fixture protocol.
	for _, path := range []string{"/_conformance/v1/jobs", "/_conformance/v1/jobs/seeded-1?project_id=" + projectA} {
		for _, m := range []string{http.MethodPost, http.MethodGet} {
			assert.Equal(t, http.StatusNotFound, svc.do(m, path, []byte(`{}`), nil).status, "%s %s", m, path)
		}
	}
}

// SeedTasksOf puts each task of a fixtures file in its project: the file's
// project IDs where it names them, the defaults given otherwise.
func TestSeedTasksOf(t *testing.T) {
	t.Parallel()
	file, err := cases.ParseFixturesFile("tasks.yaml", []byte("other_project_id: file-other\ntasks:\n"+
		"  - id: a\n    status: CREATE_FAILED\n    parent: true\n"+
		"  - id: b\n    project: other\n    status: CREATING\n    busy: true\n"))
	require.NoError(t, err)
	assert.Equal(t, []reference.SeedTask{
		{ID: "a", ProjectID: "default-main", Status: reference.CreateFailed, Parent: true},
		{ID: "b", ProjectID: "file-other", Status: "CREATING", Busy: true},
	}, reference.SeedTasksOf(file, "default-main", "default-other"))
}
