package reference

// The "other choices" double: a correct implementation that makes, wherever
// the catalogue leaves a choice or the pages leave room, the choice the
// reference does not. The suite must pass it in strict mode: a case that
// fails it is too strict (issue 5, "Must show": no false positive).
//
// Its choices, beside the reference's:
//   - REQ-STA-11: a job_id repeated in a batch is rejected 400, not answered per entry.
//   - REQ-VAL-09: unknown fields are rejected 400, not ignored.
//   - REQ-HDR-04: another X-Language is rejected 400, not treated as en-us.
//   - REQ-HDR-02: a wrong or missing Content-Type is answered 415, not 400.
//   - REQ-HDR-01: a missing credential is answered 403 by a "gateway", with a
//     gateway code (APIGW.0301) and an English message, not 401 DRS.M00103.
//   - REQ-VAL-06: an empty jobs array is answered 202, count 0, no results.
//   - REQ-VAL-05: an empty job_id is a failed item, not a 400.
//   - REQ-RES-06: a successful item carries empty error_code and error_msg.
//   - REQ-RES-07 and drs_05_0004: other error codes of the same shape, some in
//     the old hyphen spelling, and other wording (Chinese for zh-cn).
//   - REQ-HTTP-03: Content-Type application/json;charset=UTF-8.
//   - REQ-STA-03/04: the release takes 700 ms, not 200 ms.
//   - REQ-STA-12: terminate or force_terminate of a task already releasing or
//     deletable succeeds as a no-op, where the reference fails it.
//   - Fixture protocol: job IDs "job:N", not shaped like UUIDs.
//   - REQ-VAL-11: a batch of more than maxBatchItems items is answered 400
//     as a whole (nothing is done), not processed in full.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
)

// otherChoices is the double: the reference with every other choice of
// Config, behind a translating wrapper that makes the rest.
type otherChoices struct {
	next http.Handler

	mu         sync.Mutex
	n          int
	toInternal map[string]string // "job:7" → the reference's ID
	toExternal map[string]string
}

func newOtherChoices() *otherChoices {
	ref := New(Config{Tokens: []string{suiteToken}, Duplicates: DuplicatesReject, UnknownFields: UnknownFieldsReject,
		OtherLanguage: OtherLanguageReject, WrongContentTypeStatus: http.StatusUnsupportedMediaType,
		ReleaseDelay: 700 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	return &otherChoices{next: ref.Handler(), toInternal: map[string]string{}, toExternal: map[string]string{}}
}

// maxBatchItems is the most items the double takes in one batch (REQ-VAL-11).
const maxBatchItems = 500

// emptyJobID stands in for "" on the way to the reference, so that an empty
// job_id is an unknown task (a failed item) rather than a 400.
const emptyJobID = "job:empty"

var (
	externalID    = regexp.MustCompile(`"job:[0-9]+"`)
	emptyJobIDKey = regexp.MustCompile(`("job_id"\s*:\s*)""`)
)

func (d *otherChoices) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, DefaultMaxBodyBytes+1))
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/_conformance/v1/jobs":
		d.fixtureCreate(w, r, body)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/_conformance/v1/jobs/"):
		d.fixtureGet(w, r)
	case r.Method == http.MethodDelete && isBatchJobsPath(r.URL.Path):
		d.batchJobs(w, r, body)
	default:
		r.Body = io.NopCloser(bytes.NewReader(body))
		d.next.ServeHTTP(w, r)
	}
}

// fixtureCreate names the reference's new task "job:N".
func (d *otherChoices) fixtureCreate(w http.ResponseWriter, r *http.Request, body []byte) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := recorded(d.next, r)
	if rec.Code != http.StatusCreated {
		relay(w, rec.Code, rec.Body.Bytes())
		return
	}
	var view TaskView
	if err := json.Unmarshal(rec.Body.Bytes(), &view); err != nil {
		relay(w, http.StatusInternalServerError, []byte(`{"error_code":"DRS.M00004","error_msg":"harness"}`))
		return
	}
	d.mu.Lock()
	d.n++
	ext := fmt.Sprintf("job:%d", d.n)
	d.toInternal[ext], d.toExternal[view.ID] = view.ID, ext
	d.mu.Unlock()
	view.ID = ext
	out, _ := json.Marshal(view)
	relay(w, http.StatusCreated, out)
}

func (d *otherChoices) fixtureGet(w http.ResponseWriter, r *http.Request) {
	ext := strings.TrimPrefix(r.URL.Path, "/_conformance/v1/jobs/")
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/_conformance/v1/jobs/" + d.internal(ext)
	r2.URL.RawPath = ""
	rec := recorded(d.next, r2)
	if rec.Code != http.StatusOK {
		relay(w, rec.Code, rec.Body.Bytes())
		return
	}
	var view TaskView
	_ = json.Unmarshal(rec.Body.Bytes(), &view)
	view.ID = ext
	out, _ := json.Marshal(view)
	relay(w, http.StatusOK, out)
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
	if in == emptyJobID {
		return ""
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if ext, ok := d.toExternal[in]; ok {
		return ext
	}
	return in
}

// batchJobs translates the job IDs of the body byte for byte (the body may
// be malformed on purpose), lets the reference decide, and answers with the
// double's own codes, wording and choices.
func (d *otherChoices) batchJobs(w http.ResponseWriter, r *http.Request, body []byte) {
	if list, ok := decodeObjectOrNil(body)["jobs"].([]any); ok && len(list) > maxBatchItems {
		code, msg := otherCode(CodeParameterInvalid, strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Language")), "zh-cn"))
		buf, _ := json.Marshal(ErrorBody{ErrorCode: code, ErrorMsg: msg})
		relay(w, http.StatusBadRequest, buf) // REQ-VAL-11, rejected-400
		return
	}
	in := externalID.ReplaceAllFunc(body, func(q []byte) []byte {
		return []byte(`"` + d.internal(string(q[1:len(q)-1])) + `"`)
	})
	in = emptyJobIDKey.ReplaceAll(in, []byte(`${1}"`+emptyJobID+`"`))
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(in)), int64(len(in))
	rec := recorded(d.next, r)
	zh := strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Language")), "zh-cn")

	switch {
	case rec.Code == http.StatusAccepted:
		var resp BatchDeleteJobResp
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			relay(w, http.StatusInternalServerError, rec.Body.Bytes())
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
			if res.Status == ItemFailed && res.ErrorCode == CodeWrongStatus && d.alreadyStopped(r, in, i) {
				it.Status = ItemSuccess // a stop of a stopped task is a no-op that succeeds (REQ-STA-12 allows it)
			}
			if it.Status == ItemFailed {
				it.ErrorCode, it.ErrorMsg = otherCode(res.ErrorCode, zh)
			}
			out.Results = append(out.Results, it)
		}
		buf, _ := json.Marshal(out)
		relay(w, http.StatusAccepted, buf)
	case rec.Code == http.StatusUnauthorized:
		// A gateway in front answers a missing credential 403 in its own words.
		relay(w, http.StatusForbidden, []byte(`{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: x-auth-token not found."}`))
	case rec.Code == http.StatusBadRequest && isEmptyBatch(body, rec.Body.Bytes()):
		relay(w, http.StatusAccepted, []byte(`{"count":0,"results":[]}`))
	default:
		var e ErrorBody
		if json.Unmarshal(rec.Body.Bytes(), &e) != nil {
			relay(w, rec.Code, rec.Body.Bytes())
			return
		}
		e.ErrorCode, e.ErrorMsg = otherCode(e.ErrorCode, zh)
		buf, _ := json.Marshal(e)
		relay(w, rec.Code, buf)
	}
}

// alreadyStopped reports whether item i of the batch is a terminate or
// force_terminate of a task that is releasing, released or otherwise
// deletable, read back from the reference.
func (d *otherChoices) alreadyStopped(r *http.Request, body []byte, i int) bool {
	var req struct {
		Jobs []DeleteJobReq `json:"jobs"`
	}
	if json.Unmarshal(body, &req) != nil || i >= len(req.Jobs) || req.Jobs[i].DeleteType == Delete {
		return false
	}
	project := strings.TrimPrefix(strings.TrimSuffix(r.URL.Path, "/jobs/batch-jobs"), "/v3/")
	get := httptest.NewRequestWithContext(r.Context(), http.MethodGet,
		"/_conformance/v1/jobs/"+url.PathEscape(req.Jobs[i].JobID)+"?project_id="+url.QueryEscape(project), nil)
	get.Header.Set(headerAuthToken, suiteToken)
	rec := recorded(d.next, get)
	var view TaskView
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &view) != nil {
		return false
	}
	return Deletable(view.Status) || view.Status == ReleaseResourceStarted
}

// isEmptyBatch reports whether the request was exactly {"jobs": []} and the
// reference refused it for that alone (DRS.M00201 on jobs).
func isEmptyBatch(req, answer []byte) bool {
	doc, ok := decodeObject(req)
	list, isList := doc["jobs"].([]any)
	var e ErrorBody
	return ok && len(doc) == 1 && isList && len(list) == 0 &&
		json.Unmarshal(answer, &e) == nil && e.ErrorCode == CodeParameterEmpty && strings.Contains(e.ErrorMsg, "jobs")
}

// otherCode is the double's code and wording for a reference code: other
// codes of drs_05_0004, some spelled with a hyphen as old pages do; the page's
// DRS.M01504 stays, since REQ-STA-07 names it.
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

// relay answers with a JSON body of the double's media type.
func relay(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// TestSuitePassesEveryOtherChoice plays the whole suite, strict, against
// the double: every case must pass; a failure names a case that fails a
// choice the catalogue allows (or a fault of the double).
func TestSuitePassesEveryOtherChoice(t *testing.T) {
	t.Parallel()
	files, err := cases.LoadEmbeddedCases()
	if err != nil {
		t.Fatalf("cases: %v", err)
	}
	rep, err := playSuite(t.Context(), newOtherChoices(), files, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	choices := map[string]bool{}
	for _, c := range rep.Cases {
		if c.Verdict != result.Pass {
			t.Errorf("%s: %s: %s", c.ID, c.Verdict, strings.Join(c.Messages, "; "))
		}
		for _, ch := range c.Choices {
			choices[ch.String()] = true
		}
	}
	t.Logf("%d cases: %d passed, %d skipped; choices seen: %v", rep.Summary.Total, rep.Summary.Passed, rep.Summary.Skipped, slices.Sorted(maps.Keys(choices)))
	if rep.Summary.Passed != rep.Summary.Total {
		t.Errorf("%d of %d cases passed: a skip is no pass here, the double's harness makes every state", rep.Summary.Passed, rep.Summary.Total)
	}
	if rep.ExitCode != result.ExitConformant {
		t.Errorf("exit code %d against a conforming double, want %d", rep.ExitCode, result.ExitConformant)
	}
	// The double made the choices it was built to make, and the suite saw them.
	for _, want := range []string{"REQ-STA-11=rejected-400", "REQ-VAL-09=rejected-400", "REQ-HDR-04=rejected-400",
		"REQ-VAL-06=accepted-empty", "REQ-VAL-05=failed-item", "REQ-VAL-11=rejected-400", "REQ-VAL-11=processed-in-full"} {
		if !choices[want] {
			t.Errorf("the report does not show the double's choice %s (seen: %v)", want, choices)
		}
	}
}

// The double is only worth its pass if it really differs from the reference.
func TestOtherChoicesDiffer(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(newOtherChoices())
	t.Cleanup(srv.Close)
	do := func(method, path, body string, header map[string]string) (int, http.Header, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(headerAuthToken, suiteToken)
		for k, v := range header {
			if v == "" {
				req.Header.Del(k)
			} else {
				req.Header.Set(k, v)
			}
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	status, _, body := do(http.MethodPost, "/_conformance/v1/jobs", `{"project_id":"p","status":"INCRE_TRANSFER_STARTED"}`, nil)
	if status != http.StatusCreated || !strings.Contains(body, `"id":"job:`) {
		t.Fatalf("fixture: %d %s, want 201 with a job:N id", status, body)
	}
	var view TaskView
	_ = json.Unmarshal([]byte(body), &view)
	batch := "/v3/p/jobs/batch-jobs"
	one := `{"jobs":[{"delete_type":"terminate","job_id":"` + view.ID + `"}]}`

	type check struct {
		name, method, path, body string
		header                   map[string]string
		status                   int
		contains                 string
	}
	for _, c := range []check{
		{"missing credential is a gateway 403", http.MethodDelete, batch, one, map[string]string{headerAuthToken: ""}, 403, "APIGW.0301"},
		{"wrong Content-Type is 415", http.MethodDelete, batch, one, map[string]string{"Content-Type": "text/plain"}, 415, "DRS.M00007"},
		{"duplicates are 400", http.MethodDelete, batch, `{"jobs":[{"delete_type":"delete","job_id":"job:9"},{"delete_type":"delete","job_id":"job:9"}]}`, nil, 400, "DRS.M00007"},
		{"unknown fields are 400", http.MethodDelete, batch, `{"jobs":[{"delete_type":"delete","job_id":"job:9"}],"x":1}`, nil, 400, "DRS.M00007"},
		{"another language is 400", http.MethodDelete, batch, one, map[string]string{"X-Language": "fr"}, 400, "DRS.M00007"},
		{"empty jobs is 202", http.MethodDelete, batch, `{"jobs":[]}`, nil, 202, `"count":0`},
		{"empty job_id is a failed item", http.MethodDelete, batch, `{"jobs":[{"delete_type":"delete","job_id":""}]}`, nil, 202, `{"id":"","status":"failed","error_code":"DRS.M00289"`},
		{"unknown task in Chinese", http.MethodDelete, batch, `{"jobs":[{"delete_type":"delete","job_id":"job:999999"}]}`, map[string]string{"X-Language": "zh-cn"}, 202, "任务不存在"},
		{"stop succeeds with empty error fields", http.MethodDelete, batch, one, nil, 202, `"status":"success","error_code":"","error_msg":""`},
		{"a second stop succeeds as a no-op", http.MethodDelete, batch, one, nil, 202, `"status":"success"`},
		{"releasing for a while", http.MethodGet, "/_conformance/v1/jobs/" + view.ID + "?project_id=p", "", nil, 200, "RELEASE_RESOURCE_STARTED"},
	} {
		status, h, body := do(c.method, c.path, c.body, c.header)
		if status != c.status || !strings.Contains(body, c.contains) {
			t.Errorf("%s: %d %s, want %d with %s", c.name, status, body, c.status, c.contains)
		}
		if ct := h.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
			t.Errorf("%s: Content-Type %q", c.name, ct)
		}
	}
}

// The generated batches hold the double to the model too: a service that
// makes every other allowed choice passes them, strict, with no false
// positive (seeded: the same batches every time).
func TestOtherChoicesPassGeneratedBatches(t *testing.T) {
	t.Parallel()
	files, err := cases.LoadEmbeddedCases()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newOtherChoices())
	defer srv.Close()
	rep, err := runner.Run(t.Context(), runner.Config{Target: srv.URL, Token: suiteToken, Strict: true, Files: files,
		Parallel: 8, Timeout: 10 * time.Second, SettleTimeout: 5 * time.Second, Generate: 100, Seed: 20261130,
		Filter: runner.Filter{Tags: []string{"smoke"}}})
	if err != nil {
		t.Fatal(err)
	}
	generated := 0
	for _, c := range rep.Cases {
		if c.Theme != "generated" {
			continue
		}
		generated++
		if c.Verdict != result.Pass {
			t.Errorf("%s: %s: %s", c.ID, c.Verdict, strings.Join(c.Messages, "; "))
		}
	}
	if generated != 100 {
		t.Errorf("%d generated batches played, want 100", generated)
	}
}
