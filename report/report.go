// Package report renders a runner.Report for people and machines: report.json,
// junit.xml, report.md, report.html, and the terminal summary. One file per
// format.
package report

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/drsconform/drsconform/runner"
)

// Format writes a report in one format.
type Format struct {
	Name  string // json, junit, md, html
	File  string // its file name in a report directory
	Write func(w writer, r *runner.Report) error
}

// Formats lists every format --report-dir writes, in the order written.
func Formats() []Format {
	return []Format{
		{Name: "json", File: "report.json", Write: JSON},
	}
}

// WriteDir writes every format into dir (created if missing) and returns the
// paths written. Files are written whole or not at all (temp file + rename).
func WriteDir(dir string, r *runner.Report) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report dir: %w", err)
	}
	var paths []string
	for _, f := range Formats() {
		p := filepath.Join(dir, f.File)
		if err := writeFile(p, func(w writer) error { return f.Write(w, r) }); err != nil {
			return paths, fmt.Errorf("%s: %w", p, err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

func writeFile(path string, write func(w writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
