package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/reference"
	"github.com/drsconform/drsconform/report"
	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
)

func TestResolveVersion(t *testing.T) {
	t.Parallel()
	info := func(main string, settings ...string) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/drsconform/drsconform", Version: main}}
			for i := 0; i+1 < len(settings); i += 2 {
				bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
			}
			return bi, true
		}
	}
	const rev = "3e58484aa1b2c3d4e5f60718293a4b5c6d7e8f90"
	tests := []struct {
		name   string
		linked string
		info   func() (*debug.BuildInfo, bool)
		want   string
	}{
		{"set at link time wins", "v1.2.0", info("v0.9.0"), "v1.2.0"},
		{"a tagged module", "", info("v1.2.0"), "v1.2.0"},
		{"the go command's pseudo-version", "", info("v0.0.0-20260102030405-3e58484aa1b2+dirty"), "v0.0.0-20260102030405-3e58484aa1b2+dirty"},
		{"devel with a clean revision", "", info("(devel)", "vcs.revision", rev, "vcs.modified", "false"), "devel+3e58484aa1b2"},
		{"devel with changes", "", info("(devel)", "vcs.revision", rev, "vcs.modified", "true"), "devel+3e58484aa1b2-dirty"},
		{"devel with a short revision", "", info("(devel)", "vcs.revision", "abc"), "devel+abc"},
		{"devel without VCS information", "", info("(devel)"), "devel"},
		{"no version at all", "", info(""), "devel"},
		{"no build information", "", func() (*debug.BuildInfo, bool) { return nil, false }, "devel"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, resolveVersion(tc.linked, tc.info))
		})
	}
	assert.NotEmpty(t, suiteVersion())
}

// writeBundle plays one case against the reference and writes the results
// bundle of a suite that says it is version v.
func writeBundle(t *testing.T, v string) string {
	t.Helper()
	srv := httptest.NewServer(reference.New(reference.Config{Tokens: []string{"tok-VERSION-TEST-0001"}, Logger: slog.New(slog.DiscardHandler)}).Handler())
	t.Cleanup(srv.Close)
	files, err := cases.LoadEmbeddedCases()
	require.NoError(t, err)
	rep, err := runner.Run(context.Background(), runner.Config{Target: srv.URL, Token: "tok-VERSION-TEST-0001", Files: files, SuiteVersion: v,
		Timeout: 2 * time.Second, SettleTimeout: 2 * time.Second, Filter: runner.Filter{Match: []string{"unknown.single"}}})
	require.NoError(t, err)
	dir := t.TempDir()
	_, err = report.WriteDir(dir, rep)
	require.NoError(t, err)
	return dir
}

// verify-bundle compares the bundle's version with this binary's, which a
// rebuild changes: the same bundle verifies with the version that wrote it
// and not with another, and the mismatch is said first, in words.
func TestVerifyBundleComparesWithTheRunningBinary(t *testing.T) {
	t.Parallel()
	self := suiteVersion()

	code, out, errOut := runCLI(t, "verify-bundle", writeBundle(t, self))
	assert.Equal(t, result.ExitConformant, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, out, "intact, written by drsconform "+self)

	dir := writeBundle(t, "v0.0.1-other")
	code, out, errOut = runCLI(t, "verify-bundle", dir)
	assert.Equal(t, result.ExitNonConformant, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, errOut, dir+": written by drsconform v0.0.1-other; this is drsconform "+self+": a bundle verifies only with the version that wrote it\n")
	assert.Contains(t, errOut, "does not verify:")
}

// reportedVersions reads the suite version that each file of a results
// bundle carries: report.json and manifest.json as JSON, junit.xml as its
// suite_version property, report.md as its "Suite `v`" line.
func reportedVersions(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, name := range []string{"report.json", "manifest.json"} {
		var doc struct {
			SuiteVersion string `json:"suite_version"`
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &doc), name)
		got[name] = doc.SuiteVersion
	}
	b, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
	require.NoError(t, err)
	if m := regexp.MustCompile(`name="suite_version" value="([^"]*)"`).FindSubmatch(b); m != nil {
		got["junit.xml"] = string(m[1])
	}
	b, err = os.ReadFile(filepath.Join(dir, "report.md"))
	require.NoError(t, err)
	if m := regexp.MustCompile("Suite `([^`]*)`").FindSubmatch(b); m != nil {
		got["report.md"] = string(m[1])
	}
	return got
}

func allVersions(v string) map[string]string {
	return map[string]string{"report.json": v, "manifest.json": v, "junit.xml": v, "report.md": v}
}

// `run --report-dir` writes this binary's version into every report.
func TestRunWritesTheSuiteVersionIntoEveryReport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "run", "--quiet", "--cases-match", "unknown.single", "--generate", "0", "--generate-concurrent", "0", "--report-dir", dir)
	require.Equal(t, result.ExitConformant, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Equal(t, allVersions(suiteVersion()), reportedVersions(t, dir))
}

// A real build: the version given to the linker reaches `drsconform version`
// and every report, as `make release` builds it (README.md, "Install"). The
// build reuses the test's own packages from the build cache (with -race when
// the test has it), so it costs a compile of this package and a link.
func TestABuiltBinaryReportsTheVersionItWasBuiltWith(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	gocmd, err := exec.LookPath("go")
	if err != nil {
		gocmd = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	const v = "v0.0.0-buildtest.7"
	bin := filepath.Join(t.TempDir(), "drsconform")
	args := []string{"build", "-o", bin, "-ldflags", "-X main.version=" + v}
	if raceDetector {
		args = append(args, "-race")
	}
	build := exec.Command(gocmd, append(args, ".")...)
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go %s:\n%s", strings.Join(args, " "), out)

	out, err = exec.Command(bin, "version").Output()
	require.NoError(t, err)
	assert.Equal(t, "drsconform "+v+"\n", string(out))

	dir := t.TempDir()
	run := exec.Command(bin, "run", "--quiet", "--cases-match", "unknown.single", "--generate", "0", "--generate-concurrent", "0", "--report-dir", dir)
	out, err = run.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, allVersions(v), reportedVersions(t, dir))
}
