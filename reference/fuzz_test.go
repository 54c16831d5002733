package reference_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/drsconform/drsconform/reference"
)

// FuzzBatchJobs feeds arbitrary bodies and headers to the handler. In the
// body, {D} and {R} stand for a deletable and a running task made afresh for
// each input. Whatever comes in: no 5xx, no panic, a JSON answer; a 202
// answers each requested job in order; any other answer is the error body
// and leaves both tasks as they were (REQ-VAL-08).
// The seed corpus runs in every `go test`; explore with
// go test -fuzz=FuzzBatchJobs -fuzztime=1m ./reference/
func FuzzBatchJobs(f *testing.F) {
	for _, seed := range []struct{ body, contentType, language, token string }{
		{`{"jobs":[{"delete_type":"delete","job_id":"{D}"},{"delete_type":"terminate","job_id":"{R}"}]}`, "application/json", "", "t"},
		{`{"jobs":[{"delete_type":"force_terminate","job_id":"{R}"},{"delete_type":"delete","job_id":"{R}"}]}`, "application/json", "zh-cn", "t"},
		{`{"jobs":[{"delete_type":"delete","job_id":"{D}"},{"delete_type":"delete","job_id":"{D}"}]}`, "application/json; charset=utf-8", "en-us", "t"},
		{`{"jobs":[{"delete_type":"terminate","job_id":"4c6ac8c0-2f51-426a-97b2-cb2c668jb201"},{"delete_type":"terminate","job_id":"6211d20d-0006-41da-836e-db3301ajb20b"}]}`, "application/json", "", "t"},
		{`{"jobs":[{"delete_type":"delete","job_id":"{D}"}]}`, "text/plain", "", "t"},
		{`{"jobs":[{"delete_type":"delete","job_id":"{D}"}]}`, "application/json", "fr", ""},
		{`{"jobs":[{"delete_type":"delete","job_id":"{D}"},{"delete_type":"Delete","job_id":"x"}]}`, "application/json", "", "t"},
		{`{"jobs":[{"delete_type":"delete","job_id":"{D}"},{"job_id":"x"}]}`, "application/json", "", "t"},
		{`{"jobs":[{"delete_type":"delete","job_id":"{D}"},{"delete_type":"delete","job_id":""}]}`, "application/json", "", "t"},
		{`{"jobs":[{"delete_type":"delete","job_id":"{D}"},{"delete_type":"delete","job_id":7}]}`, "application/json", "", "t"},
		{`{"jobs":[{"delete_type":"delete","job_id":"{D}"},null]}`, "application/json", "", "t"},
		{`{"jobs":[{"delete_type":"delete","job_id":"{D}"}],"jobs":null}`, "application/json", "", "t"},
		{`{"jobs":[{"delete_type":"delete","job_id":"{D}","JOB_ID":"{R}"}]}`, "application/json", "", "t"},
		{`{"jobs":[{"delete_type":"delete","job_id":"{D}\ud800"}]}`, "application/json", "", "t"},
		{`{"jobs":[{"delete_type":"delete","job_id":"{D}"}]} trailing`, "application/json", "", "t"},
		{`{"jobs":[]}`, "application/json", "", "t"},
		{`{"jobs":{}}`, "application/json", "", "t"},
		{`[]`, "application/json", "", "t"},
		{`null`, "application/json", "", "t"},
		{`"jobs"`, "application/json", "", "t"},
		{`{"jobs":[1e999]}`, "application/json", "", "t"},
		{"\xff\xfe{", "application/json", "", "t"},
		{``, "", "", "t"},
		{`{"jobs":[{"delete_type":"delete","job_id":"{D}"}]}`, "application/json;;", "zh-cn", "t"},
		{`{"jobs":[{"delete_type":"delete","job_id":"{D}"}]}`, "application/json", "", "SDK-HMAC-SHA256 Access=a, SignedHeaders=host, Signature=00"},
		{`{"jobs":[{"delete_type":"delete","job_id":"{D}"}]}`, "application/json", "", "Basic x"},
	} {
		f.Add([]byte(seed.body), seed.contentType, seed.language, seed.token)
	}
	h := reference.New(reference.Config{MaxBodyBytes: 64 << 10}).Handler()
	f.Fuzz(func(t *testing.T, body []byte, contentType, language, credential string) {
		d := createInProcess(t, h, reference.CreateFailed)
		r := createInProcess(t, h, reference.IncreTransferStarted)
		body = bytes.ReplaceAll(bytes.ReplaceAll(body, []byte("{D}"), []byte(d)), []byte("{R}"), []byte(r))

		req := httptest.NewRequest(http.MethodDelete, "/v3/"+projectA+"/jobs/batch-jobs", bytes.NewReader(body))
		setHeader(req, "Content-Type", contentType)
		setHeader(req, "X-Language", language)
		switch {
		case strings.HasPrefix(credential, "SDK-") || strings.Contains(credential, " "):
			setHeader(req, "Authorization", credential)
		default:
			setHeader(req, "X-Auth-Token", credential)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		if rec.Code >= 500 {
			t.Fatalf("REQ-HTTP-04: %d %s", rec.Code, rec.Body)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("REQ-HTTP-03: Content-Type %q", ct)
		}
		if rec.Code != http.StatusAccepted {
			var e map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || len(e) != 2 {
				t.Fatalf("REQ-VAL-07: %d %s", rec.Code, rec.Body)
			}
			for _, k := range []string{"error_code", "error_msg"} {
				if s, ok := e[k].(string); !ok || s == "" {
					t.Fatalf("REQ-VAL-07: %s: %s", k, rec.Body)
				}
			}
			if got := statusInProcess(t, h, d); got != reference.CreateFailed {
				t.Fatalf("REQ-VAL-08: a %d changed %s to %q", rec.Code, d, got)
			}
			if got := statusInProcess(t, h, r); got != reference.IncreTransferStarted {
				t.Fatalf("REQ-VAL-08: a %d changed %s to %q", rec.Code, r, got)
			}
			return
		}
		var res struct {
			Count   int              `json:"count"`
			Results []map[string]any `json:"results"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
			t.Fatalf("REQ-HTTP-02: %v: %s", err, rec.Body)
		}
		ids := requestedIDs(t, body)
		if res.Count != len(res.Results) || len(res.Results) != len(ids) {
			t.Fatalf("REQ-RES-01/02: count %d, %d results, %d requested", res.Count, len(res.Results), len(ids))
		}
		for i, r := range res.Results {
			if r["id"] != ids[i] {
				t.Fatalf("REQ-RES-02/03: result %d is %v, requested %q", i, r["id"], ids[i])
			}
			switch r["status"] {
			case "success":
				if len(r) != 2 {
					t.Fatalf("REQ-RES-06: %v", r)
				}
			case "failed":
				if r["error_code"] == "" || r["error_msg"] == "" {
					t.Fatalf("REQ-RES-05: %v", r)
				}
			default:
				t.Fatalf("REQ-RES-04: %v", r)
			}
		}
	})
}

func setHeader(r *http.Request, k, v string) {
	if v != "" && !strings.ContainsAny(v, "\r\n\x00") {
		r.Header.Set(k, v)
	}
}

// requestedIDs reads the job_ids of an accepted body, keys matched exactly.
func requestedIDs(t *testing.T, body []byte) []string {
	var top map[string]json.RawMessage
	var items []map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil || json.Unmarshal(top["jobs"], &items) != nil {
		t.Fatalf("accepted a body whose jobs do not decode: %q", body)
	}
	ids := make([]string, len(items))
	for i, it := range items {
		if json.Unmarshal(it["job_id"], &ids[i]) != nil {
			t.Fatalf("accepted an item without a string job_id: %q", body)
		}
	}
	return ids
}

func createInProcess(t *testing.T, h http.Handler, st reference.Status) string {
	b, _ := json.Marshal(fixture{ProjectID: projectA, Status: st})
	req := httptest.NewRequest(http.MethodPost, "/_conformance/v1/jobs", bytes.NewReader(b))
	req.Header.Set("X-Auth-Token", testToken)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var v reference.TaskView
	if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &v) != nil {
		t.Fatalf("fixture: %d %s", rec.Code, rec.Body)
	}
	return v.ID
}

func statusInProcess(t *testing.T, h http.Handler, id string) reference.Status {
	req := httptest.NewRequest(http.MethodGet, "/_conformance/v1/jobs/"+id+"?project_id="+projectA, nil)
	req.Header.Set("X-Auth-Token", testToken)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var v reference.TaskView
	if rec.Code == http.StatusNotFound {
		return ""
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &v) != nil {
		t.Fatalf("fixture GET: %d %s", rec.Code, rec.Body)
	}
	return v.Status
}
