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
	"github.com/drsconform/drsconform/runner"
)

// runFixtures is `drsconform fixtures plan`: what tasks a run with
// --fixtures needs (README.md, "Testing a live endpoint").
func runFixtures(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drsconform fixtures", flag.ContinueOnError)
	casesDir := fs.String("cases", "", "directory of case files instead of the embedded ones")
	var f filterFlags
	registerFilterFlags(fs, &f)
	fs.StringVar(&f.requirements, "requirements", "", "only cases that test one of these requirement IDs (comma-separated), as in run")
	fixturesPath := fs.String("fixtures", "", "a fixtures file: say what it lacks and which cases a run with it would skip")
	skeleton := fs.Bool("skeleton", false, "print a fixtures file to fill in (id: TODO), with one task per need (with --fixtures: per missing task)")
	if len(args) > 0 && args[0] == "plan" {
		args = args[1:]
	} else if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return usageError(stderr, fs, "unknown subcommand %q; the one there is: plan", args[0])
	} else if len(args) == 0 {
		return usageError(stderr, fs, "which? the subcommand there is: plan")
	}
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, fs, "unexpected argument %q", fs.Arg(0))
	}
	files, err := loadCaseFiles(*casesDir)
	if err != nil {
		fmt.Fprintf(stderr, "drsconform fixtures: invalid cases:\n%v\n", err)
		return result.ExitUsage
	}
	cat, err := conformance.Requirements()
	if err != nil {
		fmt.Fprintf(stderr, "drsconform fixtures: %v\n", err)
		return result.ExitUsage
	}
	sel, selection, err := f.filter().Select(allCases(files), cat)
	if err != nil {
		fmt.Fprintf(stderr, "drsconform fixtures: %v\n", err)
		return result.ExitUsage
	}
	var file *cases.FixturesFile
	if *fixturesPath != "" {
		if file, err = cases.LoadFixturesFile(*fixturesPath); err != nil {
			fmt.Fprintf(stderr, "drsconform fixtures: invalid fixtures file:\n%v\n", err)
			return result.ExitUsage
		}
	}
	plan := planOf(sel, file)
	if *skeleton {
		writeSkeleton(stdout, plan, file != nil)
		return result.ExitConformant
	}
	writePlan(stdout, plan, len(sel), selection.Describe(), file)
	return result.ExitConformant
}

// need is one kind of task and the cases that need it.
type need struct {
	kind  cases.TaskKind
	count int      // tasks needed: one per fixture, over all cases
	cases []string // the cases, each once
	each  []string // the case of each task needed
	have  int      // tasks of the kind in the file
}

type fixturesPlan struct {
	needs   []*need  // in the order the cases first need them
	noNeeds int      // cases that need no task
	literal []string // cases a field run does not play: they send a literal job ID (cases.LiteralIDs)
	alloc   *runner.Allocation
}

func planOf(sel []*cases.Case, file *cases.FixturesFile) fixturesPlan {
	var p fixturesPlan
	byKind := map[cases.TaskKind]*need{}
	for _, c := range sel {
		if len(cases.LiteralIDs(c)) > 0 {
			p.literal = append(p.literal, c.ID)
			continue
		}
		ks := runner.Needs(c)
		if len(ks) == 0 {
			p.noNeeds++
		}
		for _, k := range ks {
			n, ok := byKind[k]
			if !ok {
				n = &need{kind: k}
				byKind[k] = n
				p.needs = append(p.needs, n)
			}
			n.count++
			n.each = append(n.each, c.ID)
			if len(n.cases) == 0 || n.cases[len(n.cases)-1] != c.ID {
				n.cases = append(n.cases, c.ID)
			}
		}
	}
	if file != nil {
		for _, t := range file.Tasks {
			if n, ok := byKind[t.Kind()]; ok {
				n.have++
			}
		}
		p.alloc = runner.Allocate(sel, file)
	}
	return p
}

func writePlan(w io.Writer, p fixturesPlan, selected int, partial string, file *cases.FixturesFile) {
	total := 0
	for _, n := range p.needs {
		total += n.count
	}
	fmt.Fprintf(w, "%d selected cases: %d need no task; the others need %d tasks, each given to one case only:\n\n",
		selected, p.noNeeds, total)
	if len(p.literal) > 0 {
		fmt.Fprintf(w, "(%d not played with --fixtures: they send a literal job ID that could name a task nobody gave the suite: %s)\n\n",
			len(p.literal), strings.Join(p.literal, ", "))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if file != nil {
		fmt.Fprintln(tw, "TASKS\tIN FILE\tSTATUS\tPROJECT\tFLAGS\tCASES")
	} else {
		fmt.Fprintln(tw, "TASKS\tSTATUS\tPROJECT\tFLAGS\tCASES")
	}
	for _, n := range p.needs {
		project, flags := kindColumns(n.kind)
		names := strings.Join(n.cases[:min(3, len(n.cases))], ", ")
		if len(n.cases) > 3 {
			names += fmt.Sprintf(" and %d more", len(n.cases)-3)
		}
		if file != nil {
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\n", n.count, n.have, n.kind.Status, project, flags, names)
		} else {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", n.count, n.kind.Status, project, flags, names)
		}
	}
	tw.Flush()
	if partial != "" {
		fmt.Fprintf(w, "\n%s\n", partial)
	}
	if file == nil {
		fmt.Fprintln(w, "\nWrite these tasks into a fixtures file (--skeleton prints one to fill in) and check it with --fixtures FILE.")
		return
	}
	var missing []string
	for _, n := range p.needs {
		if n.have < n.count {
			missing = append(missing, fmt.Sprintf("  %d × %s", n.count-n.have, n.kind))
		}
	}
	if len(missing) == 0 {
		fmt.Fprintf(w, "\n%s covers every need: no case will be skipped for want of a task.\n", file.Path)
		return
	}
	fmt.Fprintf(w, "\n%s lacks:\n%s\n", file.Path, strings.Join(missing, "\n"))
	fmt.Fprintf(w, "\nA run with it gives %d cases their tasks and skips %d (the run is then INCOMPLETE):\n", len(p.alloc.Order), len(p.alloc.Unmet))
	for _, n := range p.needs {
		for _, id := range n.cases {
			if u, ok := p.alloc.Unmet[id]; ok {
				fmt.Fprintf(w, "  %s: %s\n", id, u.Reason)
				delete(p.alloc.Unmet, id)
			}
		}
	}
	fmt.Fprintln(w, "\n--skeleton --fixtures FILE prints the missing tasks to add.")
}

func kindColumns(k cases.TaskKind) (project, flags string) {
	project = cases.ProjectMain
	if k.Other {
		project = cases.ProjectOther
	}
	var fl []string
	for _, f := range []struct {
		on   bool
		name string
	}{{k.Parent, "parent"}, {k.DualActive, "dual_active"}, {k.Busy, "busy"}} {
		if f.on {
			fl = append(fl, f.name)
		}
	}
	if len(fl) == 0 {
		return project, "-"
	}
	return project, strings.Join(fl, ",")
}

// writeSkeleton prints a fixtures file with one entry per task needed (or
// per task missing), each with id: TODO for the user to fill in.
func writeSkeleton(w io.Writer, p fixturesPlan, missingOnly bool) {
	fmt.Fprintln(w, "# drsconform fixtures file (README.md, \"Testing a live endpoint\").")
	fmt.Fprintln(w, "# Replace each TODO with the ID of an existing task in that status; the run")
	fmt.Fprintln(w, "# reads every task back before use and touches no other task.")
	other := false
	for _, n := range p.needs {
		other = other || n.kind.Other
	}
	if missingOnly {
		fmt.Fprintln(w, "# The tasks below are the ones your file lacks: add them to its tasks list.")
	} else {
		fmt.Fprintln(w, "project_id: TODO")
		if other {
			fmt.Fprintln(w, "other_project_id: TODO  # a second project, for the isolation cases")
		}
	}
	fmt.Fprintln(w, "tasks:")
	for _, n := range p.needs {
		from := 0
		if missingOnly {
			from = min(n.have, n.count) // the first cases get the tasks the file has
		}
		for _, id := range n.each[from:] {
			fmt.Fprintf(w, "  - id: TODO  # %s\n    status: %s\n", id, n.kind.Status)
			if n.kind.Other {
				fmt.Fprintln(w, "    project: other")
			}
			for _, f := range []struct {
				on   bool
				name string
			}{{n.kind.Parent, "parent"}, {n.kind.DualActive, "dual_active"}, {n.kind.Busy, "busy"}} {
				if f.on {
					fmt.Fprintf(w, "    %s: true\n", f.name)
				}
			}
		}
	}
}
