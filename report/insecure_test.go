package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/conformance"
	"github.com/drsconform/drsconform/result"
)

// A run with --insecure says so in every format a person reads, and only
// then.
func TestInsecureRunIsVisibleInEveryReport(t *testing.T) {
	t.Parallel()
	for _, insecure := range []bool{false, true} {
		r := &result.Report{Target: "https://drs.example.com", Configuration: map[string]string{}}
		if insecure {
			r.Configuration[result.SettingTLSInsecure] = "true"
		}
		cat, err := conformance.Requirements()
		require.NoError(t, err)
		r.Finish(cat)
		var sum bytes.Buffer
		Summary(&sum, r)
		md, html := renderFormat(t, "md", r), renderFormat(t, "html", r)
		for name, out := range map[string]string{"summary": sum.String(), "report.md": md, "report.html": html} {
			assert.Equal(t, insecure, strings.Contains(out, "TLS certificates were not verified (--insecure)"), "%s, insecure=%v", name, insecure)
		}
	}
}

func renderFormat(t *testing.T, ext string, r *result.Report) string {
	t.Helper()
	f, ok := FormatNamed(ext)
	require.True(t, ok, ext)
	var b bytes.Buffer
	require.NoError(t, f.Write(&b, r))
	return b.String()
}
