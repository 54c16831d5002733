package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/drsconform/drsconform/result"
)

// The tasks of a fixtures file a run used (run --fixtures;
// result.Report.FieldTasks), and what the run did not play: every format
// says which tasks the run changed, so that the vendor can recreate them
// before the next run.

// FieldTasksShown bounds the changed tasks the terminal summary lists one
// per line; the reports list them all.
const FieldTasksShown = 20

// changedTasks are the used tasks that read differently at the end.
func changedTasks(r *result.Report) []result.FieldTask {
	var out []result.FieldTask
	for _, t := range r.FieldTasks {
		if t.Changed {
			out = append(out, t)
		}
	}
	return out
}

// notAsStatedNote says how many given tasks read back otherwise than the
// file states (their cases skipped, the tasks untouched), or "".
func notAsStatedNote(r *result.Report) string {
	n := 0
	for _, t := range r.FieldTasks {
		if t.Before != t.Stated {
			n++
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", %d of them not as the file states (their cases skipped, the tasks left alone)", n)
}

// fieldAfter is what the final read-back saw, for people.
func fieldAfter(t result.FieldTask) string {
	if t.AfterError != "" {
		return "(not read: " + t.AfterError + ")"
	}
	return t.After
}

// fieldLine is one used task in one line.
func fieldLine(t result.FieldTask) string {
	return fmt.Sprintf("%s (%s project) used by %s as %s: stated %s, read %s before use, %s at the end",
		t.ID, t.Project, t.Case, t.Fixture, t.Stated, t.Before, fieldAfter(t))
}

// fieldTasksSummary writes, for a terminal, what was not played and the
// tasks the run changed, one line each, at most FieldTasksShown.
func fieldTasksSummary(w io.Writer, r *result.Report) {
	for _, n := range r.NotPlayed {
		fmt.Fprintf(w, "not played: %s\n", terminalLine(n))
	}
	if len(r.FieldTasks) == 0 {
		return
	}
	changed := changedTasks(r)
	if len(changed) == 0 {
		fmt.Fprintf(w, "\nfixtures file: %d tasks given to cases%s; none changed\n", len(r.FieldTasks), notAsStatedNote(r))
		return
	}
	fmt.Fprintf(w, "\nTasks this run changed: recreate before the next run (%d of the %d it used):\n", len(changed), len(r.FieldTasks))
	for i, t := range changed {
		if i == FieldTasksShown {
			fmt.Fprintf(w, "  … %d more (report.json field_tasks, report.md, report.html)\n", len(changed)-i)
			break
		}
		fmt.Fprintf(w, "  %s\n", terminalLine(fieldLine(t)))
	}
}

// mdFieldTasks writes the markdown section.
func mdFieldTasks(b *strings.Builder, r *result.Report) {
	for _, n := range r.NotPlayed {
		fmt.Fprintf(b, "> Not played: %s\n\n", mdText(n))
	}
	if len(r.FieldTasks) == 0 {
		return
	}
	changed := changedTasks(r)
	if len(changed) > 0 {
		fmt.Fprintf(b, "### Tasks this run changed: recreate before the next run\n\n%d of the %d tasks of the fixtures file the run used read differently at the end.\n\n", len(changed), len(r.FieldTasks))
	} else {
		fmt.Fprintf(b, "### Tasks of the fixtures file\n\n%d tasks given to cases%s; none changed.\n\n", len(r.FieldTasks), mdText(notAsStatedNote(r)))
	}
	b.WriteString("| task | project | case | fixture | stated | before use | at the end | changed |\n|---|---|---|---|---|---|---|---|\n")
	for _, t := range r.FieldTasks {
		ch := "no"
		if t.Changed {
			ch = "**yes**"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", code(t.ID), cell(t.Project), code(t.Case), cell(t.Fixture),
			cell(t.Stated), cell(t.Before), cell(fieldAfter(t)), ch)
	}
	b.WriteString("\n")
}
