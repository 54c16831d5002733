package runner_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
	"github.com/stretchr/testify/require"
)

func generatedResults(rep *result.Report) []result.CaseResult {
	var out []result.CaseResult
	for _, c := range rep.Cases {
		if c.Theme == runner.GeneratedTheme {
			out = append(out, c)
		}
	}
	return out
}

func TestGeneratedBatchesPassAgainstTheReference(t *testing.T) {
	t.Parallel()
	srv := newServer(t, faulty(passThrough))
	rep := play(t, srv, "delete.create-failed", func(c *runner.Config) { c.Generate, c.Seed = 120, 7 })
	gen := generatedResults(rep)
	require.Len(t, gen, 120)
	for _, c := range gen {
		require.Equal(t, result.Pass, c.Verdict, "%s: %v", c.ID, c.Messages)
		require.Contains(t, c.Requirements, "REQ-STA-09")
	}
	require.Equal(t, result.Pass, rep.Verdict)
}

// A target that alters a combining mark in the ids it echoes: the catalogue
// without its scale cases (the ones that send such ids on purpose) does not
// see it, the generator does, and shrinks it to a batch of one item.
func TestGeneratedBatchesFindAnAlteredIDAndShrinkIt(t *testing.T) {
	t.Parallel()
	srv := newServer(t, faulty(answer(mapJSON(func(m map[string]any) {
		results, _ := m["results"].([]any)
		for _, r := range results {
			if item, ok := r.(map[string]any); ok {
				if id, ok := item["id"].(string); ok {
					item["id"] = strings.ReplaceAll(id, "e\u0301", "\u00e9")
				}
			}
		}
	}))))
	rep := play(t, srv, "", func(c *runner.Config) {
		c.Generate, c.Seed = 60, 3
		c.Filter.ExcludeTags = []string{"scale"}
	})
	for _, c := range rep.Cases {
		if c.Theme != runner.GeneratedTheme {
			require.NotEqual(t, result.Fail, c.Verdict, "the catalogue should not see it: %s %v", c.ID, c.Messages)
		}
	}
	var found *result.CaseResult
	// Batches play in parallel; the run shrinks the first failing batch to
	// take its budget for REQ-RES-02, not necessarily batch 0.
	for _, c := range generatedResults(rep) {
		if c.Verdict == result.Fail && strings.Contains(strings.Join(c.Messages, "\n"), "shrunk in") {
			found = &c
			break
		}
	}
	require.NotNil(t, found, "no generated batch found the altered id")
	require.NotEmpty(t, findingsOnReq(*found, "REQ-RES-02"))
	msgs := strings.Join(found.Messages, "\n")
	require.Contains(t, msgs, "shrunk")
	require.Contains(t, msgs, "to 1 items")
	require.Contains(t, msgs, "- id: generated.3.")
	require.Contains(t, msgs, "\u0301")
	t.Log(msgs)
}

func findingsOnReq(c result.CaseResult, req string) []result.Finding {
	var out []result.Finding
	for _, f := range c.Findings {
		if f.Requirement == req {
			out = append(out, f)
		}
	}
	return out
}

func passThrough(w http.ResponseWriter, r *http.Request, next http.Handler) { next.ServeHTTP(w, r) }

func newServer(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
