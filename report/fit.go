package report

import (
	"fmt"
	"io"
	"slices"

	"github.com/drsconform/drsconform/internal/untrusted"
	"github.com/drsconform/drsconform/result"
)

// trimmedBodyBytes is what each evidence body and curl command keeps when a
// report must shrink.
const trimmedBodyBytes = 1 << 10

// Fit returns r, or a copy that leaves out evidence so that every format
// together (report.json, junit.xml, report.md, report.html) takes at most
// limit bytes. It drops, in this order and only as far as needed: the
// evidence of cases that passed or were skipped, then cuts evidence bodies,
// then drops all evidence, then keeps the first finding of each requirement
// and verdict and the first messages of each case. Every case, its verdict
// and the requirement verdicts stay; Report.Trimmed says what went.
func Fit(r *result.Report, limit int64) (*result.Report, error) {
	steps := []struct {
		note  string
		apply func(c *result.CaseResult)
	}{
		{"the evidence of cases that passed or were skipped", func(c *result.CaseResult) {
			if c.Verdict == result.Pass || c.Verdict == result.Skip {
				c.Evidence = nil
			}
		}},
		{fmt.Sprintf("evidence bodies and curl commands beyond %d bytes", trimmedBodyBytes), func(c *result.CaseResult) {
			c.Evidence = slices.Clone(c.Evidence)
			for i := range c.Evidence {
				e := &c.Evidence[i]
				e.RequestBody = untrusted.Cut(e.RequestBody, trimmedBodyBytes, 0)
				e.ResponseBody = untrusted.Cut(e.ResponseBody, trimmedBodyBytes, 0)
				e.Curl = untrusted.Cut(e.Curl, trimmedBodyBytes, 0)
			}
		}},
		{"all evidence", func(c *result.CaseResult) { c.Evidence = nil }},
		{"findings beyond the first of each requirement and verdict, and messages beyond the first 3 of each case", func(c *result.CaseResult) {
			var kept []result.Finding
			for _, f := range c.Findings {
				if !slices.ContainsFunc(kept, func(k result.Finding) bool { return k.Requirement == f.Requirement && k.Verdict == f.Verdict }) {
					kept = append(kept, f)
				}
			}
			c.Findings = kept
			if len(c.Messages) > 3 {
				c.Messages = append(slices.Clone(c.Messages[:3]), fmt.Sprintf("… %d more messages", len(c.Messages)-3))
			}
		}},
	}
	size, err := renderedSize(r)
	if err != nil || size <= limit {
		return r, err
	}
	out := *r
	out.Cases = slices.Clone(r.Cases)
	out.Trimmed = slices.Clone(r.Trimmed)
	for _, st := range steps {
		for i := range out.Cases {
			st.apply(&out.Cases[i])
		}
		out.Trimmed = append(out.Trimmed, fmt.Sprintf("%s (the report would exceed %s)", st.note, byteSize(limit)))
		if size, err = renderedSize(&out); err != nil || size <= limit {
			return &out, err
		}
	}
	return &out, nil // cases and verdicts alone; bounded by the number of cases
}

// renderedSize is the bytes every format takes for r.
func renderedSize(r *result.Report) (int64, error) {
	var total int64
	for _, f := range Formats() {
		var n countingWriter
		if err := f.Write(&n, r); err != nil {
			return 0, fmt.Errorf("%s: %w", f.File, err)
		}
		total += int64(n)
	}
	return total, nil
}

type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)

func byteSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
