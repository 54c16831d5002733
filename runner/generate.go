package runner

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/model"
	"github.com/drsconform/drsconform/result"
)

// Generated batches (README.md, "Generated batches"): after the catalogue,
// `run --generate N --seed S` plays N random batches, each judged against
// the set of answers the model (model/model.go) allows and by the runner's
// own invariants. A failing batch is shrunk to a small one and reported as
// a case block ready to paste into a case file.

// GeneratedTheme is the theme of generated results.
const GeneratedTheme = "generated"

// Bounds of one generated batch.
const (
	genMaxItems     = 1000
	genMaxTasks     = 24
	genMaxIDBytes   = 4 << 10   // an unknown ID's shape is at most this long (sentUnknownID adds its prefix)
	genMaxBodyBytes = 512 << 10 // all job_ids of a batch together
	shrinkPlays     = 150       // replays a shrink may spend
	shrinkTime      = 4 * time.Second
)

// genItem is one entry: a delete type and a task (an index into
// genBatch.Tasks), or, with model.NoTask, a literal ID no task has.
type genItem struct {
	DeleteType string
	Task       int
	ID         string
}

// genBatch is one generated batch: the tasks to make, then the request.
type genBatch struct {
	Tasks []model.Task
	Items []genItem
}

func (g genBatch) model() model.Batch {
	b := model.Batch{Tasks: g.Tasks, Items: make([]model.Item, len(g.Items))}
	for i, it := range g.Items {
		b.Items[i] = model.Item{DeleteType: it.DeleteType, Task: it.Task}
	}
	return b
}

// rngFor is the random source of batch n of seed: independent of the order
// batches are played in, so the same seed gives the same batches.
func rngFor(seed uint64, n int) *rand.Rand { return rand.New(rand.NewPCG(seed, uint64(n))) }

// generateBatch makes batch n of seed.
func generateBatch(seed uint64, n int) genBatch { return generateBatchOf(seed, n, false) }

// generateBatchOf makes batch n of seed; unknownOnly (run --safe) makes one
// of unknown IDs only: no task, so nothing to make, delete or read back.
func generateBatchOf(seed uint64, n int, unknownOnly bool) genBatch {
	r := rngFor(seed, n)
	var size int
	switch x := r.IntN(100); {
	case x < 85:
		size = 1 + r.IntN(10)
	case x < 96:
		size = 11 + r.IntN(90)
	default:
		size = 101 + r.IntN(genMaxItems-100)
	}
	nTasks := min(genMaxTasks, r.IntN(size+2))
	if unknownOnly {
		nTasks = 0
	}
	g := genBatch{Tasks: make([]model.Task, nTasks)}
	for i := range g.Tasks {
		g.Tasks[i] = randomTask(r, model.Statuses(), interestingStatuses(), 2, 8)
	}
	repeats := r.IntN(5) == 0
	used := map[int]bool{}
	seen := map[string]bool{}
	budget := genMaxBodyBytes
	for range size {
		typ := model.DeleteTypes[r.IntN(len(model.DeleteTypes))]
		if nTasks > 0 && r.IntN(100) < 60 {
			t := r.IntN(nTasks)
			if repeats || !used[t] {
				used[t] = true
				g.Items = append(g.Items, genItem{DeleteType: typ, Task: t})
				continue
			}
		}
		id := unknownID(r, min(budget/2, genMaxIDBytes))
		for seen[id] {
			id += "-" + fmt.Sprint(r.IntN(1000))
		}
		seen[id] = true
		budget -= len(id)
		g.Items = append(g.Items, genItem{DeleteType: typ, Task: model.NoTask, ID: id})
	}
	return g
}

// Pieces of unknown IDs: non-ASCII (CJK, emoji, combining marks, a
// right-to-left mark, a line separator) and characters that need URL or
// JSON escaping. Never "{{", which a case would read as a template.
var idPieces = []string{"任务", "迁移", "😀", "👩‍💻", "e\u0301", "n\u0303", "\u200f", "\u2028", "ß", "Ω",
	"\"", "\\", "/", "?", "#", "&", "%", "%2F", "+", " ", "<", ">", "'", "\t", "\n", "\u0000", "\u007f", "é"}

// unknownID makes the shape of a job_id no task has, at most limit bytes:
// usually UUID-shaped, sometimes long, non-ASCII or full of escapes. It is
// sent behind AbsentIDPrefix and a random part (sentUnknownID).
func unknownID(r *rand.Rand, limit int) string {
	hex := func(n int) string {
		const digits = "0123456789abcdef"
		b := make([]byte, n)
		for i := range b {
			b[i] = digits[r.IntN(16)]
		}
		return string(b)
	}
	base := hex(8) + "-" + hex(4) + "-" + hex(4) + "-" + hex(4) + "-" + hex(8) + "jb0g"
	switch x := r.IntN(100); {
	case x < 60 || limit < 64:
		return base
	case x < 85:
		var b strings.Builder
		b.WriteString(base[:8])
		for n := 1 + r.IntN(12); n > 0; n-- {
			b.WriteString(idPieces[r.IntN(len(idPieces))])
		}
		return b.String()
	default:
		var b strings.Builder
		b.WriteString(base)
		want := 256 + r.IntN(max(1, limit-256))
		for b.Len() < want {
			if r.IntN(4) == 0 {
				b.WriteString(idPieces[r.IntN(len(idPieces))])
			} else {
				b.WriteString(hex(16))
			}
		}
		return truncRunes(b.String(), limit)
	}
}

// sentUnknownID is the job_id sent for a generated unknown ID of the given
// shape: AbsentIDPrefix, 96 bits of crypto/rand, then the shape. The seed
// makes the shape (the same seed, the same shapes and so the same behaviour
// of a target); the random part is new on every play, so no generated ID
// can name a real task, nor one a former run sent.
func sentUnknownID(shape string) string {
	var b [12]byte
	_, _ = crand.Read(b[:]) // crypto/rand.Read never fails
	return mintAbsent(AbsentIDPrefix + hex.EncodeToString(b[:]) + "-" + shape)
}

// truncRunes cuts s to at most n bytes at a rune boundary.
func truncRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// taskName and idName name a generated batch's fixtures and unknown IDs.
func taskName(i int) string { return fmt.Sprintf("t%d", i) }
func idName(i int) string   { return fmt.Sprintf("u%d", i) }

// genMayRefuseItems is the size from which a target may refuse a batch as
// a whole (REQ-VAL-11; cases/scale.yaml, scale.batch-100).
const genMayRefuseItems = 100

// toCase writes g as a case the player plays, with the model's allowed
// answers as its outcomes, and the literal unknown IDs by name.
func (g genBatch) toCase(id string) (*cases.Case, map[string]string) {
	a := model.Judge(g.model())
	c := &cases.Case{ID: id, Title: fmt.Sprintf("generated batch: %d items, %d tasks", len(g.Items), len(g.Tasks)),
		Theme: GeneratedTheme, File: "(generated)", Tags: []string{GeneratedTheme}, Fixtures: map[string]cases.Fixture{}}
	reqs := map[string]bool{"REQ-STA-09": true, "REQ-RES-02": true}
	var deleted []any
	for i, t := range g.Tasks {
		fx := cases.Fixture{Status: t.Status, Parent: t.Parent, DualActive: t.DualActive, Busy: t.Busy}
		if t.OtherProject {
			fx.Project = "other"
		}
		c.Fixtures[taskName(i)] = fx
		c.FixtureOrder = append(c.FixtureOrder, taskName(i))
		if t.Deleted {
			deleted = append(deleted, map[string]any{"delete_type": model.Delete, "job_id": "{{" + taskName(i) + "}}"})
		}
	}
	if len(deleted) > 0 {
		pre := cases.Step{Name: "delete before the batch", Request: cases.Request{Body: map[string]any{"jobs": deleted}},
			Expect: &cases.Expect{Status: cases.StatusSet{202}, Requirement: "REQ-HTTP-01", Results: map[string]cases.ItemExpect{}}, Then: cases.Then{}}
		for i, t := range g.Tasks {
			if t.Deleted {
				pre.Expect.Results[taskName(i)] = cases.ItemExpect{Status: "success", Requirement: "REQ-STA-01"}
				pre.Then[taskName(i)] = cases.Post{Gone: true, Requirement: "REQ-STA-01"}
			}
		}
		reqs["REQ-STA-01"] = true
		c.Steps = append(c.Steps, pre)
	}
	literal := map[string]string{}
	jobs := make([]any, len(g.Items))
	results := map[string]cases.ItemExpect{}
	merged := map[string]model.ItemAllowed{}
	for i, it := range g.Items {
		name := ""
		if it.Task == model.NoTask {
			name = idName(i)
			literal[name] = sentUnknownID(it.ID)
		} else {
			name = taskName(it.Task)
		}
		jobs[i] = map[string]any{"delete_type": it.DeleteType, "job_id": "{{" + name + "}}"}
		ia := a.Items[i]
		if m, ok := merged[name]; ok {
			ia = model.ItemAllowed{Success: m.Success || ia.Success, Failed: m.Failed || ia.Failed, Requirement: m.Requirement}
		}
		merged[name] = ia
		reqs[ia.Requirement] = true
	}
	for name, ia := range merged {
		st := "any"
		switch {
		case ia.Success && !ia.Failed:
			st = "success"
		case ia.Failed && !ia.Success:
			st = "failed"
		}
		results[name] = cases.ItemExpect{Status: st, Requirement: ia.Requirement}
	}
	then := cases.Then{}
	for i, ta := range a.Tasks {
		reqs[ta.Requirement] = true
		switch {
		case ta.Gone && len(ta.Statuses) == 0:
			then[taskName(i)] = cases.Post{Gone: true, Requirement: ta.Requirement}
		case !ta.Gone:
			then[taskName(i)] = cases.Post{StatusIn: ta.Statuses, Requirement: ta.Requirement}
			// gone or in a state: more than a post-condition says; the
			// item results and the invariants still judge the batch.
		}
	}
	main := cases.Step{Name: "generated batch", Request: cases.Request{Body: map[string]any{"jobs": jobs}}}
	accepted := cases.Outcome{Expect: cases.Expect{Status: cases.StatusSet{202}, Requirement: "REQ-HTTP-01", Results: results}, Then: then}
	acceptedLabel := "result-per-entry"
	if a.RejectedBy == "" && len(g.Items) >= genMayRefuseItems {
		// A batch this large may be refused as a whole (REQ-VAL-11), as
		// cases/scale.yaml, scale.batch-100, allows.
		a.RejectedBy, acceptedLabel = "REQ-VAL-11", "processed-in-full"
	}
	if a.RejectedBy != "" {
		accepted.Choice = a.RejectedBy + "=" + acceptedLabel
		unchanged := cases.Then{}
		for i := range g.Tasks {
			unchanged[taskName(i)] = cases.Post{Unchanged: true, Requirement: "REQ-VAL-08"}
		}
		main.Outcomes = []cases.Outcome{accepted, {Choice: a.RejectedBy + "=rejected-400",
			Expect: cases.Expect{Status: cases.StatusSet{400}, Requirement: a.RejectedBy}, Then: unchanged}}
		reqs[a.RejectedBy] = true
	} else {
		main.Expect, main.Then = &accepted.Expect, accepted.Then
	}
	c.Steps = append(c.Steps, main)
	delete(reqs, "REQ-STA-09")
	c.Requirements = append([]string{"REQ-STA-09"}, sortedKeys(reqs)...)
	return c, literal
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// generated plays batches 0..n-1 of seed, at most cfg.Parallel at once.
func (p *player) generated(ctx context.Context, n int, seed uint64) []result.CaseResult {
	out := make([]result.CaseResult, n)
	sem := make(chan struct{}, p.cfg.Parallel)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i] = p.playGenerated(ctx, seed, i)
		}()
	}
	wg.Wait()
	return out
}

// interestingStatuses are the states where the delete types differ most:
// deletable, running, releasing.
func interestingStatuses() []string {
	return slices.Concat(model.DeletableStatuses(), []string{"FULL_TRANSFER_STARTED", "INCRE_TRANSFER_STARTED", model.ReleaseResourceStarted})
}

// randomTask is a task in a state drawn from first, or one time in
// otherOneIn from second; then, each with flagPct percent: a parent (in a
// dual-active pair half the time), busy, of the other project, or already
// deleted.
func randomTask(r *rand.Rand, first, second []string, otherOneIn, flagPct int) model.Task {
	t := model.Task{Status: first[r.IntN(len(first))]}
	if r.IntN(otherOneIn) == 0 {
		t.Status = second[r.IntN(len(second))]
	}
	switch x := r.IntN(100); {
	case x < flagPct:
		t.Parent, t.DualActive = true, r.IntN(2) == 0
	case x < 2*flagPct:
		t.Busy = true
	case x < 3*flagPct:
		t.OtherProject = true
	case x < 4*flagPct:
		t = model.Task{Status: "CREATE_FAILED", Deleted: true}
	}
	return t
}

// generatedID names batch n of seed.
func generatedID(seed uint64, n int) string { return fmt.Sprintf("generated.%d.%d", seed, n) }

// playGenerated plays batch n of seed; on a finding it shrinks the batch.
func (p *player) playGenerated(ctx context.Context, seed uint64, n int) result.CaseResult {
	g := generateBatchOf(seed, n, p.cfg.Filter.Safe)
	q := *p
	q.cfg.SettleTimeout = min(p.cfg.SettleTimeout, 2*time.Second)
	res := q.playBatch(ctx, g, generatedID(seed, n))
	if !failing(res) {
		res.Messages = append(res.Messages, fmt.Sprintf("seed %d, batch %d: %d items, %d tasks", seed, n, len(g.Items), len(g.Tasks)))
		return res
	}
	if !p.shrinks.take(res) {
		res.Messages = append(res.Messages, fmt.Sprintf("seed %d, batch %d: %d items, %d tasks; not shrunk: a batch breaking the same requirements was shrunk already, or the run's %d shrinks are spent (`drsconform run --generate %d --seed %d` replays it)",
			seed, n, len(g.Items), len(g.Tasks), maxShrinks, n+1, seed))
		return res
	}
	small, smallRes, plays := q.shrink(ctx, g, res, generatedID(seed, n))
	smallRes.Messages = append(smallRes.Messages,
		fmt.Sprintf("seed %d, batch %d: %d items, %d tasks; shrunk in %d replays to %d items, %d tasks (`drsconform run --generate %d --seed %d` replays it)",
			seed, n, len(g.Items), len(g.Tasks), plays, len(small.Items), len(small.Tasks), n+1, seed),
		"the shrunk batch as a case:\n"+small.yaml(generatedID(seed, n)+".shrunk", seed, n))
	return smallRes
}

func (p *player) playBatch(ctx context.Context, g genBatch, id string) result.CaseResult {
	c, literal := g.toCase(id)
	return p.playWith(ctx, c, literal)
}

// maxShrinks bounds the shrinks of one run: a target that fails every
// generated batch (one fault seen fifty times) must not hold the run for
// fifty shrinks; one shrunk case per broken requirement is what a reader
// needs.
const maxShrinks = 3

// shrinkBudget hands out the run's shrinks: at most maxShrinks, and only to
// a batch that breaks a requirement no shrunk batch broke before.
type shrinkBudget struct {
	mu     sync.Mutex
	used   int
	broken map[string]bool
}

func (b *shrinkBudget) take(res result.CaseResult) bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used >= maxShrinks {
		return false
	}
	fresh := false
	for _, f := range res.Findings {
		if !b.broken[f.Requirement] {
			fresh = true
		}
	}
	if !fresh {
		return false
	}
	if b.broken == nil {
		b.broken = map[string]bool{}
	}
	for _, f := range res.Findings {
		b.broken[f.Requirement] = true
	}
	b.used++
	return true
}

// failing: the target broke a requirement (a harness that could not judge
// is no finding to shrink).
func failing(r result.CaseResult) bool { return r.Verdict == result.Fail || r.Verdict == result.Warn }

// sameFailure: a candidate of the shrink still breaks a requirement the
// original broke.
func sameFailure(orig, cand result.CaseResult) bool {
	if !failing(cand) {
		return false
	}
	for _, f := range cand.Findings {
		if slices.ContainsFunc(orig.Findings, func(o result.Finding) bool { return o.Requirement == f.Requirement }) {
			return true
		}
	}
	return false
}

// PlayGenerated plays generated batch n of seed (shrinking it on a finding).
func (s *Session) PlayGenerated(ctx context.Context, seed uint64, n int) result.CaseResult {
	return s.p.playGenerated(ctx, seed, n)
}
