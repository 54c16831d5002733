package credential

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A secret key as Huawei Cloud issues them: 40 characters, mixed case,
// digits; '/' and '+' on purpose (they change under JSON and URL escaping).
const secretKey = "Qx7/Lm+9TeSt0SecretKeyAbCdEf1234567890zZ"

func TestRedactorRemovesEveryFormOfASecretKey(t *testing.T) {
	t.Parallel()
	rd := New(secretKey)
	for name, form := range forms(secretKey) {
		got := rd.String("sk=" + form + ";")
		assert.Equal(t, "sk="+Redacted+";", got, name)
	}
}

// A signature is known only once a request is signed: With adds it (and
// the access key of the header) for that request's evidence, in every form.
func TestWithRedactsASignature(t *testing.T) {
	t.Parallel()
	const ak, sig = "HPUAEXAMPLEACCESSKEY", "3f1a0c9e5b7d2468ace13579bdf02468ace13579bdf02468ace13579bdf0ab12"
	h := http.Header{"Authorization": {"SDK-HMAC-SHA256 Access=" + ak + ", SignedHeaders=x-project-id;x-sdk-date, Signature=" + sig}}
	base := New(secretKey)
	rd := base.With(FromHeader(h)...)
	require.NotSame(t, base, rd)
	for name, form := range forms(sig) {
		assert.Equal(t, "echo "+Redacted, rd.String("echo "+form), name)
	}
	assert.Equal(t, Redacted+" "+Redacted+" "+Redacted, rd.String(ak+" "+sig+" "+secretKey))
	assert.Equal(t, "echo "+sig, base.String("echo "+sig), "the base redactor is left as it was")
	assert.Same(t, rd, rd.With(FromHeader(h)...), "nothing new: the same redactor")
	assert.Same(t, rd, rd.With("short"), "too short to redact inside text: nothing to add")
	var none *Redactor
	assert.Equal(t, Redacted, none.With(sig).String(sig))
}

// The curl command of a signed request shows what was signed, redacts the
// access key and the signature, and says that it needs a fresh signature.
func TestCurlOfASignedRequest(t *testing.T) {
	t.Parallel()
	const ak, sig = "HPUAEXAMPLEACCESSKEY", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	h := http.Header{
		"Authorization": {"SDK-HMAC-SHA256 Access=" + ak + ", SignedHeaders=x-project-id;x-sdk-date, Signature=" + sig},
		"X-Sdk-Date":    {"20261130T140000Z"},
	}
	assert.True(t, Signed(h))
	curl := New().Curl("DELETE", "https://drs.example.com/v3/p/jobs/batch-jobs", h, []byte("{}"), 100)
	assert.NotContains(t, curl, ak)
	assert.NotContains(t, curl, sig)
	assert.Contains(t, curl, "SignedHeaders=x-project-id;x-sdk-date")
	assert.True(t, strings.HasSuffix(curl, SignedCurlNote), curl)

	assert.False(t, Signed(http.Header{"Authorization": {"Bearer abc"}}))
	assert.False(t, Signed(http.Header{"X-Auth-Token": {"SDK-HMAC-SHA256 Access=a, Signature=b"}}))
	assert.NotContains(t, New().Curl("GET", "http://h/", http.Header{"X-Auth-Token": {"t"}}, nil, 10), SignedCurlNote)
}
