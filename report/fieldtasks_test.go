package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/drsconform/drsconform/result"
)

func fieldReport() *result.Report {
	return &result.Report{Verdict: result.Pass, SuiteVersion: "v", Target: "https://t",
		NotPlayed: []string{"3 generated batches: they make tasks of their own"},
		FieldTasks: []result.FieldTask{
			{ID: "keep-jb01", Project: "main", Case: "non-deletable.creating", Fixture: "task", Stated: "CREATING", Before: "CREATING", After: "CREATING"},
			{ID: "gone-jb02", Project: "main", Case: "delete.create-failed", Fixture: "task", Stated: "CREATE_FAILED", Before: "CREATE_FAILED", After: "(gone)", Changed: true},
			{ID: "esc\x1b[2J-jb03", Project: "other", Case: "c", Fixture: "t", Stated: "CREATING", Before: "CREATING", AfterError: "read-back: 500", Changed: true},
		}}
}

func TestFieldTasksInEveryFormat(t *testing.T) {
	t.Parallel()
	r := fieldReport()
	var sum bytes.Buffer
	SummaryWith(&sum, r, SummaryOptions{})
	for _, want := range []string{"not played: 3 generated batches", "Tasks this run changed: recreate before the next run (2 of the 3 it used)",
		"gone-jb02 (main project) used by delete.create-failed as task: stated CREATE_FAILED, read CREATE_FAILED before use, (gone) at the end",
		"(not read: read-back: 500)"} {
		if !strings.Contains(sum.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, sum.String())
		}
	}
	if strings.Contains(sum.String(), "keep-jb01") || strings.Contains(sum.String(), "\x1b") {
		t.Errorf("summary lists an unchanged task or an escape:\n%s", sum.String())
	}
	var md bytes.Buffer
	if err := Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"### Tasks this run changed: recreate before the next run", "| `gone-jb02` | main | `delete.create-failed` | task | CREATE\\_FAILED | CREATE\\_FAILED | (gone) | **yes** |", "> Not played: 3 generated batches"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	var html bytes.Buffer
	if err := HTML(&html, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<section id="field-tasks"><h2>Tasks this run changed: recreate before the next run</h2>`, "<code>gone-jb02</code>", "Not played: 3 generated batches"} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("html lacks %q", want)
		}
	}
	// Many changed tasks: the summary stays bounded.
	r.FieldTasks = nil
	for range FieldTasksShown + 5 {
		r.FieldTasks = append(r.FieldTasks, result.FieldTask{ID: "x", Changed: true})
	}
	sum.Reset()
	SummaryWith(&sum, r, SummaryOptions{})
	if !strings.Contains(sum.String(), "… 5 more") {
		t.Errorf("summary not bounded:\n%s", sum.String())
	}
}

// Tasks read back otherwise than the file states were given to cases but
// not used: the summary says so, and does not call them used.
func TestFieldTasksNotAsStatedAreSaidSo(t *testing.T) {
	t.Parallel()
	r := &result.Report{Verdict: result.Incomplete, SuiteVersion: "v", Target: "https://t",
		FieldTasks: []result.FieldTask{
			{ID: "a-jb01", Project: "main", Case: "c1", Fixture: "task", Stated: "CREATE_FAILED", Before: "(gone)", After: "(gone)"},
			{ID: "b-jb02", Project: "main", Case: "c2", Fixture: "task", Stated: "CREATING", Before: "CREATING", After: "CREATING"},
		}}
	var sum bytes.Buffer
	SummaryWith(&sum, r, SummaryOptions{})
	want := "fixtures file: 2 tasks given to cases, 1 of them not as the file states (their cases skipped, the tasks left alone); none changed"
	if !strings.Contains(sum.String(), want) {
		t.Errorf("summary lacks %q:\n%s", want, sum.String())
	}
	var md bytes.Buffer
	if err := Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "1 of them not as the file states") {
		t.Errorf("report.md does not say it:\n%s", md.String())
	}
}
