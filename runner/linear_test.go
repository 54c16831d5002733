package runner

import (
	"testing"

	"github.com/drsconform/drsconform/model"
)

// The serial-order search of runner/linear.go: two batches deleting one
// deletable task are explained when one succeeds and the task is gone, and
// not when both succeed (the racing double delete).
func TestGeneratedConcurrentSearch(t *testing.T) {
	g := genGroup{Tasks: []model.Task{{Status: "RELEASE_RESOURCE_COMPLETE"}},
		Batches: [][]genItem{{{DeleteType: model.Delete, Task: 0}}, {{DeleteType: model.Delete, Task: 0}}}}
	for _, tc := range []struct {
		a, b   string
		exists bool
		want   bool
	}{
		{"success", "failed", false, true},
		{"failed", "success", false, true},
		{"success", "success", false, false},
		{"failed", "failed", false, false},
		{"success", "failed", true, false},
	} {
		s := &search{g: g, obs: []observed{{status: 202, items: []string{tc.a}}, {status: 202, items: []string{tc.b}}},
			finals: []final{{status: "RELEASE_RESOURCE_COMPLETE", exists: tc.exists}}, memo: map[string]bool{}}
		if _, ok := s.explain(0, g.Tasks, nil); ok != tc.want {
			t.Errorf("%s, %s, exists %t: explained %t, want %t (%s)", tc.a, tc.b, tc.exists, ok, tc.want, s.closest())
		}
	}
}

// Groups are deterministic, K is 2–4, batches hold 1–6 items, and no task a
// group stops is deleted by it (the asynchronous-stop limitation).
func TestGeneratedConcurrentGroups(t *testing.T) {
	for n := range 200 {
		g := generateGroup(3, n)
		if len(g.Batches) < 2 || len(g.Batches) > 4 {
			t.Fatalf("group %d: %d batches", n, len(g.Batches))
		}
		kinds := map[int]map[bool]bool{}
		for _, b := range g.Batches {
			if len(b) < 1 || len(b) > 6 {
				t.Fatalf("group %d: a batch of %d items", n, len(b))
			}
			for _, it := range b {
				if it.Task != model.NoTask {
					if kinds[it.Task] == nil {
						kinds[it.Task] = map[bool]bool{}
					}
					kinds[it.Task][it.DeleteType == model.Delete] = true
				}
			}
		}
		for ti, k := range kinds {
			if len(k) > 1 {
				t.Fatalf("group %d: task %d both stopped and deleted", n, ti)
			}
		}
	}
	if a, b := generateGroup(3, 7), generateGroup(3, 7); len(a.Batches) != len(b.Batches) || a.Batches[0][0] != b.Batches[0][0] {
		t.Fatal("same seed, different groups")
	}
}
