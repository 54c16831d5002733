package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/drsconform/drsconform/report"
	"github.com/drsconform/drsconform/result"
)

// runReport renders a saved run (report.json) again, in any format.
func runReport(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drsconform report", flag.ContinueOnError)
	from := fs.String("from", "", "the report.json of a run (required)")
	format := fs.String("format", "html", "html, md, junit or json")
	out := fs.String("out", "", "file to write (default: standard output)")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, fs, "unexpected argument %q", fs.Arg(0))
	}
	if *from == "" {
		fmt.Fprintln(stderr, "drsconform report: --from is required: the report.json of a run")
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
