package proxy

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/drsconform/drsconform/conformance"
	"github.com/drsconform/drsconform/contract"
	"github.com/drsconform/drsconform/internal/suggest"
	"github.com/drsconform/drsconform/internal/untrusted"
)

// HeaderExpectViolation lets an SDK's test declare the violations its
// request makes on purpose (a negative test): a comma-separated list of
// requirement IDs, e.g. "REQ-VAL-04,REQ-VAL-05". The proxy reads it, counts
// the violations it names as expected, reports each one that did not happen,
// and never forwards the header (README.md, "The proxy as a CI gate").
const HeaderExpectViolation = "X-Drsconform-Expect-Violation"

// Bounds on what a header may declare: it comes from a test, but is read as
// untrusted text all the same.
const (
	maxExpectIDs     = 32 // IDs per request (header and --allow alike)
	maxExpectIDBytes = 64 // bytes of one ID as written
)

// knownIDs are the catalogue's requirement IDs (conformance/requirements.yaml).
func knownIDs() ([]string, error) {
	cat, err := conformance.Requirements()
	if err != nil {
		return nil, err
	}
	return cat.IDs(), nil
}

// ParseAllow parses the value of `proxy --allow`: requirement IDs separated
// by commas, each one the catalogue knows. An unknown ID is an error that
// suggests the nearest known one.
func ParseAllow(list string) ([]string, error) {
	known, err := knownIDs()
	if err != nil {
		return nil, err
	}
	ids, problems := parseIDs(list, known)
	if len(problems) > 0 {
		return nil, fmt.Errorf("--allow: %s", strings.Join(problems, "; "))
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("--allow %s: want requirement IDs separated by commas, e.g. REQ-VAL-04,REQ-VAL-05", untrusted.Quoted(list))
	}
	return ids, nil
}

// parseIDs splits a comma-separated list of requirement IDs; every entry
// that is empty, too long or not in known is a problem (with a "did you
// mean" when one is near). IDs come out deduplicated, in the order given.
func parseIDs(list string, known []string) (ids, problems []string) {
	parts := strings.Split(list, ",")
	if len(parts) > maxExpectIDs {
		problems = append(problems, fmt.Sprintf("%d IDs; at most %d are read", len(parts), maxExpectIDs))
		parts = parts[:maxExpectIDs]
	}
	for _, p := range parts {
		id := strings.TrimSpace(p)
		switch {
		case id == "":
			if strings.TrimSpace(list) == "" {
				problems = append(problems, "no requirement ID")
				return ids, problems
			}
			problems = append(problems, "an empty entry in "+untrusted.Quoted(list))
		case len(id) > maxExpectIDBytes:
			problems = append(problems, "unknown requirement "+untrusted.Quoted(id))
		case !slices.Contains(known, id):
			msg := "unknown requirement " + untrusted.Quoted(id)
			if near := suggest.Nearest(id, known); near != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", near)
			}
			problems = append(problems, msg)
		case !slices.Contains(ids, id):
			ids = append(ids, id)
		}
	}
	return ids, problems
}

// expectation is what one exchange was allowed or declared to violate.
type expectation struct {
	allow    []string // --allow: every exchange
	declared []string // the request's X-Drsconform-Expect-Violation
	problems []string // what was wrong with that header
	missing  []string // declared, but no violation of it was seen
}

// readExpectation takes the header out of h (it is the proxy's, never the
// upstream's) and parses it.
func readExpectation(h http.Header, allow, known []string) expectation {
	e := expectation{allow: allow}
	values := h.Values(HeaderExpectViolation)
	h.Del(HeaderExpectViolation)
	if len(values) == 0 {
		return e
	}
	e.declared, e.problems = parseIDs(strings.Join(values, ","), known)
	for i, p := range e.problems {
		e.problems[i] = HeaderExpectViolation + ": " + p
	}
	return e
}

// expects reports whether a violation of requirement id is expected.
func (e *expectation) expects(id string) bool {
	return id != "" && (slices.Contains(e.declared, id) || slices.Contains(e.allow, id))
}

// settle finds the declared requirements that no violation names.
func (e *expectation) settle(vss ...contract.Violations) {
	e.missing = nil
	for _, id := range e.declared {
		seen := false
		for _, vs := range vss {
			for _, v := range vs {
				if v.Requirement == id {
					seen = true
				}
			}
		}
		if !seen {
			e.missing = append(e.missing, id)
		}
	}
}

// unexpected is vs without the violations e expects.
func (e *expectation) unexpected(vs contract.Violations) contract.Violations {
	var out contract.Violations
	for _, v := range vs {
		if !e.expects(v.Requirement) {
			out = append(out, v)
		}
	}
	return out
}
