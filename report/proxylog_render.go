package report

import (
	"encoding/xml"
	"fmt"
	"html/template"
	"io"
	"strings"
)

// ProxyLogFormat is one rendering of a ProxyLog.
type ProxyLogFormat struct {
	Name  string // as --format takes it
	File  string // as --out DIR writes it
	Write func(io.Writer, *ProxyLog) error
}

// ProxyLogFormats are the renderings of `report --from-proxy-log`.
func ProxyLogFormats() []ProxyLogFormat {
	return []ProxyLogFormat{
		{Name: "md", File: "report.md", Write: ProxyLogMarkdown},
		{Name: "html", File: "report.html", Write: ProxyLogHTML},
		{Name: "junit", File: "junit.xml", Write: ProxyLogJUnit},
	}
}

// ProxyLogFormatNamed finds a format by its --format name.
func ProxyLogFormatNamed(name string) (ProxyLogFormat, bool) {
	for _, f := range ProxyLogFormats() {
		if f.Name == name {
			return f, true
		}
	}
	return ProxyLogFormat{}, false
}

func (pl *ProxyLog) verdict() string {
	if pl.Failed() {
		return "FAIL"
	}
	return "PASS"
}

func sumCounts(cs []ProxyLogCount) int {
	n := 0
	for _, c := range cs {
		n += c.Count
	}
	return n
}

// ProxyLogMarkdown renders report.md of a proxy log. Every string of the
// log passes through mdText or cell (escaped, one line, capped).
func ProxyLogMarkdown(w io.Writer, pl *ProxyLog) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## drsconform proxy log: %s\n\n", pl.verdict())
	fmt.Fprintf(&b, "%s: %d record(s) of %d line(s); %d checked against the contract.\n\n", cell(pl.File), pl.Records, pl.Lines, pl.Checked)
	fmt.Fprintf(&b, "Unexpected violations: **%d**; expected violations: %d; expected but not seen: **%d**; faulty declarations: **%d**.\n\n",
		sumCounts(pl.Unexpected), sumCounts(pl.Expected), sumCounts(pl.Missing), pl.ExpectProblemCount)
	if !pl.Verbose {
		b.WriteString("> Only exchanges with violations are in this log: coverage below counts those alone. Run the proxy with `--verbose` to log every exchange.\n\n")
	}
	if pl.Skipped > 0 {
		fmt.Fprintf(&b, "> %d line(s) skipped, not exchange records:\n", pl.Skipped)
		for _, s := range pl.SkippedList {
			fmt.Fprintf(&b, "> - %s\n", mdText(s))
		}
		if pl.Skipped > len(pl.SkippedList) {
			fmt.Fprintf(&b, "> - … and %d more\n", pl.Skipped-len(pl.SkippedList))
		}
		b.WriteString("\n")
	}
	table := func(title string, cs []ProxyLogCount) {
		fmt.Fprintf(&b, "### %s\n\n", title)
		if len(cs) == 0 {
			b.WriteString("None.\n\n")
			return
		}
		b.WriteString("| requirement | count | examples |\n|---|---:|---|\n")
		for _, c := range cs {
			ex := make([]string, len(c.Examples))
			for i, e := range c.Examples {
				ex[i] = cell(e)
			}
			fmt.Fprintf(&b, "| %s | %d | %s |\n", cell(c.Requirement), c.Count, strings.Join(ex, "<br>"))
		}
		b.WriteString("\n")
	}
	table("Unexpected violations", pl.Unexpected)
	table("Expected but not seen", pl.Missing)
	table("Expected violations (declared by X-Drsconform-Expect-Violation or --allow)", pl.Expected)
	if pl.ExpectProblemCount > 0 {
		b.WriteString("### Faulty declarations\n\n")
		for _, p := range pl.ExpectProblems {
			fmt.Fprintf(&b, "- %s\n", mdText(p))
		}
		if pl.ExpectProblemCount > len(pl.ExpectProblems) {
			fmt.Fprintf(&b, "- … and %d more\n", pl.ExpectProblemCount-len(pl.ExpectProblems))
		}
		b.WriteString("\n")
	}
	b.WriteString("### Spec coverage\n\n")
	for _, s := range pl.Coverage.Sections {
		covered, total := s.Counts()
		fmt.Fprintf(&b, "#### %s: %d of %d\n\n%s.\n\n", cell(s.Name), covered, total, mdText(s.About))
		b.WriteString("| item | exercised | exchanges |\n|---|---|---|\n")
		for _, it := range s.Items {
			mark := "never"
			switch {
			case it.Extra:
				mark = "seen, outside the set"
			case it.Covered:
				mark = "yes"
			}
			note := strings.Join(it.Cases, ", ")
			if it.Note != "" {
				note = strings.TrimPrefix(note+"; "+it.Note, "; ")
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", cell(it.Name), mark, cell(note))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

var proxyLogTemplate = template.Must(template.New("proxylog").Funcs(template.FuncMap{
	"line": func(s string) string { return oneLine(s, 2000) },
	"sum":  sumCounts,
	"counts": func(s CoverageSection) string {
		c, t := s.Counts()
		return fmt.Sprintf("%d of %d", c, t)
	},
	"join": strings.Join,
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>drsconform proxy log: {{.V}}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin-bottom:1.5em}td,th{border:1px solid #ccc;padding:.3em .6em;vertical-align:top;text-align:left}.never{color:#a00}.FAIL{color:#a00}.PASS{color:#070}</style>
</head><body>
<h1>drsconform proxy log: <span class="{{.V}}">{{.V}}</span></h1>
<p>{{line .L.File}}: {{.L.Records}} record(s) of {{.L.Lines}} line(s); {{.L.Checked}} checked against the contract.</p>
<p>Unexpected violations: <b>{{sum .L.Unexpected}}</b>; expected violations: {{sum .L.Expected}}; expected but not seen: <b>{{sum .L.Missing}}</b>; faulty declarations: <b>{{.L.ExpectProblemCount}}</b>.</p>
{{if not .L.Verbose}}<p><i>Only exchanges with violations are in this log: coverage below counts those alone. Run the proxy with --verbose to log every exchange.</i></p>{{end}}
{{if .L.Skipped}}<p>{{.L.Skipped}} line(s) skipped, not exchange records:</p><ul>{{range .L.SkippedList}}<li>{{line .}}</li>{{end}}</ul>{{end}}
{{range .Tables}}<h2>{{.Title}}</h2>{{if .Counts}}<table><tr><th>requirement</th><th>count</th><th>examples</th></tr>
{{range .Counts}}<tr><td>{{line .Requirement}}</td><td>{{.Count}}</td><td>{{range .Examples}}{{line .}}<br>{{end}}</td></tr>
{{end}}</table>{{else}}<p>None.</p>{{end}}
{{end}}
{{if .L.ExpectProblems}}<h2>Faulty declarations</h2><ul>{{range .L.ExpectProblems}}<li>{{line .}}</li>{{end}}</ul>{{end}}
<h2>Spec coverage</h2>
{{range .L.Coverage.Sections}}<h3>{{.Name}}: {{counts .}}</h3><p>{{.About}}.</p>
<table><tr><th>item</th><th>exercised</th><th>exchanges</th></tr>
{{range .Items}}<tr><td>{{line .Name}}</td><td{{if not .Covered}} class="never"{{end}}>{{if .Extra}}seen, outside the set{{else if .Covered}}yes{{else}}never{{end}}</td><td>{{line (join .Cases ", ")}}{{if .Note}} {{line .Note}}{{end}}</td></tr>
{{end}}</table>
{{end}}</body></html>
`))

type proxyLogTable struct {
	Title  string
	Counts []ProxyLogCount
}

// ProxyLogHTML renders report.html of a proxy log: one page, no script,
// every string escaped by html/template after untrusted.Line.
func ProxyLogHTML(w io.Writer, pl *ProxyLog) error {
	return proxyLogTemplate.Execute(w, struct {
		V      string
		L      *ProxyLog
		Tables []proxyLogTable
	}{pl.verdict(), pl, []proxyLogTable{
		{"Unexpected violations", pl.Unexpected},
		{"Expected but not seen", pl.Missing},
		{"Expected violations (declared by X-Drsconform-Expect-Violation or --allow)", pl.Expected},
	}})
}

// ProxyLogJUnit renders junit.xml of a proxy log: one test case per
// requirement with unexpected violations (failed), per requirement expected
// but not seen (failed), per requirement with expected violations
// (passed), one for faulty declarations (failed) and one for the log
// itself (its skipped lines in system-err).
func ProxyLogJUnit(w io.Writer, pl *ProxyLog) error {
	type failure struct {
		Message string `xml:"message,attr"`
		Text    string `xml:",chardata"`
	}
	type testCase struct {
		Name      string   `xml:"name,attr"`
		ClassName string   `xml:"classname,attr"`
		Failure   *failure `xml:"failure,omitempty"`
		SystemOut string   `xml:"system-out,omitempty"`
		SystemErr string   `xml:"system-err,omitempty"`
	}
	type suite struct {
		XMLName  xml.Name   `xml:"testsuite"`
		Name     string     `xml:"name,attr"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Cases    []testCase `xml:"testcase"`
	}
	s := suite{Name: "drsconform proxy log"}
	lines := func(ss []string) string {
		out := make([]string, len(ss))
		for i, x := range ss {
			out[i] = oneLine(x, 2000)
		}
		return strings.Join(out, "\n")
	}
	log := testCase{Name: "exchange log " + oneLine(pl.File, 300), ClassName: "proxy.log",
		SystemOut: fmt.Sprintf("%d record(s) of %d line(s); %d checked against the contract", pl.Records, pl.Lines, pl.Checked)}
	if pl.Skipped > 0 {
		log.SystemErr = fmt.Sprintf("%d line(s) skipped, not exchange records:\n%s", pl.Skipped, lines(pl.SkippedList))
	}
	s.Cases = append(s.Cases, log)
	for _, c := range pl.Unexpected {
		s.Cases = append(s.Cases, testCase{Name: oneLine(c.Requirement, 300), ClassName: "proxy.unexpected",
			Failure: &failure{Message: fmt.Sprintf("%d unexpected violation(s)", c.Count), Text: lines(c.Examples)}})
	}
	for _, c := range pl.Missing {
		s.Cases = append(s.Cases, testCase{Name: oneLine(c.Requirement, 300), ClassName: "proxy.expected-not-seen",
			Failure: &failure{Message: fmt.Sprintf("expected %s, none seen (%d exchange(s))", oneLine(c.Requirement, 300), c.Count), Text: lines(c.Examples)}})
	}
	for _, c := range pl.Expected {
		s.Cases = append(s.Cases, testCase{Name: oneLine(c.Requirement, 300), ClassName: "proxy.expected",
			SystemOut: fmt.Sprintf("%d expected violation(s)\n%s", c.Count, lines(c.Examples))})
	}
	if pl.ExpectProblemCount > 0 {
		s.Cases = append(s.Cases, testCase{Name: "declarations", ClassName: "proxy.expect-problems",
			Failure: &failure{Message: fmt.Sprintf("%d faulty declaration(s)", pl.ExpectProblemCount), Text: lines(pl.ExpectProblems)}})
	}
	for _, c := range s.Cases {
		s.Tests++
		if c.Failure != nil {
			s.Failures++
		}
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(s); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
