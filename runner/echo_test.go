package runner

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The echo check (REQ-SEC-02) finds a request's credential in every form the
// redaction removes, and never where there is none.
func TestEchoIsFoundInEveryForm(t *testing.T) {
	t.Parallel()
	const secret = "Tok/en+MIIB==&x<y"
	h := http.Header{}
	h.Set("X-Auth-Token", secret)
	creds := requestCredentials(h)
	if !assert.Len(t, creds, 1) {
		return
	}
	for _, tc := range []struct{ name, text string }{
		{"as sent", `{"error_msg":"token Tok/en+MIIB==&x<y is invalid"}`},
		{"upper case", "TOKEN TOK/EN+MIIB==&X<Y"},
		{"JSON-escaped", `"Tok\/en+MIIB==\u0026x\u003cy"`},
		{"every character \\u-escaped", `\u0054\u006f\u006b\u002f\u0065\u006e\u002b\u004d\u0049\u0049\u0042\u003d\u003d\u0026\u0078\u003c\u0079`},
		{"\\u-escaped in capitals", `\u0054\u006F\u006B\u002F\u0065\u006E\u002B\u004D\u0049\u0049\u0042\u003D\u003D\u0026\u0078\u003C\u0079`},
		{"escaped in part", `bad \u0054ok/en+\u004dIIB==&x<y`},
		{"URL-encoded", "next=Tok%2Fen%2BMIIB%3D%3D%26x%3Cy"},
		{"URL-encoded, lower-case hex", "next=tok%2fen%2bmiib%3d%3d%26x%3cy"},
	} {
		assert.True(t, creds[0].forms.Contains(tc.text), tc.name)
	}
	assert.False(t, creds[0].forms.Contains(`{"error_msg":"The token is invalid."}`))
}

func TestRequestCredentials(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	h.Set("X-Auth-Token", "tok-RUNNER-SECRET")
	h.Set("Authorization", "SDK-HMAC-SHA256 Access=AKIDEXAMPLE123, SignedHeaders=host, Signature=00")
	h.Set("X-Language", "zh-cn-but-long")
	var got []string
	for _, c := range requestCredentials(h) {
		got = append(got, c.where)
	}
	assert.Equal(t, []string{"Authorization", "X-Auth-Token"}, got, "credential headers only")
	auth := requestCredentials(h)[0].forms
	assert.True(t, auth.Contains("key AKIDEXAMPLE123 refused"), "the access key of an AK/SK signature")
	assert.False(t, auth.Contains("SignedHeaders=host"), "what is not secret is not looked for")

	short := http.Header{}
	short.Set("X-Auth-Token", "abc")
	assert.Empty(t, requestCredentials(short), "a secret shorter than credential.MinSecretLen would be found by chance")
}
