package interop_test

import (
	"bytes"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/internal/aksk"
)

// The runner's signer (internal/aksk, which the reference verifies with)
// against the SDK's own (core/auth/signer), byte for byte: the same
// requests, the same headers, a fixed X-Sdk-Date, the same Authorization.
// The module path of this module lies under the main module's, so Go's
// internal rule lets it import internal/aksk.
func TestSignerMatchesTheSDKs(t *testing.T) {
	t.Parallel()
	date := time.Date(2026, 11, 30, 14, 5, 6, 0, time.UTC)
	type testCase struct {
		name, method, endpoint, path string
		query                        map[string]string
		headers                      map[string]string
		body                         string
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		headers := map[string]string{
			"User-Agent":    "huaweicloud-usdk-go/3.0",
			"X-Project-Id":  projectID,
			aksk.HeaderDate: date.Format(aksk.DateFormat),
		}
		for k, v := range tc.headers {
			headers[k] = v
		}

		b := request.NewHttpRequestBuilder().WithEndpoint(tc.endpoint).WithPath(tc.path).WithMethod(tc.method)
		for k, v := range headers {
			b.AddHeaderParam(k, v)
		}
		for k, v := range tc.query {
			b.AddQueryParam(k, reflect.ValueOf(v))
		}
		if tc.body != "" {
			b.WithBody("", tc.body)
		}
		sdkHeaders, err := signer.Signer{}.Sign(b.Build(), accessKey, secretKey)
		require.NoError(t, err)

		u := tc.endpoint + (&url.URL{Path: tc.path}).EscapedPath()
		if len(tc.query) > 0 {
			q := url.Values{}
			for k, v := range tc.query {
				q.Set(k, v)
			}
			u += "?" + q.Encode()
		}
		r, err := http.NewRequest(tc.method, u, bytes.NewReader([]byte(tc.body)))
		require.NoError(t, err)
		for k, v := range headers {
			r.Header.Set(k, v)
		}
		a := aksk.Sign(r, []byte(tc.body), accessKey, secretKey, date)

		assert.Equal(t, sdkHeaders["Authorization"], r.Header.Get("Authorization"))
		assert.Equal(t, sdkHeaders["Authorization"], a.String())
		assert.Equal(t, sdkHeaders[aksk.HeaderDate], r.Header.Get(aksk.HeaderDate))
		assert.Contains(t, sdkHeaders["Authorization"], "SignedHeaders=")
	}
	for _, tc := range []testCase{
		{name: "DELETE batch-jobs with a body", method: http.MethodDelete, endpoint: "https://drs.example.com",
			path: "/v3/" + projectID + "/jobs/batch-jobs", headers: map[string]string{"Content-Type": "application/json", "X-Language": "en-us"},
			body: `{"jobs":[{"delete_type":"delete","job_id":"140b5236-88ad-43c8-811c-1268453jb101"}]}`},
		{name: "POST batch-status", method: http.MethodPost, endpoint: "https://drs.example.com:8443",
			path: "/v3/" + projectID + "/jobs/batch-status", headers: map[string]string{"Content-Type": "application/json;charset=UTF-8"},
			body: `{"jobs":["140b5236-88ad-43c8-811c-1268453jb101","9a8b7c6d-0000-4000-8000-000000000000"]}`},
		{name: "path with escaped characters", method: http.MethodDelete, endpoint: "http://127.0.0.1:8080",
			path: "/v3/proj ect+é~x/jobs/batch-jobs", headers: map[string]string{"Content-Type": "application/json"}, body: `{"jobs":[]}`},
		{name: "query", method: http.MethodGet, endpoint: "https://drs.example.com",
			path: "/v3/" + projectID + "/jobs", query: map[string]string{"limit": "10", "offset": "0", "name": "a b/c"}},
		{name: "not JSON: unsigned payload", method: http.MethodDelete, endpoint: "https://drs.example.com",
			path: "/v3/" + projectID + "/jobs/batch-jobs", headers: map[string]string{"Content-Type": "text/plain"}, body: "jobs"},
		{name: "header values with spaces", method: http.MethodDelete, endpoint: "https://drs.example.com",
			path: "/v3/" + projectID + "/jobs/batch-jobs", headers: map[string]string{"Content-Type": "application/json", "X-Language": "  zh-cn "},
			body: strings.Repeat(" ", 3)},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}
