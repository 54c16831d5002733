package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/result"
)

// run --safe against the embedded reference passes as a partial run, and
// says that the concurrent groups were not played.
func TestRunSafeAgainstTheEmbeddedReference(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, "run", "--safe", "--quiet", "--generate", "10")
	require.Equal(t, result.ExitConformant, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, out, "verdict: PASS (exit 0, partial run)")
	assert.Regexp(t, `partial run: \d+ of \d+ requirements selected, \d+ of \d+ cases \(--safe: `, out)
	assert.Contains(t, errOut, "concurrent generated groups are not played")
	assert.Contains(t, errOut, "--safe replays them")
}

// run --safe against `drsconform serve` passes too, and serve logged no
// request but batch deletes: nothing of the fixture protocol.
func TestRunSafeAgainstServe(t *testing.T) {
	t.Parallel()
	base, stop := launchServe(t, "--token", "safe-serve-token-1234", "--release-delay", "0")

	code, out, errOut := runCLI(t, "run", "--safe", "--quiet", "--generate", "5", "--target", base, "--token", "safe-serve-token-1234")
	require.Equal(t, result.ExitConformant, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, out, "verdict: PASS (exit 0, partial run)")

	logs := stop()
	assert.Contains(t, logs, "method=DELETE path=/v3/")
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, "path=") {
			assert.Regexp(t, `method=DELETE path=/v3/[0-9a-f]+/jobs/batch-jobs `, l)
		}
	}
}

func TestRunSafeUsage(t *testing.T) {
	t.Parallel()
	code, _, errOut := runCLI(t, "run", "--safe", "--fixtures-url", "http://127.0.0.1:1")
	assert.Equal(t, result.ExitUsage, code)
	assert.Contains(t, errOut, "--safe asks nothing of a fixture harness")

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "t.yaml"), []byte(unsafeSafeCase), 0o600))
	code, _, errOut = runCLI(t, "run", "--safe", "--cases", dir, "--target", "http://127.0.0.1:1")
	assert.Equal(t, result.ExitUsage, code)
	assert.Contains(t, errOut, "t.yaml:4: t.unsafe is tagged safe but fixture task makes a task")

	code, out, _ := runCLI(t, "lint", "-q", "--cases", dir)
	assert.Equal(t, result.ExitUsage, code)
	assert.Contains(t, out, "t.yaml:4: t.unsafe is tagged safe but fixture task makes a task")
}

// A case that makes a task, tagged safe.
const unsafeSafeCase = `theme: t
title: T
cases:
  - id: t.unsafe
    title: tagged safe, but deletes a task it makes
    requirements: [REQ-STA-01]
    tags: [safe]
    fixtures:
      task: {status: CREATE_FAILED}
    request:
      body: {jobs: [{delete_type: delete, job_id: "{{task}}"}]}
    expect:
      status: 202
      results:
        task: success
`

func TestListSafeShowsWhatRunSafePlays(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, "list", "--safe")
	require.Equal(t, result.ExitConformant, code, errOut)
	assert.Contains(t, out, "unknown.single")
	assert.Contains(t, out, "sec.safe.derived-token")
	assert.NotContains(t, out, "delete.create-failed", "makes a task")
	assert.Contains(t, out, "partial run: ")
	code, out, _ = runCLI(t, "list", "--safe", "--tags", "headers")
	require.Equal(t, result.ExitConformant, code)
	assert.Contains(t, out, "headers.safe.no-token")
	assert.NotContains(t, out, "unknown.single", "--tags narrows --safe further")
}
