package report

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// The comparison page: one self-contained file like report.html, with the
// report's style and a few rules of its own, and no script at all. Its
// Content-Security-Policy allows the inlined style by its hash and nothing
// else: no network, no script.
//
//go:embed templates/compare.html.tmpl templates/compare.css
var compareFS embed.FS

var (
	compareCSS      = pageCSS + mustReadFS(compareFS, "templates/compare.css")
	compareTemplate = template.Must(template.New("compare.html.tmpl").Funcs(template.FuncMap{
		"join":      strings.Join,
		"spans":     codeSpans,
		"hasPrefix": strings.HasPrefix,
		"short":     short,
	}).ParseFS(compareFS, "templates/compare.html.tmpl"))
)

func mustReadFS(fsys embed.FS, name string) string {
	b, err := fsys.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

type comparePage struct {
	C   *Comparison
	CSP string
	CSS template.CSS
}

// CompareHTML writes compare.html. Every value of the comparison is escaped
// by html/template; the links to evidence are relative and cannot leave
// the reviewer's disk (the policy forbids every network source, and a link
// is only followed on a click).
func CompareHTML(w io.Writer, c *Comparison) error {
	return compareTemplate.Execute(w, comparePage{C: c,
		CSP: "default-src 'none'; style-src " + cspHash(compareCSS) + "; script-src 'none'; img-src data:; base-uri 'none'; form-action 'none'",
		CSS: template.CSS(compareCSS)})
}

// WriteComparison writes compare.html, compare.md and compare.json into dir
// (created if missing), each whole or not at all, and returns their paths.
func WriteComparison(dir string, c *Comparison) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	for _, f := range []struct {
		name  string
		write func(io.Writer, *Comparison) error
	}{{CompareHTMLFile, CompareHTML}, {CompareMDFile, CompareMarkdown}, {CompareJSONFile, CompareJSON}} {
		p := filepath.Join(dir, f.name)
		if err := WriteFile(p, func(w io.Writer) error { return f.write(w, c) }); err != nil {
			return paths, fmt.Errorf("%s: %w", p, err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}
