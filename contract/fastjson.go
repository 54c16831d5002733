package contract

import (
	"encoding/json"
	"unicode/utf8"
)

// fastDecode decodes body, one JSON value and white space around it, into
// what encoding/json's Decoder with UseNumber gives (map[string]any, []any,
// string, json.Number, bool, nil), without the Decoder's buffer copies and
// second scan: the proxy and the runner judge every answer, some of them
// megabytes. It accepts only what RFC 8259 allows and encoding/json reads
// the same way; ok is false for anything else (an error, a string with an
// escape it leaves to encoding/json, nesting beyond encoding/json's depth),
// and decodeJSON then takes encoding/json's path, whose verdict and error
// message stand. body must be valid UTF-8 (decodeJSON checks it first).
//
// long reports that some number is too long to judge (tooLong): only then
// need validateBodyWith walk the value to shorten it.
func fastDecode(body []byte) (v any, long, ok bool) {
	p := fastParser{b: body}
	p.space()
	v, ok = p.value(0)
	if !ok {
		return nil, false, false
	}
	p.space()
	return v, p.long, p.i == len(p.b)
}

// common are the member names and enum values of this API's bodies: read
// as shared strings, not one allocation each (a 202 of 10,000 results has
// 40,000 names).
var common = func() map[string]string {
	m := map[string]string{}
	for _, w := range []string{"jobs", "delete_type", "job_id", "count", "results", "id", "status", "error_code", "error_msg",
		"terminate", "force_terminate", "delete", "success", "failed"} {
		m[w] = w
	}
	return m
}()

// fastMaxDepth is encoding/json's nesting limit (its maxNestingDepth).
const fastMaxDepth = 10000

type fastParser struct {
	b    []byte
	i    int
	long bool // a number tooLong was read
}

func (p *fastParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *fastParser) value(depth int) (any, bool) {
	if p.i >= len(p.b) {
		return nil, false
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		s, ok := p.str()
		return s, ok
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	}
	return nil, false
}

func (p *fastParser) literal(word string) bool {
	if len(p.b)-p.i < len(word) || string(p.b[p.i:p.i+len(word)]) != word {
		return false
	}
	p.i += len(word)
	return true
}

func (p *fastParser) object(depth int) (any, bool) {
	if depth > fastMaxDepth {
		return nil, false
	}
	p.i++ // {
	m := map[string]any{}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return m, true
	}
	for {
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, false
		}
		k, ok := p.str()
		if !ok {
			return nil, false
		}
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, false
		}
		p.i++
		p.space()
		v, ok := p.value(depth)
		if !ok {
			return nil, false
		}
		m[k] = v // a repeated key: the last one wins, as in encoding/json
		p.space()
		if p.i >= len(p.b) {
			return nil, false
		}
		switch p.b[p.i] {
		case ',':
			p.i++
			p.space()
		case '}':
			p.i++
			return m, true
		default:
			return nil, false
		}
	}
}

func (p *fastParser) array(depth int) (any, bool) {
	if depth > fastMaxDepth {
		return nil, false
	}
	p.i++ // [
	a := []any{}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return a, true
	}
	for {
		v, ok := p.value(depth)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		p.space()
		if p.i >= len(p.b) {
			return nil, false
		}
		switch p.b[p.i] {
		case ',':
			p.i++
			p.space()
		case ']':
			p.i++
			return a, true
		default:
			return nil, false
		}
	}
}

// str reads a string without escapes; one with a backslash is decoded by
// encoding/json itself, so that every escape means what it means there.
func (p *fastParser) str() (string, bool) {
	start := p.i
	p.i++ // "
	escaped := false
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			raw := p.b[start:p.i]
			if !escaped {
				inner := raw[1 : len(raw)-1]
				if w, ok := common[string(inner)]; ok { // the lookup does not allocate
					return w, true
				}
				return string(inner), true
			}
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return "", false
			}
			return s, true
		case c == '\\':
			escaped = true
			p.i += 2
			continue
		case c < 0x20:
			return "", false // a raw control character: not JSON
		case c >= utf8.RuneSelf:
			_, n := utf8.DecodeRune(p.b[p.i:])
			p.i += n
			continue
		}
		p.i++
	}
	return "", false
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? and nothing else.
func (p *fastParser) number() (any, bool) {
	start := p.i
	if p.b[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	switch {
	case p.i < len(p.b) && p.b[p.i] == '0':
		p.i++
	case digits() == 0:
		return nil, false
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return nil, false
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	n := json.Number(string(p.b[start:p.i]))
	if tooLong(n) {
		p.long = true
	}
	return n, true
}
