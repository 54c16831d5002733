package reference

// The "other choices" preset (Config.Choices = ChoicesOther): a correct
// implementation that makes, wherever the requirement catalogue
// (conformance/requirements.yaml) leaves a choice or the pages leave room,
// the choice the reference does not. `drsconform serve --choices other`
// serves it, so that an SDK's tests can run against both implementations
// and catch an SDK that assumes one implementation's choices (README.md,
// "A server for every allowed behaviour"). The suite passes it in strict
// mode (reference/otherchoices_test.go); a case that fails it is too strict.
//
// Five choices are fields of Config (the preset fills them when they are
// zero, so an explicit value overrides it); the rest are made on the wire
// by otherChoices, a translating wrapper in front of the reference's routes.
// OtherChoices lists them all.

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Choices names a preset of the allowed choices.
type Choices string

const (
	// ChoicesReference is the reference's own choices; the default.
	ChoicesReference Choices = "reference"
	// ChoicesOther is every other allowed choice (OtherChoices).
	ChoicesOther Choices = "other"
)

// OtherReleaseDelay is the ReleaseDelay of ChoicesOther when Config sets none.
const OtherReleaseDelay = 700 * time.Millisecond

// OtherMaxBatchItems is the most items ChoicesOther takes in one batch; a
// larger batch is answered 400 as a whole (REQ-VAL-11).
const OtherMaxBatchItems = 500

// Choice is one behaviour where the presets differ.
type Choice struct {
	Requirements string // the requirement IDs of conformance/requirements.yaml that allow both
	What         string // the situation
	Reference    string // what ChoicesReference answers
	Other        string // what ChoicesOther answers
	Flag         string // the serve flag that overrides the preset, "" when none
}

// OtherChoices lists every behaviour in which ChoicesOther differs from
// ChoicesReference, in the order serve --help and README.md show them.
func OtherChoices() []Choice {
	return []Choice{
		{"REQ-STA-11", "a job_id repeated in a batch", "a result per entry, the task acted on once", "400 for the whole batch", "--duplicates"},
		{"REQ-VAL-09", "fields the page does not list", "ignored", "400", "--unknown-fields"},
		{"REQ-HDR-04", "an X-Language other than en-us or zh-cn", "treated as en-us", "400", "--other-language"},
		{"REQ-HDR-02", "a missing or non-JSON Content-Type", "400", "415", "--content-type-status"},
		{"REQ-STA-03, REQ-STA-04", "how long a stopped task stays in RELEASE_RESOURCE_STARTED", "200ms", "700ms", "--release-delay"},
		{"REQ-HDR-01", "a request without a credential", "401 DRS.M00103", "403 from a gateway, APIGW.0301, in English", ""},
		{"REQ-VAL-06", `an empty "jobs" array`, "400 DRS.M00201", `202, "count": 0, "results": []`, ""},
		{"REQ-VAL-05", `an empty "job_id"`, "400 DRS.M00201", "202 with a failed item (id \"\")", ""},
		{"REQ-VAL-11", fmt.Sprintf("a batch of more than %d items", OtherMaxBatchItems), "processed in full", "400 for the whole batch", ""},
		{"REQ-STA-12", "terminate or force_terminate of a task already stopped or deletable", "a failed item (DRS.M00304)", "a successful item, the task unchanged", ""},
		{"REQ-RES-06", "a successful item", "no error_code or error_msg", `"error_code": "", "error_msg": ""`, ""},
		{"REQ-RES-07", "error codes and messages", "the codes of reference/errors.go", "other codes of the appendix, some spelled DRS-M… as old pages do, other wording", ""},
		{"REQ-HTTP-03", "the Content-Type of answers", "application/json", "application/json;charset=UTF-8", ""},
		{"fixture protocol", "the job IDs it makes", "shaped like UUIDs", `"job:N"`, ""},
	}
}

// presetOther fills the zero fields of c that ChoicesOther sets.
func (c Config) presetOther() Config {
	if c.Duplicates == "" {
		c.Duplicates = DuplicatesReject
	}
	if c.UnknownFields == "" {
		c.UnknownFields = UnknownFieldsReject
	}
	if c.OtherLanguage == "" {
		c.OtherLanguage = OtherLanguageReject
	}
	if c.WrongContentTypeStatus == 0 {
		c.WrongContentTypeStatus = http.StatusUnsupportedMediaType
	}
	if c.ReleaseDelay == 0 {
		c.ReleaseDelay = OtherReleaseDelay
	}
	return c
}

// otherChoices makes the wire choices of ChoicesOther in front of the
// reference's routes (next): it names tasks "job:N", translates their IDs
// byte for byte in requests (a body may be malformed on purpose), and
// answers with its own codes, wording and choices.
type otherChoices struct {
	s    *Server
	next http.Handler
	// token is the credential of a request whose own credential this
	// wrapper has checked already: a signature covers the body and path
	// the wrapper rewrites, so the reference could not verify it again.
	token string

	mu         sync.Mutex
	n          int
	toInternal map[string]string // "job:7" → the reference's ID
	toExternal map[string]string
}

// newOtherChoices wraps the routes of s, whose Config it completes with
// the wrapper's own token; call it from New only.
func newOtherChoices(s *Server, next http.Handler) *otherChoices {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	d := &otherChoices{s: s, next: next, token: "other-choices-" + hex.EncodeToString(b[:]),
		toInternal: map[string]string{}, toExternal: map[string]string{}}
	if len(s.cfg.Tokens) > 0 || s.cfg.AccessKey != "" { // closed: accept the wrapper's token too
		s.cfg.Tokens = append(slices.Clone(s.cfg.Tokens), d.token)
	}
	return d
}

// authenticated checks the credential of r against the body and path as
// sent, then gives r the wrapper's token in its place. When the credential
// is refused it answers as the reference would (batch: in the preset's
// words) and returns false.
func (d *otherChoices) authenticated(w http.ResponseWriter, r *http.Request, body []byte, batch bool) bool {
	if int64(len(body)) > d.s.cfg.MaxBodyBytes {
		return true // the reference answers 413 before it looks at credentials
	}
	if p := d.s.authenticate(r, body); p != nil {
		a := &otherAnswer{header: http.Header{}}
		writeProblem(a, languageOf(r), p)
		switch {
		case !batch:
			otherRelay(w, a.status, a.body.Bytes())
		case a.status == http.StatusUnauthorized:
			otherGateway(w)
		default:
			d.relayError(w, a, otherChinese(r))
		}
		return false
	}
	r.Header.Del("Authorization")
	r.Header.Set("X-Auth-Token", d.token)
	return true
}

// otherGateway answers a missing credential as a gateway in front would:
// 403 in its own words, in English (REQ-HDR-01, REQ-HDR-05).
func otherGateway(w http.ResponseWriter) {
	otherRelay(w, http.StatusForbidden, []byte(`{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: x-auth-token not found."}`))
}

func otherChinese(r *http.Request) bool {
	return strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Language")), "zh-cn")
}

// otherEmptyJobID stands in for "" on the way to the reference, so that an
// empty job_id is an unknown task (a failed item) rather than a 400.
const otherEmptyJobID = "job:empty"

var (
	otherExternalID = regexp.MustCompile(`"job:[0-9]+"`)
	otherEmptyJobIn = regexp.MustCompile(`("job_id"\s*:\s*)""`)
)

func (d *otherChoices) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, d.s.cfg.MaxBodyBytes+1)) // the reference answers 413 beyond
	if err != nil {
		body = nil // the reference sees an empty body and answers as for one
	}
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	path := r.URL.Path
	switch {
	case r.Method == http.MethodPost && path == PathFixtureJobs:
		d.fixtureCreate(w, r)
	case r.Method == http.MethodGet && strings.HasPrefix(path, PathFixtureJobs+"/"):
		if d.authenticated(w, r, nil, false) {
			d.fixtureGet(w, r)
		}
	case r.Method == http.MethodDelete && otherProjectOf(path, "/jobs/batch-jobs") != "":
		if d.authenticated(w, r, body, true) {
			d.batchJobs(w, r, body)
		}
	case r.Method == http.MethodPost && otherProjectOf(path, "/jobs/batch-status") != "":
		if d.authenticated(w, r, body, true) {
			d.batchStatus(w, r, body)
		}
	default:
		d.next.ServeHTTP(w, r)
	}
}

// otherProjectOf returns the project of /v3/{project_id}<suffix>, "" for another path.
func otherProjectOf(path, suffix string) string {
	p, ok := strings.CutPrefix(path, "/v3/")
	if !ok {
		return ""
	}
	p, ok = strings.CutSuffix(p, suffix)
	if !ok || strings.Contains(p, "/") {
		return ""
	}
	return p
}

// fixtureCreate names the reference's new task "job:N".
func (d *otherChoices) fixtureCreate(w http.ResponseWriter, r *http.Request) {
	a := d.play(r)
	if a.status != http.StatusCreated {
		otherRelay(w, a.status, a.body.Bytes())
		return
	}
	var view TaskView
	if err := json.Unmarshal(a.body.Bytes(), &view); err != nil {
		otherRelay(w, http.StatusInternalServerError, []byte(`{"error_code":"DRS.M00004","error_msg":"The service is abnormal. Try again later."}`))
		return
	}
	d.mu.Lock()
	d.n++
	ext := fmt.Sprintf("job:%d", d.n)
	d.toInternal[ext], d.toExternal[view.ID] = view.ID, ext
	d.mu.Unlock()
	view.ID = ext
	out, _ := json.Marshal(view)
	otherRelay(w, http.StatusCreated, out)
}

func (d *otherChoices) fixtureGet(w http.ResponseWriter, r *http.Request) {
	ext := strings.TrimPrefix(r.URL.Path, PathFixtureJobs+"/")
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath = PathFixtureJobs+"/"+d.internal(ext), ""
	a := d.play(r2)
	if a.status != http.StatusOK {
		otherRelay(w, a.status, a.body.Bytes())
		return
	}
	var view TaskView
	_ = json.Unmarshal(a.body.Bytes(), &view)
	view.ID = ext
	out, _ := json.Marshal(view)
	otherRelay(w, http.StatusOK, out)
}

func (d *otherChoices) internal(ext string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if in, ok := d.toInternal[ext]; ok {
		return in
	}
	return ext // never made here: the reference does not know it either
}

func (d *otherChoices) external(in string) string {
	if in == otherEmptyJobID {
		return ""
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if ext, ok := d.toExternal[in]; ok {
		return ext
	}
	return in
}

// translate replaces every "job:N" string of body by the reference's ID.
func (d *otherChoices) translate(body []byte) []byte {
	return otherExternalID.ReplaceAllFunc(body, func(q []byte) []byte {
		return []byte(`"` + d.internal(string(q[1:len(q)-1])) + `"`)
	})
}

// batchJobs lets the reference decide the batch and answers with the
// preset's choices.
func (d *otherChoices) batchJobs(w http.ResponseWriter, r *http.Request, body []byte) {
	zh := otherChinese(r)
	if list, ok := otherObject(body)["jobs"].([]any); ok && len(list) > OtherMaxBatchItems {
		code, msg := otherCode(CodeParameterInvalid, zh)
		buf, _ := json.Marshal(ErrorBody{ErrorCode: code, ErrorMsg: msg})
		otherRelay(w, http.StatusBadRequest, buf) // REQ-VAL-11, rejected-400
		return
	}
	in := otherEmptyJobIn.ReplaceAll(d.translate(body), []byte(`${1}"`+otherEmptyJobID+`"`))
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(in)), int64(len(in))
	a := d.play(r)

	switch {
	case a.status == http.StatusAccepted:
		var resp BatchDeleteJobResp
		if err := json.Unmarshal(a.body.Bytes(), &resp); err != nil {
			otherRelay(w, http.StatusInternalServerError, a.body.Bytes())
			return
		}
		type item struct { // success items carry empty error fields (REQ-RES-06 allows it)
			ID        string `json:"id"`
			Status    string `json:"status"`
			ErrorCode string `json:"error_code"`
			ErrorMsg  string `json:"error_msg"`
		}
		out := struct {
			Results []item `json:"results"`
			Count   int    `json:"count"`
		}{Results: []item{}, Count: resp.Count}
		for i, res := range resp.Results {
			it := item{ID: d.external(res.ID), Status: res.Status}
			if res.Status == ItemFailed && res.ErrorCode == CodeWrongStatus && d.alreadyStopped(r.URL.Path, in, i) {
				it.Status = ItemSuccess // a stop of a stopped task is a no-op that succeeds (REQ-STA-12 allows it)
			}
			if it.Status == ItemFailed {
				it.ErrorCode, it.ErrorMsg = otherCode(res.ErrorCode, zh)
			}
			out.Results = append(out.Results, it)
		}
		buf, _ := json.Marshal(out)
		otherRelay(w, http.StatusAccepted, buf)
	case a.status == http.StatusUnauthorized:
		otherGateway(w)
	case a.status == http.StatusBadRequest && otherIsEmptyBatch(body, a.body.Bytes()):
		otherRelay(w, http.StatusAccepted, []byte(`{"count":0,"results":[]}`)) // REQ-VAL-06, accepted-empty
	default:
		d.relayError(w, a, zh)
	}
}

// batchStatus translates the IDs of the batch-status neighbour both ways.
func (d *otherChoices) batchStatus(w http.ResponseWriter, r *http.Request, body []byte) {
	in := d.translate(body)
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(in)), int64(len(in))
	a := d.play(r)
	if a.status != http.StatusOK {
		d.relayError(w, a, otherChinese(r))
		return
	}
	var resp BatchJobStatusResp
	if err := json.Unmarshal(a.body.Bytes(), &resp); err != nil {
		otherRelay(w, http.StatusInternalServerError, a.body.Bytes())
		return
	}
	for i := range resp.Results {
		resp.Results[i].ID = d.external(resp.Results[i].ID)
	}
	buf, _ := json.Marshal(resp)
	otherRelay(w, http.StatusOK, buf)
}

// relayError answers the reference's error in the preset's codes and wording.
func (d *otherChoices) relayError(w http.ResponseWriter, a *otherAnswer, zh bool) {
	var e ErrorBody
	if json.Unmarshal(a.body.Bytes(), &e) != nil {
		otherRelay(w, a.status, a.body.Bytes())
		return
	}
	e.ErrorCode, e.ErrorMsg = otherCode(e.ErrorCode, zh)
	buf, _ := json.Marshal(e)
	otherRelay(w, a.status, buf)
}

// alreadyStopped reports whether item i of the (translated) batch is a
// terminate or force_terminate of a task that is releasing, released or
// otherwise deletable, read back from the store.
func (d *otherChoices) alreadyStopped(path string, body []byte, i int) bool {
	var req struct {
		Jobs []DeleteJobReq `json:"jobs"`
	}
	if json.Unmarshal(body, &req) != nil || i >= len(req.Jobs) || req.Jobs[i].DeleteType == Delete {
		return false
	}
	view, state := d.s.store.get(otherProjectOf(path, "/jobs/batch-jobs"), req.Jobs[i].JobID, d.s.cfg.Now())
	return state == taskLive && (Deletable(view.Status) || view.Status == ReleaseResourceStarted)
}

// otherIsEmptyBatch reports whether the request was exactly {"jobs": []}
// and the reference refused it for that alone (DRS.M00201 on jobs).
func otherIsEmptyBatch(req, answer []byte) bool {
	list, isList := otherObject(req)["jobs"].([]any)
	var e ErrorBody
	return len(otherObject(req)) == 1 && isList && len(list) == 0 &&
		json.Unmarshal(answer, &e) == nil && e.ErrorCode == CodeParameterEmpty && strings.Contains(e.ErrorMsg, "jobs")
}

// otherObject decodes a JSON object (numbers as json.Number); nil when the
// body is not one object.
func otherObject(body []byte) map[string]any {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if dec.Decode(&m) != nil || dec.More() {
		return nil
	}
	return m
}

// otherCode is the preset's code and wording for a reference code: other
// codes of the appendix "Error Codes" (drs_05_0004), some spelled with a
// hyphen as old pages do; DRS.M01504 stays, since REQ-STA-07 names it.
func otherCode(code string, zh bool) (string, string) {
	type wording struct{ code, en, zh string }
	table := map[string]wording{
		CodeNotFound:         {"DRS.M00289", "The task does not exist.", "任务不存在。"},
		CodeDeleted:          {"DRS.M05003", "The task no longer exists.", "任务已不存在。"},
		CodeWrongStatus:      {"DRS.M00300", "The task cannot be stopped or deleted in its current status.", "任务当前状态不支持停止或删除。"},
		CodeOnlySubtasks:     {"DRS.M00300", "A parent task can only be operated in a dual-active DR scenario.", "父任务仅在双主灾备场景下可以操作。"},
		CodeBusy:             {CodeBusy, "The task is busy with another operation. Try again later.", "任务正在执行其他操作，请稍后再试。"},
		CodeParameterEmpty:   {"DRS-M00201", "A mandatory parameter is missing.", "缺少必填参数。"},
		CodeParameterInvalid: {"DRS.M00007", "Invalid request parameter.", "请求参数无效。"},
		CodeInvalidRequest:   {"DRS.M00007", "Invalid request.", "请求无效。"},
		CodeDuplicate:        {"DRS.M00007", "The request names a task more than once.", "请求中的任务重复。"},
		CodeInvalidToken:     {"DRS.M00100", "The token is invalid.", "令牌无效。"},
	}
	w, ok := table[code]
	if !ok {
		w = wording{code, "The request failed.", "请求失败。"}
	}
	if zh {
		return w.code, w.zh
	}
	return w.code, w.en
}

// otherRelay answers with a JSON body of the preset's media type (REQ-HTTP-03).
func otherRelay(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// otherAnswer is the reference's answer, kept to be rewritten.
type otherAnswer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (a *otherAnswer) Header() http.Header { return a.header }

func (a *otherAnswer) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
}

func (a *otherAnswer) Write(p []byte) (int, error) {
	a.WriteHeader(http.StatusOK)
	return a.body.Write(p)
}

// play lets the reference's routes answer r.
func (d *otherChoices) play(r *http.Request) *otherAnswer {
	a := &otherAnswer{header: http.Header{}}
	d.next.ServeHTTP(a, r)
	a.WriteHeader(http.StatusOK)
	return a
}
