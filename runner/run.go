package runner

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/conformance"
	"github.com/drsconform/drsconform/contract"
	"github.com/drsconform/drsconform/internal/credential"
	"github.com/drsconform/drsconform/result"
)

// Session is a configured run: the target, the credentials, the contract.
// Its Play method plays one case; it is safe for concurrent use.
type Session struct {
	cfg Config
	cat *conformance.Catalogue
	ct  *contract.Contract
	p   *player
}

// NewSession checks cfg and prepares a session. It fails only on bad
// configuration.
func NewSession(cfg Config) (*Session, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	cat, err := conformance.Requirements()
	if err != nil {
		return nil, err
	}
	ct, err := contract.Default()
	if err != nil {
		return nil, err
	}
	rd := credential.ForToken(cfg.Token, cfg.Secrets...)
	w := newWireTLS(cfg.HTTPClient, cfg.Timeout, cfg.MaxBody, rd, cfg.TLS)
	w.signer = newSigner(cfg)
	header := http.Header{}
	if cfg.Token != "" {
		header.Set("X-Auth-Token", cfg.Token)
	}
	p := &player{cfg: cfg, cat: cat, contract: ct, wire: w, redact: rd, shrinks: &shrinkBudget{},
		fixtures: &fixtureClient{base: cfg.FixturesURL, header: withJSON(header), wire: w}}
	p.state = p.fixtures
	if cfg.ReadBack == ReadBackAPI {
		p.state = &apiReader{target: cfg.Target, header: withJSON(header), wire: w}
	}
	return &Session{cfg: cfg, cat: cat, ct: ct, p: p}, nil
}

// Play plays one case (filters are not applied here).
func (s *Session) Play(ctx context.Context, c *cases.Case) result.CaseResult { return s.p.play(ctx, c) }

// Redactor returns the redactor of the session's credentials.
func (s *Session) Redactor() *Redactor { return s.p.redact }

// Preflight probes the target, the credentials and (when a case of sel needs
// fixtures) the harness before any case is played; see preflight.
func (s *Session) Preflight(ctx context.Context, sel []*cases.Case) ([]result.PreflightCheck, error) {
	return s.p.preflight(ctx, sel)
}

// Run plays the selected cases of cfg.Files against cfg.Target and returns the
// report. It returns an error only when it cannot start: bad configuration or
// a selection that matches nothing (*UsageError), or a failed preflight
// (*PreflightError). Everything that happens to a case is in its CaseResult.
func Run(ctx context.Context, cfg Config) (*result.Report, error) {
	s, err := NewSession(cfg)
	if err != nil {
		return nil, err
	}
	cfg, cat, ct, rd, p := s.cfg, s.cat, s.ct, s.p.redact, s.p

	var all []*cases.Case
	for _, f := range cfg.Files {
		all = append(all, f.Cases...)
	}
	sel, selection, err := cfg.Filter.Select(all, cat)
	if err != nil {
		return nil, err
	}
	if cfg.Fixtures != nil {
		var playable []*cases.Case
		for _, c := range sel {
			if p.cannotPlay(c) == "" {
				playable = append(playable, c)
			}
		}
		p.pool = &pool{redactor: rd, file: cfg.Fixtures, alloc: Allocate(playable, cfg.Fixtures)}
	}
	rep := &result.Report{SuiteVersion: cfg.SuiteVersion, SpecSHA256: ct.SpecSHA256(), Target: rd.String(cfg.Target),
		FixturesURL: rd.String(cfg.FixturesURL), ProjectID: cfg.ProjectID, Strict: cfg.Strict,
		StartedAt: cfg.Now().UTC(), Cases: make([]result.CaseResult, len(all)), Configuration: cfg.settings(),
		Selection: selection}
	if p.pool != nil {
		rep.FixturesURL = "" // the harness is never called
	}
	if rep.Preflight, err = p.preflight(ctx, sel); err != nil {
		return nil, err
	}

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
		sem  = make(chan struct{}, cfg.Parallel)
	)
	report := func(i int, r result.CaseResult) {
		mu.Lock()
		defer mu.Unlock()
		rep.Cases[i] = r
		done++
		if cfg.Progress != nil {
			cfg.Progress(done, len(all), r)
		}
	}
	for i, c := range all {
		if reason := cfg.Filter.skipReason(c); reason != "" {
			r := skipped(c, reason)
			r.FilteredOut = true
			report(i, r)
			continue
		}
		wg.Add(1)
		go func(i int, c *cases.Case) {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				report(i, errored(c, "the run was cancelled before this case started"))
				return
			}
			report(i, p.play(ctx, c))
		}(i, c)
	}
	wg.Wait()
	if p.pool != nil {
		rep.FieldTasks = p.finishPool(ctx)
		if cfg.Generate+cfg.GenerateConcurrent > 0 {
			rep.NotPlayed = append(rep.NotPlayed, fmt.Sprintf("%d generated batches and %d concurrent generated groups: they make tasks of their own through the fixture harness, and a run with --fixtures touches no task the file does not name",
				cfg.Generate, cfg.GenerateConcurrent))
		}
		cfg.Generate, cfg.GenerateConcurrent = 0, 0
	}
	if cfg.Generate > 0 {
		rep.Cases = append(rep.Cases, p.generated(ctx, cfg.Generate, cfg.Seed)...)
		rep.Seed = cfg.Seed
	}
	if cfg.GenerateConcurrent > 0 {
		rep.Cases = append(rep.Cases, p.generatedGroups(ctx, cfg.GenerateConcurrent, cfg.Seed)...)
		rep.Seed = cfg.Seed
	}
	rep.FinishedAt = cfg.Now().UTC()
	noteInputs(rep, cfg.Files, all)
	rep.Finish(cat)
	return rep, nil
}

func withJSON(h http.Header) http.Header {
	h = h.Clone()
	h.Set("Content-Type", "application/json")
	return h
}

func newResult(c *cases.Case) result.CaseResult {
	return result.CaseResult{ID: c.ID, Title: c.Title, Theme: c.Theme, File: c.File, Requirements: c.Requirements,
		Tags: c.Tags, Messages: []string{}}
}

func skipped(c *cases.Case, reason string) result.CaseResult {
	r := newResult(c)
	r.Verdict = result.Skip
	r.Messages = append(r.Messages, reason)
	return r
}

func errored(c *cases.Case, reason string) result.CaseResult {
	r := newResult(c)
	r.Verdict = result.Error
	r.Messages = append(r.Messages, reason)
	return r
}
