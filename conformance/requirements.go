// Package conformance says what "conforming" means for
// DELETE /v3/{project_id}/jobs/batch-jobs: the requirement catalogue
// (requirements.yaml) and, in its tests, the `go test` entry point that plays
// every case against a target.
package conformance

import (
	_ "embed"
	"fmt"
	"sort"
	"sync"

	"github.com/drsconform/drsconform/internal/yamlschema"
)

//go:embed requirements.yaml
var requirementsYAML []byte

//go:embed requirements.schema.json
var requirementsSchema []byte

// RequirementsFile is the name the catalogue is reported under.
const RequirementsFile = "conformance/requirements.yaml"

// Level is an RFC 2119 keyword.
type Level string

// The levels a requirement can have.
const (
	MUST   Level = "MUST"
	SHOULD Level = "SHOULD"
	MAY    Level = "MAY"
)

// Source is where a requirement comes from.
type Source struct {
	// Document is drs_03_0113 (the API page), related (a neighbouring page
	// of the DRS documentation, named in Section) or profile (a decision
	// where the pages are silent).
	Document string `yaml:"document" json:"document"`
	Section  string `yaml:"section,omitempty" json:"section,omitempty"`
	Quote    string `yaml:"quote,omitempty" json:"quote,omitempty"`
	Note     string `yaml:"note,omitempty" json:"note,omitempty"`
	Reason   string `yaml:"reason,omitempty" json:"reason,omitempty"`
}

// String is the source in one line, for tables.
func (s Source) String() string {
	switch s.Document {
	case "profile":
		return "profile decision: " + s.Reason
	case "related":
		return fmt.Sprintf("%s: “%s”", s.Section, s.Quote)
	}
	return fmt.Sprintf("drs_03_0113, %s: “%s”", s.Section, s.Quote)
}

// Requirement is one entry of the catalogue.
type Requirement struct {
	ID       string   `yaml:"id" json:"id"`
	Level    Level    `yaml:"level" json:"level"`
	Sentence string   `yaml:"sentence" json:"sentence"`
	Source   Source   `yaml:"source" json:"source"`
	Choices  []string `yaml:"choices,omitempty" json:"choices,omitempty"`
}

// Catalogue is the loaded requirement catalogue, in file order.
type Catalogue struct {
	Requirements []Requirement
	byID         map[string]int
}

// Get returns the requirement with the given ID.
func (c *Catalogue) Get(id string) (Requirement, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Requirement{}, false
	}
	return c.Requirements[i], true
}

// IDs returns every requirement ID in file order.
func (c *Catalogue) IDs() []string {
	ids := make([]string, len(c.Requirements))
	for i, r := range c.Requirements {
		ids[i] = r.ID
	}
	return ids
}

var loadRequirements = sync.OnceValues(func() (*Catalogue, error) {
	return ParseRequirements(RequirementsFile, requirementsYAML)
})

// Requirements returns the embedded catalogue, loaded and validated once.
func Requirements() (*Catalogue, error) { return loadRequirements() }

// RequirementsSource returns the embedded catalogue's bytes (for digests).
func RequirementsSource() []byte { return requirementsYAML }

// ParseRequirements parses and validates a catalogue; problems come back as
// yamlschema.Problems with file:line.
func ParseRequirements(file string, data []byte) (*Catalogue, error) {
	schema, err := yamlschema.Compile("requirements.schema.json", requirementsSchema)
	if err != nil {
		return nil, err
	}
	doc, err := yamlschema.Parse(file, data)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(schema); err != nil {
		return nil, err
	}
	var raw struct {
		Requirements []Requirement `yaml:"requirements"`
	}
	if err := doc.Decode(&raw); err != nil {
		return nil, err
	}
	c := &Catalogue{Requirements: raw.Requirements, byID: map[string]int{}}
	var problems yamlschema.Problems
	for i, r := range raw.Requirements {
		if j, dup := c.byID[r.ID]; dup {
			n := doc.Lookup(fmt.Sprintf("/requirements/%d/id", i))
			problems = append(problems, yamlschema.Problem{File: file, Line: n.Line,
				Pointer: fmt.Sprintf("/requirements/%d/id", i),
				Message: fmt.Sprintf("%s is defined twice (also at /requirements/%d)", r.ID, j)})
			continue
		}
		c.byID[r.ID] = i
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return c, nil
}

// SortIDs sorts requirement IDs in catalogue order; unknown IDs go last.
func (c *Catalogue) SortIDs(ids []string) {
	sort.SliceStable(ids, func(i, j int) bool {
		a, aok := c.byID[ids[i]]
		b, bok := c.byID[ids[j]]
		switch {
		case aok && bok:
			return a < b
		case aok != bok:
			return aok
		}
		return ids[i] < ids[j]
	})
}
