package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/drsconform/drsconform/result"
)

// fixtureClient speaks the fixture protocol (README.md, "The fixture protocol"):
// POST {base}/v1/jobs and GET {base}/v1/jobs/{id}?project_id=p.
type fixtureClient struct {
	base   string // without a trailing slash
	header http.Header
	wire   *wire
}

type fixtureTask struct {
	ID        string `json:"id"`
	ProjectID string `json:"project_id"`
	Status    string `json:"status"`
}

type fixtureRequest struct {
	ProjectID  string `json:"project_id"`
	Status     string `json:"status"`
	Parent     bool   `json:"parent"`
	DualActive bool   `json:"dual_active"`
	Busy       bool   `json:"busy"`
}

// create makes a task and returns its ID. A 400 means the harness cannot make
// it (ErrFixtureUnavailable); anything else unexpected is ErrHarness.
func (f *fixtureClient) create(ctx context.Context, req fixtureRequest) (string, error) {
	body, _ := json.Marshal(req)
	tag := exchangeTag{Kind: result.KindFixture, Purpose: "fixture: create " + req.Status,
		Sent: &result.SentRequest{JSON: true, Status: boundedValue(f.wire.redact, req.Status)}}
	resp, _, err := f.wire.do(ctx, tag, http.MethodPost, f.base+"/v1/jobs", f.header.Clone(), body)
	if err != nil {
		return "", fmt.Errorf("%w: POST %s/v1/jobs: %v", ErrHarness, f.base, err)
	}
	switch {
	case resp.Status == http.StatusBadRequest:
		return "", &refusal{result.Refusal{Status: req.Status, Reason: harnessReason(f.wire.redact, resp.Body)}}
	case resp.Status != http.StatusCreated && resp.Status != http.StatusOK:
		return "", fmt.Errorf("%w: POST %s/v1/jobs answered %d, want 201: %s", ErrHarness, f.base, resp.Status, harnessReason(f.wire.redact, resp.Body))
	}
	var t fixtureTask
	if err := json.Unmarshal(resp.Body, &t); err != nil || t.ID == "" {
		return "", fmt.Errorf("%w: POST %s/v1/jobs answered 201 without a JSON {\"id\": ...}", ErrHarness, f.base)
	}
	if t.Status != "" && t.Status != req.Status {
		return "", fmt.Errorf("%w: asked for a task in %s, the harness made one in %s", ErrHarness, req.Status, quote(f.wire.redact, t.Status))
	}
	return t.ID, nil
}

// get reads a task back: its status, or exists=false on 404. step is the
// step it is read for (0 while setting up).
func (f *fixtureClient) get(ctx context.Context, step int, project, id string) (status string, exists bool, err error) {
	u := f.base + "/v1/jobs/" + url.PathEscape(id) + "?project_id=" + url.QueryEscape(project)
	tag := exchangeTag{Step: step, Kind: result.KindReadBack, Purpose: "fixture: read back " + id}
	resp, ex, err := f.wire.do(ctx, tag, http.MethodGet, u, f.header.Clone(), nil)
	if err != nil {
		return "", false, fmt.Errorf("%w: GET %s: %v", ErrHarness, ex.URL, err)
	}
	switch resp.Status {
	case http.StatusNotFound:
		return "", false, nil
	case http.StatusOK:
	default:
		return "", false, fmt.Errorf("%w: GET %s answered %d, want 200 or 404", ErrHarness, ex.URL, resp.Status)
	}
	var t fixtureTask
	if err := json.Unmarshal(resp.Body, &t); err != nil || t.Status == "" {
		return "", false, fmt.Errorf("%w: GET %s answered 200 without a JSON {\"status\": ...}", ErrHarness, ex.URL)
	}
	return t.Status, true, nil
}

// harnessReason is the error_msg of an error body, or the body itself:
// redacted, bounded and with control characters escaped (a harness may
// answer anything, an ANSI escape that clears the screen too).
func harnessReason(rd *Redactor, body []byte) string {
	var e struct {
		Code string `json:"error_code"`
		Msg  string `json:"error_msg"`
	}
	if json.Unmarshal(body, &e) == nil && (e.Msg != "" || e.Code != "") {
		return quote(rd, strings.TrimSpace(e.Code+" "+e.Msg))
	}
	s := strings.TrimSpace(string(body))
	if s == "" {
		return "(empty body)"
	}
	return quote(rd, s)
}
