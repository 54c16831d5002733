package runner_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/internal/aksk"
	"github.com/drsconform/drsconform/reference"
	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
)

const (
	testAK = "HPUARUNNERTESTAK0001"
	testSK = "runner-Secret/Key+0123456789abcdefGHIJ" // a '/', a '+', mixed case, as real SKs have
)

// signingTarget is the reference verifying AK/SK signatures only (no
// token), behind a handler that keeps every signature it was sent.
type signingTarget struct {
	url  string
	mu   sync.Mutex
	sigs []string
	seen []http.Header // headers of the API requests
}

func startSigningTarget(t *testing.T) *signingTarget {
	t.Helper()
	st := &signingTarget{}
	ref := reference.New(reference.Config{AccessKey: testAK, SecretKey: testSK, ReleaseDelay: 20 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)}).Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st.mu.Lock()
		if a, err := aksk.ParseAuthorization(r.Header.Get("Authorization")); err == nil && len(a.Signature) == 64 {
			st.sigs = append(st.sigs, a.Signature)
		}
		if strings.HasPrefix(r.URL.Path, "/v3/") {
			st.seen = append(st.seen, r.Header.Clone())
		}
		st.mu.Unlock()
		ref.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	st.url = srv.URL
	return st
}

func signed(c *runner.Config) { c.Token, c.AccessKey, c.SecretKey = "", testAK, testSK }

// The runner's signer and the reference's verifier agree: the whole
// catalogue passes against a reference that accepts only AK/SK signatures
// (the fixture protocol included), the credential cases play (none is
// skipped for want of a token), and neither the keys nor any signature
// reaches the report.
func TestSignedRunPassesAgainstAVerifyingReference(t *testing.T) {
	t.Parallel()
	st := startSigningTarget(t)
	rep := play(t, st.url, "", func(c *runner.Config) {
		signed(c)
		c.Timeout = 10 * time.Second // a shared machine under load answers a 1,000-job batch slowly
	})
	for _, c := range rep.Cases {
		assert.NotEqual(t, result.Fail, c.Verdict, "%s: %v", c.ID, c.Messages)
		assert.NotEqual(t, result.Error, c.Verdict, "%s: %v", c.ID, c.Messages)
		if c.Verdict == result.Skip {
			assert.NotContains(t, strings.Join(c.Messages, ";"), "credential", c.ID)
		}
	}
	assert.Equal(t, result.ExitConformant, rep.ExitCode, "verdict %s", rep.Verdict)
	for _, id := range []string{"sec.derived-token.delete", "sec.malformed-authorization.delete", "sec.garbage-authorization.delete", "hdr.no-token.delete"} {
		if c := caseByID(rep, id); c != nil {
			assert.Equal(t, result.Pass, c.Verdict, "%s: %v", id, c.Messages)
		}
	}
	assert.Equal(t, "SDK-HMAC-SHA256", rep.Configuration["signing"])

	out, err := json.Marshal(rep)
	require.NoError(t, err)
	text := string(out)
	st.mu.Lock()
	sigs := append([]string(nil), st.sigs...)
	seen := append([]http.Header(nil), st.seen...)
	st.mu.Unlock()
	require.NotEmpty(t, sigs)
	for _, secret := range append([]string{testSK, testAK, runner.DerivedToken(testSK), "runner-Secret"}, sigs...) {
		require.False(t, strings.Contains(text, secret), "the report carries %.6s…", secret)
	}
	assert.Contains(t, text, "SDK-HMAC-SHA256 Access="+runner.Redacted+", SignedHeaders=x-language;x-project-id;x-sdk-date, Signature="+runner.Redacted,
		"the evidence shows what was signed")

	// Every signed API request named its path's project in X-Project-Id.
	n := 0
	for _, h := range seen {
		if h.Get("Authorization") == "" || !strings.HasPrefix(h.Get("Authorization"), "SDK-HMAC-SHA256 Access="+testAK+",") {
			continue
		}
		n++
		assert.NotEmpty(t, h.Get("X-Sdk-Date"))
		assert.Contains(t, []string{runner.DefaultProjectID, runner.DefaultOtherProjectID}, h.Get("X-Project-Id"))
	}
	assert.Positive(t, n)
}

func caseByID(rep *result.Report, id string) *result.CaseResult {
	for i := range rep.Cases {
		if rep.Cases[i].ID == id {
			return &rep.Cases[i]
		}
	}
	return nil
}

// The derived invalid credential is a signature the reference refuses: the
// same access key, a secret derived from --sk.
func TestDerivedSignatureIsRefused(t *testing.T) {
	t.Parallel()
	st := startSigningTarget(t)
	rep := play(t, st.url, "sec.derived-token.delete", signed)
	c := caseResult(t, rep, "sec.derived-token.delete")
	require.Equal(t, result.Pass, c.Verdict, "%v", c.Messages)
	var api []result.Exchange
	for _, e := range c.Evidence {
		if e.Kind == result.KindAPI {
			api = append(api, e)
		}
	}
	require.NotEmpty(t, api)
	assert.Equal(t, http.StatusForbidden, api[0].Status)
	assert.Contains(t, http.Header(api[0].RequestHeaders).Get("Authorization"), "SDK-HMAC-SHA256 Access="+runner.Redacted)
	assert.Contains(t, api[0].Curl, "fresh", "a curl of a signed request says it cannot be replayed as it stands")
}

// A wrong secret key stops the run at the preflight, saying what to check.
func TestWrongSecretKeyStopsThePreflight(t *testing.T) {
	t.Parallel()
	st := startSigningTarget(t)
	files, err := cases.LoadEmbeddedCases()
	require.NoError(t, err)
	_, err = runner.Run(context.Background(), runner.Config{Target: st.url, AccessKey: testAK, SecretKey: "not-the-secret-key",
		Files: files, Timeout: 2 * time.Second})
	var pe *runner.PreflightError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "credentials", pe.Check)
	assert.Contains(t, pe.Msg, "--ak/--sk")
	assert.NotContains(t, pe.Msg, "not-the-secret-key")
}

func TestSigningConfigErrors(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]runner.Config{
		"ak without sk": {Target: "http://127.0.0.1:1", AccessKey: "ak"},
		"sk without ak": {Target: "http://127.0.0.1:1", SecretKey: "sk"},
		"token and ak":  {Target: "http://127.0.0.1:1", AccessKey: "ak", SecretKey: "sk", Token: "t"},
	} {
		_, err := runner.NewSession(cfg)
		assert.Error(t, err, name)
	}
}

// A target that echoes the Authorization it gets: the signature of each
// request is redacted in that exchange's evidence and in what reproduce
// --run prints, in any form.
func TestEchoedSignaturesStayRedacted(t *testing.T) {
	t.Parallel()
	ref := reference.New(reference.Config{AccessKey: testAK, SecretKey: testSK, ReleaseDelay: 20 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)}).Handler()
	var mu sync.Mutex
	var sigs []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if a, err := aksk.ParseAuthorization(auth); err == nil && len(a.Signature) == 64 {
			mu.Lock()
			sigs = append(sigs, a.Signature)
			mu.Unlock()
		}
		rec := httptest.NewRecorder()
		ref.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("X-Echo", strings.ToUpper(auth))
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		body := rec.Body.Bytes()
		if rec.Code >= 400 {
			body, _ = json.Marshal(map[string]string{"error_code": "APIGW.0301", "error_msg": "refused " + strings.ReplaceAll(auth, "/", `\/`)})
		}
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)

	rep := play(t, srv.URL, "sec.derived-token.delete", signed)
	out, err := json.Marshal(rep)
	require.NoError(t, err)

	files, err := cases.LoadEmbeddedCases()
	require.NoError(t, err)
	c, err := runner.FindCase(files, "sec.derived-token.delete")
	require.NoError(t, err)
	var tap strings.Builder
	_, err = runner.Reproduce(context.Background(), runner.Config{Target: srv.URL, AccessKey: testAK, SecretKey: testSK,
		Timeout: 2 * time.Second, SettleTimeout: 2 * time.Second}, c, &tap)
	require.NoError(t, err)

	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, sigs)
	for _, text := range []string{string(out), tap.String()} {
		for _, sig := range sigs {
			require.False(t, strings.Contains(strings.ToLower(text), sig), "a signature %.8s… is shown", sig)
		}
		require.False(t, strings.Contains(text, testSK))
		require.False(t, strings.Contains(strings.ToUpper(text), testAK))
	}
	assert.Contains(t, tap.String(), "X-Echo: SDK-HMAC-SHA256 ACCESS="+runner.Redacted+", SIGNEDHEADERS=X-PROJECT-ID;X-SDK-DATE, SIGNATURE="+runner.Redacted,
		"the echoed header is there, redacted")
	c0 := caseResult(t, rep, "sec.derived-token.delete")
	assert.Equal(t, result.Warn, c0.Verdict, "the echoed signature is a finding on REQ-SEC-02: %v", c0.Messages)
	assert.NotEmpty(t, findingsOn(c0, "REQ-SEC-02"))
}
