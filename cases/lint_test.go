package cases_test

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/internal/yamlschema"
)

// A case tagged safe is held to cases.SafeProblems at file:line: no made
// fixture, no read-back, no literal that could be a real job ID. Each broken
// file below must be rejected for its one reason; each good one passes.
func TestCheckSafeRejectsCasesThatCannotBeSafe(t *testing.T) {
	t.Parallel()
	const head = "theme: t\ntitle: T\ncases:\n  - id: t.safe\n    title: safe?\n    tags: [safe]\n"
	type testCase struct {
		name    string
		req     string // the requirement it names; default REQ-STA-05
		rest    string // the case after its tags
		problem string // "" when the case is safe
	}
	tests := []testCase{
		{name: "absent fixture in a body",
			rest: "    fixtures:\n      ghost: {absent: true}\n    request:\n      body: {jobs: [{delete_type: delete, job_id: \"{{ghost}}\"}]}\n    expect:\n      status: 202\n      results:\n        ghost: failed\n"},
		{name: "no fixture, jobs null",
			rest: "    request:\n      raw_body: '{\"jobs\": null}'\n      violates: {keyword: type, pointer: /jobs}\n    expect:\n      status: 400\n"},
		{name: "a number and an empty string are no IDs",
			rest: "    request:\n      raw_body: '{\"jobs\": [{\"delete_type\": \"delete\", \"job_id\": 140}, {\"delete_type\": \"delete\", \"job_id\": \"\"}]}'\n      violates: {keyword: type, pointer: /jobs/0/job_id}\n    expect:\n      status: 400\n"},
		{name: "an absent ID with bytes around it in a raw body",
			rest: "    fixtures:\n      ghost: {absent: true}\n    request:\n      raw_body_bytes: '{\"jobs\": [{\"delete_type\": \"delete\", \"job_id\": \"{{ghost}}\\xff\"}]}'\n      violates: {keyword: json, pointer: ''}\n    expect:\n      status: 400\n"},
		{name: "a generated batch around an absent fixture",
			rest: "    fixtures:\n      ghost: {absent: true}\n    request:\n      batch: {size: 10, delete_type: delete, at: {3: ghost}}\n    expect:\n      status: 202\n"},
		{name: "a made fixture",
			rest:    "    fixtures:\n      task: {status: CREATE_FAILED}\n    request:\n      body: {jobs: [{delete_type: delete, job_id: \"{{task}}\"}]}\n    expect:\n      status: 202\n      results:\n        task: success\n",
			problem: "fixture task makes a task (status CREATE_FAILED)"},
		{name: "a made fixture in a generated batch",
			rest:    "    fixtures:\n      task: {status: CREATE_FAILED}\n    request:\n      batch: {size: 10, delete_type: delete, at: {3: task}}\n    expect:\n      status: 202\n",
			problem: "fixture task makes a task"},
		{name: "a literal job_id in a body",
			rest:    "    request:\n      body: {jobs: [{delete_type: delete, job_id: 140b5236-88ad-43c8-811c-1268453jb101}]}\n    expect:\n      status: 202\n",
			problem: `the body sends "140b5236-88ad-43c8-811c-1268453jb101" as the value of "job_id"`},
		{name: "a literal job_id in a raw body",
			rest:    "    request:\n      raw_body: '{\"jobs\": [{\"delete_type\": \"delete\", \"job_id\": \"real-task\"}]}'\n    expect:\n      status: 202\n",
			problem: `the body sends "real-task" as the value of "job_id"`},
		{name: "a literal under a misspelt key a lenient target might read",
			rest:    "    request:\n      raw_body: '{\"jobs\": [{\"delete_type\": \"delete\", \"jobid\": \"real-task\"}]}'\n      violates: {keyword: required, pointer: /jobs/0/job_id}\n    expect:\n      status: 400\n",
			problem: `"real-task" as the value of "jobid"`},
		{name: "a literal in an unterminated raw body",
			rest:    "    request:\n      raw_body: '{\"jobs\": [{\"delete_type\": \"delete\", \"job_id\": \"real-task'\n      violates: {keyword: json, pointer: ''}\n    expect:\n      status: 400\n",
			problem: `"real-task" as the value of "job_id"`},
		{name: "the project ID as a job_id",
			rest:    "    request:\n      body: {jobs: [{delete_type: delete, job_id: \"{{project}}\"}]}\n    expect:\n      status: 202\n",
			problem: `"{{project}}" as the value of "job_id"`},
		{name: "a read-back of an absent fixture",
			rest:    "    fixtures:\n      ghost: {absent: true}\n    request:\n      body: {jobs: [{delete_type: delete, job_id: \"{{ghost}}\"}]}\n    expect:\n      status: 202\n    then:\n      ghost: gone\n",
			problem: "then reads ghost back through the fixture protocol"},
		{name: "a read-back in an outcome",
			req: "REQ-VAL-06",
			rest: "    fixtures:\n      ghost: {absent: true}\n    request:\n      body: {jobs: [{delete_type: delete, job_id: \"{{ghost}}\"}]}\n" +
				"    outcomes:\n      - choice: REQ-VAL-06=rejected-400\n        expect: {status: 400}\n      - choice: REQ-VAL-06=accepted-empty\n        expect: {status: 202}\n        then:\n          ghost: gone\n",
			problem: "then reads ghost back"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := tc.req
			if req == "" {
				req = "REQ-STA-05"
			}
			src := head + "    requirements: [" + req + "]\n" + tc.rest
			files, err := cases.LoadCases(fstest.MapFS{"t.yaml": {Data: []byte(src)}}, "cases")
			require.NoError(t, err)
			ps := cases.CheckSafe(files)
			if tc.problem == "" {
				assert.Empty(t, ps)
				return
			}
			require.NotEmpty(t, ps)
			assert.Equal(t, "cases/t.yaml", ps[0].File)
			assert.Equal(t, 4, ps[0].Line)
			assert.Contains(t, ps[0].Message, "t.safe is tagged safe but ")
			assert.True(t, slices.ContainsFunc(ps, func(p yamlschema.Problem) bool { return strings.Contains(p.Message, tc.problem) }),
				"no problem says %q: %v", tc.problem, ps)
		})
	}
}

// An unsafe case without the tag is none of CheckSafe's business; the
// shipped catalogue has none tagged safe that cannot be.
func TestCheckSafeOnlyJudgesTaggedCases(t *testing.T) {
	t.Parallel()
	files, err := cases.LoadCases(fstest.MapFS{"t.yaml": {Data: []byte(goodCase)}}, "cases")
	require.NoError(t, err)
	assert.Empty(t, cases.CheckSafe(files))
	assert.NotEmpty(t, cases.SafeProblems(files[0].Cases[0]), "the case makes a task")

	shipped, err := cases.LoadEmbeddedCases()
	require.NoError(t, err)
	assert.Empty(t, cases.CheckSafe(shipped))
	n := 0
	for _, f := range shipped {
		for _, c := range f.Cases {
			if c.IsSafeTagged() {
				n++
			}
		}
	}
	assert.GreaterOrEqual(t, n, 10, "cases tagged safe")
}

// A run against the tasks of a fixtures file plays no case that names a
// literal job ID: it could be someone's task (README.md, "Testing a live
// endpoint").
func TestLiteralIDs(t *testing.T) {
	t.Parallel()
	files, err := cases.LoadEmbeddedCases()
	require.NoError(t, err)
	byID := map[string]*cases.Case{}
	for _, f := range files {
		for _, c := range f.Cases {
			byID[c.ID] = c
		}
	}
	require.Contains(t, byID, "variant.page-example-ids")
	assert.Equal(t, []string{"140b5236-88ad-43c8-811c-1268453jb101"}, cases.LiteralIDs(byID["variant.page-example-ids"]))
	// An unknown member's value is no ID; fixtures' templates are the case's own.
	require.Contains(t, byID, "choice.unknown-item-field")
	assert.Empty(t, cases.LiteralIDs(byID["choice.unknown-item-field"]))
	for id, c := range byID {
		if c.IsSafeTagged() {
			assert.Empty(t, cases.LiteralIDs(c), "%s is tagged safe", id)
		}
	}
}
