package report

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The proxy log of testdata/proxylog.jsonl: every kind of record (not in
// the contract, unexpected, expected, expected but not seen, a faulty
// declaration, hostile strings) and lines that are not records (a cut line,
// JSON of another kind, a blank line).
func readSampleProxyLog(t *testing.T) *ProxyLog {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "proxylog.jsonl"))
	require.NoError(t, err)
	defer f.Close()
	pl, err := ReadProxyLog(f, "exchanges.jsonl")
	require.NoError(t, err)
	return pl
}

func TestProxyLogCounts(t *testing.T) {
	t.Parallel()
	pl := readSampleProxyLog(t)
	assert.Equal(t, 9, pl.Lines)
	assert.Equal(t, 6, pl.Records)
	assert.Equal(t, 2, pl.Skipped)
	require.Len(t, pl.SkippedList, 2)
	assert.True(t, strings.HasPrefix(pl.SkippedList[0], "exchanges.jsonl:4: not a JSON record"), pl.SkippedList[0])
	assert.Equal(t, "exchanges.jsonl:8: JSON, but not an exchange record (no exchange, method or outcome)", pl.SkippedList[1])
	assert.Equal(t, 5, pl.Checked)
	assert.True(t, pl.Verbose)
	names := func(cs []ProxyLogCount) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Requirement)
		}
		return out
	}
	assert.Equal(t, []string{"REQ-HTTP-02", "REQ-VAL-02", "REQ-VAL-04"}, names(pl.Unexpected))
	assert.Equal(t, []string{"REQ-VAL-05"}, names(pl.Expected))
	assert.Equal(t, []string{"REQ-VAL-04"}, names(pl.Missing))
	assert.Equal(t, 1, pl.ExpectProblemCount)
	assert.True(t, pl.Failed())

	covered := map[string]bool{}
	for _, s := range pl.Coverage.Sections {
		for _, it := range s.Items {
			covered[s.Name+": "+it.Name] = it.Covered
		}
	}
	for item, want := range map[string]bool{
		"Status codes: 202":                                       true,
		"Status codes: 400":                                       true,
		"Status codes: 401":                                       false,
		"Delete types: delete":                                    true,
		"Delete types: terminate":                                 true,
		"Delete types: \"Delete\"":                                true,
		"Error codes: DRS.M00202 (parameter invalid)":             true,
		"Error codes: DRS.M01504 (another operation in progress)": true,
		"Error codes: DRS.M05004 (task deleted or released)":      false,
		"Per-item results: success":                               true,
		"Per-item results: failed":                                true,
		"Headers: " + langZH:                                      true,
		"Headers: " + ctJSONParams:                                true,
		"Credentials: " + credAKSK:                                true,
		"Credentials: " + credBoth:                                false,
	} {
		got, ok := covered[item]
		assert.True(t, ok, "no item %s", item)
		assert.Equal(t, want, got, item)
	}
	// The rejected exchange (7) is the proxy's answer: it shows nothing of the service.
	for _, s := range pl.Coverage.Sections {
		for _, it := range s.Items {
			if s.Name == "Status codes" {
				assert.NotContains(t, it.Cases, "exchange 7")
			}
		}
	}
}

func TestProxyLogGolden(t *testing.T) {
	t.Parallel()
	pl := readSampleProxyLog(t)
	for _, f := range ProxyLogFormats() {
		var buf bytes.Buffer
		require.NoError(t, f.Write(&buf, pl))
		out := buf.String()
		assert.NotContains(t, out, "\x1b", f.Name)
		assert.NotContains(t, out, "\u202e", f.Name)
		assert.NotContains(t, out, "<script>", f.Name)
		assert.NotContains(t, out, "<b>fr", f.Name)
		path := filepath.Join("testdata", "proxylog."+f.File+".golden")
		if *update {
			require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
			continue
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err, "run go test ./report -run TestProxyLogGolden -update to create it")
		assert.Equal(t, string(want), out, "%s differs from %s; if meant: go test ./report -run TestProxyLogGolden -update", f.Name, path)
	}
}

func TestProxyLogBroken(t *testing.T) {
	t.Parallel()
	_, err := ReadProxyLog(strings.NewReader("not json\n{\"a\":1}\n"), "x.jsonl")
	require.ErrorIs(t, err, ErrNotProxyLog)
	assert.Contains(t, err.Error(), "x.jsonl:1: not a JSON record")

	pl, err := ReadProxyLog(strings.NewReader(""), "empty.jsonl")
	require.NoError(t, err, "an empty log is a log of nothing")
	assert.Zero(t, pl.Records)
	assert.False(t, pl.Failed())

	// A line beyond the bound is skipped whole; the next one is read.
	long := `{"exchange":1,"method":"DELETE","outcome":"forwarded","note":"` + strings.Repeat("x", MaxProxyLogLineBytes) + "\"}\n"
	ok := `{"exchange":2,"method":"DELETE","outcome":"forwarded"}` + "\n"
	pl, err = ReadProxyLog(strings.NewReader(long+ok), "big.jsonl")
	require.NoError(t, err)
	assert.Equal(t, 1, pl.Records)
	assert.Equal(t, []string{"big.jsonl:1: a line longer than 8388608 bytes"}, pl.SkippedList)

	// Many broken lines: all counted, the first few named.
	var many strings.Builder
	for range 50 {
		many.WriteString("{\n")
	}
	many.WriteString(ok)
	pl, err = ReadProxyLog(strings.NewReader(many.String()), "m.jsonl")
	require.NoError(t, err)
	assert.Equal(t, 50, pl.Skipped)
	assert.Len(t, pl.SkippedList, MaxProxyLogProblems)

	_, err = ReadProxyLog(failingReader{}, "f.jsonl")
	assert.ErrorContains(t, err, "f.jsonl:1: disk gone")
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk gone") }

var _ io.Reader = failingReader{}
