package runner_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/reference"
	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
)

func fixtureCase(id string, fx ...cases.Fixture) *cases.Case {
	c := &cases.Case{ID: id, Fixtures: map[string]cases.Fixture{}}
	for i, f := range fx {
		name := string(rune('a' + i))
		c.Fixtures[name] = f
		c.FixtureOrder = append(c.FixtureOrder, name)
	}
	return c
}

func TestAllocate(t *testing.T) {
	t.Parallel()
	inc := cases.Fixture{Status: "INCRE_TRANSFER_STARTED"}
	file := &cases.FixturesFile{Tasks: []cases.FileTask{
		{ID: "i1", Project: "main", Status: "INCRE_TRANSFER_STARTED"},
		{ID: "i2", Project: "main", Status: "INCRE_TRANSFER_STARTED"},
		{ID: "o1", Project: "other", Status: "INCRE_TRANSFER_STARTED"},
		{ID: "p1", Project: "main", Status: "CREATE_FAILED", Parent: true},
	}}
	sel := []*cases.Case{
		fixtureCase("none"), // needs nothing
		fixtureCase("absent", cases.Fixture{Absent: true}),
		fixtureCase("one", inc),
		fixtureCase("three", inc, inc, inc), // the file has 2, one already given
		fixtureCase("two-left", inc),        // gets i2
		fixtureCase("again", inc),           // both given
		fixtureCase("other", cases.Fixture{Status: "INCRE_TRANSFER_STARTED", Project: "other"}),
		fixtureCase("flags", cases.Fixture{Status: "CREATE_FAILED"}, cases.Fixture{Status: "CREATE_FAILED", Parent: true, Busy: true}),
		fixtureCase("parent", cases.Fixture{Status: "CREATE_FAILED", Parent: true}),
	}
	a := runner.Allocate(sel, file)
	assert.Equal(t, []string{"one", "two-left", "other", "parent"}, a.Order)
	assert.Equal(t, "i1", a.Given["one"]["a"].ID)
	assert.Equal(t, "i2", a.Given["two-left"]["a"].ID)
	assert.Equal(t, "o1", a.Given["other"]["a"].ID)
	assert.Equal(t, "p1", a.Given["parent"]["a"].ID)
	assert.Equal(t, "needs 3 tasks in INCRE_TRANSFER_STARTED (main project), the fixtures file has 2, 1 given to earlier cases", a.Unmet["three"].Reason)
	assert.Equal(t, "needs 1 task in INCRE_TRANSFER_STARTED (main project), the fixtures file has 2, both given to earlier cases", a.Unmet["again"].Reason)
	assert.Equal(t, "needs 1 task in CREATE_FAILED (main project), the fixtures file has 0; needs 1 task in CREATE_FAILED (main project, parent, busy), the fixtures file has 0", a.Unmet["flags"].Reason)
	assert.Equal(t, []string{"CREATE_FAILED (main project)", "CREATE_FAILED (main project, parent, busy)"}, a.Unmet["flags"].Needs)
	for _, id := range []string{"none", "absent"} {
		assert.NotContains(t, a.Given, id)
		assert.NotContains(t, a.Unmet, id)
	}
	// Deterministic: the same input gives the same allocation.
	assert.Equal(t, a, runner.Allocate(sel, file))
}

// fieldTarget is the reference with no fixture harness, seeded from file,
// and counts every request to /_conformance (there must be none).
func fieldTarget(t *testing.T, file *cases.FixturesFile) (url string, harnessCalls *atomic.Int32) {
	t.Helper()
	ref := reference.New(reference.Config{Tokens: []string{testToken}, ReleaseDelay: 20 * time.Millisecond,
		NoHarness: true, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, ref.Seed(reference.SeedTasksOf(file, runner.DefaultProjectID, runner.DefaultOtherProjectID)))
	harnessCalls = &atomic.Int32{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/_conformance") {
			harnessCalls.Add(1)
		}
		ref.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, harnessCalls
}

// fileFor is a fixtures file with one task for every need of the selected
// cases, as `drsconform fixtures plan --skeleton` writes it, IDs filled in.
func fileFor(t *testing.T, sel []*cases.Case) *cases.FixturesFile {
	t.Helper()
	f := &cases.FixturesFile{Path: "field.yaml"}
	for _, c := range sel {
		for i, k := range runner.Needs(c) {
			project := "main"
			if k.Other {
				project = "other"
			}
			f.Tasks = append(f.Tasks, cases.FileTask{ID: c.ID + "-" + string(rune('a'+i)) + "-jb01", Project: project, Status: k.Status,
				Parent: k.Parent, DualActive: k.DualActive, Busy: k.Busy})
		}
	}
	return f
}

func fieldRun(t *testing.T, url string, file *cases.FixturesFile, tags ...string) *result.Report {
	t.Helper()
	files, err := cases.LoadEmbeddedCases()
	require.NoError(t, err)
	cfg := runner.Config{Target: url, Token: testToken, Files: files, Fixtures: file, Generate: 3,
		Timeout: 2 * time.Second, SettleTimeout: 2 * time.Second, Parallel: 8}
	cfg.Filter.Tags = tags
	rep, err := runner.Run(context.Background(), cfg)
	require.NoError(t, err)
	return rep
}

func selected(t *testing.T, tags ...string) []*cases.Case {
	t.Helper()
	files, err := cases.LoadEmbeddedCases()
	require.NoError(t, err)
	var sel []*cases.Case
	for _, f := range files {
		for _, c := range f.Cases {
			if slices.ContainsFunc(tags, func(tag string) bool { return slices.Contains(c.Tags, tag) }) {
				sel = append(sel, c)
			}
		}
	}
	require.NotEmpty(t, sel)
	return sel
}

// A run with --fixtures against a live-like endpoint (no harness), seeded
// from the same file: PASS where the file covers every need, and the report
// says which tasks the run changed.
func TestFieldRunPassesWithACoveringFile(t *testing.T) {
	t.Parallel()
	tags := []string{"delete"}
	file := fileFor(t, selected(t, tags...))
	url, harness := fieldTarget(t, file)
	rep := fieldRun(t, url, file, tags...)
	for _, c := range rep.Cases {
		if !c.FilteredOut {
			assert.Equal(t, result.Pass, c.Verdict, "%s: %v", c.ID, c.Messages)
		}
	}
	assert.Equal(t, result.Pass, rep.Verdict, "%v", rep.Unjudged)
	assert.Zero(t, harness.Load(), "no request to /_conformance")
	assert.Empty(t, rep.FixturesURL, "no harness to name")
	assert.Equal(t, "field.yaml", rep.Configuration["fixtures"])
	assert.NotEmpty(t, rep.NotPlayed, "the generated batches are not played, and the report says so")
	require.NotEmpty(t, rep.FieldTasks)
	changed := 0
	for _, ft := range rep.FieldTasks {
		assert.Equal(t, ft.Stated, ft.Before, "%s", ft.ID)
		assert.Equal(t, ft.After != ft.Before, ft.Changed, "%s", ft.ID)
		if ft.Changed {
			changed++
		}
	}
	assert.Positive(t, changed, "deletes change tasks")
	require.Contains(t, rep.Preflight[len(rep.Preflight)-1].Detail, "read back as the file states")
}

// Where the file lacks a task, the cases that need it are skipped and the
// INCOMPLETE verdict names what is missing; a task not as stated skips its
// case with the reason.
func TestFieldRunIncompleteWithoutEnoughTasks(t *testing.T) {
	t.Parallel()
	tags := []string{"parent"}
	sel := selected(t, tags...)
	file := fileFor(t, sel)
	// The first case keeps its tasks, one of them on the target in another
	// state than the file says; the other cases lose their parent tasks.
	seeded := &cases.FixturesFile{Tasks: slices.Clone(file.Tasks)}
	seeded.Tasks[0].Status = "CREATING"
	url, harness := fieldTarget(t, seeded)
	first := sel[0].ID + "-"
	var kept []cases.FileTask
	dropped := 0
	wrong := ""
	for _, task := range file.Tasks {
		switch {
		case task.ID == seeded.Tasks[0].ID:
			wrong = task.ID
		case !strings.HasPrefix(task.ID, first) && task.Parent:
			dropped++
			continue
		}
		kept = append(kept, task)
	}
	require.Positive(t, dropped)
	file.Tasks = kept
	rep := fieldRun(t, url, file, tags...)
	assert.Equal(t, result.Incomplete, rep.Verdict)
	assert.Zero(t, harness.Load())
	var unmet, notAsStated int
	for _, c := range rep.Cases {
		if c.Unmet != nil {
			unmet++
			assert.Equal(t, result.Skip, c.Verdict)
			assert.Regexp(t, `^needs \d tasks? in [A-Z_]+ \(main project, parent.*\), the fixtures file has`, c.Messages[0])
		}
		if len(c.Messages) > 0 && strings.Contains(c.Messages[0], "reads CREATING, the fixtures file says") {
			notAsStated++
			assert.Equal(t, result.Skip, c.Verdict)
			assert.Equal(t, "task "+wrong+" reads CREATING, the fixtures file says "+file.Tasks[0].Status, c.Messages[0])
		}
	}
	assert.Positive(t, unmet)
	assert.Equal(t, 1, notAsStated)
	var reasons []string
	for _, u := range rep.Unjudged {
		reasons = append(reasons, u.Reasons...)
	}
	assert.Contains(t, strings.Join(reasons, "\n"), "skipped: the fixtures file has no task left for")
	assert.Contains(t, rep.Preflight[len(rep.Preflight)-1].Detail, "not as stated")
}

// A batch-status that answers nonsense errors the cases (never fails them).
func TestFieldRunReadBackErrorIsAnError(t *testing.T) {
	t.Parallel()
	tags := []string{"parent"}
	file := fileFor(t, selected(t, tags...))
	url, _ := fieldTarget(t, file)
	var n atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/batch-status") && n.Add(1) > 1 { // the preflight's read is fine
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"count":1}`))
			return
		}
		resp, err := http.DefaultClient.Do(mustRequest(t, r, url))
		if err != nil {
			w.WriteHeader(502)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(proxy.Close)
	rep := fieldRun(t, proxy.URL, file, tags...)
	assert.Zero(t, rep.Summary.Failed)
	assert.Contains(t, []result.Verdict{result.Error, result.Incomplete}, rep.Verdict)
	for _, c := range rep.Cases {
		if !c.FilteredOut {
			assert.Equal(t, result.Error, c.Verdict, "%s", c.ID)
			assert.Contains(t, strings.Join(c.Messages, "\n"), "without a results array")
		}
	}
}

func mustRequest(t *testing.T, r *http.Request, base string) *http.Request {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, base+r.URL.RequestURI(), r.Body)
	require.NoError(t, err)
	req.Header = r.Header.Clone()
	return req
}

// --readback api works with the harness too: tasks made by the harness, read
// back through batch-status; the verdicts are the same.
func TestReadBackThroughTheAPIWithTheHarness(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(faulty(func(w http.ResponseWriter, r *http.Request, next http.Handler) { next.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	rep := play(t, srv.URL, "lifecycle.*", func(c *runner.Config) { c.ReadBack = runner.ReadBackAPI })
	played := 0
	for _, c := range rep.Cases {
		if !c.FilteredOut {
			played++
			assert.Equal(t, result.Pass, c.Verdict, "%s: %v", c.ID, c.Messages)
		}
	}
	assert.Positive(t, played)
	assert.Equal(t, "api", rep.Configuration["readback"])
}

// A task of the file that is not on the target at all reads as gone: the
// case that would use it is skipped with the reason, and the preflight
// names it.
func TestFieldRunSkipsACaseWhoseTaskIsGone(t *testing.T) {
	t.Parallel()
	tags := []string{"parent"}
	file := fileFor(t, selected(t, tags...))
	url, _ := fieldTarget(t, &cases.FixturesFile{Tasks: file.Tasks[1:]}) // the first task never made
	rep := fieldRun(t, url, file, tags...)
	var skippedGone []string
	for _, c := range rep.Cases {
		if c.Verdict == result.Skip && !c.FilteredOut && strings.Contains(strings.Join(c.Messages, " "), "is gone") {
			skippedGone = append(skippedGone, c.ID)
			assert.Equal(t, "task "+file.Tasks[0].ID+" is gone, the fixtures file says "+file.Tasks[0].Status, c.Messages[0])
		}
	}
	assert.Len(t, skippedGone, 1)
	assert.Contains(t, rep.Preflight[len(rep.Preflight)-1].Detail, file.Tasks[0].ID+" is gone")
	for _, ft := range rep.FieldTasks {
		if ft.ID == file.Tasks[0].ID {
			assert.Equal(t, "(gone)", ft.Before)
			assert.False(t, ft.Changed)
		}
	}
}
