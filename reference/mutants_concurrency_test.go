package reference

// Helpers of the concurrency mutants (REQ-CON-*, mutants_test.go): faults
// that only show when requests overlap. Each is race-free (every shared
// field is read and written under a mutex), so that `go test -race` stays
// clean; the fault is in what is held across the gap, not in a data race.
// A mutant that waits never waits beyond its request's context, so the
// loopback server of mutation_test.go can close once the suite gives up.

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

// holdTime is how long a concurrency mutant holds what it holds: long
// against the microseconds between requests released by the suite's
// barrier, short against --timeout.
const holdTime = 40 * time.Millisecond

// lockedAtMost bounds the tasks lockInRequestOrder locks per batch.
const lockedAtMost = 16

// checkThenAct replaces the apply rule with check-then-act: the task is
// observed and the item decided under the project's lock, the lock is let
// go for holdTime, and the decision is carried out without looking again;
// two deletes of one task that overlap both see it live and both succeed.
func checkThenAct() func(*Server) {
	return func(s *Server) {
		s.rules.apply = func(s *Server, p *project, job DeleteJobReq) decision {
			d := s.rules.decide(s.peek(p, job.JobID), job.DeleteType)
			if p == nil || d.failed || d.act == actNone {
				return d
			}
			if d.act == actDelete {
				time.Sleep(holdTime)
			}
			act(s, p, job.JobID, d.act)
			return d
		}
	}
}

// deleteAfterAnswer replaces the apply rule with one that decides and
// answers at once but removes a deleted task only holdTime later (a queue of
// deletions): until then another delete of the task sees it live and also
// succeeds.
func deleteAfterAnswer() func(*Server) {
	return func(s *Server) {
		s.rules.apply = func(s *Server, p *project, job DeleteJobReq) decision {
			d := s.rules.decide(s.peek(p, job.JobID), job.DeleteType)
			switch {
			case p == nil || d.failed || d.act == actNone:
			case d.act == actDelete:
				time.AfterFunc(holdTime, func() { act(s, p, job.JobID, actDelete) })
			default:
				act(s, p, job.JobID, d.act)
			}
			return d
		}
	}
}

// act carries out a decided action on a task, under the project's lock, as
// applyItem does.
func act(s *Server, p *project, id string, a action) {
	now := s.cfg.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	switch a {
	case actStop:
		if t, ok := p.tasks[id]; ok {
			t.status, t.releaseAt = ReleaseResourceStarted, now.Add(s.cfg.ReleaseDelay)
			t.settle(now)
		}
	case actDelete:
		delete(p.tasks, id)
		p.deleted[id] = struct{}{}
	}
}

// jobsOf reads the delete types and job IDs of a body; nil when it is not a
// batch (the reference then answers it as it does).
func jobsOf(body []byte) []DeleteJobReq {
	var req struct {
		Jobs []DeleteJobReq `json:"jobs"`
	}
	if json.Unmarshal(body, &req) != nil {
		return nil
	}
	return req.Jobs
}

// taskLocks are per-task locks, as channels so that a wait can give up when
// the request's context ends.
type taskLocks struct {
	mu    sync.Mutex
	locks map[string]chan struct{}
}

func (l *taskLocks) of(id string) chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.locks == nil {
		l.locks = map[string]chan struct{}{}
	}
	c, ok := l.locks[id]
	if !ok {
		c = make(chan struct{}, 1)
		l.locks[id] = c
	}
	return c
}

// lockInRequestOrder wraps the API: before a batch is handled, the lock of
// each task it names is taken in request order, each held for holdTime
// before the next is taken (the work on that task), and all are let go once
// the batch is answered. Two batches naming the same tasks in opposite
// orders each hold what the other waits for: neither is ever answered.
func lockInRequestOrder() func(*Server, http.Handler) http.Handler {
	var locks taskLocks
	return func(_ *Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var held []chan struct{}
			defer func() {
				for _, c := range held {
					<-c
				}
			}()
			seen := map[string]bool{}
			for _, j := range jobsOf(readAll(r)) {
				if seen[j.JobID] || j.JobID == "" {
					continue // its own lock is already held; "" names no task
				}
				if len(seen) == lockedAtMost {
					break // the deadlock needs only small overlapping batches; a batch of 1,000 must not take 40 s
				}
				if len(seen) > 0 {
					time.Sleep(holdTime) // the work on the task locked before
				}
				seen[j.JobID] = true
				c := locks.of(projectOf(r.URL.Path) + "/" + j.JobID)
				select {
				case c <- struct{}{}:
					held = append(held, c)
				case <-r.Context().Done():
					return // the client gave up: nobody reads an answer
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// inFlight is the set of batches being handled, with the tasks each names.
type inFlight struct {
	mu      sync.Mutex
	batches map[*http.Request][]DeleteJobReq
	// cancelled marks stops a later delete cancelled (stopLostToDelete).
	cancelled map[string]bool
}

func (f *inFlight) add(r *http.Request, jobs []DeleteJobReq) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.batches == nil {
		f.batches = map[*http.Request][]DeleteJobReq{}
	}
	f.batches[r] = jobs
}

func (f *inFlight) remove(r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.batches, r)
}

// overlaps reports whether another batch in flight names a task r names.
func (f *inFlight) overlaps(r *http.Request) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for other, jobs := range f.batches {
		if other == r {
			continue
		}
		for _, a := range jobs {
			for _, b := range f.batches[r] {
				if a.JobID == b.JobID && a.JobID != "" {
					return true
				}
			}
		}
	}
	return false
}

// stopping reports whether a batch in flight stops the task id.
func (f *inFlight) stopping(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, jobs := range f.batches {
		for _, j := range jobs {
			if j.JobID == id && (j.DeleteType == Terminate || j.DeleteType == ForceTerminate) {
				return true
			}
		}
	}
	return false
}

func (f *inFlight) cancel(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cancelled == nil {
		f.cancelled = map[string]bool{}
	}
	f.cancelled[id] = true
}

func (f *inFlight) wasCancelled(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cancelled[id]
}

// waitForOthers wraps the API: a batch waits until no other batch in flight
// names one of its tasks, then is handled. Two overlapping batches each
// wait for the other: neither is ever answered.
func waitForOthers() func(*Server, http.Handler) http.Handler {
	var f inFlight
	return func(_ *Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			f.add(r, jobsOf(readAll(r)))
			defer f.remove(r)
			time.Sleep(holdTime) // settling in: lets an overlapping batch register
			for f.overlaps(r) {
				select {
				case <-time.After(5 * time.Millisecond):
				case <-r.Context().Done():
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// stopRacedByDelete wraps the API: a stop is queued for holdTime before it is
// carried out; a delete of a task whose stop is queued either removes the
// task at once, the stop then failing on a task that is gone (lost=false:
// deleted while running), or cancels the queued stop, which still answers
// success (lost=true: a lost stop).
func stopRacedByDelete(lost bool) func(*Server, http.Handler) http.Handler {
	var f inFlight
	return func(s *Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			jobs := jobsOf(readAll(r))
			p, _ := s.store.lookup(projectOf(r.URL.Path))
			deletes := false
			for _, j := range jobs {
				deletes = deletes || j.DeleteType == Delete
			}
			if deletes {
				time.Sleep(holdTime / 2) // a stop released with it by the barrier is queued by now
			}
			for _, j := range jobs {
				if j.DeleteType != Delete || p == nil || !f.stopping(j.JobID) {
					continue
				}
				if lost {
					f.cancel(j.JobID)
				} else {
					act(s, p, j.JobID, actDelete)
				}
			}
			stops := false
			for _, j := range jobs {
				stops = stops || j.DeleteType == Terminate || j.DeleteType == ForceTerminate
			}
			if !stops {
				next.ServeHTTP(w, r)
				return
			}
			f.add(r, jobs)
			time.Sleep(holdTime) // queued
			f.remove(r)
			for _, j := range jobs {
				if lost && f.wasCancelled(j.JobID) {
					results := make([]DeleteJobResp, len(jobs))
					for i, j := range jobs {
						results[i] = DeleteJobResp{ID: j.JobID, Status: ItemSuccess}
					}
					writeJSON(w, http.StatusAccepted, BatchDeleteJobResp{Count: len(results), Results: results})
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// projectOf is the project ID of a /v3/{project_id}/jobs/batch-jobs path (a
// wrapper sees the request before the mux has matched it).
func projectOf(path string) string {
	rest, _ := strings.CutPrefix(path, "/v3/")
	id, _, _ := strings.Cut(rest, "/")
	return id
}
