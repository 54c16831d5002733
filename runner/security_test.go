package runner_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
)

// Without --token there is nothing to derive an invalid credential from: the
// cases that need one are skipped with the reason, never failed.
func TestCredentialCasesSkipWithoutAToken(t *testing.T) {
	t.Parallel()
	ref := faulty(func(w http.ResponseWriter, r *http.Request, next http.Handler) { next.ServeHTTP(w, r) })
	// A target that asks for no credential at all (the preflight accepts it).
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Auth-Token") == "" {
			r.Header.Set("X-Auth-Token", testToken)
		}
		ref.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	rep := play(t, srv.URL, "sec.derived-token.delete", func(c *runner.Config) { c.Token = "" })
	c := caseResult(t, rep, "sec.derived-token.delete")
	assert.Equal(t, result.Skip, c.Verdict)
	assert.Contains(t, strings.Join(c.Messages, "; "), "no --token given: cannot derive an invalid credential")
}

// A target that echoes whatever credential it gets: REQ-SEC-02 warns on
// every answer, and neither the token nor the credential derived from it
// reaches the report.
func TestEchoedCredentialsWarnAndStayRedacted(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(faulty(func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var m map[string]any
		if rec.Code >= 400 && json.Unmarshal(rec.Body.Bytes(), &m) == nil {
			m["error_msg"] = "refused " + r.Header.Get("X-Auth-Token") + " " + r.Header.Get("Authorization")
		}
		body, _ := json.Marshal(m)
		if m == nil {
			body = rec.Body.Bytes()
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	rep := play(t, srv.URL, "sec.*", nil)
	for _, id := range []string{"sec.no-echo.refused-token", "sec.no-echo.unreadable-authorization", "sec.no-echo.bad-request", "sec.derived-token.delete"} {
		c := caseResult(t, rep, id)
		assert.Equal(t, result.Warn, c.Verdict, "%s: %v", id, c.Messages)
		assert.NotEmpty(t, findingsOn(c, "REQ-SEC-02"), id)
	}
	raw, err := json.Marshal(rep)
	require.NoError(t, err)
	// As sent: the Redactor of today replaces exact spellings; the other forms
	// come with internal/credential.
	for _, secret := range []string{testToken, runner.DerivedToken(testToken)} {
		assert.False(t, strings.Contains(string(raw), secret), "the report carries a credential")
	}
}

// The printed reproduction of a request with a credential the target did
// not issue sends such a credential, never the user's valid token.
func TestTheCurlOfAnInvalidCredentialNeverSendsTheToken(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(faulty(func(w http.ResponseWriter, r *http.Request, next http.Handler) { next.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	rep := play(t, srv.URL, "sec.derived-token.delete", nil)
	c := caseResult(t, rep, "sec.derived-token.delete")
	require.Equal(t, result.Pass, c.Verdict, "%v", c.Messages)
	var curls []string
	for _, e := range c.Evidence {
		if e.Kind == result.KindAPI {
			curls = append(curls, e.Curl)
		}
	}
	require.NotEmpty(t, curls)
	for _, curl := range curls {
		assert.NotContains(t, curl, "$DRSCONFORM_TOKEN", curl)
		assert.Contains(t, curl, "X-Auth-Token: "+runner.Redacted)
	}
}
