package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/drsconform/drsconform/result"
)

// MarkdownMaxChars bounds report.md, in characters: GitHub refuses a
// comment above 65,536, and a CI step may add its own lines around it.
const MarkdownMaxChars = 60_000

// mdLimits are what report.md shows of long lists. The first set is the
// usual one; Markdown tightens them, one set after the other, until the
// report fits in MarkdownMaxChars. A negative number is no limit.
type mdLimits struct {
	inFull     int // cases shown in full (their findings and curl), the first of each group first
	caseIDs    int // case IDs named per group of findings
	groups     int // groups listed per verdict
	traceCases int // case IDs per requirement in the traceability table
	skipped    int // skipped cases listed
	reasons    int // characters of the reasons of each requirement not judged
}

var mdLevels = []mdLimits{
	{inFull: DefaultMaxFailures, caseIDs: 20, groups: -1, traceCases: -1, skipped: -1, reasons: 2000},
	{inFull: perGroupInFull, caseIDs: 20, groups: -1, traceCases: -1, skipped: -1, reasons: 2000},
	{inFull: 0, caseIDs: 20, groups: -1, traceCases: -1, skipped: -1, reasons: 2000},
	{inFull: 0, caseIDs: 10, groups: -1, traceCases: 10, skipped: 50, reasons: 300},
	{inFull: 0, caseIDs: 5, groups: 50, traceCases: 5, skipped: 0, reasons: 300},
	{inFull: 0, caseIDs: 3, groups: 10, traceCases: 0, skipped: 0, reasons: 100},
}

// Markdown writes report.md, sized for a pull request comment or a CI step
// summary: the overall verdict, the counts, the failures grouped by finding
// (each group once, with its cases), the first cases of each group in full
// (requirement, expected, got, curl), then the traceability table. It stays
// under MarkdownMaxChars characters: when the usual report is longer, it
// shows fewer cases in full, then shorter lists, and as a last resort cuts
// the end; it then says at the top what it left out and that report.html
// has everything. Text from the target (bodies, messages) is escaped so that
// it renders as text, never as HTML or table structure.
func Markdown(w io.Writer, r *result.Report) error {
	r = inert(sanitize(r))
	var out string
	for i, lim := range mdLevels {
		out = markdown(r, lim, i > 0)
		if utf8.RuneCountInString(out) <= MarkdownMaxChars {
			break
		}
	}
	if utf8.RuneCountInString(out) > MarkdownMaxChars {
		out = cutMarkdown(out)
	}
	_, err := io.WriteString(w, out)
	return err
}

// cutNote ends a report.md that had to be cut.
const cutNote = "\n\n> **Cut here** to stay under GitHub's 65,536-character comment limit: the rest is in report.html and report.json.\n"

// cutMarkdown cuts md at the last line that leaves room for cutNote within
// MarkdownMaxChars. It only runs on the tightest limits, which show no code
// block and no <details> that a cut could leave open.
func cutMarkdown(md string) string {
	budget := MarkdownMaxChars - utf8.RuneCountInString(cutNote)
	n := 0
	for i := range md {
		if n == budget {
			md = md[:i]
			break
		}
		n++
	}
	if i := strings.LastIndexByte(md, '\n'); i > 0 {
		md = md[:i]
	}
	return strings.TrimRight(md, "\n") + cutNote
}

// insecureNote is what report.md and the terminal summary say of a run
// with --insecure (result.SettingTLSInsecure).
const insecureNote = "> **Warning: TLS certificates were not verified (--insecure)**: the answers judged here may not have come from the target.\n\n"

// markdown renders report.md within the limits; shortened says that they
// are tighter than the usual ones, and the report says which.
func markdown(r *result.Report, lim mdLimits, shortened bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## drsconform: %s, %s\n\n", strings.ToUpper(string(r.Verdict)), overall(r))
	fmt.Fprintf(&b, "Suite %s against %s; spec SHA-256 %s; run %s (exit %d).\n\n",
		code(r.SuiteVersion), code(r.Target), code(r.SpecSHA256), r.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC"), r.ExitCode)
	for _, t := range r.Trimmed {
		fmt.Fprintf(&b, "> Trimmed: %s\n\n", mdText(t))
	}
	if r.Insecure() {
		b.WriteString(insecureNote)
	}
	if shortened {
		fmt.Fprintf(&b, "> **Shortened** to stay under GitHub's 65,536-character comment limit: %s. report.html has every case in full.\n\n", lim.leftOut())
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
			fmt.Fprintf(&b, "- %s (%s%s): %s\n", u.ID, u.Level, note, mdEscaper.Replace(oneLine(strings.Join(u.Reasons, "; "), lim.reasons)))
		}
		b.WriteString("\n")
	}
	mdFieldTasks(&b, r)
	cc, rc := caseCounts(r), requirementCounts(r)
	b.WriteString("| verdict | cases | requirements |\n|---|---:|---:|\n")
	for _, v := range verdictOrder {
		cases := fmt.Sprint(cc[v])
		if v == result.Untested {
			cases = "–"
		}
		fmt.Fprintf(&b, "| %s | %s | %d |\n", v, cases, rc[v])
	}
	fmt.Fprintf(&b, "| **total** | **%d** | **%d** |\n\n", len(r.Cases), len(r.Requirements))

	mdAttention(&b, r, lim)

	if choices := choiceLines(r); len(choices) > 0 {
		b.WriteString("### Choices the target made\n\nThe spec allows each of these; none is a failure.\n\n")
		for _, l := range choices {
			b.WriteString("- " + l + "\n")
		}
		b.WriteString("\n")
	}

	b.WriteString("### Traceability\n\n| requirement | level | verdict | cases | choices seen |\n|---|---|---|---|---|\n")
	for _, req := range r.Requirements {
		cases := req.Cases
		more := ""
		if lim.traceCases >= 0 && len(cases) > lim.traceCases {
			cases, more = cases[:lim.traceCases], fmt.Sprintf("(+%d more)", len(cases)-lim.traceCases)
		}
		var list []string
		for _, id := range cases {
			list = append(list, code(id))
		}
		if more != "" {
			list = append(list, more)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", req.ID, req.Level, verdictCell(req.Verdict), strings.Join(list, " "), cell(strings.Join(req.Choices, ", ")))
	}
	if skipped := casesWith(r, result.Skip); len(skipped) > 0 && lim.skipped != 0 {
		b.WriteString("\n<details><summary>Skipped cases</summary>\n\n")
		for i, c := range skipped {
			if lim.skipped > 0 && i == lim.skipped {
				fmt.Fprintf(&b, "- … %d more\n", len(skipped)-i)
				break
			}
			fmt.Fprintf(&b, "- %s: %s\n", code(c.ID), mdText(firstMessage(c, "skipped")))
		}
		b.WriteString("\n</details>\n")
	}
	return b.String()
}

// leftOut says what limits tighter than the usual ones leave out.
func (lim mdLimits) leftOut() string {
	usual := mdLevels[0]
	var parts []string
	if lim.inFull < usual.inFull {
		parts = append(parts, fmt.Sprintf("cases in full beyond the first %d", lim.inFull))
	}
	if lim.caseIDs < usual.caseIDs {
		parts = append(parts, fmt.Sprintf("case IDs beyond the first %d of each finding", lim.caseIDs))
	}
	if lim.groups >= 0 {
		parts = append(parts, fmt.Sprintf("findings beyond the first %d of each verdict", lim.groups))
	}
	if lim.traceCases >= 0 {
		parts = append(parts, fmt.Sprintf("case IDs beyond the first %d of each requirement", lim.traceCases))
	}
	if lim.skipped >= 0 {
		parts = append(parts, fmt.Sprintf("skipped cases beyond the first %d", lim.skipped))
	}
	if lim.reasons < usual.reasons {
		parts = append(parts, fmt.Sprintf("why a requirement was not judged beyond %d characters", lim.reasons))
	}
	return "it leaves out " + strings.Join(parts, "; ")
}

// mdAttention writes the failures, warnings and errors: for each verdict a
// table of its groups (groupsOf), each group once with its cases; then the
// cases picked to be shown in full (inFull).
func mdAttention(b *strings.Builder, r *result.Report, lim mdLimits) {
	verdicts := []result.Verdict{result.Fail, result.Warn, result.Error}
	var all []*findingGroup
	sections := make([][]*findingGroup, len(verdicts))
	for i, v := range verdicts {
		sections[i] = groupsOf(r, v)
		if lim.groups >= 0 && len(sections[i]) > lim.groups {
			sections[i] = sections[i][:lim.groups]
		}
		all = append(all, sections[i]...)
	}
	if len(all) == 0 {
		return
	}
	var picked [][]result.CaseResult
	shown := 0
	if lim.inFull != 0 {
		picked, shown = inFull(all, lim.inFull)
	}
	b.WriteString("### Failures, warnings and errors\n\n")
	total := map[string]bool{}
	for i, v := range verdicts {
		full := groupsOf(r, v)
		if len(full) == 0 {
			continue
		}
		ids := map[string]bool{}
		for _, g := range full {
			for _, id := range g.Cases {
				ids[id], total[id] = true, true
			}
		}
		kind := "distinct finding"
		if v == result.Error {
			kind = "distinct reason"
		}
		fmt.Fprintf(b, "**%s**: %s, %s\n\n", strings.ToUpper(string(v)), plural(len(ids), "case"), plural(len(full), kind))
		if v == result.Error {
			b.WriteString("| reason | cases |\n|---|---|\n")
		} else {
			b.WriteString("| requirement | check | expected | got | cases |\n|---|---|---|---|---|\n")
		}
		for _, g := range sections[i] {
			cases := fmt.Sprintf("%d: %s", len(g.Cases), caseList(g.Cases, lim.caseIDs, code))
			switch {
			case v == result.Error:
				fmt.Fprintf(b, "| %s | %s |\n", cell(g.Message), cases)
			case g.Requirement == "":
				fmt.Fprintf(b, "| (no finding) |  |  | %s | %s |\n", cell(g.Message), cases)
			default:
				fmt.Fprintf(b, "| %s %s (%s) | %s | %s | %s | %s |\n", strings.ToUpper(string(g.Verdict)), g.Requirement, g.Level, g.Layer,
					cell(g.Expected), cell(g.seen()), cases)
			}
		}
		if left := len(full) - len(sections[i]); left > 0 {
			fmt.Fprintf(b, "| … %d more |  |  |  |  |\n", left)
		}
		b.WriteString("\n")
	}

	if shown == 0 {
		fmt.Fprintf(b, "report.html has each of these %s in full.\n\n", plural(len(total), "case"))
		return
	}
	b.WriteString("### Cases in full\n\n")
	if shown < len(total) {
		fmt.Fprintf(b, "The first %d of %d, the first of each finding first; report.html has every case in full.\n\n", shown, len(total))
	}
	for _, list := range picked {
		for _, c := range list {
			mdCase(b, c)
		}
	}
}

// mdCase writes one case in full: its findings (each once), or its
// messages, and the curl command that reproduces the first finding.
func mdCase(b *strings.Builder, c result.CaseResult) {
	fmt.Fprintf(b, "#### %s %s: %s\n\n", strings.ToUpper(string(c.Verdict)), code(c.ID), mdText(c.Title))
	if len(c.Findings) > 0 {
		b.WriteString("| requirement | step | expected | got |\n|---|---:|---|---|\n")
		for i, f := range c.Findings {
			if slices.Contains(c.Findings[:i], f) {
				continue
			}
			fmt.Fprintf(b, "| %s %s (%s) | %d | %s | %s |\n", strings.ToUpper(string(f.Verdict)), f.Requirement, f.Level, f.Step, cell(f.Expected), cell(f.Got))
		}
		b.WriteString("\n")
	} else {
		for _, m := range c.Messages {
			fmt.Fprintf(b, "- %s\n", mdText(m))
		}
		b.WriteString("\n")
	}
	if curl := reproduce(c); curl != "" {
		b.WriteString("Reproduce:\n\n" + fenced("sh", curl) + "\n")
	}
}

func choiceLines(r *result.Report) []string {
	var out []string
	for _, req := range r.Requirements {
		if len(req.Choices) > 0 {
			out = append(out, fmt.Sprintf("%s (%s): %s", req.ID, req.Level, mdText(strings.Join(req.Choices, ", "))))
		}
	}
	return out
}

func casesWith(r *result.Report, v result.Verdict) []result.CaseResult {
	var out []result.CaseResult
	for _, c := range r.Cases {
		if c.Verdict == v {
			out = append(out, c)
		}
	}
	return out
}

func verdictCell(v result.Verdict) string {
	switch v {
	case result.Fail, result.Warn, result.Error:
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
