package reference

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
)

// POST /v3/{project_id}/jobs/batch-status (a neighbouring endpoint of the
// DRS v3 API): {"jobs":["id",...]} → 200 {"count","results":[{"id","status",
// "error_code","error_message"}]}. Note error_message here, not error_msg.

// JobStatusResp is one result of batch-status.
type JobStatusResp struct {
	ID           string `json:"id"`
	Status       Status `json:"status,omitempty"`
	ErrorCode    string `json:"error_code,omitempty"`
	ErrorMessage string `json:"error_message,omitempty"`
}

// BatchJobStatusResp is the 200 body of batch-status.
type BatchJobStatusResp struct {
	Count   int             `json:"count"`
	Results []JobStatusResp `json:"results"`
}

func (s *Server) handleBatchStatus(w http.ResponseWriter, r *http.Request) {
	lang := languageOf(r)
	body, p := s.readBody(w, r)
	if p == nil {
		p = s.authenticate(r, body)
	}
	var ids []string
	if p == nil {
		ids, p = s.decodeJobIDs(r, body)
	}
	if p != nil {
		writeProblem(w, lang, p)
		return
	}
	projectID := r.PathValue("project_id")
	now := s.cfg.Now()
	results := make([]JobStatusResp, len(ids))
	for i, id := range ids {
		view, state := s.store.get(projectID, id, now)
		switch state {
		case taskLive:
			results[i] = JobStatusResp{ID: id, Status: view.Status}
		case taskGone:
			results[i] = JobStatusResp{ID: id, ErrorCode: msgDeleted.code(), ErrorMessage: msgDeleted.text(lang)}
		default:
			results[i] = JobStatusResp{ID: id, ErrorCode: msgNotFound.code(), ErrorMessage: msgNotFound.text(lang)}
		}
	}
	writeJSON(w, http.StatusOK, BatchJobStatusResp{Count: len(results), Results: results})
}

// decodeJobIDs checks the batch-status request: JSON Content-Type and a
// non-empty jobs array of non-empty strings.
func (s *Server) decodeJobIDs(r *http.Request, body []byte) ([]string, *problem) {
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); ct == "" || err != nil || mt != "application/json" {
		if ct == "" {
			return nil, newProblem(s.cfg.WrongContentTypeStatus, msgParamEmpty, "Content-Type")
		}
		return nil, newProblem(s.cfg.WrongContentTypeStatus, msgParamInvalid, "Content-Type")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, newProblem(http.StatusBadRequest, msgParamEmpty, "jobs")
	}
	var req struct {
		Jobs json.RawMessage `json:"jobs"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, newProblem(http.StatusBadRequest, msgNotJSON)
	}
	if len(req.Jobs) == 0 || string(req.Jobs) == "null" {
		return nil, newProblem(http.StatusBadRequest, msgParamEmpty, "jobs")
	}
	var ids []string
	if err := json.Unmarshal(req.Jobs, &ids); err != nil {
		return nil, newProblem(http.StatusBadRequest, msgParamInvalid, "jobs")
	}
	if len(ids) == 0 {
		return nil, newProblem(http.StatusBadRequest, msgParamEmpty, "jobs")
	}
	for _, id := range ids {
		if id == "" {
			return nil, newProblem(http.StatusBadRequest, msgParamEmpty, "jobs")
		}
	}
	return ids, nil
}
