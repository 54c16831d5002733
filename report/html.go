package report

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/drsconform/drsconform/result"
)

// The page's template, style and script: one self-contained file once
// rendered. The style and the script are inlined and allowed by their hashes
// in the page's Content-Security-Policy, which allows nothing else: no
// network, and no script that hostile content might smuggle in.
//
//go:embed templates/report.html.tmpl templates/report.css templates/report.js
var templateFS embed.FS

var (
	pageCSS, pageJS = mustRead("templates/report.css"), mustRead("templates/report.js")
	pageTemplate    = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
		"upper": func(v result.Verdict) string { return strings.ToUpper(string(v)) },
		"lines": func(h map[string][]string) string { return strings.Join(headerLines(h), "\n") },
		"join":  strings.Join,
		"spans": codeSpans,
		"choices": func(list []result.Choice) string {
			s := make([]string, len(list))
			for i, ch := range list {
				s[i] = ch.String()
			}
			return strings.Join(s, ", ")
		},
	}).ParseFS(templateFS, "templates/report.html.tmpl"))
)

func mustRead(name string) string {
	b, err := templateFS.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// htmlPage is what the template renders.
type htmlPage struct {
	R         *result.Report
	Overall   string
	Scope     string // "partial run: …", or "" for a full run
	Date      string
	Duration  string
	CSP       string
	CSS       template.CSS
	JS        template.JS
	CaseCount []verdictCount
	ReqCount  []verdictCount
	Levels    []string
	Verdicts  []string
	Attention []htmlCase
	Cases     []result.CaseResult
	Detailed  map[string]bool // case IDs with a section of their own
	Coverage  *Coverage
	// FieldChanged counts the tasks of the fixtures file the run changed.
	FieldChanged int
}

type verdictCount struct {
	Verdict result.Verdict
	N       int
}

type htmlCase struct {
	result.CaseResult
	Exchanges []result.Exchange // in the order they happened: set-up, then each step's requests and read-backs
	Reproduce string
}

// HTML writes report.html: one self-contained page for a reviewer, from disk,
// with the requirement table (filterable by verdict and level, also through
// the URL fragment, e.g. report.html#verdict=fail&level=MUST), the evidence
// of every failed, warned and errored case, and the spec coverage. Every
// value from the report is escaped by html/template.
func HTML(w io.Writer, r *result.Report) error {
	r = inert(sanitize(r))
	cov, err := ComputeCoverage(r)
	if err != nil {
		return err
	}
	p := htmlPage{R: r, Overall: overall(r), Scope: scope(r), Date: r.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC"),
		Duration: r.FinishedAt.Sub(r.StartedAt).Round(1e6).String(),
		CSP: fmt.Sprintf("default-src 'none'; style-src %s; script-src %s; img-src data:; base-uri 'none'; form-action 'none'",
			cspHash(pageCSS), cspHash(pageJS)),
		CSS: template.CSS(pageCSS), JS: template.JS(pageJS),
		Levels: []string{"MUST", "SHOULD", "MAY"}, Cases: r.Cases, Detailed: map[string]bool{}, Coverage: cov,
		FieldChanged: len(changedTasks(r))}
	cc, rc := caseCounts(r), requirementCounts(r)
	for _, v := range verdictOrder {
		if v != result.Untested {
			p.CaseCount = append(p.CaseCount, verdictCount{v, cc[v]})
		}
		p.ReqCount = append(p.ReqCount, verdictCount{v, rc[v]})
		if v != result.Skip {
			p.Verdicts = append(p.Verdicts, string(v))
		}
	}
	for _, c := range attention(r) {
		hc := htmlCase{CaseResult: c, Exchanges: c.Evidence, Reproduce: reproduce(c)}
		p.Attention = append(p.Attention, hc)
		p.Detailed[c.ID] = true
	}
	return pageTemplate.Execute(w, p)
}

// span is a piece of text that the page shows as code or as prose.
type span struct {
	Text string
	Code bool
}

// codeSpans splits text written with Markdown's inline code (a requirement's
// sentence or source, e.g. "`job_id` is a UUID") into prose and code, for
// the template to render as text and <code> elements: html/template escapes
// every piece, so no HTML from the text is ever markup. A backtick without
// its closing one stays a backtick; so does an empty pair.
func codeSpans(s string) []span {
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 { // an odd number of backticks: the last opens nothing
		n := len(parts)
		parts = append(parts[:n-2], parts[n-2]+"`"+parts[n-1])
	}
	var out []span
	add := func(text string, code bool) {
		if text == "" {
			return
		}
		if k := len(out) - 1; k >= 0 && !out[k].Code && !code {
			out[k].Text += text
			return
		}
		out = append(out, span{Text: text, Code: code})
	}
	for i, p := range parts {
		switch {
		case i%2 == 0:
			add(p, false)
		case p == "":
			add("``", false)
		default:
			add(p, true)
		}
	}
	return out
}
