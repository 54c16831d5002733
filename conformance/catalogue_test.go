package conformance_test

// Tests of the case catalogue against the requirement catalogue: every
// requirement is tested by a case (or is listed below with the reason no case
// can test it), and every allowed outcome is accepted by a case. That every
// ID a case file names exists, with a choice label its requirement allows, is
// checked on the raw files by registry_test.go (and again by the case loader,
// cases/load.go, whose own tests break it on purpose). That every mutant is
// killed by a case is the other half of the catalogue's power;
// reference/mutation_test.go asserts it.

import (
	"strconv"
	"strings"
	"testing"

	"github.com/drsconform/drsconform/cases"
)

// withoutCase lists the requirements that no case can test, each with the
// reason. Empty: every requirement of the catalogue is observable on the
// wire or through the fixture protocol. An entry here for a requirement that
// has cases is stale and fails the test, so the table never lies.
var withoutCase = map[string]string{}

func TestEveryRequirementHasACase(t *testing.T) {
	t.Parallel()
	cat := catalogue(t)
	files, err := cases.LoadEmbeddedCases()
	if err != nil {
		t.Fatalf("cases: %v", err)
	}
	byReq := cases.CasesByRequirement(files)
	var missing []string
	for _, r := range cat.Requirements {
		cases, reason := byReq[r.ID], withoutCase[r.ID]
		switch {
		case len(cases) == 0 && reason == "":
			missing = append(missing, r.ID+" ("+string(r.Level)+")")
		case len(cases) > 0 && reason != "":
			t.Errorf("%s is listed as untestable by a case (%q) but %s test it: remove it from withoutCase",
				r.ID, reason, strings.Join(cases, ", "))
		}
	}
	if len(missing) > 0 {
		t.Errorf("requirements without a case (add one to cases/, or list it in withoutCase with the reason): %s",
			strings.Join(missing, ", "))
	}
	for id := range withoutCase {
		if _, ok := cat.Get(id); !ok {
			t.Errorf("withoutCase lists %s, which is not in the catalogue", id)
		}
	}
}

// Every allowed outcome of a requirement with choices is accepted by some
// case: a choice no case accepts is one the suite would fail a target for. A
// labelled outcome (choice: REQ-ID=label) accepts its label; a status-code
// label ("401") is also accepted by an outcome of a case of that requirement
// whose status set has the code.
func TestEveryChoiceHasACase(t *testing.T) {
	t.Parallel()
	cat := catalogue(t)
	files, err := cases.LoadEmbeddedCases()
	if err != nil {
		t.Fatalf("cases: %v", err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		for _, c := range f.Cases {
			for _, s := range c.Steps {
				for _, o := range s.Alternatives() {
					seen[o.Choice] = true
					for _, id := range c.Requirements {
						for _, code := range o.Expect.Status {
							seen[id+"="+strconv.Itoa(code)] = true
						}
					}
				}
			}
		}
	}
	for _, r := range cat.Requirements {
		for _, label := range r.Choices {
			if !seen[r.ID+"="+label] {
				t.Errorf("no case accepts %s=%s as an outcome", r.ID, label)
			}
		}
	}
}
