package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/drsconform/drsconform/conformance"
	"github.com/drsconform/drsconform/result"
)

// Read-back: how the runner learns the state of a task (docs/design.md,
// "Where each concept lives"). Two ways, chosen by --readback:
//
//   - harness: GET {fixtures-url}/v1/jobs/{id} of the fixture protocol
//     (fixtureClient.get, runner/fixtures.go);
//   - api: the DRS v3 neighbour of the endpoint under test,
//     POST {target}/v3/{project_id}/jobs/batch-status (apiReader, below).
//
// given, snapshot, then, stays and the concurrent groups read through the
// taskReader the run chose; they never know which.

// taskReader reads one task back: its status, or exists=false once it is
// gone. step is the step it is read for (0 while setting up). Every error
// is an ErrHarness (harness) or an ErrReadBack (api), or a transport error:
// the case errors, it never fails.
type taskReader interface {
	get(ctx context.Context, step int, project, id string) (status string, exists bool, err error)
}

// Read-back modes (--readback).
const (
	ReadBackHarness = "harness"
	ReadBackAPI     = "api"
)

// batch-status, as its API page (a neighbour of the batch-jobs page) has it:
//
//	POST /v3/{project_id}/jobs/batch-status  {"jobs": ["id", ...]}
//	200 {"count": n, "results": [{"id", "status", "error_code", "error_message"}]}
//
// A task the service does not know comes back as a result with error_code
// and error_message (error_message here, not error_msg as in batch-jobs).
// notFoundCodes are the codes that say the task is not there: a read-back
// takes them, or no result at all for an ID asked, as "gone".
var notFoundCodes = map[string]string{
	"DRS.M05003": "task information not found",
	"DRS.M05004": "task has been deleted or its resource released",
	"DRS.M00289": "does not exist",
}

// batchStatusChunk is how many IDs one batch-status request asks for.
const batchStatusChunk = 50

// isNotFoundCode reports whether code says "no such task"; the old spelling
// with a hyphen (DRS-M05003) counts too.
func isNotFoundCode(code string) bool {
	code = strings.TrimSpace(code)
	if rest, ok := strings.CutPrefix(code, "DRS-"); ok {
		code = "DRS." + rest
	}
	_, ok := notFoundCodes[code]
	return ok
}

// apiReader reads tasks back through batch-status on the target itself.
type apiReader struct {
	target string // without a trailing slash
	header http.Header
	wire   *wire
}

func (a *apiReader) get(ctx context.Context, step int, project, id string) (string, bool, error) {
	states, err := a.read(ctx, step, project, []string{id})
	if err != nil {
		return "", false, err
	}
	s := states[id]
	if s == gone {
		return "", false, nil
	}
	return s, true, nil
}

// read reads ids of one project, batchStatusChunk at a time: for each ID its
// status, or gone.
func (a *apiReader) read(ctx context.Context, step int, project string, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	for start := 0; start < len(ids); start += batchStatusChunk {
		chunk := ids[start:min(start+batchStatusChunk, len(ids))]
		body, _ := json.Marshal(map[string][]string{"jobs": chunk})
		u := a.target + "/v3/" + url.PathEscape(project) + "/jobs/batch-status"
		purpose := "read back " + chunk[0] + " (batch-status)"
		if len(chunk) > 1 {
			purpose = fmt.Sprintf("read back %d tasks (batch-status)", len(chunk))
		}
		tag := exchangeTag{Step: step, Kind: result.KindReadBack, Purpose: purpose}
		resp, ex, err := a.wire.do(ctx, tag, http.MethodPost, u, a.header.Clone(), body)
		if err != nil {
			return nil, fmt.Errorf("%w: POST %s: %v", ErrReadBack, ex.URL, err)
		}
		states, err := parseBatchStatus(a.wire.redact, resp.Status, resp.Body, chunk)
		if err != nil {
			return nil, fmt.Errorf("POST %s: %w", ex.URL, err)
		}
		for id, s := range states {
			out[id] = s
		}
	}
	return out, nil
}

// parseBatchStatus reads a batch-status answer for ids: each ID's status, or
// gone (a result with a not-found code, or no result for it). Anything else
// is an ErrReadBack: a status other than 200, a body that is not a JSON
// object with a results array, a result without an id, or one with neither
// a status nor a not-found code. What the target said is quoted bounded and
// escaped.
func parseBatchStatus(rd *Redactor, status int, body []byte, ids []string) (map[string]string, error) {
	if status != http.StatusOK {
		return nil, fmt.Errorf("%w: batch-status answered %d, want 200: %s", ErrReadBack, status, harnessReason(rd, body))
	}
	var doc struct {
		Results *[]json.RawMessage `json:"results"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: batch-status answered 200 with a body that is not a JSON object: %s", ErrReadBack, snippet(rd, body))
	}
	if doc.Results == nil {
		return nil, fmt.Errorf("%w: batch-status answered 200 without a results array: %s", ErrReadBack, snippet(rd, body))
	}
	asked := make(map[string]bool, len(ids))
	for _, id := range ids {
		asked[id] = true
	}
	out := make(map[string]string, len(ids))
	for i, raw := range *doc.Results {
		var r struct {
			ID           *string `json:"id"`
			Status       string  `json:"status"`
			ErrorCode    string  `json:"error_code"`
			ErrorMessage string  `json:"error_message"`
		}
		if err := json.Unmarshal(raw, &r); err != nil || r.ID == nil {
			return nil, fmt.Errorf("%w: batch-status result %d has no string id: %s", ErrReadBack, i, snippet(rd, raw))
		}
		if !asked[*r.ID] {
			continue // not asked for: nothing to learn from it
		}
		state := ""
		switch {
		case isNotFoundCode(r.ErrorCode):
			state = gone
		case r.Status != "" && !conformance.KnownStatus(r.Status):
			return nil, fmt.Errorf("%w: batch-status says task %s is in %s, which is no task status of the spec",
				ErrReadBack, quote(rd, *r.ID), quote(rd, r.Status))
		case r.Status != "":
			state = r.Status
		default:
			return nil, fmt.Errorf("%w: batch-status result for %s has neither a status nor a not-found error code (%s): error_code %s, error_message %s",
				ErrReadBack, quote(rd, *r.ID), strings.Join(slices.Sorted(maps.Keys(notFoundCodes)), ", "), quoted(rd, r.ErrorCode), quoted(rd, r.ErrorMessage))
		}
		if before, ok := out[*r.ID]; ok && before != state {
			return nil, fmt.Errorf("%w: batch-status answers task %s twice, as %s and as %s",
				ErrReadBack, quote(rd, *r.ID), quote(rd, before), quote(rd, state))
		}
		out[*r.ID] = state
	}
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			out[id] = gone // no result for an ID asked: the service does not know it
		}
	}
	return out, nil
}

// pollTask reads a task back until cond holds or the deadline passes, and
// returns what it saw last. Only the last read is kept as evidence.
func pollTask(ctx context.Context, r taskReader, step int, project, id string, deadline time.Time, cond func(status string, exists bool) bool) (status string, exists bool, err error) {
	wait := 50 * time.Millisecond
	for {
		var last recorder
		status, exists, err = r.get(withRecorder(ctx, &last), step, project, id)
		if err != nil || cond(status, exists) || time.Now().After(deadline) {
			recorderOf(ctx).add(last.all()...)
			return status, exists, err
		}
		select {
		case <-ctx.Done():
			return status, exists, fmt.Errorf("%w: %v", ErrTransport, ctx.Err())
		case <-time.After(wait):
		}
		if wait < 500*time.Millisecond {
			wait *= 2
		}
	}
}

// snapshot reads every made fixture of cr in one batch-status call per
// project (player.snapshot, with --readback api).
func (a *apiReader) snapshot(ctx context.Context, cr *caseRun, step int) (map[string]string, error) {
	byProject := map[string][]string{}
	var projects []string
	for _, name := range cr.c.FixtureOrder {
		if cr.c.Fixtures[name].Absent {
			continue
		}
		project := cr.projects[name]
		if _, ok := byProject[project]; !ok {
			projects = append(projects, project)
		}
		byProject[project] = append(byProject[project], cr.ids[name])
	}
	states := map[string]map[string]string{}
	for _, project := range projects {
		s, err := a.read(ctx, step, project, byProject[project])
		if err != nil {
			return nil, err
		}
		states[project] = s
	}
	snap := map[string]string{}
	for _, name := range cr.c.FixtureOrder {
		if !cr.c.Fixtures[name].Absent {
			snap[name] = states[cr.projects[name]][cr.ids[name]]
		}
	}
	return snap, nil
}
