package reference_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/reference"
)

// AK/SK: the signature of the Huawei Cloud SDK (SDK-HMAC-SHA256) is verified
// when an access key is configured. interop/huaweicloud-sdk checks the same
// against the real SDK.
func TestAKSKSignature(t *testing.T) {
	t.Parallel()
	const ak, sk = "AKTESTEXAMPLE0000001", "sk-secret-example"
	type testCase struct {
		name    string
		cfg     reference.Config
		sign    func(r *http.Request, body []byte) // nil: no Authorization
		tamper  func(r *http.Request)              // after signing
		status  int
		code    string
		deleted bool
	}
	signWith := func(ak, sk string, at time.Duration) func(*http.Request, []byte) {
		return func(r *http.Request, body []byte) { reference.SignRequest(r, body, ak, sk, time.Now().Add(at)) }
	}
	verifying := reference.Config{AccessKey: ak, SecretKey: sk, Tokens: []string{testToken}}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		svc := startService(t, tc.cfg)
		id := svc.create(fixture{ProjectID: projectA, Status: reference.CreateFailed})
		body := jobs(item(reference.Delete, id))
		req, err := http.NewRequest(http.MethodDelete, svc.url+"/v3/"+projectA+"/jobs/batch-jobs?x=a%20b&x=0", bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Project-Id", projectA)
		req.Header.Set("X-Language", "en-us")
		if tc.sign != nil {
			tc.sign(req, body)
		}
		if tc.tamper != nil {
			tc.tamper(req)
		}
		resp, err := svc.http.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		require.Equal(t, tc.status, resp.StatusCode, "%s", raw)
		if tc.code != "" {
			a := answer{status: resp.StatusCode, header: resp.Header, body: raw}
			assert.Equal(t, tc.code, a.errorBody(t).ErrorCode)
		}
		if tc.deleted {
			assert.Equal(t, reference.Status(""), svc.status(projectA, id))
		} else {
			assert.Equal(t, reference.CreateFailed, svc.status(projectA, id))
		}
	}
	for _, tc := range []testCase{
		{name: "valid signature", cfg: verifying, sign: signWith(ak, sk, 0), status: 202, deleted: true},
		{name: "date 10 minutes off", cfg: verifying, sign: signWith(ak, sk, -10*time.Minute), status: 202, deleted: true},
		{name: "wrong secret key", cfg: verifying, sign: signWith(ak, "not-the-secret", 0), status: 403, code: reference.CodeInvalidToken},
		{name: "unknown access key", cfg: verifying, sign: signWith("OTHERAK", sk, 0), status: 403, code: reference.CodeInvalidToken},
		{name: "date 20 minutes off", cfg: verifying, sign: signWith(ak, sk, 20*time.Minute), status: 403, code: reference.CodeInvalidToken},
		{name: "body changed after signing", cfg: verifying, sign: func(r *http.Request, body []byte) {
			reference.SignRequest(r, append(body, ' '), ak, sk, time.Now())
		}, status: 403, code: reference.CodeInvalidToken},
		{name: "signed header changed", cfg: verifying, sign: signWith(ak, sk, 0),
			tamper: func(r *http.Request) { r.Header.Set("X-Language", "zh-cn") }, status: 403, code: reference.CodeInvalidToken},
		{name: "query changed", cfg: verifying, sign: signWith(ak, sk, 0),
			tamper: func(r *http.Request) { r.URL.RawQuery = "x=a" }, status: 403, code: reference.CodeInvalidToken},
		{name: "no date", cfg: verifying, sign: signWith(ak, sk, 0),
			tamper: func(r *http.Request) { r.Header.Del("X-Sdk-Date") }, status: 403, code: reference.CodeInvalidToken},
		{name: "malformed header", cfg: verifying, sign: func(r *http.Request, _ []byte) {
			r.Header.Set("Authorization", "SDK-HMAC-SHA256 Access=x")
		}, status: 403, code: reference.CodeInvalidToken},
		{name: "no credential", cfg: verifying, status: 401, code: reference.CodeNoCredential},
		{name: "open server accepts any signature", cfg: reference.Config{}, sign: signWith("any", "thing", 0), status: 202, deleted: true},
		{name: "token-only server refuses signatures", cfg: reference.Config{Tokens: []string{testToken}},
			sign: signWith(ak, sk, 0), status: 403, code: reference.CodeInvalidToken},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

// With both a token list and AK/SK configured, either credential works.
func TestTokenAndSignatureTogether(t *testing.T) {
	t.Parallel()
	svc := startService(t, reference.Config{AccessKey: "ak", SecretKey: "sk", Tokens: []string{"t1", testToken}})
	id := svc.create(fixture{ProjectID: projectA, Status: reference.RebuildNodeFailed})
	assert.Equal(t, reference.RebuildNodeFailed, svc.status(projectA, id))
	svc.token = "t3"
	a := svc.do(http.MethodGet, "/_conformance/v1/jobs/"+id+"?project_id="+projectA, nil, nil)
	assert.Equal(t, http.StatusForbidden, a.status)
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name string
		cfg  reference.Config
		ok   bool
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		err := tc.cfg.Validate()
		if tc.ok {
			assert.NoError(t, err)
			return
		}
		assert.Error(t, err)
		assert.Panics(t, func() { reference.New(tc.cfg) })
	}
	for _, tc := range []testCase{
		{name: "zero", cfg: reference.Config{}, ok: true},
		{name: "all choices flipped", cfg: reference.Config{Duplicates: reference.DuplicatesReject,
			UnknownFields: reference.UnknownFieldsReject, OtherLanguage: reference.OtherLanguageReject,
			WrongContentTypeStatus: 415}, ok: true},
		{name: "AK without SK", cfg: reference.Config{AccessKey: "ak"}},
		{name: "bad duplicates", cfg: reference.Config{Duplicates: "twice"}},
		{name: "bad unknown fields", cfg: reference.Config{UnknownFields: "keep"}},
		{name: "bad language", cfg: reference.Config{OtherLanguage: "fr"}},
		{name: "bad content type status", cfg: reference.Config{WrongContentTypeStatus: 422}},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}
