package runner

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/model"
	"github.com/drsconform/drsconform/result"
	"gopkg.in/yaml.v3"
)

// shrink looks for a smaller batch that still breaks a requirement g broke:
// fewer items, fewer tasks, simpler tasks, shorter IDs; at most shrinkPlays
// replays and shrinkTime. It returns the smallest failing batch, its result,
// and the replays spent.
func (p *player) shrink(ctx context.Context, g genBatch, res result.CaseResult, id string) (genBatch, result.CaseResult, int) {
	q := *p
	q.cfg.SettleTimeout = min(p.cfg.SettleTimeout, 300*time.Millisecond)
	deadline := time.Now().Add(shrinkTime)
	plays := 0
	try := func(c genBatch) bool {
		if plays >= shrinkPlays || time.Now().After(deadline) || ctx.Err() != nil || len(c.Items) == 0 {
			return false
		}
		plays++
		r := q.playBatch(ctx, c, id)
		if sameFailure(res, r) {
			g, res = c, r
			return true
		}
		return false
	}
	for progress := true; progress; {
		progress = false
		// Fewer items: drop chunks, halving their size.
		for chunk := len(g.Items) / 2; chunk >= 1; chunk /= 2 {
			for start := 0; start+chunk <= len(g.Items); {
				if try(g.withoutItems(start, start+chunk)) {
					progress = true
					continue
				}
				start += chunk
			}
		}
		// Fewer tasks: drop those no item names.
		if c := g.pruned(); len(c.Tasks) < len(g.Tasks) && try(c) {
			progress = true
		}
		// Simpler tasks: no flags, then a plainer state.
		for i, t := range g.Tasks {
			for _, s := range simpler(t) {
				c := g.clone()
				c.Tasks[i] = s
				if try(c) {
					progress = true
					break
				}
			}
		}
		// Shorter IDs: halve them, then plain ASCII.
		for i, it := range g.Items {
			if it.Task != model.NoTask {
				continue
			}
			for _, s := range shorter(it.ID) {
				if g.hasID(s) {
					continue
				}
				c := g.clone()
				c.Items[i].ID = s
				if try(c) {
					progress = true
					break
				}
			}
		}
	}
	return g, res, plays
}

func (g genBatch) clone() genBatch {
	return genBatch{Tasks: append([]model.Task(nil), g.Tasks...), Items: append([]genItem(nil), g.Items...)}
}

func (g genBatch) withoutItems(from, to int) genBatch {
	c := g.clone()
	c.Items = append(c.Items[:from:from], g.Items[to:]...)
	return c
}

// pruned drops the tasks no item names.
func (g genBatch) pruned() genBatch {
	keep := map[int]int{}
	var c genBatch
	for i, t := range g.Tasks {
		for _, it := range g.Items {
			if it.Task == i {
				keep[i] = len(c.Tasks)
				c.Tasks = append(c.Tasks, t)
				break
			}
		}
	}
	for _, it := range g.Items {
		if it.Task != model.NoTask {
			it.Task = keep[it.Task]
		}
		c.Items = append(c.Items, it)
	}
	return c
}

func (g genBatch) hasID(id string) bool {
	for _, it := range g.Items {
		if it.Task == model.NoTask && it.ID == id {
			return true
		}
	}
	return false
}

// simpler are plainer versions of t, plainest first.
func simpler(t model.Task) []model.Task {
	var out []model.Task
	plain := model.Task{Status: t.Status}
	if t != plain && !t.Deleted {
		out = append(out, plain)
	}
	for _, s := range []string{"CREATE_FAILED", "INCRE_TRANSFER_STARTED"} {
		if s != t.Status {
			c := t
			c.Status = s
			out = append(out, c)
		}
	}
	return out
}

// shorter are shorter versions of an ID: its first half, then its ASCII letters and digits.
func shorter(id string) []string {
	var out []string
	if h := truncRunes(id, len(id)/2); h != "" && h != id {
		out = append(out, h, id[len(h):])
	}
	ascii := strings.Map(func(r rune) rune {
		if r < 0x80 && (r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-') {
			return r
		}
		return -1
	}, id)
	if ascii != "" && ascii != id && len(ascii) < len(id) {
		out = append(out, ascii)
	}
	return out
}

// yaml writes g as a case block of a case file (cases/case.go): fixtures
// for the tasks, literal job_ids for the unknown IDs.
func (g genBatch) yaml(id string, seed uint64, n int) string {
	c, literal := g.toCase(id)
	type yFixture struct {
		Status     string `yaml:"status"`
		Project    string `yaml:"project,omitempty"`
		Parent     bool   `yaml:"parent,omitempty"`
		DualActive bool   `yaml:"dual_active,omitempty"`
		Busy       bool   `yaml:"busy,omitempty"`
	}
	type yItem struct {
		DeleteType string `yaml:"delete_type"`
		JobID      string `yaml:"job_id"`
	}
	type yStep struct {
		Name     string `yaml:"name"`
		Request  any    `yaml:"request"`
		Expect   any    `yaml:"expect,omitempty"`
		Then     any    `yaml:"then,omitempty"`
		Outcomes any    `yaml:"outcomes,omitempty"`
	}
	fixtures := yaml.Node{Kind: yaml.MappingNode}
	for _, name := range c.FixtureOrder {
		fx := c.Fixtures[name]
		var k, v yaml.Node
		k.SetString(name)
		_ = v.Encode(yFixture{Status: fx.Status, Project: fx.Project, Parent: fx.Parent, DualActive: fx.DualActive, Busy: fx.Busy})
		v.Style = yaml.FlowStyle
		fixtures.Content = append(fixtures.Content, &k, &v)
	}
	var steps []yStep
	for _, s := range c.Steps {
		body := s.Request.Body.(map[string]any)
		var jobs []yItem
		for _, j := range body["jobs"].([]any) {
			m := j.(map[string]any)
			jid := m["job_id"].(string)
			if lit, ok := literal[strings.Trim(jid, "{}")]; ok {
				jid = lit
			}
			jobs = append(jobs, yItem{DeleteType: m["delete_type"].(string), JobID: jid})
		}
		ys := yStep{Name: s.Name, Request: map[string]any{"body": map[string]any{"jobs": jobs}}}
		strip := func(e *yamlExpect) { // literal IDs are no fixtures: REQ-RES-02 checks their echo
			for name := range literal {
				delete(e.Results, name)
			}
		}
		if s.Expect != nil {
			e := expectOf(*s.Expect)
			strip(&e)
			ys.Expect, ys.Then = e, thenOf(s.Then)
		}
		var outs []map[string]any
		for _, o := range s.Outcomes {
			e := expectOf(o.Expect)
			strip(&e)
			outs = append(outs, map[string]any{"choice": o.Choice, "expect": e, "then": thenOf(o.Then)})
		}
		if outs != nil {
			ys.Outcomes = outs
		}
		steps = append(steps, ys)
	}
	type yCase struct {
		ID           string     `yaml:"id"`
		Title        string     `yaml:"title"`
		Requirements []string   `yaml:"requirements,flow"`
		Tags         []string   `yaml:"tags,flow"`
		Fixtures     *yaml.Node `yaml:"fixtures,omitempty"`
		Steps        []yStep    `yaml:"steps"`
	}
	doc := []yCase{{ID: id, Title: c.Title, Requirements: c.Requirements, Tags: c.Tags, Steps: steps}}
	if len(fixtures.Content) > 0 {
		doc[0].Fixtures = &fixtures
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return fmt.Sprintf("# cannot write the case: %v", err)
	}
	return fmt.Sprintf("# generated: seed %d, batch %d, shrunk; append under `cases:` of a case file\n%s", seed, n, out)
}

type yamlExpect struct {
	Status      []int                     `yaml:"status,flow"`
	Requirement string                    `yaml:"requirement,omitempty"`
	Results     map[string]map[string]any `yaml:"results,omitempty"`
}

func expectOf(e cases.Expect) yamlExpect {
	y := yamlExpect{Status: e.Status, Requirement: e.Requirement, Results: map[string]map[string]any{}}
	for name, r := range e.Results {
		y.Results[name] = map[string]any{"status": r.Status, "requirement": r.Requirement}
	}
	return y
}

func thenOf(t cases.Then) map[string]map[string]any {
	out := map[string]map[string]any{}
	for name, p := range t {
		m := map[string]any{"requirement": p.Requirement}
		switch {
		case p.Gone:
			m["gone"] = true
		case p.Unchanged:
			m["unchanged"] = true
		case len(p.StatusIn) > 0:
			m["status_in"] = p.StatusIn
		}
		out[name] = m
	}
	return out
}
