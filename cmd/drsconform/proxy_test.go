package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/proxy"
	"github.com/drsconform/drsconform/reference"
	"github.com/drsconform/drsconform/result"
)

func TestProxyFlags(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name string
		args []string
		want string // in stderr
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		var stdout, stderr syncBuffer
		code := dispatch(context.Background(), append([]string{"proxy"}, tc.args...), &stdout, &stderr)
		assert.Equal(t, result.ExitUsage, code)
		assert.Contains(t, stderr.String(), tc.want)
		assert.Empty(t, stdout.String(), "nothing starts")
	}
	up := []string{"--upstream", "http://127.0.0.1:8080"}
	for _, tc := range []testCase{
		{name: "no upstream", args: nil, want: "--upstream URL is required"},
		{name: "upstream ip:port without scheme", args: []string{"--upstream", "127.0.0.1:9"}, want: `drsconform proxy: --upstream "127.0.0.1:9": no scheme; did you mean http://127.0.0.1:9?`},
		{name: "upstream host:port without scheme", args: []string{"--upstream", "localhost:8080"}, want: `drsconform proxy: --upstream "localhost:8080": no scheme; did you mean http://localhost:8080?`},
		{name: "upstream host without scheme", args: []string{"--upstream", "example.com"}, want: `drsconform proxy: --upstream "example.com": no scheme; did you mean http://example.com?`},
		{name: "upstream not http", args: []string{"--upstream", "ftp://example.com"}, want: `--upstream "ftp://example.com": want an http:// or https:// URL`},
		{name: "upstream that does not parse", args: []string{"--upstream", "http://[::1"}, want: `--upstream "http://[::1": missing ']' in host`},
		{name: "upstream with a query", args: []string{"--upstream", "http://h/?a=1"}, want: "a base URL has no query or fragment"},
		{name: "upstream without host", args: []string{"--upstream", "http://"}, want: "no host"},
		{name: "upstream with credentials", args: []string{"--upstream", "http://me:pw@h"}, want: "credentials do not belong"},
		{name: "unknown flag", args: append([]string{"--bogus"}, up...), want: "drsconform proxy: unknown flag --bogus\n"},
		{name: "misspelt flag", args: []string{"--upstrem", "http://127.0.0.1:8080"}, want: "drsconform proxy: unknown flag --upstrem; did you mean --upstream?\n"},
		{name: "zero max body", args: append([]string{"--max-body", "0"}, up...), want: "--max-body 0"},
		{name: "zero timeout", args: append([]string{"--timeout", "0s"}, up...), want: "--timeout 0s"},
		{name: "bad timeout", args: append([]string{"--timeout", "soon"}, up...), want: "invalid value"},
		{name: "argument", args: append(up, "now"), want: `unexpected argument "now"`},
		{name: "log in a missing folder", args: append([]string{"--log", "/nonexistent/dir/x.log"}, up...), want: "--log:"},
		{name: "unknown allowed requirement", args: append([]string{"--allow", "REQ-VAL-04,REQ-STA-1"}, up...),
			want: `drsconform proxy: --allow: unknown requirement "REQ-STA-1" (did you mean REQ-STA-01?)`},
		{name: "empty allow entry", args: append([]string{"--allow", ","}, up...), want: "--allow: an empty entry"},
		{name: "bad listen address", args: append([]string{"--listen", "256.0.0.1:1"}, up...), want: "drsconform proxy:"},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

// The help says which faults --reject-invalid-requests leaves to the service.
func TestProxyHelp(t *testing.T) {
	t.Parallel()
	var stdout, stderr syncBuffer
	code := dispatch(context.Background(), []string{"proxy", "-h"}, &stdout, &stderr)
	assert.Equal(t, result.ExitConformant, code)
	assert.Regexp(t, `--reject-invalid-requests\n[^-]*credential \(X-Auth-Token or Authorization missing or malformed\) is still forwarded`,
		stdout.String())
	assert.Empty(t, stderr.String())
}

// The proxy starts through dispatch, says where it listens, forwards to the
// reference, answers its summary, and on shutdown prints the summary and,
// with --fail-on-violation, exits 1 if it saw a violation.
func TestProxyLifecycle(t *testing.T) {
	t.Parallel()
	const token = "tok-lifecycle-Kx72-secret"
	type testCase struct {
		name     string
		flags    []string
		badBody  bool
		expect   string // X-Drsconform-Expect-Violation of the DELETE
		clean    bool   // the gate passes
		wantCode int
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		ref := httptest.NewServer(reference.New(reference.Config{ReleaseDelay: -1, Tokens: []string{token}}).Handler())
		t.Cleanup(ref.Close)
		logFile := filepath.Join(t.TempDir(), "exchanges.jsonl")

		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var stdout, stderr syncBuffer
		done := make(chan int, 1)
		args := append([]string{"proxy", "--listen", "127.0.0.1:0", "--upstream", ref.URL, "--log", logFile}, tc.flags...)
		go func() { done <- dispatch(ctx, args, &stdout, &stderr) }()
		line := regexp.MustCompile(`^drsconform proxy: listening on (http://127\.0\.0\.1:\d+), forwarding to ` + regexp.QuoteMeta(ref.URL) + "\n")
		require.Eventually(t, func() bool { return line.MatchString(stdout.String()) }, 10*time.Second, 10*time.Millisecond,
			"stdout: %q stderr: %q", stdout.String(), stderr.String())
		base := line.FindStringSubmatch(stdout.String())[1]

		client := &http.Client{Timeout: 5 * time.Second}
		send := func(method, path, body string) (int, []byte) {
			req, err := http.NewRequest(method, base+path, strings.NewReader(body))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Auth-Token", token)
			if tc.expect != "" && method == "DELETE" {
				req.Header.Set(proxy.HeaderExpectViolation, tc.expect)
			}
			resp, err := client.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			return resp.StatusCode, b
		}
		status, _ := send("POST", "/_conformance/v1/jobs", `{"project_id":"p","status":"CREATE_FAILED"}`)
		assert.Equal(t, http.StatusCreated, status)
		deleteType, wantStatus := "delete", http.StatusAccepted
		if tc.badBody {
			deleteType, wantStatus = "remove", http.StatusBadRequest // forwarded: the reference answers it
		}
		status, _ = send("DELETE", "/v3/p/jobs/batch-jobs", `{"jobs":[{"delete_type":"`+deleteType+`","job_id":"j1"}]}`)
		assert.Equal(t, wantStatus, status)

		status, body := send("GET", proxy.SummaryPath, "")
		require.Equal(t, http.StatusOK, status)
		var sum proxy.Summary
		require.NoError(t, json.Unmarshal(body, &sum))
		assert.Equal(t, 2, sum.Exchanges)
		assert.Equal(t, tc.clean, sum.Clean(), "%+v", sum)

		cancel()
		select {
		case code := <-done:
			assert.Equal(t, tc.wantCode, code, "stderr: %s", stderr.String())
		case <-time.After(15 * time.Second):
			t.Fatal("the proxy did not stop after its context ended")
		}
		assert.Contains(t, stdout.String(), "2 exchange(s): 1 checked against the contract, 1 not in the contract")
		assert.Contains(t, stderr.String(), "drsconform proxy: stopped")
		logged, err := os.ReadFile(logFile)
		require.NoError(t, err)
		switch {
		case tc.badBody:
			assert.Contains(t, stdout.String(), "REQ-VAL-04")
			assert.Contains(t, string(logged), `"requirement":"REQ-VAL-04"`)
			assert.Contains(t, string(logged), `"pointer":"/jobs/0/delete_type"`)
			if tc.clean {
				assert.Contains(t, string(logged), `"expected":true`)
				assert.Regexp(t, `expected violations:\s+1`, stdout.String())
			}
		case tc.expect != "":
			assert.Contains(t, string(logged), `"missing_expected":["REQ-VAL-04"]`)
			assert.Contains(t, stdout.String(), "expected REQ-VAL-04, none seen: 1")
		default:
			assert.Empty(t, string(logged), "conforming exchanges are logged only with --verbose")
		}
		for _, out := range []string{stdout.String(), stderr.String(), string(logged)} {
			assert.NotContains(t, out, token)
		}
	}
	for _, tc := range []testCase{
		{name: "clean run", flags: []string{"--fail-on-violation"}, clean: true, wantCode: result.ExitConformant},
		{name: "violation with --fail-on-violation", flags: []string{"--fail-on-violation"}, badBody: true, wantCode: result.ExitNonConformant},
		{name: "violation, observe only", badBody: true, wantCode: result.ExitConformant},
		{name: "allowed violation", flags: []string{"--fail-on-violation", "--allow", "REQ-VAL-04"}, badBody: true, clean: true, wantCode: result.ExitConformant},
		{name: "declared violation", flags: []string{"--fail-on-violation"}, badBody: true, expect: "REQ-VAL-04", clean: true, wantCode: result.ExitConformant},
		{name: "declared violation not seen", flags: []string{"--fail-on-violation"}, expect: "REQ-VAL-04", wantCode: result.ExitNonConformant},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}
