package runner_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/report"
	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
)

// outputs renders every output of a run: the report files and the summary.
func outputs(t *testing.T, rep *result.Report) (files map[string][]byte, dirBytes int64, summary string) {
	t.Helper()
	dir := t.TempDir()
	_, err := report.WriteDir(dir, rep)
	require.NoError(t, err)
	files = map[string][]byte{}
	for _, f := range report.Formats() {
		b, err := os.ReadFile(filepath.Join(dir, f.File))
		require.NoError(t, err)
		files[f.File] = b
		dirBytes += int64(len(b))
	}
	var out bytes.Buffer
	report.Summary(&out, rep)
	return files, dirBytes, out.String()
}

func TestHugeResponseHeadersAreATransportError(t *testing.T) {
	t.Parallel()
	// The preflight's probe (the first API request) gets a sane answer.
	var seen atomic.Int32
	srv := httptest.NewServer(faulty(func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if seen.Add(1) > 1 {
			for i := 0; i < 16; i++ {
				w.Header().Set(fmt.Sprintf("X-Junk-%d", i), strings.Repeat("j", 64<<10)) // 1 MiB in all
			}
		}
		next.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	rep := play(t, srv.URL, "unknown.*", nil)
	c := caseResult(t, rep, "unknown.single")
	assert.Equal(t, result.Error, c.Verdict, "%v", c.Messages)
	assert.Contains(t, strings.Join(c.Messages, "\n"), "header")
	files, size, summary := outputs(t, rep)
	assert.Less(t, size, int64(2<<20), "no megabyte of headers reaches a report")
	assert.Less(t, len(summary), 64<<10)
	assert.NotContains(t, string(files["report.json"]), strings.Repeat("j", 1024))
}

func TestHugeResultIDsAreBoundedInEveryOutput(t *testing.T) {
	t.Parallel()
	huge := func(i int) string { return fmt.Sprintf("\x1b[2J%d-%s", i, strings.Repeat("i", 1<<20)) } // 1 MiB each, with an ANSI escape
	srv := httptest.NewServer(faulty(answer(mapJSON(func(m map[string]any) {
		results, _ := m["results"].([]any)
		for i, r := range results {
			if i < 3 { // 3 MiB: under the 4 MiB an answer may have to be judged
				r.(map[string]any)["id"] = huge(i)
			}
		}
	}))))
	t.Cleanup(srv.Close)
	// Megabytes of JSON per answer take time under -race on a busy machine.
	rep := play(t, srv.URL, "partial.*", func(c *runner.Config) { c.Timeout = 30 * time.Second })
	c := caseResult(t, rep, "partial.six-items-in-order")
	require.Equal(t, result.Fail, c.Verdict, "%v", c.Messages)
	raw := 0
	for _, f := range c.Findings {
		raw += len(f.Expected) + len(f.Got)
		assert.NotContains(t, f.Got, "\x1b")
	}
	assert.Less(t, raw, 200<<10, "findings quote ids, they do not copy them")
	files, size, summary := outputs(t, rep)
	assert.Less(t, size, int64(8<<20), "the report directory of a few cases")
	assert.LessOrEqual(t, size, int64(64<<20))
	assert.Less(t, len(summary), 200<<10, "stdout")
	assert.False(t, strings.Contains(summary, "\x1b"), "an ANSI escape on stdout")
	assert.False(t, bytes.Contains(files["report.md"], []byte("\x1b")), "an ANSI escape in report.md")
	assert.False(t, bytes.Contains(files["report.html"], []byte("\x1b")), "an ANSI escape in report.html")
}

// A target that echoes the token in every form, in its body and headers,
// also across the evidence cap.
func TestTheTokenLeavesInNoForm(t *testing.T) {
	t.Parallel()
	jsonAll := func(s string) string {
		var b strings.Builder
		for i, r := range s {
			if i%2 == 0 {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		}
		return b.String()
	}
	pctAll := func(s string) string {
		var b strings.Builder
		for _, c := range []byte(s) {
			fmt.Fprintf(&b, "%%%02x", c)
		}
		return b.String()
	}
	forms := []string{testToken, strings.ToUpper(testToken), strings.ToLower(testToken), jsonAll(testToken),
		url.QueryEscape(testToken), pctAll(testToken), strings.ToUpper(pctAll(testToken))}
	srv := httptest.NewServer(faulty(func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		tok := r.Header.Get("X-Auth-Token")
		w.Header().Set("X-Echo-"+tok, "name")
		w.Header().Set("X-Echo", strings.ToLower(tok))
		w.Header().Set("Set-Cookie", "sid="+tok)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(500)
		var body strings.Builder
		body.WriteString(`{"error_code":"DRS.M00004","error_msg":"`)
		for _, f := range []string{tok, strings.ToUpper(tok), jsonAll(tok), pctAll(tok)} {
			body.WriteString(f + " ")
		}
		body.WriteString(strings.Repeat("p", 16<<10-body.Len()-len(tok)/2)) // straddles the evidence cap
		body.WriteString(tok + `"}`)
		_, _ = w.Write([]byte(body.String()))
	}))
	t.Cleanup(srv.Close)
	rep := play(t, srv.URL, "unknown.*", nil)
	require.Equal(t, result.Fail, caseResult(t, rep, "unknown.single").Verdict)
	files, _, summary := outputs(t, rep)
	files["stdout"] = []byte(summary)
	for name, b := range files {
		for _, f := range forms {
			assert.NotContains(t, strings.ToLower(string(b)), strings.ToLower(f), "%s shows the token as %q", name, f)
		}
		assert.NotContains(t, strings.ToLower(string(b)), "runner-secret", "%s shows part of the token", name)
	}
	assert.Contains(t, string(files["report.json"]), `X-Echo-[REDACTED]`)
}

func TestAHarnessCannotDrawOnTheTerminal(t *testing.T) {
	t.Parallel()
	// Healthy through the preflight (probe, make, read back), then broken.
	srv := httptest.NewServer(afterPreflight(3, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
		_, _ = w.Write([]byte("\x1b[2J\x1b[H\rverdict: PASS (exit 0)\n\u202e"))
	}, faulty(func(w http.ResponseWriter, r *http.Request, next http.Handler) { next.ServeHTTP(w, r) })))
	t.Cleanup(srv.Close)
	rep := play(t, srv.URL, "delete.create-failed", nil)
	require.Equal(t, result.Error, caseResult(t, rep, "delete.create-failed").Verdict)
	files, _, summary := outputs(t, rep)
	assert.NotContains(t, summary, "\x1b")
	assert.NotContains(t, summary, "\r")
	assert.NotContains(t, summary, "\u202e")
	assert.NotContains(t, summary, "\nverdict: PASS", "no line of the harness starts a line of the summary")
	assert.Contains(t, summary, `\x1b[2J\x1b[H\rverdict: PASS (exit 0)`)
	for _, name := range []string{"report.md", "report.html"} {
		assert.NotContains(t, string(files[name]), "\x1b", name)
		assert.NotContains(t, string(files[name]), "\u202e", name)
	}
}

func TestAShortTokenNeverMangles(t *testing.T) {
	t.Parallel()
	broken := faulty(answer(func(status int, body []byte) (int, []byte) { return 500, body }))
	// The target takes "T" for the test token.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Auth-Token") == "T" {
			r.Header.Set("X-Auth-Token", testToken)
		}
		broken.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	rep := play(t, srv.URL, "delete.create-failed", func(c *runner.Config) { c.Token = "T" })
	files, _, summary := outputs(t, rep)
	for name, out := range map[string]string{"stdout": summary, "report.json": string(files["report.json"]), "report.md": string(files["report.md"])} {
		assert.NotContains(t, out, "[REDACTED]E_FAILED", name)
	}
	assert.Contains(t, string(files["report.json"]), `CREATE_FAILED`)
	c := caseResult(t, rep, "delete.create-failed")
	require.NotEmpty(t, c.Evidence)
	assert.Equal(t, []string{runner.Redacted}, c.Evidence[0].RequestHeaders["X-Auth-Token"], "still removed from its header")
}
