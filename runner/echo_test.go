package runner

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFindEchoFindsEveryForm(t *testing.T) {
	t.Parallel()
	const secret = "Tok/en+MIIB==&x<y"
	for _, tc := range []struct {
		name, text, form string
	}{
		{"as sent", `{"error_msg":"token Tok/en+MIIB==&x<y is invalid"}`, "as sent"},
		{"upper case", "TOKEN TOK/EN+MIIB==&X<Y", "in other letter case"},
		{"JSON-escaped", `"Tok/en+MIIB==\u0026x\u003cy"`, "JSON-escaped"},
		{"every character \\u-escaped", `\u0054\u006f\u006b\u002f\u0065\u006e\u002b\u004d\u0049\u0049\u0042\u003d\u003d\u0026\u0078\u003c\u0079`, `JSON \u-escaped`},
		{"\\u-escaped in capitals", `\u0054\u006F\u006B\u002F\u0065\u006E\u002B\u004D\u0049\u0049\u0042\u003D\u003D\u0026\u0078\u003C\u0079`, `JSON \u-escaped`},
		{"URL-encoded", "next=Tok%2Fen%2BMIIB%3D%3D%26x%3Cy", "URL-encoded"},
		{"URL-encoded, lower-case hex", "next=tok%2fen%2bmiib%3d%3d%26x%3cy", "URL-encoded"},
	} {
		form, ok := findEcho(tc.text, secret)
		assert.True(t, ok, tc.name)
		assert.Equal(t, tc.form, form, tc.name)
	}
	_, ok := findEcho(`{"error_msg":"The token is invalid."}`, secret)
	assert.False(t, ok)
	_, ok = findEcho("short secrets are ignored: abc", "abc")
	assert.False(t, ok, "shorter than minEchoLen")
}

func TestFindEchoInBodyDecodesJSON(t *testing.T) {
	t.Parallel()
	// Escaped in part: only decoding the JSON string finds it.
	form, ok := findEchoInBody([]byte(`{"error_msg":"bad \u0074ok-RUNNER-\u0053ECRET"}`), "tok-RUNNER-SECRET")
	assert.True(t, ok)
	assert.Equal(t, "as sent (JSON-decoded)", form)
}

func TestRequestCredentials(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	h.Set("X-Auth-Token", "tok-RUNNER-SECRET")
	h.Set("Authorization", "SDK-HMAC-SHA256 Access=AKIDEXAMPLE123, SignedHeaders=host, Signature=00")
	h.Set("X-Language", "zh-cn-but-long")
	var got []string
	for _, c := range requestCredentials(h) {
		got = append(got, c.where+"="+c.value)
	}
	assert.Equal(t, []string{
		"X-Auth-Token=tok-RUNNER-SECRET",
		"Authorization=SDK-HMAC-SHA256 Access=AKIDEXAMPLE123, SignedHeaders=host, Signature=00",
		"Authorization=Access=AKIDEXAMPLE123, SignedHeaders=host, Signature=00",
		"Authorization Access=AKIDEXAMPLE123",
	}, got, "credential headers only; the two-character signature is too short to look for")
}
