package runner_test

import (
	"context"
	"log/slog"
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

// withHarness serves the reference's API with the given fixture harness.
func withHarness(t *testing.T, harness http.HandlerFunc) string {
	t.Helper()
	ref := reference.New(reference.Config{Tokens: []string{testToken}, ReleaseDelay: 20 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)}).Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/_conformance/") {
			harness(w, r)
			return
		}
		ref.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func refuseEveryFixture(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write([]byte(`{"error_code":"DRS.M00202","error_msg":"this harness makes no tasks"}`))
}

// A harness that refuses to make any task used to earn PASS: 163 skips and
// nothing failed. Refusing to be tested must never pass.
func TestRefusingEveryFixtureIsIncompleteNotPass(t *testing.T) {
	t.Parallel()
	for _, strict := range []bool{false, true} {
		rep := play(t, withHarness(t, refuseEveryFixture), "", func(c *runner.Config) { c.Strict = strict })
		assert.Equal(t, result.Incomplete, rep.Verdict, "strict=%v", strict)
		assert.Equal(t, result.ExitCannotJudge, rep.ExitCode)
		assert.False(t, rep.Complete)
		assert.Zero(t, rep.Summary.Failed)
		byID := map[string]result.Unjudged{}
		for _, u := range rep.Unjudged {
			byID[u.ID] = u
		}
		u, ok := byID["REQ-STA-01"]
		require.True(t, ok, "REQ-STA-01 (delete of a deletable task) cannot have been judged: %+v", rep.Unjudged)
		assert.True(t, u.Fatal)
		assert.Contains(t, strings.Join(u.Reasons, "\n"), "this harness makes no tasks", "the reason names what the harness said")
		assert.Regexp(t, `^\d+ cases? skipped: the harness refused to make a task in [A-Z_]+`, u.Reasons[0], "the reason counts the cases and names the statuses")
		for _, u := range rep.Unjudged {
			if u.Level != "MUST" {
				assert.Equal(t, strict, u.Fatal, "%s (%s) is fatal only with --strict", u.ID, u.Level)
			}
		}
		// The unknown-ID cases need no task: what could be judged was.
		_, unjudged := byID["REQ-STA-05"]
		assert.False(t, unjudged, "REQ-STA-05 needs no task and was judged")
	}
}

func TestANarrowedRunIsPartialAndJudgedOnItsSelection(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(faulty(func(w http.ResponseWriter, r *http.Request, next http.Handler) { next.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	rep := play(t, srv.URL, "", func(c *runner.Config) {
		c.Filter = runner.Filter{Tags: []string{"lifecycle"}, Match: []string{"lifecycle.*", "delete.*"}}
	})
	assert.Equal(t, result.Pass, rep.Verdict)
	assert.False(t, rep.Complete, "a partial run is never complete")
	require.NotNil(t, rep.Selection)
	assert.True(t, rep.Selection.Partial)
	assert.Less(t, len(rep.Selection.Requirements), rep.Selection.RequirementsTotal)
	assert.Empty(t, rep.Unjudged, "requirements outside the selection are not held against the run")
	assert.Contains(t, rep.Selection.Describe(), "partial run: ")
	assert.Contains(t, rep.Selection.Describe(), "--cases-match lifecycle.*,delete.*")
	for _, c := range rep.Cases {
		if c.Verdict == result.Skip {
			assert.True(t, c.FilteredOut, c.ID)
		}
	}
}

func TestAFullRunAgainstTheReferenceIsComplete(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(faulty(func(w http.ResponseWriter, r *http.Request, next http.Handler) { next.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	rep := play(t, srv.URL, "", nil)
	assert.Equal(t, result.Pass, rep.Verdict)
	assert.True(t, rep.Complete)
	require.NotNil(t, rep.Selection)
	assert.False(t, rep.Selection.Partial)
	assert.Empty(t, rep.Selection.Describe())
	assert.Len(t, rep.Preflight, 3)
}

func TestASelectionOfNothingIsAUsageError(t *testing.T) {
	t.Parallel()
	files, err := cases.LoadEmbeddedCases()
	require.NoError(t, err)
	type testCase struct {
		name   string
		filter runner.Filter
		want   []string // in the message
	}
	run := func(t *testing.T, tc testCase) {
		// No target is contacted: the selection is checked first.
		_, err := runner.Run(context.Background(), runner.Config{Target: "http://127.0.0.1:1", Files: files, Filter: tc.filter})
		var ue *runner.UsageError
		require.ErrorAs(t, err, &ue)
		for _, w := range tc.want {
			assert.Contains(t, err.Error(), w)
		}
	}
	tests := []testCase{
		{name: "bare theme prefix", filter: runner.Filter{Match: []string{"lifecycle"}},
			want: []string{"--cases-match lifecycle: matches no case ID", "did you mean --cases-match 'lifecycle.*'?", "tags: ", "themes: "}},
		{name: "one glob of a list matches nothing", filter: runner.Filter{Match: []string{"delete.*", "lifecyle.*"}},
			want: []string{"--cases-match lifecyle.*"}},
		{name: "tag typo", filter: runner.Filter{Tags: []string{"lifecyle"}},
			want: []string{"--tags lifecyle: no case has this tag or theme", "did you mean --tags lifecycle?"}},
		{name: "exclude-tags typo", filter: runner.Filter{ExcludeTags: []string{"delte"}},
			want: []string{"--exclude-tags delte", "did you mean --exclude-tags delete?"}},
		{name: "unknown requirement", filter: runner.Filter{Requirements: []string{"REQ-STA-1"}},
			want: []string{"--requirements REQ-STA-1: not a requirement", "did you mean --requirements REQ-STA-01?"}},
		{name: "each matches, together nothing", filter: runner.Filter{Tags: []string{"lifecycle"}, ExcludeTags: []string{"lifecycle"}},
			want: []string{"the selection matches no case"}},
		{name: "bad glob", filter: runner.Filter{Match: []string{"["}}, want: []string{"--cases-match \"[\""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run(t, tc)
		})
	}
}

func TestPreflightStopsTheRunWithOnePlainMessage(t *testing.T) {
	t.Parallel()
	gateway := func(inner http.Handler) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-Auth-Token") != testToken {
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = w.Write([]byte(`{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}`))
				return
			}
			inner.ServeHTTP(w, r)
		}
	}
	ref := reference.New(reference.Config{Tokens: []string{testToken}, Logger: slog.New(slog.DiscardHandler)}).Handler()
	type testCase struct {
		name    string
		target  http.Handler
		token   string
		check   string
		exit    int
		message string
	}
	run := func(t *testing.T, tc testCase) {
		srv := httptest.NewServer(tc.target)
		t.Cleanup(srv.Close)
		files, err := cases.LoadEmbeddedCases()
		require.NoError(t, err)
		_, err = runner.Run(context.Background(), runner.Config{Target: srv.URL, Token: tc.token, Files: files, Timeout: 2 * time.Second})
		var pre *runner.PreflightError
		require.ErrorAs(t, err, &pre)
		assert.Equal(t, tc.check, pre.Check)
		assert.Equal(t, tc.exit, pre.Exit)
		assert.Contains(t, pre.Msg, tc.message)
		if tc.token != "" {
			assert.NotContains(t, pre.Msg, tc.token)
		}
	}
	tests := []testCase{
		{name: "no token", target: gateway(ref), check: "credentials", exit: result.ExitUsage,
			message: "credentials rejected by the target (401 APIGW.0301): no token was given; pass --token or DRSCONFORM_TOKEN"},
		{name: "wrong token", target: gateway(ref), token: "not-the-token-0000", check: "credentials", exit: result.ExitCannotJudge,
			message: "credentials rejected by the target (401 APIGW.0301): check that --token"},
		{name: "no harness", token: testToken, check: "harness", exit: result.ExitCannotJudge, message: "no fixture harness at",
			target: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/_conformance/") {
					http.NotFound(w, r)
					return
				}
				ref.ServeHTTP(w, r)
			})},
		{name: "harness breaks", token: testToken, check: "harness", exit: result.ExitCannotJudge, message: "answered 500",
			target: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/_conformance/") {
					w.WriteHeader(500)
					return
				}
				ref.ServeHTTP(w, r)
			})},
		{name: "harness loses what it made", token: testToken, check: "harness", exit: result.ExitCannotJudge, message: "reads it back as gone (404)",
			target: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/_conformance/") {
					http.NotFound(w, r)
					return
				}
				ref.ServeHTTP(w, r)
			})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run(t, tc)
		})
	}
}

// A selection that needs no task does not probe the harness at all.
func TestPreflightSparesTheHarnessWhenNoCaseNeedsIt(t *testing.T) {
	t.Parallel()
	var harnessCalls atomic.Int32
	url := withHarness(t, func(w http.ResponseWriter, r *http.Request) { harnessCalls.Add(1); refuseEveryFixture(w, r) })
	rep := play(t, url, "unknown.*", nil)
	assert.Equal(t, result.Pass, rep.Verdict)
	assert.Zero(t, harnessCalls.Load())
	assert.Len(t, rep.Preflight, 2)
}
