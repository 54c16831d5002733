package reference

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/drsconform/drsconform/contract"
)

// DeleteType is the delete_type of a DeleteJobReq (API page, Table 4).
type DeleteType string

// The three delete types of the page.
const (
	Terminate      DeleteType = "terminate"
	ForceTerminate DeleteType = "force_terminate"
	Delete         DeleteType = "delete"
)

// DeleteJobReq is one item of the batch (Table 4).
type DeleteJobReq struct {
	DeleteType DeleteType `json:"delete_type"`
	JobID      string     `json:"job_id"`
}

// DeleteJobResp is the outcome of one item (Table 6). A success carries no
// error fields (REQ-RES-06).
type DeleteJobResp struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	ErrorCode string `json:"error_code,omitempty"`
	ErrorMsg  string `json:"error_msg,omitempty"`
}

// Item statuses of DeleteJobResp.
const (
	ItemSuccess = "success"
	ItemFailed  = "failed"
)

// BatchDeleteJobResp is the 202 body (Table 5).
type BatchDeleteJobResp struct {
	Count   int             `json:"count"`
	Results []DeleteJobResp `json:"results"`
}

// handleBatchJobs serves DELETE /v3/{project_id}/jobs/batch-jobs:
// read, authenticate, validate the whole batch, then decide and apply each
// item on its own, and encode one result per item in request order.
func (s *Server) handleBatchJobs(w http.ResponseWriter, r *http.Request) {
	lang := languageOf(r)
	body, p := s.readBody(w, r)
	if p == nil {
		p = s.authenticate(r, body)
	}
	var jobs []DeleteJobReq
	if p == nil {
		jobs, p = s.rules.validate(s, r, body)
	}
	if p != nil {
		writeProblem(w, lang, p)
		return
	}
	writeJSON(w, http.StatusAccepted, s.actOnBatch(r.PathValue("project_id"), jobs, lang))
}

// validateBatch is decision point 1: the whole batch is checked before any
// item is acted on, so a 400 changes nothing (REQ-VAL-08).
func validateBatch(s *Server, r *http.Request, body []byte) ([]DeleteJobReq, *problem) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, newProblem(http.StatusBadRequest, msgParamEmpty, "jobs") // REQ-VAL-01
	}
	if p := s.problemOf(s.contract.ValidateRequest(r, body)); p != nil {
		return nil, p
	}
	jobs, p := decodeBatch(body, s.cfg.UnknownFields)
	if p != nil {
		return nil, p
	}
	if s.cfg.Duplicates == DuplicatesReject { // REQ-STA-11, rejected-400
		seen := make(map[string]struct{}, len(jobs))
		for _, j := range jobs {
			if _, dup := seen[j.JobID]; dup {
				return nil, newProblem(http.StatusBadRequest, msgDuplicate, "job_id")
			}
			seen[j.JobID] = struct{}{}
		}
	}
	return jobs, nil
}

// problemOf turns the contract's violations into the one answer the request
// gets, most fundamental first: credential, route, headers, body.
func (s *Server) problemOf(vs contract.Violations) *problem {
	if len(vs) == 0 {
		return nil
	}
	for _, v := range vs {
		switch v.Layer {
		case contract.LayerSecurity:
			return newProblem(http.StatusUnauthorized, msgNoCredential) // REQ-HDR-01
		case contract.LayerRoute:
			return newProblem(http.StatusNotFound, msgNoRoute, "DELETE", v.Pointer)
		}
	}
	for _, v := range vs {
		if v.Layer != contract.LayerParameter {
			continue
		}
		if strings.EqualFold(v.Pointer, "X-Language") {
			if s.cfg.OtherLanguage == OtherLanguageReject { // REQ-HDR-04, rejected-400
				return newProblem(http.StatusBadRequest, msgParamInvalid, "X-Language")
			}
			continue // REQ-HDR-04, treated-as-default
		}
		return newProblem(http.StatusBadRequest, msgParamInvalid, v.Pointer)
	}
	for _, v := range vs {
		if v.Layer == contract.LayerContentType { // REQ-HDR-02
			if strings.HasPrefix(v.Message, "no Content-Type") {
				return newProblem(s.cfg.WrongContentTypeStatus, msgParamEmpty, "Content-Type")
			}
			return newProblem(s.cfg.WrongContentTypeStatus, msgParamInvalid, "Content-Type")
		}
	}
	for _, v := range vs {
		if v.Layer != contract.LayerBody {
			continue
		}
		name := parameterName(v.Pointer)
		switch {
		case v.Keyword == "json" && v.Requirement == "REQ-VAL-10":
			// Not UTF-8, so not JSON: never decoded with U+FFFD in place of
			// the bad bytes, which would act on a job_id nobody sent.
			return newProblem(http.StatusBadRequest, msgNotUTF8)
		case v.Keyword == "json":
			return newProblem(http.StatusBadRequest, msgNotJSON) // REQ-VAL-01
		case v.Pointer == "" && v.Keyword == "type":
			return newProblem(http.StatusBadRequest, msgParamInvalid, "body") // REQ-VAL-02
		case v.Keyword == "required", v.Keyword == "minItems", v.Keyword == "minLength",
			v.Keyword == "type" && strings.HasSuffix(v.Message, "got null"):
			return newProblem(http.StatusBadRequest, msgParamEmpty, name)
		default:
			return newProblem(http.StatusBadRequest, msgParamInvalid, name)
		}
	}
	return nil
}

// parameterName writes a JSON pointer as a parameter name: /jobs/0/job_id
// is jobs[0].job_id.
func parameterName(ptr string) string {
	var b strings.Builder
	for i, seg := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		seg = strings.NewReplacer("~1", "/", "~0", "~").Replace(seg)
		switch {
		case i == 0:
			b.WriteString(seg)
		case isIndex(seg):
			b.WriteString("[" + seg + "]")
		default:
			b.WriteString("." + seg)
		}
	}
	return b.String()
}

func isIndex(seg string) bool {
	_, err := strconv.Atoi(seg)
	return err == nil
}

// decodeBatch reads the jobs of a body the contract has passed. Keys are
// matched exactly (encoding/json's struct decoding would also take JOB_ID
// for job_id, which the schema does not).
func decodeBatch(body []byte, unknown UnknownFieldPolicy) ([]DeleteJobReq, *problem) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, newProblem(http.StatusBadRequest, msgNotJSON)
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(top["jobs"], &items); err != nil {
		return nil, newProblem(http.StatusBadRequest, msgParamInvalid, "jobs")
	}
	if unknown == UnknownFieldsReject { // REQ-VAL-09, rejected-400
		for k := range top {
			if k != "jobs" {
				return nil, newProblem(http.StatusBadRequest, msgUnknownField, k)
			}
		}
	}
	jobs := make([]DeleteJobReq, len(items))
	for i, item := range items {
		var typ, id string
		if json.Unmarshal(item["delete_type"], &typ) != nil || json.Unmarshal(item["job_id"], &id) != nil {
			return nil, newProblem(http.StatusBadRequest, msgParamInvalid, "jobs["+strconv.Itoa(i)+"]")
		}
		if unknown == UnknownFieldsReject {
			for k := range item {
				if !knownItemField(k) {
					return nil, newProblem(http.StatusBadRequest, msgUnknownField, "jobs["+strconv.Itoa(i)+"]."+k)
				}
			}
		}
		jobs[i] = DeleteJobReq{DeleteType: DeleteType(typ), JobID: id}
	}
	return jobs, nil
}

// knownItemField lists the fields a DeleteJobReq may carry under
// UnknownFieldsReject: the page's two, and the one the Huawei Cloud SDK adds.
func knownItemField(k string) bool {
	switch k {
	case "delete_type", "job_id", "is_show_breakpoint_position":
		return true
	}
	return false
}

// actOnBatch decides and applies every item on its own (REQ-STA-09), in
// request order (REQ-RES-03), one result per entry (REQ-RES-02).
func (s *Server) actOnBatch(projectID string, jobs []DeleteJobReq, lang Lang) BatchDeleteJobResp {
	p, _ := s.store.lookup(projectID) // nil: the project has no tasks
	results := make([]DeleteJobResp, len(jobs))
	seen := make(map[string]struct{}, len(jobs))
	for i, job := range jobs {
		var d decision
		if _, dup := seen[job.JobID]; dup {
			d = fail(msgDuplicate) // REQ-STA-11, result-per-entry: the task is acted on once
		} else {
			seen[job.JobID] = struct{}{}
			d = s.rules.apply(s, p, job)
		}
		results[i] = s.rules.encode(job.JobID, d, lang)
	}
	return BatchDeleteJobResp{Count: len(results), Results: results}
}

// action is what an item does to its task.
type action int

const (
	actNone   action = iota // the item fails; the task is unchanged
	actStop                 // RELEASE_RESOURCE_STARTED, complete after the release delay
	actDelete               // the task is gone; a tombstone remains
)

// decision is the outcome of one item: an action, or the reason it failed.
type decision struct {
	act    action
	failed bool
	reason msgKey
}

func succeed(a action) decision   { return decision{act: a} }
func fail(reason msgKey) decision { return decision{failed: true, reason: reason} }

// snapshot is what decideItem may know about the task an item names.
type snapshot struct {
	state      lookupState
	status     Status
	parent     bool
	dualActive bool
	busy       bool
}

// decideItem is decision point 2: the rules of the catalogue for one item,
// a pure function of the task as observed and the delete type.
func decideItem(t snapshot, typ DeleteType) decision {
	switch {
	case t.state == taskUnknown:
		return fail(msgNotFound) // REQ-STA-05, and REQ-STA-06 for other projects' tasks
	case t.state == taskGone || t.status == Deleted:
		return fail(msgDeleted) // REQ-STA-08
	case t.parent && !t.dualActive:
		return fail(msgOnlySubtasks) // REQ-STA-10
	case t.busy:
		return fail(msgBusy) // REQ-STA-07
	}
	switch typ {
	case Delete:
		if Deletable(t.status) {
			return succeed(actDelete) // REQ-STA-01
		}
	case Terminate, ForceTerminate:
		if Stoppable(t.status) {
			return succeed(actStop) // REQ-STA-03, REQ-STA-04
		}
	}
	return fail(msgWrongStatus) // REQ-STA-02, REQ-STA-12
}

// applyItem is decision point 3: under the project's lock, observe the task,
// decide, and carry the decision out, so each item is atomic.
func applyItem(s *Server, p *project, job DeleteJobReq) decision {
	if p == nil {
		return s.rules.decide(snapshot{state: taskUnknown}, job.DeleteType)
	}
	now := s.cfg.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	t, live := p.tasks[job.JobID]
	snap := snapshot{state: taskUnknown}
	switch {
	case live:
		t.settle(now)
		snap = snapshot{state: taskLive, status: t.status, parent: t.parent, dualActive: t.dualActive, busy: t.busy}
	case p.isDeleted(job.JobID):
		snap.state = taskGone
	}
	d := s.rules.decide(snap, job.DeleteType)
	switch d.act {
	case actStop:
		t.status, t.releaseAt = ReleaseResourceStarted, now.Add(s.cfg.ReleaseDelay)
		t.settle(now) // a zero release delay completes at once
	case actDelete:
		delete(p.tasks, job.JobID)
		p.deleted[job.JobID] = struct{}{}
	}
	return d
}

func (p *project) isDeleted(id string) bool {
	_, ok := p.deleted[id]
	return ok
}

// encodeResult is decision point 4: one DeleteJobResp per item.
func encodeResult(id string, d decision, lang Lang) DeleteJobResp {
	if !d.failed {
		return DeleteJobResp{ID: id, Status: ItemSuccess}
	}
	var args []any
	if d.reason == msgDuplicate {
		args = []any{"job_id"}
	}
	return DeleteJobResp{ID: id, Status: ItemFailed, ErrorCode: d.reason.code(), ErrorMsg: d.reason.text(lang, args...)}
}

// rules are the decision points of the handler, as values so that a faulty
// variant (a mutant, for testing the suite itself) can replace one of them.
type rules struct {
	validate func(s *Server, r *http.Request, body []byte) ([]DeleteJobReq, *problem)
	decide   func(t snapshot, typ DeleteType) decision
	apply    func(s *Server, p *project, job DeleteJobReq) decision
	encode   func(id string, d decision, lang Lang) DeleteJobResp
}

func defaultRules() rules {
	return rules{validate: validateBatch, decide: decideItem, apply: applyItem, encode: encodeResult}
}
