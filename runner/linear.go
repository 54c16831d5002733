package runner

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/model"
	"github.com/drsconform/drsconform/result"
)

// Concurrent generated groups (README.md, "Generated batches and the model
// of the spec"): `run --generate-concurrent N --seed S` plays N groups, each
// of K (2–4) small batches (1–6 items) over one shared set of fixtures, sent
// at the same moment behind the barrier of runner/group.go. The group passes
// when some serial order of its batches explains every answer: applying
// model.Judge (model/model.go) batch by batch in that order, each batch
// finding the tasks in a state the previous batches' allowed sets leave them
// in, every observed item result is allowed and the tasks read back in a
// state the last batch allows. K ≤ 4: at most 24 orders, searched by brute
// force with a memo on (batches played, task states).
//
// Limitation: a stop is asynchronous (RELEASE_RESOURCE_STARTED, then a
// deletable state), so a delete racing a stop of the same task may see a
// state no batch left it in. A group therefore stops only tasks that no
// batch of the group deletes; the tasks it deletes see only deletes.
// Failing groups are not shrunk.

// linearSalt separates the random source of the groups from the batches'.
const linearSalt = 0x6c696e6561720000

// groupMaxBatches is the most batches a concurrent group sends at once.
const groupMaxBatches = 4

// genGroup is one concurrent generated group: the shared tasks, then K
// batches over them (genItem.Task indexes Tasks; model.NoTask is a literal
// unknown ID).
type genGroup struct {
	Tasks   []model.Task
	Batches [][]genItem
}

// generateGroup makes group n of seed.
func generateGroup(seed uint64, n int) genGroup {
	r := rand.New(rand.NewPCG(seed^linearSalt, uint64(n)))
	nTasks := 1 + r.IntN(4)
	g := genGroup{Tasks: make([]model.Task, nTasks)}
	stopped := make([]bool, nTasks) // stopped tasks are never deleted in the group
	for i := range g.Tasks {
		g.Tasks[i] = randomTask(r, interestingStatuses(), model.Statuses(), 4, 6)
		stopped[i] = r.IntN(4) == 0
	}
	seen := map[string]bool{}
	for range 2 + r.IntN(groupMaxBatches-1) {
		var items []genItem
		used := map[int]bool{}
		for range 1 + r.IntN(6) {
			if t := r.IntN(nTasks); r.IntN(100) < 75 && !used[t] {
				used[t] = true
				typ := model.Delete
				if stopped[t] {
					typ = []string{model.Terminate, model.ForceTerminate}[r.IntN(2)]
				}
				items = append(items, genItem{DeleteType: typ, Task: t})
				continue
			}
			id := unknownID(r, 63) // UUID-shaped
			for seen[id] {
				id += fmt.Sprint(r.IntN(10))
			}
			seen[id] = true
			items = append(items, genItem{DeleteType: model.DeleteTypes[r.IntN(len(model.DeleteTypes))], Task: model.NoTask, ID: id})
		}
		g.Batches = append(g.Batches, items)
	}
	return g
}

// literalName names unknown ID i of batch k.
func literalName(k, i int) string { return fmt.Sprintf("b%du%d", k, i) }

// toCase writes g as a case: the fixtures (deleted ones deleted before the
// group), then one concurrent step of the K batches, each answer judged as
// any single answer is (status 202, contract, invariants); the serial-order
// check (checkLinear) judges the answers together.
func (g genGroup) toCase(id string) (*cases.Case, map[string]string) {
	one := genBatch{Tasks: g.Tasks}
	c, _ := one.toCase(id) // the fixtures and the delete before the group
	c.Title = fmt.Sprintf("concurrent generated group: %d batches over %d tasks", len(g.Batches), len(g.Tasks))
	c.Steps = c.Steps[:len(c.Steps)-1]
	c.Requirements = []string{"REQ-CON-01"}
	if len(c.Steps) > 0 {
		c.Requirements = append(c.Requirements, "REQ-STA-01") // the delete before the group
	}
	literal := map[string]string{}
	step := cases.Step{Name: "concurrent generated batches",
		ExpectGroup: &cases.GroupExpect{Requirement: "REQ-CON-01", Status: cases.StatusSet{202}}}
	for k, items := range g.Batches {
		jobs := make([]any, len(items))
		for i, it := range items {
			name := taskName(it.Task)
			if it.Task == model.NoTask {
				name = literalName(k, i)
				literal[name] = sentUnknownID(it.ID)
			}
			jobs[i] = map[string]any{"delete_type": it.DeleteType, "job_id": "{{" + name + "}}"}
		}
		step.Concurrent = append(step.Concurrent, cases.Request{Body: map[string]any{"jobs": jobs}})
	}
	c.Steps = append(c.Steps, step)
	return c, literal
}

// linearCheck is what a concurrent step of a generated group needs to judge
// its answers together (set on the caseRun; runner/group.go calls it).
type linearCheck struct {
	g    genGroup
	seed uint64
	n    int
}

// observed is what one batch of the group was answered: its status and, by
// item, "success", "failed" or "" (no result for it).
type observed struct {
	status int
	items  []string
}

// check reads every task back and looks for a serial order of the batches
// that explains the answers; none is a finding on REQ-CON-01.
func (l *linearCheck) check(ctx context.Context, j *judge, docs []answer, resps []*response) error {
	cr := j.cr
	obs := make([]observed, len(l.g.Batches))
	for k, items := range l.g.Batches {
		obs[k] = observed{status: resps[k].Status, items: make([]string, len(items))}
		byID := map[string]string{}
		if docs[k] != nil {
			for _, r := range docs[k].results() {
				byID[str(r, "id")] = str(r, "status")
			}
		}
		for i, it := range items {
			name := taskName(it.Task)
			if it.Task == model.NoTask {
				name = literalName(k, i)
			}
			obs[k].items[i] = byID[cr.ids[name]]
		}
	}
	finals := make([]final, len(l.g.Tasks))
	for i := range l.g.Tasks {
		name := taskName(i)
		status, exists, err := j.p.state.get(ctx, j.step, cr.projects[name], cr.ids[name])
		if err != nil {
			return err
		}
		finals[i] = final{status, exists}
	}
	s := &search{g: l.g, obs: obs, finals: finals, memo: map[string]bool{}}
	if order, ok := s.explain(0, slices.Clone(l.g.Tasks), nil); ok {
		cr.res.Messages = append(cr.res.Messages, fmt.Sprintf("seed %d, group %d: %d batches over %d tasks, explained by the order %s",
			l.seed, l.n, len(l.g.Batches), len(l.g.Tasks), orderString(order)))
		return nil
	}
	var got strings.Builder
	for k, items := range l.g.Batches {
		fmt.Fprintf(&got, "batch %d: %d [", k+1, obs[k].status)
		for i, it := range items {
			name := taskName(it.Task)
			if it.Task == model.NoTask {
				name = "unknown"
			}
			fmt.Fprintf(&got, " %s %s→%s", it.DeleteType, name, cmp(obs[k].items[i], "none"))
		}
		got.WriteString(" ]; ")
	}
	for i, f := range finals {
		fmt.Fprintf(&got, "%s read back %s; ", taskName(i), map[bool]string{true: f.status, false: "gone"}[f.exists])
	}
	req := "REQ-CON-01"
	j.find(req, result.LayerExpect,
		fmt.Sprintf("answers some serial order of the %d concurrent batches explains (model/model.go; closest: %s)", len(l.g.Batches), s.closest()),
		strings.TrimSuffix(got.String(), "; "), "")
	cr.res.Messages = append(cr.res.Messages, fmt.Sprintf("seed %d, group %d: no order of the %d batches explains the answers (`drsconform run --generate 0 --generate-concurrent %d --seed %d` replays it)",
		l.seed, l.n, len(l.g.Batches), l.n+1, l.seed))
	return nil
}

func cmp(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}

func orderString(order []int) string {
	s := make([]string, len(order))
	for i, k := range order {
		s[i] = fmt.Sprint(k + 1)
	}
	return strings.Join(s, ",")
}

type final struct {
	status string
	exists bool
}

// search is the brute force over orders and allowed intermediate states.
type search struct {
	g      genGroup
	obs    []observed
	finals []final
	memo   map[string]bool // (batches played, states) already refuted
	// the refuted order that went furthest, and why it stopped
	bestDepth int
	bestWhy   string
}

func (s *search) closest() string {
	if s.bestWhy == "" {
		return "none"
	}
	return s.bestWhy
}

func stateKey(mask int, tasks []model.Task) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", mask)
	for _, t := range tasks {
		fmt.Fprintf(&b, "|%s/%t", t.Status, t.Deleted)
	}
	return b.String()
}

// explain reports whether the batches not in mask, played in some order
// from tasks, explain what was observed; it returns that order.
func (s *search) explain(mask int, tasks []model.Task, order []int) ([]int, bool) {
	if len(order) == len(s.g.Batches) {
		for i, t := range tasks {
			f := s.finals[i]
			if f.exists == t.Deleted || f.exists && f.status != t.Status {
				s.refuted(len(order), fmt.Sprintf("order %s leaves %s %s, read back %s", orderString(order), taskName(i),
					map[bool]string{true: "gone", false: t.Status}[t.Deleted], map[bool]string{true: f.status, false: "gone"}[f.exists]))
				return nil, false
			}
		}
		return order, true
	}
	key := stateKey(mask, tasks)
	if s.memo[key] {
		return nil, false
	}
	for k, items := range s.g.Batches {
		if mask&(1<<k) != 0 {
			continue
		}
		next := slices.Concat(order, []int{k})
		b := model.Batch{Tasks: tasks, Items: make([]model.Item, len(items))}
		for i, it := range items {
			b.Items[i] = model.Item{DeleteType: it.DeleteType, Task: it.Task}
		}
		a := model.Judge(b)
		if o := s.obs[k]; o.status != http.StatusAccepted {
			// Judged by the group's expect already; the batch is a 4xx here:
			// nothing changed (REQ-VAL-08).
			if r, ok := s.explain(mask|1<<k, tasks, next); ok {
				return r, true
			}
			continue
		}
		bad := ""
		for i, ia := range a.Items {
			if got := s.obs[k].items[i]; got != "" && !ia.Admits(got) {
				bad = fmt.Sprintf("order %s: batch %d item %d (%s %s) answered %s, %s allows %s", orderString(next), k+1, i+1,
					items[i].DeleteType, cmp(map[bool]string{true: "unknown"}[items[i].Task == model.NoTask], taskName(items[i].Task)), got,
					ia.Requirement, allowedString(ia))
				break
			}
		}
		if bad != "" {
			s.refuted(len(next), bad)
			continue
		}
		// Branch over every state the batch may leave its tasks in.
		for _, st := range successors(tasks, a) {
			if r, ok := s.explain(mask|1<<k, st, next); ok {
				return r, true
			}
		}
	}
	s.memo[key] = true
	return nil, false
}

func (s *search) refuted(depth int, why string) {
	if depth > s.bestDepth || s.bestWhy == "" {
		s.bestDepth, s.bestWhy = depth, why
	}
}

func allowedString(ia model.ItemAllowed) string {
	switch {
	case ia.Any():
		return "success or failed"
	case ia.Success:
		return "success"
	}
	return "failed"
}

// successors are the task states a batch allowed a leaves tasks in: the
// product of each task's allowed read-backs (at most 4 tasks × 5 states).
func successors(tasks []model.Task, a model.Allowed) [][]model.Task {
	out := [][]model.Task{slices.Clone(tasks)}
	for i, t := range tasks {
		ta := a.Tasks[i]
		var opts []model.Task
		if ta.Gone {
			opts = append(opts, model.Task{Status: t.Status, Deleted: true})
		}
		for _, st := range ta.Statuses {
			u := t
			u.Status, u.Deleted = st, false
			opts = append(opts, u)
		}
		var grown [][]model.Task
		for _, o := range out {
			for _, u := range opts {
				c := slices.Clone(o)
				c[i] = u
				grown = append(grown, c)
			}
		}
		out = grown
	}
	return out
}

// generatedGroupID names group n of seed.
func generatedGroupID(seed uint64, n int) string {
	return fmt.Sprintf("generated-concurrent.%d.%d", seed, n)
}

// playGeneratedGroup plays group n of seed.
func (p *player) playGeneratedGroup(ctx context.Context, seed uint64, n int) result.CaseResult {
	g := generateGroup(seed, n)
	c, literal := g.toCase(generatedGroupID(seed, n))
	q := *p
	q.cfg.SettleTimeout = min(p.cfg.SettleTimeout, 2*time.Second)
	q.linear = &linearCheck{g: g, seed: seed, n: n}
	return q.playWith(ctx, c, literal)
}

// generatedGroups plays groups 0..n-1 of seed, at most cfg.Parallel at once.
func (p *player) generatedGroups(ctx context.Context, n int, seed uint64) []result.CaseResult {
	if p.cfg.Filter.Safe {
		// Every group acts on tasks it makes: none under --safe (the
		// selection line of every report says so, result.Selection).
		return nil
	}
	out := make([]result.CaseResult, n)
	// Each group sends up to groupMaxBatches requests at once: play few
	// enough groups together that no more than --parallel answers are in
	// flight, as in the rest of the run (memory is bounded per answer).
	sem := make(chan struct{}, max(1, p.cfg.Parallel/groupMaxBatches))
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i] = p.playGeneratedGroup(ctx, seed, i)
		})
	}
	wg.Wait()
	return out
}

// PlayGeneratedGroup plays concurrent generated group n of seed.
func (s *Session) PlayGeneratedGroup(ctx context.Context, seed uint64, n int) result.CaseResult {
	return s.p.playGeneratedGroup(ctx, seed, n)
}
