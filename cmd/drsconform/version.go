package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/drsconform/drsconform/runner"
)

// version is the suite's version: it goes into every report and the results
// bundle's manifest, so a reviewer can tell which suite produced a report.
const version = "0.1.0"

func suiteVersion() string { return version }

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
	return runner.ExitConformant
}
