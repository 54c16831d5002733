package contract

import (
	"fmt"
	"strings"
)

// Layer names the part of an exchange a violation was found in.
type Layer string

// The layers, in the order they are checked.
const (
	LayerRoute       Layer = "route"        // method and path match no operation
	LayerStatus      Layer = "status"       // the status code is not declared
	LayerParameter   Layer = "parameter"    // a path or header parameter breaks its schema
	LayerSecurity    Layer = "security"     // no credential the operation accepts
	LayerContentType Layer = "content-type" // the media type is not the one declared
	LayerBody        Layer = "body"         // the body is not JSON or breaks its JSON Schema
)

// Violation is one way an HTTP request or response breaks the contract.
type Violation struct {
	// Requirement is the catalogue ID the violation breaks (REQ-VAL-04, ...),
	// or "" when no single requirement owns it.
	Requirement string `json:"requirement,omitempty"`
	Layer       Layer  `json:"layer"`
	// Keyword is the JSON Schema keyword that failed (required, enum, type,
	// minLength, minItems, ...) or, outside the body, a word for the check
	// (status, content-type, json, header:X-Language, security).
	Keyword string `json:"keyword"`
	// Pointer is the JSON pointer to the offending value in the body ("" is
	// the whole body), or the parameter's name outside the body. For a missing
	// property it points at where the property should be.
	Pointer string `json:"pointer"`
	// Schema names the schema file that was applied, for body violations.
	Schema  string `json:"schema,omitempty"`
	Message string `json:"message"`
}

func (v Violation) Error() string {
	var b strings.Builder
	if v.Requirement != "" {
		b.WriteString(v.Requirement)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%s", v.Layer)
	if v.Pointer != "" || v.Layer == LayerBody {
		fmt.Fprintf(&b, " %s", displayPointer(v.Pointer))
	}
	fmt.Fprintf(&b, ": %s", v.Message)
	if v.Keyword != "" {
		fmt.Fprintf(&b, " [%s]", v.Keyword)
	}
	return b.String()
}

func displayPointer(p string) string {
	if p == "" {
		return "(body)"
	}
	return p
}

// Violations is every violation of one request or response; nil means it conforms.
type Violations []Violation

var _ error = Violations(nil)

func (vs Violations) Error() string {
	msgs := make([]string, len(vs))
	for i, v := range vs {
		msgs[i] = v.Error()
	}
	return strings.Join(msgs, "; ")
}

// Err returns vs as an error, or nil when there are none.
func (vs Violations) Err() error {
	if len(vs) == 0 {
		return nil
	}
	return vs
}

// Has reports whether some violation has the given keyword at the given pointer.
func (vs Violations) Has(keyword, pointer string) bool {
	for _, v := range vs {
		if v.Keyword == keyword && v.Pointer == pointer {
			return true
		}
	}
	return false
}
