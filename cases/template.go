package cases

import (
	"regexp"
	"sort"
)

// templateRE matches {{name}}: a fixture's job ID, or a built-in value.
var templateRE = regexp.MustCompile(`\{\{([a-z][a-z0-9_]*)\}\}`)

// Built-in template names, beside the case's fixtures.
const (
	TmplProject      = "project"       // --project-id
	TmplOtherProject = "other_project" // --other-project-id
)

func builtinName(name string) bool { return name == TmplProject || name == TmplOtherProject }

// templateNames lists the {{names}} a request uses, sorted, once each.
func templateNames(r Request) []string {
	set := map[string]bool{}
	collect := func(s string) {
		for _, m := range templateRE.FindAllStringSubmatch(s, -1) {
			set[m[1]] = true
		}
	}
	if raw, ok := r.Raw(); ok {
		collect(raw)
	}
	walkStrings(r.Body, collect)
	for _, v := range r.Headers {
		collect(v)
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func walkStrings(v any, f func(string)) {
	switch t := v.(type) {
	case string:
		f(t)
	case []any:
		for _, e := range t {
			walkStrings(e, f)
		}
	case map[string]any:
		for k, e := range t {
			f(k)
			walkStrings(e, f)
		}
	}
}

// expand replaces every {{name}} in s with vars[name]; unknown names stay.
func Expand(s string, vars map[string]string) string {
	return templateRE.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := vars[m[2:len(m)-2]]; ok {
			return v
		}
		return m
	})
}

// ExpandValue returns a copy of a JSON value with every string expanded.
func ExpandValue(v any, vars map[string]string) any {
	switch t := v.(type) {
	case string:
		return Expand(t, vars)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = ExpandValue(e, vars)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[Expand(k, vars)] = ExpandValue(e, vars)
		}
		return out
	}
	return v
}
