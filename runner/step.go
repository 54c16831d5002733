package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"slices"

	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/conformance"
	"github.com/drsconform/drsconform/contract"
	"github.com/drsconform/drsconform/internal/untrusted"
	"github.com/drsconform/drsconform/result"
)

// step plays one step. ok=false stops the case (the answer matched no
// allowed outcome, so later steps would only repeat the failure); err is set
// when the suite could not judge.
func (p *player) step(ctx context.Context, cr *caseRun, n int, s cases.Step) (ok bool, err error) {
	if len(s.Concurrent) > 0 {
		return p.group(ctx, cr, n, s)
	}
	b := p.build(cr, s.Request)
	snap, err := p.snapshot(ctx, cr, n)
	if err != nil {
		return false, err
	}
	resp, err := p.send(ctx, n, b)
	if err != nil {
		return false, err
	}
	j := &judge{p: p, cr: cr, step: n, b: b, resp: resp}
	alts := s.Alternatives()
	chosen := j.status(alts)
	j.contract(chosen != nil)
	doc := j.decode()
	if chosen != nil {
		if ch, ok := chosen.Chosen(); ok {
			cr.res.Choices = append(cr.res.Choices, ch)
		}
		j.expect(chosen, doc)
	}
	if resp.Status == http.StatusAccepted && doc != nil {
		j.invariants(doc)
	}
	j.language(doc)
	j.noEcho()
	if resp.Status >= 400 && resp.Status < 500 {
		if err := j.nothingChanged(ctx, snap); err != nil {
			return false, err
		}
	}
	if chosen == nil {
		return false, nil
	}
	if err := j.then(ctx, chosen, snap); err != nil {
		return false, err
	}
	return true, nil
}

// judge holds one answer and writes findings about it.
type judge struct {
	p    *player
	cr   *caseRun
	step int
	b    built
	resp *response
}

func (j *judge) primary() string { return j.cr.c.Requirements[0] }

// find writes a finding on requirement req. Its level, and so the verdict,
// comes from the catalogue; an ID the catalogue does not have is a fault of
// the suite, never a default level: the case errors with "internal: unknown
// requirement …" (see caseRun.internal) and no finding is written.
func (j *judge) find(req string, layer result.Layer, expected, got, pointer string) {
	r, ok := j.p.cat.Get(req)
	if !ok {
		j.cr.fault(fmt.Errorf("%w: unknown requirement %q (not in %s), named by the %s layer of step %d",
			ErrInternal, req, conformance.RequirementsFile, layer, j.step))
		return
	}
	level := r.Level
	v := result.Fail // MUST, and MAY: an answer outside every allowed outcome breaks it
	if level == conformance.SHOULD {
		v = result.Warn
	}
	f := result.Finding{Requirement: req, Level: string(level), Verdict: v, Layer: layer, Step: j.step,
		Expected: bounded(j.p.redact, expected, untrusted.FindingTextBytes),
		Got:      bounded(j.p.redact, got, untrusted.FindingTextBytes), Pointer: bounded(j.p.redact, pointer, untrusted.QuoteBytes)}
	j.cr.keep(f)
}

// keep adds a finding, up to untrusted.FindingsPerCase; beyond, only the
// first of each requirement and verdict is kept (so no verdict is lost) and
// the others are counted.
func (cr *caseRun) keep(f result.Finding) {
	if len(cr.res.Findings) >= untrusted.FindingsPerCase && slices.ContainsFunc(cr.res.Findings, func(k result.Finding) bool {
		return k.Requirement == f.Requirement && k.Verdict == f.Verdict
	}) {
		cr.dropped++
		return
	}
	cr.res.Findings = append(cr.res.Findings, f)
}

func (j *judge) q(s string) string  { return quote(j.p.redact, s) }
func (j *judge) qq(s string) string { return quoted(j.p.redact, s) }

// status picks the first outcome whose status matches, or writes a finding.
func (j *judge) status(alts []cases.Outcome) *cases.Outcome {
	for i := range alts {
		if alts[i].Expect.Status.Has(j.resp.Status) {
			return &alts[i]
		}
	}
	var want cases.StatusSet
	req := j.primary()
	for _, a := range alts {
		for _, c := range a.Expect.Status {
			if !want.Has(c) {
				want = append(want, c)
			}
		}
		if a.Expect.Requirement != "" && len(alts) == 1 {
			req = a.Expect.Requirement
		}
	}
	if j.resp.Status >= 500 {
		req = "REQ-HTTP-04"
	}
	j.find(req, result.LayerStatus, "status "+want.String(), fmt.Sprintf("status %d %s", j.resp.Status, snippet(j.p.redact, j.resp.Body)), "")
	return nil
}

// contract checks the answer against the OpenAPI document and JSON Schemas.
func (j *judge) contract(statusMatched bool) {
	r, err := http.NewRequest(http.MethodDelete, "/v3/"+url.PathEscape(j.b.project)+"/jobs/batch-jobs", nil)
	if err != nil {
		j.find(j.primary(), result.LayerOpenAPI, "a request the contract can route", err.Error(), "")
		return
	}
	for _, v := range j.p.contract.ValidateResponse(r, j.resp.Status, j.resp.Header, j.resp.Body) {
		if v.Layer == contract.LayerStatus && !statusMatched {
			continue // the status layer has said it
		}
		layer := result.LayerOpenAPI
		if v.Layer == contract.LayerBody {
			layer = result.LayerSchema
		}
		req := v.Requirement
		if req == "" {
			req = j.primary()
		}
		expected := "the contract (openapi/drs-batch-jobs.yaml)"
		if v.Schema != "" {
			expected = fmt.Sprintf("schemas/%s: %s", v.Schema, v.Keyword)
		}
		j.find(req, layer, expected, v.Message, v.Pointer)
	}
}

// answer is a decoded JSON object body.
type answer map[string]any

func (j *judge) decode() answer {
	dec := json.NewDecoder(bytes.NewReader(j.resp.Body))
	dec.UseNumber()
	var doc map[string]any
	if dec.Decode(&doc) != nil {
		return nil
	}
	return doc
}

func (a answer) results() []map[string]any {
	list, _ := a["results"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// expect checks the case's own expectations for the chosen outcome.
func (j *judge) expect(o *cases.Outcome, doc answer) {
	e := o.Expect
	// expect.requirement is what a wrong status breaks; the body's
	// expectations rest on the case's own requirement (or the choice's).
	req := j.primary()
	if ch, ok := o.Chosen(); ok {
		req = ch.Requirement
	}
	if e.ErrorCode != "" {
		if got := str(doc, "error_code"); got != e.ErrorCode {
			j.find(req, result.LayerExpect, "error_code "+e.ErrorCode, "error_code "+j.qq(got), "/error_code")
		}
	}
	if e.Count != nil && doc != nil {
		if got, ok := doc["count"].(json.Number); !ok || !numberIs(got, *e.Count) {
			j.find(req, result.LayerExpect, fmt.Sprintf("count %d", *e.Count), "count "+j.q(fmt.Sprint(doc["count"])), "/count")
		}
	}
	if len(e.Results) == 0 || doc == nil {
		return
	}
	results := doc.results()
	for _, name := range slices.Sorted(maps.Keys(e.Results)) {
		ie := e.Results[name]
		ireq := ie.Requirement
		if ireq == "" {
			ireq = req
		}
		id := j.cr.ids[name]
		seen := false
		for i, r := range results {
			if str(r, "id") != id {
				continue
			}
			seen = true
			ptr := fmt.Sprintf("/results/%d", i)
			got := str(r, "status")
			if ie.Status != "any" && got != ie.Status {
				j.find(ireq, result.LayerExpect, fmt.Sprintf("%s (%s): status %s", name, j.q(id), ie.Status),
					"status "+j.qq(got)+j.errorSuffix(r), ptr+"/status")
			}
			if ie.ErrorCode != "" && got == "failed" && str(r, "error_code") != ie.ErrorCode {
				j.find(ireq, result.LayerExpect, fmt.Sprintf("%s (%s): error_code %s", name, j.q(id), ie.ErrorCode),
					"error_code "+j.qq(str(r, "error_code")), ptr+"/error_code")
			}
		}
		if !seen {
			j.find(ireq, result.LayerExpect, fmt.Sprintf("a result for %s (%s)", name, j.q(id)), "no result with that id", "/results")
		}
	}
}

func (j *judge) errorSuffix(r map[string]any) string {
	if c := str(r, "error_code"); c != "" {
		return fmt.Sprintf(" with %s %s", j.q(c), j.qq(str(r, "error_msg")))
	}
	return ""
}

// language checks REQ-HDR-05: with X-Language zh-cn, DRS messages are Chinese.
func (j *judge) language(doc answer) {
	if !j.b.zhCN || doc == nil {
		return
	}
	if j.resp.Status == http.StatusBadRequest {
		if msg := str(doc, "error_msg"); msg != "" && !hasHan(msg) {
			j.find("REQ-HDR-05", result.LayerExpect, "error_msg in Chinese (X-Language: zh-cn)", j.qq(msg), "/error_msg")
		}
		return
	}
	if j.resp.Status != http.StatusAccepted {
		return // a gateway's 401/403 may stay English
	}
	for i, r := range doc.results() {
		if str(r, "status") == "failed" {
			if msg := str(r, "error_msg"); msg != "" && !hasHan(msg) {
				j.find("REQ-HDR-05", result.LayerExpect, "error_msg in Chinese (X-Language: zh-cn)",
					j.qq(msg), fmt.Sprintf("/results/%d/error_msg", i))
			}
		}
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF {
			return true
		}
	}
	return false
}

// nothingChanged checks REQ-VAL-08 after a 4xx: every task reads back as it
// was before the step.
func (j *judge) nothingChanged(ctx context.Context, snap map[string]string) error {
	for _, name := range slices.Sorted(maps.Keys(snap)) {
		status, exists, err := j.p.state.get(ctx, j.step, j.cr.projects[name], j.cr.ids[name])
		if err != nil {
			return err
		}
		if !exists {
			status = gone
		}
		if status != snap[name] {
			j.find("REQ-VAL-08", result.LayerThen, fmt.Sprintf("%s (%s) unchanged after a %d: %s", name, j.q(j.cr.ids[name]), j.resp.Status, j.q(snap[name])),
				"status "+j.q(status), "")
		}
	}
	return nil
}

// then checks the chosen outcome's post-conditions read back (the fixture
// protocol or batch-status, runner/readback.go), polling those that may take time until --settle-timeout.
func (j *judge) then(ctx context.Context, o *cases.Outcome, snap map[string]string) error {
	for _, name := range slices.Sorted(maps.Keys(o.Then)) {
		post := o.Then[name]
		req := post.Requirement
		if req == "" {
			req = j.primary()
		}
		if ch, ok := o.Chosen(); ok && post.Requirement == "" {
			req = ch.Requirement
		}
		id, project := j.cr.ids[name], j.cr.projects[name]
		holds := func(status string, exists bool) bool {
			switch {
			case post.Gone:
				return !exists
			case post.Exists:
				return exists
			case post.Unchanged:
				if !exists {
					return snap[name] == gone
				}
				return status == snap[name]
			case post.Status != "":
				return exists && status == post.Status
			case len(post.StatusIn) > 0:
				return exists && slices.Contains(post.StatusIn, status) || !exists && post.OrGone
			case post.NotStatus != "":
				return exists && status != post.NotStatus
			}
			return false
		}
		var (
			status string
			exists bool
			err    error
		)
		if post.Eventual() {
			status, exists, err = pollTask(ctx, j.p.state, j.step, project, id, time.Now().Add(j.p.cfg.SettleTimeout), holds)
		} else {
			status, exists, err = j.p.state.get(ctx, j.step, project, id)
		}
		if err != nil {
			return err
		}
		if holds(status, exists) {
			if post.StaysFor() > 0 {
				if err := j.stays(ctx, name, post, req, holds); err != nil {
					return err
				}
			}
			continue
		}
		got := "gone (404)"
		if exists {
			got = "status " + j.q(status)
		}
		want := post.String()
		if post.Unchanged {
			want = "unchanged: " + j.q(snap[name])
		}
		if post.Eventual() {
			want += fmt.Sprintf(" within %s", j.p.cfg.SettleTimeout)
		}
		j.find(req, result.LayerThen, fmt.Sprintf("%s (%s): %s", name, j.q(id), want), got, "")
	}
	return nil
}

// snippet is the start of a body, for messages: redacted, then cut and escaped.
func snippet(rd *Redactor, body []byte) string {
	s := strings.TrimSpace(string(body))
	if s == "" {
		return "(empty body)"
	}
	p, cut := rd.Prefix(s, 160)
	if cut {
		return untrusted.Line(p) + untrusted.More(len(s))
	}
	return untrusted.Line(p)
}
