package aksk

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var at = time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC)

func newRequest(t *testing.T, method, url string, body []byte) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, url, bytes.NewReader(body))
	require.NoError(t, err)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Language", "en-us")
	r.Header.Set("X-Project-Id", "p1")
	return r
}

func TestEscape(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":               "",
		"AZaz09_-~.":     "AZaz09_-~.",
		"a b":            "a%20b",
		"a/b+c=d&e":      "a%2Fb%2Bc%3Dd%26e",
		"é":              "%C3%A9",
		"100%":           "100%25",
		"x*y'z(1)!":      "x%2Ay%27z%281%29%21",
		"batch-jobs":     "batch-jobs",
		"~user.name_123": "~user.name_123",
	} {
		assert.Equal(t, want, Escape(in), "%q", in)
	}
}

func TestSignedHeaders(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-Sdk-Date", "x")
	h.Set("User-Agent", "ua")
	h.Set("Authorization", "x")
	h.Set("Content-Length", "3")
	h["X_Under_Score"] = []string{"v"}
	h["x-language"] = []string{"en-us"} // a name Go did not canonicalise
	h.Set("X-Language", "en-us")
	assert.Equal(t, []string{"user-agent", "x-language", "x-sdk-date"}, SignedHeaders(h))
}

func TestCanonicalRequest(t *testing.T) {
	t.Parallel()
	r := newRequest(t, http.MethodDelete, "http://h:1/v3/a%20b/jobs/batch-jobs?z=2&a=b%20c&a=a", []byte("{}"))
	r.Header.Set(HeaderDate, at.Format(DateFormat))
	got := CanonicalRequest(r, SignedHeaders(r.Header), []byte("{}"))
	want := strings.Join([]string{
		"DELETE",
		"/v3/a%20b/jobs/batch-jobs/",
		"a=a&a=b%20c&z=2",
		"x-language:en-us\nx-project-id:p1\nx-sdk-date:20261130T140000Z\n",
		"x-language;x-project-id;x-sdk-date",
		"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", // SHA-256 of "{}"
	}, "\n")
	assert.Equal(t, want, got)
}

func TestSignThenVerify(t *testing.T) {
	t.Parallel()
	body := []byte(`{"jobs":[{"delete_type":"delete","job_id":"j1"}]}`)
	r := newRequest(t, http.MethodDelete, "http://h:1/v3/p1/jobs/batch-jobs", body)
	a := Sign(r, body, "AK1", "SK-secret", at)
	assert.Equal(t, at.Format(DateFormat), r.Header.Get(HeaderDate))
	assert.Empty(t, r.Header.Get(HeaderContentSHA), "a JSON body is hashed")
	assert.Equal(t, []string{"x-language", "x-project-id", "x-sdk-date"}, a.SignedHeaders)
	assert.Len(t, a.Signature, 64)
	parsed, err := ParseAuthorization(r.Header.Get("Authorization"))
	require.NoError(t, err)
	assert.Equal(t, a, parsed)
	assert.True(t, Verify(r, body, parsed, "SK-secret", at))

	assert.False(t, Verify(r, body, parsed, "SK-secreu", at), "another secret")
	assert.False(t, Verify(r, append(body, ' '), parsed, "SK-secret", at), "another body")
	assert.False(t, Verify(r, body, parsed, "SK-secret", at.Add(time.Second)), "another date")
	r.Header.Set("X-Language", "zh-cn")
	assert.False(t, Verify(r, body, parsed, "SK-secret", at), "a signed header changed")
}

func TestSignUnsignedPayload(t *testing.T) {
	t.Parallel()
	r := newRequest(t, http.MethodDelete, "http://h:1/v3/p1/jobs/batch-jobs", []byte("x"))
	r.Header.Set("Content-Type", "text/plain")
	a := Sign(r, []byte("x"), "AK1", "SK", at)
	assert.Equal(t, UnsignedPayload, r.Header.Get(HeaderContentSHA))
	assert.Contains(t, a.SignedHeaders, "x-sdk-content-sha256")
	assert.True(t, Verify(r, []byte("another body"), a, "SK", at), "the body is not signed")
}

func TestParseAuthorization(t *testing.T) {
	t.Parallel()
	_, err := ParseAuthorization("Bearer abc")
	assert.ErrorIs(t, err, ErrScheme)
	_, err = ParseAuthorization("SDK-HMAC-SHA256 Access=x")
	assert.ErrorIs(t, err, ErrIncomplete)
	a, err := ParseAuthorization("SDK-HMAC-SHA256 Access=A, SignedHeaders=x-sdk-date;host, Signature=AB")
	require.NoError(t, err)
	assert.Equal(t, Authorization{Access: "A", SignedHeaders: []string{"x-sdk-date", "host"}, Signature: "AB"}, a)
}

func TestHostIsTheRequestsHost(t *testing.T) {
	t.Parallel()
	r := newRequest(t, http.MethodGet, "http://h:1/x", nil)
	assert.Contains(t, CanonicalRequest(r, []string{"host"}, nil), "\nhost:h:1\n")
	r.Host = "other:2"
	assert.Contains(t, CanonicalRequest(r, []string{"host"}, nil), "\nhost:other:2\n")
}

// SignWithHost signs host too, so rewriting it breaks the signature; Sign
// (the SDK's way) leaves it out.
func TestSignWithHost(t *testing.T) {
	t.Parallel()
	body := []byte("{}")
	r := newRequest(t, http.MethodDelete, "http://h:1/v3/p1/jobs/batch-jobs", body)
	a := SignWithHost(r, body, "AK1", "SK", at)
	assert.Equal(t, []string{"host", "x-language", "x-project-id", "x-sdk-date"}, a.SignedHeaders)
	assert.True(t, Verify(r, body, a, "SK", at))
	r.Host = "rewritten:2"
	assert.False(t, Verify(r, body, a, "SK", at))

	r2 := newRequest(t, http.MethodDelete, "http://h:1/v3/p1/jobs/batch-jobs", body)
	a2 := Sign(r2, body, "AK1", "SK", at)
	r2.Host = "rewritten:2"
	assert.True(t, Verify(r2, body, a2, "SK", at))
}

// BenchmarkSign signs a DELETE of 1,000 jobs (about 75 KB), the largest
// body the catalogue sends.
func BenchmarkSign(b *testing.B) {
	body := []byte(`{"jobs":[` + strings.Repeat(`{"delete_type":"delete","job_id":"140b5236-88ad-43c8-811c-1268453jb101"},`, 999) +
		`{"delete_type":"delete","job_id":"140b5236-88ad-43c8-811c-1268453jb101"}]}`)
	r, err := http.NewRequest(http.MethodDelete, "https://drs.example.com/v3/p1/jobs/batch-jobs", bytes.NewReader(body))
	require.NoError(b, err)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Project-Id", "p1")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		Sign(r, body, "AK", "SK", at)
	}
}
