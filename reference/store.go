package reference

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"
)

// task is one DRS task. Its fields are guarded by the mutex of its project.
type task struct {
	id         string
	status     Status
	parent     bool // a parent task (dual-active DR and similar scenarios)
	dualActive bool // in a dual-active DR scenario
	busy       bool // another operation is in progress
	// releaseAt is when a task stopped by terminate reads
	// RELEASE_RESOURCE_COMPLETE; zero for tasks not being released by us.
	releaseAt time.Time
}

// statusAt is the status of t observed at now: the release a stop started
// completes lazily, when its time has come, so the store runs no timers.
func (t *task) statusAt(now time.Time) Status {
	if t.status == ReleaseResourceStarted && !t.releaseAt.IsZero() && !now.Before(t.releaseAt) {
		return ReleaseResourceComplete
	}
	return t.status
}

// settle writes the observed status back. Call with the project locked.
func (t *task) settle(now time.Time) {
	if s := t.statusAt(now); s != t.status {
		t.status, t.releaseAt = s, time.Time{}
	}
}

// project holds the tasks of one tenant project. Tasks of other projects are
// invisible to it (REQ-STA-06).
type project struct {
	mu      sync.Mutex
	tasks   map[string]*task
	deleted map[string]struct{} // tombstones: second delete answers DRS.M05004
}

// store is the in-memory state of a Server: many projects, one mutex each.
type store struct {
	mu       sync.Mutex // guards projects
	projects map[string]*project
}

func newStore() *store { return &store{projects: make(map[string]*project)} }

// project returns the project with the given ID, creating it on first use:
// every project ID names a project, as it does for a tenant in a region.
func (s *store) project(id string) *project {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.projects[id]
	if !ok {
		p = &project{tasks: make(map[string]*task), deleted: make(map[string]struct{})}
		s.projects[id] = p
	}
	return p
}

// lookup returns a project if it exists, without creating it.
func (s *store) lookup(id string) (*project, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.projects[id]
	return p, ok
}

// TaskSpec is what a fixture asks for: a task of a project in a status.
type TaskSpec struct {
	ProjectID  string `json:"project_id"`
	Status     Status `json:"status"`
	Parent     bool   `json:"parent"`
	DualActive bool   `json:"dual_active"`
	Busy       bool   `json:"busy"`
}

// TaskView is a task as the fixture protocol reads it back.
type TaskView struct {
	ID        string `json:"id"`
	ProjectID string `json:"project_id"`
	Status    Status `json:"status"`
}

// create adds a task in the status asked for and returns its new ID.
// Fixture statuses are static: only a stop started through the API
// completes by itself.
func (s *store) create(spec TaskSpec) TaskView {
	p := s.project(spec.ProjectID)
	p.mu.Lock()
	defer p.mu.Unlock()
	id := newJobID()
	for p.exists(id) {
		id = newJobID()
	}
	p.tasks[id] = &task{id: id, status: spec.Status, parent: spec.Parent, dualActive: spec.DualActive, busy: spec.Busy}
	return TaskView{ID: id, ProjectID: spec.ProjectID, Status: spec.Status}
}

func (p *project) exists(id string) bool {
	_, live := p.tasks[id]
	_, gone := p.deleted[id]
	return live || gone
}

// lookupState is what a read of one task found.
type lookupState int

const (
	taskUnknown lookupState = iota // never there (in this project)
	taskLive
	taskGone // deleted: a tombstone
)

// get reads one task back at now.
func (s *store) get(projectID, id string, now time.Time) (TaskView, lookupState) {
	p, ok := s.lookup(projectID)
	if !ok {
		return TaskView{}, taskUnknown
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if t, ok := p.tasks[id]; ok {
		t.settle(now)
		return TaskView{ID: id, ProjectID: projectID, Status: t.status}, taskLive
	}
	if _, ok := p.deleted[id]; ok {
		return TaskView{}, taskGone
	}
	return TaskView{}, taskUnknown
}

// newJobID makes an ID in the style of the API page's examples
// (4c6ac8c0-2f51-426a-97b2-cb2c668jb201): shaped like a UUID but not hex,
// so that clients which wrongly parse job IDs as UUIDs break here first.
func newJobID() string {
	var b [15]byte
	_, _ = rand.Read(b[:])        // crypto/rand.Read never fails
	h := hex.EncodeToString(b[:]) // 30 hex digits
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:27] + "jb" + h[27:30]
}
