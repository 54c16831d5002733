package report

import (
	"encoding/json"
	"io"

	"github.com/drsconform/drsconform/result"
)

// JSON writes report.json: the fields README.md, "Reports", lists, and per case its
// findings and evidence (already redacted by the runner).
func JSON(w io.Writer, r *result.Report) error {
	r = sanitize(r)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// ReadJSON reads a report written by JSON.
func ReadJSON(rd io.Reader) (*result.Report, error) {
	var r result.Report
	dec := json.NewDecoder(rd)
	if err := dec.Decode(&r); err != nil {
		return nil, err
	}
	return &r, nil
}
