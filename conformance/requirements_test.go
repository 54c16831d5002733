package conformance_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/conformance"
	"github.com/drsconform/drsconform/internal/yamlschema"
)

// stableIDs are the requirement IDs of the first catalogue, in its order.
// Case files, reports and users' scripts name them: the catalogue may reword
// and extend them, never drop or renumber one.
var stableIDs = []string{
	"REQ-HTTP-01", "REQ-HTTP-02", "REQ-HTTP-03", "REQ-HTTP-04",
	"REQ-VAL-01", "REQ-VAL-02", "REQ-VAL-03", "REQ-VAL-04", "REQ-VAL-05", "REQ-VAL-06",
	"REQ-VAL-07", "REQ-VAL-08", "REQ-VAL-09",
	"REQ-HDR-01", "REQ-HDR-02", "REQ-HDR-03", "REQ-HDR-04", "REQ-HDR-05",
	"REQ-RES-01", "REQ-RES-02", "REQ-RES-03", "REQ-RES-04", "REQ-RES-05", "REQ-RES-06", "REQ-RES-07",
	"REQ-STA-01", "REQ-STA-02", "REQ-STA-03", "REQ-STA-04", "REQ-STA-05", "REQ-STA-06",
	"REQ-STA-07", "REQ-STA-08", "REQ-STA-09", "REQ-STA-10", "REQ-STA-11", "REQ-STA-12",
}

// stableLevels is the level of each stable ID that is not a MUST; a level
// changes only on purpose, here and in the catalogue together.
var stableLevels = map[string]conformance.Level{
	"REQ-HTTP-03": conformance.SHOULD, "REQ-VAL-06": conformance.SHOULD, "REQ-VAL-09": conformance.MAY,
	"REQ-HDR-02": conformance.SHOULD, "REQ-HDR-04": conformance.MAY, "REQ-HDR-05": conformance.SHOULD,
	"REQ-RES-03": conformance.SHOULD, "REQ-RES-05": conformance.SHOULD, "REQ-RES-06": conformance.SHOULD,
	"REQ-RES-07": conformance.SHOULD, "REQ-STA-07": conformance.SHOULD, "REQ-STA-11": conformance.MAY,
}

// choiceIDs are the requirements where the spec leaves the target a choice
// ("400 or ...", "either").
var choiceIDs = []string{"REQ-VAL-05", "REQ-VAL-06", "REQ-VAL-09", "REQ-HDR-01", "REQ-HDR-02", "REQ-HDR-04", "REQ-STA-11"}

func catalogue(t *testing.T) *conformance.Catalogue {
	t.Helper()
	c, err := conformance.Requirements()
	require.NoError(t, err)
	return c
}

func TestCatalogueKeepsItsStableIDs(t *testing.T) {
	t.Parallel()
	c := catalogue(t)
	assert.Len(t, stableIDs, 37)
	assert.Subset(t, c.IDs(), stableIDs)
	for _, id := range stableIDs {
		r, ok := c.Get(id)
		if !assert.True(t, ok, id) {
			continue
		}
		want, ok := stableLevels[id]
		if !ok {
			want = conformance.MUST
		}
		assert.Equal(t, want, r.Level, id)
		assert.NotEmpty(t, r.Sentence, id)
		assert.NotEmpty(t, r.Source.Document, id)
	}
	_, ok := c.Get("REQ-NOPE-01")
	assert.False(t, ok)
}

func TestEveryChoiceIsListed(t *testing.T) {
	t.Parallel()
	c := catalogue(t)
	for _, r := range c.Requirements {
		if r.Level == conformance.MAY {
			assert.GreaterOrEqual(t, len(r.Choices), 2, "%s is MAY: the report must name the outcome the target chose", r.ID)
		}
	}
	for _, id := range choiceIDs {
		r, _ := c.Get(id)
		assert.GreaterOrEqual(t, len(r.Choices), 2, "%s leaves the target a choice", id)
	}
}

func TestEverySourceSaysWhere(t *testing.T) {
	t.Parallel()
	for _, r := range catalogue(t).Requirements {
		switch r.Source.Document {
		case "drs_03_0113", "related":
			assert.NotEmpty(t, r.Source.Section, r.ID)
			assert.NotEmpty(t, r.Source.Quote, r.ID)
		case "profile":
			assert.NotEmpty(t, r.Source.Reason, r.ID)
			assert.True(t, strings.HasPrefix(r.Source.String(), "profile decision: "), r.ID)
		default:
			t.Errorf("%s: unknown source document %q", r.ID, r.Source.Document)
		}
	}
}

func TestSourceString(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name string
		src  conformance.Source
		want string
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		assert.Equal(t, tc.want, tc.src.String())
	}
	for _, tc := range []testCase{
		{"page", conformance.Source{Document: "drs_03_0113", Section: "Constraints", Quote: "stop the task first"}, `drs_03_0113, Constraints: “stop the task first”`},
		{"related", conformance.Source{Document: "related", Section: "Error Codes (drs_05_0004)", Quote: "DRS.M05004"}, `Error Codes (drs_05_0004): “DRS.M05004”`},
		{"profile", conformance.Source{Document: "profile", Reason: "the page is silent"}, "profile decision: the page is silent"},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

func TestSortIDs(t *testing.T) {
	t.Parallel()
	c := catalogue(t)
	ids := []string{"REQ-ZZZ-01", "REQ-STA-01", "REQ-AAA-01", "REQ-HTTP-02", "REQ-VAL-01"}
	c.SortIDs(ids)
	assert.Equal(t, []string{"REQ-HTTP-02", "REQ-VAL-01", "REQ-STA-01", "REQ-AAA-01", "REQ-ZZZ-01"}, ids)
}

// A broken catalogue is reported at the line to fix.
func TestBrokenCatalogue(t *testing.T) {
	t.Parallel()
	good := string(conformance.RequirementsSource())

	type testCase struct {
		name string
		edit func(string) string
		at   string // text of the line the problem is at (the first line containing it, after the edit)
		nth  int    // which occurrence of at (0: first)
		ptr  string
		msg  string
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		broken := tc.edit(good)
		require.NotEqual(t, good, broken, "the edit changed nothing")
		_, err := conformance.ParseRequirements("conformance/requirements.yaml", []byte(broken))
		require.Error(t, err)
		var ps yamlschema.Problems
		require.True(t, errors.As(err, &ps), "%T: %v", err, err)
		require.Len(t, ps, 1, "%v", ps)
		line := lineOf(t, broken, tc.at, tc.nth)
		assert.Equal(t, line, ps[0].Line, "%v", ps[0])
		assert.Equal(t, tc.ptr, ps[0].Pointer, "%v", ps[0])
		assert.Contains(t, ps[0].Message, tc.msg)
		assert.True(t, strings.HasPrefix(ps[0].Error(), "conformance/requirements.yaml:"+strconv.Itoa(line)+":"), ps[0].Error())
	}
	for _, tc := range []testCase{
		{
			name: "typo'd level",
			edit: func(s string) string {
				return strings.Replace(s, "  - id: REQ-RES-03\n    level: SHOULD", "  - id: REQ-RES-03\n    level: SHUOLD", 1)
			},
			at: "level: SHUOLD", ptr: "/requirements/21/level", msg: `value must be one of "MUST", "SHOULD", "MAY"`,
		},
		{
			name: "level in lower case",
			edit: func(s string) string {
				return strings.Replace(s, "  - id: REQ-HTTP-01\n    level: MUST", "  - id: REQ-HTTP-01\n    level: must", 1)
			},
			at: "level: must", ptr: "/requirements/0/level", msg: "value must be one of",
		},
		{
			name: "missing source",
			edit: func(s string) string {
				return strings.Replace(s, "    source:\n      document: drs_03_0113\n      section: Status Code\n      quote: \"202 Accepted\"\n", "", 1)
			},
			at: "- id: REQ-HTTP-01", ptr: "/requirements/0", msg: "missing properties: 'source'",
		},
		{
			name: "duplicate ID",
			edit: func(s string) string { return strings.Replace(s, "- id: REQ-HTTP-02", "- id: REQ-HTTP-01", 1) },
			at:   "- id: REQ-HTTP-01", nth: 1, ptr: "/requirements/1/id", msg: "REQ-HTTP-01 is defined twice (also at /requirements/0)",
		},
		{
			name: "unknown field",
			edit: func(s string) string {
				return strings.Replace(s, "  - id: REQ-VAL-08\n    level: MUST\n", "  - id: REQ-VAL-08\n    level: MUST\n    choice: [a, b]\n", 1)
			},
			at: "choice: [a, b]", ptr: "/requirements/11/choice", msg: `unknown field "choice"`,
		},
		{
			name: "malformed ID",
			edit: func(s string) string { return strings.Replace(s, "- id: REQ-STA-12", "- id: REQ-STA-12a", 1) },
			at:   "- id: REQ-STA-12a", ptr: "/requirements/37/id", msg: "does not match pattern",
		},
		{
			name: "YAML syntax",
			edit: func(s string) string {
				return strings.Replace(s, "choices: [ignored, rejected-400]", "choices: [ignored, rejected-400", 1)
			},
			at: "choices: [ignored, rejected-400", ptr: "", msg: "YAML syntax: did not find expected ',' or ']'",
		},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

func lineOf(t *testing.T, text, needle string, nth int) int {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if strings.Contains(l, needle) {
			if nth == 0 {
				return i + 1
			}
			nth--
		}
	}
	t.Fatalf("no line contains %q", needle)
	return 0
}
