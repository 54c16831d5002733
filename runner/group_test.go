package runner_test

// Concurrent groups (runner/group.go): the barrier sends the requests of a
// group together; a slow but serializing target passes; a target that never
// answers an overlapping request gets a finding on REQ-CON-02, not an error;
// every exchange of the group is evidence.

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
)

// TestGroupReleasesTheRequestsTogether: a target that takes 50 ms per API
// request sees the requests of a group in flight together, as the barrier
// sends them; sent one after another, they would never overlap.
func TestGroupReleasesTheRequestsTogether(t *testing.T) {
	t.Parallel()
	var inFlight atomic.Int32
	var maxSeen atomic.Int32
	srv := httptest.NewServer(faulty(func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := maxSeen.Load()
			if n <= m || maxSeen.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(50 * time.Millisecond) // long against the barrier's release, short against --timeout
		next.ServeHTTP(w, r)
	}))
	defer srv.Close()
	rep := play(t, srv.URL, "concurrency.eight-deletes", nil)
	c := caseResult(t, rep, "concurrency.eight-deletes")
	assert.Equal(t, result.Pass, c.Verdict, "%v", c.Messages)
	assert.Greater(t, maxSeen.Load(), int32(1), "the group's requests never overlapped")
	api := 0
	for _, e := range c.Evidence {
		if e.Kind == result.KindAPI && e.Step == 1 {
			api++
		}
	}
	assert.Equal(t, 8, api, "every request of the group is evidence")
}

// TestGroupSlowSerializingTargetPasses: a target that serializes the API
// behind one lock and takes 300 ms per request is correct: no finding.
func TestGroupSlowSerializingTargetPasses(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	srv := httptest.NewServer(faulty(func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		mu.Lock()
		defer mu.Unlock()
		time.Sleep(300 * time.Millisecond)
		next.ServeHTTP(w, r)
	}))
	defer srv.Close()
	rep := play(t, srv.URL, "concurrency.opposite-orders", func(c *runner.Config) { c.Timeout = 3 * time.Second })
	c := caseResult(t, rep, "concurrency.opposite-orders")
	assert.Equal(t, result.Pass, c.Verdict, "%v", c.Messages)
}

// TestGroupTimeoutIsAFindingOnREQCON02: a target that never answers the
// second of two overlapping requests fails the case on REQ-CON-02; the
// verdict is fail, not error.
func TestGroupTimeoutIsAFindingOnREQCON02(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	busy := false
	srv := httptest.NewServer(faulty(func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		mu.Lock()
		overlap := busy
		busy = true
		mu.Unlock()
		if overlap {
			_, _ = io.Copy(io.Discard, r.Body) // read: the server then sees the client give up
			<-r.Context().Done()               // never answers: a deadlock
			return
		}
		time.Sleep(100 * time.Millisecond)
		next.ServeHTTP(w, r)
		mu.Lock()
		busy = false
		mu.Unlock()
	}))
	defer srv.Close()
	rep := play(t, srv.URL, "concurrency.double-delete", func(c *runner.Config) { c.Timeout = time.Second })
	c := caseResult(t, rep, "concurrency.double-delete")
	require.Equal(t, result.Fail, c.Verdict, "%v", c.Messages)
	assert.NotEmpty(t, findingsOn(c, "REQ-CON-02"), "%v", c.Messages)
}
