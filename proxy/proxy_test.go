package proxy

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/reference"
)

// syncBuffer is a bytes.Buffer the proxy's goroutines write while the test reads.
type syncBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	settle func() // waits for the proxy's checks of answers already sent (Proxy.Settle)
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	if s.settle != nil {
		s.settle()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// records parses the exchange log.
func (s *syncBuffer) records(t *testing.T) []Record {
	t.Helper()
	var out []Record
	for _, line := range strings.Split(strings.TrimSpace(s.String()), "\n") {
		if line == "" {
			continue
		}
		var rec Record
		require.NoError(t, json.Unmarshal([]byte(line), &rec), "log line %q", line)
		out = append(out, rec)
	}
	return out
}

const (
	batchPath = "/v3/p/jobs/batch-jobs"
	testToken = "tok-Zq81-never-in-logs-5521"
)

// harness is a proxy on 127.0.0.1 in front of an upstream.
type harness struct {
	proxy *Proxy
	url   string // the proxy's base URL
	log   *syncBuffer
}

func newHarness(t *testing.T, upstream string, configure func(*Config)) *harness {
	t.Helper()
	u, err := url.Parse(upstream)
	require.NoError(t, err)
	log := &syncBuffer{}
	cfg := Config{Upstream: u, Log: log, Timeout: 5 * time.Second}
	if configure != nil {
		configure(&cfg)
	}
	p, err := New(cfg)
	require.NoError(t, err)
	log.settle = p.Settle
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return &harness{proxy: p, url: srv.URL, log: log}
}

func newReference(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(reference.New(reference.Config{ReleaseDelay: -1, Tokens: []string{testToken}}).Handler())
	t.Cleanup(srv.Close)
	return srv
}

// answer is what a client got.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// send makes one request as an SDK would: JSON and the test token, unless
// header overrides them (an empty value deletes the header).
func send(t *testing.T, base, method, path string, header map[string]string, body io.Reader) answer {
	t.Helper()
	req, err := http.NewRequest(method, base+path, body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Auth-Token", testToken)
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	client := &http.Client{
		// No Accept-Encoding of Go's own: what the proxy forwards is what the test sent.
		Transport:     &http.Transport{DisableCompression: true},
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

func sendJSON(t *testing.T, base, method, path, body string) answer {
	t.Helper()
	return send(t, base, method, path, nil, strings.NewReader(body))
}

// recording is an upstream that keeps every request it gets and answers as told.
type recording struct {
	mu       sync.Mutex
	requests []recorded
	hits     atomic.Int64
	answer   http.HandlerFunc
}

type recorded struct {
	method, path, rawPath, query, host string
	header                             http.Header
	body                               []byte
	contentLength                      int64
}

func newRecording(t *testing.T, answer http.HandlerFunc) (*recording, *httptest.Server) {
	t.Helper()
	rec := &recording{answer: answer}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.hits.Add(1)
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.requests = append(rec.requests, recorded{method: r.Method, path: r.URL.Path, rawPath: r.URL.EscapedPath(),
			query: r.URL.RawQuery, host: r.Host, header: r.Header.Clone(), body: body, contentLength: r.ContentLength})
		rec.mu.Unlock()
		rec.answer(w, r)
	}))
	t.Cleanup(srv.Close)
	return rec, srv
}

func (r *recording) last(t *testing.T) recorded {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	require.NotEmpty(t, r.requests, "the upstream got no request")
	return r.requests[len(r.requests)-1]
}

// answerWith answers a fixed status, Content-Type and body.
func answerWith(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

const okAnswer = `{"count":1,"results":[{"id":"j1","status":"success"}]}`

// An SDK's well-formed request passes without a violation, reaches the
// reference, and the task is gone afterwards (read back through the proxy
// by the fixture protocol, which is forwarded unchecked).
func TestValidRequestThroughReference(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name       string
		status     string // fixture status
		deleteType string
		wantAfter  int // fixture read-back status
		wantResult string
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		h := newHarness(t, newReference(t).URL, nil)
		created := sendJSON(t, h.url, http.MethodPost, "/_conformance/v1/jobs", `{"project_id":"p","status":"`+tc.status+`"}`)
		require.Equal(t, http.StatusCreated, created.status, "%s", created.body)
		var task struct{ ID string }
		require.NoError(t, json.Unmarshal(created.body, &task))

		got := sendJSON(t, h.url, http.MethodDelete, batchPath,
			`{"jobs":[{"delete_type":"`+tc.deleteType+`","job_id":"`+task.ID+`"}]}`)
		require.Equal(t, http.StatusAccepted, got.status, "%s", got.body)
		var resp struct {
			Count   int
			Results []struct{ ID, Status string }
		}
		require.NoError(t, json.Unmarshal(got.body, &resp))
		require.Len(t, resp.Results, 1)
		assert.Equal(t, task.ID, resp.Results[0].ID, "the DELETE body reached the reference")
		assert.Equal(t, tc.wantResult, resp.Results[0].Status)

		after := send(t, h.url, http.MethodGet, "/_conformance/v1/jobs/"+task.ID+"?project_id=p", nil, nil)
		assert.Equal(t, tc.wantAfter, after.status, "%s", after.body)

		s := h.proxy.Summary()
		assert.Equal(t, 3, s.Exchanges)
		assert.Equal(t, 1, s.Checked)
		assert.Equal(t, 2, s.NotInContract)
		assert.True(t, s.Clean(), "%+v", s)
		assert.Empty(t, h.log.String(), "conforming exchanges are logged only with Verbose")
	}
	for _, tc := range []testCase{
		{name: "delete a deletable task", status: "CREATE_FAILED", deleteType: "delete", wantAfter: http.StatusNotFound, wantResult: "success"},
		{name: "delete a released task", status: "RELEASE_RESOURCE_COMPLETE", deleteType: "delete", wantAfter: http.StatusNotFound, wantResult: "success"},
		{name: "terminate a running task keeps it", status: "INCRE_TRANSFER_STARTED", deleteType: "terminate", wantAfter: http.StatusOK, wantResult: "success"},
		{name: "delete a running task fails for the item", status: "FULL_TRANSFER_STARTED", deleteType: "delete", wantAfter: http.StatusOK, wantResult: "failed"},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

// With Verbose every exchange is logged, conforming ones included.
func TestVerboseLogsConformingExchanges(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newReference(t).URL, func(c *Config) { c.Verbose = true })
	sendJSON(t, h.url, http.MethodDelete, batchPath, `{"jobs":[{"delete_type":"delete","job_id":"nope"}]}`)
	sendJSON(t, h.url, http.MethodPost, "/v3/p/jobs/batch-status", `{"jobs":["nope"]}`)
	recs := h.log.records(t)
	require.Len(t, recs, 2)
	ct := "application/json"
	assert.Equal(t, Record{Exchange: 1, Method: "DELETE", Path: batchPath, Status: 202, Outcome: OutcomeForwarded, InContract: true,
		Facts: &Facts{ContentType: &ct, Credential: "x-auth-token", Jobs: 1, DeleteTypes: []string{"delete"},
			ResultStatuses: []string{"failed"}, ResultErrorCodes: []string{"DRS.M05003"}}},
		withoutClock(recs[0]))
	assert.False(t, recs[1].InContract)
	assert.Equal(t, "/v3/p/jobs/batch-status", recs[1].Path)
	assert.False(t, recs[0].Time.IsZero())
}

func withoutClock(r Record) Record {
	r.Time, r.DurationMS = time.Time{}, 0
	return r
}

// The request reaches the upstream as the client sent it: method, path,
// query, headers (hop-by-hop ones aside) and the body byte for byte, DELETE
// included; the answer reaches the client as the upstream gave it.
func TestForwardsUnchanged(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name     string
		method   string
		path     string // with query
		body     string
		basePath string // of the upstream URL
		rewrite  bool
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		upstreamAnswer := func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json;charset=UTF-8")
			w.Header().Set("X-Request-Id", "req-42")
			w.Header().Add("X-Multi", "a")
			w.Header().Add("X-Multi", "b")
			w.WriteHeader(http.StatusAccepted)
			_, _ = io.WriteString(w, okAnswer+"\n  ")
		}
		rec, up := newRecording(t, upstreamAnswer)
		h := newHarness(t, up.URL+tc.basePath, func(c *Config) { c.RewriteHost = tc.rewrite })

		var body io.Reader
		if tc.body != "" {
			body = strings.NewReader(tc.body)
		}
		got := send(t, h.url, tc.method, tc.path, map[string]string{
			"X-Language": "zh-cn", "User-Agent": "huaweicloud-usdk-go/3.0",
			"Connection": "X-Hop-Only", "X-Hop-Only": "1", "Keep-Alive": "timeout=5",
		}, body)

		sent := rec.last(t)
		wantPath, wantQuery, _ := strings.Cut(tc.path, "?")
		assert.Equal(t, tc.method, sent.method)
		assert.Equal(t, tc.basePath+wantPath, sent.rawPath)
		assert.Equal(t, wantQuery, sent.query)
		assert.Equal(t, tc.body, string(sent.body), "the body arrives byte for byte")
		assert.Equal(t, int64(len(tc.body)), sent.contentLength)
		assert.Equal(t, "zh-cn", sent.header.Get("X-Language"))
		assert.Equal(t, testToken, sent.header.Get("X-Auth-Token"))
		assert.Equal(t, "application/json", sent.header.Get("Content-Type"))
		assert.Equal(t, "huaweicloud-usdk-go/3.0", sent.header.Get("User-Agent"))
		assert.Empty(t, sent.header.Get("X-Hop-Only"), "headers named by Connection are hop-by-hop")
		assert.Empty(t, sent.header.Get("Keep-Alive"))
		assert.Empty(t, sent.header.Get("X-Forwarded-For"), "no header is added")
		assert.Empty(t, sent.header.Get("Accept-Encoding"), "no header is added")
		proxyHost := strings.TrimPrefix(h.url, "http://")
		if tc.rewrite {
			assert.Equal(t, strings.TrimPrefix(up.URL, "http://"), sent.host)
		} else {
			assert.Equal(t, proxyHost, sent.host, "the client's Host is kept (AK/SK signatures sign it)")
		}

		assert.Equal(t, http.StatusAccepted, got.status)
		assert.Equal(t, okAnswer+"\n  ", string(got.body))
		assert.Equal(t, "application/json;charset=UTF-8", got.header.Get("Content-Type"))
		assert.Equal(t, "req-42", got.header.Get("X-Request-Id"))
		assert.Equal(t, []string{"a", "b"}, got.header.Values("X-Multi"))
		assert.Empty(t, got.header.Get(HeaderProxyAnswer), "the upstream's answer, not the proxy's")
	}
	for _, tc := range []testCase{
		{name: "DELETE with its body", method: "DELETE", path: batchPath,
			body: `{"jobs":[{"delete_type":"delete","job_id":"j1"}]}`},
		{name: "DELETE body with odd spacing and unicode", method: "DELETE", path: batchPath + "?trace=1&x=%2F",
			body: "{ \"jobs\" : [ {\"job_id\":\"j1\", \"delete_type\":\"terminate\", \"note\":\"任务\"} ] }\n"},
		{name: "escaped project id", method: "DELETE", path: "/v3/p%2Fq/jobs/batch-jobs",
			body: `{"jobs":[{"delete_type":"delete","job_id":"j1"}]}`},
		{name: "upstream base path", method: "DELETE", path: batchPath, basePath: "/drs",
			body: `{"jobs":[{"delete_type":"delete","job_id":"j1"}]}`},
		{name: "rewritten host", method: "DELETE", path: batchPath, rewrite: true,
			body: `{"jobs":[{"delete_type":"delete","job_id":"j1"}]}`},
		{name: "GET without body, not in the contract", method: "GET", path: "/_conformance/v1/jobs/j1?project_id=p"},
		{name: "POST batch-status", method: "POST", path: "/v3/p/jobs/batch-status", body: `{"jobs":["j1"]}`},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

// A request that breaks the contract is logged with the requirement,
// keyword and pointer, and forwarded; with RejectInvalidRequests it is
// answered 400 by the proxy and never reaches the upstream.
func TestRequestViolations(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name        string
		header      map[string]string
		method      string // DELETE if empty
		body        string
		requirement string
		keyword     string
		pointer     string
		// upstreams: a fault only the service can judge (the credential), so
		// forwarded even with RejectInvalidRequests.
		upstreams bool
	}
	run := func(t *testing.T, tc testCase, reject bool) {
		t.Parallel()
		rec, up := newRecording(t, answerWith(http.StatusBadRequest, "application/json", `{"error_code":"DRS.M00202","error_msg":"bad"}`))
		h := newHarness(t, up.URL, func(c *Config) { c.RejectInvalidRequests = reject })
		method := tc.method
		if method == "" {
			method = http.MethodDelete
		}
		got := send(t, h.url, method, batchPath, tc.header, strings.NewReader(tc.body))

		recs := h.log.records(t)
		require.Len(t, recs, 1)
		require.NotEmpty(t, recs[0].RequestViolations)
		first := recs[0].RequestViolations[0]
		assert.Equal(t, tc.requirement, first.Requirement, "%+v", recs[0].RequestViolations)
		assert.Equal(t, tc.keyword, first.Keyword)
		assert.Equal(t, tc.pointer, first.Pointer)
		assert.NotEmpty(t, first.Message)
		assert.Equal(t, tc.body, recs[0].RequestBody, "the log carries the body as evidence")
		s := h.proxy.Summary()
		assert.Equal(t, 1, s.RequestsWithViolations)
		key := tc.requirement
		if key == "" {
			key = Unattributed
		}
		assert.Positive(t, s.ByRequirement[key], "%+v", s.ByRequirement)

		if !reject || tc.upstreams {
			assert.Equal(t, int64(1), rec.hits.Load(), "observe mode forwards, and the upstream judges credentials")
			assert.Zero(t, s.Rejected)
			assert.Equal(t, http.StatusBadRequest, got.status)
			assert.Equal(t, OutcomeForwarded, recs[0].Outcome)
			assert.Equal(t, `{"error_code":"DRS.M00202","error_msg":"bad"}`, string(got.body))
			return
		}
		assert.Zero(t, rec.hits.Load(), "a rejected request never reaches the upstream")
		assert.Equal(t, http.StatusBadRequest, got.status)
		assert.Equal(t, string(OutcomeRejected), got.header.Get(HeaderProxyAnswer))
		assert.Equal(t, "application/json", got.header.Get("Content-Type"))
		var e errorBody
		require.NoError(t, json.Unmarshal(got.body, &e), "%s", got.body)
		assert.Equal(t, "DRS.M00202", e.ErrorCode)
		assert.Contains(t, e.ErrorMsg, tc.pointer)
		assert.Contains(t, e.ErrorMsg, tc.requirement)
		assert.Equal(t, OutcomeRejected, recs[0].Outcome)
		assert.Equal(t, 1, s.Rejected)
	}
	for _, tc := range []testCase{
		{name: "delete_type in capitals", body: `{"jobs":[{"delete_type":"DELETE","job_id":"j1"}]}`,
			requirement: "REQ-VAL-04", keyword: "enum", pointer: "/jobs/0/delete_type"},
		{name: "job_id a number", body: `{"jobs":[{"delete_type":"delete","job_id":7}]}`,
			requirement: "REQ-VAL-05", keyword: "type", pointer: "/jobs/0/job_id"},
		{name: "jobs missing", body: `{"job":[]}`,
			requirement: "REQ-VAL-02", keyword: "required", pointer: "/jobs"},
		{name: "item without job_id", body: `{"jobs":[{"delete_type":"delete"}]}`,
			requirement: "REQ-VAL-03", keyword: "required", pointer: "/jobs/0/job_id"},
		{name: "empty body", body: "",
			requirement: "REQ-VAL-01", keyword: "json", pointer: ""},
		{name: "no credential", header: map[string]string{"X-Auth-Token": ""},
			body:        `{"jobs":[{"delete_type":"delete","job_id":"j1"}]}`,
			requirement: "REQ-HDR-01", keyword: "security", pointer: "X-Auth-Token", upstreams: true},
		{name: "text/plain", header: map[string]string{"Content-Type": "text/plain"},
			body:        `{"jobs":[{"delete_type":"delete","job_id":"j1"}]}`,
			requirement: "REQ-HDR-02", keyword: "content-type", pointer: "Content-Type"},
		{name: "POST instead of DELETE", method: http.MethodPost,
			body:        `{"jobs":[{"delete_type":"delete","job_id":"j1"}]}`,
			requirement: "", keyword: "route", pointer: batchPath},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc, false) })
		t.Run(tc.name+" rejected", func(t *testing.T) { run(t, tc, true) })
	}
}

// A faulty upstream's answers to a good request give response violations
// with the requirement they break; the client still gets them unchanged.
func TestResponseViolations(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name        string
		status      int
		contentType string
		body        string
		requirement string
		keyword     string
		pointer     string
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		_, up := newRecording(t, answerWith(tc.status, tc.contentType, tc.body))
		h := newHarness(t, up.URL, nil)
		got := sendJSON(t, h.url, http.MethodDelete, batchPath, `{"jobs":[{"delete_type":"delete","job_id":"j1"}]}`)
		assert.Equal(t, tc.status, got.status)
		assert.Equal(t, tc.body, string(got.body), "the faulty answer is passed on unchanged")

		recs := h.log.records(t)
		require.Len(t, recs, 1)
		assert.Empty(t, recs[0].RequestViolations)
		require.NotEmpty(t, recs[0].ResponseViolations)
		var found bool
		for _, v := range recs[0].ResponseViolations {
			if v.Requirement == tc.requirement && v.Keyword == tc.keyword && v.Pointer == tc.pointer {
				found = true
			}
		}
		assert.True(t, found, "want %s %s %s in %+v", tc.requirement, tc.keyword, tc.pointer, recs[0].ResponseViolations)
		assert.Equal(t, tc.body, recs[0].ResponseBody)
		s := h.proxy.Summary()
		assert.Equal(t, 1, s.ResponsesWithViolations)
		assert.Zero(t, s.RequestsWithViolations)
		assert.Positive(t, s.ByRequirement[tc.requirement])
	}
	for _, tc := range []testCase{
		{name: "200 instead of 202", status: 200, contentType: "application/json", body: okAnswer,
			requirement: "REQ-HTTP-01", keyword: "status", pointer: "200"},
		{name: "count as a string", status: 202, contentType: "application/json",
			body:        `{"count":"1","results":[{"id":"j1","status":"success"}]}`,
			requirement: "REQ-HTTP-02", keyword: "type", pointer: "/count"},
		{name: "500", status: 500, contentType: "application/json", body: `{"error_code":"DRS.M00004","error_msg":"boom"}`,
			requirement: "REQ-HTTP-04", keyword: "status", pointer: "500"},
		{name: "status neither success nor failed", status: 202, contentType: "application/json",
			body:        `{"count":1,"results":[{"id":"j1","status":"ok"}]}`,
			requirement: "REQ-RES-04", keyword: "enum", pointer: "/results/0/status"},
		{name: "text/html", status: 202, contentType: "text/html", body: okAnswer,
			requirement: "REQ-HTTP-03", keyword: "content-type", pointer: "Content-Type"},
		{name: "400 without the error body", status: 400, contentType: "application/json", body: `{"message":"bad"}`,
			requirement: "REQ-VAL-07", keyword: "required", pointer: "/error_code"},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

// No credential reaches the log: not the headers' values, not a token the
// request body or the answer echoes, not an AK/SK signature's parts.
func TestCredentialsNeverLogged(t *testing.T) {
	t.Parallel()
	const (
		access    = "AKIDEXAMPLE0123456789"
		signature = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	)
	echo := func(w http.ResponseWriter, r *http.Request) {
		// A leaky upstream: echoes the credentials in its (faulty) answer.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error_code":"DRS.M00100","error_msg":"token `+r.Header.Get("X-Auth-Token")+` and `+r.Header.Get("Authorization")+`","extra":1}`)
	}
	_, up := newRecording(t, echo)
	h := newHarness(t, up.URL, func(c *Config) { c.Verbose = true })
	auth := "SDK-HMAC-SHA256 Access=" + access + ", SignedHeaders=content-type;host;x-sdk-date, Signature=" + signature
	body := `{"jobs":[{"delete_type":"nuke","job_id":"` + testToken + `"},{"delete_type":"delete","job_id":"` + signature + `"}]}`
	// X-Language is no credential, but the violation's message quotes its value.
	send(t, h.url, http.MethodDelete, batchPath+"?token="+testToken,
		map[string]string{"Authorization": auth, "X-Language": testToken}, strings.NewReader(body))
	// A later exchange without credentials still hides the earlier token.
	send(t, h.url, http.MethodDelete, batchPath, map[string]string{"X-Auth-Token": ""},
		strings.NewReader(`{"jobs":[{"delete_type":"delete","job_id":"`+testToken+`"}]}`))

	logged := h.log.String()
	require.Len(t, h.log.records(t), 2)
	assert.Contains(t, logged, "[REDACTED]")
	assert.Contains(t, logged, "REQ-VAL-04", "the violation is logged")
	assert.Contains(t, logged, "REQ-HDR-04")
	for _, secret := range []string{testToken, access, signature} {
		assert.NotContains(t, logged, secret)
	}
}

// The proxy answers for an upstream that cannot: 502 when it is down, 504
// when it is too slow, both with the DRS error body; redirects pass through.
func TestUpstreamFailures(t *testing.T) {
	t.Parallel()
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close()

	type testCase struct {
		name     string
		upstream func(t *testing.T) (string, *recording)
		status   int
		outcome  Outcome
		msg      string
	}
	slow := func(t *testing.T) (string, *recording) {
		rec, srv := newRecording(t, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			answerWith(202, "application/json", okAnswer)(w, r)
		})
		return srv.URL, rec
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		upstream, _ := tc.upstream(t)
		h := newHarness(t, upstream, func(c *Config) { c.Timeout = 200 * time.Millisecond })
		got := sendJSON(t, h.url, http.MethodDelete, batchPath, `{"jobs":[{"delete_type":"delete","job_id":"j1"}]}`)
		assert.Equal(t, tc.status, got.status)
		assert.Equal(t, string(tc.outcome), got.header.Get(HeaderProxyAnswer))
		var e errorBody
		require.NoError(t, json.Unmarshal(got.body, &e), "%s", got.body)
		assert.Equal(t, "DRS.M00004", e.ErrorCode)
		assert.Contains(t, e.ErrorMsg, tc.msg)
		recs := h.log.records(t)
		require.Len(t, recs, 1, "proxy errors are logged without Verbose")
		assert.Equal(t, tc.outcome, recs[0].Outcome)
		assert.Equal(t, 1, h.proxy.Summary().UpstreamErrors)
	}
	for _, tc := range []testCase{
		{name: "down", upstream: func(*testing.T) (string, *recording) { return downURL, nil },
			status: http.StatusBadGateway, outcome: OutcomeUpstreamUnreachable, msg: "could not be reached"},
		{name: "too slow", upstream: slow,
			status: http.StatusGatewayTimeout, outcome: OutcomeUpstreamTimeout, msg: "did not answer within 200ms"},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

func TestRedirectsPassThrough(t *testing.T) {
	t.Parallel()
	rec, up := newRecording(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	})
	h := newHarness(t, up.URL, nil)
	got := sendJSON(t, h.url, http.MethodDelete, batchPath, `{"jobs":[{"delete_type":"delete","job_id":"j1"}]}`)
	assert.Equal(t, http.StatusTemporaryRedirect, got.status)
	assert.Equal(t, "/elsewhere", got.header.Get("Location"))
	assert.Equal(t, int64(1), rec.hits.Load(), "the proxy never follows a redirect")
	s := h.proxy.Summary()
	assert.Equal(t, 1, s.ByRequirement["REQ-HTTP-01"], "307 is not an answer of the operation: %+v", s)
}

// A body beyond the cap is answered 413 with the error body and never
// forwarded, whether it announces its length or comes chunked.
func TestRequestTooLarge(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name string
		body func() io.Reader
	}
	big := `{"jobs":[` + strings.Repeat(`{"delete_type":"delete","job_id":"j1"},`, 10) + `{"delete_type":"delete","job_id":"j1"}]}`
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		rec, up := newRecording(t, answerWith(202, "application/json", okAnswer))
		h := newHarness(t, up.URL, func(c *Config) { c.MaxBodyBytes = 64 })
		got := send(t, h.url, http.MethodDelete, batchPath, nil, tc.body())
		assert.Equal(t, http.StatusRequestEntityTooLarge, got.status)
		var e errorBody
		require.NoError(t, json.Unmarshal(got.body, &e), "%s", got.body)
		assert.Equal(t, "DRS.M00300", e.ErrorCode)
		assert.Contains(t, e.ErrorMsg, "exceeds 64 bytes")
		assert.Zero(t, rec.hits.Load(), "never forwarded")
		assert.Equal(t, 1, h.proxy.Summary().TooLarge)
	}
	for _, tc := range []testCase{
		{name: "with Content-Length", body: func() io.Reader { return strings.NewReader(big) }},
		{name: "chunked", body: func() io.Reader { return io.MultiReader(strings.NewReader(big)) }},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

// An answer beyond the cap passes through whole, unchecked.
func TestLargeAnswerPassesUnchecked(t *testing.T) {
	t.Parallel()
	large := `{"count":"not checked","pad":"` + strings.Repeat("x", 200) + `"}`
	_, up := newRecording(t, answerWith(202, "application/json", large))
	h := newHarness(t, up.URL, func(c *Config) { c.MaxBodyBytes = 100 })
	got := sendJSON(t, h.url, http.MethodDelete, batchPath, `{"jobs":[{"delete_type":"delete","job_id":"j1"}]}`)
	assert.Equal(t, 202, got.status)
	assert.Equal(t, large, string(got.body))
	s := h.proxy.Summary()
	assert.Equal(t, 1, s.UncheckedResponses)
	assert.Zero(t, s.Violations)
}

// GET /_drsconform/proxy/summary is answered by the proxy; everything else,
// /_conformance included, goes upstream.
func TestSummaryEndpoint(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newReference(t).URL, nil)
	sendJSON(t, h.url, http.MethodDelete, batchPath, `{"jobs":[{"delete_type":"delete","job_id":"j1"}]}`)
	sendJSON(t, h.url, http.MethodDelete, batchPath, `{"jobs":[{"delete_type":"Delete","job_id":"j1"}]}`)
	sendJSON(t, h.url, http.MethodDelete, batchPath, `{"jobs":[{"delete_type":"x","job_id":7}]}`)
	sendJSON(t, h.url, http.MethodPost, "/_conformance/v1/jobs", `{"project_id":"p","status":"CREATE_FAILED"}`)

	got := send(t, h.url, http.MethodGet, SummaryPath, nil, nil)
	require.Equal(t, http.StatusOK, got.status, "%s", got.body)
	assert.Equal(t, "application/json", got.header.Get("Content-Type"))
	var s Summary
	require.NoError(t, json.Unmarshal(got.body, &s))
	assert.Equal(t, Summary{
		Exchanges: 4, Checked: 3, NotInContract: 1,
		RequestsWithViolations: 2, Violations: 3, Unexpected: 3,
		ByRequirement: map[string]int{"REQ-VAL-04": 2, "REQ-VAL-05": 1},
	}, s)
	assert.Equal(t, s, h.proxy.Summary(), "the endpoint is not an exchange of its own")

	wrong := send(t, h.url, http.MethodPost, SummaryPath, nil, nil)
	assert.Equal(t, http.StatusMethodNotAllowed, wrong.status)
	assert.Equal(t, "GET, HEAD", wrong.header.Get("Allow"))

	var text bytes.Buffer
	s.WriteText(&text)
	assert.Contains(t, text.String(), "4 exchange(s): 3 checked against the contract, 1 not in the contract")
	assert.Regexp(t, `REQ-VAL-04\s+2`, text.String())
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name     string
		upstream string
		want     string
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		u, err := url.Parse(tc.upstream)
		require.NoError(t, err)
		_, err = New(Config{Upstream: u})
		require.Error(t, err)
		assert.Contains(t, err.Error(), tc.want)
		assert.NotContains(t, err.Error(), "hunter2", "credentials of a bad URL are not echoed")
	}
	for _, tc := range []testCase{
		{name: "host without scheme", upstream: "localhost:8080", want: "want an http:// or https:// URL"},
		{name: "ftp", upstream: "ftp://h/", want: "want an http:// or https:// URL"},
		{name: "no host", upstream: "http:///x", want: "no host"},
		{name: "credentials", upstream: "http://u:hunter2@h/", want: "credentials do not belong in the URL"},
		{name: "query", upstream: "http://h/?a=1", want: "no query or fragment"},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

// An AK/SK signature signs host; the proxy keeps the client's Host so that
// the reference still verifies it (and rewriting it breaks the signature,
// which is why RewriteHost is off by default).
func TestAKSKSignatureSurvivesTheProxy(t *testing.T) {
	t.Parallel()
	const ak, sk = "AKIDPROXYTEST00000001", "sk-proxy-test-secret-000000000001"
	type testCase struct {
		name    string
		rewrite bool
		want    int
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		ref := httptest.NewServer(reference.New(reference.Config{ReleaseDelay: -1, AccessKey: ak, SecretKey: sk}).Handler())
		t.Cleanup(ref.Close)
		h := newHarness(t, ref.URL, func(c *Config) { c.RewriteHost = tc.rewrite })
		body := []byte(`{"jobs":[{"delete_type":"delete","job_id":"j1"}]}`)
		req, err := http.NewRequest(http.MethodDelete, h.url+batchPath, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		reference.SignRequest(req, body, ak, sk, time.Now())
		resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, tc.want, resp.StatusCode)
		assert.NotContains(t, h.log.String(), sk)
	}
	for _, tc := range []testCase{
		{name: "client's Host kept", want: http.StatusAccepted},
		{name: "Host rewritten", rewrite: true, want: http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

// hangAfter is an upstream that sends the headers of a 202 and part of its
// body, then stalls until the proxy gives up on it.
func hangAfter(part string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, part)
		_ = http.NewResponseController(w).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
}

// closeAfter is an upstream that writes raw as its whole answer (status line,
// headers and a part of the body) and closes the connection.
func closeAfter(raw string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		defer conn.Close()
		_, _ = buf.WriteString(raw)
		_ = buf.Flush()
	}
}

// An upstream answer that breaks off (a stall past the timeout, a close
// before the announced Content-Length or the last chunk) never reaches the
// client as a complete answer: while the proxy still holds the answer it
// says so with 502 or 504 and its error body; once it has passed the headers
// on, it breaks the client's connection off. Either way the log and the
// summary count the exchange as aborted, never as forwarded.
func TestBrokenAnswerNeverLooksComplete(t *testing.T) {
	t.Parallel()
	// The request (50 bytes) fits the smaller cap, part (80 bytes) does not.
	const part = `{"count":2,"results":[{"id":"j1","status":"success"},{"id":"j2","status":"succ`
	type testCase struct {
		name    string
		answer  http.HandlerFunc
		maxBody int64 // 0: the default; 64: the proxy streams part
		// status is the proxy's own answer while it held the body; 0: the
		// headers had passed and the client's read of the body must fail.
		status int
		msg    string // in the log's error
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		_, up := newRecording(t, tc.answer)
		h := newHarness(t, up.URL, func(c *Config) {
			c.Timeout = 300 * time.Millisecond
			c.MaxBodyBytes = tc.maxBody
		})
		req, err := http.NewRequest(http.MethodDelete, h.url+batchPath,
			strings.NewReader(`{"jobs":[{"delete_type":"delete","job_id":"j1"}]}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Auth-Token", testToken)
		client := &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: 10 * time.Second}
		resp, err := client.Do(req)
		require.NoError(t, err)
		body, readErr := io.ReadAll(resp.Body)
		resp.Body.Close()
		if tc.status == 0 {
			assert.Equal(t, http.StatusAccepted, resp.StatusCode)
			assert.ErrorIs(t, readErr, io.ErrUnexpectedEOF, "the client must not take %q for a complete answer", body)
		} else {
			require.NoError(t, readErr)
			assert.Equal(t, tc.status, resp.StatusCode, "%s", body)
			assert.Equal(t, string(OutcomeAborted), resp.Header.Get(HeaderProxyAnswer))
			var e errorBody
			require.NoError(t, json.Unmarshal(body, &e), "%s", body)
			assert.Equal(t, "DRS.M00004", e.ErrorCode)
			assert.Contains(t, e.ErrorMsg, "broke off")
		}

		// The log line is written before the connection is broken off, but
		// the client may see the break first.
		require.Eventually(t, func() bool { return h.proxy.Summary().Exchanges == 1 }, 5*time.Second, 10*time.Millisecond)
		recs := h.log.records(t)
		require.Len(t, recs, 1, "an aborted exchange is logged without Verbose")
		assert.Equal(t, OutcomeAborted, recs[0].Outcome)
		assert.Contains(t, recs[0].Error, "broke off")
		assert.Contains(t, recs[0].Error, tc.msg)
		assert.Empty(t, recs[0].ResponseViolations, "a broken answer is not judged as if complete")
		s := h.proxy.Summary()
		assert.Equal(t, 1, s.Aborted, "%+v", s)
		assert.Zero(t, s.UncheckedResponses)
	}
	for _, tc := range []testCase{
		{name: "stall within the cap", answer: hangAfter(part),
			status: http.StatusGatewayTimeout, msg: "within 300ms"},
		{name: "stall beyond the cap", answer: hangAfter(part), maxBody: 64, msg: "within 300ms"},
		{name: "shorter than Content-Length, within the cap",
			answer: closeAfter("HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n" + part[:10]),
			status: http.StatusBadGateway, msg: "of the 1000"},
		{name: "shorter than Content-Length, beyond the cap", maxBody: 64,
			answer: closeAfter("HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n" + part),
			msg:    "of the 1000"},
		{name: "closed before the last chunk, beyond the cap", maxBody: 64,
			answer: closeAfter("HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
				fmt.Sprintf("%x\r\n%s\r\n", len(part), part)),
			msg: "unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

func compressed(t *testing.T, coding, body string) []byte {
	t.Helper()
	var b bytes.Buffer
	var w io.WriteCloser
	switch coding {
	case "gzip":
		w = gzip.NewWriter(&b)
	case "deflate":
		w = zlib.NewWriter(&b)
	case "raw-deflate":
		fw, err := flate.NewWriter(&b, flate.DefaultCompression)
		require.NoError(t, err)
		w = fw
	default:
		t.Fatalf("no coding %q", coding)
	}
	_, err := io.WriteString(w, body)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return b.Bytes()
}

// gzipBomb is a gzip body of about 1 MB that decodes to 1 GiB of zeros:
// 1024 gzip members of 1 MiB of zeros each, one after the other (RFC 1952
// allows several members; Go's gzip reader reads them all). Made once.
func gzipBomb(*testing.T) []byte { return bomb() }

var bomb = sync.OnceValue(func() []byte {
	var member bytes.Buffer
	w, _ := gzip.NewWriterLevel(&member, gzip.BestCompression) // a valid level
	_, _ = w.Write(make([]byte, 1<<20))                        // a bytes.Buffer takes it
	_ = w.Close()
	return bytes.Repeat(member.Bytes(), 1024)
})

// An answer with a Content-Encoding (legal when the client accepts it) is
// checked decoded and passed on byte for byte, still encoded. A coding the
// proxy cannot undo, or one that decodes beyond the cap (a decompression
// bomb), leaves the body unchecked, which is said in a note, not a
// violation; a body that does not decode by its own coding is a fault.
func TestEncodedAnswers(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name        string
		encoding    string
		body        func(t *testing.T) []byte
		wantOutcome Outcome
		requirement string // of the one response violation; "": none
		pointer     string // of that violation
		note        string // in the log's note; "": no note
	}
	badCount := `{"count":"1","results":[{"id":"j1","status":"success"}]}`
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		sentBody := tc.body(t)
		_, up := newRecording(t, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", tc.encoding)
			w.WriteHeader(http.StatusAccepted)
			_, _ = w.Write(sentBody)
		})
		h := newHarness(t, up.URL, func(c *Config) { c.Verbose = true })
		// send's client has DisableCompression: it neither adds Accept-Encoding
		// nor decodes, so got.body is the bytes on the wire.
		got := send(t, h.url, http.MethodDelete, batchPath, map[string]string{"Accept-Encoding": "gzip, deflate, br"},
			strings.NewReader(`{"jobs":[{"delete_type":"delete","job_id":"j1"}]}`))
		assert.Equal(t, http.StatusAccepted, got.status)
		assert.Equal(t, tc.encoding, got.header.Get("Content-Encoding"))
		assert.True(t, bytes.Equal(sentBody, got.body), "the answer passes byte for byte (%d bytes sent, %d got)", len(sentBody), len(got.body))

		recs := h.log.records(t)
		require.Len(t, recs, 1)
		assert.Equal(t, tc.wantOutcome, recs[0].Outcome)
		if tc.requirement == "" {
			assert.Empty(t, recs[0].ResponseViolations)
		} else {
			require.Len(t, recs[0].ResponseViolations, 1)
			assert.Equal(t, tc.requirement, recs[0].ResponseViolations[0].Requirement)
			assert.Equal(t, tc.pointer, recs[0].ResponseViolations[0].Pointer)
		}
		if tc.note == "" {
			assert.Empty(t, recs[0].Note)
		} else {
			assert.Contains(t, recs[0].Note, tc.note)
		}
		s := h.proxy.Summary()
		assert.Equal(t, tc.wantOutcome == OutcomeUnchecked, s.UncheckedResponses == 1, "%+v", s)
	}
	for _, tc := range []testCase{
		{name: "gzip", encoding: "gzip", body: func(t *testing.T) []byte { return compressed(t, "gzip", okAnswer) },
			wantOutcome: OutcomeForwarded},
		{name: "x-gzip", encoding: "x-gzip", body: func(t *testing.T) []byte { return compressed(t, "gzip", okAnswer) },
			wantOutcome: OutcomeForwarded},
		{name: "deflate", encoding: "deflate", body: func(t *testing.T) []byte { return compressed(t, "deflate", okAnswer) },
			wantOutcome: OutcomeForwarded},
		{name: "deflate without the zlib wrapper", encoding: "deflate",
			body: func(t *testing.T) []byte { return compressed(t, "raw-deflate", okAnswer) }, wantOutcome: OutcomeForwarded},
		{name: "gzip of a faulty answer is checked decoded", encoding: "gzip",
			body:        func(t *testing.T) []byte { return compressed(t, "gzip", badCount) },
			wantOutcome: OutcomeForwarded, requirement: "REQ-HTTP-02", pointer: "/count"},
		{name: "gzip that does not decode", encoding: "gzip",
			body:        func(t *testing.T) []byte { return compressed(t, "gzip", okAnswer)[:20] },
			wantOutcome: OutcomeForwarded, requirement: "REQ-HTTP-02", note: "does not decode"},
		{name: "br cannot be checked", encoding: "br", body: func(*testing.T) []byte { return []byte{0x1b, 0x2f, 0x00, 0xa4} },
			wantOutcome: OutcomeUnchecked, note: `content coding "br"`},
		{name: "gzip bomb", encoding: "gzip", body: gzipBomb,
			wantOutcome: OutcomeUnchecked, note: "too large to check"},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

func TestDecodeContent(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name     string
		body     func(t *testing.T) []byte
		encoding []string
		limit    int64
		want     string // the decoded body
		cannot   string // in the reason it cannot be checked
		err      string // in the error
	}
	gz := func(s string) func(t *testing.T) []byte {
		return func(t *testing.T) []byte { return compressed(t, "gzip", s) }
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		limit := tc.limit
		if limit == 0 {
			limit = 1 << 10
		}
		got, cannot, err := decodeContent(tc.body(t), tc.encoding, limit)
		switch {
		case tc.err != "":
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.err)
		case tc.cannot != "":
			require.NoError(t, err)
			assert.Contains(t, cannot, tc.cannot)
			assert.Nil(t, got)
		default:
			require.NoError(t, err)
			assert.Empty(t, cannot)
			assert.Equal(t, tc.want, string(got))
		}
	}
	for _, tc := range []testCase{
		{name: "no coding", body: func(*testing.T) []byte { return []byte(okAnswer) }, want: okAnswer},
		{name: "identity", body: func(*testing.T) []byte { return []byte(okAnswer) }, encoding: []string{"Identity"}, want: okAnswer},
		{name: "empty body", body: func(*testing.T) []byte { return nil }, encoding: []string{"gzip"}, want: ""},
		{name: "GZIP in capitals", body: gz(okAnswer), encoding: []string{"GZIP"}, want: okAnswer},
		{name: "deflate then gzip, one field", encoding: []string{"deflate, gzip"}, want: okAnswer,
			body: func(t *testing.T) []byte { return compressed(t, "gzip", string(compressed(t, "deflate", okAnswer))) }},
		{name: "deflate then gzip, two fields", encoding: []string{"deflate", "gzip"}, want: okAnswer,
			body: func(t *testing.T) []byte { return compressed(t, "gzip", string(compressed(t, "deflate", okAnswer))) }},
		{name: "exactly the limit", body: gz(strings.Repeat("a", 64)), encoding: []string{"gzip"}, limit: 64, want: strings.Repeat("a", 64)},
		{name: "one byte beyond the limit", body: gz(strings.Repeat("a", 65)), encoding: []string{"gzip"}, limit: 64, cannot: "too large to check"},
		{name: "bomb", body: gzipBomb, encoding: []string{"gzip"}, limit: 8 << 20, cannot: "exceeds 8388608 bytes"},
		{name: "unknown coding", body: gz(okAnswer), encoding: []string{"gzip, zstd"}, cannot: `content coding "zstd"`},
		{name: "too many codings", body: gz(okAnswer), encoding: []string{"gzip,gzip,gzip,gzip,gzip"}, cannot: "5 content codings"},
		{name: "not gzip", body: func(*testing.T) []byte { return []byte(okAnswer) }, encoding: []string{"gzip"}, err: "gzip: invalid header"},
		{name: "cut gzip", body: func(t *testing.T) []byte { return compressed(t, "gzip", okAnswer)[:15] }, encoding: []string{"gzip"}, err: "unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

// With RejectInvalidRequests a request whose only fault is its credential
// still reaches the service, whose own 401 (or 403) reaches the client: SDK
// tests of auth handling keep working. A request with another fault besides
// is rejected for that fault.
func TestRejectLeavesCredentialsToTheUpstream(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name        string
		header      map[string]string
		body        string
		wantStatus  int
		wantOutcome Outcome
		wantCode    string // error_code of the answer
		wantMsg     string // in error_msg
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		h := newHarness(t, newReference(t).URL, func(c *Config) { c.RejectInvalidRequests = true })
		got := send(t, h.url, http.MethodDelete, batchPath, tc.header, strings.NewReader(tc.body))
		assert.Equal(t, tc.wantStatus, got.status, "%s", got.body)
		var e errorBody
		require.NoError(t, json.Unmarshal(got.body, &e), "%s", got.body)
		assert.Equal(t, tc.wantCode, e.ErrorCode)
		assert.Contains(t, e.ErrorMsg, tc.wantMsg)

		recs := h.log.records(t)
		require.Len(t, recs, 1)
		assert.Equal(t, tc.wantOutcome, recs[0].Outcome)
		var reqs []string
		for _, v := range recs[0].RequestViolations {
			reqs = append(reqs, v.Requirement)
		}
		assert.Contains(t, reqs, "REQ-HDR-01", "the missing credential is still reported")
		if tc.wantOutcome == OutcomeForwarded {
			assert.Empty(t, got.header.Get(HeaderProxyAnswer), "the service's answer, not the proxy's")
			assert.Contains(t, recs[0].Note, "credential")
			assert.Zero(t, h.proxy.Summary().Rejected)
		} else {
			assert.Equal(t, string(OutcomeRejected), got.header.Get(HeaderProxyAnswer))
			assert.Equal(t, 1, h.proxy.Summary().Rejected)
		}
	}
	good := `{"jobs":[{"delete_type":"delete","job_id":"j1"}]}`
	for _, tc := range []testCase{
		{name: "no X-Auth-Token", header: map[string]string{"X-Auth-Token": ""}, body: good,
			wantStatus: http.StatusUnauthorized, wantOutcome: OutcomeForwarded, wantCode: reference.CodeNoCredential},
		{name: "blank X-Auth-Token", header: map[string]string{"X-Auth-Token": " "}, body: good,
			wantStatus: http.StatusUnauthorized, wantOutcome: OutcomeForwarded, wantCode: reference.CodeNoCredential},
		{name: "no X-Auth-Token and a bad delete_type", header: map[string]string{"X-Auth-Token": ""},
			body:       `{"jobs":[{"delete_type":"nuke","job_id":"j1"}]}`,
			wantStatus: http.StatusBadRequest, wantOutcome: OutcomeRejected, wantCode: "DRS.M00202", wantMsg: "REQ-VAL-04"},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}
