package reference

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// The fixture protocol (README.md, "The fixture protocol"), under
// /_conformance/v1/:
//
//	POST /_conformance/v1/jobs {"project_id","status","parent","dual_active","busy"}
//	  → 201 {"id","project_id","status"}, or 400 with the error body
//	GET  /_conformance/v1/jobs/{job_id}?project_id=p
//	  → 200 {"id","project_id","status"}, or 404 with the error body once gone
//
// Both need the same credentials as the API.

// handleFixtureCreate makes a task in the status asked for.
func (s *Server) handleFixtureCreate(w http.ResponseWriter, r *http.Request) {
	lang := languageOf(r)
	body, p := s.readBody(w, r)
	if p == nil {
		p = s.authenticate(r, body)
	}
	var spec TaskSpec
	if p == nil {
		spec, p = decodeTaskSpec(body)
	}
	if p != nil {
		writeProblem(w, lang, p)
		return
	}
	writeJSON(w, http.StatusCreated, s.store.create(spec))
}

// decodeTaskSpec reads a fixture request: project_id and status are
// required, status one the reference knows, the flags booleans.
func decodeTaskSpec(body []byte) (TaskSpec, *problem) {
	var fields map[string]json.RawMessage
	if len(bytes.TrimSpace(body)) == 0 {
		return TaskSpec{}, newProblem(http.StatusBadRequest, msgParamEmpty, "project_id")
	}
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return TaskSpec{}, newProblem(http.StatusBadRequest, msgNotJSON)
	}
	var spec TaskSpec
	texts := []struct {
		name string
		dst  *string
	}{{"project_id", &spec.ProjectID}, {"status", (*string)(&spec.Status)}}
	for _, f := range texts {
		raw, ok := fields[f.name]
		if !ok || string(raw) == "null" {
			return spec, newProblem(http.StatusBadRequest, msgParamEmpty, f.name)
		}
		if json.Unmarshal(raw, f.dst) != nil {
			return spec, newProblem(http.StatusBadRequest, msgParamInvalid, f.name)
		}
		if *f.dst == "" {
			return spec, newProblem(http.StatusBadRequest, msgParamEmpty, f.name)
		}
	}
	if !Known(spec.Status) {
		return spec, newProblem(http.StatusBadRequest, msgParamInvalid, "status")
	}
	flags := []struct {
		name string
		dst  *bool
	}{{"parent", &spec.Parent}, {"dual_active", &spec.DualActive}, {"busy", &spec.Busy}}
	for _, f := range flags {
		raw, ok := fields[f.name]
		if !ok || string(raw) == "null" {
			continue
		}
		if json.Unmarshal(raw, f.dst) != nil {
			return spec, newProblem(http.StatusBadRequest, msgParamInvalid, f.name)
		}
	}
	return spec, nil
}

// handleFixtureGet reads a task back; 404 once it is gone from the project.
func (s *Server) handleFixtureGet(w http.ResponseWriter, r *http.Request) {
	lang := languageOf(r)
	if p := s.authenticate(r, nil); p != nil {
		writeProblem(w, lang, p)
		return
	}
	projectID := r.URL.Query().Get("project_id")
	if projectID == "" {
		writeProblem(w, lang, newProblem(http.StatusBadRequest, msgParamEmpty, "project_id"))
		return
	}
	view, state := s.store.get(projectID, r.PathValue("job_id"), s.cfg.Now())
	switch state {
	case taskLive:
		writeJSON(w, http.StatusOK, view)
	case taskGone:
		writeProblem(w, lang, newProblem(http.StatusNotFound, msgDeleted))
	default:
		writeProblem(w, lang, newProblem(http.StatusNotFound, msgNotFound))
	}
}
