package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/drsconform/drsconform/runner"
)

// Markdown writes report.md, sized for a pull request comment or a CI step
// summary: the overall verdict, the counts, the failures first (requirement,
// expected, got, curl), then the traceability table. Text from the target
// (bodies, messages) is escaped so that it renders as text, never as HTML or
// table structure.
func Markdown(w io.Writer, r *runner.Report) error {
	r = inert(sanitize(r))
	var b strings.Builder
	fmt.Fprintf(&b, "## drsconform: %s, %s\n\n", strings.ToUpper(string(r.Verdict)), overall(r))
	fmt.Fprintf(&b, "Suite %s against %s; spec SHA-256 %s; run %s (exit %d).\n\n",
		code(r.SuiteVersion), code(r.Target), code(r.SpecSHA256), r.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC"), r.ExitCode)
	for _, t := range r.Trimmed {
		fmt.Fprintf(&b, "> Trimmed: %s\n\n", mdText(t))
	}

	if sc := scope(r); sc != "" {
		fmt.Fprintf(&b, "**%s.**\n\n", mdText(sc))
	}
	if len(r.Unjudged) > 0 {
		b.WriteString("### Not judged\n\nNo case passed or failed these selected requirements:\n\n")
		for _, u := range r.Unjudged {
			note := ""
			if !u.Fatal {
				note = ", reported only (fatal with --strict)"
			}
			fmt.Fprintf(&b, "- %s (%s%s): %s\n", u.ID, u.Level, note, mdText(strings.Join(u.Reasons, "; ")))
		}
		b.WriteString("\n")
	}
	cc, rc := caseCounts(r), requirementCounts(r)
	b.WriteString("| verdict | cases | requirements |\n|---|---:|---:|\n")
	for _, v := range verdictOrder {
		cases := fmt.Sprint(cc[v])
		if v == runner.Untested {
			cases = "–"
		}
		fmt.Fprintf(&b, "| %s | %s | %d |\n", v, cases, rc[v])
	}
	fmt.Fprintf(&b, "| **total** | **%d** | **%d** |\n\n", len(r.Cases), len(r.Requirements))

	if list := attention(r); len(list) > 0 {
		b.WriteString("### Failures, warnings and errors\n\n")
		for _, c := range list {
			fmt.Fprintf(&b, "#### %s %s: %s\n\n", strings.ToUpper(string(c.Verdict)), code(c.ID), mdText(c.Title))
			if len(c.Findings) > 0 {
				b.WriteString("| requirement | step | expected | got |\n|---|---:|---|---|\n")
				for _, f := range c.Findings {
					fmt.Fprintf(&b, "| %s %s (%s) | %d | %s | %s |\n", strings.ToUpper(string(f.Verdict)), f.Requirement, f.Level, f.Step, cell(f.Expected), cell(f.Got))
				}
				b.WriteString("\n")
			} else {
				for _, m := range c.Messages {
					fmt.Fprintf(&b, "- %s\n", mdText(m))
				}
				b.WriteString("\n")
			}
			if curl := reproduce(c); curl != "" {
				b.WriteString("Reproduce:\n\n" + fenced("sh", curl) + "\n")
			}
		}
	}

	if choices := choiceLines(r); len(choices) > 0 {
		b.WriteString("### Choices the target made\n\nThe spec allows each of these; none is a failure.\n\n")
		for _, l := range choices {
			b.WriteString("- " + l + "\n")
		}
		b.WriteString("\n")
	}

	b.WriteString("### Traceability\n\n| requirement | level | verdict | cases | choices seen |\n|---|---|---|---|---|\n")
	for _, req := range r.Requirements {
		var cases []string
		for _, id := range req.Cases {
			cases = append(cases, code(id))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", req.ID, req.Level, verdictCell(req.Verdict), strings.Join(cases, " "), cell(strings.Join(req.Choices, ", ")))
	}
	if skipped := casesWith(r, runner.Skip); len(skipped) > 0 {
		b.WriteString("\n<details><summary>Skipped cases</summary>\n\n")
		for _, c := range skipped {
			fmt.Fprintf(&b, "- %s: %s\n", code(c.ID), mdText(firstMessage(c, "skipped")))
		}
		b.WriteString("\n</details>\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func choiceLines(r *runner.Report) []string {
	var out []string
	for _, req := range r.Requirements {
		if len(req.Choices) > 0 {
			out = append(out, fmt.Sprintf("%s (%s): %s", req.ID, req.Level, mdText(strings.Join(req.Choices, ", "))))
		}
	}
	return out
}

func casesWith(r *runner.Report, v runner.Verdict) []runner.CaseResult {
	var out []runner.CaseResult
	for _, c := range r.Cases {
		if c.Verdict == v {
			out = append(out, c)
		}
	}
	return out
}

func verdictCell(v runner.Verdict) string {
	switch v {
	case runner.Fail, runner.Warn, runner.Error:
		return "**" + string(v) + "**"
	}
	return string(v)
}

// mdEscaper makes text from a report inert in Markdown: no HTML, no
// emphasis, no links, no table cells.
var mdEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	"\\", "\\\\", "`", "\\`", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]", "|", "\\|",
	"#", "\\#", "!", "\\!",
)

func mdText(s string) string { return mdEscaper.Replace(oneLine(s, 2000)) }

// cell is text for a table cell: one line, escaped, capped.
func cell(s string) string { return mdEscaper.Replace(oneLine(s, 300)) }

// code is an inline code span that no backtick in s can close.
func code(s string) string {
	s = oneLine(s, 300)
	if s == "" {
		return ""
	}
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	// A pipe would still split a table cell inside a code span.
	return fence + pad + strings.ReplaceAll(s, "|", "\\|") + pad + fence
}

// fenced is a code block that no run of backticks in s can close.
func fenced(lang, s string) string {
	fence := "```"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	return fence + lang + "\n" + strings.TrimRight(s, "\n") + "\n" + fence + "\n"
}
