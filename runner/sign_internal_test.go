package runner

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/internal/aksk"
	"github.com/drsconform/drsconform/result"
)

func TestSignerSignsWhatTheRequestAsksFor(t *testing.T) {
	t.Parallel()
	const ak, sk = "AK-signer-test", "SK-signer-test-secret"
	at := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)
	s := newSigner(Config{Target: "https://drs.example.com/drs", AccessKey: ak, SecretKey: sk, ProjectID: "run-project"})
	s.now = func() time.Time { return at }
	type testCase struct {
		name    string
		url     string
		kind    result.ExchangeKind
		header  http.Header
		secret  string // "": not signed
		project string
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		body := []byte(`{"jobs":[]}`)
		req, err := http.NewRequest(http.MethodDelete, tc.url, nil)
		require.NoError(t, err)
		req.Header = tc.header.Clone()
		s.sign(req, tc.kind, body)
		if tc.secret == "" {
			assert.Equal(t, tc.header, req.Header, "left as it was")
			return
		}
		a, err := aksk.ParseAuthorization(req.Header.Get("Authorization"))
		require.NoError(t, err)
		assert.Equal(t, ak, a.Access)
		assert.Equal(t, tc.project, req.Header.Get("X-Project-Id"))
		assert.Contains(t, a.SignedHeaders, "x-project-id")
		assert.True(t, aksk.Verify(req, body, a, tc.secret, at), "signed with the expected secret")
		if tc.secret != sk {
			assert.False(t, aksk.Verify(req, body, a, sk, at), "the derived signature does not verify with the real secret")
		}
	}
	api := "https://drs.example.com/drs/v3/p%20one/jobs/batch-jobs"
	harness := "https://drs.example.com/drs/_conformance/v1/jobs"
	for _, tc := range []testCase{
		{name: "the run's credential", url: api, kind: result.KindAPI, header: http.Header{"Authorization": {signMarker}}, secret: sk, project: "p one"},
		{name: "derived-invalid", url: api, kind: result.KindAPI, header: http.Header{"Authorization": {signDerivedMarker}}, secret: DerivedToken(sk), project: "p one"},
		{name: "a case's own X-Project-Id stays", url: api, kind: result.KindAPI,
			header: http.Header{"Authorization": {signMarker}, "X-Project-Id": {"mine"}}, secret: sk, project: "mine"},
		{name: "harness request built without a credential", url: harness, kind: result.KindFixture, header: http.Header{}, secret: sk, project: "run-project"},
		{name: "read-back built without a credential", url: harness + "/x?project_id=p2", kind: result.KindReadBack, header: http.Header{}, secret: sk, project: "run-project"},
		{name: "API request without a credential (none, removed)", url: api, kind: result.KindAPI, header: http.Header{"Content-Type": {"application/json"}}},
		{name: "a case's malformed Authorization", url: api, kind: result.KindAPI, header: http.Header{"Authorization": {"SDK-HMAC-SHA256 Access=x, SignedHeaders=host, Signature=00"}}},
		{name: "an X-Auth-Token of a case", url: api, kind: result.KindAPI, header: http.Header{"X-Auth-Token": {""}}},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
	var none *signer
	req, _ := http.NewRequest(http.MethodGet, api, nil)
	req.Header.Set("Authorization", signMarker)
	none.sign(req, result.KindAPI, nil)
	assert.Equal(t, signMarker, req.Header.Get("Authorization"), "no AK/SK: nothing is signed")
}

// With AK/SK, the invalid credentials derive from the access key: nothing
// derived from the secret key is ever put into a header.
func TestSetCredentialWithAKSK(t *testing.T) {
	t.Parallel()
	cfg := Config{AccessKey: "HPUAACCESSKEY0000001", SecretKey: "secret-key-0123456789"}
	for _, cred := range []string{"none", "derived-invalid", "malformed-authorization", "garbage-authorization"} {
		h := http.Header{}
		cfg.runCredential(h)
		assert.Equal(t, signMarker, h.Get("Authorization"))
		setCredential(h, cred, cfg)
		assert.Empty(t, h.Get("X-Auth-Token"), cred)
		for _, v := range h.Values("Authorization") {
			assert.NotContains(t, v, DerivedToken(cfg.SecretKey)[:8], cred)
			assert.NotContains(t, v, cfg.SecretKey[:8], cred)
		}
		switch cred {
		case "none":
			assert.Empty(t, h.Values("Authorization"))
		case "derived-invalid":
			assert.Equal(t, signDerivedMarker, h.Get("Authorization"))
		case "malformed-authorization":
			assert.Equal(t, "SDK-HMAC-SHA256 Access="+DerivedToken(cfg.AccessKey)+", SignedHeaders=host, Signature=00", h.Get("Authorization"))
		case "garbage-authorization":
			assert.Equal(t, DerivedToken(cfg.AccessKey), h.Get("Authorization"))
		}
	}
}
