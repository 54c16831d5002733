package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/drsconform/drsconform/internal/untrusted"
	"github.com/drsconform/drsconform/report"
	"github.com/drsconform/drsconform/result"
)

// nameFlags collects --name LABEL=PATH, in the order given.
type nameFlags []struct{ label, path string }

func (n *nameFlags) String() string { return "" }

func (n *nameFlags) Set(s string) error {
	label, p, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(label) == "" || p == "" {
		return fmt.Errorf("want LABEL=PATH, e.g. --name vendor-a=out-a")
	}
	*n = append(*n, struct{ label, path string }{label, p})
	return nil
}

// runCompare compares two or more runs (README.md, "Comparing
// implementations"): exit 0 when the comparison is written (1 with
// --fail-on-diff when implementations differ on a requirement), 2 on a
// usage error or an input that cannot be read or does not verify.
func runCompare(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drsconform compare", flag.ContinueOnError)
	out := fs.String("out", ".", "directory to write compare.html, compare.md and compare.json into (created if missing)")
	var labels nameFlags
	fs.Var(&labels, "name", "`LABEL=PATH`: call the input PATH (as given) LABEL, instead of its target's host (repeatable)")
	noVerify := fs.Bool("no-verify", false, "compare results bundles that do not verify (the comparison says they were not verified)")
	failOnDiff := fs.Bool("fail-on-diff", false, "exit 1 when the implementations judged differ on some requirement")
	casesDir := fs.String("cases", "", "the case directory of runs made with --cases, to verify their bundles' case digests too")
	var paths []string
	for { // the inputs may stand before, between or after the flags
		if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
			return code
		}
		if fs.NArg() == 0 {
			break
		}
		paths = append(paths, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(paths) < 2 {
		return usageError(stderr, fs, "want two or more results (report.json files or --report-dir bundles), got %d", len(paths))
	}
	names := make([]string, len(paths))
	for _, l := range labels {
		found := false
		for i, p := range paths {
			if p == l.path || filepath.Clean(p) == filepath.Clean(l.path) {
				names[i], found = l.label, true
			}
		}
		if !found {
			return usageError(stderr, fs, "--name %s=%s: %s is not one of the inputs (%s)", untrusted.Line(l.label), untrusted.Line(l.path),
				untrusted.Line(l.path), untrusted.Line(strings.Join(paths, ", ")))
		}
	}

	opt := report.VerifyOptions{SuiteVersion: suiteVersion(), CasesDir: *casesDir}
	var inputs []report.CompareInput
	for i, p := range paths {
		in, err := report.ReadCompareInput(p, opt, *noVerify)
		if err != nil {
			fmt.Fprintf(stderr, "drsconform compare: %s\n", untrusted.Text(err.Error()))
			if errors.Is(err, report.ErrBundleUnverified) {
				if written := bundleVersion(p); written != "" && written != opt.SuiteVersion {
					fmt.Fprintf(stderr, "%s: written by drsconform %s; this is drsconform %s: a bundle verifies only with the version that wrote it\n",
						untrusted.Line(p), untrusted.Line(written), opt.SuiteVersion)
				}
			}
			return result.ExitUsage
		}
		in.Name = names[i]
		inputs = append(inputs, in)
	}
	cmp, err := report.Compare(inputs, report.CompareOptions{OutDir: *out, NoVerify: *noVerify})
	if err != nil {
		fmt.Fprintf(stderr, "drsconform compare: %v\n", err)
		return result.ExitUsage
	}
	for _, impl := range cmp.Implementations {
		fmt.Fprintf(stdout, "%s: %s, %s: %s\n", impl.Source, impl.Name, impl.Kind, impl.Verification)
	}
	for _, w := range cmp.Warnings {
		fmt.Fprintln(stdout, w)
	}
	fmt.Fprintf(stdout, "%d implementations; %s where the implementations judged differ; %s failed, warned or errored by some\n",
		len(cmp.Implementations), count(cmp.Differing, "requirement"), count(len(cmp.Cases), "case"))
	written, err := report.WriteComparison(*out, cmp)
	if err != nil {
		fmt.Fprintf(stderr, "drsconform compare: %v\n", err)
		return result.ExitUsage
	}
	for _, p := range written {
		fmt.Fprintf(stdout, "wrote %s\n", p)
	}
	if *failOnDiff && cmp.Differing > 0 {
		return result.ExitNonConformant
	}
	return result.ExitConformant
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
