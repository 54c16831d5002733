package cases_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/internal/yamlschema"
)

func TestParseFixturesFile(t *testing.T) {
	t.Parallel()
	f, err := cases.ParseFixturesFile("f.yaml", []byte(`project_id: p1
other_project_id: p2
tasks:
  - id: a
    status: INCRE_TRANSFER_STARTED
  - id: b
    project: other
    status: CREATE_FAILED
    parent: true
    busy: true
`))
	if err != nil {
		t.Fatal(err)
	}
	if f.ProjectID != "p1" || f.OtherProjectID != "p2" || len(f.Tasks) != 2 {
		t.Fatalf("got %+v", f)
	}
	a, b := f.Tasks[0], f.Tasks[1]
	if a.Project != cases.ProjectMain || a.Line != 4 || b.Project != cases.ProjectOther || !b.Parent || !b.Busy || b.DualActive || b.Line != 6 {
		t.Fatalf("tasks %+v %+v", a, b)
	}
	if got := b.Kind().String(); got != "CREATE_FAILED (other project, parent, busy)" {
		t.Errorf("kind %q", got)
	}
	// JSON is read too.
	j, err := cases.ParseFixturesFile("f.json", []byte(`{"tasks":[{"id":"x","status":"CREATE_FAILED"}]}`))
	if err != nil || len(j.Tasks) != 1 || j.Tasks[0].ID != "x" {
		t.Fatalf("json: %v %+v", err, j)
	}
}

func TestParseFixturesFileProblems(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, src, want string }{
		{"unknown status", "tasks:\n  - id: a\n    status: INCRE_TRANSFER_STARTD\n",
			"f.yaml:3:13: /tasks/0/status: unknown task status INCRE_TRANSFER_STARTD (not in the appendix Task Statuses, drs_05_0005, nor among the SDK's): did you mean INCRE_TRANSFER_STARTED?"},
		{"duplicate", "tasks:\n  - id: a\n    status: CREATE_FAILED\n  - id: a\n    project: other\n    status: CREATE_FAILED\n",
			`f.yaml:4:9: /tasks/1/id: task "a" is already listed at line 2 (each task is given once)`},
		{"unknown field", "tasks:\n  - id: a\n    status: CREATE_FAILED\n    parnet: true\n", "f.yaml:4"},
		{"bad project", "tasks:\n  - id: a\n    status: CREATE_FAILED\n    project: third\n", "f.yaml:4"},
		{"no id", "tasks:\n  - status: CREATE_FAILED\n", "f.yaml:2"},
		{"same projects", "project_id: p\nother_project_id: p\ntasks: []\n", "f.yaml:2:19: /other_project_id: other_project_id must differ"},
		{"syntax", "tasks:\n  - id: [\n", "f.yaml:"},
	} {
		_, err := cases.ParseFixturesFile("f.yaml", []byte(tc.src))
		var ps yamlschema.Problems
		if !errors.As(err, &ps) {
			t.Errorf("%s: got %v, want Problems", tc.name, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got\n%v\nwant it to contain\n%s", tc.name, err, tc.want)
		}
	}
}

func TestLoadFixturesFileMissing(t *testing.T) {
	t.Parallel()
	_, err := cases.LoadFixturesFile(t.TempDir() + "/none.yaml")
	if err == nil || !strings.Contains(err.Error(), "none.yaml") {
		t.Fatalf("got %v", err)
	}
}
