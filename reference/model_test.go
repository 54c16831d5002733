package reference_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/drsconform/drsconform/reference"
	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
)

// The model (model/model.go) and the reference implementation, driven by
// the same seeded random batches through the fixture protocol, never
// disagree: every answer of the reference is in the model's allowed set.
func TestModelAdmitsTheReference(t *testing.T) {
	for _, cfg := range []reference.Config{{}, {Duplicates: reference.DuplicatesReject}} {
		cfg.Tokens, cfg.Logger = []string{"model-token"}, slog.New(slog.DiscardHandler)
		srv := httptest.NewServer(reference.New(cfg).Handler())
		t.Cleanup(srv.Close)
		s, err := runner.NewSession(runner.Config{Target: srv.URL, Token: "model-token"})
		if err != nil {
			t.Fatal(err)
		}
		for n := range 150 {
			if r := s.PlayGenerated(context.Background(), 11, n); r.Verdict != result.Pass {
				t.Fatalf("duplicates %q, batch %d: %s %v", cfg.Duplicates, n, r.Verdict, r.Messages)
			}
		}
	}
}

// BenchmarkGenerated is generator, model and judge against the reference:
// batches per second.
func BenchmarkGenerated(b *testing.B) {
	srv := httptest.NewServer(reference.New(reference.Config{Tokens: []string{"model-token"},
		Logger: slog.New(slog.DiscardHandler)}).Handler())
	b.Cleanup(srv.Close)
	s, err := runner.NewSession(runner.Config{Target: srv.URL, Token: "model-token"})
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		if r := s.PlayGenerated(context.Background(), 1, n); r.Verdict != result.Pass {
			b.Fatalf("batch %d: %v", n, r.Messages)
		}
		n++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "batches/s")
}

// BenchmarkGeneratedParallel is the throughput a run gets: batches played
// eight at a time (the default --parallel), as runner.Run plays them.
func BenchmarkGeneratedParallel(b *testing.B) {
	srv := httptest.NewServer(reference.New(reference.Config{Tokens: []string{"model-token"},
		Logger: slog.New(slog.DiscardHandler)}).Handler())
	b.Cleanup(srv.Close)
	s, err := runner.NewSession(runner.Config{Target: srv.URL, Token: "model-token"})
	if err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	b.SetParallelism(4) // with -cpu 2: eight goroutines
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := int(next.Add(1))
			if r := s.PlayGenerated(context.Background(), 1, n); r.Verdict != result.Pass {
				b.Errorf("batch %d: %v", n, r.Messages)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "batches/s")
}
