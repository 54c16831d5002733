package contract

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Example is one named example of the OpenAPI document, where it is written
// and what it illustrates.
type Example struct {
	// Pointer is the JSON pointer of the example inside the document, where
	// it is written: a response shared through a $ref has its examples under
	// #/components, once, whatever statuses use it.
	Pointer string
	Name    string
	// Statuses are the response statuses the example illustrates ("202";
	// "400", "401", ... for a shared response); none for a request body.
	Statuses  []string
	MediaType string
	// Schema is the schemas/ file the media type's schema refers to.
	Schema string
	Value  any
}

// Request reports whether the example is of a request body.
func (e Example) Request() bool { return len(e.Statuses) == 0 }

// Body is the example's value as JSON.
func (e Example) Body() ([]byte, error) { return json.Marshal(e.Value) }

// Examples walks every request and response example of the document, in a
// stable order (path, method, request before responses, status, media type,
// name). An example used by several statuses is listed once.
func Examples(doc *openapi3.T) []Example {
	var out []Example
	byPointer := map[string]int{}
	add := func(ex Example, status string) {
		if i, ok := byPointer[ex.Pointer]; ok {
			if status != "" {
				out[i].Statuses = append(out[i].Statuses, status)
			}
			return
		}
		if status != "" {
			ex.Statuses = []string{status}
		}
		byPointer[ex.Pointer] = len(out)
		out = append(out, ex)
	}
	if doc == nil || doc.Paths == nil {
		return nil
	}
	paths := doc.Paths.Map()
	for _, p := range slices.Sorted(maps.Keys(paths)) {
		ops := paths[p].Operations()
		for _, method := range slices.Sorted(maps.Keys(ops)) {
			op := ops[method]
			opPtr := "/paths/" + escapePointer(p) + "/" + strings.ToLower(method)
			if rb := op.RequestBody; rb != nil && rb.Value != nil {
				base := refOr(rb.Ref, opPtr+"/requestBody")
				for _, ex := range contentExamples(base, rb.Value.Content) {
					add(ex, "")
				}
			}
			if op.Responses == nil {
				continue
			}
			responses := op.Responses.Map()
			for _, code := range slices.Sorted(maps.Keys(responses)) {
				rr := responses[code]
				if rr == nil || rr.Value == nil {
					continue
				}
				base := refOr(rr.Ref, opPtr+"/responses/"+escapePointer(code))
				for _, ex := range contentExamples(base, rr.Value.Content) {
					add(ex, code)
				}
			}
		}
	}
	return out
}

// contentExamples lists the examples of each media type under base.
func contentExamples(base string, content openapi3.Content) []Example {
	var out []Example
	for _, media := range slices.Sorted(maps.Keys(content)) {
		mt := content[media]
		if mt == nil {
			continue
		}
		mtPtr := base + "/content/" + escapePointer(media)
		file := schemaFileOf(mt)
		if mt.Example != nil {
			out = append(out, Example{Pointer: mtPtr + "/example", Name: "example", MediaType: media, Schema: file, Value: mt.Example})
		}
		for _, name := range slices.Sorted(maps.Keys(mt.Examples)) {
			er := mt.Examples[name]
			if er == nil || er.Value == nil {
				continue
			}
			out = append(out, Example{Pointer: refOr(er.Ref, mtPtr+"/examples/"+escapePointer(name)),
				Name: name, MediaType: media, Schema: file, Value: er.Value.Value})
		}
	}
	return out
}

// refOr is the pointer of a local $ref ("#/components/..."), else ptr.
func refOr(ref, ptr string) string {
	if rest, ok := strings.CutPrefix(ref, "#"); ok {
		return rest
	}
	return ptr
}

// ValidateExample checks an example's value against its schema file. For a
// response example the status is checked too: each status it is listed
// under must be declared (it is, when it came from Examples).
func (c *Contract) ValidateExample(ex Example) Violations {
	return validateExample(c.schemas, ex)
}

func validateExample(compiled map[string]*jsonschema.Schema, ex Example) Violations {
	body, err := ex.Body()
	if err != nil {
		return Violations{{Layer: LayerBody, Keyword: "json", Schema: ex.Schema,
			Message: fmt.Sprintf("the example does not encode as JSON: %v", err)}}
	}
	return validateBodyWith(compiled, ex.Schema, body)
}

// StatusCodes parses the example's statuses.
func (e Example) StatusCodes() []int {
	out := make([]int, 0, len(e.Statuses))
	for _, s := range e.Statuses {
		if n, err := strconv.Atoi(s); err == nil {
			out = append(out, n)
		}
	}
	return out
}
