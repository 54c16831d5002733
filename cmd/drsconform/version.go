package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"sync"

	"github.com/drsconform/drsconform/result"
)

// version is the suite's version as set at link time, for releases:
//
//	go build -ldflags "-X main.version=v1.2.0" ./cmd/drsconform
//
// Unset, the version comes from the build information (see resolveVersion).
var version string

// suiteVersion is the version of this binary: it goes into every report and
// the results bundle's manifest, and verify-bundle compares a bundle's with
// it, so a reviewer can tell which suite produced a report.
var suiteVersion = sync.OnceValue(func() string { return resolveVersion(version, debug.ReadBuildInfo) })

// resolveVersion is, in order: the version set at link time; the main
// module's version from the build information (a tag such as v1.2.0, or the
// pseudo-version the go command derives from the commit, with +dirty for
// uncommitted changes, as `go install …@v1.2.0` and `go build` in a checkout
// record it); for a build that has none ("(devel)"), "devel+" and the first
// 12 characters of the VCS revision, with "-dirty" when the tree had
// uncommitted changes; and "devel" when nothing is known (go run, go test,
// -buildvcs=false, or a git worktree, whose .git file the go command does not
// read). README.md, "Install", has the table; each row was checked with a
// real build (go install from a module proxy, go build in a clone, -ldflags).
func resolveVersion(linked string, buildInfo func() (*debug.BuildInfo, bool)) string {
	if linked != "" {
		return linked
	}
	bi, ok := buildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var revision string
	var modified bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if revision == "" {
		return "devel"
	}
	v := "devel+" + revision[:min(12, len(revision))]
	if modified {
		v += "-dirty"
	}
	return v
}

// runVersion prints "drsconform VERSION".
func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drsconform version", flag.ContinueOnError)
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, fs, "unexpected argument %q", fs.Arg(0))
	}
	fmt.Fprintln(stdout, "drsconform", suiteVersion())
	return result.ExitConformant
}
