package cases

import (
	"encoding/json"
	"fmt"
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
