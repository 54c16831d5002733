package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/result"
)

func TestReportFromProxyLog(t *testing.T) {
	t.Parallel()
	sample := filepath.Join("..", "..", "report", "testdata", "proxylog.jsonl")
	clean := filepath.Join(t.TempDir(), "clean.jsonl")
	require.NoError(t, os.WriteFile(clean, []byte(`{"exchange":1,"method":"DELETE","path":"/v3/p/jobs/batch-jobs","status":202,"outcome":"forwarded","in_contract":true,"facts":{"credential":"x-auth-token","jobs":1,"delete_types":["delete"]}}`+"\n"), 0o600))
	broken := filepath.Join(t.TempDir(), "broken.jsonl")
	require.NoError(t, os.WriteFile(broken, []byte("garbage\n"), 0o600))
	dir := filepath.Join(t.TempDir(), "out")

	type testCase struct {
		name       string
		args       []string
		code       int
		stdout     string // contained
		stderr     string // contained
		wantsFiles bool
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		var stdout, stderr syncBuffer
		code := dispatch(context.Background(), append([]string{"report"}, tc.args...), &stdout, &stderr)
		assert.Equal(t, tc.code, code, "stderr: %s", stderr.String())
		assert.Contains(t, stdout.String(), tc.stdout)
		assert.Contains(t, stderr.String(), tc.stderr)
		if tc.wantsFiles {
			for _, f := range []string{"report.md", "report.html", "junit.xml"} {
				_, err := os.Stat(filepath.Join(dir, f))
				assert.NoError(t, err)
			}
		}
	}
	for _, tc := range []testCase{
		{name: "markdown of a failing log", args: []string{"--from-proxy-log", sample}, code: result.ExitNonConformant,
			stdout: "## drsconform proxy log: FAIL", stderr: "proxylog.jsonl:4: not a JSON record"},
		{name: "clean log", args: []string{"--from-proxy-log", clean, "--format", "junit"}, code: result.ExitConformant,
			stdout: `failures="0"`},
		{name: "all formats to a directory", args: []string{"--from-proxy-log", sample, "--out", dir}, code: result.ExitNonConformant,
			stderr: "wrote report.md, report.html and junit.xml", wantsFiles: true},
		{name: "not a log", args: []string{"--from-proxy-log", broken}, code: result.ExitUsage,
			stderr: "not an exchange log of drsconform proxy: " + broken + ":1: not a JSON record"},
		{name: "missing file", args: []string{"--from-proxy-log", filepath.Join(t.TempDir(), "nope.jsonl")}, code: result.ExitUsage,
			stderr: "--from-proxy-log:"},
		{name: "json format", args: []string{"--from-proxy-log", sample, "--format", "json"}, code: result.ExitUsage,
			stderr: "with --from-proxy-log, want html, md or junit"},
		{name: "both sources", args: []string{"--from-proxy-log", sample, "--from", "r.json"}, code: result.ExitUsage,
			stderr: "exclude each other"},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}
