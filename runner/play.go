package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/conformance"
	"github.com/drsconform/drsconform/contract"
	"github.com/drsconform/drsconform/internal/untrusted"
	"github.com/drsconform/drsconform/result"
)

// player plays cases; it is shared by the goroutines of a run.
type player struct {
	cfg      Config
	cat      *conformance.Catalogue
	contract *contract.Contract
	wire     *wire
	redact   *Redactor
	fixtures *fixtureClient
	state    taskReader    // how tasks are read back: the harness or batch-status (runner/readback.go)
	pool     *pool         // with --fixtures: the file's tasks and who gets them (runner/pool.go)
	shrinks  *shrinkBudget // shared by the run's generated batches
	linear   *linearCheck  // set while a concurrent generated group plays (runner/linear.go)
}

// caseRun is the state of one case being played.
type caseRun struct {
	c        *cases.Case
	res      result.CaseResult
	dropped  int   // findings beyond untrusted.FindingsPerCase, counted only
	internal error // the first fault of the suite itself (ErrInternal); the case errors
	rec      recorder
	ids      map[string]string // fixture name → job ID
	projects map[string]string // fixture name → project ID
	vars     map[string]string // template values
}

// play runs one case: given (fixtures) → steps → verdict.
func (p *player) play(ctx context.Context, c *cases.Case) result.CaseResult {
	return p.playWith(ctx, c, nil)
}

// playWith plays c with literal job IDs named in advance (name → ID): the
// generated batches' unknown IDs (runner/generate.go), which are no fixtures.
func (p *player) playWith(ctx context.Context, c *cases.Case, literal map[string]string) result.CaseResult {
	start := time.Now()
	if reason := p.cannotPlay(c); reason != "" {
		return skipped(c, reason)
	}
	cr := &caseRun{c: c, res: newResult(c), ids: map[string]string{}, projects: map[string]string{},
		vars: map[string]string{cases.TmplProject: p.cfg.ProjectID, cases.TmplOtherProject: p.cfg.OtherProjectID}}
	for name, id := range literal {
		cr.ids[name], cr.vars[name] = id, id
	}
	if p.pool != nil {
		if reason := literalIDReason(c); reason != "" {
			return skipped(c, reason)
		}
		if u, reason := p.pool.unmet(c); reason != "" {
			r := skipped(c, reason)
			r.Unmet = u
			return r
		}
	}
	ctx = withRecorder(ctx, &cr.rec)
	err := p.given(ctx, cr)
	if err == nil {
		for i, s := range c.Steps {
			var ok bool
			ok, err = p.step(ctx, cr, i+1, s)
			if err != nil || !ok {
				break
			}
		}
	}
	cr.res.Verdict = result.Pass
	for _, f := range cr.res.Findings {
		cr.res.Verdict = result.Worse(cr.res.Verdict, f.Verdict)
	}
	switch {
	case err == nil:
	case errors.Is(err, ErrFixtureUnavailable), errors.Is(err, ErrNotAsStated):
		cr.res.Verdict = result.Skip
		cr.res.Messages = append(cr.res.Messages, bounded(p.redact, err.Error(), untrusted.FindingTextBytes))
		if r := (*refusal)(nil); errors.As(err, &r) {
			cr.res.Refused = &r.Refusal
		}
	default:
		// The suite could not judge; what it did find before still counts.
		cr.res.Verdict = result.Worse(cr.res.Verdict, result.Error)
		cr.res.Messages = append(cr.res.Messages, "could not judge: "+bounded(p.redact, err.Error(), untrusted.FindingTextBytes))
	}
	if cr.internal != nil {
		// The suite is at fault: no verdict of this case can be trusted.
		cr.res.Verdict = result.Error
		cr.res.Messages = append(cr.res.Messages, cr.internal.Error())
	}
	unlisted := cr.dropped // findings not kept, then those without a message
	for _, f := range cr.res.Findings {
		if len(cr.res.Messages) >= untrusted.MessagesPerCase-1 {
			unlisted++
			continue
		}
		cr.res.Messages = append(cr.res.Messages, f.Message())
	}
	if unlisted > 0 {
		cr.res.Messages = append(cr.res.Messages, fmt.Sprintf("… %d more findings (a case keeps %d, and the first of each requirement and verdict)",
			unlisted, untrusted.FindingsPerCase))
	}
	cr.res.Evidence = cr.rec.all()
	if cr.res.Verdict == result.Pass {
		cr.res.Evidence = apiExchanges(cr.res.Evidence) // keep the set-up noise for failures only
	}
	cr.res.DurationMS = time.Since(start).Milliseconds()
	return cr.res
}

// fault records a fault of the suite itself; the first one is reported.
func (cr *caseRun) fault(err error) {
	if cr.internal == nil {
		cr.internal = err
	}
}

// cannotPlay says why the run cannot play c at all, or "". A credential
// derived from --token (or from --ak/--sk) needs one: a target that needs
// no credential has none to refuse, so the case is skipped, never failed.
func (p *player) cannotPlay(c *cases.Case) string {
	if p.cfg.Token != "" || p.cfg.AccessKey != "" {
		return ""
	}
	for _, s := range c.Steps {
		for _, r := range s.Requests() {
			if cases.NeedsToken(r.Credential) {
				return "no --token given: cannot derive an invalid credential (credential: " + r.Credential + "; pass --token, or --ak and --sk)"
			}
		}
	}
	return ""
}

func apiExchanges(all []result.Exchange) []result.Exchange {
	var out []result.Exchange
	for _, e := range all {
		if e.Kind == result.KindAPI {
			out = append(out, e)
		}
	}
	return out
}

// given makes the case's fixtures and checks that each reads back as asked.
func (p *player) given(ctx context.Context, cr *caseRun) error {
	for _, name := range cr.c.FixtureOrder {
		fx := cr.c.Fixtures[name]
		project := p.cfg.ProjectID
		if fx.Project == "other" {
			project = p.cfg.OtherProjectID
		}
		cr.projects[name] = project
		if fx.Absent {
			cr.ids[name] = shapedID(fx.IDKind)
			cr.vars[name] = cr.ids[name]
			continue
		}
		if p.pool != nil {
			continue // the fixtures file's tasks, read back below
		}
		if p.cfg.Filter.Safe {
			// Selection plays only safe cases (runner/selection.go); this
			// holds the promise for any other way into the player too.
			return fmt.Errorf("%w: fixture %s would make a task, which a --safe run never does", ErrInternal, name)
		}
		id, err := p.fixtures.create(ctx, fixtureRequest{ProjectID: project, Status: fx.Status,
			Parent: fx.Parent, DualActive: fx.DualActive, Busy: fx.Busy})
		if err != nil {
			return fmt.Errorf("fixture %s (%s): %w", name, fx.Status, err)
		}
		cr.ids[name], cr.vars[name] = id, id
		status, exists, err := p.state.get(ctx, 0, project, id)
		switch {
		case err != nil:
			return fmt.Errorf("fixture %s: %w", name, err)
		case !exists:
			return fmt.Errorf("%w: precondition: fixture %s (%s) was created but reads back as gone", ErrHarness, name, id)
		case status != fx.Status:
			return fmt.Errorf("%w: precondition: fixture %s (%s) reads back as %s, asked for %s", ErrHarness, name, id, status, fx.Status)
		}
	}
	if p.pool != nil {
		return p.givenFromPool(ctx, cr)
	}
	return nil
}

// AbsentIDPrefix starts every job ID the runner makes up for a task that
// does not exist (absent fixtures, the unnamed items of request.batch, the
// unknown IDs of generated batches, the preflight's probe): no real task is
// named so, and a reader of the target's logs sees at once where it came
// from (README.md, "Safe against production: run --safe").
const AbsentIDPrefix = "drsconform-absent-"

// absentID is a job ID no target has seen: AbsentIDPrefix, then 112 bits
// from crypto/rand shaped like a UUID but not hex, as the page's examples
// are (8-4-4-4-8 hex digits, then "jb00").
func absentID() string { return mintAbsent(AbsentIDPrefix + freshPart()) }

// freshPart is absentID's random part: 14 bytes of crypto/rand (at least
// the 96 bits README.md promises), UUID-shaped.
func freshPart() string {
	var b [14]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("%s-%s-%s-%s-%sjb00", h[:8], h[8:12], h[12:16], h[16:20], h[20:28])
}

// absentMinted, when set (by tests only: runner/safe_test.go), is told every
// ID mintAbsent returns, so that a test can check that a run sent no job_id
// the runner did not make up.
var absentMinted atomic.Pointer[func(id string)]

// mintAbsent records id with absentMinted (when a test listens) and returns it.
func mintAbsent(id string) string {
	if f := absentMinted.Load(); f != nil {
		(*f)(id)
	}
	return id
}

// built is a request ready to send.
type built struct {
	url     string
	header  http.Header
	body    []byte
	project string
	jobIDs  []string // the requested job_ids in order, when the body says
	zhCN    bool
	sent    *result.SentRequest
}

// send sends a built request to the endpoint under test, as step n.
func (p *player) send(ctx context.Context, n int, b built) (*response, error) {
	tag := exchangeTag{Step: n, Kind: result.KindAPI, Purpose: "request", Sent: b.sent}
	resp, _, err := p.wire.do(ctx, tag, http.MethodDelete, b.url, b.header, b.body)
	return resp, err
}

func (p *player) build(cr *caseRun, r cases.Request) built {
	b := built{project: p.cfg.ProjectID}
	if r.Project == "other" {
		b.project = p.cfg.OtherProjectID
	}
	b.url = p.cfg.Target + "/v3/" + url.PathEscape(b.project) + "/jobs/batch-jobs"
	b.header = http.Header{}
	b.header.Set("Content-Type", "application/json")
	p.cfg.runCredential(b.header)
	for k, v := range r.Headers {
		b.header.Set(k, cases.Expand(v, cr.vars))
	}
	for _, k := range r.RemoveHeaders {
		b.header.Del(k)
	}
	setCredential(b.header, r.Credential, p.cfg)
	if raw, ok := r.Raw(); ok {
		b.body = []byte(cases.Expand(raw, cr.vars))
	} else if r.Body != nil {
		b.body, _ = json.Marshal(cases.ExpandValue(r.Body, cr.vars))
	} else if r.Batch != nil {
		b.body = batchBody(r.Batch, cr.ids)
	}
	b.jobIDs = requestedJobIDs(b.body)
	b.sent = p.sentOf(cr, b.body)
	b.zhCN = strings.EqualFold(strings.TrimSpace(b.header.Get("X-Language")), "zh-cn")
	return b
}

// requestedJobIDs reads the job_ids of a body, or nil when it has no list of
// objects with string job_ids (a malformed body).
func requestedJobIDs(body []byte) []string {
	var req struct {
		Jobs []map[string]any `json:"jobs"`
	}
	if json.Unmarshal(body, &req) != nil || req.Jobs == nil {
		return nil
	}
	ids := make([]string, 0, len(req.Jobs))
	for _, j := range req.Jobs {
		id, ok := j["job_id"].(string)
		if !ok {
			return nil
		}
		ids = append(ids, id)
	}
	return ids
}

// sentOf is what body asks for, with the case's fixture each job_id names:
// strings redacted and bounded (boundedValue), at most SentJobsKept jobs.
func (p *player) sentOf(cr *caseRun, body []byte) *result.SentRequest {
	s := &result.SentRequest{}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return s
	}
	s.JSON = true
	obj, ok := v.(map[string]any)
	if !ok {
		return s
	}
	s.Members = p.members(obj)
	jobs, _ := obj["jobs"].([]any)
	for _, j := range jobs {
		item, ok := j.(map[string]any)
		if !ok {
			continue
		}
		if len(s.Jobs) >= result.SentJobsKept {
			s.JobsMore++
			continue
		}
		sj := result.SentJob{Members: p.members(item)}
		if dt, ok := item["delete_type"].(string); ok {
			dt = boundedValue(p.redact, dt)
			sj.DeleteType = &dt
		}
		if id, ok := item["job_id"].(string); ok {
			for name, fid := range cr.ids {
				if fid == id && cr.c != nil {
					sj.Fixture, sj.FixtureStatus = name, cr.c.Fixtures[name].Status
				}
			}
			id = boundedValue(p.redact, id)
			sj.JobID = &id
		}
		s.Jobs = append(s.Jobs, sj)
	}
	return s
}

func (p *player) members(obj map[string]any) []string {
	out := make([]string, 0, len(obj))
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		out = append(out, boundedValue(p.redact, k))
	}
	return out
}

// boundedValue is a string of a request kept as data: redacted, then cut to
// untrusted.QuoteBytes (its length noted when cut); control characters are
// kept, as in the evidence bodies.
func boundedValue(rd *Redactor, s string) string {
	v, cut := rd.Prefix(s, untrusted.QuoteBytes)
	if cut {
		v += untrusted.More(len(s))
	}
	return v
}

// snapshot reads back every made fixture before a step, so that "unchanged"
// and REQ-VAL-08 compare with the state the step started from.
func (p *player) snapshot(ctx context.Context, cr *caseRun, step int) (map[string]string, error) {
	snap := map[string]string{}
	if a, ok := p.state.(*apiReader); ok {
		return a.snapshot(ctx, cr, step) // one batch-status call per project
	}
	for _, name := range cr.c.FixtureOrder {
		if cr.c.Fixtures[name].Absent {
			continue
		}
		status, exists, err := p.state.get(ctx, step, cr.projects[name], cr.ids[name])
		if err != nil {
			return nil, err
		}
		if !exists {
			status = gone
		}
		snap[name] = status
	}
	return snap, nil
}

// gone stands for "no such task" in snapshots.
const gone = "(gone)"
