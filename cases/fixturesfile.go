package cases

import (
	_ "embed"
	"fmt"
	"os"
	"strings"

	"github.com/drsconform/drsconform/internal/yamlschema"
)

// A fixtures file names tasks that already exist on a target, for a run
// against a live endpoint that has no fixture harness (run --fixtures FILE)
// and for seeding the reference (serve --seed FILE); README.md, "Testing a
// live endpoint", documents it. Each task is given by its ID, the project it
// lives in (main or other), the status it is in and the same flags a case
// fixture has (Fixture).

// FixturesSchemaFile is the name of the fixtures file's JSON Schema.
const FixturesSchemaFile = "fixtures-file.schema.json"

//go:embed fixtures-file.schema.json
var fixturesSchema []byte

// FixturesSchema returns the fixtures file's JSON Schema as embedded.
func FixturesSchema() []byte { return fixturesSchema }

// Projects of a fixtures file task.
const (
	ProjectMain  = "main"
	ProjectOther = "other"
)

// FixturesFile is a parsed and checked fixtures file.
type FixturesFile struct {
	Path           string
	ProjectID      string // "" when the file does not say
	OtherProjectID string
	Tasks          []FileTask // in file order
}

// FileTask is one existing task named by a fixtures file.
type FileTask struct {
	ID         string `yaml:"id"`
	Project    string `yaml:"project"` // main (the default) or other
	Status     string `yaml:"status"`
	Parent     bool   `yaml:"parent"`
	DualActive bool   `yaml:"dual_active"`
	Busy       bool   `yaml:"busy"`
	Line       int    `yaml:"-"` // where the task starts in the file
}

// Other reports whether the task lives in the other project.
func (t FileTask) Other() bool { return t.Project == ProjectOther }

// Kind is what the task is, as a need of a case is (project, status and
// flags), e.g. "INCRE_TRANSFER_STARTED (main project, parent)".
func (t FileTask) Kind() TaskKind {
	return TaskKind{Status: t.Status, Other: t.Other(), Parent: t.Parent, DualActive: t.DualActive, Busy: t.Busy}
}

// TaskKind is what a case needs a task to be, and what a fixtures file task
// is: a status, a project and the fixture flags.
type TaskKind struct {
	Status                   string
	Other                    bool
	Parent, DualActive, Busy bool
}

// KindOf is the kind of task a (non-absent) fixture needs.
func KindOf(fx Fixture) TaskKind {
	return TaskKind{Status: fx.Status, Other: fx.Project == "other", Parent: fx.Parent, DualActive: fx.DualActive, Busy: fx.Busy}
}

// String is "STATUS (main project)" with the flags that are set.
func (k TaskKind) String() string {
	where := []string{"main project"}
	if k.Other {
		where[0] = "other project"
	}
	for _, f := range []struct {
		on   bool
		name string
	}{{k.Parent, "parent"}, {k.DualActive, "dual_active"}, {k.Busy, "busy"}} {
		if f.on {
			where = append(where, f.name)
		}
	}
	return fmt.Sprintf("%s (%s)", k.Status, strings.Join(where, ", "))
}

type fixturesFileYAML struct {
	ProjectID      string     `yaml:"project_id"`
	OtherProjectID string     `yaml:"other_project_id"`
	Tasks          []FileTask `yaml:"tasks"`
}

// LoadFixturesFile reads and checks the fixtures file at path (YAML or JSON).
func LoadFixturesFile(path string) (*FixturesFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, yamlschema.Problems{{File: path, Message: err.Error()}}
	}
	return ParseFixturesFile(path, data)
}

// ParseFixturesFile checks data against the fixtures file's JSON Schema,
// then what a schema cannot say: every status known to the spec (with a
// "did you mean"), no task ID twice, the two project IDs
// different. Every problem comes back at file:line as yamlschema.Problems.
func ParseFixturesFile(file string, data []byte) (*FixturesFile, error) {
	schema, err := yamlschema.Compile(FixturesSchemaFile, fixturesSchema)
	if err != nil {
		return nil, err
	}
	doc, err := yamlschema.Parse(file, data)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(schema); err != nil {
		return nil, err
	}
	var raw fixturesFileYAML
	if err := doc.Decode(&raw); err != nil {
		return nil, err
	}
	var problems yamlschema.Problems
	at := func(ptr, format string, args ...any) {
		n := doc.Lookup(ptr)
		problems = append(problems, yamlschema.Problem{File: file, Line: n.Line, Column: n.Column,
			Pointer: ptr, Message: fmt.Sprintf(format, args...)})
	}
	f := &FixturesFile{Path: file, ProjectID: raw.ProjectID, OtherProjectID: raw.OtherProjectID}
	if f.ProjectID != "" && f.ProjectID == f.OtherProjectID {
		at("/other_project_id", "other_project_id must differ from project_id (both are %q)", f.ProjectID)
	}
	seen := map[string]int{} // ID → line (a task ID names one task, whatever its project)
	for i, t := range raw.Tasks {
		ptr := fmt.Sprintf("/tasks/%d", i)
		t.Line = doc.Lookup(ptr).Line
		if t.Project == "" {
			t.Project = ProjectMain
		}
		if t.ID == "TODO" {
			at(ptr+"/id", "fill in the ID of an existing task in %s (this is a skeleton entry)", t.Status)
		}
		knownStatus(at, ptr+"/status", t.Status)
		if prev, dup := seen[t.ID]; dup {
			at(ptr+"/id", "task %q is already listed at line %d (each task is given once)", t.ID, prev)
		} else {
			seen[t.ID] = t.Line
		}
		f.Tasks = append(f.Tasks, t)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return f, nil
}
