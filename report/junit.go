package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/drsconform/drsconform/internal/untrusted"
	"github.com/drsconform/drsconform/result"
)

// JUnit writes junit.xml: one <testsuite> per theme, one <testcase> per case
// (classname the theme, name the case ID) with the requirement IDs it tests
// as <properties>; the cases a filter left out (FilteredOut) are not listed. fail is a <failure> whose message names the requirement;
// error is an <error>; skip is <skipped>; warn passes with the broken SHOULD
// in <system-out>, unless the run is strict, where it is a <failure>.
//
// The shape is that of the Ant/Jenkins JUnit XML format that CI tools read
// (report/testdata/junit.xsd states it); <properties> inside a <testcase> is
// the one extension, the same that gotestsum and pytest write.
func JUnit(w io.Writer, r *result.Report) error {
	r = sanitize(r)
	doc := junitSuites{Name: "drsconform " + r.SuiteVersion, Time: seconds(r.FinishedAt.Sub(r.StartedAt).Milliseconds())}
	index := map[string]int{}
	for _, c := range r.Cases {
		if c.FilteredOut {
			continue // not selected, so not run: no test at all, not a skipped one
		}
		theme := c.Theme
		if theme == "" {
			theme = "cases"
		}
		i, ok := index[theme]
		if !ok {
			i = len(doc.Suites)
			index[theme] = i
			doc.Suites = append(doc.Suites, junitSuite{Name: theme, Timestamp: r.StartedAt.UTC().Format("2006-01-02T15:04:05"),
				Properties: &junitProperties{Properties: []junitProperty{
					{Name: "suite_version", Value: r.SuiteVersion},
					{Name: "spec_sha256", Value: r.SpecSHA256},
					{Name: "target", Value: r.Target},
					{Name: "strict", Value: fmt.Sprint(r.Strict)},
				}}})
		}
		s := &doc.Suites[i]
		tc := junitCase(c, r.Strict)
		s.Tests++
		s.ms += c.DurationMS
		switch {
		case tc.Failure != nil:
			s.Failures++
		case tc.Error != nil:
			s.Errors++
		case tc.Skipped != nil:
			s.Skipped++
		}
		s.Cases = append(s.Cases, tc)
	}
	for i := range doc.Suites {
		s := &doc.Suites[i]
		s.Time = seconds(s.ms)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func junitCase(c result.CaseResult, strict bool) junitTestCase {
	tc := junitTestCase{Name: c.ID, Classname: c.Theme, Time: seconds(c.DurationMS)}
	if tc.Classname == "" {
		tc.Classname = "cases"
	}
	props := []junitProperty{{Name: "title", Value: c.Title}}
	for _, id := range c.Requirements {
		props = append(props, junitProperty{Name: "requirement", Value: id})
	}
	for _, ch := range c.Choices {
		props = append(props, junitProperty{Name: "choice", Value: ch.String()})
	}
	props = append(props, junitProperty{Name: "verdict", Value: string(c.Verdict)}, junitProperty{Name: "file", Value: c.File})
	tc.Properties = &junitProperties{Properties: props}

	details := caseDetails(c)
	switch c.Verdict {
	case result.Fail:
		tc.Failure = &junitResult{Type: firstRequirement(c, result.Fail), Message: findingMessage(c, result.Fail), Text: details}
	case result.Warn:
		if strict {
			tc.Failure = &junitResult{Type: firstRequirement(c, result.Warn), Message: "strict: " + findingMessage(c, result.Warn), Text: details}
		} else {
			tc.SystemOut = "warning (a SHOULD is broken; the run is not strict, so the case passes)\n" + details
		}
	case result.Error:
		tc.Error = &junitResult{Type: "error", Message: firstMessage(c, "the suite could not judge this case"), Text: details}
	case result.Skip:
		tc.Skipped = &junitResult{Message: firstMessage(c, "skipped")}
	}
	return tc
}

// findingMessage names the first finding of the verdict: "REQ-X (MUST):
// expected …; got …".
func findingMessage(c result.CaseResult, v result.Verdict) string {
	for _, f := range c.Findings {
		if f.Verdict == v {
			msg := fmt.Sprintf("%s (%s): expected %s; got %s", f.Requirement, f.Level, f.Expected, f.Got)
			if n := countVerdict(c.Findings, v); n > 1 {
				msg += fmt.Sprintf(" (and %d more)", n-1)
			}
			return oneLine(msg, 500)
		}
	}
	return firstMessage(c, string(v))
}

func firstRequirement(c result.CaseResult, v result.Verdict) string {
	for _, f := range c.Findings {
		if f.Verdict == v {
			return f.Requirement
		}
	}
	if len(c.Requirements) > 0 {
		return c.Requirements[0]
	}
	return string(v)
}

func countVerdict(fs []result.Finding, v result.Verdict) int {
	n := 0
	for _, f := range fs {
		if f.Verdict == v {
			n++
		}
	}
	return n
}

func firstMessage(c result.CaseResult, fallback string) string {
	if len(c.Messages) > 0 {
		return oneLine(c.Messages[0], 500)
	}
	return fallback
}

// caseDetails is the text body of a failure: every finding, every message
// and the curl command that reproduces the request.
func caseDetails(c result.CaseResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s [%s]\n", c.ID, c.Title, c.File)
	for _, f := range c.Findings {
		fmt.Fprintf(&b, "- %s %s (%s), step %d, %s check: expected %s; got %s", strings.ToUpper(string(f.Verdict)), f.Requirement, f.Level, f.Step, f.Layer, f.Expected, f.Got)
		if f.Pointer != "" {
			fmt.Fprintf(&b, " (at %s)", f.Pointer)
		}
		b.WriteString("\n")
	}
	if len(c.Findings) == 0 {
		for _, m := range c.Messages {
			fmt.Fprintf(&b, "- %s\n", m)
		}
	}
	if curl := reproduce(c); curl != "" {
		fmt.Fprintf(&b, "reproduce: %s\n", curl)
	}
	return b.String()
}

func oneLine(s string, max int) string {
	s = untrusted.Line(strings.Join(strings.Fields(s), " "))
	if r := []rune(s); len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	return s
}

func seconds(ms int64) string { return fmt.Sprintf("%.3f", float64(ms)/1000) }

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string           `xml:"name,attr"`
	Tests      int              `xml:"tests,attr"`
	Failures   int              `xml:"failures,attr"`
	Errors     int              `xml:"errors,attr"`
	Skipped    int              `xml:"skipped,attr"`
	Time       string           `xml:"time,attr"`
	Timestamp  string           `xml:"timestamp,attr"`
	Properties *junitProperties `xml:"properties"`
	Cases      []junitTestCase  `xml:"testcase"`
	ms         int64
}

type junitProperties struct {
	Properties []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitTestCase struct {
	Name       string           `xml:"name,attr"`
	Classname  string           `xml:"classname,attr"`
	Time       string           `xml:"time,attr"`
	Properties *junitProperties `xml:"properties"`
	Skipped    *junitResult     `xml:"skipped"`
	Error      *junitResult     `xml:"error"`
	Failure    *junitResult     `xml:"failure"`
	SystemOut  string           `xml:"system-out,omitempty"`
}

type junitResult struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}
