// Package report renders a result.Report for people and machines: report.json,
// junit.xml, report.md, report.html, and the terminal summary; measures the
// spec coverage of a run; and writes and verifies results bundles (the report
// files with a manifest of digests). One file per format.
package report

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/drsconform/drsconform/internal/untrusted"
	"github.com/drsconform/drsconform/result"
)

// Format writes a report in one format.
type Format struct {
	Name  string // json, junit, md, html
	File  string // its file name in a report directory
	Write func(w io.Writer, r *result.Report) error
}

// Formats lists every format --report-dir writes, in the order written.
func Formats() []Format {
	return []Format{
		{Name: "json", File: "report.json", Write: JSON},
		{Name: "junit", File: "junit.xml", Write: JUnit},
		{Name: "md", File: "report.md", Write: Markdown},
		{Name: "html", File: "report.html", Write: HTML},
	}
}

// FormatNamed returns the format of that name (json, junit, md, html).
func FormatNamed(name string) (Format, bool) {
	for _, f := range Formats() {
		if f.Name == name {
			return f, true
		}
	}
	return Format{}, false
}

// WriteDir writes every format into dir (created if missing), then the
// manifest that makes dir a results bundle (VerifyBundle checks it), and
// returns the paths written, the manifest last. Files are written whole or
// not at all (temp file + rename).
func WriteDir(dir string, r *result.Report) ([]string, error) {
	return writeDir(dir, r, untrusted.ReportDirBytes)
}

// writeDir is WriteDir with the size limit of the report files (Fit).
func writeDir(dir string, r *result.Report, limit int64) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report dir: %w", err)
	}
	r, err := Fit(r, limit)
	if err != nil {
		return nil, fmt.Errorf("report dir: %w", err)
	}
	var paths, names []string
	for _, f := range Formats() {
		p := filepath.Join(dir, f.File)
		if err := WriteFile(p, func(w io.Writer) error { return f.Write(w, r) }); err != nil {
			return paths, fmt.Errorf("%s: %w", p, err)
		}
		paths, names = append(paths, p), append(names, f.File)
	}
	p, err := writeManifest(dir, r, names)
	if err != nil {
		return paths, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestFile), err)
	}
	return append(paths, p), nil
}

// WriteFile writes path whole or not at all: write fills a temporary file
// beside it, which is then renamed into place (mode 0644: reports are for sharing).
func WriteFile(path string, write func(w io.Writer) error) error {
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
	if err := os.Chmod(tmp.Name(), 0o644); err != nil { // reports are for sharing; CreateTemp makes 0600
		return err
	}
	return os.Rename(tmp.Name(), path)
}
