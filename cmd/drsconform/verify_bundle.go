package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/drsconform/drsconform/report"
	"github.com/drsconform/drsconform/runner"
)

// runVerifyBundle checks a results bundle: exit 0 when it is intact and this
// suite's, 1 on a mismatch (each file named), 2 on a usage error.
func runVerifyBundle(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drsconform verify-bundle", flag.ContinueOnError)
	casesDir := fs.String("cases", "", "the case directory of a run made with --cases, to recompute its digests too")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(stderr, fs, "want one bundle directory (the --report-dir of a run), got %d arguments", fs.NArg())
	}
	dir := fs.Arg(0)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		fmt.Fprintf(stderr, "drsconform verify-bundle: %s: not a directory\n", dir)
		return runner.ExitUsage
	}
	err := report.VerifyBundleWith(dir, report.VerifyOptions{SuiteVersion: suiteVersion(), CasesDir: *casesDir})
	var ms report.BundleMismatches
	switch {
	case err == nil:
		fmt.Fprintf(stdout, "%s: intact, written by drsconform %s\n", dir, suiteVersion())
		return runner.ExitConformant
	case errors.As(err, &ms):
		fmt.Fprintf(stderr, "%s: does not verify:\n", dir)
		for _, m := range ms {
			fmt.Fprintf(stderr, "  %s\n", m)
		}
		return runner.ExitNonConformant
	case errors.Is(err, report.ErrNoBundle):
		fmt.Fprintf(stderr, "drsconform verify-bundle: %v\n", err)
		return runner.ExitNonConformant
	}
	fmt.Fprintf(stderr, "drsconform verify-bundle: %v\n", err)
	return runner.ExitUsage
}
