package model

import "testing"

func TestJudgeRules(t *testing.T) {
	b := Batch{
		Tasks: []Task{
			{Status: "CREATE_FAILED"},
			{Status: "INCRE_TRANSFER_STARTED"},
			{Status: "PAUSING"},
			{Status: "INCRE_TRANSFER_STARTED", Parent: true},
			{Status: "INCRE_TRANSFER_STARTED", Parent: true, DualActive: true},
			{Status: "CREATE_FAILED", Busy: true},
			{Status: "CREATE_FAILED", OtherProject: true},
			{Deleted: true},
			{Status: "FULL_TRANSFER_STARTED"},
		},
		Items: []Item{
			{Delete, 0}, {Terminate, 1}, {ForceTerminate, 2}, {Terminate, 3}, {ForceTerminate, 4},
			{Delete, 5}, {Delete, 6}, {Delete, 7}, {Delete, NoTask}, {Delete, 8},
		},
	}
	a := Judge(b)
	if !a.Accepted || a.RejectedBy != "" {
		t.Fatalf("batch: %+v", a)
	}
	want := []struct{ success, failed bool }{
		{true, false}, {true, false}, {true, true}, {false, true}, {true, false},
		{false, true}, {false, true}, {false, true}, {false, true}, {false, true},
	}
	for i, w := range want {
		if a.Items[i].Success != w.success || a.Items[i].Failed != w.failed {
			t.Errorf("item %d: %+v, want success=%v failed=%v", i, a.Items[i], w.success, w.failed)
		}
		if a.Items[i].Requirement == "" {
			t.Errorf("item %d names no requirement", i)
		}
	}
	if !a.Tasks[0].Admits("", false) || a.Tasks[0].Admits("CREATE_FAILED", true) {
		t.Errorf("a deleted task must be gone: %+v", a.Tasks[0])
	}
	if a.Tasks[1].Gone || !a.Tasks[1].Admits(ReleaseResourceStarted, true) || a.Tasks[1].Admits("INCRE_TRANSFER_STARTED", true) {
		t.Errorf("a stopped task leaves its state and exists: %+v", a.Tasks[1])
	}
	if !a.Tasks[2].Admits("PAUSING", true) || a.Tasks[2].Gone {
		t.Errorf("a stop may fail but never deletes: %+v", a.Tasks[2])
	}
	if !a.Tasks[6].Admits("CREATE_FAILED", true) || a.Tasks[6].Gone {
		t.Errorf("another project's task is untouched: %+v", a.Tasks[6])
	}
	if !a.Tasks[7].Admits("", false) {
		t.Errorf("a deleted task stays gone: %+v", a.Tasks[7])
	}
}

func TestJudgeDuplicates(t *testing.T) {
	b := Batch{Tasks: []Task{{Status: "CREATE_FAILED"}, {Status: "INCRE_TRANSFER_STARTED"}},
		Items: []Item{{Delete, 0}, {Terminate, 0}, {Terminate, 1}, {Terminate, 1}}}
	a := Judge(b)
	if !a.Accepted || a.RejectedBy != "REQ-STA-11" {
		t.Fatalf("both REQ-STA-11 choices must be allowed: %+v", a)
	}
	for i := range b.Items {
		if !a.Items[i].Failed {
			t.Errorf("item %d: a repeat may fail: %+v", i, a.Items[i])
		}
	}
	if !a.Tasks[0].Gone || !a.Tasks[0].Admits("CREATE_FAILED", true) {
		t.Errorf("delete or terminate may act: %+v", a.Tasks[0])
	}
}
