// Package model is the specification of DELETE /v3/{project_id}/jobs/batch-jobs
// as an oracle: given the tasks a batch names and the batch itself, it
// returns the set of answers the requirement catalogue
// (conformance/requirements.yaml) allows — 202 and/or 400, for each item
// success and/or failed, for each task the states it may read back in (or
// gone) — never one expected answer. Every rule names its requirement.
//
// It is pure: no I/O, no clock, no randomness. The reference implementation
// (reference/handler.go, reference/status.go) is one target the model admits
// (reference/model_test.go); the generated batches of the runner
// (runner/generate.go) judge any target with it.
package model

import (
	"slices"

	"github.com/drsconform/drsconform/conformance"
)

// The delete types of the API page (Table 4).
const (
	Terminate      = "terminate"
	ForceTerminate = "force_terminate"
	Delete         = "delete"
)

// DeleteTypes are the three delete types.
var DeleteTypes = []string{Terminate, ForceTerminate, Delete}

// Statuses the rules name.
const (
	ReleaseResourceStarted = "RELEASE_RESOURCE_STARTED"
	// Deleted is the SDK's status of a deleted task (conformance/statuses.go):
	// a task read back in it is already deleted (REQ-STA-08).
	Deleted = "DELETED"
)

// deletable is D: "Only tasks in the CREATE_FAILED, RELEASE_RESOURCE_COMPLETE,
// or RELEASE_CHILD_TRANSFER_COMPLETE state can be deleted." (REQ-STA-01).
var deletable = []string{"CREATE_FAILED", "RELEASE_RESOURCE_COMPLETE", "RELEASE_CHILD_TRANSFER_COMPLETE"}

// running are the states in which a stop must succeed: a task in full or
// incremental transfer (REQ-STA-03, REQ-STA-04; the lifecycle cases of
// cases/lifecycles.yaml). In every other state the catalogue lets a stop
// succeed or fail (REQ-STA-12, cases/stop-never-deletes.yaml).
var running = []string{"FULL_TRANSFER_STARTED", "INCRE_TRANSFER_STARTED"}

// Deletable reports whether s is in D.
func Deletable(s string) bool { return slices.Contains(deletable, s) }

// Running reports whether a stop of a task in s must succeed.
func Running(s string) bool { return slices.Contains(running, s) }

// DeletableStatuses returns D.
func DeletableStatuses() []string { return slices.Clone(deletable) }

// Statuses returns every status a task may be made in (conformance.KnownStatuses).
func Statuses() []string { return conformance.KnownStatuses() }

// Task is what the batch finds: a task of the request's project, of another
// project, or one deleted before the batch.
type Task struct {
	Status       string
	Parent       bool
	DualActive   bool
	Busy         bool
	OtherProject bool // made in another project than the request's (REQ-STA-06)
	Deleted      bool // deleted before the batch; Status is ignored (REQ-STA-08)
}

// Item is one entry of the batch: a delete type and the task it names, an
// index into Batch.Tasks, or NoTask for a job_id no task has. Items with
// NoTask are distinct IDs: a repeat names a task.
type Item struct {
	DeleteType string
	Task       int
}

// NoTask is the Task of an Item whose job_id names no task (REQ-STA-05).
const NoTask = -1

// Batch is the tasks and the request.
type Batch struct {
	Tasks []Task
	Items []Item
}

// ItemAllowed is what one item's result may be inside a 202.
type ItemAllowed struct {
	Success, Failed bool
	Requirement     string // the rule that decided it
}

// Any reports whether both results are allowed.
func (a ItemAllowed) Any() bool { return a.Success && a.Failed }

// Admits reports whether an item result status is allowed.
func (a ItemAllowed) Admits(status string) bool {
	return status == "success" && a.Success || status == "failed" && a.Failed
}

// TaskAllowed is what a task may read back as after the batch.
type TaskAllowed struct {
	Gone        bool     // it may be gone
	Statuses    []string // it may exist in one of these (sorted)
	Requirement string
}

// Admits reports whether a read-back is allowed.
func (a TaskAllowed) Admits(status string, exists bool) bool {
	if !exists {
		return a.Gone
	}
	return slices.Contains(a.Statuses, status)
}

// Allowed is the set of answers the catalogue allows for a batch.
type Allowed struct {
	// Accepted: 202 is allowed (REQ-HTTP-01, REQ-STA-09); then Items and
	// Tasks apply.
	Accepted bool
	// RejectedBy is the requirement whose choice allows a 400 for the whole
	// batch ("" if none); then every task is unchanged (REQ-VAL-08).
	RejectedBy string
	Items      []ItemAllowed
	Tasks      []TaskAllowed
}

// Unchanged is what a task may read back as after a 4xx (REQ-VAL-08).
func Unchanged(t Task) TaskAllowed {
	if t.Deleted {
		return TaskAllowed{Gone: true, Requirement: "REQ-VAL-08"}
	}
	return TaskAllowed{Statuses: []string{t.Status}, Requirement: "REQ-VAL-08"}
}

// rule is the decision of one item on its own.
type rule struct {
	item ItemAllowed
	next TaskAllowed // the task's allowed read-backs if this item acts on it
}

// decide applies the catalogue to one item, as if it were alone.
func decide(b Batch, it Item) rule {
	if it.Task == NoTask {
		return rule{item: ItemAllowed{Failed: true, Requirement: "REQ-STA-05"}}
	}
	t := b.Tasks[it.Task]
	keep := func(req string) TaskAllowed {
		a := Unchanged(t)
		a.Requirement = req
		return a
	}
	fail := func(req string) rule { return rule{item: ItemAllowed{Failed: true, Requirement: req}, next: keep(req)} }
	switch {
	case t.OtherProject:
		return fail("REQ-STA-06") // failed as if unknown, not touched
	case t.Deleted || t.Status == Deleted:
		return fail("REQ-STA-08")
	case t.Parent && !t.DualActive:
		return fail("REQ-STA-10")
	case t.Busy:
		return fail("REQ-STA-07")
	}
	switch it.DeleteType {
	case Delete:
		if Deletable(t.Status) {
			return rule{item: ItemAllowed{Success: true, Requirement: "REQ-STA-01"},
				next: TaskAllowed{Gone: true, Requirement: "REQ-STA-01"}}
		}
		return fail("REQ-STA-02")
	case Terminate, ForceTerminate:
		req := "REQ-STA-03"
		if it.DeleteType == ForceTerminate {
			req = "REQ-STA-04"
		}
		// A successful stop releases: RELEASE_RESOURCE_STARTED, then a
		// deletable state (REQ-STA-03); a stop never deletes (REQ-STA-12).
		stopped := sorted(append([]string{ReleaseResourceStarted}, deletable...))
		if Running(t.Status) {
			return rule{item: ItemAllowed{Success: true, Requirement: req},
				next: TaskAllowed{Statuses: stopped, Requirement: req}}
		}
		return rule{item: ItemAllowed{Success: true, Failed: true, Requirement: "REQ-STA-12"},
			next: TaskAllowed{Statuses: sorted(append(stopped, t.Status)), Requirement: "REQ-STA-12"}}
	}
	return fail("REQ-VAL-04") // not generated: a bad delete_type is a 400 of its own
}

// Judge returns the answers the catalogue allows for b.
func Judge(b Batch) Allowed {
	a := Allowed{Accepted: true, Items: make([]ItemAllowed, len(b.Items)), Tasks: make([]TaskAllowed, len(b.Tasks))}
	// Entries naming the same task: REQ-STA-11 allows 400 for the batch, or
	// one result per entry with the task acted on once.
	entries := map[int][]int{}
	dup := false
	for i, it := range b.Items {
		if it.Task == NoTask {
			continue
		}
		entries[it.Task] = append(entries[it.Task], i)
		dup = dup || len(entries[it.Task]) > 1
	}
	for i, it := range b.Items {
		r := decide(b, it)
		a.Items[i] = r.item
		if it.Task != NoTask && len(entries[it.Task]) > 1 {
			// Acted on once: whichever entry acts, the others may fail.
			a.Items[i].Failed = true
			if r.item.Success {
				a.Items[i].Requirement = "REQ-STA-11"
			}
		}
	}
	for ti, t := range b.Tasks {
		list, named := entries[ti]
		if !named {
			a.Tasks[ti] = Unchanged(t)
			a.Tasks[ti].Requirement = "REQ-STA-09" // an item acts only on its own task
			continue
		}
		// The task ends as one of its entries would leave it.
		var u TaskAllowed
		for k, i := range list {
			n := decide(b, b.Items[i]).next
			if k == 0 {
				u.Requirement = n.Requirement
			}
			u.Gone = u.Gone || n.Gone
			u.Statuses = sorted(append(u.Statuses, n.Statuses...))
		}
		if len(list) > 1 {
			u.Requirement = "REQ-STA-11"
		}
		a.Tasks[ti] = u
	}
	if dup {
		a.RejectedBy = "REQ-STA-11"
	}
	return a
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}
