package main

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/reference"
	"github.com/drsconform/drsconform/result"
)

// runCLI runs `drsconform args...` in-process and returns exit code, stdout, stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := dispatch(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestRunAgainstTheEmbeddedReferencePasses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "run", "--quiet", "--report-dir", dir)
	require.Equal(t, result.ExitConformant, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, out, "verdict: PASS (exit 0, complete)")
	assert.Contains(t, out, "0 failed")
	assert.Contains(t, errOut, "playing against the embedded reference implementation at http://127.0.0.1:")
	assert.Contains(t, out, "; check with: "+invocation()+" verify-bundle "+dir+"\n", "the command that verifies the bundle, as it can be typed here")
	for _, name := range []string{"report.json", "junit.xml", "report.md", "report.html"} {
		assert.FileExists(t, filepath.Join(dir, name))
	}
}

// A recognisable token must appear in no output: not on stdout or stderr, not
// in any report file, also when the target fails and echoes it back.
func TestRunNeverWritesTheToken(t *testing.T) {
	t.Parallel()
	const token = "TOKEN-Recognisable-9f8e7d6c5b4a"
	type testCase struct {
		name   string
		faulty bool
		exit   int
	}
	run := func(t *testing.T, tc testCase) {
		ref := reference.New(reference.Config{Tokens: []string{token}, Logger: slog.New(slog.DiscardHandler)}).Handler()
		h := ref
		if tc.faulty {
			h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodDelete {
					ref.ServeHTTP(w, r)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("X-Echo", r.Header.Get("X-Auth-Token"))
				w.WriteHeader(http.StatusOK)
				_, _ = w.Write([]byte(`{"error_code":"DRS.M00004","error_msg":"token was ` + r.Header.Get("X-Auth-Token") + `"}`))
			})
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		dir := t.TempDir()
		code, out, errOut := runCLI(t, "run", "--target", srv.URL, "--token", token, "--report-dir", dir,
			"--settle-timeout", "2s", "--cases-match", "*create-failed*")
		assert.Equal(t, tc.exit, code, "stdout:\n%s", out)
		assert.NotContains(t, out, token)
		assert.NotContains(t, errOut, token)
		n := 0
		require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			n++
			assert.NotContains(t, string(data), token, "%s", path)
			return nil
		}))
		assert.GreaterOrEqual(t, n, 4, "the report files were written")
		if tc.faulty {
			assert.Contains(t, out, "REQ-HTTP-01", "the summary names the requirement")
			assert.Contains(t, out, `"X-Auth-Token: $DRSCONFORM_TOKEN"`, "the curl command reads the token from the environment")
		}
	}
	tests := []testCase{
		{name: "conforming target", exit: result.ExitConformant},
		{name: "failing target echoing the token", faulty: true, exit: result.ExitNonConformant},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run(t, tc)
		})
	}
}

func TestRunUsageErrors(t *testing.T) {
	t.Parallel()
	broken := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(broken, "x.yaml"), []byte("theme: x\ntitle: X\ncases:\n  - id: x.one\n    title: one\n    requirements: [REQ-STA-01]\n    reqest: {}\n"), 0o644))
	type testCase struct {
		name   string
		args   []string
		stderr string
	}
	run := func(t *testing.T, tc testCase) {
		code, _, errOut := runCLI(t, append([]string{"run"}, tc.args...)...)
		assert.Equal(t, result.ExitUsage, code)
		assert.Contains(t, errOut, tc.stderr)
		assert.NotContains(t, errOut, "playing against", "nothing starts before a usage error")
	}
	tests := []testCase{
		{name: "unknown flag", args: []string{"--tagz", "x"}, stderr: "drsconform run: unknown flag --tagz; did you mean --tags?\n"},
		{name: "stray argument", args: []string{"http://x"}, stderr: `unexpected argument "http://x"`},
		{name: "parallel zero", args: []string{"--parallel", "0"}, stderr: "--parallel 0: want 1 or more"},
		{name: "max-failures negative", args: []string{"--max-failures", "-1"}, stderr: "--max-failures -1: want 0 (all) or more"},
		{name: "cases dir missing", args: []string{"--cases", filepath.Join(broken, "nope")}, stderr: "no such file or directory"},
		{name: "case file with a typo", args: []string{"--cases", broken}, stderr: filepath.Join(broken, "x.yaml") + ":7:5"},
		{name: "target not http", args: []string{"--target", "ftp://example.com"}, stderr: "want an http:// or https:// URL"},
		{name: "credentials in the URL", args: []string{"--target", "http://user:secret@example.com"}, stderr: "--target: credentials do not belong in the URL"},
		{name: "target ip:port without scheme", args: []string{"--target", "127.0.0.1:9"}, stderr: `drsconform run: --target "127.0.0.1:9": no scheme; did you mean http://127.0.0.1:9?`},
		{name: "target host:port without scheme", args: []string{"--target", "localhost:8080"}, stderr: `drsconform run: --target "localhost:8080": no scheme; did you mean http://localhost:8080?`},
		{name: "target host without scheme", args: []string{"--target", "example.com"}, stderr: `drsconform run: --target "example.com": no scheme; did you mean http://example.com?`},
		{name: "fixtures URL without scheme", args: []string{"--fixtures-url", "127.0.0.1:9/_conformance"}, stderr: `drsconform run: --fixtures-url "127.0.0.1:9/_conformance": no scheme; did you mean http://127.0.0.1:9/_conformance?`},
		{name: "target that does not parse", args: []string{"--target", "http://[::1"}, stderr: `drsconform run: --target "http://[::1": missing ']' in host`},
		{name: "bad glob", args: []string{"--cases-match", "[", "--target", "http://127.0.0.1:1"}, stderr: "--cases-match"},
		// without --target: the embedded reference is not started either
		{name: "bad glob, embedded reference", args: []string{"--cases-match", "["}, stderr: `drsconform run: --cases-match "[": syntax error in pattern`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run(t, tc)
		})
	}
}

func TestRunUnreachableTargetCannotBeJudged(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	code, out, errOut := runCLI(t, "run", "--target", "http://"+addr, "--cases-match", "delete.create-failed")
	assert.Equal(t, result.ExitCannotJudge, code)
	assert.Equal(t, 1, strings.Count(errOut, "connection refused by "+addr), "said once, before any case: %s", errOut)
	assert.Contains(t, errOut, "stopped before any case")
	assert.NotContains(t, out, "verdict:", "no case was played")
}

func TestListTakesTheRunsFilters(t *testing.T) {
	t.Parallel()
	code, out, _ := runCLI(t, "list", "--cases-match", "lifecycle.*,unknown.*")
	require.Equal(t, result.ExitConformant, code)
	assert.Contains(t, out, "lifecycle.terminate-then-delete")
	assert.Contains(t, out, "unknown.single")
	assert.NotContains(t, out, "delete.create-failed")
	assert.Contains(t, out, "partial run: ")
	code, _, errOut := runCLI(t, "list", "--cases-match", "lifecycle")
	assert.Equal(t, result.ExitUsage, code)
	assert.Contains(t, errOut, "did you mean --cases-match 'lifecycle.*'?")
	code, out, _ = runCLI(t, "list", "--requirements", "REQ-STA-11")
	require.Equal(t, result.ExitConformant, code)
	assert.Contains(t, out, "choice.duplicate-delete")
	assert.NotContains(t, out, "delete.create-failed")
	code, out, _ = runCLI(t, "list", "--requirements=REQ-STA-11", "--traceability")
	require.Equal(t, result.ExitConformant, code)
	assert.Contains(t, out, "REQ-STA-11")
}

func TestListRequirementsTracesEveryRequirement(t *testing.T) {
	t.Parallel()
	code, out, _ := runCLI(t, "list", "--requirements")
	require.Equal(t, result.ExitConformant, code)
	assert.Contains(t, out, "REQ-STA-11")
	assert.Contains(t, out, "choice.duplicate-delete")
	assert.Contains(t, out, ", 0 without a case")
	code, out, _ = runCLI(t, "list")
	require.Equal(t, result.ExitConformant, code)
	assert.Contains(t, out, "lifecycle.terminate-then-delete")
}

func TestRunWarnsAboutAShortToken(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	_, _, errOut := runCLI(t, "run", "--quiet", "--target", srv.URL, "--token", "T", "--cases-match", "unknown.single")
	assert.Contains(t, errOut, "warning: the token is 1 characters long; too short to redact safely inside text")
	_, _, errOut = runCLI(t, "run", "--quiet", "--target", srv.URL, "--token", "long-enough-token", "--cases-match", "unknown.single")
	assert.NotContains(t, errOut, "warning: the token")
}
