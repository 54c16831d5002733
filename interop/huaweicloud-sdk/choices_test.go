package interop_test

// The real SDK against a server for every allowed behaviour (README.md,
// "A server for every allowed behaviour"): each scenario is played against
// the reference (reference.ChoicesReference) and against the server that
// makes every other allowed choice (reference.ChoicesOther, what
// `drsconform serve --choices other` serves).
//
// Two kinds of check, kept apart:
//   - OUR server: its answer, read on the wire, must be one the spec allows
//     (the statuses of the requirement, the contract of openapi/ and
//     schemas/) and the choice its preset documents. A miss fails the test.
//   - the SDK: does it hand the caller exactly what the server said (the
//     status, every item, the error code and message)? A miss is a FINDING
//     about the SDK under an allowed behaviour: logged, collected in the
//     table of README.md ("SDK findings"), never a failure of this test.
//
// DRSCONFORM_SDK_FINDINGS=findings.md go test -run TestSDKUnderEveryAllowedChoice ./...
// writes that table.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	drs "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/drs/v3"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/drs/v3/model"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/contract"
	"github.com/drsconform/drsconform/reference"
)

// wire is a RoundTripper between the SDK and the server: it may change the
// signed request (to send what the SDK cannot), and keeps the last answer
// as the server sent it.
type wire struct {
	tweak func(r *http.Request) // nil: the request as the SDK made it

	mu     sync.Mutex
	req    *http.Request
	status int
	header http.Header
	body   []byte
}

func (w *wire) RoundTrip(r *http.Request) (*http.Response, error) {
	if w.tweak != nil {
		r = r.Clone(r.Context())
		w.tweak(r)
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	w.mu.Lock()
	w.req, w.status, w.header, w.body = r, resp.StatusCode, resp.Header.Clone(), body
	w.mu.Unlock()
	return resp, nil
}

// choiceServer is one of the two servers every scenario plays against.
type choiceServer struct {
	name    string
	choices reference.Choices
}

var choiceServers = []choiceServer{
	{"reference", reference.ChoicesReference},
	{"other", reference.ChoicesOther},
}

// startChoiceTarget serves the preset on 127.0.0.1: signatures verified
// (open: any well-formed signature, for scenarios whose tweak changes a
// signed header), the fixture protocol reached with a token.
func startChoiceTarget(t *testing.T, choices reference.Choices, open bool) *target {
	t.Helper()
	cfg := reference.Config{AccessKey: accessKey, SecretKey: secretKey, Tokens: []string{fixtureToken},
		ReleaseDelay: releaseDelay, Choices: choices, Logger: slog.New(slog.DiscardHandler)}
	if open {
		cfg.AccessKey, cfg.SecretKey, cfg.Tokens = "", "", nil
	}
	srv := httptest.NewServer(reference.New(cfg).Handler())
	t.Cleanup(srv.Close)
	return &target{t: t, url: srv.URL}
}

// sdkClient is the SDK's DRS client with w between it and the target.
func sdkClient(t *testing.T, tg *target, w *wire) *drs.DrsClient {
	t.Helper()
	cred, err := basic.NewCredentialsBuilder().WithAk(accessKey).WithSk(secretKey).WithProjectId(projectID).SafeBuild()
	require.NoError(t, err)
	hc, err := drs.DrsClientBuilder().
		WithEndpoints([]string{tg.url}).
		WithCredential(cred).
		WithHttpConfig(config.DefaultHttpConfig().WithTimeout(10 * time.Second).WithRetries(0).WithHttpRoundTripper(w)).
		SafeBuild()
	require.NoError(t, err)
	return drs.NewDrsClient(hc)
}

// choiceScenario is one allowed behaviour, played through the SDK.
type choiceScenario struct {
	name        string // the situation
	requirement string // the requirement of conformance/requirements.yaml that allows the choices
	open        bool   // the tweak changes a signed header: the server accepts any well-formed signature
	tweak       func(r *http.Request)
	// call sends the request through the SDK.
	call func(t *testing.T, tg *target, c *drs.DrsClient) (*model.BatchDeleteJobsResponse, error)
	// allowed maps each answer the spec allows to its label; label says
	// which one an answer is ("" when it is none of them).
	label func(status int, body []byte) string
	// want is the label each preset documents (reference.OtherChoices).
	want map[reference.Choices]string
}

// item builds one job of a batch.
func item(typ, id string) model.DeleteJobReq { return job(deleteType(typ), id) }

// language is an X-Language value the SDK's enum may not have, set as its
// JSON decoder would.
func language(v string) *model.BatchDeleteJobsRequestXLanguage {
	var l model.BatchDeleteJobsRequestXLanguage
	if err := json.Unmarshal([]byte(`"`+v+`"`), &l); err != nil {
		panic(err)
	}
	return &l
}

// answer202 decodes a 202 body; ok is false for any other answer.
func answer202(status int, body []byte) (map[string]any, []map[string]any, bool) {
	if status != http.StatusAccepted {
		return nil, nil, false
	}
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil {
		return nil, nil, false
	}
	raw, _ := doc["results"].([]any)
	var items []map[string]any
	for _, r := range raw {
		m, _ := r.(map[string]any)
		items = append(items, m)
	}
	return doc, items, true
}

func statusLabel(allowed ...int) func(int, []byte) string {
	return func(status int, _ []byte) string {
		if slices.Contains(allowed, status) {
			return fmt.Sprint(status)
		}
		return ""
	}
}

func choiceScenarios() []choiceScenario {
	deleteOne := func(_ *testing.T, tg *target, c *drs.DrsClient) (*model.BatchDeleteJobsResponse, error) {
		return c.BatchDeleteJobs(batch(nil, item("delete", tg.fixture(reference.CreateFailed, false))))
	}
	return []choiceScenario{
		{name: `an empty "job_id"`, requirement: "REQ-VAL-05",
			call: func(_ *testing.T, tg *target, c *drs.DrsClient) (*model.BatchDeleteJobsResponse, error) {
				return c.BatchDeleteJobs(batch(nil, item("delete", tg.fixture(reference.CreateFailed, false)), item("delete", "")))
			},
			label: func(status int, body []byte) string {
				if status == http.StatusBadRequest {
					return "rejected-400"
				}
				if _, items, ok := answer202(status, body); ok && len(items) == 2 && items[1]["id"] == "" && items[1]["status"] == "failed" {
					return "failed-item"
				}
				return ""
			},
			want: map[reference.Choices]string{reference.ChoicesReference: "rejected-400", reference.ChoicesOther: "failed-item"}},
		{name: `an empty "jobs" array`, requirement: "REQ-VAL-06",
			call: func(_ *testing.T, _ *target, c *drs.DrsClient) (*model.BatchDeleteJobsResponse, error) {
				return c.BatchDeleteJobs(&model.BatchDeleteJobsRequest{Body: &model.BatchDeleteJobReq{Jobs: []model.DeleteJobReq{}}})
			},
			label: func(status int, body []byte) string {
				if status == http.StatusBadRequest {
					return "rejected-400"
				}
				if doc, items, ok := answer202(status, body); ok && len(items) == 0 && doc["count"] == 0.0 {
					return "accepted-empty"
				}
				return ""
			},
			want: map[reference.Choices]string{reference.ChoicesReference: "rejected-400", reference.ChoicesOther: "accepted-empty"}},
		{name: "no credential (the Authorization header removed)", requirement: "REQ-HDR-01",
			tweak: func(r *http.Request) { r.Header.Del("Authorization") },
			call:  deleteOne, label: statusLabel(400, 401, 403),
			want: map[reference.Choices]string{reference.ChoicesReference: "401", reference.ChoicesOther: "403"}},
		{name: "Content-Type text/plain", requirement: "REQ-HDR-02", open: true,
			tweak: func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") },
			call:  deleteOne, label: statusLabel(400, 415),
			want: map[reference.Choices]string{reference.ChoicesReference: "400", reference.ChoicesOther: "415"}},
		{name: "X-Language fr", requirement: "REQ-HDR-04",
			call: func(_ *testing.T, tg *target, c *drs.DrsClient) (*model.BatchDeleteJobsResponse, error) {
				return c.BatchDeleteJobs(batch(language("fr"), item("delete", tg.fixture(reference.CreateFailed, false))))
			},
			label: func(status int, body []byte) string {
				if status == http.StatusBadRequest {
					return "rejected-400"
				}
				if _, items, ok := answer202(status, body); ok && len(items) == 1 && items[0]["status"] == "success" {
					return "treated-as-default"
				}
				return ""
			},
			want: map[reference.Choices]string{reference.ChoicesReference: "treated-as-default", reference.ChoicesOther: "rejected-400"}},
		{name: "an unknown field in the body", requirement: "REQ-VAL-09", open: true,
			tweak: func(r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				body = append(bytes.TrimSuffix(bytes.TrimSpace(body), []byte("}")), []byte(`,"dry_run":true}`)...)
				r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
			},
			call: deleteOne,
			label: func(status int, body []byte) string {
				if status == http.StatusBadRequest {
					return "rejected-400"
				}
				if _, items, ok := answer202(status, body); ok && len(items) == 1 && items[0]["status"] == "success" {
					return "ignored"
				}
				return ""
			},
			want: map[reference.Choices]string{reference.ChoicesReference: "ignored", reference.ChoicesOther: "rejected-400"}},
		{name: "a job_id twice in one batch", requirement: "REQ-STA-11",
			call: func(_ *testing.T, tg *target, c *drs.DrsClient) (*model.BatchDeleteJobsResponse, error) {
				id := tg.fixture(reference.CreateFailed, false)
				return c.BatchDeleteJobs(batch(nil, item("delete", id), item("delete", id)))
			},
			label: func(status int, body []byte) string {
				if status == http.StatusBadRequest {
					return "rejected-400"
				}
				if _, items, ok := answer202(status, body); ok && len(items) == 2 && items[0]["status"] == "success" && items[1]["status"] == "failed" {
					return "result-per-entry"
				}
				return ""
			},
			want: map[reference.Choices]string{reference.ChoicesReference: "result-per-entry", reference.ChoicesOther: "rejected-400"}},
		{name: "a batch of 501 items", requirement: "REQ-VAL-11",
			call: func(_ *testing.T, _ *target, c *drs.DrsClient) (*model.BatchDeleteJobsResponse, error) {
				jobs := make([]model.DeleteJobReq, 501)
				for i := range jobs {
					jobs[i] = item("delete", fmt.Sprintf("6211d20d-0006-41da-836e-db3301a%05d", i))
				}
				return c.BatchDeleteJobs(batch(nil, jobs...))
			},
			label: func(status int, body []byte) string {
				if status == http.StatusBadRequest {
					return "rejected-400"
				}
				if doc, items, ok := answer202(status, body); ok && len(items) == 501 && doc["count"] == 501.0 {
					return "processed-in-full"
				}
				return ""
			},
			want: map[reference.Choices]string{reference.ChoicesReference: "processed-in-full", reference.ChoicesOther: "rejected-400"}},
		{name: "terminate of a task already released", requirement: "REQ-STA-12",
			call: func(_ *testing.T, tg *target, c *drs.DrsClient) (*model.BatchDeleteJobsResponse, error) {
				return c.BatchDeleteJobs(batch(nil, item("terminate", tg.fixture(reference.ReleaseResourceComplete, false))))
			},
			label: func(status int, body []byte) string {
				if _, items, ok := answer202(status, body); ok && len(items) == 1 {
					return map[any]string{"failed": "fails", "success": "succeeds"}[items[0]["status"]]
				}
				return ""
			},
			want: map[reference.Choices]string{reference.ChoicesReference: "fails", reference.ChoicesOther: "succeeds"}},
		{name: "a successful item's error fields", requirement: "REQ-RES-06",
			call: deleteOne,
			label: func(status int, body []byte) string {
				if _, items, ok := answer202(status, body); ok && len(items) == 1 && items[0]["status"] == "success" {
					_, hasCode := items[0]["error_code"]
					if !hasCode {
						return "absent"
					}
					if items[0]["error_code"] == "" && items[0]["error_msg"] == "" {
						return "empty"
					}
				}
				return ""
			},
			want: map[reference.Choices]string{reference.ChoicesReference: "absent", reference.ChoicesOther: "empty"}},
		{name: "the job IDs the service makes", requirement: "fixture protocol",
			call: func(_ *testing.T, tg *target, c *drs.DrsClient) (*model.BatchDeleteJobsResponse, error) {
				return c.BatchDeleteJobs(batch(nil, item("terminate", tg.fixture(reference.IncreTransferStarted, false))))
			},
			label: func(status int, body []byte) string {
				if _, items, ok := answer202(status, body); ok && len(items) == 1 && items[0]["status"] == "success" {
					if id, _ := items[0]["id"].(string); regexp.MustCompile(`^job:[0-9]+$`).MatchString(id) {
						return "job:N"
					}
					return "uuid-shaped"
				}
				return ""
			},
			want: map[reference.Choices]string{reference.ChoicesReference: "uuid-shaped", reference.ChoicesOther: "job:N"}},
		{name: "an error code spelled DRS-M… (an SDK-sent null jobs)", requirement: "REQ-RES-07",
			call: func(_ *testing.T, _ *target, c *drs.DrsClient) (*model.BatchDeleteJobsResponse, error) {
				return c.BatchDeleteJobs(batch(nil)) // the SDK sends "jobs": null
			},
			label: func(status int, body []byte) string {
				var e struct {
					Code string `json:"error_code"`
				}
				if status != http.StatusBadRequest || json.Unmarshal(body, &e) != nil {
					return ""
				}
				return e.Code
			},
			want: map[reference.Choices]string{reference.ChoicesReference: reference.CodeParameterEmpty, reference.ChoicesOther: "DRS-M00201"}},
	}
}

// finding is one row of the SDK findings table.
type finding struct {
	requirement, scenario, server, answer, sdk string
	handled                                    bool
}

// TestSDKUnderEveryAllowedChoice plays each scenario through the SDK
// against both servers.
func TestSDKUnderEveryAllowedChoice(t *testing.T) {
	t.Parallel()
	c, err := contract.Default()
	require.NoError(t, err)
	var mu sync.Mutex
	var rows []finding
	t.Cleanup(func() { writeFindings(t, rows) })

	run := func(t *testing.T, sc choiceScenario, srv choiceServer) {
		t.Parallel()
		tg := startChoiceTarget(t, srv.choices, sc.open)
		w := &wire{tweak: sc.tweak}
		resp, callErr := sc.call(t, tg, sdkClient(t, tg, w))

		w.mu.Lock()
		req, status, header, body := w.req, w.status, w.header, w.body
		w.mu.Unlock()
		if req == nil {
			t.Fatalf("the SDK sent nothing: %v", callErr)
		}
		// OUR server: an allowed answer, in the contract, the preset's choice.
		label, problems := serverProblems(c, sc, srv, req, status, header, body)
		for _, p := range problems {
			t.Error(p)
		}

		// The SDK: did the caller get what the server said?
		got, handled := sdkHanded(resp, callErr, status, body)
		row := finding{requirement: sc.requirement, scenario: sc.name, server: srv.name,
			answer: fmt.Sprintf("%d (%s)", status, label), sdk: got, handled: handled}
		if !handled {
			t.Logf("SDK FINDING (not a failure of the server): %s against %s: server answered %d %s; the SDK gave %s",
				sc.name, srv.name, status, clip(body), got)
		}
		mu.Lock()
		rows = append(rows, row)
		mu.Unlock()
	}
	for _, sc := range choiceScenarios() {
		t.Run(sc.requirement+" "+sc.name, func(t *testing.T) {
			t.Parallel()
			for _, srv := range choiceServers {
				t.Run(srv.name, func(t *testing.T) { run(t, sc, srv) })
			}
		})
	}
}

// serverProblems judges OUR server's answer: one the requirement allows,
// the choice the preset documents, and within the contract.
func serverProblems(c *contract.Contract, sc choiceScenario, srv choiceServer, req *http.Request, status int, header http.Header, body []byte) (string, []string) {
	var out []string
	label := sc.label(status, body)
	if label == "" {
		out = append(out, fmt.Sprintf("%s: the %s server answered %d %s: no answer %s allows", sc.name, srv.name, status, clip(body), sc.requirement))
	} else if want := sc.want[srv.choices]; label != want {
		out = append(out, fmt.Sprintf("%s: the %s server chose %q, its preset documents %q", sc.name, srv.name, label, want))
	}
	if vs := c.ValidateResponse(req, status, header, body); len(vs) > 0 {
		out = append(out, fmt.Sprintf("%s: the %s server's answer breaks the contract: %v", sc.name, srv.name, vs))
	}
	return label, out
}

// sdkHanded says what the SDK gave the caller, and whether that is what
// the server answered: for a 2xx, no error and the status, count and every
// item (id, status, error_code, error_msg) as sent; otherwise a
// *sdkerr.ServiceResponseError with the status, error_code and error_msg.
func sdkHanded(resp *model.BatchDeleteJobsResponse, err error, status int, body []byte) (string, bool) {
	if status >= 200 && status < 300 {
		if err != nil {
			return fmt.Sprintf("an error (%T: %s) for a %d", err, clip([]byte(err.Error())), status), false
		}
		var sent struct {
			Count   int `json:"count"`
			Results []struct {
				ID        string  `json:"id"`
				Status    string  `json:"status"`
				ErrorCode *string `json:"error_code"`
				ErrorMsg  *string `json:"error_msg"`
			} `json:"results"`
		}
		if json.Unmarshal(body, &sent) != nil {
			return "no error, for a body that is not the 202 body", false
		}
		if resp == nil || resp.HttpStatusCode != status || resp.Count == nil || int(*resp.Count) != sent.Count {
			return fmt.Sprintf("a response without the status or count: %v", resp), false
		}
		if resp.Results == nil || len(*resp.Results) != len(sent.Results) {
			return "a response whose results differ in number from the answer's", false
		}
		failed, emptyCodes := 0, 0
		for i, r := range *resp.Results {
			s := sent.Results[i]
			if deref(r.Id) != s.ID || r.Status == nil || r.Status.Value() != s.Status ||
				(r.ErrorCode == nil) != (s.ErrorCode == nil) || deref(r.ErrorCode) != deref(s.ErrorCode) || deref(r.ErrorMsg) != deref(s.ErrorMsg) {
				return fmt.Sprintf("item %d differs from the answer's (id %q status %v code %v)", i, deref(r.Id), r.Status, r.ErrorCode), false
			}
			if s.Status == "failed" {
				failed++
			}
			if s.Status == "success" && r.ErrorCode != nil {
				emptyCodes++
			}
		}
		out := fmt.Sprintf("no error; %d results as sent", len(sent.Results))
		if failed > 0 {
			out += fmt.Sprintf(", %d failed (read only from the items)", failed)
		}
		if emptyCodes > 0 {
			out += `; a success with ErrorCode set to ""`
		}
		return out, true
	}
	var se *sdkerr.ServiceResponseError
	if !errors.As(err, &se) {
		return fmt.Sprintf("%T (%v) for a %d", err, err, status), false
	}
	var e reference.ErrorBody
	_ = json.Unmarshal(body, &e)
	if se.StatusCode != status || se.ErrorCode != e.ErrorCode || se.ErrorMessage != e.ErrorMsg {
		return fmt.Sprintf("ServiceResponseError %d %q %q for %d %q %q", se.StatusCode, se.ErrorCode, se.ErrorMessage, status, e.ErrorCode, e.ErrorMsg), false
	}
	return fmt.Sprintf("ServiceResponseError %d %s", se.StatusCode, se.ErrorCode), true
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// clip shortens an answer for a message.
func clip(b []byte) string {
	const most = 200
	if len(b) > most {
		return fmt.Sprintf("%q…", b[:most])
	}
	return fmt.Sprintf("%q", b)
}

// writeFindings logs the table and, with DRSCONFORM_SDK_FINDINGS set,
// writes it there as Markdown (the table of README.md, "SDK findings").
func writeFindings(t *testing.T, rows []finding) {
	slices.SortFunc(rows, func(a, b finding) int {
		return strings.Compare(a.requirement+a.scenario+a.server, b.requirement+b.scenario+b.server)
	})
	var b strings.Builder
	b.WriteString("| requirement | situation | server | answer (choice) | what the SDK gave the caller | SDK |\n|---|---|---|---|---|---|\n")
	for _, r := range rows {
		verdict := "handled"
		if !r.handled {
			verdict = "**finding**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", r.requirement, r.scenario, r.server, r.answer,
			strings.ReplaceAll(r.sdk, "|", `\|`), verdict)
	}
	t.Logf("SDK under every allowed choice:\n%s", b.String())
	if path := os.Getenv("DRSCONFORM_SDK_FINDINGS"); path != "" {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Errorf("DRSCONFORM_SDK_FINDINGS: %v", err)
		}
	}
}

// The two judges can fail: a server answer outside the spec or off its
// preset is a problem of ours, and an SDK that loses what the server said
// is a finding.
func TestChoiceJudgesCanFail(t *testing.T) {
	t.Parallel()
	c, err := contract.Default()
	require.NoError(t, err)
	var contentType choiceScenario
	for _, sc := range choiceScenarios() {
		if sc.requirement == "REQ-HDR-02" {
			contentType = sc
		}
	}
	require.NotNil(t, contentType.label)
	req := httptest.NewRequest(http.MethodDelete, "http://127.0.0.1/v3/"+projectID+"/jobs/batch-jobs", nil)
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	errBody := []byte(`{"error_code":"DRS.M00202","error_msg":"bad"}`)
	for _, bad := range []struct {
		name   string
		srv    choiceServer
		status int
		header http.Header
		body   []byte
	}{
		{"a status the requirement does not allow", choiceServers[0], 422, jsonHeader, errBody},
		{"the other preset's choice from the reference", choiceServers[0], 415, jsonHeader, errBody},
		{"an error body outside the contract", choiceServers[0], 400, jsonHeader, []byte(`{"code":1}`)},
	} {
		if _, problems := serverProblems(c, contentType, bad.srv, req, bad.status, bad.header, bad.body); len(problems) == 0 {
			t.Errorf("%s: no problem found", bad.name)
		}
	}
	if _, problems := serverProblems(c, contentType, choiceServers[0], req, 400, jsonHeader, errBody); len(problems) > 0 {
		t.Errorf("an allowed answer: %v", problems)
	}

	one := []byte(`{"count":1,"results":[{"id":"a","status":"failed","error_code":"DRS.M00289","error_msg":"gone"}]}`)
	code, msg, n := "DRS.M00289", "gone", int32(1)
	okResp := &model.BatchDeleteJobsResponse{HttpStatusCode: 202, Count: &n,
		Results: &[]model.DeleteJobResp{{Id: ptr("a"), Status: itemStatus("failed"), ErrorCode: &code, ErrorMsg: &msg}}}
	wrongCode := "DRS.M00300"
	lostCode := &model.BatchDeleteJobsResponse{HttpStatusCode: 202, Count: &n,
		Results: &[]model.DeleteJobResp{{Id: ptr("a"), Status: itemStatus("failed"), ErrorCode: &wrongCode, ErrorMsg: &msg}}}
	for _, c := range []struct {
		name    string
		resp    *model.BatchDeleteJobsResponse
		err     error
		status  int
		body    []byte
		handled bool
	}{
		{"202 as sent", okResp, nil, 202, one, true},
		{"202 turned into an error", nil, errors.New("decode"), 202, one, false},
		{"202 with an item's code changed", lostCode, nil, 202, one, false},
		{"400 as a plain error", nil, errors.New("400"), 400, errBody, false},
		{"400 with another code", nil, &sdkerr.ServiceResponseError{StatusCode: 400, ErrorCode: "X", ErrorMessage: "bad"}, 400, errBody, false},
		{"400 as sent", nil, &sdkerr.ServiceResponseError{StatusCode: 400, ErrorCode: "DRS.M00202", ErrorMessage: "bad"}, 400, errBody, true},
	} {
		if got, handled := sdkHanded(c.resp, c.err, c.status, c.body); handled != c.handled {
			t.Errorf("%s: handled %v (%s), want %v", c.name, handled, got, c.handled)
		}
	}
}

func ptr(s string) *string { return &s }

func itemStatus(v string) *model.DeleteJobRespStatus {
	var st model.DeleteJobRespStatus
	if err := json.Unmarshal([]byte(`"`+v+`"`), &st); err != nil {
		panic(err)
	}
	return &st
}
