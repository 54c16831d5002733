package reference

import (
	"fmt"
	"slices"
	"strings"

	"github.com/drsconform/drsconform/cases"
)

// SeedTask is a task Seed puts into the store with the ID given: what a
// fixtures file (run --fixtures, serve --seed; README.md, "Testing a live
// endpoint") names, so that the same file drives both sides.
type SeedTask struct {
	ID        string
	ProjectID string
	Status    Status
	Parent    bool
	// DualActive and Busy are the fixture flags (TaskSpec).
	DualActive bool
	Busy       bool
}

// Seed adds tasks with their own IDs, before or while the server serves. It
// adds none when one of them is invalid: an empty ID or project, a status
// the reference does not know, or an ID that is already taken in its
// project (live or deleted) or given twice.
func (s *Server) Seed(tasks []SeedTask) error {
	seen := map[string]bool{}
	var problems []string
	for _, t := range tasks {
		key := t.ProjectID + "\x00" + t.ID
		switch {
		case t.ID == "" || t.ProjectID == "":
			problems = append(problems, fmt.Sprintf("task %q in project %q: an ID and a project are needed", t.ID, t.ProjectID))
		case !Known(t.Status):
			problems = append(problems, fmt.Sprintf("task %q: unknown status %q", t.ID, t.Status))
		case seen[key]:
			problems = append(problems, fmt.Sprintf("task %q: given twice in project %q", t.ID, t.ProjectID))
		}
		seen[key] = true
	}
	if len(problems) > 0 {
		return fmt.Errorf("seed: %s", strings.Join(problems, "; "))
	}
	// Lock every project concerned, in a fixed order, so the seed is all
	// or nothing.
	projects := map[string]*project{}
	var order []string
	for _, t := range tasks {
		if _, ok := projects[t.ProjectID]; !ok {
			projects[t.ProjectID] = s.store.project(t.ProjectID)
			order = append(order, t.ProjectID)
		}
	}
	slices.Sort(order)
	for _, id := range order {
		projects[id].mu.Lock()
		defer projects[id].mu.Unlock()
	}
	for _, t := range tasks {
		if projects[t.ProjectID].exists(t.ID) {
			return fmt.Errorf("seed: task %q already exists in project %q", t.ID, t.ProjectID)
		}
	}
	for _, t := range tasks {
		projects[t.ProjectID].tasks[t.ID] = &task{id: t.ID, status: t.Status, parent: t.Parent, dualActive: t.DualActive, busy: t.Busy}
	}
	return nil
}

// SeedTasksOf is the tasks of a fixtures file as Seed takes them: main ones
// in the file's project_id, other ones in its other_project_id, each
// defaulting to mainID and otherID when the file has none, so that `run
// --fixtures FILE` with the same file and the same project flags finds them.
func SeedTasksOf(file *cases.FixturesFile, mainID, otherID string) []SeedTask {
	if file.ProjectID != "" {
		mainID = file.ProjectID
	}
	if file.OtherProjectID != "" {
		otherID = file.OtherProjectID
	}
	out := make([]SeedTask, 0, len(file.Tasks))
	for _, t := range file.Tasks {
		project := mainID
		if t.Other() {
			project = otherID
		}
		out = append(out, SeedTask{ID: t.ID, ProjectID: project, Status: Status(t.Status),
			Parent: t.Parent, DualActive: t.DualActive, Busy: t.Busy})
	}
	return out
}
