package reference_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/contract"
	"github.com/drsconform/drsconform/reference"
)

const (
	projectA  = "054ba152d480d55b2f5dc0069e7ddef0"
	projectB  = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
	testToken = "test-token"
)

// service is a reference server on 127.0.0.1 and a client for it.
type service struct {
	t     testing.TB
	url   string
	http  *http.Client
	token string
}

// startService serves a reference.Server over real HTTP; closed at cleanup.
func startService(t testing.TB, cfg reference.Config) *service {
	t.Helper()
	ts := httptest.NewServer(reference.New(cfg).Handler())
	t.Cleanup(ts.Close)
	return &service{t: t, url: ts.URL, http: &http.Client{Timeout: 10 * time.Second}, token: testToken}
}

// answer is an HTTP response, read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) batch(t testing.TB) reference.BatchDeleteJobResp {
	t.Helper()
	require.Equal(t, http.StatusAccepted, a.status, "body: %s", a.body)
	var out reference.BatchDeleteJobResp
	require.NoError(t, json.Unmarshal(a.body, &out))
	require.Equal(t, len(out.Results), out.Count, "REQ-RES-01")
	return out
}

func (a answer) errorBody(t testing.TB) reference.ErrorBody {
	t.Helper()
	require.Equal(t, "application/json", a.header.Get("Content-Type"))
	var raw map[string]any
	require.NoError(t, json.Unmarshal(a.body, &raw), "body: %s", a.body)
	require.Len(t, raw, 2, "REQ-VAL-07: exactly error_code and error_msg: %s", a.body)
	var out reference.ErrorBody
	require.NoError(t, json.Unmarshal(a.body, &out))
	require.NotEmpty(t, out.ErrorCode)
	require.NotEmpty(t, out.ErrorMsg)
	return out
}

// do sends one request with the test token (unless headers set X-Auth-Token
// to "" to leave it out) and checks that the answer is never 5xx.
func (s *service) do(method, path string, body []byte, headers map[string]string) answer {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, bytes.NewReader(body))
	require.NoError(s.t, err)
	req.Header.Set("X-Auth-Token", s.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := s.http.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	require.Less(s.t, resp.StatusCode, 500, "REQ-HTTP-04: %s", raw)
	require.Equal(s.t, "application/json", resp.Header.Get("Content-Type"), "REQ-HTTP-03")
	return answer{status: resp.StatusCode, header: resp.Header, body: raw}
}

// batchJobs sends DELETE /v3/{project}/jobs/batch-jobs and checks the
// answer against the contract (status declared, body of its schema).
func (s *service) batchJobs(project string, body []byte, headers map[string]string) answer {
	s.t.Helper()
	path := "/v3/" + project + "/jobs/batch-jobs"
	a := s.do(http.MethodDelete, path, body, headers)
	c, err := contract.Default()
	require.NoError(s.t, err)
	req, _ := http.NewRequest(http.MethodDelete, path, nil)
	require.NoError(s.t, c.ValidateResponse(req, a.status, a.header, a.body).Err())
	return a
}

// jobs is a batch request body.
func jobs(items ...reference.DeleteJobReq) []byte {
	b, _ := json.Marshal(map[string]any{"jobs": items})
	return b
}

func item(typ reference.DeleteType, id string) reference.DeleteJobReq {
	return reference.DeleteJobReq{DeleteType: typ, JobID: id}
}

// fixture is the body of POST /_conformance/v1/jobs.
type fixture = reference.TaskSpec

// create makes a task through the fixture protocol and checks it reads back.
func (s *service) create(spec fixture) string {
	s.t.Helper()
	b, _ := json.Marshal(spec)
	a := s.do(http.MethodPost, "/_conformance/v1/jobs", b, nil)
	require.Equal(s.t, http.StatusCreated, a.status, "%s", a.body)
	var v reference.TaskView
	require.NoError(s.t, json.Unmarshal(a.body, &v))
	require.Equal(s.t, spec.ProjectID, v.ProjectID)
	require.Equal(s.t, spec.Status, v.Status)
	require.NotEmpty(s.t, v.ID)
	return v.ID
}

// status reads a task back; "" means 404 (gone or never there).
func (s *service) status(project, id string) reference.Status {
	s.t.Helper()
	a := s.do(http.MethodGet, "/_conformance/v1/jobs/"+url.PathEscape(id)+"?project_id="+url.QueryEscape(project), nil, nil)
	switch a.status {
	case http.StatusOK:
		var v reference.TaskView
		require.NoError(s.t, json.Unmarshal(a.body, &v))
		require.Equal(s.t, id, v.ID)
		return v.Status
	case http.StatusNotFound:
		a.errorBody(s.t)
		return ""
	}
	s.t.Fatalf("fixture GET: %d %s", a.status, a.body)
	return ""
}

// manualClock is a clock tests move by hand.
type manualClock struct{ now chan time.Time }

func newManualClock() *manualClock {
	c := &manualClock{now: make(chan time.Time, 1)}
	c.now <- time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	return c
}

func (c *manualClock) Now() time.Time {
	t := <-c.now
	c.now <- t
	return t
}

func (c *manualClock) Advance(d time.Duration) { c.now <- (<-c.now).Add(d) }
