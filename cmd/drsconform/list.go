package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/conformance"
	"github.com/drsconform/drsconform/result"
)

func runList(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drsconform list", flag.ContinueOnError)
	casesDir := fs.String("cases", "", "directory of case files instead of the embedded ones")
	traceability := fs.Bool("traceability", false, "print the traceability table: requirement, level, source, cases")
	var f filterFlags
	registerFilterFlags(fs, &f)
	// --requirements alone (as before the filters) still asks for the
	// traceability table; with IDs it filters, as in run.
	fs.Var(requirementsFlag{&f.requirements, traceability}, "requirements", "requirement IDs to select (comma-separated), as in run; alone: the traceability table")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if *traceability && f.requirements == "" && fs.NArg() > 0 {
		// "--requirements REQ-A,REQ-B": the bool form took the flag, the
		// IDs came as arguments.
		f.requirements, *traceability = strings.Join(fs.Args(), ","), false
	} else if fs.NArg() > 0 {
		return usageError(stderr, fs, "unexpected argument %q", fs.Arg(0))
	}
	files, err := loadCaseFiles(*casesDir)
	if err != nil {
		fmt.Fprintf(stderr, "drsconform list: invalid cases:\n%v\n", err)
		return result.ExitUsage
	}
	cat, err := conformance.Requirements()
	if err != nil {
		fmt.Fprintf(stderr, "drsconform list: %v\n", err)
		return result.ExitUsage
	}
	sel, selection, err := f.filter().Select(allCases(files), cat)
	if err != nil {
		fmt.Fprintf(stderr, "drsconform list: %v\n", err)
		return result.ExitUsage
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	if !*traceability {
		fmt.Fprintln(tw, "CASE\tTAGS\tREQUIREMENTS\tTITLE")
		for _, c := range sel {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, strings.Join(c.Tags, ","), strings.Join(c.Requirements, ","), c.Title)
		}
		tw.Flush()
		fmt.Fprintf(stdout, "%d cases in %d files\n", len(sel), len(files))
		if d := selection.Describe(); d != "" {
			fmt.Fprintln(stdout, d)
		}
		return result.ExitConformant
	}
	files = []*cases.File{{Cases: sel}}
	byReq := cases.CasesByRequirement(files)
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
	return result.ExitConformant
}

// requirementsFlag is list's --requirements: a bool for the traceability
// table when given alone, a filter when given IDs.
type requirementsFlag struct {
	ids          *string
	traceability *bool
}

func (r requirementsFlag) String() string {
	if r.ids == nil {
		return ""
	}
	return *r.ids
}

func (r requirementsFlag) Set(v string) error {
	if v == "true" {
		*r.traceability = true
		return nil
	}
	*r.ids = v
	return nil
}

func (r requirementsFlag) IsBoolFlag() bool { return true }

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len([]rune(s)) > max {
		return string([]rune(s)[:max-1]) + "…"
	}
	return s
}
