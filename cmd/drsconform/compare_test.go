package main

import (
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/reference"
	"github.com/drsconform/drsconform/report"
	"github.com/drsconform/drsconform/result"
)

// Two real runs of the REQ-STA-11 cases, written as results bundles: the
// embedded reference (repeated job_ids answered per entry) and a reference
// that rejects them with 400. compare verifies both, finds the divergence,
// links each name to its bundle, and exits 1 on it only with --fail-on-diff;
// an edited bundle stops it with exit 2, naming the bundle.
func TestCompareTwoBundles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b, out := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "cmp")
	code, stdout, stderr := runCLI(t, "run", "--quiet", "--requirements", "REQ-STA-11", "--generate", "0", "--generate-concurrent", "0", "--report-dir", a)
	require.Equal(t, result.ExitConformant, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)

	const token = "compare-test-token"
	srv := httptest.NewServer(reference.New(reference.Config{Tokens: []string{token}, Duplicates: reference.DuplicatesReject,
		Logger: slog.New(slog.DiscardHandler)}).Handler())
	t.Cleanup(srv.Close)
	code, stdout, stderr = runCLI(t, "run", "--quiet", "--target", srv.URL, "--token", token, "--requirements", "REQ-STA-11", "--generate", "0", "--generate-concurrent", "0", "--report-dir", b)
	require.Equal(t, result.ExitConformant, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)

	code, stdout, stderr = runCLI(t, "compare", a, "--name", "rejecting="+b, b, "--out", out)
	require.Equal(t, result.ExitConformant, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stdout, a+": 127.0.0.1:")
	assert.Contains(t, stdout, b+": rejecting, bundle: verified (the check of drsconform verify-bundle)")
	assert.Contains(t, stdout, "2 implementations; 1 requirement where the implementations judged differ")
	assert.NotContains(t, stdout+stderr, token)
	raw, err := os.ReadFile(filepath.Join(out, report.CompareJSONFile))
	require.NoError(t, err)
	var cmp report.Comparison
	require.NoError(t, json.Unmarshal(raw, &cmp))
	require.NotEmpty(t, cmp.Requirements)
	first := cmp.Requirements[0]
	assert.Equal(t, "REQ-STA-11", first.ID)
	assert.True(t, first.Differs)
	assert.Equal(t, []string{"result-per-entry"}, first.Cells[0].Chose)
	assert.Equal(t, []string{"rejected-400"}, first.Cells[1].Chose)
	for _, name := range []string{report.CompareHTMLFile, report.CompareMDFile} {
		b, err := os.ReadFile(filepath.Join(out, name))
		require.NoError(t, err)
		assert.Contains(t, string(b), "rejected-400", name)
		assert.NotContains(t, string(b), token, name)
	}

	code, _, _ = runCLI(t, "compare", a, b, "--out", out, "--fail-on-diff")
	assert.Equal(t, result.ExitNonConformant, code, "--fail-on-diff with a divergence")
	code, _, _ = runCLI(t, "compare", a, a, "--out", out, "--fail-on-diff")
	assert.Equal(t, result.ExitConformant, code, "--fail-on-diff without one")

	// An edited bundle: an error naming it, unless --no-verify.
	f, err := os.OpenFile(filepath.Join(b, "report.md"), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString("\nedited\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	code, stdout, stderr = runCLI(t, "compare", a, b, "--out", out)
	assert.Equal(t, result.ExitUsage, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "drsconform compare: "+b+": the results bundle does not verify (compare it anyway with --no-verify):")
	assert.Contains(t, stderr, "  report.md: edited")
	code, stdout, stderr = runCLI(t, "compare", a, b, "--out", out, "--no-verify")
	assert.Equal(t, result.ExitConformant, code, stderr)
	assert.Contains(t, stdout, b+": 127.0.0.1:")
	assert.Contains(t, stdout, "bundle: does NOT verify (2 files mismatched; compared anyway: --no-verify)")
	raw, err = os.ReadFile(filepath.Join(out, report.CompareJSONFile))
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"no_verify": true`)
}

func TestCompareUsageErrors(t *testing.T) {
	t.Parallel()
	self := invocation()
	dir := t.TempDir()
	rj := filepath.Join(dir, "report.json")
	require.NoError(t, os.WriteFile(rj, []byte("{}"), 0o644))
	broken := filepath.Join(dir, "broken.json")
	require.NoError(t, os.WriteFile(broken, []byte("{not json"), 0o644))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"compare", rj}, "drsconform compare: want two or more results (report.json files or --report-dir bundles), got 1\nsee: " + self + " compare --help\n"},
		{[]string{"compare", rj, rj, "--nmae", "x=" + rj}, "drsconform compare: unknown flag --nmae; did you mean --name?\nsee: " + self + " compare --help\n"},
		{[]string{"compare", rj, rj, "--name", "x"}, `drsconform compare: --name "x": invalid value: want LABEL=PATH, e.g. --name vendor-a=out-a` + "\nsee: " + self + " compare --help\n"},
		{[]string{"compare", rj, rj, "--name", "x=elsewhere.json"}, "drsconform compare: --name x=elsewhere.json: elsewhere.json is not one of the inputs (" + rj + ", " + rj + ")\nsee: " + self + " compare --help\n"},
		{[]string{"compare", rj, filepath.Join(dir, "missing.json")}, "drsconform compare: stat " + filepath.Join(dir, "missing.json") + ": no such file or directory\n"},
		{[]string{"compare", rj, broken}, "drsconform compare: " + broken + ": not a report.json: "},
		{[]string{"compare", rj, dir}, "drsconform compare: " + dir + ": not a results bundle (no manifest.json)\n"},
	} {
		code, out, errOut := runCLI(t, tc.args...)
		assert.Equal(t, result.ExitUsage, code, "%v", tc.args)
		assert.Empty(t, out, "%v", tc.args)
		assert.True(t, strings.HasPrefix(errOut, tc.want), "%v:\n got %q\nwant %q", tc.args, errOut, tc.want)
	}
}
