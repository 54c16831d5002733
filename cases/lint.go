package cases

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/drsconform/drsconform/contract"
	"github.com/drsconform/drsconform/internal/yamlschema"
	"github.com/drsconform/drsconform/schemas"
)

// CheckBodies checks what the case format cannot say by itself: each case
// that declares `violates` sends a body that breaks the batch request's JSON
// Schema for exactly that one reason (keyword at pointer), and each body that
// declares nothing is valid. So a bad-input case breaks one rule, not two,
// and a positive case is not accidentally malformed.
func CheckBodies(files []*File, ct *contract.Contract) yamlschema.Problems {
	var out yamlschema.Problems
	for _, f := range files {
		for _, c := range f.Cases {
			// Any project IDs do: a body's validity does not depend on them.
			vars := map[string]string{TmplProject: "054ba152d480d55b2f5dc0069e7ddef0", TmplOtherProject: "7f3e9a1c5b2d4e6f8a0b1c2d3e4f5a6b"}
			for i, name := range c.FixtureOrder {
				vars[name] = fmt.Sprintf("4c6ac8c0-2f51-426a-97b2-cb2c668jb%03d", i)
			}
			for k, s := range c.Steps {
				for m, r := range s.Requests() {
					body, ok := renderBody(r, vars)
					if !ok {
						continue
					}
					where := c.ID
					if len(c.Steps) > 1 {
						where = fmt.Sprintf("%s step %d", c.ID, k+1)
					}
					if len(s.Concurrent) > 0 {
						where += fmt.Sprintf(" concurrent request %d", m+1)
					}
					vs := ct.ValidateBody(schemas.BatchDeleteJobReq, body)
					problem := func(format string, args ...any) {
						out = append(out, yamlschema.Problem{File: c.File, Line: c.Line,
							Message: where + ": " + fmt.Sprintf(format, args...)})
					}
					want := r.Violates
					switch {
					case want == nil && len(vs) > 0:
						problem("the body breaks the request schema (%s) but the case declares no `violates`", describe(vs))
					case want != nil && len(vs) == 0:
						problem("declares that the body breaks %s at %q, but the body is valid", want.Keyword, want.Pointer)
					case want != nil && (len(vs) != 1 || vs[0].Keyword != want.Keyword || vs[0].Pointer != want.Pointer):
						problem("declares that the body breaks %s at %q and nothing else; the schema reports %s", want.Keyword, want.Pointer, describe(vs))
					}
				}
			}
		}
	}
	return out
}

// renderBody is the body a step sends, with sample IDs for fixtures; ok is
// false when the step sends no body of its own choosing.
func renderBody(r Request, vars map[string]string) ([]byte, bool) {
	if raw, ok := r.Raw(); ok {
		return []byte(Expand(raw, vars)), true
	}
	switch {
	case r.Body != nil:
		b, err := json.Marshal(ExpandValue(r.Body, vars))
		return b, err == nil
	}
	return nil, false
}

func describe(vs contract.Violations) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = fmt.Sprintf("%s at %q", v.Keyword, v.Pointer)
	}
	return strings.Join(parts, "; ")
}

// SafeTag marks a case that never acts on an existing task: `run --safe`
// plays only these (README.md, "Safe against production: run --safe").
const SafeTag = "safe"

// IsSafeTagged reports whether c carries SafeTag.
func (c *Case) IsSafeTagged() bool { return slices.Contains(c.Tags, SafeTag) }

// SafeProblems says why c cannot be safe, one message each; none when it
// can. A safe case makes no task (every fixture is absent: an ID the runner
// makes up, new on every run), reads nothing back through the fixture
// protocol (no `then`), and every string its bodies send as a value (any
// job_id, or anything a lenient target might take for one) is empty or
// built from an absent fixture's ID; only a delete_type may be a literal.
// Non-string values (numbers, null, objects) name no task.
func SafeProblems(c *Case) []string {
	var out []string
	absent := map[string]bool{}
	for _, name := range c.FixtureOrder {
		fx := c.Fixtures[name]
		if !fx.Absent {
			out = append(out, fmt.Sprintf("fixture %s makes a task (status %s): a safe case has only absent fixtures", name, fx.Status))
			continue
		}
		absent[name] = true
	}
	for k, s := range c.Steps {
		where := ""
		if len(c.Steps) > 1 {
			where = fmt.Sprintf("step %d: ", k+1)
		}
		for _, o := range s.Alternatives() {
			for _, name := range slices.Sorted(maps.Keys(o.Then)) {
				out = append(out, fmt.Sprintf("%sthen reads %s back through the fixture protocol: a safe case reads nothing back", where, name))
			}
		}
		if len(s.Outcomes) == 0 && s.Expect == nil {
			for _, name := range slices.Sorted(maps.Keys(s.Then)) {
				out = append(out, fmt.Sprintf("%sthen reads %s back through the fixture protocol: a safe case reads nothing back", where, name))
			}
		}
		for m, r := range s.Requests() {
			at := where
			if len(s.Concurrent) > 0 {
				at += fmt.Sprintf("concurrent request %d: ", m+1)
			}
			var values []jsonValue
			if raw, ok := r.Raw(); ok {
				values = rawStringValues(raw)
			} else if r.Body != nil {
				values = bodyStringValues(r.Body, "")
			}
			for _, v := range values {
				if v.key == "delete_type" || safeValue(v.s, absent) {
					continue
				}
				out = append(out, fmt.Sprintf("%sthe body sends %s as %s: a safe case sends only IDs of absent fixtures ({{name}}), an empty string or a non-string",
					at, quoteShort(v.s), keyName(v.key)))
			}
		}
	}
	return out
}

// LiteralIDs lists the strings c's request bodies send where a job ID could
// be read (a member whose name is job_id in any spelling, id, jobs, or a bare
// string in an array) that are neither empty nor built only from the case's
// own fixtures ({{name}}, made or absent): literal IDs such as the API page's
// example. Such an ID could name a task nobody gave the suite, so a run
// against the tasks of a fixtures file (run --fixtures) does not play the
// case (README.md, "Testing a live endpoint").
func LiteralIDs(c *Case) []string {
	own := map[string]bool{}
	for _, name := range c.FixtureOrder {
		own[name] = true
	}
	var out []string
	for _, s := range c.Steps {
		for _, r := range s.Requests() {
			var values []jsonValue
			if raw, ok := r.Raw(); ok {
				values = rawStringValues(raw)
			} else if r.Body != nil {
				values = bodyStringValues(r.Body, "")
			}
			for _, v := range values {
				if !idKey(v.key) || safeValue(v.s, own) || slices.Contains(out, v.s) {
					continue
				}
				out = append(out, v.s)
			}
		}
	}
	return out
}

// idKey reports whether a string under this member name could be read as a
// job ID by a lenient service.
func idKey(k string) bool {
	k = strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(k))
	return k == "" || k == "jobid" || k == "id" || k == "jobs" || k == "jobids"
}

// CheckSafe holds every case tagged SafeTag to SafeProblems, at file:line.
func CheckSafe(files []*File) yamlschema.Problems {
	var out yamlschema.Problems
	for _, f := range files {
		for _, c := range f.Cases {
			if !c.IsSafeTagged() {
				continue
			}
			for _, p := range SafeProblems(c) {
				out = append(out, yamlschema.Problem{File: c.File, Line: c.Line,
					Message: fmt.Sprintf("%s is tagged %s but %s", c.ID, SafeTag, p)})
			}
		}
	}
	return out
}

// safeValue: s is empty, or contains the ID of an absent fixture (which
// starts with the runner's prefix and a random part, so that whatever
// surrounds it, it names no task) and no other template.
func safeValue(s string, absent map[string]bool) bool {
	if s == "" {
		return true
	}
	ms := templateRE.FindAllStringSubmatch(s, -1)
	if len(ms) == 0 {
		return false
	}
	for _, m := range ms {
		if !absent[m[1]] {
			return false
		}
	}
	return true
}

// jsonValue is a string a body sends as a value, with the key it is the
// value of ("" in an array at the top, or under no key).
type jsonValue struct{ key, s string }

func keyName(k string) string {
	if k == "" {
		return "a value"
	}
	return "the value of " + quoteShort(k)
}

// quoteShort quotes s for a message, cut at 60 runes.
func quoteShort(s string) string {
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// bodyStringValues lists the string values of a body written as YAML, each
// with the nearest key above it.
func bodyStringValues(v any, key string) []jsonValue {
	switch t := v.(type) {
	case string:
		return []jsonValue{{key, t}}
	case []any:
		var out []jsonValue
		for _, e := range t {
			out = append(out, bodyStringValues(e, key)...)
		}
		return out
	case map[string]any:
		var out []jsonValue
		for _, k := range slices.Sorted(maps.Keys(t)) {
			out = append(out, bodyStringValues(t[k], k)...)
		}
		return out
	}
	return nil
}

// rawStringValues lists the string values of a raw body, well formed or
// not: a lexical scan for JSON string literals (an unterminated one runs to
// the end), each a key when a colon follows it, else a value of the last
// key seen.
func rawStringValues(raw string) []jsonValue {
	var out []jsonValue
	key := ""
	for i := 0; i < len(raw); i++ {
		if raw[i] != '"' {
			continue
		}
		j := i + 1
		for j < len(raw) && raw[j] != '"' {
			if raw[j] == '\\' {
				j++
			}
			j++
		}
		lit := raw[i+1 : min(j, len(raw))]
		if s, err := strconv.Unquote(`"` + lit + `"`); err == nil {
			lit = s
		}
		rest := strings.TrimLeft(raw[min(j+1, len(raw)):], " \t\r\n")
		if strings.HasPrefix(rest, ":") {
			key = lit
		} else {
			out = append(out, jsonValue{key, lit})
		}
		i = j
	}
	return out
}
