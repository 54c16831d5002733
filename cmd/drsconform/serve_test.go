package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drsconform/drsconform/result"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer safe to write from the server's goroutines
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServeFlags(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name string
		args []string
		want string // in stderr
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		var stdout, stderr syncBuffer
		code := runServe(context.Background(), tc.args, &stdout, &stderr)
		assert.Equal(t, result.ExitUsage, code)
		assert.Contains(t, stderr.String(), tc.want)
		assert.Empty(t, stdout.String())
	}
	for _, tc := range []testCase{
		{name: "unknown flag", args: []string{"--bogus"}, want: "drsconform serve: unknown flag --bogus\n"},
		{name: "bad duplicates", args: []string{"--duplicates", "twice"}, want: "want accept or reject"},
		{name: "bad unknown-fields", args: []string{"--unknown-fields", "keep"}, want: "want ignore or reject"},
		{name: "bad other-language", args: []string{"--other-language", "fr"}, want: "want default or reject"},
		{name: "bad content-type status", args: []string{"--content-type-status", "422"}, want: "want 400 or 415"},
		{name: "bad choices", args: []string{"--choices", "both"}, want: `drsconform serve: --choices "both": invalid value: want reference or other`},
		{name: "bad choice over a preset", args: []string{"--choices", "other", "--duplicates", "twice"}, want: `--duplicates "twice": invalid value: want accept or reject`},
		{name: "misspelt choices", args: []string{"--choice", "other"}, want: "--choices"},
		{name: "bad release delay", args: []string{"--release-delay", "soon"}, want: "invalid value"},
		{name: "negative release delay", args: []string{"--release-delay", "-1s"}, want: "want 0 or more"},
		{name: "zero max body", args: []string{"--max-body", "0"}, want: "--max-body 0"},
		{name: "ak without sk", args: []string{"--ak", "x"}, want: "--ak and --sk go together"},
		{name: "argument", args: []string{"now"}, want: `unexpected argument "now"`},
		{name: "address in use or bad", args: []string{"--listen", "256.0.0.1:1"}, want: "drsconform serve:"},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

// serve starts, says where it listens, answers, logs without the token, and
// stops cleanly when its context ends (SIGINT/SIGTERM in main).
func TestServeLifecycle(t *testing.T) {
	t.Parallel()
	base, stop := launchServe(t, "--token", "secret-one,secret-two", "--release-delay", "0")

	client := &http.Client{Timeout: 5 * time.Second}
	send := func(method, path, token, body string) int {
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Auth-Token", token)
		resp, err := client.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusCreated, send("POST", "/_conformance/v1/jobs", "secret-two", `{"project_id":"p","status":"CREATING"}`))
	assert.Equal(t, http.StatusForbidden, send("DELETE", "/v3/p/jobs/batch-jobs", "not-a-token", `{"jobs":[{"delete_type":"delete","job_id":"x"}]}`))
	assert.Equal(t, http.StatusAccepted, send("DELETE", "/v3/p/jobs/batch-jobs", "secret-one", `{"jobs":[{"delete_type":"delete","job_id":"x"}]}`))

	logs := stop()
	assert.Contains(t, logs, "method=DELETE path=/v3/p/jobs/batch-jobs status=202")
	assert.Contains(t, logs, "status=403")
	assert.Contains(t, logs, "duration=")
	for _, secret := range []string{"secret-one", "secret-two", "not-a-token"} {
		assert.NotContains(t, logs, secret, "credentials never reach the logs")
	}
}

// launchServe runs `drsconform serve args` on a free loopback port and
// returns its base URL and stop. stop ends it, checks that it exited 0
// within 15 s, and returns what it logged; the end of the test stops it too.
func launchServe(t *testing.T, args ...string) (string, func() string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- runServe(ctx, append([]string{"--listen", "127.0.0.1:0"}, args...), &stdout, &stderr) }()
	var once sync.Once
	stop := func() string {
		once.Do(func() {
			cancel()
			select {
			case code := <-done:
				assert.Equal(t, result.ExitConformant, code, "stderr: %s", stderr.String())
			case <-time.After(15 * time.Second):
				t.Error("serve did not stop after its context ended")
			}
		})
		return stderr.String()
	}
	t.Cleanup(func() { stop() })
	line := regexp.MustCompile(`(?m)^drsconform serve: listening on (https?://127\.0\.0\.1:\d+)$`)
	if !assert.Eventually(t, func() bool { return line.MatchString(stdout.String()) }, 10*time.Second, 10*time.Millisecond) {
		t.Fatalf("serve %v did not say where it listens: stdout %q, stderr %q", args, stdout.String(), stop())
	}
	return line.FindStringSubmatch(stdout.String())[1], stop
}

// startServe is launchServe for a test that only needs the URL.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	base, _ := launchServe(t, args...)
	return base
}
