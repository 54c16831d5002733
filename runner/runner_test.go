package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/reference"
	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
)

const testToken = "tok-RUNNER-SECRET-4711"

// faulty wraps the reference implementation and lets one test rewrite the
// answers of DELETE .../batch-jobs (the fixture protocol stays correct).
func faulty(rewrite func(w http.ResponseWriter, r *http.Request, next http.Handler)) http.Handler {
	ref := reference.New(reference.Config{Tokens: []string{testToken}, ReleaseDelay: 20 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)}).Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete && strings.HasSuffix(r.URL.Path, "/jobs/batch-jobs") {
			rewrite(w, r, ref)
			return
		}
		ref.ServeHTTP(w, r)
	})
}

// answer runs the real handler and lets f change status and body.
func answer(f func(status int, body []byte) (int, []byte)) func(http.ResponseWriter, *http.Request, http.Handler) {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		status, body := f(rec.Code, rec.Body.Bytes())
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

func mapJSON(f func(m map[string]any)) func(int, []byte) (int, []byte) {
	return func(status int, body []byte) (int, []byte) {
		var m map[string]any
		if json.Unmarshal(body, &m) != nil {
			return status, body
		}
		f(m)
		out, _ := json.Marshal(m)
		return status, out
	}
}

func play(t *testing.T, target string, match string, mutate func(*runner.Config)) *result.Report {
	t.Helper()
	files, err := cases.LoadEmbeddedCases()
	require.NoError(t, err)
	cfg := runner.Config{Target: target, Token: testToken, Files: files,
		Timeout: 2 * time.Second, SettleTimeout: 2 * time.Second, Parallel: 4}
	if match != "" {
		cfg.Filter.Match = []string{match}
	}
	if mutate != nil {
		mutate(&cfg)
	}
	rep, err := runner.Run(context.Background(), cfg)
	require.NoError(t, err)
	return rep
}

// afterPreflight lets the preflight's requests (the credentials probe to the
// API, the harness's make and read-back) through to next, and sends every
// later one to fault: a target or harness that breaks in the middle of a run.
func afterPreflight(n int32, fault http.HandlerFunc, next http.Handler) http.HandlerFunc {
	var seen atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) <= n {
			next.ServeHTTP(w, r)
			return
		}
		fault(w, r)
	}
}

func caseResult(t *testing.T, rep *result.Report, id string) result.CaseResult {
	t.Helper()
	for _, c := range rep.Cases {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no case %s in the report", id)
	return result.CaseResult{}
}

func findingsOn(c result.CaseResult, req string) []result.Finding {
	var out []result.Finding
	for _, f := range c.Findings {
		if f.Requirement == req {
			out = append(out, f)
		}
	}
	return out
}

func TestRunnerAgainstTheReferencePasses(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(faulty(func(w http.ResponseWriter, r *http.Request, next http.Handler) { next.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	rep := play(t, srv.URL, "", nil)
	for _, c := range rep.Cases {
		assert.Equal(t, result.Pass, c.Verdict, "%s: %v", c.ID, c.Messages)
	}
	assert.Equal(t, result.ExitConformant, rep.ExitCode)
	assert.NotEmpty(t, rep.SpecSHA256)
}

// Each stub breaks one thing; the runner must give the right verdict, exit
// code, and a message that names the requirement.
func TestRunnerCatchesBrokenTargets(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name        string
		fault       func(http.ResponseWriter, *http.Request, http.Handler)
		caseID      string
		verdict     result.Verdict
		exit        int
		requirement string // a finding on it must exist
		message     string // a message of the case must contain it
		// healthyFirst requests are answered well before the fault starts.
		healthyFirst int32
	}
	run := func(t *testing.T, tc testCase) {
		ok := faulty(func(w http.ResponseWriter, r *http.Request, next http.Handler) { next.ServeHTTP(w, r) })
		broken := faulty(tc.fault)
		// The API probe of the preflight meets the fault too, unless the
		// fault only starts once the run is under way.
		srv := httptest.NewServer(afterPreflight(tc.healthyFirst, broken.ServeHTTP, ok))
		t.Cleanup(srv.Close)
		rep := play(t, srv.URL, tc.caseID, nil)
		c := caseResult(t, rep, tc.caseID)
		assert.Equal(t, tc.verdict, c.Verdict, "messages: %v", c.Messages)
		assert.Equal(t, tc.exit, rep.ExitCode)
		if tc.requirement != "" {
			assert.NotEmpty(t, findingsOn(c, tc.requirement), "no finding on %s: %v", tc.requirement, c.Messages)
			assert.Contains(t, strings.Join(c.Messages, "\n"), tc.requirement)
		}
		if tc.message != "" {
			assert.Contains(t, strings.Join(c.Messages, "\n"), tc.message)
		}
		if c.Verdict == result.Fail {
			var curl string
			for _, e := range c.Evidence {
				if e.Kind == result.KindAPI {
					curl = e.Curl
				}
			}
			assert.Contains(t, curl, "curl -sS -i -X DELETE", "a failure carries a curl command")
		}
	}
	tests := []testCase{
		{
			name:   "200 instead of 202",
			fault:  answer(func(_ int, b []byte) (int, []byte) { return http.StatusOK, b }),
			caseID: "delete.create-failed", verdict: result.Fail, exit: result.ExitNonConformant,
			requirement: "REQ-HTTP-01", message: "expected status 202; got status 200",
		},
		{
			name: "a result missing",
			fault: answer(mapJSON(func(m map[string]any) {
				m["results"] = m["results"].([]any)[:1]
				m["count"] = 1
			})),
			caseID: "partial.deletable-and-running", verdict: result.Fail, exit: result.ExitNonConformant,
			requirement: "REQ-RES-02", message: "2 results, one per requested job",
		},
		{
			name:   "count off by one",
			fault:  answer(mapJSON(func(m map[string]any) { m["count"] = 2 })),
			caseID: "delete.create-failed", verdict: result.Fail, exit: result.ExitNonConformant,
			requirement: "REQ-RES-01",
		},
		{
			name:   "count as a string",
			fault:  answer(mapJSON(func(m map[string]any) { m["count"] = "1" })),
			caseID: "delete.create-failed", verdict: result.Fail, exit: result.ExitNonConformant,
			requirement: "REQ-HTTP-02", message: "/count",
		},
		{
			name: "500 for a malformed body",
			fault: answer(func(_ int, _ []byte) (int, []byte) {
				return 500, []byte(`{"error_code":"DRS.M00004","error_msg":"boom"}`)
			}),
			caseID: "bad.body.not-json", verdict: result.Fail, exit: result.ExitNonConformant,
			requirement: "REQ-HTTP-04",
		},
		{
			name:   "garbage body on a 202",
			fault:  answer(func(_ int, _ []byte) (int, []byte) { return 202, []byte("<html>oops</html>") }),
			caseID: "delete.create-failed", verdict: result.Fail, exit: result.ExitNonConformant,
			requirement: "REQ-HTTP-02", message: "not JSON",
		},
		{
			name: "success reported, nothing done",
			fault: func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
				var req struct {
					Jobs []struct {
						ID string `json:"job_id"`
					} `json:"jobs"`
				}
				_ = json.NewDecoder(r.Body).Decode(&req)
				var results []map[string]string
				for _, j := range req.Jobs {
					results = append(results, map[string]string{"id": j.ID, "status": "success"})
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusAccepted)
				_ = json.NewEncoder(w).Encode(map[string]any{"count": len(results), "results": results})
			},
			caseID: "delete.create-failed", verdict: result.Fail, exit: result.ExitNonConformant,
			requirement: "REQ-STA-01", message: "gone (404 from the fixture protocol)",
		},
		{
			name: "error body without error_msg",
			fault: answer(func(s int, _ []byte) (int, []byte) {
				return s, []byte(`{"error_code":"DRS.M00202"}`)
			}),
			caseID: "bad.delete-type.capitalised", verdict: result.Fail, exit: result.ExitNonConformant,
			requirement: "REQ-VAL-07", message: "/error_msg",
		},
		{
			name: "an error code of another shape is only a warning (SHOULD)",
			fault: answer(mapJSON(func(m map[string]any) {
				for _, r := range m["results"].([]any) {
					if r := r.(map[string]any); r["status"] == "failed" {
						r["error_code"] = "M01504" // not the DRS.X00000 shape: a SHOULD
					}
				}
			})),
			caseID: "non-deletable.incre-transfer-started", verdict: result.Warn, exit: result.ExitConformant,
			requirement: "REQ-RES-07",
		},
		{
			name: "hangs until the client gives up",
			fault: func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
				// The server notices a client that gave up only once the body is read.
				_, _ = io.Copy(io.Discard, r.Body)
				select {
				case <-r.Context().Done():
				case <-time.After(30 * time.Second):
				}
			},
			caseID: "delete.create-failed", verdict: result.Error, exit: result.ExitCannotJudge,
			message: "no answer from", healthyFirst: 3,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run(t, tc)
		})
	}
}

func TestRunnerNeverFollowsARedirectWithTheToken(t *testing.T) {
	t.Parallel()
	var leaked atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Auth-Token") != "" || strings.Contains(r.URL.String(), testToken) {
			leaked.Add(1)
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(elsewhere.Close)
	// Same port numbering, other host name: 127.0.0.1 vs localhost.
	other := strings.Replace(elsewhere.URL, "127.0.0.1", "localhost", 1)
	srv := httptest.NewServer(faulty(func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		http.Redirect(w, r, other+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	rep := play(t, srv.URL, "delete.create-failed", nil)
	c := caseResult(t, rep, "delete.create-failed")
	assert.Equal(t, result.Fail, c.Verdict)
	assert.Contains(t, strings.Join(c.Messages, "\n"), "got status 307")
	assert.Zero(t, leaked.Load(), "the token reached another host")
}

func TestRunnerStopsBeforeAnyCaseWhenTheTargetIsDown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now
	files, err := cases.LoadEmbeddedCases()
	require.NoError(t, err)
	_, err = runner.Run(context.Background(), runner.Config{Target: "http://" + addr, Token: testToken, Files: files})
	var pre *runner.PreflightError
	require.ErrorAs(t, err, &pre)
	assert.Equal(t, "target", pre.Check)
	assert.Equal(t, result.ExitCannotJudge, pre.Exit)
	assert.Contains(t, pre.Msg, "connection refused by "+addr)
}

func TestRunnerSortsHarnessProblemsFromTargetFaults(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name    string
		harness http.HandlerFunc
		verdict result.Verdict
		message string
	}
	run := func(t *testing.T, tc testCase) {
		ref := faulty(func(w http.ResponseWriter, r *http.Request, next http.Handler) { next.ServeHTTP(w, r) })
		// The harness works for the preflight (one make, one read-back),
		// then breaks.
		harness := afterPreflight(2, tc.harness, ref)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/_conformance/") {
				harness(w, r)
				return
			}
			ref.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		rep := play(t, srv.URL, "delete.create-failed", nil)
		c := caseResult(t, rep, "delete.create-failed")
		assert.Equal(t, tc.verdict, c.Verdict)
		assert.Contains(t, strings.Join(c.Messages, "\n"), tc.message)
		assert.Empty(t, c.Findings, "a harness problem is never a finding against the target")
	}
	tests := []testCase{
		{name: "cannot make the status", verdict: result.Skip, message: "fixture unavailable: DRS.M00202 status CREATE_FAILED cannot be made here",
			harness: func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(400)
				_, _ = w.Write([]byte(`{"error_code":"DRS.M00202","error_msg":"status CREATE_FAILED cannot be made here"}`))
			}},
		{name: "harness breaks", verdict: result.Error, message: "answered 500, want 201",
			harness: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }},
		{name: "malformed reply", verdict: result.Error, message: "without a JSON {\"id\"",
			harness: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(201); _, _ = w.Write([]byte("ok")) }},
		{name: "fixture reads back in another state", verdict: result.Error, message: "reads back as INCRE_TRANSFER_STARTED, asked for CREATE_FAILED",
			harness: func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost {
					w.WriteHeader(201)
					_, _ = w.Write([]byte(`{"id":"x-1","project_id":"p","status":"CREATE_FAILED"}`))
					return
				}
				_, _ = w.Write([]byte(`{"id":"x-1","project_id":"p","status":"INCRE_TRANSFER_STARTED"}`))
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run(t, tc)
		})
	}
}

func TestRunnerRedactsTheToken(t *testing.T) {
	t.Parallel()
	// A target that fails everything and echoes the token back in its body.
	srv := httptest.NewServer(faulty(func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(500)
		_, _ = w.Write([]byte(`{"error_code":"DRS.M00004","error_msg":"bad token ` + r.Header.Get("X-Auth-Token") + `"}`))
	}))
	t.Cleanup(srv.Close)
	rep := play(t, srv.URL, "", nil)
	require.Equal(t, result.ExitNonConformant, rep.ExitCode)
	raw, err := json.Marshal(rep)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), testToken)
	assert.True(t, bytes.Contains(raw, []byte(runner.Redacted)), "the echoed token shows as redacted")
}
