package reference

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
)

// Concurrent generated groups (runner/linear.go): the reference passes
// every seeded group (some serial order of its batches explains the
// answers), and the racing-double-delete mutant (mutants_test.go: check,
// sleep, act) is found on REQ-CON-01 by the serial-order check alone.
func TestModelConcurrentGroups(t *testing.T) {
	session := func(t *testing.T, m mutant) *runner.Session {
		srv := httptest.NewServer(m.build(Config{Tokens: []string{"model-token"}, Logger: slog.New(slog.DiscardHandler)}))
		t.Cleanup(srv.Close)
		s, err := runner.NewSession(runner.Config{Target: srv.URL, Token: "model-token"})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	t.Run("reference", func(t *testing.T) {
		s := session(t, mutant{})
		for n := range 50 {
			if r := s.PlayGeneratedGroup(context.Background(), 11, n); r.Verdict != result.Pass {
				t.Fatalf("group %d: %s %v", n, r.Verdict, r.Messages)
			}
		}
	})
	t.Run("racing-double-delete", func(t *testing.T) {
		s := session(t, mutant{rules: checkThenAct()})
		for n := range 50 {
			r := s.PlayGeneratedGroup(context.Background(), 11, n)
			if r.Verdict == result.Pass {
				continue
			}
			if !slices.ContainsFunc(r.Findings, func(f result.Finding) bool { return f.Requirement == "REQ-CON-01" }) {
				t.Fatalf("group %d: %s without a finding on REQ-CON-01: %v", n, r.Verdict, r.Messages)
			}
			t.Logf("group %d: %v", n, r.Messages)
			return
		}
		t.Fatal("no group of seed 11 found the racing double delete")
	})
}
