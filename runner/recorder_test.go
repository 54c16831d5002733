package runner

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/internal/credential"
	"github.com/drsconform/drsconform/result"
)

const straddleToken = "tok-STRADDLE-SECRET-0815"

// straddling is a body of n bytes in which the token starts a few bytes
// before evidenceCap, so a cut before redaction would leave its start.
func straddling(n int) string {
	head := strings.Repeat("a", evidenceCap-5)
	body := head + straddleToken
	return body + strings.Repeat("b", n-len(body))
}

// noPartOf fails when s holds the token or any start of it 5 bytes or longer.
func noPartOf(t *testing.T, what, s string) {
	t.Helper()
	for n := 5; n <= len(straddleToken); n++ {
		if strings.Contains(s, straddleToken[:n]) {
			t.Fatalf("%s keeps %q of the token", what, straddleToken[:n])
		}
	}
}

// The transport records each exchange once, redacted before it is cut: a
// token straddling the evidence cap leaves no part of itself, while the
// runner still judges the whole answer.
func TestTheRecordingTransportRedactsOnceThenCuts(t *testing.T) {
	t.Parallel()
	answer := straddling(evidenceCap + 1000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Echo", r.Header.Get("X-Auth-Token"))
		_, _ = w.Write([]byte(answer))
	}))
	t.Cleanup(srv.Close)
	w := newWire(nil, 2*time.Second, 1<<20, credential.ForToken(straddleToken))
	var rec recorder
	ctx := withRecorder(context.Background(), &rec)
	header := http.Header{"X-Auth-Token": {straddleToken}, "Content-Type": {"application/json"}}
	sent := &result.SentRequest{JSON: false}
	resp, ex, err := w.do(ctx, exchangeTag{Step: 2, Kind: result.KindAPI, Purpose: "request", Sent: sent},
		http.MethodDelete, srv.URL+"/v3/p/jobs/batch-jobs", header, []byte(straddling(evidenceCap+100)))
	require.NoError(t, err)

	assert.Equal(t, answer, string(resp.Body), "the runner judges the whole answer")
	all := rec.all()
	require.Len(t, all, 1, "recorded once")
	assert.Equal(t, all[0], ex, "do returns what the recorder keeps")
	assert.Equal(t, 2, ex.Step)
	assert.Equal(t, result.KindAPI, ex.Kind)
	assert.Same(t, sent, ex.Sent)
	assert.Equal(t, http.StatusOK, ex.Status)
	assert.True(t, ex.Truncated)
	for what, s := range map[string]string{"response body": ex.ResponseBody, "request body": ex.RequestBody, "curl": ex.Curl,
		"request headers": strings.Join(headerValues(ex.RequestHeaders), "\n"), "response headers": strings.Join(headerValues(ex.ResponseHeaders), "\n")} {
		noPartOf(t, what, s)
	}
	assert.LessOrEqual(t, len(strings.SplitN(ex.ResponseBody, "\n…", 2)[0]), evidenceCap)
	assert.Contains(t, ex.ResponseBody, "bytes in all")
}

func headerValues(h map[string][]string) []string {
	var out []string
	for k, vs := range h {
		for _, v := range vs {
			out = append(out, k+": "+v)
		}
	}
	return out
}

// A transport error is recorded, with the kind and the step, and the error
// the runner reports says the same.
func TestTheRecordingTransportRecordsAFailedRequest(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	w := newWire(nil, time.Second, 1<<20, credential.ForToken(straddleToken))
	var rec recorder
	_, ex, err := w.do(withRecorder(context.Background(), &rec), exchangeTag{Kind: result.KindReadBack, Purpose: "fixture: read back x"},
		http.MethodGet, url+"/v1/jobs/x", http.Header{}, nil)
	require.ErrorIs(t, err, ErrTransport)
	require.Len(t, rec.all(), 1)
	assert.Equal(t, result.KindReadBack, ex.Kind)
	assert.NotEmpty(t, ex.Error)
	assert.Contains(t, err.Error(), ex.Error)

	// A request that cannot even be built is recorded too.
	_, ex, err = w.do(withRecorder(context.Background(), &rec), exchangeTag{Kind: result.KindAPI}, http.MethodGet, "http://[::1", http.Header{}, nil)
	require.ErrorIs(t, err, ErrTransport)
	require.Len(t, rec.all(), 2)
	assert.Equal(t, result.KindAPI, ex.Kind)
	assert.NotEmpty(t, ex.Error)
}

// A body that is not JSON is recorded as such; a JSON one keeps its members,
// each job's delete_type as sent ("" and " delete" too) and the fixture its
// job_id names.
func TestSentRequestIsReadFromTheBodyAsSent(t *testing.T) {
	t.Parallel()
	p := &player{redact: credential.ForToken(straddleToken)}
	cr := &caseRun{c: &cases.Case{Fixtures: map[string]cases.Fixture{"task": {Status: "CREATE_FAILED"}}}, ids: map[string]string{"task": "j-1"}}

	for _, body := range []string{"delete_type=delete&job_id=j-1", "", `{"jobs": [`} {
		s := p.sentOf(cr, []byte(body))
		assert.False(t, s.JSON, "%q", body)
		assert.Empty(t, s.Members, "%q", body)
		assert.Empty(t, s.Jobs, "%q", body)
	}

	s := p.sentOf(cr, []byte(`{"jobs": [{"delete_type": " delete", "job_id": "j-1"}, {"delete_type": ""}, 7, {"delete_type": 1, "x": true}], "extra": 1}`))
	require.True(t, s.JSON)
	assert.Equal(t, []string{"extra", "jobs"}, s.Members)
	require.Len(t, s.Jobs, 3, "non-objects are not jobs")
	require.NotNil(t, s.Jobs[0].DeleteType)
	assert.Equal(t, " delete", *s.Jobs[0].DeleteType)
	assert.Equal(t, "task", s.Jobs[0].Fixture)
	assert.Equal(t, "CREATE_FAILED", s.Jobs[0].FixtureStatus)
	require.NotNil(t, s.Jobs[1].DeleteType)
	assert.Equal(t, "", *s.Jobs[1].DeleteType)
	assert.Nil(t, s.Jobs[1].JobID)
	assert.Nil(t, s.Jobs[2].DeleteType, "a delete_type that is not a string")
	assert.Equal(t, []string{"delete_type", "x"}, s.Jobs[2].Members)

	// Strings are redacted, and the jobs bounded.
	many := `{"jobs": [` + strings.TrimSuffix(strings.Repeat(`{"delete_type": "`+straddleToken+`"},`, result.SentJobsKept+3), ",") + `]}`
	s = p.sentOf(cr, []byte(many))
	assert.Len(t, s.Jobs, result.SentJobsKept)
	assert.Equal(t, 3, s.JobsMore)
	assert.Equal(t, credential.Redacted, *s.Jobs[0].DeleteType)
}
