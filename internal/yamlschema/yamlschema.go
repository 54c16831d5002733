// Package yamlschema validates YAML files that people write (the requirement
// catalogue, the case files) against a JSON Schema, and reports each problem
// at its file:line with the JSON pointer of the offending value.
package yamlschema

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"gopkg.in/yaml.v3"
)

// Problem is one thing wrong with a file, where it is and why.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column,omitempty"`
	Pointer string `json:"pointer,omitempty"`
	Message string `json:"message"`
}

func (p Problem) Error() string {
	loc := p.File
	if p.Line > 0 {
		loc += ":" + strconv.Itoa(p.Line)
		if p.Column > 0 {
			loc += ":" + strconv.Itoa(p.Column)
		}
	}
	if p.Pointer != "" {
		return fmt.Sprintf("%s: %s: %s", loc, p.Pointer, p.Message)
	}
	return fmt.Sprintf("%s: %s", loc, p.Message)
}

// Problems is every problem found in one or more files.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Doc is one parsed YAML document.
type Doc struct {
	File string
	Root *yaml.Node // the document's top node (not the DocumentNode)
}

// Parse parses data as one YAML document; a syntax error comes back as
// Problems with the line yaml.v3 reports.
func Parse(file string, data []byte) (*Doc, error) {
	var n yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&n); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Problems{{File: file, Line: 1, Message: "the file is empty"}}
		}
		return nil, Problems{{File: file, Line: syntaxLine(err), Message: "YAML syntax: " + trimYAMLPrefix(err.Error())}}
	}
	if n.Kind != yaml.DocumentNode || len(n.Content) == 0 {
		return nil, Problems{{File: file, Line: 1, Message: "the file is empty"}}
	}
	return &Doc{File: file, Root: n.Content[0]}, nil
}

// parserProblems are the problems yaml.v3's parser (not its scanner) reports.
// For these, yaml.v3 v3.0.1 gives the 0-based line (its fail() adds one for
// scanner errors only); with a context, the line is where the enclosing
// collection starts.
var parserProblems = []string{
	"did not find expected <stream-start>", "did not find expected <document start>",
	"found undefined tag handle", "did not find expected node content",
	"did not find expected '-' indicator", "did not find expected key",
	"did not find expected ',' or ']'", "did not find expected ',' or '}'",
	"found duplicate %YAML directive", "found incompatible YAML document", "found duplicate %TAG directive",
}

func syntaxLine(err error) int {
	// yaml.v3 words syntax errors "yaml: line N: ..."
	msg := err.Error()
	i := strings.Index(msg, "line ")
	if i < 0 {
		return 0
	}
	rest := msg[i+5:]
	j := 0
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	n, convErr := strconv.Atoi(rest[:j])
	if convErr != nil {
		return 0
	}
	for _, p := range parserProblems {
		if strings.HasSuffix(msg, p) {
			return n + 1
		}
	}
	return n
}

// trimYAMLPrefix drops "yaml: " and "line N: ", which the Problem says already.
func trimYAMLPrefix(s string) string {
	s = strings.TrimPrefix(s, "yaml: ")
	if rest, ok := strings.CutPrefix(s, "line "); ok {
		if i := strings.Index(rest, ": "); i >= 0 {
			return rest[i+2:]
		}
	}
	return s
}

// Validate checks the document against a compiled JSON Schema. Each failure
// becomes a Problem at the line of the value it concerns.
func (d *Doc) Validate(s *jsonschema.Schema) error {
	v, err := toJSONValue(d.Root)
	if err != nil {
		p := Problem{File: d.File, Line: d.Root.Line, Message: err.Error()}
		var ne *nodeError
		if errors.As(err, &ne) {
			p.Line, p.Column, p.Message = ne.node.Line, ne.node.Column, ne.msg
		}
		return Problems{p}
	}
	err = s.Validate(v)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return Problems{{File: d.File, Message: err.Error()}}
	}
	var out Problems
	seen := map[string]bool{}
	for _, leaf := range Leaves(ve) {
		key := leaf.InstanceLocation + "\x00" + leaf.Message
		if seen[key] {
			continue
		}
		seen[key] = true
		if names, ok := unknownProperties(leaf); ok {
			// one problem per unknown key, at the key: that is the line to fix
			for _, name := range names {
				ptr := leaf.InstanceLocation + "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(name)
				p := Problem{File: d.File, Pointer: ptr,
					Message: fmt.Sprintf("unknown field %q (a typo, or a field this file does not have)", name)}
				p.Line, p.Column = d.Position(ptr)
				out = append(out, p)
			}
			continue
		}
		p := Problem{File: d.File, Pointer: leaf.InstanceLocation, Message: leaf.Message}
		if p.Pointer == "" {
			p.Pointer = "/"
		}
		// at the offending value itself (for a missing property: its parent)
		if n := d.Lookup(leaf.InstanceLocation); n != nil {
			p.Line, p.Column = n.Line, n.Column
			if n.Kind == yaml.ScalarNode && !strings.HasSuffix(leaf.KeywordLocation, "/required") {
				p.Message += fmt.Sprintf(" (got %q)", n.Value)
			}
		}
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Column < out[j].Column
	})
	return out
}

// unknownProperties reads the names out of jsonschema/v5's
// "additionalProperties 'a', 'b' not allowed".
func unknownProperties(leaf *jsonschema.ValidationError) ([]string, bool) {
	if !strings.HasSuffix(leaf.KeywordLocation, "/additionalProperties") {
		return nil, false
	}
	list, ok := strings.CutPrefix(leaf.Message, "additionalProperties ")
	if !ok {
		return nil, false
	}
	list, ok = strings.CutSuffix(list, " not allowed")
	if !ok {
		return nil, false
	}
	var names []string
	for _, q := range strings.Split(list, ", ") {
		names = append(names, strings.Trim(q, "'"))
	}
	return names, len(names) > 0
}

// Decode decodes the document into v (yaml struct tags).
func (d *Doc) Decode(v any) error {
	if err := d.Root.Decode(v); err != nil {
		return Problems{{File: d.File, Line: syntaxLine(err), Message: trimYAMLPrefix(err.Error())}}
	}
	return nil
}

// Position is the line and column of what a JSON pointer names: the key of a
// mapping member (where a reader looks for it), the item of a sequence; for a
// pointer that goes past the document, its deepest existing ancestor.
func (d *Doc) Position(pointer string) (line, column int) {
	n, key := d.lookup(pointer)
	if key != nil {
		return key.Line, key.Column
	}
	return n.Line, n.Column
}

// Lookup returns the node a JSON pointer names; for a pointer that goes past
// the document (a missing property), its deepest existing ancestor.
func (d *Doc) Lookup(pointer string) *yaml.Node {
	n, _ := d.lookup(pointer)
	return n
}

// lookup returns the node a pointer names and, for a mapping member, its key.
func (d *Doc) lookup(pointer string) (node, key *yaml.Node) {
	n := d.Root
	if pointer == "" || pointer == "/" {
		return n, nil
	}
	for _, raw := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		tok := strings.NewReplacer("~1", "/", "~0", "~").Replace(raw)
		n = deref(n)
		switch n.Kind {
		case yaml.MappingNode:
			var next, k *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == tok {
					k, next = n.Content[i], n.Content[i+1]
					break
				}
			}
			if next == nil {
				return n, key
			}
			n, key = next, k
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) {
				return n, key
			}
			n, key = n.Content[i], nil
		default:
			return n, key
		}
	}
	return n, key
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// Leaves returns the innermost causes of a validation error: the failures
// themselves, not the "doesn't validate with ..." wrappers above them.
func Leaves(ve *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return []*jsonschema.ValidationError{ve}
	}
	var out []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		out = append(out, Leaves(c)...)
	}
	return out
}

// toJSONValue converts a YAML node to the values encoding/json would give.
func toJSONValue(n *yaml.Node) (any, error) {
	n = deref(n)
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if _, dup := m[k.Value]; dup {
				return nil, &nodeError{k, fmt.Sprintf("key %q appears twice in this mapping", k.Value)}
			}
			v, err := toJSONValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			v, err := toJSONValue(c)
			if err != nil {
				return nil, err
			}
			s[i] = v
		}
		return s, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!bool", "!!int", "!!float":
			var v any
			if err := n.Decode(&v); err != nil {
				return nil, &nodeError{n, trimYAMLPrefix(err.Error())}
			}
			return v, nil
		default:
			return n.Value, nil
		}
	}
	return nil, &nodeError{n, "unsupported YAML node"}
}

// nodeError is a problem at a node, before any schema is applied.
type nodeError struct {
	node *yaml.Node
	msg  string
}

func (e *nodeError) Error() string { return fmt.Sprintf("line %d: %s", e.node.Line, e.msg) }

// Compile compiles one JSON Schema (draft 2020-12 unless it says otherwise).
func Compile(name string, schema []byte) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	if err := c.AddResource(name, bytes.NewReader(schema)); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return c.Compile(name)
}
