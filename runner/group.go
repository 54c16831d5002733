package runner

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sync"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/result"
)

// deadlockRequirement is what a request of a concurrent group that gets no
// answer within --timeout breaks: a correct service answers overlapping
// requests in time (conformance/requirements.yaml, REQ-CON-02), so the
// silence is a finding, not an `error` of the suite.
const deadlockRequirement = "REQ-CON-02"

// group plays a concurrent step: every request is built, then each one's
// goroutine reports ready and waits on a barrier; once all are ready the
// barrier opens and all are sent at once. Each answer is judged as a single
// request's is (status, contract, its expect, the invariants, language,
// echo); then the group's own expectations (successes per fixture) and the
// step's then. Every exchange is recorded as evidence of step n.
func (p *player) group(ctx context.Context, cr *caseRun, n int, s cases.Step) (ok bool, err error) {
	g := s.ExpectGroup
	bs := make([]built, len(s.Concurrent))
	for i, r := range s.Concurrent {
		bs[i] = p.build(cr, r)
	}
	snap, err := p.snapshot(ctx, cr, n)
	if err != nil {
		return false, err
	}
	resps := make([]*response, len(bs))
	errs := make([]error, len(bs))
	docs := make([]answer, len(bs))
	var ready, done sync.WaitGroup
	release := make(chan struct{})
	ready.Add(len(bs))
	for i := range bs {
		done.Go(func() {
			ready.Done()
			<-release // the barrier: nobody sends before everybody is ready
			resps[i], errs[i] = p.send(ctx, n, bs[i])
		})
	}
	ready.Wait()
	close(release)
	done.Wait()

	matched, timedOut := true, false
	successes := map[string]int{}
	for i, b := range bs {
		j := &judge{p: p, cr: cr, step: n, b: b, resp: resps[i]}
		if err := errs[i]; err != nil {
			if errors.Is(err, ErrTimeout) && ctx.Err() == nil {
				timedOut = true
				j.find(deadlockRequirement, result.LayerStatus,
					fmt.Sprintf("an answer to concurrent request %d of %d within %s (--timeout)", i+1, len(bs), p.cfg.Timeout),
					"no answer: "+err.Error(), "")
				continue
			}
			return false, err
		}
		o := cases.Outcome{Expect: g.ForRequest(i)}
		chosen := j.status([]cases.Outcome{o})
		j.contract(chosen != nil)
		doc := j.decode()
		docs[i] = doc
		if chosen == nil {
			matched = false
		} else {
			j.expect(chosen, doc)
		}
		if resps[i].Status == http.StatusAccepted && doc != nil {
			j.invariants(doc)
			for _, r := range doc.results() {
				if str(r, "status") != "success" {
					continue
				}
				for name, id := range cr.ids {
					if str(r, "id") == id {
						successes[name]++
					}
				}
			}
		}
		j.language(doc)
		j.noEcho()
	}
	j := &judge{p: p, cr: cr, step: n}
	for _, name := range slices.Sorted(maps.Keys(g.SuccessesAtMost)) {
		if most := g.SuccessesAtMost[name]; successes[name] > most {
			j.find(g.Requirement, result.LayerExpect,
				fmt.Sprintf("at most %d item(s) for %s (%s) reporting success over the %d concurrent answers", most, name, j.q(cr.ids[name]), len(bs)),
				fmt.Sprintf("%d", successes[name]), "")
		}
	}
	if timedOut || !matched {
		return false, nil // an answer missing or outside the group's: then would only repeat it
	}
	for _, name := range slices.Sorted(maps.Keys(g.SuccessesAtLeast)) {
		if least := g.SuccessesAtLeast[name]; successes[name] < least {
			j.find(g.Requirement, result.LayerExpect,
				fmt.Sprintf("at least %d item(s) for %s (%s) reporting success over the %d concurrent answers", least, name, j.q(cr.ids[name]), len(bs)),
				fmt.Sprintf("%d", successes[name]), "")
		}
	}
	if p.linear != nil {
		// A concurrent generated group (runner/linear.go): some serial
		// order of the batches must explain the answers.
		if err := p.linear.check(ctx, j, docs, resps); err != nil {
			return false, err
		}
	}
	if err := j.then(ctx, &cases.Outcome{Then: s.Then}, snap); err != nil {
		return false, err
	}
	return true, nil
}
