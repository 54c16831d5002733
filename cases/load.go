package cases

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"gopkg.in/yaml.v3"

	"github.com/drsconform/drsconform/conformance"
	"github.com/drsconform/drsconform/internal/suggest"
	"github.com/drsconform/drsconform/internal/yamlschema"
	"github.com/drsconform/drsconform/result"
)

// caseYAML is a case as written: a single step may stand on the case itself.
type caseYAML struct {
	ID           string             `yaml:"id"`
	Title        string             `yaml:"title"`
	Description  string             `yaml:"description"`
	Requirements []string           `yaml:"requirements"`
	Tags         []string           `yaml:"tags"`
	Fixtures     map[string]Fixture `yaml:"fixtures"`
	Step         `yaml:",inline"`
	Steps        []Step `yaml:"steps"`
}

type fileYAML struct {
	Theme       string     `yaml:"theme"`
	Title       string     `yaml:"title"`
	Description string     `yaml:"description"`
	Cases       []caseYAML `yaml:"cases"`
}

// LoadCases reads every *.yaml file of fsys (not recursive), validates each
// against the case format's JSON Schema and checks what a schema cannot: IDs
// unique across files, requirements known to the catalogue, task statuses
// known to the spec (conformance.KnownStatuses), every fixture a body or
// expectation names defined. Problems come back together as
// yamlschema.Problems, each at file:line.
func LoadCases(fsys fs.FS, dir string) ([]*File, error) {
	schema, err := caseSchema()
	if err != nil {
		return nil, err
	}
	catalogue, err := conformance.Requirements()
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no case files (*.yaml)", dir)
	}
	sort.Strings(names)
	var files []*File
	var problems yamlschema.Problems
	seen := map[string]string{} // case ID → file:line
	for _, name := range names {
		display := path.Join(dir, name)
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			problems = append(problems, yamlschema.Problem{File: display, Message: err.Error()})
			continue
		}
		f, err := ParseCaseFile(display, data, schema, catalogue)
		if err != nil {
			problems = appendProblems(problems, display, err)
			continue
		}
		for _, c := range f.Cases {
			where := fmt.Sprintf("%s:%d", c.File, c.Line)
			if prev, dup := seen[c.ID]; dup {
				problems = append(problems, yamlschema.Problem{File: c.File, Line: c.Line,
					Message: fmt.Sprintf("case id %q is already used at %s", c.ID, prev)})
				continue
			}
			seen[c.ID] = where
		}
		files = append(files, f)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return files, nil
}

// LoadEmbeddedCases loads the cases shipped in the binary (cases/*.yaml).
func LoadEmbeddedCases() ([]*File, error) { return LoadCases(FS, "cases") }

func appendProblems(ps yamlschema.Problems, file string, err error) yamlschema.Problems {
	var more yamlschema.Problems
	if errors.As(err, &more) {
		return append(ps, more...)
	}
	return append(ps, yamlschema.Problem{File: file, Message: err.Error()})
}

func caseSchema() (*jsonschema.Schema, error) {
	raw, err := fs.ReadFile(FS, SchemaFile)
	if err != nil {
		return nil, err
	}
	return yamlschema.Compile(SchemaFile, raw)
}

// ParseCaseFile parses and checks one case file.
func ParseCaseFile(file string, data []byte, schema *jsonschema.Schema, catalogue *conformance.Catalogue) (*File, error) {
	doc, err := yamlschema.Parse(file, data)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(schema); err != nil {
		return nil, err
	}
	var raw fileYAML
	if err := doc.Decode(&raw); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	f := &File{Path: file, SHA256: hex.EncodeToString(sum[:]), Theme: raw.Theme, Title: raw.Title, Description: raw.Description}
	var problems yamlschema.Problems
	at := func(ptr, format string, args ...any) {
		n := doc.Lookup(ptr)
		problems = append(problems, yamlschema.Problem{File: file, Line: n.Line, Column: n.Column,
			Pointer: ptr, Message: fmt.Sprintf(format, args...)})
	}
	for i, rc := range raw.Cases {
		base := fmt.Sprintf("/cases/%d", i)
		c := &Case{ID: rc.ID, Title: rc.Title, Description: rc.Description, Requirements: rc.Requirements,
			Tags: rc.Tags, Fixtures: rc.Fixtures, Steps: rc.Steps, Theme: raw.Theme, File: file,
			Line: doc.Lookup(base + "/id").Line}
		if c.Fixtures == nil {
			c.Fixtures = map[string]Fixture{}
		}
		if len(c.Fixtures) > 0 {
			c.FixtureOrder = mappingKeys(doc.Lookup(base + "/fixtures"))
		}
		shape := func(ptr string, s Step) {
			if len(s.Concurrent) > 0 || s.ExpectGroup != nil {
				groupShape(at, ptr, s, c, catalogue)
				return
			}
			switch {
			case s.Expect != nil && len(s.Outcomes) > 0:
				at(ptr+"/outcomes", "a step has expect (with then) or outcomes, not both")
			case s.Expect == nil && len(s.Outcomes) == 0:
				at(ptr, "no expect or outcomes: what must the answer be?")
			case len(s.Outcomes) > 0 && len(s.Then) > 0:
				at(ptr+"/then", "with outcomes, each outcome has its own then")
			}
			r := s.Request
			if n := btoi(r.Body != nil) + btoi(r.RawBody != nil) + btoi(r.RawBodyBytes != nil) + btoi(r.Batch != nil); n > 1 {
				at(ptr+"/request", "one of body, raw_body and raw_body_bytes, or batch; not %d", n)
			}
			if r.Batch != nil {
				checkBatch(at, ptr+"/request/batch", r.Batch, c)
			}
			if r.RawBodyBytes != nil && !hasByteEscape(*r.RawBodyBytes) {
				at(ptr+"/request/raw_body_bytes", `no \xHH byte escape: write raw_body instead`)
			}
		}
		hasSingle := rc.Step.Expect != nil || len(rc.Step.Outcomes) > 0 || len(rc.Step.Then) > 0 ||
			rc.Step.Request.Body != nil || rc.Step.Request.RawBody != nil || rc.Step.Request.RawBodyBytes != nil || rc.Step.Request.Batch != nil ||
			len(rc.Step.Request.Headers) > 0 || len(rc.Step.Request.RemoveHeaders) > 0 || rc.Step.Request.Project != "" ||
			rc.Step.Request.Credential != ""
		switch {
		case len(rc.Steps) > 0 && hasSingle:
			at(base+"/steps", "a case has steps, or request/expect/then on the case itself, not both")
		case len(rc.Steps) > 0:
			for k, s := range rc.Steps {
				shape(fmt.Sprintf("%s/steps/%d", base, k), s)
			}
		default:
			if doc.Lookup(base+"/request") == doc.Lookup(base) {
				at(base, "no request and no steps: what does case %s send?", c.ID)
			}
			shape(base, rc.Step)
			c.Steps = []Step{rc.Step}
		}
		for _, name := range c.FixtureOrder {
			fx := c.Fixtures[name]
			ptr := base + "/fixtures/" + name
			switch {
			case fx.Absent && (fx.Status != "" || fx.Parent || fx.DualActive || fx.Busy):
				at(ptr, "an absent fixture is never made: it takes no status, parent, dual_active or busy")
			case !fx.Absent && fx.IDKind != "":
				at(ptr+"/id_kind", "id_kind shapes the ID of an absent fixture; the harness names the tasks it makes")
			case !fx.Absent && fx.Status == "":
				at(ptr, "no status: in which state must fixture %s be made?", name)
			case !fx.Absent:
				knownStatus(at, ptr+"/status", fx.Status)
			}
		}
		for j, id := range c.Requirements {
			if _, ok := catalogue.Get(id); !ok {
				at(fmt.Sprintf("%s/requirements/%d", base, j), "unknown requirement %s (not in %s)", id, conformance.RequirementsFile)
			}
		}
		stepBase := func(k int) string {
			if len(rc.Steps) == 0 {
				return base
			}
			return fmt.Sprintf("%s/steps/%d", base, k)
		}
		for k, s := range c.Steps {
			sb := stepBase(k)
			for q, r := range s.Requests() {
				rp := sb + "/request"
				if len(s.Concurrent) > 0 {
					rp = fmt.Sprintf("%s/concurrent/%d", sb, q)
				}
				for _, name := range templateNames(r) {
					if _, ok := c.Fixtures[name]; !ok && !builtinName(name) {
						at(rp, "{{%s}} names no fixture of case %s (fixtures: %s)", name, c.ID, strings.Join(c.FixtureOrder, ", "))
					}
				}
			}
			alts := s.Alternatives()
			if g := s.ExpectGroup; g != nil && len(s.Concurrent) > 0 {
				// A group's per-request expects and its then, checked as
				// outcomes are (fixture names, requirements, statuses).
				for q := range s.Concurrent {
					o := Outcome{Expect: g.ForRequest(q)}
					if q == 0 {
						o.Then = s.Then
					}
					alts = append(alts, o)
				}
			}
			for m, o := range alts {
				ob := sb
				if len(s.Outcomes) > 0 {
					ob = fmt.Sprintf("%s/outcomes/%d", sb, m)
					ch := result.ParseChoice(o.Choice)
					if r, ok := catalogue.Get(ch.Requirement); !ok {
						at(ob+"/choice", "unknown requirement %s", ch.Requirement)
					} else if !slices.Contains(r.Choices, ch.Label) {
						at(ob+"/choice", "%s allows %s, not %q", ch.Requirement, strings.Join(r.Choices, ", "), ch.Label)
					}
				}
				for name, ie := range o.Expect.Results {
					if _, ok := c.Fixtures[name]; !ok {
						at(ob+"/expect/results/"+name, "result expectation for %q, which is no fixture of case %s", name, c.ID)
					}
					if ie.Requirement != "" {
						if _, ok := catalogue.Get(ie.Requirement); !ok {
							at(ob+"/expect/results/"+name+"/requirement", "unknown requirement %s", ie.Requirement)
						}
					}
				}
				for name, p := range o.Then {
					if _, ok := c.Fixtures[name]; !ok {
						at(ob+"/then/"+name, "post-condition for %q, which is no fixture of case %s", name, c.ID)
					}
					pb := ob + "/then/" + name
					if p.Status != "" {
						knownStatus(at, pb+"/status", p.Status)
					}
					for k, st := range p.StatusIn {
						knownStatus(at, fmt.Sprintf("%s/status_in/%d", pb, k), st)
					}
					if p.OrGone && len(p.StatusIn) == 0 {
						at(pb+"/or_gone", "or_gone widens status_in: without status_in, write gone")
					}
					if p.NotStatus != "" {
						knownStatus(at, pb+"/not_status", p.NotStatus)
					}
					if p.Stays != "" {
						d, err := time.ParseDuration(p.Stays)
						switch {
						case err != nil || d <= 0 || d > MaxStays:
							at(pb+"/stays", "stays %q: want a duration above 0 and at most %s, as 2s", p.Stays, MaxStays)
						case !p.Eventual():
							at(pb+"/stays", "stays goes with gone, status, status_in or not_status; exists and unchanged are read once")
						}
					}
					if p.Requirement != "" {
						if _, ok := catalogue.Get(p.Requirement); !ok {
							at(ob+"/then/"+name+"/requirement", "unknown requirement %s", p.Requirement)
						}
					}
				}
				if r := o.Expect.Requirement; r != "" {
					if _, ok := catalogue.Get(r); !ok {
						at(ob+"/expect/requirement", "unknown requirement %s", r)
					}
				}
			}
		}
		f.Cases = append(f.Cases, c)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return f, nil
}

// groupShape checks a concurrent step: expect_group and then judge the
// group, so it takes no expect or outcomes; per_request has at most one
// expect per request; successes_at_* name fixtures of the case.
func groupShape(at func(ptr, format string, args ...any), ptr string, s Step, c *Case, catalogue *conformance.Catalogue) {
	g := s.ExpectGroup
	switch {
	case len(s.Concurrent) == 0:
		at(ptr+"/expect_group", "expect_group judges a concurrent group: this step has none")
		return
	case g == nil:
		at(ptr, "no expect_group: what must the answers of the concurrent group be?")
		return
	case s.Expect != nil || len(s.Outcomes) > 0:
		at(ptr, "a concurrent step has expect_group and then, not expect or outcomes")
	}
	if _, ok := catalogue.Get(g.Requirement); !ok {
		at(ptr+"/expect_group/requirement", "unknown requirement %s", g.Requirement)
	}
	if len(g.PerRequest) > len(s.Concurrent) {
		at(ptr+"/expect_group/per_request", "%d expects for %d concurrent requests", len(g.PerRequest), len(s.Concurrent))
	}
	for q := range s.Concurrent {
		if len(g.ForRequest(q).Status) == 0 {
			at(ptr+"/expect_group", "no status for concurrent request %d: set status (for all) or per_request[%d].status", q+1, q)
		}
	}
	for _, bound := range []struct {
		key string
		m   map[string]int
	}{{"successes_at_most", g.SuccessesAtMost}, {"successes_at_least", g.SuccessesAtLeast}} {
		for name := range bound.m {
			if _, ok := c.Fixtures[name]; !ok {
				at(ptr+"/expect_group/"+bound.key+"/"+name, "%s names %q, which is no fixture of case %s", bound.key, name, c.ID)
			}
		}
	}
	for q, r := range s.Concurrent {
		rp := fmt.Sprintf("%s/concurrent/%d", ptr, q)
		if n := btoi(r.Body != nil) + btoi(r.RawBody != nil) + btoi(r.RawBodyBytes != nil); n > 1 {
			at(rp, "one of body, raw_body and raw_body_bytes, not %d", n)
		}
		if r.RawBodyBytes != nil && !hasByteEscape(*r.RawBodyBytes) {
			at(rp+"/raw_body_bytes", `no \xHH byte escape: write raw_body instead`)
		}
	}
}

// knownStatus reports a task status that is not one of the spec's
// (conformance.KnownStatuses) at ptr, with the nearest one as a suggestion: a
// misspelt status would otherwise reach the harness, be refused, and skip the
// case without a word about the typo.
func knownStatus(at func(ptr, format string, args ...any), ptr, status string) {
	if conformance.KnownStatus(status) {
		return
	}
	hint := ""
	if near := suggest.Nearest(status, conformance.KnownStatuses()); near != "" {
		hint = fmt.Sprintf(": did you mean %s?", near)
	}
	at(ptr, "unknown task status %s (not in the appendix Task Statuses, drs_05_0005, nor among the SDK's)%s", status, hint)
}

func mappingKeys(n *yaml.Node) []string {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var keys []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys = append(keys, n.Content[i].Value)
	}
	return keys
}

// CasesByRequirement maps each requirement ID to the IDs of the cases that
// name it, in file order.
func CasesByRequirement(files []*File) map[string][]string {
	out := map[string][]string{}
	for _, f := range files {
		for _, c := range f.Cases {
			for _, r := range c.Requirements {
				out[r] = append(out[r], c.ID)
			}
		}
	}
	return out
}

// checkBatch checks a generated batch: every position within size, every
// name a fixture of the case, each fixture at one position.
func checkBatch(at func(ptr, format string, args ...any), ptr string, b *Batch, c *Case) {
	where := map[string]int{}
	for _, pos := range slices.Sorted(maps.Keys(b.At)) {
		name := b.At[pos]
		pp := fmt.Sprintf("%s/at/%d", ptr, pos)
		if pos < 1 || pos > b.Size {
			at(pp, "position %d is outside the batch (1..%d)", pos, b.Size)
		}
		if _, ok := c.Fixtures[name]; !ok {
			at(pp, "%q names no fixture of case %s (fixtures: %s)", name, c.ID, strings.Join(c.FixtureOrder, ", "))
		}
		if prev, dup := where[name]; dup {
			at(pp, "fixture %s is already at position %d: a repeated job_id is another requirement (REQ-STA-11)", name, prev)
		}
		where[name] = pos
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
