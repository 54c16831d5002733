package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drsconform/drsconform/result"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bloated is the sample report with 100 more cases, each with large evidence.
func bloated() *result.Report {
	r := sampleReport()
	big := strings.Repeat("x", 16<<10)
	for i := 0; i < 100; i++ {
		v := result.Pass
		if i%2 == 1 {
			v = result.Fail
		}
		c := result.CaseResult{ID: fmt.Sprintf("bulk.%03d", i), Title: "bulk", Theme: "bulk", File: "bulk.yaml", Verdict: v,
			Requirements: []string{"REQ-RES-01"}, Messages: []string{"m"}}
		if v == result.Fail {
			c.Findings = []result.Finding{{Requirement: "REQ-RES-01", Level: "MUST", Verdict: result.Fail, Layer: result.LayerInvariant, Step: 1, Expected: "e", Got: "g"}}
		}
		for k := 0; k < 4; k++ {
			c.Evidence = append(c.Evidence, result.Exchange{Step: 1, Purpose: "request", Method: "DELETE", URL: sampleURL,
				RequestBody: big, ResponseBody: big, Status: 202, Curl: "curl " + big})
		}
		r.Cases = append(r.Cases, c)
	}
	return r
}

func TestFitBoundsTheReportAndKeepsEveryVerdict(t *testing.T) {
	t.Parallel()
	r := bloated()
	before, err := renderedSize(r)
	require.NoError(t, err)
	const limit = 4 << 20
	require.Greater(t, before, int64(limit), "the test needs a report above the limit")

	fit, err := Fit(r, limit)
	require.NoError(t, err)
	after, err := renderedSize(fit)
	require.NoError(t, err)
	assert.LessOrEqual(t, after, int64(limit))
	require.NotEmpty(t, fit.Trimmed)
	assert.Contains(t, fit.Trimmed[0], "cases that passed or were skipped")
	require.Len(t, fit.Cases, len(r.Cases))
	for i := range r.Cases {
		assert.Equal(t, r.Cases[i].ID, fit.Cases[i].ID)
		assert.Equal(t, r.Cases[i].Verdict, fit.Cases[i].Verdict)
	}
	assert.Equal(t, r.Verdict, fit.Verdict)
	assert.NotEmpty(t, r.Cases[len(r.Cases)-2].Evidence, "Fit copies; the report it was given keeps its evidence")

	var md bytes.Buffer
	require.NoError(t, Markdown(&md, fit))
	assert.Contains(t, md.String(), "Trimmed: the evidence of cases that passed")

	same, err := Fit(sampleReport(), limit)
	require.NoError(t, err)
	assert.Empty(t, same.Trimmed, "a small report is left as it is")
}

func TestWriteDirStaysUnderItsLimitAndVerifies(t *testing.T) {
	t.Parallel()
	r := bloated()
	r.SpecSHA256 = bundleReport(t).SpecSHA256
	const limit = 4 << 20
	dir := t.TempDir()
	_, err := writeDir(dir, r, limit)
	require.NoError(t, err)
	var total int64
	for _, f := range Formats() {
		st, err := os.Stat(filepath.Join(dir, f.File))
		require.NoError(t, err)
		total += st.Size()
	}
	assert.LessOrEqual(t, total, int64(limit))
	assert.NoError(t, VerifyBundle(dir), "a trimmed bundle verifies: the renderings come from the trimmed report.json")
	raw, err := os.ReadFile(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	back, err := ReadJSON(bytes.NewReader(raw))
	require.NoError(t, err)
	assert.Len(t, back.Cases, len(r.Cases))
	assert.NotEmpty(t, back.Trimmed)
}
