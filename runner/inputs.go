package runner

import (
	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/result"
)

// noteInputs records what the run was made of: the case files with their
// digests, and the fixture states of every case whose fixtures were all made.
func noteInputs(r *result.Report, files []*cases.File, all []*cases.Case) {
	for _, f := range files {
		r.CaseFiles = append(r.CaseFiles, result.CaseFile{Path: f.Path, SHA256: f.SHA256})
	}
	for i, c := range all {
		if i >= len(r.Cases) || r.Cases[i].ID != c.ID {
			continue
		}
		switch r.Cases[i].Verdict {
		case result.Pass, result.Fail, result.Warn:
		default:
			continue // skipped or errored: its fixtures may not exist
		}
		for _, name := range c.FixtureOrder {
			if fx := c.Fixtures[name]; !fx.Absent && fx.Status != "" {
				r.Cases[i].FixtureStatuses = append(r.Cases[i].FixtureStatuses, fx.Status)
			}
		}
	}
}
