package runner

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/result"
)

// The pool: with --fixtures, the tasks a case uses are not made through the
// fixture harness but taken from a file of existing tasks
// (cases.FixturesFile). Each task goes to at most one case per run; which
// case gets which is worked out before any case plays (Allocate), in
// catalogue order, so that the same file and selection always give the
// same allocation.

// Allocation is which tasks of a fixtures file each case gets.
type Allocation struct {
	// Given maps a case ID to its fixtures' tasks (fixture name → task);
	// only cases whose every need was met are in it.
	Given map[string]map[string]cases.FileTask
	// Unmet maps a case ID to the needs the file could not meet; the case
	// is skipped with Unmet.Reason.
	Unmet map[string]result.Unmet
	// Order is the IDs of the cases that got tasks, in catalogue order.
	Order []string
}

// Needs are the kinds of task a case needs: one per fixture that is not
// absent, in fixture order.
func Needs(c *cases.Case) []cases.TaskKind {
	var out []cases.TaskKind
	for _, name := range c.FixtureOrder {
		if fx := c.Fixtures[name]; !fx.Absent {
			out = append(out, cases.KindOf(fx))
		}
	}
	return out
}

// Allocate gives each case of sel (in order) the tasks of file it needs,
// each task to one case at most: a case gets tasks only if all its needs
// can be met, from the tasks no earlier case got, first in file order.
// Cases that need no task are in neither map.
func Allocate(sel []*cases.Case, file *cases.FixturesFile) *Allocation {
	a := &Allocation{Given: map[string]map[string]cases.FileTask{}, Unmet: map[string]result.Unmet{}}
	byKind := map[cases.TaskKind][]int{} // kind → indexes of file tasks, in file order
	for i, t := range file.Tasks {
		byKind[t.Kind()] = append(byKind[t.Kind()], i)
	}
	taken := make([]bool, len(file.Tasks))
	for _, c := range sel {
		needs := Needs(c)
		if len(needs) == 0 || len(cases.LiteralIDs(c)) > 0 {
			continue // no tasks, or not played with a fixtures file (literalIDReason)
		}
		count := map[cases.TaskKind]int{}
		var kinds []cases.TaskKind
		for _, k := range needs {
			if count[k] == 0 {
				kinds = append(kinds, k)
			}
			count[k]++
		}
		var short []string
		var why []string
		for _, k := range kinds {
			free, total := 0, len(byKind[k])
			for _, i := range byKind[k] {
				if !taken[i] {
					free++
				}
			}
			if free >= count[k] {
				continue
			}
			short = append(short, k.String())
			why = append(why, fmt.Sprintf("needs %s in %s, the fixtures file has %s", tasks(count[k]), k, has(total, total-free)))
		}
		if len(short) > 0 {
			a.Unmet[c.ID] = result.Unmet{Needs: short, Reason: strings.Join(why, "; ")}
			continue
		}
		given := map[string]cases.FileTask{}
		for _, name := range c.FixtureOrder {
			fx := c.Fixtures[name]
			if fx.Absent {
				continue
			}
			for _, i := range byKind[cases.KindOf(fx)] {
				if !taken[i] {
					taken[i] = true
					given[name] = file.Tasks[i]
					break
				}
			}
		}
		a.Given[c.ID] = given
		a.Order = append(a.Order, c.ID)
	}
	return a
}

func tasks(n int) string {
	if n == 1 {
		return "1 task"
	}
	return fmt.Sprintf("%d tasks", n)
}

// has says how many tasks of a kind the file has, and how many of them
// earlier cases got.
func has(total, taken int) string {
	switch {
	case taken == 0:
		return fmt.Sprint(total)
	case total == 1:
		return "1, given to an earlier case"
	case taken == 2 && total == 2:
		return "2, both given to earlier cases"
	case taken == total:
		return fmt.Sprintf("%d, all given to earlier cases", total)
	}
	return fmt.Sprintf("%d, %d given to earlier cases", total, taken)
}

// pool is the run's allocation and what it has seen of the tasks: the read
// before each case used them, and the final read at the end of the run.
type pool struct {
	redactor *Redactor
	file     *cases.FixturesFile
	alloc    *Allocation
	mu       sync.Mutex
	used     []result.FieldTask // in the order the cases read them
}

// unmet says why case c gets no tasks (the needs the file could not meet,
// when that is why), or "" when it has what it needs.
func (pl *pool) unmet(c *cases.Case) (*result.Unmet, string) {
	if u, ok := pl.alloc.Unmet[c.ID]; ok {
		return &u, u.Reason
	}
	if _, ok := pl.alloc.Given[c.ID]; !ok && len(Needs(c)) > 0 {
		return nil, "no tasks of the fixtures file were set aside for this case (it was not selected when the run started)"
	}
	return nil, ""
}

// notAsStated is a task of the file that does not read back as the file
// states: an ErrNotAsStated whose message is the reason alone.
type notAsStated struct{ msg string }

func (e *notAsStated) Error() string { return e.msg }
func (e *notAsStated) Unwrap() error { return ErrNotAsStated }

// note records that case c read task t back as before (gone for gone).
func (pl *pool) note(c *cases.Case, name string, t cases.FileTask, projectID, before string) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	pl.used = append(pl.used, result.FieldTask{ID: t.ID, Project: t.Project, ProjectID: projectID, Case: c.ID,
		Fixture: name, Stated: t.Status, Before: boundedValue(pl.redactor, before)})
}

// givenFromPool takes the case's tasks from the pool and reads each back
// before use: one that is gone or not in the stated state skips the case
// (ErrNotAsStated) with the reason; one that cannot be read errors it.
func (p *player) givenFromPool(ctx context.Context, cr *caseRun) error {
	given := p.pool.alloc.Given[cr.c.ID]
	for _, name := range cr.c.FixtureOrder {
		fx := cr.c.Fixtures[name]
		if fx.Absent {
			continue
		}
		t := given[name]
		cr.ids[name], cr.vars[name] = t.ID, t.ID
		status, exists, err := p.state.get(ctx, 0, cr.projects[name], t.ID)
		if err != nil {
			return fmt.Errorf("fixture %s: read back task %s: %w", name, quote(p.redact, t.ID), err)
		}
		seen := status
		if !exists {
			seen = gone
		}
		p.pool.note(cr.c, name, t, cr.projects[name], seen)
		switch {
		case !exists:
			return &notAsStated{fmt.Sprintf("task %s is gone, the fixtures file says %s", quote(p.redact, t.ID), t.Status)}
		case status != t.Status:
			return &notAsStated{fmt.Sprintf("task %s reads %s, the fixtures file says %s", quote(p.redact, t.ID), quote(p.redact, status), t.Status)}
		}
	}
	return nil
}

// finish reads every used task back once more at the end of the run and
// returns the tasks with what changed, in the order the cases used them.
func (p *player) finishPool(ctx context.Context) []result.FieldTask {
	p.pool.mu.Lock()
	used := slices.Clone(p.pool.used)
	p.pool.mu.Unlock()
	byProject := map[string][]string{}
	var projects []string
	for _, t := range used {
		if _, ok := byProject[t.ProjectID]; !ok {
			projects = append(projects, t.ProjectID)
		}
		byProject[t.ProjectID] = append(byProject[t.ProjectID], t.ID)
	}
	after := map[string]map[string]string{}
	failed := map[string]string{}
	for _, project := range projects {
		states, err := p.readMany(withRecorder(ctx, &recorder{}), project, byProject[project])
		if err != nil {
			failed[project] = bounded(p.redact, err.Error(), 300)
			continue
		}
		after[project] = states
	}
	for i := range used {
		t := &used[i]
		if msg, bad := failed[t.ProjectID]; bad {
			t.AfterError, t.Changed = msg, true
			continue
		}
		t.After = boundedValue(p.redact, after[t.ProjectID][t.ID])
		t.Changed = t.After != t.Before
		t.ID = boundedValue(p.redact, t.ID)
	}
	return used
}

// readMany reads tasks of one project back: through batch-status in
// chunks with --readback api, one by one through the harness otherwise.
func (p *player) readMany(ctx context.Context, project string, ids []string) (map[string]string, error) {
	if a, ok := p.state.(*apiReader); ok {
		return a.read(ctx, 0, project, ids)
	}
	out := map[string]string{}
	for _, id := range ids {
		s, exists, err := p.state.get(ctx, 0, project, id)
		if err != nil {
			return nil, err
		}
		if !exists {
			s = gone
		}
		out[id] = s
	}
	return out, nil
}

// preflightFixtures replaces the harness probe when the run has a fixtures
// file: every task of the file is read back (batch-status, chunked), and the
// check says which are not as the file states. Those only skip the cases
// they are given to; a read-back that does not work stops the run, since no
// case could be judged.
func (p *player) preflightFixtures(ctx context.Context, checks []result.PreflightCheck) ([]result.PreflightCheck, error) {
	file := p.pool.file
	if len(file.Tasks) == 0 {
		return append(checks, result.PreflightCheck{Name: "fixtures", OK: true, Detail: file.Path + " lists no task"}), nil
	}
	ids := map[bool][]string{}
	for _, t := range file.Tasks {
		ids[t.Other()] = append(ids[t.Other()], t.ID)
	}
	states := map[bool]map[string]string{}
	for _, other := range []bool{false, true} {
		if len(ids[other]) == 0 {
			continue
		}
		project := p.cfg.ProjectID
		if other {
			project = p.cfg.OtherProjectID
		}
		s, err := p.readMany(ctx, project, ids[other])
		if err != nil {
			return checks, &PreflightError{Check: "read-back", Exit: result.ExitCannotJudge,
				Msg: fmt.Sprintf("cannot read the tasks of %s back: %s", file.Path, p.redact.String(err.Error()))}
		}
		states[other] = s
	}
	var off []string
	for _, t := range file.Tasks {
		got := states[t.Other()][t.ID]
		if got == t.Status {
			continue
		}
		if got != gone {
			got = "reads " + quote(p.redact, got)
		} else {
			got = "is gone"
		}
		if len(off) < 10 {
			where := ""
			if t.Line > 0 {
				where = fmt.Sprintf(" (line %d)", t.Line)
			}
			off = append(off, fmt.Sprintf("%s%s %s, the file says %s", quote(p.redact, t.ID), where, got, t.Status))
		} else if len(off) == 10 {
			off = append(off, "…")
		}
	}
	if len(off) == 0 {
		return append(checks, result.PreflightCheck{Name: "fixtures", OK: true,
			Detail: fmt.Sprintf("all %d tasks of %s read back as the file states", len(file.Tasks), file.Path)}), nil
	}
	return append(checks, result.PreflightCheck{Name: "fixtures", OK: false,
		Detail: fmt.Sprintf("tasks of %s not as stated (the cases given them will be skipped): %s", file.Path, strings.Join(off, "; "))}), nil
}

// literalIDReason says why a run with a fixtures file does not play c, or
// "": c sends a literal job ID (cases.LiteralIDs), which could name a task
// nobody gave the suite.
func literalIDReason(c *cases.Case) string {
	ids := cases.LiteralIDs(c)
	if len(ids) == 0 {
		return ""
	}
	return fmt.Sprintf("sends the literal job ID %s, which is neither a task of the fixtures file nor made up by the runner: not played with --fixtures",
		quoteShort(ids[0]))
}
