package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/drsconform/drsconform/conformance"
	"github.com/drsconform/drsconform/runner"
)

func runList(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drsconform list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	casesDir := fs.String("cases", "", "directory of case files instead of the embedded ones")
	reqs := fs.Bool("requirements", false, "print the traceability table: requirement, level, source, cases")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "drsconform list: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	files, err := loadCaseFiles(*casesDir)
	if err != nil {
		fmt.Fprintf(stderr, "drsconform list: invalid cases:\n%v\n", err)
		return exitUsage
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	if !*reqs {
		fmt.Fprintln(tw, "CASE\tTAGS\tREQUIREMENTS\tTITLE")
		n := 0
		for _, f := range files {
			for _, c := range f.Cases {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, strings.Join(c.Tags, ","), strings.Join(c.Requirements, ","), c.Title)
				n++
			}
		}
		tw.Flush()
		fmt.Fprintf(stdout, "%d cases in %d files\n", n, len(files))
		return exitConformant
	}
	cat, err := conformance.Requirements()
	if err != nil {
		fmt.Fprintf(stderr, "drsconform list: %v\n", err)
		return exitUsage
	}
	byReq := runner.CasesByRequirement(files)
	fmt.Fprintln(tw, "REQUIREMENT\tLEVEL\tCASES\tSOURCE")
	untested := 0
	for _, r := range cat.Requirements {
		ids := byReq[r.ID]
		list := strings.Join(ids, ", ")
		if len(ids) == 0 {
			list = "(none)"
			untested++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Level, list, oneLine(r.Source.String(), 90))
	}
	tw.Flush()
	fmt.Fprintf(stdout, "%d requirements, %d without a case\n", len(cat.Requirements), untested)
	return exitConformant
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len([]rune(s)) > max {
		return string([]rune(s)[:max-1]) + "…"
	}
	return s
}
