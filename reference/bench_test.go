package reference

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkBatchJobs measures the handler (validation through the contract,
// decisions, state changes, encoding) on batches of 1, 100 and 10,000
// jobs, half deletes of deletable tasks and half stops of running ones, all
// succeeding. ns/job must stay flat as batches grow:
//
//	go test -run '^$' -bench BatchJobs -benchmem ./reference/
func BenchmarkBatchJobs(b *testing.B) {
	for _, n := range []int{1, 100, 10_000} {
		b.Run(fmt.Sprintf("jobs=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				req, h := benchBatch(b, n)
				rec := httptest.NewRecorder()
				b.StartTimer()
				h.ServeHTTP(rec, req)
				b.StopTimer()
				if rec.Code != http.StatusAccepted {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/job")
		})
	}
}

// benchBatch makes a fresh server with n tasks and the request acting on them all.
func benchBatch(b *testing.B, n int) (*http.Request, http.Handler) {
	s := New(Config{MaxBodyBytes: 64 << 20})
	items := make([]DeleteJobReq, n)
	for i := range items {
		if i%2 == 0 {
			items[i] = DeleteJobReq{DeleteType: Delete, JobID: s.store.create(TaskSpec{ProjectID: "p", Status: CreateFailed}).ID}
		} else {
			items[i] = DeleteJobReq{DeleteType: Terminate, JobID: s.store.create(TaskSpec{ProjectID: "p", Status: IncreTransferStarted}).ID}
		}
	}
	body, err := json.Marshal(map[string]any{"jobs": items})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodDelete, "/v3/p/jobs/batch-jobs", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Auth-Token", "t")
	return req, s.Handler()
}
