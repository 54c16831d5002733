package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/drsconform/drsconform/report"
	"github.com/drsconform/drsconform/result"
)

// runVerifyBundle checks a results bundle: exit 0 when it is intact and this
// suite's, 1 on a mismatch (each file named), 2 on a usage error. "This
// suite's" means written by a binary of the same version as this one
// (suiteVersion: the build's, not a constant): verification re-renders the
// reports, so a bundle of another version is a mismatch, said first and in
// words.
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
		return result.ExitUsage
	}
	self := suiteVersion()
	err := report.VerifyBundleWith(dir, report.VerifyOptions{SuiteVersion: self, CasesDir: *casesDir})
	var ms report.BundleMismatches
	switch {
	case err == nil:
		fmt.Fprintf(stdout, "%s: intact, written by drsconform %s\n", dir, self)
		return result.ExitConformant
	case errors.As(err, &ms):
		if written := bundleVersion(dir); written != "" && written != self {
			fmt.Fprintf(stderr, "%s: written by drsconform %s; this is drsconform %s: a bundle verifies only with the version that wrote it\n",
				dir, written, self)
		}
		fmt.Fprintf(stderr, "%s: does not verify:\n", dir)
		for _, m := range ms {
			fmt.Fprintf(stderr, "  %s\n", m)
		}
		return result.ExitNonConformant
	case errors.Is(err, report.ErrNoBundle):
		fmt.Fprintf(stderr, "drsconform verify-bundle: %v\n", err)
		return result.ExitNonConformant
	}
	fmt.Fprintf(stderr, "drsconform verify-bundle: %v\n", err)
	return result.ExitUsage
}

// bundleVersion is the suite version a bundle's manifest records, or "" when
// it cannot be read (VerifyBundleWith then says why).
func bundleVersion(dir string) string {
	raw, err := os.ReadFile(filepath.Join(dir, report.ManifestFile))
	if err != nil {
		return ""
	}
	var m report.Manifest
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	return m.SuiteVersion
}
