package cases_test

import (
	"errors"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/contract"
	"github.com/drsconform/drsconform/internal/yamlschema"
)

const goodCase = `theme: t
title: T
cases:
  - id: t.one
    title: one
    requirements: [REQ-STA-01]
    fixtures:
      task: {status: CREATE_FAILED}
    request:
      body: {jobs: [{delete_type: delete, job_id: "{{task}}"}]}
    expect:
      status: 202
      results:
        task: success
    then:
      task: gone
`

func TestLoadCasesReportsFileAndLine(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name    string
		files   map[string]string
		file    string
		line    int
		message string
	}
	run := func(t *testing.T, tc testCase) {
		fsys := fstest.MapFS{}
		for name, body := range tc.files {
			fsys[name] = &fstest.MapFile{Data: []byte(body)}
		}
		_, err := cases.LoadCases(fsys, "cases")
		require.Error(t, err)
		var ps yamlschema.Problems
		require.True(t, errors.As(err, &ps), "want located problems, got %T: %v", err, err)
		require.NotEmpty(t, ps)
		assert.Equal(t, tc.file, ps[0].File, "%v", err)
		assert.Equal(t, tc.line, ps[0].Line, "%v", err)
		assert.Contains(t, ps[0].Message, tc.message)
	}
	replace := func(old, new string) map[string]string {
		return map[string]string{"t.yaml": replaceOnce(goodCase, old, new)}
	}
	tests := []testCase{
		{name: "typo in a key", files: replace("    expect:\n", "    expcet:\n"), file: "cases/t.yaml", line: 11, message: "expcet"},
		{name: "typo in a verdict word", files: replace("task: success", "task: sucess"), file: "cases/t.yaml", line: 14, message: "sucess"},
		{name: "status as text", files: replace("status: 202", "status: accepted"), file: "cases/t.yaml", line: 12, message: "integer"},
		{name: "unknown requirement", files: replace("[REQ-STA-01]", "[REQ-STA-99]"), file: "cases/t.yaml", line: 6, message: "unknown requirement REQ-STA-99"},
		{name: "misspelt fixture status", files: replace("{status: CREATE_FAILED}", "{status: INCR_TRANSFER_STARTED}"), file: "cases/t.yaml", line: 8,
			message: "unknown task status INCR_TRANSFER_STARTED (not in the appendix Task Statuses, drs_05_0005, nor among the SDK's): did you mean INCRE_TRANSFER_STARTED?"},
		{name: "unknown fixture status, nothing near", files: replace("{status: CREATE_FAILED}", "{status: RUNNING}"), file: "cases/t.yaml", line: 8,
			message: "unknown task status RUNNING (not in the appendix Task Statuses, drs_05_0005, nor among the SDK's)"},
		{name: "misspelt post-condition status", files: replace("      task: gone\n", "      task: {status: RELEASE_RESOURCE_COMPLET}\n"), file: "cases/t.yaml", line: 16,
			message: "unknown task status RELEASE_RESOURCE_COMPLET (not in the appendix Task Statuses, drs_05_0005, nor among the SDK's): did you mean RELEASE_RESOURCE_COMPLETE?"},
		{name: "misspelt status_in", files: replace("      task: gone\n", "      task: {status_in: [CREATE_FAILED, PAUSEING]}\n"), file: "cases/t.yaml", line: 16,
			message: "unknown task status PAUSEING"},
		{name: "misspelt not_status", files: replace("      task: gone\n", "      task: {not_status: CREATIN}\n"), file: "cases/t.yaml", line: 16,
			message: "unknown task status CREATIN (not in the appendix Task Statuses, drs_05_0005, nor among the SDK's): did you mean CREATING?"},
		{name: "undefined fixture", files: replace(`"{{task}}"`, `"{{tsak}}"`), file: "cases/t.yaml", line: 10, message: "{{tsak}} names no fixture"},
		{name: "YAML syntax", files: replace("title: one", "title: [one"), file: "cases/t.yaml", line: 5, message: "YAML syntax"},
		{name: "unknown credential", files: replace("    request:\n", "    request:\n      credential: stolen\n"), file: "cases/t.yaml", line: 10, message: "derived-invalid"},
		{name: "raw_body_bytes without a byte escape", files: replace("      body: {jobs: [{delete_type: delete, job_id: \"{{task}}\"}]}\n",
			"      raw_body_bytes: '{\"jobs\": []}'\n"), file: "cases/t.yaml", line: 10, message: `no \xHH byte escape`},
		{name: "body and raw_body_bytes", files: replace("    request:\n", "    request:\n      raw_body_bytes: 'x\\xff'\n"), file: "cases/t.yaml", line: 10, message: "one of body, raw_body and raw_body_bytes"},
		{name: "body and batch", files: replace("    request:\n", "    request:\n      batch: {size: 3, delete_type: delete}\n"), file: "cases/t.yaml", line: 10, message: "or batch; not 2"},
		{name: "batch position outside", files: replace("      body: {jobs: [{delete_type: delete, job_id: \"{{task}}\"}]}\n",
			"      batch: {size: 3, delete_type: delete, at: {4: task}}\n"), file: "cases/t.yaml", line: 10, message: "position 4 is outside the batch (1..3)"},
		{name: "batch names no fixture", files: replace("      body: {jobs: [{delete_type: delete, job_id: \"{{task}}\"}]}\n",
			"      batch: {size: 3, delete_type: delete, at: {2: tsak}}\n"), file: "cases/t.yaml", line: 10, message: `"tsak" names no fixture`},
		{name: "batch too large", files: replace("      body: {jobs: [{delete_type: delete, job_id: \"{{task}}\"}]}\n",
			"      batch: {size: 10001, delete_type: delete}\n"), file: "cases/t.yaml", line: 10, message: "10000"},
		{name: "id_kind on a made fixture", files: replace("{status: CREATE_FAILED}", "{status: CREATE_FAILED, id_kind: cjk}"), file: "cases/t.yaml", line: 8, message: "id_kind shapes the ID of an absent fixture"},
		{name: "unknown id_kind", files: replace("{status: CREATE_FAILED}", "{absent: true, id_kind: klingon}"), file: "cases/t.yaml", line: 8, message: "long"},
		{name: "stays does not parse", files: replace("      task: gone\n", "      task: {gone: true, stays: 2h}\n"), file: "cases/t.yaml", line: 16, message: "does not match pattern"},
		{name: "stays too long", files: replace("      task: gone\n", "      task: {gone: true, stays: 120s}\n"), file: "cases/t.yaml", line: 16, message: "at most 1m0s"},
		{name: "stays on exists", files: replace("      task: gone\n", "      task: {exists: true, stays: 2s}\n"), file: "cases/t.yaml", line: 16, message: "stays goes with gone"},
		{name: "concurrent without expect_group", files: replace("    request:\n      body: {jobs: [{delete_type: delete, job_id: \"{{task}}\"}]}\n    expect:\n      status: 202\n      results:\n        task: success\n",
			"    steps:\n      - concurrent:\n          - body: {jobs: [{delete_type: delete, job_id: \"{{task}}\"}]}\n          - body: {jobs: [{delete_type: delete, job_id: \"{{task}}\"}]}\n        expect:\n          status: 202\n"),
			file: "cases/t.yaml", line: 10, message: "missing properties"}, // request, or concurrent with expect_group (oneOf),
		{name: "concurrent names no fixture", files: replace("    request:\n      body: {jobs: [{delete_type: delete, job_id: \"{{task}}\"}]}\n    expect:\n      status: 202\n      results:\n        task: success\n    then:\n      task: gone\n",
			"    steps:\n      - concurrent:\n          - body: {jobs: [{delete_type: delete, job_id: \"{{task}}\"}]}\n          - body: {jobs: [{delete_type: delete, job_id: \"{{tsak}}\"}]}\n        expect_group: {requirement: REQ-CON-01, status: 202, successes_at_most: {task: 1}}\n"),
			file: "cases/t.yaml", line: 12, message: "{{tsak}} names no fixture"},
		{name: "successes of no fixture", files: replace("    request:\n      body: {jobs: [{delete_type: delete, job_id: \"{{task}}\"}]}\n    expect:\n      status: 202\n      results:\n        task: success\n    then:\n      task: gone\n",
			"    steps:\n      - concurrent:\n          - body: {jobs: [{delete_type: delete, job_id: \"{{task}}\"}]}\n          - body: {jobs: [{delete_type: delete, job_id: \"{{task}}\"}]}\n        expect_group: {requirement: REQ-CON-01, status: 202, successes_at_most: {tsak: 1}}\n"),
			file: "cases/t.yaml", line: 13, message: `successes_at_most names "tsak"`},
		{name: "group without a status", files: replace("    request:\n      body: {jobs: [{delete_type: delete, job_id: \"{{task}}\"}]}\n    expect:\n      status: 202\n      results:\n        task: success\n    then:\n      task: gone\n",
			"    steps:\n      - concurrent:\n          - body: {jobs: [{delete_type: delete, job_id: \"{{task}}\"}]}\n          - body: {jobs: [{delete_type: delete, job_id: \"{{task}}\"}]}\n        expect_group: {requirement: REQ-CON-01}\n"),
			file: "cases/t.yaml", line: 13, message: "no status for concurrent request 1"},
		{name: "or_gone without status_in", files: replace("      task: gone\n", "      task: {gone: true, or_gone: true}\n"), file: "cases/t.yaml", line: 16, message: "or_gone widens status_in"},
		{name: "duplicate id across files", files: map[string]string{"a.yaml": goodCase, "b.yaml": goodCase}, file: "cases/b.yaml", line: 4, message: "already used at cases/a.yaml:4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run(t, tc)
		})
	}
}

func TestLoadCasesAcceptsTheEmbeddedCatalogue(t *testing.T) {
	t.Parallel()
	files, err := cases.LoadEmbeddedCases()
	require.NoError(t, err)
	n := 0
	for _, f := range files {
		n += len(f.Cases)
	}
	assert.Greater(t, n, 0)
}

func replaceOnce(s, old, new string) string {
	i := indexOf(s, old)
	if i < 0 {
		panic("replaceOnce: " + old + " not found")
	}
	return s[:i] + new + s[i+len(old):]
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestCheckBodiesHoldsCasesToTheRuleTheyDeclare(t *testing.T) {
	t.Parallel()
	ct, err := contract.Default()
	require.NoError(t, err)
	type testCase struct {
		name    string
		request string // the request: block of a one-case file
		problem string // "" when the case is consistent
	}
	run := func(t *testing.T, tc testCase) {
		src := replaceOnce(goodCase, "    request:\n      body: {jobs: [{delete_type: delete, job_id: \"{{task}}\"}]}\n", tc.request)
		files, err := cases.LoadCases(fstest.MapFS{"t.yaml": {Data: []byte(src)}}, "cases")
		require.NoError(t, err)
		ps := cases.CheckBodies(files, ct)
		if tc.problem == "" {
			assert.Empty(t, ps)
			return
		}
		require.Len(t, ps, 1)
		assert.Equal(t, "cases/t.yaml", ps[0].File)
		assert.Equal(t, 4, ps[0].Line)
		assert.Contains(t, ps[0].Message, tc.problem)
	}
	tests := []testCase{
		{name: "valid body, nothing declared",
			request: "    request:\n      body: {jobs: [{delete_type: delete, job_id: \"{{task}}\"}]}\n"},
		{name: "bad body, its one rule declared",
			request: "    request:\n      body: {jobs: [{delete_type: Delete, job_id: \"{{task}}\"}]}\n      violates: {keyword: enum, pointer: /jobs/0/delete_type}\n"},
		{name: "bad body, nothing declared",
			request: "    request:\n      body: {jobs: [{delete_type: Delete, job_id: \"{{task}}\"}]}\n",
			problem: "declares no `violates`"},
		{name: "valid body declared bad",
			request: "    request:\n      body: {jobs: [{delete_type: delete, job_id: \"{{task}}\"}]}\n      violates: {keyword: enum, pointer: /jobs/0/delete_type}\n",
			problem: "but the body is valid"},
		{name: "another rule than declared",
			request: "    request:\n      body: {jobs: [{delete_type: Delete, job_id: \"{{task}}\"}]}\n      violates: {keyword: type, pointer: /jobs/0/job_id}\n",
			problem: "the schema reports enum at \"/jobs/0/delete_type\""},
		{name: "two rules broken",
			request: "    request:\n      body: {jobs: [{delete_type: Delete, job_id: 5}]}\n      violates: {keyword: enum, pointer: /jobs/0/delete_type}\n",
			problem: "and nothing else"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run(t, tc)
		})
	}
}
