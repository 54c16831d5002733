package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
)

// invocation is the command that starts this drsconform again from the
// working directory, for the hints and help it prints: `make conformance`
// runs it with `go run`, where no drsconform is on PATH.
func invocation() string {
	wd, _ := os.Getwd()
	version := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		version = bi.Main.Version
	}
	return invocationOf(os.Args[0], wd, exec.LookPath, version)
}

// mainPackage is this command's import path.
const mainPackage = "github.com/drsconform/drsconform/cmd/drsconform"

// invocationOf derives the command from how the binary was started:
//   - built by `go run` (see isGoRunBinary): `go run ./cmd/drsconform`
//     in the module's root, else `go run` of the import path (at the
//     module's version when it was run at one, as `go run pkg@v1.2.3`);
//   - started through PATH (a bare name, or a path that PATH finds under
//     its bare name): the bare name;
//   - started by a path (bin/drsconform, ./drsconform, /opt/x/drsconform):
//     that path, which works from the same directory.
func invocationOf(arg0, wd string, lookPath func(string) (string, error), moduleVersion string) string {
	if isGoRunBinary(arg0) {
		if _, err := os.Stat(filepath.Join(wd, "cmd", "drsconform", "main.go")); err == nil {
			return "go run ./cmd/drsconform"
		}
		if moduleVersion != "" && moduleVersion != "(devel)" {
			return "go run " + mainPackage + "@" + moduleVersion
		}
		return "go run " + mainPackage
	}
	base := filepath.Base(arg0)
	if base == arg0 {
		return shellQuote(arg0)
	}
	if found, err := lookPath(base); err == nil && sameFile(found, arg0) {
		return shellQuote(base)
	}
	return shellQuote(arg0)
}

// isGoRunBinary: `go run` keeps the binaries it builds in the build cache,
// $GOCACHE/xx/HASH-d/NAME (Go 1.24 and later), or, when it cannot cache
// them, in $GOTMPDIR (or the temporary directory)/go-build…/b001/exe/NAME.
func isGoRunBinary(arg0 string) bool {
	dir := filepath.Dir(arg0)
	if cachedExe.MatchString(filepath.Base(dir)) && len(filepath.Base(filepath.Dir(dir))) == 2 {
		return true
	}
	if filepath.Base(dir) != "exe" {
		return false
	}
	for d := filepath.Dir(dir); d != filepath.Dir(d); d = filepath.Dir(d) {
		if strings.HasPrefix(filepath.Base(d), "go-build") {
			return true
		}
	}
	return false
}

// cachedExe is the directory name of an executable in the build cache.
var cachedExe = regexp.MustCompile(`^[0-9a-f]{64}-d$`)

func sameFile(a, b string) bool {
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:@%+=,-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
