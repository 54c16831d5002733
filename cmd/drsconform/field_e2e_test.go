package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/result"
)

// The vendor story of README.md, "Testing a live endpoint", end to end with
// the binary's own commands: a staging-like server (serve --no-harness
// --seed FILE --ak --sk over TLS with a private CA made here) and the suite
// pointed at it with the same fixtures file, AK/SK signatures, --ca-cert and
// read-back through batch-status. A file that covers every need gives a
// complete PASS; one that lacks tasks gives INCOMPLETE naming them; --safe
// passes as a partial run. No request ever reaches a fixture harness (the
// server has none: one would be a 404 and an error, not a PASS).
func TestFieldModeEndToEnd(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	dir := t.TempDir()

	code, skel, errOut := runCLI(t, "fixtures", "plan", "--skeleton")
	require.Equal(t, result.ExitConformant, code, errOut)
	full := filled(skel)
	path := filepath.Join(dir, "tasks.yaml")
	require.NoError(t, os.WriteFile(path, []byte(full), 0o600))
	file, err := cases.ParseFixturesFile(path, []byte(full))
	require.NoError(t, err)
	require.NotEmpty(t, file.Tasks)

	base := startServe(t, "--no-harness", "--seed", path, "--ak", cliAK, "--sk", cliSK,
		"--tls-cert", p.serverCert, "--tls-key", p.serverKey, "--release-delay", "0")
	require.True(t, strings.HasPrefix(base, "https://"), base)

	// Every case of the catalogue, each given its own tasks of the file.
	report := func(out string) result.Report {
		raw, err := os.ReadFile(filepath.Join(out, "report.json"))
		require.NoError(t, err)
		var rep result.Report
		require.NoError(t, json.Unmarshal(raw, &rep))
		return rep
	}
	flags := func(target, fixtures string) []string {
		return []string{"run", "--quiet", "--target", target, "--ak", cliAK, "--sk", cliSK, "--ca-cert", p.caFile,
			"--fixtures", fixtures, "--readback", "api", "--settle-timeout", "5s"}
	}
	out := filepath.Join(dir, "full")
	code, stdout, stderr := runCLI(t, append(flags(base, path), "--report-dir", out)...)
	require.Equal(t, result.ExitConformant, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stdout, "verdict: PASS (exit 0, complete)")
	assert.Contains(t, stdout, "Tasks this run changed: recreate before the next run")
	rep := report(out)
	assert.True(t, rep.Complete)
	assert.Equal(t, "api", rep.Configuration["readback"])
	assert.Equal(t, "SDK-HMAC-SHA256", rep.Configuration["signing"])
	changed := 0
	for _, ft := range rep.FieldTasks {
		if ft.Changed {
			changed++
		}
	}
	assert.Positive(t, changed, "a full run deletes and stops tasks of the file")
	for _, c := range rep.Cases {
		if c.ID == "variant.page-example-ids" { // it names the API page's example ID, no task of the file
			assert.Equal(t, result.Skip, c.Verdict)
		}
		for _, ex := range c.Evidence {
			assert.NotContains(t, ex.URL, "/_conformance", "case %s", c.ID)
		}
	}
	raw, err := os.ReadFile(filepath.Join(out, "report.json"))
	require.NoError(t, err)
	assert.NotContains(t, string(raw), cliSK)

	// The tasks are used up now; a file that lacks every task in one status
	// leaves MUSTs unjudged: INCOMPLETE, naming what is missing. A fresh
	// server, seeded with the short file.
	status := file.Tasks[0].Status
	kept := 0
	for _, task := range file.Tasks {
		if task.Status != status {
			kept++
		}
	}
	shortYAML := dropStatus(t, full, status)
	shortPath := filepath.Join(dir, "short.yaml")
	require.NoError(t, os.WriteFile(shortPath, []byte(shortYAML), 0o600))
	parsed, err := cases.ParseFixturesFile(shortPath, []byte(shortYAML))
	require.NoError(t, err)
	require.Len(t, parsed.Tasks, kept)
	base2 := startServe(t, "--no-harness", "--seed", shortPath, "--ak", cliAK, "--sk", cliSK,
		"--tls-cert", p.serverCert, "--tls-key", p.serverKey, "--release-delay", "0")
	out = filepath.Join(dir, "short")
	code, stdout, stderr = runCLI(t, append(flags(base2, shortPath), "--report-dir", out)...)
	require.Equal(t, result.ExitCannotJudge, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stdout, "INCOMPLETE")
	assert.Contains(t, stdout, "the fixtures file has no task left for "+status)
	rep = report(out)
	assert.False(t, rep.Complete)
	assert.NotEmpty(t, rep.Unjudged)

	// --safe against the same server: no fixtures, no harness, PASS as a
	// partial run that says so.
	code, stdout, stderr = runCLI(t, "run", "--quiet", "--target", base, "--ak", cliAK, "--sk", cliSK, "--ca-cert", p.caFile, "--safe")
	require.Equal(t, result.ExitConformant, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stdout, "partial run")
	assert.Contains(t, stdout, "verdict: PASS")
}

// dropStatus removes from a fixtures file (as `fixtures plan --skeleton`
// writes it: one "  - id:" line, then its fields) every task in status.
func dropStatus(t *testing.T, file, status string) string {
	t.Helper()
	var out, task []string
	flush := func() {
		if !strings.Contains(strings.Join(task, "\n"), "status: "+status+"\n") && !strings.HasSuffix(strings.Join(task, "\n"), "status: "+status) {
			out = append(out, task...)
		}
		task = nil
	}
	for _, line := range strings.Split(file, "\n") {
		switch {
		case strings.HasPrefix(line, "  - id:"):
			flush()
			task = append(task, line)
		case task != nil && strings.HasPrefix(line, "    "):
			task = append(task, line)
		default:
			flush()
			out = append(out, line)
		}
	}
	flush()
	return strings.Join(out, "\n")
}
