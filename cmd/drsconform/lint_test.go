package main

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/conformance"
	"github.com/drsconform/drsconform/openapi"
	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/schemas"
)

func TestLintCleanTree(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	code := dispatch(context.Background(), []string{"lint"}, &out, &errOut)
	assert.Equal(t, result.ExitConformant, code, "stdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
	assert.Equal(t, []string{
		"ok   schemas/: 5 JSON Schemas compile (draft-07)",
		"ok   openapi/drs-batch-jobs.yaml: valid OpenAPI 3.0.3, 5 examples validate",
	}, strings.Split(out.String(), "\n")[:2])
	assert.Regexp(t, `(?m)^ok   conformance/requirements\.yaml: \d+ requirements \(\d+ MUST, \d+ SHOULD, \d+ MAY\)$`, out.String())
	assert.Empty(t, errOut.String())
}

func TestLintFlags(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		var out, errOut bytes.Buffer
		code := dispatch(context.Background(), append([]string{"lint"}, tc.args...), &out, &errOut)
		assert.Equal(t, tc.code, code)
		assert.Equal(t, tc.stdout, out.String())
		assert.Contains(t, errOut.String(), tc.stderr)
	}
	for _, tc := range []testCase{
		{name: "unknown flag", args: []string{"--strict"}, code: result.ExitUsage, stderr: "drsconform lint: unknown flag --strict\n"},
		{name: "argument", args: []string{"cases/"}, code: result.ExitUsage, stderr: `unexpected argument "cases/"`},
		{name: "quiet and clean", args: []string{"-q"}, code: result.ExitConformant, stdout: ""},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

func TestRunLintChecksReportsEveryCheck(t *testing.T) {
	t.Parallel()
	checks := []lintCheck{
		{"a.yaml", func() (string, []error) { return "fine", nil }},
		{"b.yaml", func() (string, []error) {
			return "", []error{errors.New("b.yaml:3: first"), errors.New("b.yaml:9: second")}
		}},
		{"c.yaml", func() (string, []error) { return "also fine", nil }},
	}
	var out bytes.Buffer
	assert.Equal(t, result.ExitUsage, runLintChecks(checks, false, &out))
	assert.Equal(t, "ok   a.yaml: fine\nb.yaml:3: first\nb.yaml:9: second\nFAIL b.yaml: 2 problems\nok   c.yaml: also fine\n", out.String())

	out.Reset()
	assert.Equal(t, result.ExitUsage, runLintChecks(checks, true, &out))
	assert.Equal(t, "b.yaml:3: first\nb.yaml:9: second\nFAIL b.yaml: 2 problems\n", out.String())
}

func readFile(t *testing.T, read func(string) ([]byte, error), name string) string {
	t.Helper()
	b, err := read(name)
	require.NoError(t, err)
	return string(b)
}

func lineOf(t *testing.T, text, needle string) int {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if strings.Contains(l, needle) {
			return i + 1
		}
	}
	t.Fatalf("no line contains %q", needle)
	return 0
}

func TestLintOpenAPIProblems(t *testing.T) {
	t.Parallel()
	doc := readFile(t, openapi.FS.ReadFile, openapi.Document)

	type testCase struct {
		name string
		edit func(string) string
		want []string // each problem, in order; LINE is the line of `at`
		at   string
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		broken := tc.edit(doc)
		require.NotEqual(t, doc, broken, "the edit changed nothing")
		spec := fstest.MapFS{openapi.Document: {Data: []byte(broken)}}
		summary, problems := lintOpenAPI(spec, openapi.Document, schemas.FS)
		assert.Empty(t, summary)
		var got []string
		for _, p := range problems {
			got = append(got, p.Error())
		}
		var want []string
		for _, w := range tc.want {
			want = append(want, strings.ReplaceAll(w, "LINE", strconv.Itoa(lineOf(t, broken, tc.at))))
		}
		require.Len(t, got, len(want), "%q", got)
		for i := range want {
			assert.True(t, strings.HasPrefix(got[i], want[i]), "problem %d:\n got %s\nwant %s...", i, got[i], want[i])
		}
	}
	for _, tc := range []testCase{
		{
			name: "request example with a capitalised delete_type",
			edit: func(s string) string {
				return strings.Replace(s, "- delete_type: delete\n", "- delete_type: Delete\n", 1)
			},
			at:   "delete-task:",
			want: []string{"openapi/drs-batch-jobs.yaml:LINE: #/paths/~1v3~1{project_id}~1jobs~1batch-jobs/delete/requestBody/content/application~1json/examples/delete-task: REQ-VAL-04: body /jobs/0/delete_type: "},
		},
		{
			name: "response example with count as a string and an upper-case status",
			edit: func(s string) string {
				s = strings.Replace(s, "count: 1\n", "count: \"1\"\n", 1)
				return strings.Replace(s, "                        status: success\n        \"400\"", "                        status: SUCCESS\n        \"400\"", 1)
			},
			at: "                delete-task:",
			want: []string{
				"openapi/drs-batch-jobs.yaml:LINE: #/paths/~1v3~1{project_id}~1jobs~1batch-jobs/delete/responses/202/content/application~1json/examples/delete-task: REQ-HTTP-02: body /count: ",
				"openapi/drs-batch-jobs.yaml:LINE: #/paths/~1v3~1{project_id}~1jobs~1batch-jobs/delete/responses/202/content/application~1json/examples/delete-task: REQ-RES-04: body /results/0/status: ",
			},
		},
		{
			name: "error example missing error_msg",
			edit: func(s string) string { return strings.Replace(s, "error_msg: The %s parameter is empty.\n", "", 1) },
			at:   "parameter-empty:",
			want: []string{"openapi/drs-batch-jobs.yaml:LINE: #/components/responses/Error/content/application~1json/examples/parameter-empty: REQ-VAL-07: body /error_msg: "},
		},
		{
			name: "YAML syntax error",
			edit: func(s string) string {
				return strings.Replace(s, "operationId: BatchDeleteJobs", "operationId: [BatchDeleteJobs", 1)
			},
			at:   "operationId: [BatchDeleteJobs",
			want: []string{"openapi/drs-batch-jobs.yaml:"},
		},
		{
			name: "dangling schema reference",
			edit: func(s string) string {
				return strings.Replace(s, "../schemas/ErrorResponse.json", "../schemas/Error.json", 1)
			},
			want: []string{"openapi/drs-batch-jobs.yaml: "},
		},
		{
			name: "OpenAPI 3.1",
			edit: func(s string) string { return strings.Replace(s, "openapi: 3.0.3", "openapi: 3.1.0", 1) },
			at:   "openapi: 3.1.0",
			want: []string{"openapi/drs-batch-jobs.yaml:LINE: #/openapi: openapi is \"3.1.0\""},
		},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

func TestLintSchemasProblem(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{}
	for _, name := range []string{schemas.DeleteJobReq, schemas.BatchDeleteJobReq, schemas.DeleteJobResp, schemas.BatchDeleteJobResp} {
		fsys[name] = &fstest.MapFile{Data: []byte(readFile(t, schemas.FS.ReadFile, name))}
	}
	_, problems := lintSchemas(fsys)
	require.Len(t, problems, 1)
	assert.Equal(t, "schemas/ErrorResponse.json: missing; the contract needs it", problems[0].Error())

	fsys[schemas.ErrorResponse] = &fstest.MapFile{Data: []byte(`{"type": "object", "required": "error_code"}`)}
	_, problems = lintSchemas(fsys)
	require.Len(t, problems, 1)
	assert.True(t, strings.HasPrefix(problems[0].Error(), "schemas/ErrorResponse.json: "), problems[0].Error())
}

func TestLintRequirementsProblems(t *testing.T) {
	t.Parallel()
	catalogue := string(conformance.RequirementsSource())

	type testCase struct {
		name string
		edit func(string) string
		at   string // the line the problem is reported at
		want string // after "file:line"
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		broken := tc.edit(catalogue)
		require.NotEqual(t, catalogue, broken, "the edit changed nothing")
		summary, problems := lintRequirements(conformance.RequirementsFile, []byte(broken))
		assert.Empty(t, summary)
		require.Len(t, problems, 1, "%v", problems)
		prefix := conformance.RequirementsFile + ":" + strconv.Itoa(lineOf(t, broken, tc.at)) + ":"
		assert.True(t, strings.HasPrefix(problems[0].Error(), prefix), "got %s, want prefix %s", problems[0], prefix)
		assert.Contains(t, problems[0].Error(), tc.want)
	}
	for _, tc := range []testCase{
		{
			name: "MAY without choices",
			edit: func(s string) string {
				return strings.Replace(s, "    choices: [ignored, rejected-400]\n", "", 1)
			},
			at:   "id: REQ-VAL-09",
			want: "REQ-VAL-09 is MAY but lists no choices",
		},
		{
			name: "typo'd level",
			edit: func(s string) string {
				return strings.Replace(s, "  - id: REQ-RES-03\n    level: SHOULD", "  - id: REQ-RES-03\n    level: SHUOLD", 1)
			},
			at:   "level: SHUOLD",
			want: "/requirements/",
		},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}
