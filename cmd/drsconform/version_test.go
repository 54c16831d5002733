package main

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"runtime/debug"
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
