package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
)

// shell finds /bin/sh and curl, or skips: the scripts are run for real.
func shell(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("no curl")
	}
	return "/bin/sh"
}

// withoutJQ is a PATH with the tools a script needs but jq, so the sed
// reading of IDs is the one used.
func withoutJQ(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, tool := range []string{"curl", "sed", "awk", "tail", "head", "date", "sleep", "cat"} {
		p, err := exec.LookPath(tool)
		require.NoError(t, err, tool)
		require.NoError(t, os.Symlink(p, filepath.Join(dir, tool)))
	}
	return dir
}

func findCase(t *testing.T, files []*cases.File, id string) *cases.Case {
	t.Helper()
	c, err := runner.FindCase(files, id)
	require.NoError(t, err)
	return c
}

func script(t *testing.T, c *cases.Case, o runner.ScriptOptions) string {
	t.Helper()
	var b bytes.Buffer
	o.SettleTimeout = 5 * time.Second
	require.NoError(t, runner.WriteScript(&b, c, o))
	return b.String()
}

// runScript runs a script with sh in dir and returns its exit code and output.
func runScript(t *testing.T, sh, dir, text string, env ...string) (int, string) {
	t.Helper()
	path := filepath.Join(dir, "repro.sh")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	cmd := exec.Command(sh, path)
	cmd.Dir = dir
	cmd.Env = append([]string{"DRSCONFORM_TOKEN=" + testToken, "PATH=" + os.Getenv("PATH"), "LC_ALL=C"}, env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return code, string(out)
}

// The script of a lifecycle case, run with sh against the reference,
// reproduces it: the task is made, both requests are answered 202, and the
// read-backs show the release, then the task gone.
func TestScriptReproducesALifecycle(t *testing.T) {
	t.Parallel()
	sh := shell(t)
	srv := httptest.NewServer(faulty(func(w http.ResponseWriter, r *http.Request, next http.Handler) { next.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	files, err := cases.LoadEmbeddedCases()
	require.NoError(t, err)
	text := script(t, findCase(t, files, "lifecycle.terminate-then-delete"), runner.ScriptOptions{Target: srv.URL})
	assert.True(t, strings.HasPrefix(text, "#!/bin/sh\n"))
	assert.Contains(t, text, "\nset -eu\n")
	assert.Contains(t, text, "#   DRSCONFORM_TOKEN ")
	assert.Contains(t, text, "#   DRSCONFORM_TARGET        base URL of the API (default "+srv.URL+")")
	assert.NotContains(t, text, testToken)

	for name, env := range map[string][]string{"with jq if installed": nil, "with sed": {"PATH=" + withoutJQ(t)}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			code, out := runScript(t, sh, t.TempDir(), text, env...)
			require.Equal(t, 0, code, out)
			assert.Contains(t, out, "== make task task: POST "+srv.URL+"/_conformance/v1/jobs")
			assert.Contains(t, out, "< 201")
			assert.Equal(t, 2, strings.Count(out, "HTTP/1.1 202 Accepted"), out)
			assert.Contains(t, out, `"status":"INCRE_TRANSFER_STARTED"`, "the task read back as made")
			assert.Contains(t, out, `"status":"RELEASE_RESOURCE_COMPLETE"`, "the read-back after the stop")
			assert.Contains(t, out, "< 404", "the read-back after the delete")
			assert.Contains(t, out, "> X-Auth-Token: $DRSCONFORM_TOKEN")
			assert.Contains(t, out, "== done")
			assert.NotContains(t, out, testToken)
		})
	}
}

// A derived invalid credential is made in the shell, never from the token's
// value, and is refused; a target that echoes it shows it redacted.
func TestScriptDerivesAnInvalidCredential(t *testing.T) {
	t.Parallel()
	sh := shell(t)
	srv := httptest.NewServer(faulty(func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		w.Header().Set("X-Echo", r.Header.Get("X-Auth-Token")+" "+r.Header.Get("Authorization"))
		next.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	files, err := cases.LoadEmbeddedCases()
	require.NoError(t, err)
	for _, id := range []string{"sec.derived-token.delete", "sec.malformed-authorization.delete", "sec.garbage-authorization.delete"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			text := script(t, findCase(t, files, id), runner.ScriptOptions{Target: srv.URL})
			assert.Contains(t, text, `invalid_token="${DRSCONFORM_TOKEN}`+runner.InvalidTokenSuffix+`"`)
			assert.Contains(t, text, "# A credential the target cannot have issued")
			code, out := runScript(t, sh, t.TempDir(), text)
			require.Equal(t, 0, code, out)
			assert.Regexp(t, `HTTP/1.1 40[13] `, out)
			assert.Contains(t, out, "[REDACTED]"+runner.InvalidTokenSuffix, "the echo, redacted")
			assert.NotContains(t, out, testToken)
		})
	}
}

// Hostile values in a case file and in the settings come out inert: no
// quote, command substitution, backquote, newline or control character in
// them runs anything, and the bytes the target receives are the case's.
func TestScriptQuotesHostileValues(t *testing.T) {
	t.Parallel()
	sh := shell(t)
	hostileIDs := []string{
		`'; touch PWNED1; echo '`,
		`$(touch PWNED2)`,
		"`touch PWNED3`",
		"a\nb\r\x1b[2J\u202e\"\\ %s %% \\x41 ${HOME}",
	}
	idsYAML, err := json.Marshal(hostileIDs) // JSON is YAML
	require.NoError(t, err)
	dir := t.TempDir()
	caseFile := `theme: hostile
title: hostile values
cases:
  - id: hostile.body
    title: "a title\ntouch PWNED5\n"
    requirements: [REQ-STA-05]
    fixtures:
      task: {status: CREATE_FAILED}
    request:
      headers: {X-Language: "$(touch PWNED4)'` + "`touch PWNED4b`" + `"}
      body:
        jobs:
          - {delete_type: delete, job_id: "{{task}}"}
          - {delete_type: delete, job_id: "{{task}}'$(touch PWNED8)"}
` + jobsYAML(idsYAML) + `    expect:
      status: [202, 400]
  - id: hostile.raw
    title: raw bytes
    requirements: [REQ-VAL-10]
    fixtures:
      task: {status: CREATE_FAILED}
    request:
      raw_body_bytes: '{"jobs": [{"delete_type": "delete", "job_id": "{{task}}\xff\x00%s\n''$(touch PWNED6)"}]}` + "\\x0a\\x0a" + `'
    expect:
      status: [202, 400]
`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "hostile.yaml"), []byte(caseFile), 0o644))
	files, err := cases.LoadCases(os.DirFS(dir), dir)
	require.NoError(t, err)

	var mu sync.Mutex
	var sent [][]byte
	var languages []string
	srv := httptest.NewServer(faulty(func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		sent, languages = append(sent, body), append(languages, r.Header.Get("X-Language"))
		mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	work := t.TempDir()
	for _, id := range []string{"hostile.body", "hostile.raw"} {
		text := script(t, findCase(t, files, id), runner.ScriptOptions{Target: srv.URL})
		for i := 0; i < len(text); i++ {
			require.True(t, text[i] == '\n' || text[i] == '\t' || text[i] >= 0x20 && text[i] < 0x7f,
				"%s: the script is printable ASCII; byte %d is %#x", id, i, text[i])
		}
		code, out := runScript(t, sh, work, text)
		require.Equal(t, 0, code, out)
	}
	left, err := filepath.Glob(filepath.Join(work, "PWNED*"))
	require.NoError(t, err)
	assert.Empty(t, left, "nothing in the case file ran")

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, sent, 2)
	var req struct {
		Jobs []struct {
			JobID string `json:"job_id"`
		} `json:"jobs"`
	}
	require.NoError(t, json.Unmarshal(sent[0], &req), "%q", sent[0])
	require.Len(t, req.Jobs, 2+len(hostileIDs))
	task := req.Jobs[0].JobID
	assert.NotEmpty(t, task)
	assert.Equal(t, task+"'$(touch PWNED8)", req.Jobs[1].JobID)
	for i, id := range hostileIDs {
		assert.Equal(t, id, req.Jobs[2+i].JobID, "sent as written")
	}
	assert.Equal(t, "$(touch PWNED4)'`touch PWNED4b`", languages[0])
	assert.Equal(t, `{"jobs": [{"delete_type": "delete", "job_id": "`+task2(t, sent[1])+"\xff\x00%s\\n'$(touch PWNED6)\"}]}\n\n", string(sent[1]),
		"every byte as raw_body_bytes says, trailing newlines too")

	// Settings from a report are quoted too.
	text := script(t, findCase(t, files, "hostile.raw"), runner.ScriptOptions{
		Target: srv.URL + "/x'$(touch PWNED9)`touch PWNED10`", ProjectID: "p'$(touch PWNED11)", OtherProjectID: "o`touch PWNED12`",
		Notes: []string{"recorded\ntouch PWNED13"}})
	code, out := runScript(t, sh, work, text)
	assert.Equal(t, 3, code, "the harness is not under that path: %s", out)
	left, err = filepath.Glob(filepath.Join(work, "PWNED*"))
	require.NoError(t, err)
	assert.Empty(t, left, "nothing in the settings ran")
}

func jobsYAML(ids []byte) string {
	var list []string
	require := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	require(json.Unmarshal(ids, &list))
	var b strings.Builder
	for _, id := range list {
		q, err := json.Marshal(id)
		require(err)
		b.WriteString("          - {delete_type: delete, job_id: " + string(q) + "}\n")
	}
	return b.String()
}

// task2 is the task ID at the start of a raw body's first job_id.
func task2(t *testing.T, body []byte) string {
	t.Helper()
	const prefix = `{"jobs": [{"delete_type": "delete", "job_id": "`
	require.True(t, bytes.HasPrefix(body, []byte(prefix)), "%q", body)
	rest := body[len(prefix):]
	end := bytes.IndexByte(rest, 0xff)
	require.Positive(t, end, "%q", body)
	return string(rest[:end])
}

func TestFindCaseSuggestsTheNearest(t *testing.T) {
	t.Parallel()
	files, err := cases.LoadEmbeddedCases()
	require.NoError(t, err)
	_, err = runner.FindCase(files, "lifecycle.terminate-then-delte")
	var ue *runner.UsageError
	require.ErrorAs(t, err, &ue)
	assert.Contains(t, err.Error(), "did you mean lifecycle.terminate-then-delete?")
}

// Reproduce prints every exchange, with the answers redacted and their
// control characters escaped, and the verdict at the end.
func TestReproducePrintsAnswersInert(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(faulty(func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		w.Header().Set("X-Echo", r.Header.Get("X-Auth-Token"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "{\"error_msg\":\"\x1b[2J\rverdict: PASS "+r.Header.Get("X-Auth-Token")+"\"}")
	}))
	t.Cleanup(srv.Close)
	files, err := cases.LoadEmbeddedCases()
	require.NoError(t, err)
	var out bytes.Buffer
	r, err := runner.Reproduce(context.Background(), runner.Config{Target: srv.URL, Token: testToken,
		Timeout: 2 * time.Second, SettleTimeout: 2 * time.Second}, findCase(t, files, "delete.create-failed"), &out)
	require.NoError(t, err)
	assert.Equal(t, result.Fail, r.Verdict)
	text := out.String()
	assert.Contains(t, text, "== fixture: make a task")
	assert.Contains(t, text, "== request 1\n$ curl ")
	assert.Contains(t, text, "< 200 OK\n")
	assert.Contains(t, text, `\x1b[2J\rverdict: PASS `+runner.Redacted)
	assert.Contains(t, text, "< X-Echo: "+runner.Redacted)
	assert.Contains(t, text, "\nverdict: FAIL (delete.create-failed)\n")
	assert.NotContains(t, text, "\x1b")
	assert.NotContains(t, text, testToken)
}
