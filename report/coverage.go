package report

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/drsconform/drsconform/conformance"
	"github.com/drsconform/drsconform/contract"
	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/schemas"
)

// Coverage says which parts of the contract a run exercised: status codes,
// delete types, task statuses, headers and schema fields. It is computed
// from the evidence of a report alone, so that a saved report.json gives the
// same coverage as the run that wrote it.
type Coverage struct {
	Sections []CoverageSection `json:"sections"`
}

// CoverageSection is one dimension of the contract.
type CoverageSection struct {
	Name  string         `json:"name"`
	About string         `json:"about"` // what counts as exercised
	Items []CoverageItem `json:"items"`
}

// CoverageItem is one value of a dimension.
type CoverageItem struct {
	Name    string   `json:"name"`
	Covered bool     `json:"covered"`
	Extra   bool     `json:"extra,omitempty"` // seen, but outside the contract's set
	Cases   []string `json:"cases,omitempty"` // the cases that exercised it, in report order
	Note    string   `json:"note,omitempty"`
}

// Counts returns how many of the section's contract items were covered, and
// how many there are (extras are not counted).
func (s CoverageSection) Counts() (covered, total int) {
	for _, it := range s.Items {
		if it.Extra {
			continue
		}
		total++
		if it.Covered {
			covered++
		}
	}
	return covered, total
}

// Header variants: what a request did with each header the contract names.
const (
	ctJSON       = "Content-Type: application/json"
	ctJSONParams = "Content-Type: application/json with parameters (charset=…)"
	ctOther      = "Content-Type: another media type"
	ctAbsent     = "Content-Type: absent"
	tokPresent   = "X-Auth-Token: present"
	tokAbsent    = "X-Auth-Token: absent"
	langAbsent   = "X-Language: absent"
	langEN       = "X-Language: en-us"
	langZH       = "X-Language: zh-cn"
	langOther    = "X-Language: another value"
)

var headerVariants = []string{ctJSON, ctJSONParams, ctOther, ctAbsent, tokPresent, tokAbsent, langAbsent, langEN, langZH, langOther}

// tally collects, for each item name, the cases that exercised it.
type tally struct {
	cases map[string][]string
	notes map[string]string
}

func newTally() *tally { return &tally{cases: map[string][]string{}, notes: map[string]string{}} }

func (t *tally) add(item, caseID string) {
	if !slices.Contains(t.cases[item], caseID) {
		t.cases[item] = append(t.cases[item], caseID)
	}
}

// items lists the contract's set in order, then what was seen beyond it
// (sorted), marked extra.
func (t *tally) items(set []string, extraNote string) []CoverageItem {
	return setThenExtra(set, t.cases, t.notes, extraNote, func(name string, extra bool, note string) CoverageItem {
		cs := t.cases[name]
		return CoverageItem{Name: name, Covered: extra || len(cs) > 0, Extra: extra, Cases: cs, Note: note}
	})
}

// setThenExtra lists set in order, then the names seen beyond it (sorted),
// each made by item with its note from notes (extraNote for an extra that
// has none). Spec coverage of runs (tally) and of proxy logs (counter)
// share it.
func setThenExtra[V any](set []string, seen map[string]V, notes map[string]string, extraNote string,
	item func(name string, extra bool, note string) CoverageItem) []CoverageItem {
	out := make([]CoverageItem, 0, len(set))
	for _, name := range set {
		out = append(out, item(name, false, notes[name]))
	}
	var extra []string
	for name := range seen {
		if !slices.Contains(set, name) {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		note := extraNote
		if n := notes[name]; n != "" {
			note = n
		}
		out = append(out, item(name, true, note))
	}
	return out
}

// ComputeCoverage measures the report's evidence against the contract.
func ComputeCoverage(r *result.Report) (*Coverage, error) {
	statusSet, err := contractStatuses()
	if err != nil {
		return nil, err
	}
	sch, err := loadSchemaFields()
	if err != nil {
		return nil, err
	}
	dtSet := sch.enum(schemas.DeleteJobReq, "delete_type")
	statuses, deleteTypes, tasks, headers, fields := newTally(), newTally(), newTally(), newTally(), newTally()
	for _, c := range r.Cases {
		for _, st := range c.FixtureStatuses {
			tasks.add(st, c.ID)
		}
		for _, e := range c.Evidence {
			switch e.Kind {
			case result.KindFixture:
				// the state asked for, when the harness made the task
				if e.Status == http.StatusCreated && e.Sent != nil && e.Sent.Status != "" {
					tasks.add(e.Sent.Status, c.ID)
				}
				continue
			case result.KindAPI:
			default:
				continue
			}
			headerVariant(e.RequestHeaders, c.ID, headers)
			if e.Status != 0 {
				statuses.add(strconv.Itoa(e.Status), c.ID)
			}
			if v, ok := sentValue(e.Sent); ok {
				sch.walk(schemas.BatchDeleteJobReq, v, "sent", c.ID, fields)
			}
			if e.Sent != nil {
				for _, j := range e.Sent.Jobs {
					if j.DeleteType == nil {
						continue
					}
					name := *j.DeleteType
					if !slices.Contains(dtSet, name) {
						// quoted, so " delete" is not read as delete, nor "" as nothing
						name = strconv.Quote(name)
						deleteTypes.notes[name] = "sent as invalid input (REQ-VAL-04)"
					}
					deleteTypes.add(name, c.ID)
				}
			}
			if v, ok := jsonValue(e.ResponseBody); ok {
				switch {
				case e.Status >= 200 && e.Status < 300:
					sch.walk(schemas.BatchDeleteJobResp, v, "received", c.ID, fields)
				case e.Status >= 400 && e.Status < 500:
					sch.walk(schemas.ErrorResponse, v, "received", c.ID, fields)
				}
			}
		}
	}
	var statusStrings []string
	for _, s := range statusSet {
		statusStrings = append(statusStrings, strconv.Itoa(s))
	}
	return &Coverage{Sections: []CoverageSection{
		{Name: "Status codes", About: "answers of the endpoint with this status; the set is the operation's responses in the OpenAPI document",
			Items: statuses.items(statusStrings, "not declared by the contract")},
		{Name: "Delete types", About: "requests that sent this delete_type; the set is the enum of DeleteJobReq.delete_type",
			Items: deleteTypes.items(dtSet, "")},
		{Name: "Task statuses", About: "cases that made a task in this state (through the fixture protocol) and then acted on it; the set is the 23 statuses of the appendix Task Statuses",
			Items: tasks.items(conformance.TaskStatuses(), "not one of the appendix's 23 statuses")},
		{Name: "Headers", About: "requests that sent the header so",
			Items: headers.items(headerVariants, "")},
		{Name: "Schema fields", About: "requests that sent the field, or answers that carried it, and each enum value; the set is every property of schemas/*.json",
			Items: fields.items(sch.items(), "not in the schema")},
	}}, nil
}

// contractStatuses are the status codes the operation declares.
func contractStatuses() ([]int, error) {
	ct, err := contract.Default()
	if err != nil {
		return nil, err
	}
	var out []int
	for _, item := range ct.Document().Paths.Map() {
		op := item.Delete
		if op == nil || op.Responses == nil {
			continue
		}
		for code := range op.Responses.Map() {
			if n, err := strconv.Atoi(code); err == nil && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	sort.Ints(out)
	return out, nil
}

func jsonValue(s string) (any, bool) {
	if strings.TrimSpace(s) == "" {
		return nil, false
	}
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, false
	}
	return v, true
}

// sentValue is the shape of a request body that schemaFields.walk needs,
// from what the runner recorded it sent: its members, and in "jobs" each
// object's members with the string values of delete_type and job_id (the
// only request fields with values coverage names). ok is false for a body
// that is not a JSON object.
func sentValue(s *result.SentRequest) (v any, ok bool) {
	if s == nil || !s.JSON || len(s.Members) == 0 {
		return nil, false
	}
	obj := map[string]any{}
	for _, m := range s.Members {
		obj[m] = nil
	}
	if _, ok := obj["jobs"]; ok && len(s.Jobs) > 0 {
		jobs := make([]any, 0, len(s.Jobs))
		for _, j := range s.Jobs {
			item := map[string]any{}
			for _, m := range j.Members {
				item[m] = nil
			}
			if j.DeleteType != nil {
				item["delete_type"] = *j.DeleteType
			}
			if j.JobID != nil {
				item["job_id"] = *j.JobID
			}
			jobs = append(jobs, item)
		}
		obj["jobs"] = jobs
	}
	return obj, true
}

func headerVariant(h map[string][]string, caseID string, t *tally) {
	get := func(name string) (string, bool) {
		for k, vs := range h {
			if strings.EqualFold(k, name) && len(vs) > 0 {
				return vs[0], true
			}
		}
		return "", false
	}
	switch ct, ok := get("Content-Type"); {
	case !ok:
		t.add(ctAbsent, caseID)
	default:
		mt, params, err := mime.ParseMediaType(ct)
		switch {
		case err == nil && mt == "application/json" && len(params) == 0:
			t.add(ctJSON, caseID)
		case err == nil && mt == "application/json":
			t.add(ctJSONParams, caseID)
		default:
			t.add(ctOther, caseID)
		}
	}
	if _, ok := get("X-Auth-Token"); ok {
		t.add(tokPresent, caseID)
	} else {
		t.add(tokAbsent, caseID)
	}
	switch lang, ok := get("X-Language"); {
	case !ok:
		t.add(langAbsent, caseID)
	case lang == "en-us":
		t.add(langEN, caseID)
	case lang == "zh-cn":
		t.add(langZH, caseID)
	default:
		t.add(langOther, caseID)
	}
}

// schemaFields is what coverage needs of the JSON Schemas in schemas/: each
// file's title and properties, where a property leads ($ref, items.$ref) and
// its enum.
type schemaFields map[string]*schemaFile

type schemaFile struct {
	Title      string                     `json:"title"`
	Properties map[string]*schemaProperty `json:"properties"`
}

type schemaProperty struct {
	Ref   string   `json:"$ref"`
	Enum  []string `json:"enum"`
	Items *struct {
		Ref string `json:"$ref"`
	} `json:"items"`
}

func loadSchemaFields() (schemaFields, error) {
	names, err := fs.Glob(schemas.FS, "*.json")
	if err != nil {
		return nil, err
	}
	out := schemaFields{}
	for _, name := range names {
		raw, err := fs.ReadFile(schemas.FS, name)
		if err != nil {
			return nil, err
		}
		var f schemaFile
		if err := json.Unmarshal(raw, &f); err != nil {
			return nil, fmt.Errorf("schemas/%s: %w", name, err)
		}
		if f.Title == "" {
			f.Title = strings.TrimSuffix(name, ".json")
		}
		out[name] = &f
	}
	return out, nil
}

// schemaOrder lists request bodies first, then answers.
var schemaOrder = []string{schemas.BatchDeleteJobReq, schemas.DeleteJobReq, schemas.BatchDeleteJobResp, schemas.DeleteJobResp, schemas.ErrorResponse}

// items lists every field, then every enum value, of every schema.
func (s schemaFields) items() []string {
	names := slices.Clone(schemaOrder)
	for name := range s {
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	sort.Strings(names[len(schemaOrder):])
	var out []string
	for _, name := range names {
		f, ok := s[name]
		if !ok {
			continue
		}
		props := make([]string, 0, len(f.Properties))
		for p := range f.Properties {
			props = append(props, p)
		}
		sort.Strings(props)
		for _, p := range props {
			out = append(out, f.Title+"."+p)
			for _, v := range f.Properties[p].Enum {
				out = append(out, f.Title+"."+p+" = "+v)
			}
		}
	}
	return out
}

func (s schemaFields) enum(file, prop string) []string {
	if f, ok := s[file]; ok {
		if p, ok := f.Properties[prop]; ok {
			return p.Enum
		}
	}
	return nil
}

// walk marks the fields of schema file that value v has, following $refs
// into objects and arrays. Fields the schema does not know are noted as
// extra: a request that sends them exercises REQ-VAL-09, an answer that
// carries them is worth a look.
func (s schemaFields) walk(file string, v any, how, caseID string, t *tally) {
	f, ok := s[file]
	if !ok {
		return
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return
	}
	for key, val := range obj {
		p, known := f.Properties[key]
		name := f.Title + "." + key
		if !known {
			t.add(name, caseID)
			t.notes[name] = "not in the schema (" + how + ")"
			continue
		}
		t.add(name, caseID)
		if str, ok := val.(string); ok && slices.Contains(p.Enum, str) {
			t.add(name+" = "+str, caseID)
		}
		switch {
		case p.Ref != "":
			s.walk(p.Ref, val, how, caseID, t)
		case p.Items != nil && p.Items.Ref != "":
			if arr, ok := val.([]any); ok {
				for _, el := range arr {
					s.walk(p.Items.Ref, el, how, caseID, t)
				}
			}
		}
	}
}
