package main

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/reference"
	"github.com/drsconform/drsconform/result"
)

const reproToken = "TOKEN-Reproduce-5a4b3c2d1e0f"

// reproTarget serves the reference; with status200, every DELETE of the API
// is answered 200 instead of 202 (REQ-HTTP-01), the fixture protocol stays correct.
func reproTarget(t *testing.T, status200 bool) string {
	t.Helper()
	ref := reference.New(reference.Config{Tokens: []string{reproToken}, ReleaseDelay: 20 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)}).Handler()
	h := ref
	if status200 {
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodDelete {
				ref.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			ref.ServeHTTP(rec, r)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(rec.Body.Bytes())
		})
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestReproduceRun(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name    string
		faulty  bool
		noFlag  bool // no --target: the embedded reference
		exit    int
		verdict string
	}
	run := func(t *testing.T, tc testCase) {
		args := []string{"reproduce", "lifecycle.terminate-then-delete", "--run", "--settle-timeout", "5s"}
		if !tc.noFlag {
			args = append(args, "--target", reproTarget(t, tc.faulty), "--token", reproToken)
		}
		code, out, errOut := runCLI(t, args...)
		require.Equal(t, tc.exit, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
		assert.Contains(t, out, "== fixture: make a task\n$ curl -sS -i -X POST ")
		assert.Contains(t, out, "\n< 201 Created\n")
		assert.Contains(t, out, "== fixture: read back")
		assert.Contains(t, out, "== request 1\n$ curl -sS -i -X DELETE ")
		assert.Contains(t, out, `-H "X-Auth-Token: $DRSCONFORM_TOKEN"`)
		assert.Contains(t, out, "< Content-Type: application/json")
		assert.Contains(t, out, "\nverdict: "+tc.verdict+" (lifecycle.terminate-then-delete)\n")
		assert.NotContains(t, out+errOut, reproToken)
		if tc.faulty {
			assert.Contains(t, out, "< 200 OK")
			assert.Contains(t, out, "REQ-HTTP-01 (MUST) step 1, status: expected status 202; got status 200")
		} else {
			assert.Contains(t, out, "== request 2\n")
			assert.Contains(t, out, `"status":"RELEASE_RESOURCE_COMPLETE"`)
			assert.Contains(t, out, "\n< 404 Not Found\n", "the read-back after the delete")
		}
	}
	for _, tc := range []testCase{
		{name: "the reference passes", exit: result.ExitConformant, verdict: "PASS"},
		{name: "the embedded reference passes", noFlag: true, exit: result.ExitConformant, verdict: "PASS"},
		{name: "202 answered 200 fails", faulty: true, exit: result.ExitNonConformant, verdict: "FAIL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run(t, tc)
		})
	}
}

// --from takes the settings of a real run's report.json; the script and
// --run use them.
func TestReproduceFromAReport(t *testing.T) {
	t.Parallel()
	target := reproTarget(t, false)
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "run", "--quiet", "--target", target, "--token", reproToken, "--report-dir", dir,
		"--project-id", "proj-from-the-report", "--other-project-id", "other-from-the-report",
		"--settle-timeout", "5s", "--cases-match", "lifecycle.terminate-then-delete")
	require.Equal(t, result.ExitConformant, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	from := filepath.Join(dir, "report.json")

	code, out, errOut = runCLI(t, "reproduce", "lifecycle.terminate-then-delete", "--from", from)
	require.Equal(t, result.ExitConformant, code, errOut)
	assert.Contains(t, out, "target_default='"+target+"'\n")
	assert.Contains(t, out, `"project_id":"proj-from-the-report"`)
	assert.Contains(t, out, "# settings from "+from)
	assert.Contains(t, out, "# the report recorded: pass")
	assert.NotContains(t, out, reproToken)

	code, out, errOut = runCLI(t, "reproduce", "--from", from, "lifecycle.terminate-then-delete", "--run", "--token", reproToken, "--settle-timeout", "5s")
	require.Equal(t, result.ExitConformant, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, out, "target "+target+", fixtures "+target+"/_conformance, project proj-from-the-report (other other-from-the-report)")
	assert.Contains(t, out, "/v3/proj-from-the-report/jobs/batch-jobs")
	assert.Contains(t, out, "verdict: PASS")

	// A flag wins over the report.
	code, out, _ = runCLI(t, "reproduce", "lifecycle.terminate-then-delete", "--from", from, "--target", "http://127.0.0.1:9")
	require.Equal(t, result.ExitConformant, code)
	assert.Contains(t, out, "target_default='http://127.0.0.1:9'\n")
}

// A run of a case directory of one's own names its file; reproduce finds
// the case there, and says when the file has changed since.
func TestReproduceFromAReportOfOwnCases(t *testing.T) {
	t.Parallel()
	target := reproTarget(t, false)
	cases, err := os.ReadFile("../../cases/valid-delete-types.yaml")
	require.NoError(t, err)
	own := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(own, "mine.yaml"), cases, 0o644))
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "run", "--quiet", "--target", target, "--token", reproToken, "--report-dir", dir,
		"--cases", own, "--cases-match", "delete.create-failed")
	require.Equal(t, result.ExitConformant, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	from := filepath.Join(dir, "report.json")

	require.NoError(t, os.WriteFile(filepath.Join(own, "mine.yaml"), append(cases, "\n# changed\n"...), 0o644))
	code, out, errOut = runCLI(t, "reproduce", "delete.create-failed", "--from", from)
	require.Equal(t, result.ExitConformant, code, errOut)
	assert.Contains(t, errOut, "taking the case from")
	assert.Contains(t, errOut, "has changed since the run")
	assert.Contains(t, out, "# warning: the case file has changed since that run")
}

func TestReproduceUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, stderr string
		args         []string
	}{
		{name: "no case", args: nil, stderr: "want one CASE_ID"},
		{name: "two cases", args: []string{"a", "b"}, stderr: "want one CASE_ID"},
		{name: "a typo", args: []string{"lifecycle.terminate-then-delte"}, stderr: "did you mean lifecycle.terminate-then-delete?"},
		{name: "both modes", args: []string{"unknown.single", "--script", "--run"}, stderr: "--script or --run, not both"},
		{name: "no report", args: []string{"unknown.single", "--from", "/nonexistent/report.json"}, stderr: "no such file"},
		{name: "bad target", args: []string{"unknown.single", "--target", "ftp://x"}, stderr: "want an http:// or https:// URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, _, errOut := runCLI(t, append([]string{"reproduce"}, tc.args...)...)
			assert.Equal(t, result.ExitUsage, code)
			assert.Contains(t, errOut, tc.stderr)
		})
	}
}

func TestReproduceHelpSaysWhereTheTokenComesFrom(t *testing.T) {
	t.Parallel()
	code, out, _ := runCLI(t, "reproduce", "-h")
	assert.Equal(t, result.ExitConformant, code)
	assert.Contains(t, out, "read it from $DRSCONFORM_TOKEN")
	assert.True(t, strings.HasPrefix(ReproduceHint, "curl commands read the token from $DRSCONFORM_TOKEN"))
}
