package main

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The commands printed as hints (verify-bundle after --report-dir, the help)
// are the ones that work where drsconform was started.
func TestInvocationOf(t *testing.T) {
	t.Parallel()
	repoRoot, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	elsewhere := t.TempDir()
	installed := filepath.Join(t.TempDir(), "drsconform")
	require.NoError(t, os.WriteFile(installed, nil, 0o755))
	other := filepath.Join(t.TempDir(), "drsconform")
	require.NoError(t, os.WriteFile(other, nil, 0o755))
	notOnPath := func(string) (string, error) { return "", errors.New("not found") }
	onPath := func(p string) func(string) (string, error) {
		return func(string) (string, error) { return p, nil }
	}
	const goRunTemp = "/tmp/go-build2795/b001/exe/drsconform"
	const goRunCache = "/home/me/.cache/go-build/da/da742a306c96fdba09a566f48621a0e82b1760c573803b032ebc4f644181d730-d/drsconform"
	type testCase struct {
		name, arg0, wd string
		lookPath       func(string) (string, error)
		version        string
		want           string
	}
	for _, tc := range []testCase{
		{name: "go run in the module's root (make conformance)", arg0: goRunCache, wd: repoRoot, lookPath: notOnPath, version: "(devel)", want: "go run ./cmd/drsconform"},
		{name: "go run without the build cache", arg0: goRunTemp, wd: repoRoot, lookPath: notOnPath, version: "(devel)", want: "go run ./cmd/drsconform"},
		{name: "go run elsewhere in the module", arg0: goRunCache, wd: elsewhere, lookPath: notOnPath, version: "(devel)", want: "go run " + mainPackage},
		{name: "go run of a version", arg0: goRunTemp, wd: elsewhere, lookPath: notOnPath, version: "v0.2.0", want: "go run " + mainPackage + "@v0.2.0"},
		{name: "found through PATH", arg0: "drsconform", wd: elsewhere, lookPath: notOnPath, want: "drsconform"},
		{name: "make build", arg0: "bin/drsconform", wd: repoRoot, lookPath: notOnPath, want: "bin/drsconform"},
		{name: "a path PATH finds too", arg0: installed, wd: elsewhere, lookPath: onPath(installed), want: "drsconform"},
		{name: "a path PATH finds another binary for", arg0: installed, wd: elsewhere, lookPath: onPath(other), want: installed},
		{name: "a path with a space", arg0: "/opt/my tools/drsconform", wd: elsewhere, lookPath: notOnPath, want: "'/opt/my tools/drsconform'"},
		{name: "a bare exe directory is not go run", arg0: "/opt/exe/drsconform", wd: repoRoot, lookPath: notOnPath, want: "/opt/exe/drsconform"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, invocationOf(tc.arg0, tc.wd, tc.lookPath, tc.version))
		})
	}
	assert.Equal(t, invocation()+" verify-bundle 'my reports'", verifyCommand("my reports"))
}
