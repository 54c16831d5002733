// Package reference is the reference implementation of DRS v3
// DELETE /v3/{project_id}/jobs/batch-jobs: an in-memory, concurrency-safe,
// many-project store of tasks with the rules of the requirement catalogue,
// the HTTP handler that serves it, the fixture protocol (README.md, "The
// fixture protocol") under /_conformance/v1/, and POST /v3/{project_id}/jobs/batch-status.
//
// It is what `drsconform run` plays against when no target is given and
// what `drsconform serve` serves.
package reference

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/drsconform/drsconform/contract"
)

// Server is one reference service with its own state. It runs no
// goroutines or timers: releases complete lazily when a task is observed,
// so there is nothing to close.
type Server struct {
	cfg      Config
	contract *contract.Contract
	store    *store
	rules    rules
	handler  http.Handler
}

// Validate reports whether New accepts cfg.
func (c Config) Validate() error {
	_, err := c.withDefaults()
	return err
}

// New builds a Server. It panics if cfg does not pass Config.Validate or the
// embedded contract does not load: both are programming errors.
func New(cfg Config) *Server {
	cfg, err := cfg.withDefaults()
	if err != nil {
		panic("reference.New: " + err.Error())
	}
	c, err := contract.Default()
	if err != nil {
		panic("reference.New: " + err.Error())
	}
	s := &Server{cfg: cfg, contract: c, store: newStore(), rules: defaultRules()}
	routes := s.routes()
	if cfg.Choices == ChoicesOther {
		routes = newOtherChoices(s, routes) // reference/otherchoices.go
	}
	s.handler = s.logRequests(s.recoverPanics(routes))
	return s
}

// Handler serves the API, the batch-status neighbour and the fixture protocol.
func (s *Server) Handler() http.Handler { return s.handler }

// Paths served.
const (
	PathBatchJobs    = "/v3/{project_id}/jobs/batch-jobs"
	PathBatchStatus  = "/v3/{project_id}/jobs/batch-status"
	PathFixtureJobs  = "/_conformance/v1/jobs"
	PathFixtureJobID = "/_conformance/v1/jobs/{job_id}"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("DELETE "+PathBatchJobs, s.handleBatchJobs)
	mux.HandleFunc(PathBatchJobs, methodNotAllowed(http.MethodDelete))
	mux.HandleFunc("POST "+PathBatchStatus, s.handleBatchStatus)
	mux.HandleFunc(PathBatchStatus, methodNotAllowed(http.MethodPost))
	if !s.cfg.NoHarness {
		mux.HandleFunc("POST "+PathFixtureJobs, s.handleFixtureCreate)
		mux.HandleFunc(PathFixtureJobs, methodNotAllowed(http.MethodPost))
		mux.HandleFunc("GET "+PathFixtureJobID, s.handleFixtureGet)
		mux.HandleFunc(PathFixtureJobID, methodNotAllowed(http.MethodGet))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, languageOf(r), newProblem(http.StatusNotFound, msgNoRoute, r.Method, r.URL.Path))
	})
	return mux
}

func methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeProblem(w, languageOf(r), newProblem(http.StatusMethodNotAllowed, msgMethodNotAllowed, r.Method, r.URL.Path))
	}
}

// languageOf picks the language of error messages: zh-cn gives Chinese,
// anything else English (REQ-HDR-03, REQ-HDR-05).
func languageOf(r *http.Request) Lang {
	if r.Header.Get("X-Language") == "zh-cn" {
		return Chinese
	}
	return English
}

// readBody reads the whole body, at most MaxBodyBytes of it (413 beyond).
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *problem) {
	limit := s.cfg.MaxBodyBytes
	if r.ContentLength > limit {
		return nil, newProblem(http.StatusRequestEntityTooLarge, msgBodyTooLarge, limit)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, newProblem(http.StatusRequestEntityTooLarge, msgBodyTooLarge, limit)
	case err != nil:
		return nil, newProblem(http.StatusBadRequest, msgNotJSON)
	}
	return body, nil
}

// writeJSON answers with a JSON body; every answer of the server is JSON (REQ-HTTP-03).
func writeJSON(w http.ResponseWriter, status int, v any) {
	buf, err := json.Marshal(v)
	if err != nil { // only our own types are written; they always marshal
		status, buf = http.StatusInternalServerError, []byte(`{"error_code":"DRS.M00004","error_msg":"The service is abnormal. Try again later."}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf)
}

// recoverPanics turns a panic into 500 DRS.M00004: a last resort that the
// fuzz test asserts is never reached.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.cfg.Logger.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				writeProblem(w, languageOf(r), newProblem(http.StatusInternalServerError, msgServiceAbnormal))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// logRequests logs method, path, status and duration; never a header, so
// never a credential.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		s.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.Duration("duration", time.Since(start)))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
