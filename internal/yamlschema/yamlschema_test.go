package yamlschema_test

import (
	"errors"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/internal/yamlschema"
)

const testSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["name", "items"],
  "additionalProperties": false,
  "properties": {
    "name": {"type": "string"},
    "items": {"type": "array", "items": {
      "type": "object",
      "required": ["id"],
      "additionalProperties": false,
      "properties": {"id": {"type": "string", "pattern": "^X-"}, "n": {"type": "integer"}}
    }},
    "a/b": {"type": "boolean"}
  }
}`

func compile(t *testing.T) *jsonschema.Schema {
	t.Helper()
	s, err := yamlschema.Compile("test.schema.json", []byte(testSchema))
	require.NoError(t, err)
	return s
}

func problemsOf(t *testing.T, err error) yamlschema.Problems {
	t.Helper()
	require.Error(t, err)
	var ps yamlschema.Problems
	require.True(t, errors.As(err, &ps), "%T %v", err, err)
	return ps
}

func TestValidateProblemsCarryPosition(t *testing.T) {
	t.Parallel()
	s := compile(t)

	type testCase struct {
		name string
		yaml string
		want []yamlschema.Problem // Message is matched as a substring
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		doc, err := yamlschema.Parse("f.yaml", []byte(tc.yaml))
		require.NoError(t, err)
		ps := problemsOf(t, doc.Validate(s))
		require.Len(t, ps, len(tc.want), "%v", ps)
		for i, w := range tc.want {
			got := ps[i]
			assert.Equal(t, "f.yaml", got.File)
			assert.Equal(t, w.Line, got.Line, "line of %v", got)
			assert.Equal(t, w.Column, got.Column, "column of %v", got)
			assert.Equal(t, w.Pointer, got.Pointer, "pointer of %v", got)
			assert.Contains(t, got.Message, w.Message)
		}
	}
	for _, tc := range []testCase{
		{
			name: "wrong type in a nested item",
			yaml: "name: x\nitems:\n  - id: X-1\n    n: one\n",
			want: []yamlschema.Problem{{Line: 4, Column: 8, Pointer: "/items/0/n", Message: "expected integer, but got string"}},
		},
		{
			name: "pattern",
			yaml: "name: x\nitems:\n  - id: X-1\n  - id: Y-2\n",
			want: []yamlschema.Problem{{Line: 4, Column: 9, Pointer: "/items/1/id", Message: "does not match pattern"}},
		},
		{
			name: "missing property is reported at its parent",
			yaml: "name: x\nitems:\n  - n: 1\n",
			want: []yamlschema.Problem{{Line: 3, Column: 5, Pointer: "/items/0", Message: "missing properties: 'id'"}},
		},
		{
			name: "missing top-level property",
			yaml: "items: []\n",
			want: []yamlschema.Problem{{Line: 1, Column: 1, Pointer: "/", Message: "missing properties: 'name'"}},
		},
		{
			name: "unknown field",
			yaml: "name: x\nitems: []\nextra: 1\n",
			want: []yamlschema.Problem{{Line: 3, Column: 1, Pointer: "/extra", Message: `unknown field "extra"`}},
		},
		{
			name: "two unknown fields, each at its key",
			yaml: "name: x\nitems:\n  - id: X-1\n    nn: 1\nextra: 1\n",
			want: []yamlschema.Problem{
				{Line: 4, Column: 5, Pointer: "/items/0/nn", Message: `unknown field "nn"`},
				{Line: 5, Column: 1, Pointer: "/extra", Message: `unknown field "extra"`},
			},
		},
		{
			name: "escaped pointer",
			yaml: "name: x\nitems: []\na/b: maybe\n",
			want: []yamlschema.Problem{{Line: 3, Column: 6, Pointer: "/a~1b", Message: "expected boolean, but got string"}},
		},
		{
			name: "two problems, in line order",
			yaml: "name: 7\nitems:\n  - id: Z\n",
			want: []yamlschema.Problem{
				{Line: 1, Column: 7, Pointer: "/name", Message: "expected string"},
				{Line: 3, Column: 9, Pointer: "/items/0/id", Message: "does not match pattern"},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

func TestProblemError(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name string
		p    yamlschema.Problem
		want string
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		assert.Equal(t, tc.want, tc.p.Error())
	}
	for _, tc := range []testCase{
		{"all", yamlschema.Problem{File: "f.yaml", Line: 4, Column: 8, Pointer: "/a", Message: "bad"}, "f.yaml:4:8: /a: bad"},
		{"no column", yamlschema.Problem{File: "f.yaml", Line: 4, Message: "bad"}, "f.yaml:4: bad"},
		{"no line", yamlschema.Problem{File: "f.yaml", Column: 3, Message: "bad"}, "f.yaml: bad"},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
	ps := yamlschema.Problems{{File: "a", Line: 1, Message: "x"}, {File: "b", Line: 2, Message: "y"}}
	assert.Equal(t, "a:1: x\nb:2: y", ps.Error())
}

func TestParseSyntaxErrorCarriesLine(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name string
		yaml string
		line int
		msg  string
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		_, err := yamlschema.Parse("f.yaml", []byte(tc.yaml))
		ps := problemsOf(t, err)
		require.Len(t, ps, 1)
		assert.Equal(t, tc.line, ps[0].Line, "%v", ps[0])
		assert.Contains(t, ps[0].Message, tc.msg)
		assert.NotContains(t, ps[0].Message, "line ", "the line is in Problem.Line, not repeated")
	}
	for _, tc := range []testCase{
		{"unclosed flow sequence (the line where it opens)", "name: x\nitems: [a, b\nother: c\n", 2, "did not find expected ',' or ']'"},
		{"unclosed flow sequence on line 1", "a: [1,\n2\nc: 3\n", 3, "did not find expected"},
		{"tab indentation", "name: x\nitems:\n\t- a\n", 3, "YAML syntax"},
		{"bad mapping", "name: x\n  - a: b\n", 2, "YAML syntax"},
		{"empty file", "", 1, "the file is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

func TestDuplicateKeysAreRejected(t *testing.T) {
	t.Parallel()
	s := compile(t)
	yaml := "name: x\nitems:\n  - id: X-1\n    id: X-2\n"
	doc, err := yamlschema.Parse("f.yaml", []byte(yaml))
	require.NoError(t, err, "yaml.v3 parses duplicates into a node tree; Validate catches them")
	ps := problemsOf(t, doc.Validate(s))
	require.Len(t, ps, 1)
	assert.Equal(t, 4, ps[0].Line, "%v", ps[0])
	assert.Contains(t, ps[0].Message, `key "id" appears twice`)
	assert.Equal(t, 5, ps[0].Column)
	assert.Equal(t, `f.yaml:4:5: key "id" appears twice in this mapping`, ps[0].Error())
}

func TestLookup(t *testing.T) {
	t.Parallel()
	yaml := "name: x\nitems:\n  - id: X-1\n    n: 2\n  - &two\n    id: X-2\na/b: true\nalias: *two\n"
	doc, err := yamlschema.Parse("f.yaml", []byte(yaml))
	require.NoError(t, err)

	type testCase struct {
		pointer   string
		line, col int // of the node
		value     string
		keyLine   int // Position: the key's line for a mapping member
		keyCol    int
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		n := doc.Lookup(tc.pointer)
		require.NotNil(t, n)
		assert.Equal(t, tc.line, n.Line, "line")
		assert.Equal(t, tc.col, n.Column, "column")
		assert.Equal(t, tc.value, n.Value)
		line, col := doc.Position(tc.pointer)
		assert.Equal(t, tc.keyLine, line, "Position line")
		assert.Equal(t, tc.keyCol, col, "Position column")
	}
	for _, tc := range []testCase{
		{pointer: "", line: 1, col: 1, keyLine: 1, keyCol: 1},
		{pointer: "/", line: 1, col: 1, keyLine: 1, keyCol: 1},
		{pointer: "/name", line: 1, col: 7, value: "x", keyLine: 1, keyCol: 1},
		{pointer: "/items/0/n", line: 4, col: 8, value: "2", keyLine: 4, keyCol: 5},
		{pointer: "/items/1/id", line: 6, col: 9, value: "X-2", keyLine: 6, keyCol: 5},
		{pointer: "/items/0", line: 3, col: 5, keyLine: 3, keyCol: 5},
		{pointer: "/a~1b", line: 7, col: 6, value: "true", keyLine: 7, keyCol: 1},
		{pointer: "/alias/id", line: 6, col: 9, value: "X-2", keyLine: 6, keyCol: 5},
		// past the document: the deepest node that exists
		{pointer: "/items/0/missing", line: 3, col: 5, keyLine: 3, keyCol: 5},
		{pointer: "/items/9", line: 3, col: 3, keyLine: 2, keyCol: 1},
		{pointer: "/name/deeper", line: 1, col: 7, value: "x", keyLine: 1, keyCol: 1},
	} {
		t.Run(tc.pointer, func(t *testing.T) { run(t, tc) })
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()
	doc, err := yamlschema.Parse("f.yaml", []byte("name: x\nitems:\n  - id: X-1\n    n: two\n"))
	require.NoError(t, err)
	var v struct {
		Name  string `yaml:"name"`
		Items []struct {
			ID string `yaml:"id"`
			N  int    `yaml:"n"`
		} `yaml:"items"`
	}
	ps := problemsOf(t, doc.Decode(&v))
	require.Len(t, ps, 1)
	assert.Equal(t, 4, ps[0].Line)
	assert.Contains(t, ps[0].Message, "cannot unmarshal")
}
