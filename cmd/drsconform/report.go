package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/drsconform/drsconform/internal/untrusted"
	"github.com/drsconform/drsconform/report"
	"github.com/drsconform/drsconform/result"
)

// runReport renders a saved run (report.json) again, in any format, or
// what an SDK's tests sent through the proxy (--from-proxy-log).
func runReport(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drsconform report", flag.ContinueOnError)
	from := fs.String("from", "", "the report.json of a run (this or --from-proxy-log is required)")
	fromLog := fs.String("from-proxy-log", "", "the exchange log of `drsconform proxy --log` (exchanges.jsonl): renders the violations, expected ones apart, and the spec coverage of what went through the proxy; exits 1 when the gate fails on it")
	format := fs.String("format", "html", "html, md, junit or json (with --from-proxy-log: html, md or junit; default md)")
	out := fs.String("out", "", "file to write (default: standard output); with --from-proxy-log and no --format, a directory that gets report.md, report.html and junit.xml")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, fs, "unexpected argument %q", fs.Arg(0))
	}
	if *from != "" && *fromLog != "" {
		fmt.Fprintln(stderr, "drsconform report: --from and --from-proxy-log exclude each other: render a run or a proxy log")
		return result.ExitUsage
	}
	if *fromLog != "" {
		formatSet := false
		fs.Visit(func(f *flag.Flag) { formatSet = formatSet || f.Name == "format" })
		return reportFromProxyLog(*fromLog, *format, formatSet, *out, stdout, stderr)
	}
	if *from == "" {
		fmt.Fprintln(stderr, "drsconform report: --from is required: the report.json of a run (or --from-proxy-log: the exchange log of the proxy)")
		return result.ExitUsage
	}
	f, ok := report.FormatNamed(*format)
	if !ok {
		fmt.Fprintf(stderr, "drsconform report: --format %q: want html, md, junit or json\n", *format)
		return result.ExitUsage
	}
	in, err := os.Open(*from)
	if err != nil {
		fmt.Fprintf(stderr, "drsconform report: %v\n", err)
		return result.ExitUsage
	}
	rep, err := report.ReadJSON(in)
	in.Close()
	if err != nil {
		fmt.Fprintf(stderr, "drsconform report: %s is not a report.json: %v\n", *from, err)
		return result.ExitUsage
	}
	if *out == "" {
		if err := f.Write(stdout, rep); err != nil {
			fmt.Fprintf(stderr, "drsconform report: %v\n", err)
			return result.ExitUsage
		}
		return result.ExitConformant
	}
	if err := report.WriteFile(*out, func(w io.Writer) error { return f.Write(w, rep) }); err != nil {
		fmt.Fprintf(stderr, "drsconform report: %v\n", err)
		return result.ExitUsage
	}
	fmt.Fprintf(stderr, "drsconform report: wrote %s\n", *out)
	return result.ExitConformant
}

// reportFromProxyLog renders an exchange log of the proxy: one format to
// stdout or a file, or, with --out and no --format, all of them into a
// directory. Lines that are not records are skipped and named on stderr.
func reportFromProxyLog(file, format string, formatSet bool, out string, stdout, stderr io.Writer) int {
	if !formatSet {
		format = "md"
	}
	f, ok := report.ProxyLogFormatNamed(format)
	if !ok {
		fmt.Fprintf(stderr, "drsconform report: --format %q: with --from-proxy-log, want html, md or junit\n", format)
		return result.ExitUsage
	}
	in, err := os.Open(file)
	if err != nil {
		fmt.Fprintf(stderr, "drsconform report: --from-proxy-log: %v\n", err)
		return result.ExitUsage
	}
	pl, err := report.ReadProxyLog(in, file)
	in.Close()
	if err != nil {
		fmt.Fprintf(stderr, "drsconform report: %v\n", err)
		return result.ExitUsage
	}
	for _, s := range pl.SkippedList {
		fmt.Fprintf(stderr, "drsconform report: %s (skipped)\n", untrusted.Line(s))
	}
	if pl.Skipped > len(pl.SkippedList) {
		fmt.Fprintf(stderr, "drsconform report: … and %d more line(s) skipped\n", pl.Skipped-len(pl.SkippedList))
	}
	code := result.ExitConformant
	if pl.Failed() {
		code = result.ExitNonConformant
	}
	switch {
	case out == "":
		if err := f.Write(stdout, pl); err != nil {
			fmt.Fprintf(stderr, "drsconform report: %v\n", err)
			return result.ExitUsage
		}
	case formatSet:
		if err := report.WriteFile(out, func(w io.Writer) error { return f.Write(w, pl) }); err != nil {
			fmt.Fprintf(stderr, "drsconform report: %v\n", err)
			return result.ExitUsage
		}
		fmt.Fprintf(stderr, "drsconform report: wrote %s\n", out)
	default:
		if err := os.MkdirAll(out, 0o755); err != nil {
			fmt.Fprintf(stderr, "drsconform report: --out: %v\n", err)
			return result.ExitUsage
		}
		for _, f := range report.ProxyLogFormats() {
			path := filepath.Join(out, f.File)
			if err := report.WriteFile(path, func(w io.Writer) error { return f.Write(w, pl) }); err != nil {
				fmt.Fprintf(stderr, "drsconform report: %v\n", err)
				return result.ExitUsage
			}
		}
		fmt.Fprintf(stderr, "drsconform report: wrote report.md, report.html and junit.xml to %s\n", out)
	}
	return code
}
