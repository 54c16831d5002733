package hostile_test

// Each test plays the drsconform binary, built once, as a child process
// against one hostile target and asserts what a user must be able to rely
// on: the verdict and exit code, peak memory (the child's max RSS), the size
// of stdout and of the report directory, no control character from the
// target on the terminal or in report.md, and no form of the token anywhere.

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/internal/hostile"
)

// The bounds every run must keep, whatever the target answers.
const (
	maxRSS        = 400 << 20 // bytes of peak resident memory of the CLI
	maxStdout     = 1 << 20   // bytes the CLI prints
	maxReportDir  = 64 << 20  // bytes of report.json, junit.xml, report.md, report.html, …
	token         = "Hostile-SECRET+tok.7f3a9c2e_Zq~"
	leakSubstring = 10 // no run of this many characters of any token form may appear
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// drsconform builds the CLI once per test binary.
func drsconform(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "drsconform-hostile-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "drsconform")
		gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(gobin); err != nil {
			gobin = "go"
		}
		out, err := exec.Command(gobin, "build", "-o", binary, "github.com/drsconform/drsconform/cmd/drsconform").CombinedOutput()
		if err != nil {
			buildErr = err
			binary = string(out)
		}
	})
	require.NoError(t, buildErr, "go build: %s", binary)
	return binary
}

// measureEnv, when set, makes the test binary a launcher: it runs the
// command of its arguments and writes the child's peak RSS to the file the
// variable names. Linux counts, in a child's peak, the memory of the process
// that started it (the child shares it until exec): started from this
// fresh, small launcher instead of from the busy test process, the figure
// is the CLI's own, plus a few MiB.
const measureEnv = "DRSCONFORM_HOSTILE_RSS_FILE"

func TestMain(m *testing.M) {
	if out := os.Getenv(measureEnv); out != "" {
		os.Exit(launch(out, os.Args[1:]))
	}
	code := m.Run()
	if binary != "" && buildErr == nil {
		_ = os.RemoveAll(filepath.Dir(binary))
	}
	os.Exit(code)
}

func launch(rssFile string, args []string) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		_ = os.WriteFile(rssFile, []byte(strconv.FormatInt(ru.Maxrss, 10)), 0o600)
	}
	var exit *exec.ExitError
	if errorsAs(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		return 125
	}
	return 0
}

type runResult struct {
	code           int
	stdout, stderr string
	rss            int64 // peak resident bytes, 0 where unknown
	reportDir      string
	reportBytes    int64
	reports        map[string]string // file name → content
}

func runCLI(t *testing.T, args ...string) runResult {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rssFile := filepath.Join(t.TempDir(), "rss")
	self, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.CommandContext(ctx, self, append([]string{drsconform(t)}, append(args, "--report-dir", dir, "--quiet")...)...)
	cmd.Env = append(os.Environ(), "DRSCONFORM_TOKEN=", measureEnv+"="+rssFile) // only the token the test passes
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	res := runResult{stdout: stdout.String(), stderr: stderr.String(), reportDir: dir, reports: map[string]string{}}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errorsAs(err, &exit):
		res.code = exit.ExitCode()
	default:
		t.Fatalf("run: %v", err)
	}
	if kib, err := os.ReadFile(rssFile); err == nil && runtime.GOOS == "linux" {
		n, _ := strconv.ParseInt(string(kib), 10, 64)
		res.rss = n << 10 // ru_maxrss is in KiB on Linux
	}
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		res.reportBytes += int64(len(data))
		rel, _ := filepath.Rel(dir, p)
		res.reports[rel] = string(data)
		return nil
	})
	return res
}

func errorsAs(err error, target **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	if ok {
		*target = e
	}
	return ok
}

// serve starts h on 127.0.0.1 and returns its URL.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// controlChar is a C0 or C1 control character other than newline and tab,
// or a bidi override: none may reach a terminal or report.md from a target.
var controlChar = regexp.MustCompile("[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e\u2066-\u2069]")

// assertBounded checks what every run must keep, whatever the target did.
func assertBounded(t *testing.T, res runResult) {
	t.Helper()
	if res.rss > 0 {
		assert.Less(t, res.rss, int64(maxRSS), "peak RSS %d MiB", res.rss>>20)
	}
	assert.Less(t, len(res.stdout), maxStdout, "stdout is %d bytes", len(res.stdout))
	assert.Less(t, res.reportBytes, int64(maxReportDir), "the report directory holds %d bytes", res.reportBytes)
	for name, text := range map[string]string{"stdout": res.stdout, "stderr": res.stderr, "report.md": res.reports["report.md"]} {
		if loc := controlChar.FindStringIndex(text); loc != nil {
			t.Errorf("%s carries a raw control character %q at byte %d: …%s…", name, text[loc[0]:loc[1]], loc[0],
				strings.ToValidUTF8(text[max(0, loc[0]-40):min(len(text), loc[1]+40)], "?"))
		}
	}
	assertNoToken(t, res)
}

// assertNoToken: no form of the token, whole or cut to leakSubstring
// characters, in any output.
func assertNoToken(t *testing.T, res runResult) {
	t.Helper()
	outputs := map[string]string{"stdout": res.stdout, "stderr": res.stderr}
	for name, text := range res.reports {
		outputs[name] = text
	}
	for _, form := range hostile.TokenForms(token) {
		for name, text := range outputs {
			lower := strings.ToLower(text)
			for i := 0; i+leakSubstring <= len(form); i++ {
				piece := strings.ToLower(form[i : i+leakSubstring])
				if strings.Contains(lower, piece) {
					at := strings.Index(lower, piece)
					t.Errorf("%s leaks %q (from the token form %q): …%s…", name, form[i:i+leakSubstring], form,
						text[max(0, at-40):min(len(text), at+leakSubstring+40)])
					break
				}
			}
		}
	}
}

func TestHostileTargets(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name    string
		target  http.Handler
		args    []string
		exit    int
		verdict string // the verdict line of stdout, "" when the run stops before any case
		stderr  string // stderr must contain it
	}
	ref := func() http.Handler { return hostile.Reference(token) }
	run := func(t *testing.T, tc testCase) {
		url := serve(t, tc.target)
		// Generated batches (a smaller budget than the default) meet the
		// hostile answers too.
		res := runCLI(t, append([]string{"run", "--target", url, "--timeout", "5s", "--settle-timeout", "5s", "--generate", "5", "--seed", "1"}, tc.args...)...)
		t.Logf("exit %d, peak RSS %d MiB, stdout %d bytes, reports %d bytes", res.code, res.rss>>20, len(res.stdout), res.reportBytes)
		assert.Equal(t, tc.exit, res.code, "stdout:\n%s\nstderr:\n%s", tail(res.stdout), tail(res.stderr))
		if tc.verdict != "" {
			assert.Regexp(t, "(?m)^verdict: "+regexp.QuoteMeta(tc.verdict), res.stdout)
			assert.Equal(t, 1, len(regexp.MustCompile(`(?m)^verdict: `).FindAllString(res.stdout, -1)),
				"exactly one verdict line starts a line")
		}
		if tc.stderr != "" {
			assert.Contains(t, res.stderr, tc.stderr)
		}
		assertBounded(t, res)
	}
	tests := []testCase{
		{name: "1 MiB of response headers", target: hostile.HugeHeaders(ref(), 1<<20), args: []string{"--token", token},
			exit: 3, verdict: "INCOMPLETE"},
		{name: "4 MiB of response headers", target: hostile.HugeHeaders(ref(), 4<<20), args: []string{"--token", token},
			exit: 3, verdict: "INCOMPLETE"},
		{name: "3000 small headers on every answer", target: hostile.ManyHeaders(ref(), 3000), args: []string{"--token", token},
			exit: 0, verdict: "PASS"},
		{name: "result ids, messages and count of 1 MiB", target: hostile.HugeStrings(ref(), 1<<20), args: []string{"--token", token},
			exit: 1, verdict: "FAIL"},
		// Error messages on successful results (REQ-RES-06) and the echo
		// itself break SHOULDs: a warning, not a failure.
		{name: "the token echoed in every form", target: hostile.EchoToken(ref(), token), args: []string{"--token", token},
			exit: 0, verdict: "WARN"},
		{name: "a harness that refuses everything", target: hostile.Harness(ref(), hostile.RefuseFixtures("this harness makes no tasks")),
			args: []string{"--token", token}, exit: 3, verdict: "INCOMPLETE"},
		{name: "a harness reason with terminal escapes", target: hostile.Harness(ref(), hostile.RefuseFixtures(hostile.FakeVerdict)),
			args: []string{"--token", token}, exit: 3, verdict: "INCOMPLETE"},
		{name: "a harness reason with the token", target: hostile.Harness(ref(), hostile.RefuseFixtures(strings.Join(hostile.TokenForms(token), " "))),
			args: []string{"--token", token}, exit: 3, verdict: "INCOMPLETE"},
		{name: "credentials rejected, none given", target: hostile.Gateway(ref(), token),
			exit: 2, stderr: "credentials rejected by the target (401 APIGW.0301): no token was given; pass --token or DRSCONFORM_TOKEN"},
		{name: "credentials rejected, a wrong one given", target: hostile.Gateway(ref(), token), args: []string{"--token", token + "-wrong"},
			exit: 3, stderr: "credentials rejected by the target (401 APIGW.0301)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run(t, tc)
		})
	}
}

func TestTargetDownIsSaidOnce(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	res := runCLI(t, "run", "--target", "http://"+addr, "--token", token)
	assert.Equal(t, 3, res.code)
	assert.Equal(t, 1, strings.Count(res.stdout+res.stderr, "connection refused"), "stderr:\n%s", res.stderr)
	assertBounded(t, res)
}

// startProxy runs `drsconform proxy` in front of upstream and returns its
// URL and a function that stops it and returns what it logged.
func startProxy(t *testing.T, upstream string, args ...string) (string, func() string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, drsconform(t), append([]string{"proxy", "--listen", "127.0.0.1:0", "--upstream", upstream, "--verbose"}, args...)...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := regexp.MustCompile(`listening on (http://\S+),`).FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	var url string
	select {
	case url = <-addr:
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("the proxy did not start: %s", stderr.String())
	}
	stop := func() string {
		cancel()
		_ = cmd.Wait()
		return stderr.String()
	}
	t.Cleanup(func() { stop() })
	return url, stop
}

func TestProxyNeverPassesOnACutAnswerAsComplete(t *testing.T) {
	t.Parallel()
	url, stop := startProxy(t, serve(t, hostile.Endless()), "--timeout", "1s", "--max-body", "1024")
	req, err := http.NewRequest(http.MethodDelete, url+"/v3/p1/jobs/batch-jobs", strings.NewReader(`{"jobs":[{"delete_type":"delete","job_id":"j-1"}]}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Auth-Token", token)
	resp, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	if err == nil {
		body, readErr := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if readErr == nil {
			assert.GreaterOrEqual(t, resp.StatusCode, 500, "a cut answer arrived as a complete %d: %s", resp.StatusCode, body)
		}
	}
	log := stop()
	assert.Contains(t, log, "aborted")
	assert.NotContains(t, log, token)
}

func TestProxyChecksAGzipAnswerWithoutChangingIt(t *testing.T) {
	t.Parallel()
	url, stop := startProxy(t, serve(t, hostile.Gzip(hostile.Reference(token))))
	body := `{"jobs":[{"delete_type":"delete","job_id":"j-unknown-1"}]}`
	req, err := http.NewRequest(http.MethodDelete, url+"/v3/054ba152d480d55b2f5dc0069e7ddef0/jobs/batch-jobs", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Auth-Token", token)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{DisableCompression: true}}).Do(req)
	require.NoError(t, err)
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusAccepted, resp.StatusCode)
	assert.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
	assert.True(t, bytes.HasPrefix(raw, []byte{0x1f, 0x8b}), "the gzip bytes pass through unchanged")
	sum, err := http.Get(url + "/_drsconform/proxy/summary")
	require.NoError(t, err)
	summary, _ := io.ReadAll(sum.Body)
	_ = sum.Body.Close()
	assert.Regexp(t, `"violations":\s*0`, string(summary))
	log := stop()
	assert.NotContains(t, log, "REQ-HTTP-02")
}

func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}
