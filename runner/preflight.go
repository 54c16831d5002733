package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/result"
)

// PreflightError stops a run before any case: what the user got wrong, or
// what keeps the suite from judging, said once instead of as a finding
// against the target in every case.
type PreflightError struct {
	Check string // the failed probe: target, credentials or harness
	Msg   string
	Exit  int // ExitUsage for what is clearly configuration, else ExitCannotJudge
}

func (e *PreflightError) Error() string { return "preflight: " + e.Msg }

var _ error = (*PreflightError)(nil)

// preflight probes, in order: the target answers at all; it accepts the
// credentials (a batch naming only an ID that cannot exist: any refusal of
// it is about the credentials, since a conforming target answers 202 with a
// failed item, REQ-STA-05); and, when a selected case needs fixtures, the
// harness makes a task and reads it back. A status the harness refuses (400)
// does not stop the run: the cases that need it skip with the harness's
// reason, and the verdict says what was not judged.
func (p *player) preflight(ctx context.Context, sel []*cases.Case) ([]result.PreflightCheck, error) {
	var checks []result.PreflightCheck
	var rec recorder // the harness probe's exchanges, to read its answer from
	ctx = withRecorder(ctx, &rec)
	body, _ := json.Marshal(map[string]any{"jobs": []map[string]string{{"delete_type": "delete", "job_id": absentID()}}})
	b := p.build(&caseRun{vars: map[string]string{}}, cases.Request{})
	resp, ex, err := p.wire.do(ctx, exchangeTag{Kind: result.KindPreflight, Purpose: "preflight: credentials"}, http.MethodDelete, b.url, b.header, body)
	if err != nil && !errors.Is(err, ErrTooLarge) {
		return checks, &PreflightError{Check: "target", Exit: result.ExitCannotJudge,
			Msg: fmt.Sprintf("no usable answer from the target to DELETE %s: %s", ex.URL, ex.Error)}
	}
	checks = append(checks, result.PreflightCheck{Name: "target", OK: true, Detail: fmt.Sprintf("DELETE %s answered %d", ex.URL, resp.Status)})
	if resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden {
		return checks, p.credentialsRejected("target", resp)
	}
	checks = append(checks, result.PreflightCheck{Name: "credentials", OK: true, Detail: credentialDetail(p.cfg.Token + p.cfg.AccessKey)})

	if p.cfg.Filter.Safe {
		// --safe asks nothing of the harness (README.md, "Safe against production: run --safe").
		return append(checks, result.PreflightCheck{Name: "harness", OK: true, Detail: "not asked: --safe makes no task and reads none back"}), nil
	}
	if p.pool != nil {
		return p.preflightFixtures(ctx, checks) // --fixtures: the harness is never called
	}
	status := commonFixtureStatus(sel)
	if status == "" {
		return checks, nil // no selected case needs the harness
	}
	id, err := p.fixtures.create(ctx, fixtureRequest{ProjectID: p.cfg.ProjectID, Status: status})
	last := rec.all()
	var got int
	if len(last) > 0 {
		got = last[len(last)-1].Status
	}
	switch {
	case err == nil:
	case errors.Is(err, ErrFixtureUnavailable):
		return append(checks, result.PreflightCheck{Name: "harness", OK: false,
			Detail: fmt.Sprintf("refused to make a task in %s (%s): cases that need it will be skipped", status, p.redact.String(err.Error()))}), nil
	case got == http.StatusUnauthorized || got == http.StatusForbidden:
		return checks, p.credentialsRejected("fixture harness", &response{Status: got, Body: []byte(last[len(last)-1].ResponseBody)})
	case got == http.StatusNotFound:
		return checks, &PreflightError{Check: "harness", Exit: result.ExitCannotJudge,
			Msg: fmt.Sprintf("no fixture harness at %s (POST /v1/jobs answered 404): the cases need the fixture protocol (README, \"The fixture protocol\"); pass --fixtures-url if it lives elsewhere", p.redact.String(p.cfg.FixturesURL))}
	default:
		return checks, &PreflightError{Check: "harness", Exit: result.ExitCannotJudge,
			Msg: fmt.Sprintf("the fixture harness cannot make a task in %s: %s", status, p.redact.String(err.Error()))}
	}
	// The harness made one: it must read it back as asked, or no
	// precondition of any case can be trusted.
	got2, exists, err := p.fixtures.get(ctx, 0, p.cfg.ProjectID, id)
	switch {
	case err != nil:
		return checks, &PreflightError{Check: "harness", Exit: result.ExitCannotJudge,
			Msg: fmt.Sprintf("the fixture harness made a task but cannot read it back: %s", p.redact.String(err.Error()))}
	case !exists || got2 != status:
		seen := got2
		if !exists {
			seen = "gone (404)"
		}
		return checks, &PreflightError{Check: "harness", Exit: result.ExitCannotJudge,
			Msg: fmt.Sprintf("the fixture harness made a task in %s but reads it back as %s", status, seen)}
	}
	return append(checks, result.PreflightCheck{Name: "harness", OK: true,
		Detail: fmt.Sprintf("made a task in %s and read it back", status)}), nil
}

func (p *player) credentialsRejected(who string, resp *response) error {
	code := ""
	var e struct {
		Code string `json:"error_code"`
	}
	if json.Unmarshal(resp.Body, &e) == nil && e.Code != "" {
		code = " " + quoteShort(e.Code)
	}
	if p.cfg.AccessKey != "" {
		return &PreflightError{Check: "credentials", Exit: result.ExitCannotJudge,
			Msg: fmt.Sprintf("credentials rejected by the %s (%d%s): check that --ak/--sk (or DRSCONFORM_AK/DRSCONFORM_SK) are valid for project %s, and this machine's clock (a signature's X-Sdk-Date may be at most 15 minutes off)", who, resp.Status, code, p.cfg.ProjectID)}
	}
	if p.cfg.Token == "" {
		return &PreflightError{Check: "credentials", Exit: result.ExitUsage,
			Msg: fmt.Sprintf("credentials rejected by the %s (%d%s): no token was given; pass --token or DRSCONFORM_TOKEN, or --ak/--sk (DRSCONFORM_AK/DRSCONFORM_SK) for AK/SK signatures", who, resp.Status, code)}
	}
	return &PreflightError{Check: "credentials", Exit: result.ExitCannotJudge,
		Msg: fmt.Sprintf("credentials rejected by the %s (%d%s): check that --token (or DRSCONFORM_TOKEN) is valid for project %s", who, resp.Status, code, p.cfg.ProjectID)}
}

func credentialDetail(token string) string {
	if token == "" {
		return "no credential given, and the target did not ask for one"
	}
	return "accepted"
}

// commonFixtureStatus is the status most selected cases need a task in
// (ties: the first in case order), or "" when no case needs the harness.
func commonFixtureStatus(sel []*cases.Case) string {
	counts := map[string]int{}
	var order []string
	for _, c := range sel {
		for _, name := range c.FixtureOrder {
			fx := c.Fixtures[name]
			if fx.Absent || fx.Status == "" {
				continue
			}
			if counts[fx.Status] == 0 {
				order = append(order, fx.Status)
			}
			counts[fx.Status]++
		}
	}
	if len(order) == 0 {
		return ""
	}
	return slices.MaxFunc(order, func(a, b string) int { return counts[a] - counts[b] })
}

// quoteShort bounds a short target-given token (an error code) for a
// message, with control characters escaped.
func quoteShort(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
