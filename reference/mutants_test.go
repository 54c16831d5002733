package reference

// Mutants: faulty variants of the reference implementation, each breaking
// one requirement of the catalogue, for the suite's own mutation test
// (mutation_test.go). A mutant either replaces one rule of the handler
// (s.rules: validate, decide, apply, encode) or wraps the answers of
// DELETE .../batch-jobs. The fixture protocol stays correct in every mutant:
// the suite judges the API, and a broken harness must give `error`, never
// `fail`.

import (
	"bytes"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// mutant is one faulty variant.
type mutant struct {
	name   string // kebab-case, stable
	breaks string // the requirement it breaks; a kill must be a finding on it
	desc   string // one line: what it does wrong
	// rules replaces one rule of a fresh Server (nil: none).
	rules func(s *Server)
	// wire wraps the answers of DELETE .../batch-jobs (nil: none).
	wire func(s *Server, next http.Handler) http.Handler
}

// build makes the mutant: a fresh Server with the faulty rule or wrapper.
func (m mutant) build(cfg Config) http.Handler {
	s := New(cfg)
	if m.rules != nil {
		m.rules(s)
	}
	h := s.Handler()
	if m.wire == nil {
		return h
	}
	api := m.wire(s, h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete && isBatchJobsPath(r.URL.Path) {
			api.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r) // the fixture protocol, untouched
	})
}

func isBatchJobsPath(p string) bool {
	return strings.HasPrefix(p, "/v3/") && strings.HasSuffix(p, "/jobs/batch-jobs")
}

// mutants returns every mutant, grouped by the requirement it breaks.
func mutants() []mutant {
	return []mutant{
		// REQ-HTTP-*: the status line, the body's shape, the media type.
		{name: "status-200-instead-of-202", breaks: "REQ-HTTP-01",
			desc: "answers 200 where the reference answers 202",
			wire: rewriteAnswer(func(_ *http.Request, status int, body []byte) (int, []byte) {
				if status == http.StatusAccepted {
					status = http.StatusOK
				}
				return status, body
			})},
		{name: "charset-rejected", breaks: "REQ-HTTP-01",
			desc: "answers Content-Type: application/json; charset=utf-8 with 415, as if parameters made it another type",
			wire: func(_ *Server, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if ct := r.Header.Get("Content-Type"); strings.HasPrefix(ct, "application/json") && strings.Contains(ct, ";") {
						writeProblem(w, languageOf(r), newProblem(http.StatusUnsupportedMediaType, msgParamInvalid, "Content-Type"))
						return
					}
					next.ServeHTTP(w, r)
				})
			}},
		{name: "trailing-newline-rejected", breaks: "REQ-HTTP-01",
			desc: "answers a JSON body that ends with a newline (as the Huawei Cloud SDK sends it) 400",
			wire: rejectBody(func(body []byte) bool { return bytes.HasSuffix(body, []byte("\n")) })},
		{name: "unicode-escape-rejected", breaks: "REQ-HTTP-01",
			desc: `answers a body with a \u escape in a string 400`,
			wire: rejectBody(func(body []byte) bool { return bytes.Contains(body, []byte(`\u`)) })},
		{name: "job-id-first-rejected", breaks: "REQ-HTTP-01",
			desc: "answers an item whose job_id comes before delete_type 400 (it parses keys in the page's order)",
			wire: rejectBody(func(body []byte) bool { return jobIDFirst.Match(body) })},
		{name: "count-as-string", breaks: "REQ-HTTP-02",
			desc: `writes count as a JSON string ("2")`,
			wire: on202(func(_ *http.Request, m map[string]any) { m["count"] = fmtAny(m["count"]) })},
		{name: "content-type-text-plain", breaks: "REQ-HTTP-03",
			desc: "labels every answer of the API text/plain (the body is still JSON)",
			wire: func(_ *Server, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					rec := recorded(next, r)
					w.Header().Set("Content-Type", "text/plain; charset=utf-8")
					w.WriteHeader(rec.Code)
					_, _ = w.Write(rec.Body.Bytes())
				})
			}},
		{name: "500-for-malformed-json", breaks: "REQ-HTTP-04",
			desc: "answers a body that is not JSON with 500 DRS.M00004 instead of 400",
			wire: func(_ *Server, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					body := readAll(r)
					if len(bytes.TrimSpace(body)) > 0 && !json.Valid(body) {
						writeProblem(w, languageOf(r), newProblem(http.StatusInternalServerError, msgServiceAbnormal))
						return
					}
					next.ServeHTTP(w, r)
				})
			}},

		{name: "500-for-empty-jobs", breaks: "REQ-HTTP-04",
			desc: "answers jobs [] with 500 DRS.M00004 (an index out of range, say)",
			wire: func(_ *Server, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if list, ok := decodeObjectOrNil(readAll(r))["jobs"].([]any); ok && len(list) == 0 {
						writeProblem(w, languageOf(r), newProblem(http.StatusInternalServerError, msgServiceAbnormal))
						return
					}
					next.ServeHTTP(w, r)
				})
			}},

		// REQ-VAL-*: malformed requests.
		{name: "empty-body-accepted", breaks: "REQ-VAL-01",
			desc: "answers an empty body 202 with no results",
			wire: func(s *Server, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					body := readAll(r)
					if len(bytes.TrimSpace(body)) == 0 && s.authenticate(r, body) == nil {
						writeJSON(w, http.StatusAccepted, BatchDeleteJobResp{Results: []DeleteJobResp{}})
						return
					}
					next.ServeHTTP(w, r)
				})
			}},
		{name: "trailing-garbage-accepted", breaks: "REQ-VAL-01",
			desc: "reads the first JSON value of the body and ignores what follows it",
			rules: func(s *Server) {
				s.rules.validate = func(s *Server, r *http.Request, body []byte) ([]DeleteJobReq, *problem) {
					dec := json.NewDecoder(bytes.NewReader(body))
					var first json.RawMessage
					if dec.Decode(&first) == nil {
						body = first
					}
					return validateBatch(s, r, body)
				}
			}},
		{name: "jobs-missing-accepted", breaks: "REQ-VAL-02",
			desc: "treats a body without jobs, or with jobs null, as an empty batch: 202, no results",
			rules: func(s *Server) {
				s.rules.validate = func(s *Server, r *http.Request, body []byte) ([]DeleteJobReq, *problem) {
					if doc, ok := decodeObject(body); ok && doc["jobs"] == nil {
						return []DeleteJobReq{}, nil
					}
					return validateBatch(s, r, body)
				}
			}},
		{name: "jobs-object-as-one-item", breaks: "REQ-VAL-02",
			desc: "accepts jobs as a single DeleteJobReq object instead of an array",
			rules: lenientValidate(func(doc map[string]any) bool {
				if obj, ok := doc["jobs"].(map[string]any); ok {
					doc["jobs"] = []any{obj}
					return true
				}
				return false
			})},
		{name: "non-object-item-failed-not-rejected", breaks: "REQ-VAL-03",
			desc: "turns an element of jobs that is not an object into a failed item inside a 202",
			rules: lenientValidate(eachItem(func(item any) (any, bool) {
				if _, ok := item.(map[string]any); ok {
					return item, false
				}
				return map[string]any{"delete_type": "delete", "job_id": "not-an-object:" + fmtAny(item)}, true
			}))},
		{name: "missing-delete-type-defaults-to-delete", breaks: "REQ-VAL-03",
			desc: "takes an item without delete_type as a delete",
			rules: lenientValidate(eachItem(func(item any) (any, bool) {
				m, ok := item.(map[string]any)
				if _, has := m["delete_type"]; !ok || has {
					return item, false
				}
				m["delete_type"] = "delete"
				return m, true
			}))},
		{name: "missing-job-id-failed-item", breaks: "REQ-VAL-03",
			desc: "answers an item without job_id with a failed item inside a 202",
			rules: lenientValidate(eachItem(func(item any) (any, bool) {
				m, ok := item.(map[string]any)
				if _, has := m["job_id"]; !ok || has {
					return item, false
				}
				m["job_id"] = "no-job-id"
				return m, true
			}))},
		{name: "delete-type-case-insensitive", breaks: "REQ-VAL-04",
			desc: "accepts delete_type in any letter case (Delete, TERMINATE)",
			rules: lenientValidate(eachDeleteType(func(v string) (string, bool) {
				for _, t := range []DeleteType{Terminate, ForceTerminate, Delete} {
					if v != string(t) && strings.EqualFold(v, string(t)) {
						return string(t), true
					}
				}
				return v, false
			}))},
		{name: "delete-type-trimmed", breaks: "REQ-VAL-04",
			desc: `accepts delete_type with spaces around it (" delete ")`,
			rules: lenientValidate(eachDeleteType(func(v string) (string, bool) {
				t := strings.TrimSpace(v)
				return t, t != v && validDeleteType(t)
			}))},
		{name: "unknown-delete-type-as-delete", breaks: "REQ-VAL-04",
			desc: `treats a delete_type it does not know (remove, "", stop) as delete`,
			rules: lenientValidate(eachDeleteType(func(v string) (string, bool) {
				for _, t := range []DeleteType{Terminate, ForceTerminate, Delete} {
					if strings.EqualFold(strings.TrimSpace(v), string(t)) {
						return v, false // a case or space variant: another mutant's fault
					}
				}
				return string(Delete), true
			}))},
		{name: "job-id-number-accepted", breaks: "REQ-VAL-05",
			desc: "accepts a job_id written as a JSON number and looks it up as a string",
			rules: lenientValidate(eachItem(func(item any) (any, bool) {
				m, ok := item.(map[string]any)
				if !ok {
					return item, false
				}
				n, ok := m["job_id"].(json.Number)
				if !ok {
					return item, false
				}
				m["job_id"] = n.String()
				return m, true
			}))},
		{name: "empty-jobs-non-empty-result", breaks: "REQ-VAL-06",
			desc: "answers jobs [] with 202 and one failed result (count 1)",
			wire: func(s *Server, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					body := readAll(r)
					doc, ok := decodeObject(body)
					if list, isList := doc["jobs"].([]any); ok && isList && len(list) == 0 && s.authenticate(r, body) == nil {
						lang := languageOf(r)
						writeJSON(w, http.StatusAccepted, BatchDeleteJobResp{Count: 1, Results: []DeleteJobResp{{
							ID: "", Status: ItemFailed, ErrorCode: CodeParameterEmpty, ErrorMsg: msgParamEmpty.text(lang, "jobs")}}})
						return
					}
					next.ServeHTTP(w, r)
				})
			}},
		{name: "error-body-without-error-msg", breaks: "REQ-VAL-07",
			desc: "leaves error_msg out of every 4xx body",
			wire: rewriteAnswer(func(_ *http.Request, status int, body []byte) (int, []byte) {
				if status < 400 || status >= 500 {
					return status, body
				}
				var m map[string]any
				if json.Unmarshal(body, &m) != nil {
					return status, body
				}
				delete(m, "error_msg")
				out, _ := json.Marshal(m)
				return status, out
			})},
		{name: "401-body-not-json", breaks: "REQ-VAL-07",
			desc: "answers a missing credential 401 with the text body Unauthorized",
			wire: rewriteAnswer(func(_ *http.Request, status int, body []byte) (int, []byte) {
				if status == http.StatusUnauthorized {
					return status, []byte("Unauthorized\n")
				}
				return status, body
			})},
		{name: "applies-valid-items-of-rejected-batch", breaks: "REQ-VAL-08",
			desc: "acts on the well-formed items of a batch it then answers 400",
			rules: func(s *Server) {
				s.rules.validate = func(s *Server, r *http.Request, body []byte) ([]DeleteJobReq, *problem) {
					jobs, p := validateBatch(s, r, body)
					if p == nil || p.status != http.StatusBadRequest {
						return jobs, p
					}
					var doc struct {
						Jobs []json.RawMessage `json:"jobs"`
					}
					if json.Unmarshal(body, &doc) != nil {
						return jobs, p
					}
					proj, _ := s.store.lookup(r.PathValue("project_id"))
					for _, raw := range doc.Jobs {
						var item struct {
							DeleteType *string `json:"delete_type"`
							JobID      *string `json:"job_id"`
						}
						if json.Unmarshal(raw, &item) == nil && item.DeleteType != nil && item.JobID != nil &&
							validDeleteType(*item.DeleteType) && *item.JobID != "" {
							applyItem(s, proj, DeleteJobReq{DeleteType: DeleteType(*item.DeleteType), JobID: *item.JobID})
						}
					}
					return jobs, p
				}
			}},
		{name: "invalid-utf8-replaced", breaks: "REQ-VAL-10",
			desc: "reads a body that is not UTF-8 with U+FFFD in place of the bad bytes (as encoding/json does) and acts on it",
			rules: func(s *Server) {
				s.rules.validate = func(s *Server, r *http.Request, body []byte) ([]DeleteJobReq, *problem) {
					return validateBatch(s, r, []byte(strings.ToValidUTF8(string(body), "\uFFFD")))
				}
			}},
		{name: "unknown-field-fails-items", breaks: "REQ-VAL-09",
			desc: "answers a body with a field the page does not list 202 with every item failed, acting on none",
			wire: func(s *Server, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					body := readAll(r)
					doc, ok := decodeObject(body)
					list, isList := doc["jobs"].([]any)
					if !ok || !isList || s.authenticate(r, body) != nil || !hasUnknownField(doc, list) {
						next.ServeHTTP(w, r)
						return
					}
					var results []DeleteJobResp
					for _, item := range list {
						m, _ := item.(map[string]any)
						id, _ := m["job_id"].(string)
						results = append(results, encodeResult(id, fail(msgUnknownField), languageOf(r)))
					}
					writeJSON(w, http.StatusAccepted, BatchDeleteJobResp{Count: len(results), Results: results})
				})
			}},

		// REQ-HDR-*: credentials, Content-Type, X-Language.
		{name: "missing-token-accepted", breaks: "REQ-HDR-01",
			desc: "acts on a request that carries no credential",
			wire: func(s *Server, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Header.Get(headerAuthToken) == "" && r.Header.Get(headerAuthorization) == "" {
						r.Header.Set(headerAuthToken, s.forgedToken())
					}
					next.ServeHTTP(w, r)
				})
			}},
		{name: "missing-token-refused-after-acting", breaks: "REQ-HDR-01",
			desc: "answers a request without a credential 401, but has already acted on it",
			wire: func(s *Server, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Header.Get(headerAuthToken) != "" || r.Header.Get(headerAuthorization) != "" {
						next.ServeHTTP(w, r)
						return
					}
					body := readAll(r)
					authed := r.Clone(r.Context())
					authed.Header.Set(headerAuthToken, s.forgedToken())
					authed.Body = io.NopCloser(bytes.NewReader(body))
					recorded(next, authed)
					writeProblem(w, languageOf(r), newProblem(http.StatusUnauthorized, msgNoCredential))
				})
			}},
		{name: "wrong-content-type-accepted", breaks: "REQ-HDR-02",
			desc: "reads the body as JSON whatever the Content-Type says, or when there is none",
			wire: rewriteRequest(func(r *http.Request, body []byte) []byte {
				r.Header.Set("Content-Type", "application/json")
				return body
			})},
		{name: "en-us-rejected", breaks: "REQ-HDR-03",
			desc: "answers X-Language: en-us 400 (it only knows the default when the header is absent)",
			wire: languageAnswer("en-us", http.StatusBadRequest)},
		{name: "zh-cn-rejected", breaks: "REQ-HDR-03",
			desc: "answers X-Language: zh-cn 400",
			wire: languageAnswer("zh-cn", http.StatusBadRequest)},
		{name: "other-language-406", breaks: "REQ-HDR-04",
			desc: "answers an X-Language other than en-us and zh-cn 406 (neither 400 nor en-us)",
			wire: func(_ *Server, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if v := r.Header.Get("X-Language"); v != "" && v != "en-us" && v != "zh-cn" {
						writeProblem(w, English, newProblem(http.StatusNotAcceptable, msgParamInvalid, "X-Language"))
						return
					}
					next.ServeHTTP(w, r)
				})
			}},
		{name: "english-for-zh-cn", breaks: "REQ-HDR-05",
			desc: "ignores X-Language: every error_msg is English",
			wire: rewriteRequest(func(r *http.Request, body []byte) []byte {
				r.Header.Del("X-Language")
				return body
			})},
		{name: "english-error-body-for-zh-cn", breaks: "REQ-HDR-05",
			desc: "writes the error_msg of 400 bodies in English whatever X-Language says (items stay localized)",
			wire: rewriteAnswer(func(_ *http.Request, status int, body []byte) (int, []byte) {
				if status != http.StatusBadRequest {
					return status, body
				}
				var e ErrorBody
				if json.Unmarshal(body, &e) != nil {
					return status, body
				}
				e.ErrorMsg = "The request is invalid."
				out, _ := json.Marshal(e)
				return status, out
			})},

		// REQ-RES-*: the batch invariants of every 202.
		{name: "count-off-by-one", breaks: "REQ-RES-01",
			desc: "answers count one more than the number of results",
			wire: on202(func(_ *http.Request, m map[string]any) {
				n, _ := m["count"].(json.Number).Int64()
				m["count"] = n + 1
			})},
		{name: "result-missing", breaks: "REQ-RES-02",
			desc: "leaves the last result out (count matches what is left)",
			wire: on202(func(_ *http.Request, m map[string]any) {
				rs := results(m)
				if len(rs) > 0 {
					rs = rs[:len(rs)-1]
				}
				m["results"], m["count"] = rs, len(rs)
			})},
		{name: "extra-result", breaks: "REQ-RES-02",
			desc: "repeats the first result at the end (count matches)",
			wire: on202(func(_ *http.Request, m map[string]any) {
				rs := results(m)
				if len(rs) > 0 {
					rs = append(rs, rs[0])
				}
				m["results"], m["count"] = rs, len(rs)
			})},
		{name: "ids-changed", breaks: "REQ-RES-02",
			desc: "writes result ids in upper case, not as they were requested",
			wire: on202(func(_ *http.Request, m map[string]any) {
				for _, r := range results(m) {
					if r, ok := r.(map[string]any); ok {
						r["id"] = strings.ToUpper(fmtAny(r["id"]))
					}
				}
			})},
		{name: "drops-the-delete-body", breaks: "REQ-RES-02",
			desc: "never receives the DELETE body (as some proxies drop it) and answers every request as an empty batch: 202, no results",
			wire: func(s *Server, _ http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if p := s.authenticate(r, nil); p != nil {
						writeProblem(w, languageOf(r), p)
						return
					}
					writeJSON(w, http.StatusAccepted, BatchDeleteJobResp{Results: []DeleteJobResp{}})
				})
			}},
		{name: "failed-results-omitted", breaks: "REQ-RES-02",
			desc: "lists only the successful items (count matches what is listed)",
			wire: on202(func(_ *http.Request, m map[string]any) {
				kept := []any{}
				for _, r := range results(m) {
					if rm, _ := r.(map[string]any); rm["status"] != ItemFailed {
						kept = append(kept, r)
					}
				}
				m["results"], m["count"] = kept, len(kept)
			})},
		{name: "results-reversed", breaks: "REQ-RES-03",
			desc: "answers the results in reverse request order",
			wire: on202(func(_ *http.Request, m map[string]any) {
				rs := results(m)
				slices.Reverse(rs)
				m["results"] = rs
			})},
		{name: "status-in-capitals", breaks: "REQ-RES-04",
			desc: "writes the item status as SUCCESS and FAILED",
			wire: on202(func(_ *http.Request, m map[string]any) {
				for _, r := range results(m) {
					if r, ok := r.(map[string]any); ok {
						r["status"] = strings.ToUpper(fmtAny(r["status"]))
					}
				}
			})},
		{name: "failed-item-without-error-code", breaks: "REQ-RES-05",
			desc: "leaves error_code out of failed items",
			rules: func(s *Server) {
				s.rules.encode = func(id string, d decision, lang Lang) DeleteJobResp {
					r := encodeResult(id, d, lang)
					r.ErrorCode = ""
					return r
				}
			}},
		{name: "failed-item-without-error-msg", breaks: "REQ-RES-05",
			desc: "leaves error_msg out of failed items",
			rules: func(s *Server) {
				s.rules.encode = func(id string, d decision, lang Lang) DeleteJobResp {
					r := encodeResult(id, d, lang)
					r.ErrorMsg = ""
					return r
				}
			}},
		{name: "error-fields-on-success", breaks: "REQ-RES-06",
			desc: "puts error_code DRS.M00000 and error_msg \"Success.\" on successful items",
			rules: func(s *Server) {
				s.rules.encode = func(id string, d decision, lang Lang) DeleteJobResp {
					r := encodeResult(id, d, lang)
					if !d.failed {
						r.ErrorCode, r.ErrorMsg = "DRS.M00000", "Success."
					}
					return r
				}
			}},
		{name: "error-code-without-drs-prefix", breaks: "REQ-RES-07",
			desc: "writes item error codes without the DRS. prefix (M05003)",
			rules: func(s *Server) {
				s.rules.encode = func(id string, d decision, lang Lang) DeleteJobResp {
					r := encodeResult(id, d, lang)
					r.ErrorCode = strings.TrimPrefix(r.ErrorCode, "DRS.")
					return r
				}
			}},

		// REQ-STA-*: the state machine, seen through the fixture protocol.
		{name: "deletable-child-state-refused", breaks: "REQ-STA-01",
			desc: "refuses delete of a task in RELEASE_CHILD_TRANSFER_COMPLETE",
			rules: decideWith(func(t snapshot, typ DeleteType) (decision, bool) {
				return fail(msgWrongStatus), t.state == taskLive && typ == Delete && t.status == ReleaseChildTransferComplete
			})},
		{name: "delete-does-nothing", breaks: "REQ-STA-01",
			desc: "reports a delete as success but leaves the task as it was",
			rules: afterApply(func(p *project, before *task, job DeleteJobReq, d decision) {
				if before != nil && !d.failed && d.act == actDelete {
					p.tasks[job.JobID] = before
					delete(p.deleted, job.JobID)
				}
			})},
		{name: "delete-soft-deletes", breaks: "REQ-STA-01",
			desc: "marks a deleted task DELETED instead of removing it: it still reads back",
			rules: afterApply(func(p *project, before *task, job DeleteJobReq, d decision) {
				if before != nil && !d.failed && d.act == actDelete {
					before.status = Deleted
					p.tasks[job.JobID] = before
					delete(p.deleted, job.JobID)
				}
			})},
		{name: "delete-running-succeeds", breaks: "REQ-STA-02",
			desc: "deletes a task that is running (any stoppable state) without stopping it first",
			rules: decideWith(func(t snapshot, typ DeleteType) (decision, bool) {
				d := decideItem(t, typ)
				return succeed(actDelete), typ == Delete && d.failed && d.reason == msgWrongStatus && Stoppable(t.status)
			})},
		{name: "release-failed-deletable", breaks: "REQ-STA-02",
			desc: "deletes a task in RELEASE_RESOURCE_FAILED, as if the failed release had completed",
			rules: decideWith(func(t snapshot, typ DeleteType) (decision, bool) {
				d := decideItem(t, typ)
				return succeed(actDelete), typ == Delete && d.failed && d.reason == msgWrongStatus && t.status == ReleaseResourceFailed
			})},
		{name: "releasing-task-deletable", breaks: "REQ-STA-02",
			desc: "deletes a task still in RELEASE_RESOURCE_STARTED, before its release completes",
			rules: decideWith(func(t snapshot, typ DeleteType) (decision, bool) {
				d := decideItem(t, typ)
				return succeed(actDelete), typ == Delete && d.failed && d.reason == msgWrongStatus && t.status == ReleaseResourceStarted
			})},
		{name: "child-transfer-complete-deletable", breaks: "REQ-STA-02",
			desc: "takes CHILD_TRANSFER_COMPLETE for RELEASE_CHILD_TRANSFER_COMPLETE and deletes the task",
			rules: decideWith(func(t snapshot, typ DeleteType) (decision, bool) {
				d := decideItem(t, typ)
				return succeed(actDelete), typ == Delete && d.failed && d.reason == msgWrongStatus && t.status == ChildTransferComplete
			})},
		{name: "failed-delete-still-removes", breaks: "REQ-STA-02",
			desc: "reports the delete of a non-deletable task as failed, but removes the task",
			rules: afterApply(func(p *project, before *task, job DeleteJobReq, d decision) {
				if before != nil && job.DeleteType == Delete && d.failed && d.reason == msgWrongStatus {
					delete(p.tasks, job.JobID)
					p.deleted[job.JobID] = struct{}{}
				}
			})},
		{name: "terminate-does-nothing", breaks: "REQ-STA-03",
			desc: "reports terminate as success but leaves the task running",
			rules: afterApply(func(p *project, before *task, job DeleteJobReq, d decision) {
				if before != nil && job.DeleteType == Terminate && !d.failed && d.act == actStop {
					p.tasks[job.JobID] = before
				}
			})},
		{name: "terminate-release-never-completes", breaks: "REQ-STA-03",
			desc: "after terminate the task stays in RELEASE_RESOURCE_STARTED for ever",
			rules: afterApply(func(p *project, _ *task, job DeleteJobReq, d decision) {
				if t := p.tasks[job.JobID]; t != nil && job.DeleteType == Terminate && !d.failed && d.act == actStop {
					t.status, t.releaseAt = ReleaseResourceStarted, time.Time{}
				}
			})},
		{name: "terminate-ends-in-release-failed", breaks: "REQ-STA-03",
			desc: "after terminate the release fails: RELEASE_RESOURCE_FAILED, which cannot be deleted",
			rules: afterApply(func(p *project, _ *task, job DeleteJobReq, d decision) {
				if t := p.tasks[job.JobID]; t != nil && job.DeleteType == Terminate && !d.failed && d.act == actStop {
					t.status, t.releaseAt = ReleaseResourceFailed, time.Time{}
				}
			})},
		{name: "force-terminate-rejected", breaks: "REQ-STA-04",
			desc: "fails every force_terminate item with DRS.M00304",
			rules: decideWith(func(t snapshot, typ DeleteType) (decision, bool) {
				return fail(msgWrongStatus), typ == ForceTerminate && !decideItem(t, typ).failed
			})},
		{name: "force-terminate-release-never-completes", breaks: "REQ-STA-04",
			desc: "after force_terminate the task stays in RELEASE_RESOURCE_STARTED for ever",
			rules: afterApply(func(p *project, _ *task, job DeleteJobReq, d decision) {
				if t := p.tasks[job.JobID]; t != nil && job.DeleteType == ForceTerminate && !d.failed && d.act == actStop {
					t.status, t.releaseAt = ReleaseResourceStarted, time.Time{}
				}
			})},
		{name: "unknown-job-rejects-batch", breaks: "REQ-STA-05",
			desc: "answers 400 DRS.M05003 for the whole batch when one job_id is unknown",
			rules: func(s *Server) {
				s.rules.validate = func(s *Server, r *http.Request, body []byte) ([]DeleteJobReq, *problem) {
					jobs, p := validateBatch(s, r, body)
					if p != nil {
						return jobs, p
					}
					proj, _ := s.store.lookup(r.PathValue("project_id"))
					for _, j := range jobs {
						if proj == nil || !proj.known(j.JobID) {
							return nil, newProblem(http.StatusBadRequest, msgNotFound)
						}
					}
					return jobs, nil
				}
			}},
		{name: "unknown-job-succeeds", breaks: "REQ-STA-05",
			desc: "reports success for a job_id it has never seen",
			rules: decideWith(func(t snapshot, _ DeleteType) (decision, bool) {
				return succeed(actNone), t.state == taskUnknown
			})},
		{name: "other-project-task-acted-on", breaks: "REQ-STA-06",
			desc: "finds a job_id unknown in the request's project in any other project and acts on it there",
			rules: func(s *Server) {
				s.rules.apply = func(s *Server, p *project, job DeleteJobReq) decision {
					if p != nil && p.known(job.JobID) {
						return applyItem(s, p, job)
					}
					for _, other := range s.store.all() {
						if other != p && other.known(job.JobID) {
							return applyItem(s, other, job)
						}
					}
					return applyItem(s, p, job)
				}
			}},
		{name: "busy-task-acted-on", breaks: "REQ-STA-07",
			desc: "ignores that another operation is in progress on the task",
			rules: decideWith(func(t snapshot, typ DeleteType) (decision, bool) {
				t.busy = false
				return decideItem(t, typ), true
			})},
		{name: "busy-task-other-code", breaks: "REQ-STA-07",
			desc: "fails a busy task's item with DRS.M00304 instead of DRS.M01504",
			rules: decideWith(func(t snapshot, typ DeleteType) (decision, bool) {
				d := decideItem(t, typ)
				return fail(msgWrongStatus), d.failed && d.reason == msgBusy
			})},
		{name: "second-delete-succeeds", breaks: "REQ-STA-08",
			desc: "reports success for a delete of a task that is already deleted",
			rules: decideWith(func(t snapshot, _ DeleteType) (decision, bool) {
				return succeed(actNone), t.state == taskGone
			})},
		{name: "one-bad-item-fails-the-batch", breaks: "REQ-STA-09",
			desc: "all or nothing: when one item of a batch would fail, every item fails and none is acted on",
			wire: func(s *Server, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					body := readAll(r)
					if s.authenticate(r, body) != nil {
						next.ServeHTTP(w, r)
						return
					}
					jobs, p := validateBatch(s, r, body)
					if p != nil || len(jobs) < 2 {
						next.ServeHTTP(w, r)
						return
					}
					proj, _ := s.store.lookup(r.PathValue("project_id"))
					decisions := make([]decision, len(jobs))
					anyFailed := false
					for i, j := range jobs {
						decisions[i] = decideItem(s.peek(proj, j.JobID), j.DeleteType)
						anyFailed = anyFailed || decisions[i].failed
					}
					if !anyFailed {
						next.ServeHTTP(w, r)
						return
					}
					out := BatchDeleteJobResp{Count: len(jobs)}
					for i, j := range jobs {
						d := decisions[i]
						if !d.failed {
							d = fail(msgBusy) // aborted with the rest of the batch
						}
						out.Results = append(out.Results, encodeResult(j.JobID, d, languageOf(r)))
					}
					writeJSON(w, http.StatusAccepted, out)
				})
			}},
		{name: "only-first-item-acted-on", breaks: "REQ-STA-09",
			desc: "carries out only the first item of a batch; every later item reports the first one's outcome",
			wire: func(_ *Server, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					doc := decodeObjectOrNil(readAll(r))
					list, ok := doc["jobs"].([]any)
					if !ok || len(list) < 2 {
						next.ServeHTTP(w, r)
						return
					}
					doc["jobs"] = list[:1]
					one, _ := json.Marshal(doc)
					r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(one)), int64(len(one))
					rec := recorded(next, r)
					var got BatchDeleteJobResp
					if rec.Code != http.StatusAccepted || json.Unmarshal(rec.Body.Bytes(), &got) != nil || len(got.Results) != 1 {
						w.WriteHeader(rec.Code)
						_, _ = w.Write(rec.Body.Bytes())
						return
					}
					out := BatchDeleteJobResp{Count: len(list)}
					for _, item := range list {
						res := got.Results[0]
						m, _ := item.(map[string]any)
						res.ID, _ = m["job_id"].(string)
						out.Results = append(out.Results, res)
					}
					writeJSON(w, http.StatusAccepted, out)
				})
			}},
		{name: "parent-outside-dual-active-acted-on", breaks: "REQ-STA-10",
			desc: "treats a parent task outside a dual-active DR scenario like any other task",
			rules: decideWith(func(t snapshot, typ DeleteType) (decision, bool) {
				t.parent = false
				return decideItem(t, typ), true
			})},
		{name: "parent-in-dual-active-refused", breaks: "REQ-STA-10",
			desc: "fails every parent task, also inside a dual-active DR scenario",
			rules: decideWith(func(t snapshot, _ DeleteType) (decision, bool) {
				return fail(msgOnlySubtasks), t.state == taskLive && t.parent && t.dualActive
			})},
		{name: "duplicate-collapsed", breaks: "REQ-STA-11",
			desc: "answers a job_id repeated in one batch with a single result (neither 400 nor one result per entry)",
			wire: on202(func(_ *http.Request, m map[string]any) {
				seen := map[string]bool{}
				var kept []any
				for _, r := range results(m) {
					rm, _ := r.(map[string]any)
					id := fmtAny(rm["id"])
					if !seen[id] {
						kept = append(kept, r)
					}
					seen[id] = true
				}
				m["results"], m["count"] = kept, len(kept)
			})},
		{name: "duplicates-all-failed", breaks: "REQ-STA-11",
			desc: "answers a batch with a repeated job_id 202 with every entry failed, acting on none",
			wire: func(s *Server, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					body := readAll(r)
					jobs, p := validateBatch(s, r, body)
					if p != nil || s.authenticate(r, body) != nil || !hasDuplicate(jobs) {
						next.ServeHTTP(w, r)
						return
					}
					out := BatchDeleteJobResp{Count: len(jobs)}
					for _, j := range jobs {
						out.Results = append(out.Results, encodeResult(j.JobID, fail(msgDuplicate), languageOf(r)))
					}
					writeJSON(w, http.StatusAccepted, out)
				})
			}},
		{name: "terminate-deletes-running-task", breaks: "REQ-STA-12",
			desc: "terminate of a running task removes the task instead of stopping it",
			rules: afterApply(func(p *project, _ *task, job DeleteJobReq, d decision) {
				if job.DeleteType == Terminate && !d.failed && d.act == actStop {
					delete(p.tasks, job.JobID)
					p.deleted[job.JobID] = struct{}{}
				}
			})},
		{name: "force-terminate-deletes-running-task", breaks: "REQ-STA-12",
			desc: "force_terminate of a running task removes the task instead of stopping it",
			rules: afterApply(func(p *project, _ *task, job DeleteJobReq, d decision) {
				if job.DeleteType == ForceTerminate && !d.failed && d.act == actStop {
					delete(p.tasks, job.JobID)
					p.deleted[job.JobID] = struct{}{}
				}
			})},
		{name: "stop-on-deletable-deletes", breaks: "REQ-STA-12",
			desc: "terminate or force_terminate of a task already in a deletable state deletes it",
			rules: afterApply(func(p *project, before *task, job DeleteJobReq, d decision) {
				if before != nil && job.DeleteType != Delete && Deletable(before.status) && !before.busy && (!before.parent || before.dualActive) {
					delete(p.tasks, job.JobID)
					p.deleted[job.JobID] = struct{}{}
				}
			})},

		// REQ-SEC-*: credentials the server did not issue, and credentials echoed back.
		{name: "any-token-accepted", breaks: "REQ-SEC-01",
			desc: "accepts any X-Auth-Token that is present: it checks that there is one, not that it is valid",
			wire: func(s *Server, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if strings.TrimSpace(r.Header.Get(headerAuthToken)) != "" {
						r.Header.Set(headerAuthToken, s.forgedToken())
					}
					next.ServeHTTP(w, r)
				})
			}},
		{name: "any-authorization-accepted", breaks: "REQ-SEC-01",
			desc: "accepts any Authorization header that is present, malformed or unsigned, without verifying it",
			wire: func(s *Server, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Header.Get(headerAuthToken) == "" && strings.TrimSpace(r.Header.Get(headerAuthorization)) != "" {
						r.Header.Del(headerAuthorization)
						r.Header.Set(headerAuthToken, s.forgedToken())
					}
					next.ServeHTTP(w, r)
				})
			}},
		{name: "token-echoed-in-error-msg", breaks: "REQ-SEC-02",
			desc: "quotes the X-Auth-Token it received in the error_msg of every 4xx",
			wire: rewriteAnswer(func(r *http.Request, status int, body []byte) (int, []byte) {
				var e ErrorBody
				if status < 400 || status >= 500 || json.Unmarshal(body, &e) != nil {
					return status, body
				}
				e.ErrorMsg += " (X-Auth-Token: " + r.Header.Get(headerAuthToken) + ")"
				out, _ := json.Marshal(e)
				return status, out
			})},
		{name: "credential-echoed-in-header", breaks: "REQ-SEC-02",
			desc: "sends the credential it received back in a response header, in upper case (X-Request-Credential)",
			wire: func(_ *Server, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					cred := r.Header.Get(headerAuthToken)
					if cred == "" {
						cred = r.Header.Get(headerAuthorization)
					}
					if cred != "" {
						w.Header().Set("X-Request-Credential", strings.ToUpper(cred))
					}
					next.ServeHTTP(w, r)
				})
			}},

		// Scale and unusual IDs (cases/scale.yaml): a large batch answered in
		// part, ids that do not come back as they were sent.
		{name: "large-batch-truncated-count-kept", breaks: "REQ-RES-02",
			desc: "answers only the first 50 results of a larger batch; count still the number requested",
			wire: on202(func(_ *http.Request, m map[string]any) {
				if rs := results(m); len(rs) > truncateAt {
					m["results"] = rs[:truncateAt]
				}
			})},
		{name: "large-batch-only-first-items", breaks: "REQ-RES-02",
			desc: "takes only the first 50 items of a larger batch: acts on them and answers them, count 50",
			rules: func(s *Server) {
				s.rules.validate = func(s *Server, r *http.Request, body []byte) ([]DeleteJobReq, *problem) {
					jobs, p := validateBatch(s, r, body)
					if len(jobs) > truncateAt {
						jobs = jobs[:truncateAt]
					}
					return jobs, p
				}
			}},
		{name: "long-ids-cut-at-255-bytes", breaks: "REQ-RES-02",
			desc: "answers a job_id longer than 255 bytes cut to its first 255 (a VARCHAR(255) column)",
			wire: eachResultID(func(id string) string {
				if len(id) > 255 {
					return id[:255]
				}
				return id
			})},
		{name: "non-ascii-ids-replaced", breaks: "REQ-RES-02",
			desc: "answers every non-ASCII character of a job_id as ? (a Latin-1 column)",
			wire: eachResultID(func(id string) string {
				return strings.Map(func(r rune) rune {
					if r > unicode.MaxASCII {
						return '?'
					}
					return r
				}, id)
			})},
		{name: "ids-returned-json-escaped", breaks: "REQ-RES-02",
			desc: `answers a job_id with non-ASCII or special characters in its escaped form as text (\u4e2d for 中, \" for ": the escape, not the character)`,
			wire: eachResultID(func(id string) string {
				q := strconv.QuoteToASCII(id)
				return q[1 : len(q)-1]
			})},
		{name: "ids-html-escaped", breaks: "REQ-RES-02",
			desc: "answers job_ids HTML-escaped (&lt; &amp; &#34;), as a template engine would",
			wire: eachResultID(html.EscapeString)},
		{name: "ids-combining-marks-stripped", breaks: "REQ-RES-02",
			desc: "answers job_ids with combining marks (U+0300..U+036F) removed, as an accent-folding normalizer does",
			wire: eachResultID(func(id string) string {
				return strings.Map(func(r rune) rune {
					if r >= 0x300 && r <= 0x36f {
						return -1
					}
					return r
				}, id)
			})},
		{name: "ids-url-decoded", breaks: "REQ-RES-02",
			desc: "answers job_ids URL-decoded (%20 and + become spaces), as if they had come in a query string",
			wire: eachResultID(func(id string) string {
				if d, err := url.QueryUnescape(id); err == nil {
					return d
				}
				return id
			})},

		// REQ-STA-13: a stopped task stays until someone deletes it.
		{name: "stopped-task-vanishes", breaks: "REQ-STA-13",
			desc:  "a task stopped through the API disappears by itself a second after its release completes",
			rules: afterStop(func(p *project, id string) { delete(p.tasks, id) })},
		{name: "stopped-task-turns-deleted", breaks: "REQ-STA-13",
			desc: "a task stopped through the API turns DELETED by itself a second after its release completes (no delete can remove it)",
			rules: afterStop(func(p *project, id string) {
				if t := p.tasks[id]; t != nil {
					t.status, t.releaseAt = Deleted, time.Time{}
				}
			})},

		// REQ-SEC-01, another angle: a shape check instead of a verification.
		{name: "token-checked-by-length-only", breaks: "REQ-SEC-01",
			desc: "accepts any X-Auth-Token as long as a valid one (a shape check, not a verification)",
			wire: func(s *Server, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if tok := r.Header.Get(headerAuthToken); tok != "" && len(tok) == len(s.forgedToken()) {
						r.Header.Set(headerAuthToken, s.forgedToken())
					}
					next.ServeHTTP(w, r)
				})
			}},
		// REQ-CON-*: faults that only show when requests overlap
		// (mutants_concurrency_test.go).
		{name: "racing-double-delete", breaks: "REQ-CON-01",
			desc:  "checks then acts: decides under the lock, lets it go, acts later without looking again, so two overlapping deletes of one task both succeed",
			rules: checkThenAct()},
		{name: "delete-queued-after-answer", breaks: "REQ-CON-01",
			desc:  "answers a delete success at once and removes the task 40 ms later, so an overlapping delete also sees it live and succeeds",
			rules: deleteAfterAnswer()},
		{name: "deadlock-locks-in-request-order", breaks: "REQ-CON-02",
			desc: "locks the tasks of a batch one by one in request order, holding each while working: batches naming the same tasks in opposite orders deadlock",
			wire: lockInRequestOrder()},
		{name: "deadlock-waits-for-overlapping", breaks: "REQ-CON-02",
			desc: "holds a batch until no other batch in flight names one of its tasks: two overlapping batches wait for each other for ever",
			wire: waitForOthers()},
		{name: "delete-wins-over-queued-stop", breaks: "REQ-CON-03",
			desc: "a delete of a task whose stop is queued removes it while running; the stop then fails on a task that is gone",
			wire: stopRacedByDelete(false)},
		{name: "stop-lost-to-delete", breaks: "REQ-CON-03",
			desc: "a delete cancels the queued stop of a running task, which still answers success: the task keeps running",
			wire: stopRacedByDelete(true)},
	}
}

// truncateAt is where the truncating mutants cut a batch: above every
// hand-written batch, below the generated ones of cases/scale.yaml.
const truncateAt = 50

// vanishAfter is how long after its release completes a stopped task of the
// REQ-STA-13 mutants lasts: within the 2 s the case reads it back.
const vanishAfter = time.Second

// eachResultID rewrites the id of every result of a 202.
func eachResultID(f func(id string) string) func(*Server, http.Handler) http.Handler {
	return on202(func(_ *http.Request, m map[string]any) {
		for _, r := range results(m) {
			if r, ok := r.(map[string]any); ok {
				if id, ok := r["id"].(string); ok {
					r["id"] = f(id)
				}
			}
		}
	})
}

// afterStop lets f change the project, under its lock, vanishAfter after the
// release of a task stopped through the API has completed; f sees the task's
// ID and must allow for the task having been deleted meanwhile.
func afterStop(f func(p *project, id string)) func(*Server) {
	return afterApply(func(p *project, _ *task, job DeleteJobReq, d decision) {
		t := p.tasks[job.JobID]
		if t == nil || d.failed || d.act != actStop {
			return
		}
		wait := time.Until(t.releaseAt) + vanishAfter
		time.AfterFunc(wait, func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			if _, live := p.tasks[job.JobID]; live {
				f(p, job.JobID)
			}
		})
	})
}

// forgedToken is a credential the server accepts, for a mutant that acts
// on a request that has none.
func (s *Server) forgedToken() string {
	if len(s.cfg.Tokens) > 0 {
		return s.cfg.Tokens[0]
	}
	return "forged-by-a-mutant"
}

// jobIDFirst matches an item object whose first key is job_id.
var jobIDFirst = regexp.MustCompile(`\{\s*"job_id"`)

// rejectBody answers 400 "not JSON" to a body that bad says it cannot read.
func rejectBody(bad func(body []byte) bool) func(*Server, http.Handler) http.Handler {
	return func(_ *Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if bad(readAll(r)) {
				writeProblem(w, languageOf(r), newProblem(http.StatusBadRequest, msgNotJSON))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func hasDuplicate(jobs []DeleteJobReq) bool {
	seen := map[string]bool{}
	for _, j := range jobs {
		if seen[j.JobID] {
			return true
		}
		seen[j.JobID] = true
	}
	return false
}

// Rule helpers.

// decideWith replaces the decide rule: f's decision where ok, the reference's elsewhere.
func decideWith(f func(t snapshot, typ DeleteType) (d decision, ok bool)) func(*Server) {
	return func(s *Server) {
		s.rules.decide = func(t snapshot, typ DeleteType) decision {
			if d, ok := f(t, typ); ok {
				return d
			}
			return decideItem(t, typ)
		}
	}
}

// afterApply wraps the apply rule: after the reference has carried out an
// item, f sees the task as it was before (a copy; nil if it was not live)
// and the decision, and may change the project, under the project's lock.
func afterApply(f func(p *project, before *task, job DeleteJobReq, d decision)) func(*Server) {
	return func(s *Server) {
		s.rules.apply = func(s *Server, p *project, job DeleteJobReq) decision {
			if p == nil {
				return applyItem(s, p, job)
			}
			var before *task
			p.mu.Lock()
			if t, ok := p.tasks[job.JobID]; ok {
				c := *t
				c.settle(s.cfg.Now())
				before = &c
			}
			p.mu.Unlock()
			d := applyItem(s, p, job)
			p.mu.Lock()
			defer p.mu.Unlock()
			f(p, before, job, d)
			return d
		}
	}
}

// lenientValidate replaces the validate rule with one that first rewrites the
// body's JSON object with f (when f reports a change), then validates as the
// reference does: the fault is in what it lets through.
func lenientValidate(f func(doc map[string]any) bool) func(*Server) {
	return func(s *Server) {
		s.rules.validate = func(s *Server, r *http.Request, body []byte) ([]DeleteJobReq, *problem) {
			if doc, ok := decodeObject(body); ok && f(doc) {
				body, _ = json.Marshal(doc)
			}
			return validateBatch(s, r, body)
		}
	}
}

// eachItem applies f to every element of jobs, when jobs is an array.
func eachItem(f func(item any) (any, bool)) func(doc map[string]any) bool {
	return func(doc map[string]any) bool {
		list, ok := doc["jobs"].([]any)
		changed := false
		for i := range list {
			var c bool
			list[i], c = f(list[i])
			changed = changed || c
		}
		return ok && changed
	}
}

// eachDeleteType applies f to every string delete_type.
func eachDeleteType(f func(v string) (string, bool)) func(doc map[string]any) bool {
	return eachItem(func(item any) (any, bool) {
		m, ok := item.(map[string]any)
		if !ok {
			return item, false
		}
		v, ok := m["delete_type"].(string)
		if !ok {
			return item, false
		}
		nv, changed := f(v)
		m["delete_type"] = nv
		return m, changed
	})
}

func validDeleteType(v string) bool {
	switch DeleteType(v) {
	case Terminate, ForceTerminate, Delete:
		return true
	}
	return false
}

// hasUnknownField reports whether the body or one of its items has a field
// the page does not list (the SDK's is_show_breakpoint_position is known).
func hasUnknownField(doc map[string]any, list []any) bool {
	for k := range doc {
		if k != "jobs" {
			return true
		}
	}
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return false
		}
		for k := range m {
			if !knownItemField(k) {
				return true
			}
		}
	}
	return false
}

// known reports whether the project has the task, live or deleted.
func (p *project) known(id string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exists(id)
}

// all returns every project of the store.
func (s *store) all() []*project {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*project, 0, len(s.projects))
	for _, p := range s.projects {
		out = append(out, p)
	}
	return out
}

// peek observes a task as applyItem would, without acting.
func (s *Server) peek(p *project, id string) snapshot {
	if p == nil {
		return snapshot{state: taskUnknown}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if t, ok := p.tasks[id]; ok {
		t.settle(s.cfg.Now())
		return snapshot{state: taskLive, status: t.status, parent: t.parent, dualActive: t.dualActive, busy: t.busy}
	}
	if p.isDeleted(id) {
		return snapshot{state: taskGone}
	}
	return snapshot{state: taskUnknown}
}

// Wire helpers.

// recorded plays r against next and returns the answer.
func recorded(next http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	return rec
}

// readAll reads the request body and puts it back for the next handler.
func readAll(r *http.Request) []byte {
	body, _ := io.ReadAll(io.LimitReader(r.Body, DefaultMaxBodyBytes+1))
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body
}

// rewriteAnswer lets f change the status and body of every answer; headers are kept.
func rewriteAnswer(f func(r *http.Request, status int, body []byte) (int, []byte)) func(*Server, http.Handler) http.Handler {
	return func(_ *Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := recorded(next, r)
			status, body := f(r, rec.Code, rec.Body.Bytes())
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(status)
			_, _ = w.Write(body)
		})
	}
}

// on202 lets f change the JSON object of every 202 (numbers as json.Number).
func on202(f func(r *http.Request, m map[string]any)) func(*Server, http.Handler) http.Handler {
	return rewriteAnswer(func(r *http.Request, status int, body []byte) (int, []byte) {
		if status != http.StatusAccepted {
			return status, body
		}
		m, ok := decodeObject(body)
		if !ok {
			return status, body
		}
		f(r, m)
		out, _ := json.Marshal(m)
		return status, out
	})
}

// rewriteRequest lets f change the request (headers, body) before the reference sees it.
func rewriteRequest(f func(r *http.Request, body []byte) []byte) func(*Server, http.Handler) http.Handler {
	return func(_ *Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body := f(r, readAll(r))
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
			next.ServeHTTP(w, r)
		})
	}
}

// languageAnswer answers requests with X-Language: lang with status, as if
// the value were invalid.
func languageAnswer(lang string, status int) func(*Server, http.Handler) http.Handler {
	return func(_ *Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-Language") == lang {
				writeProblem(w, languageOf(r), newProblem(status, msgParamInvalid, "X-Language"))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// decodeObjectOrNil is decodeObject without the flag: nil when it is not one object.
func decodeObjectOrNil(body []byte) map[string]any {
	m, _ := decodeObject(body)
	return m
}

// decodeObject decodes a JSON object, numbers as json.Number.
func decodeObject(body []byte) (map[string]any, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if dec.Decode(&m) != nil || m == nil || dec.More() {
		return nil, false
	}
	return m, true
}

func results(m map[string]any) []any {
	rs, _ := m["results"].([]any)
	return rs
}

// fmtAny writes a JSON scalar as text.
func fmtAny(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		return strconv.FormatBool(t)
	case nil:
		return "null"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
