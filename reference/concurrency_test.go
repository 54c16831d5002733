package reference_test

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/reference"
)

// Many clients send overlapping batches on shared tasks at once. Afterwards:
// no task is lost, none is deleted or stopped twice, and every result is
// accounted for. Run it under -race.
func TestConcurrentBatchesKeepInvariants(t *testing.T) {
	t.Parallel()
	const (
		deletable, stoppable = 30, 30
		clients, batches     = 12, 15
		batchSize            = 12
	)
	svc := startService(t, reference.Config{ReleaseDelay: time.Hour})
	var dTasks, rTasks []string
	for range deletable {
		dTasks = append(dTasks, svc.create(fixture{ProjectID: projectA, Status: reference.CreateFailed}))
	}
	for range stoppable {
		rTasks = append(rTasks, svc.create(fixture{ProjectID: projectA, Status: reference.IncreTransferStarted}))
	}
	unknown := "6211d20d-0006-41da-836e-db3301ajb20b"
	all := append(append(append([]string(nil), dTasks...), rTasks...), unknown)
	types := []reference.DeleteType{reference.Delete, reference.Terminate, reference.ForceTerminate}

	type outcome struct {
		typ  reference.DeleteType
		resp reference.DeleteJobResp
	}
	var (
		mu       sync.Mutex
		outcomes = map[string][]outcome{}
		sent     int
	)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), 42))
			for range batches {
				items := make([]reference.DeleteJobReq, batchSize)
				for i := range items {
					items[i] = item(types[rng.IntN(len(types))], all[rng.IntN(len(all))])
				}
				res := svc.batchJobs(projectA, jobs(items...), nil).batch(t)
				require.Len(t, res.Results, len(items), "one result per entry")
				mu.Lock()
				for i, r := range res.Results {
					require.Equal(t, items[i].JobID, r.ID, "request order")
					outcomes[r.ID] = append(outcomes[r.ID], outcome{typ: items[i].DeleteType, resp: r})
				}
				sent += len(items)
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	total := 0
	for _, os := range outcomes {
		total += len(os)
	}
	assert.Equal(t, clients*batches*batchSize, sent)
	assert.Equal(t, sent, total, "every result accounted for")

	count := func(id string, pred func(outcome) bool) int {
		n := 0
		for _, o := range outcomes[id] {
			if pred(o) {
				n++
			}
		}
		return n
	}
	succeeded := func(typ ...reference.DeleteType) func(outcome) bool {
		return func(o outcome) bool {
			for _, ty := range typ {
				if o.typ == ty && o.resp.Status == "success" {
					return true
				}
			}
			return false
		}
	}
	asked := func(typ ...reference.DeleteType) func(outcome) bool {
		return func(o outcome) bool {
			for _, ty := range typ {
				if o.typ == ty {
					return true
				}
			}
			return false
		}
	}
	for _, id := range dTasks {
		deletes := count(id, succeeded(reference.Delete))
		assert.LessOrEqual(t, deletes, 1, "deleted twice: %s", id)
		assert.Zero(t, count(id, succeeded(reference.Terminate, reference.ForceTerminate)), "a task in D is not stoppable")
		if count(id, asked(reference.Delete)) > 0 {
			assert.Equal(t, 1, deletes, "the first delete of a task in D succeeds: %s", id)
			assert.Equal(t, reference.Status(""), svc.status(projectA, id))
		} else {
			assert.Equal(t, reference.CreateFailed, svc.status(projectA, id), "lost: %s", id)
		}
	}
	for _, id := range rTasks {
		stops := count(id, succeeded(reference.Terminate, reference.ForceTerminate))
		assert.LessOrEqual(t, stops, 1, "stopped twice: %s", id)
		assert.Zero(t, count(id, succeeded(reference.Delete)), "a running task is not deletable")
		if count(id, asked(reference.Terminate, reference.ForceTerminate)) > 0 {
			assert.Equal(t, 1, stops, "the first stop of a running task succeeds: %s", id)
			assert.Equal(t, reference.ReleaseResourceStarted, svc.status(projectA, id))
		} else {
			assert.Equal(t, reference.IncreTransferStarted, svc.status(projectA, id), "lost: %s", id)
		}
	}
	for _, o := range outcomes[unknown] {
		assert.Equal(t, "failed", o.resp.Status)
		assert.Contains(t, []string{reference.CodeNotFound, reference.CodeDuplicate}, o.resp.ErrorCode)
	}
	for id, os := range outcomes {
		for _, o := range os {
			if o.resp.Status == "failed" {
				assert.NotEmpty(t, o.resp.ErrorCode, id)
				assert.NotEmpty(t, o.resp.ErrorMsg, id)
			} else {
				assert.Equal(t, reference.DeleteJobResp{ID: id, Status: "success"}, o.resp)
			}
		}
	}
}
