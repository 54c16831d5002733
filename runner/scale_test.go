package runner_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
)

// asciiJSON writes every non-ASCII character of a JSON text as \uXXXX (a
// surrogate pair beyond U+FFFF): the same JSON value, other bytes.
func asciiJSON(body []byte) []byte {
	var b strings.Builder
	for _, r := range string(body) {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case r > 0xFFFF:
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, hi, lo)
		default:
			fmt.Fprintf(&b, `\u%04X`, r)
		}
	}
	return []byte(b.String())
}

// REQ-RES-02 compares the decoded id byte for byte: escapes in the answer
// are the same id; a normalized id is another one.
func TestResultIDsAreComparedAfterDecodingWithoutNormalization(t *testing.T) {
	t.Parallel()
	escaped := httptest.NewServer(faulty(answer(func(status int, body []byte) (int, []byte) { return status, asciiJSON(body) })))
	t.Cleanup(escaped.Close)
	rep := play(t, escaped.URL, "scale.unusual-ids*", nil)
	for _, id := range []string{"scale.unusual-ids", "scale.unusual-ids-in-large-batch"} {
		c := caseResult(t, rep, id)
		assert.Equal(t, result.Pass, c.Verdict, "%s against \\u-escaped ids: %v", id, c.Messages)
	}

	nfc := httptest.NewServer(faulty(answer(func(status int, body []byte) (int, []byte) {
		return status, []byte(strings.ReplaceAll(string(body), "e\u0301", "\u00e9"))
	})))
	t.Cleanup(nfc.Close)
	rep = play(t, nfc.URL, "scale.unusual-ids", nil)
	c := caseResult(t, rep, "scale.unusual-ids")
	assert.Equal(t, result.Fail, c.Verdict)
	require.NotEmpty(t, findingsOn(c, "REQ-RES-02"), "an NFC-composed id is not the id sent: %v", c.Messages)
}

// A generated batch of 1,000 answered in part fails REQ-RES-02 however its
// count reads.
func TestLargeBatchAnsweredInPartFails(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(faulty(answer(mapJSON(func(m map[string]any) {
		if rs, ok := m["results"].([]any); ok && len(rs) > 999 {
			m["results"], m["count"] = rs[:999], 999
		}
	}))))
	t.Cleanup(srv.Close)
	rep := play(t, srv.URL, "scale.batch-1000", nil)
	c := caseResult(t, rep, "scale.batch-1000")
	assert.Equal(t, result.Fail, c.Verdict)
	assert.NotEmpty(t, findingsOn(c, "REQ-RES-02"), "%v", c.Messages)
}

// The script of a generated batch sends the whole batch, the made tasks at
// their positions, and the reference answers every item.
func TestScriptReproducesAGeneratedBatch(t *testing.T) {
	t.Parallel()
	sh := shell(t)
	srv := httptest.NewServer(faulty(func(w http.ResponseWriter, r *http.Request, next http.Handler) { next.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	files, err := cases.LoadEmbeddedCases()
	require.NoError(t, err)
	text := script(t, findCase(t, files, "scale.batch-100"), runner.ScriptOptions{Target: srv.URL})
	code, out := runScript(t, sh, t.TempDir(), text)
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "HTTP/1.1 202 Accepted")
	assert.Contains(t, out, `"count":100`)
	assert.Equal(t, 4, strings.Count(out, `"status":"success"`)+strings.Count(out, `"status":"failed","error_code":"DRS.M00304"`), "the four made tasks answered by state")
}
