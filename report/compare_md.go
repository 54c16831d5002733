package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/drsconform/drsconform/result"
)

// CompareJSON writes compare.json: the comparison as data.
func CompareJSON(w io.Writer, c *Comparison) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}

// CompareMarkdown writes compare.md: the comparison for a pull request or
// an issue. Every value from a report is escaped for Markdown as text (cell):
// no HTML, no link, no emphasis comes from a report; the only links are
// the ones to each bundle's evidence, built here from escaped paths.
func CompareMarkdown(w io.Writer, c *Comparison) error {
	var b strings.Builder
	b.WriteString("# drsconform comparison\n\n")
	fmt.Fprintf(&b, "%d implementations compared; %s where the implementations judged differ.\n\n",
		len(c.Implementations), plural(c.Differing, "requirement"))
	for _, warn := range c.Warnings {
		if rest, ok := strings.CutPrefix(warn, "WARNING: "); ok {
			fmt.Fprintf(&b, "> **WARNING**: %s\n>\n", mdText(rest))
		} else {
			fmt.Fprintf(&b, "> %s\n>\n", mdText(warn))
		}
	}
	if len(c.Warnings) > 0 {
		b.WriteString("\n")
	}

	b.WriteString("## Implementations\n\n")
	b.WriteString("| Name | Source | Verification | Target | Verdict | Suite version | Spec SHA-256 | Catalogue SHA-256 | Cases SHA-256 |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	for _, impl := range c.Implementations {
		verdict := mdVerdict(impl.Verdict)
		if impl.Scope != "" {
			verdict += " (" + cell(impl.Scope) + ")"
		} else if !impl.Complete {
			verdict += " (incomplete)"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", cell(impl.Name), cell(impl.Source),
			cell(impl.Kind+": "+impl.Verification), cell(impl.Target), verdict, cell(impl.SuiteVersion),
			cell(short(impl.SpecSHA256)), cell(short(impl.CatalogueSHA256)), cell(short(impl.CasesSHA256)))
	}
	b.WriteString("\nThe digests are shortened to 12 digits here; compare.json has them whole.\n\n")

	b.WriteString("## Requirements × implementations\n\n")
	b.WriteString("The requirements where the implementations judged differ (a verdict, or the outcome chosen where the catalogue allows several) come first, marked ≠. Where implementations diverge, the API page may be ambiguous.\n\n")
	b.WriteString("| | Requirement | Level | Allowed outcomes |")
	sep := "|---|---|---|---|"
	for _, impl := range c.Implementations {
		b.WriteString(" " + cell(impl.Name) + " |")
		sep += "---|"
	}
	b.WriteString("\n" + sep + "\n")
	for _, row := range c.Requirements {
		mark := ""
		if row.Differs {
			mark = "≠"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |", mark, cell(row.ID), cell(row.Level), mdChoices(row.Allowed))
		for _, cl := range row.Cells {
			b.WriteString(" " + mdCell(row, cl) + " |")
		}
		b.WriteString("\n")
	}

	b.WriteString("\n## Where the spec is silent\n\n")
	b.WriteString("The profile decisions of the catalogue: where the API page says nothing, the suite decided, for the reason given. What each implementation did:\n\n")
	for _, row := range c.Profile {
		mark := ""
		if row.Differs {
			mark = " ≠"
		}
		fmt.Fprintf(&b, "### %s (%s)%s\n\n%s\n\n*Reason:* %s\n\n", cell(row.ID), cell(row.Level), mark, mdText(row.Sentence), mdText(row.Reason))
		if len(row.Allowed) > 0 {
			fmt.Fprintf(&b, "*Allowed outcomes:* %s\n\n", mdChoices(row.Allowed))
		}
		for i, cl := range row.Cells {
			fmt.Fprintf(&b, "- %s: %s\n", cell(c.Implementations[i].Name), mdCell(row, cl))
		}
		b.WriteString("\n")
	}

	b.WriteString("## Cases failed, warned or errored\n\n")
	if len(c.Cases) == 0 {
		b.WriteString("None: no implementation failed, warned or errored a case.\n\n")
	} else {
		b.WriteString("Every case some implementation failed, warned or errored; a bundle's verdict links to its evidence in that bundle's report.html.\n\n")
		b.WriteString("| Case |")
		sep := "|---|"
		for _, impl := range c.Implementations {
			b.WriteString(" " + cell(impl.Name) + " |")
			sep += "---|"
		}
		b.WriteString("\n" + sep + "\n")
		for _, cc := range c.Cases {
			fmt.Fprintf(&b, "| %s: %s |", cell(cc.ID), cell(cc.Title))
			for _, cl := range cc.Cells {
				v := mdVerdict(cl.Verdict)
				if cl.Link != "" {
					v += " ([evidence](<" + cl.Link + ">))"
				}
				b.WriteString(" " + v + " |")
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}

	b.WriteString("## Legend\n\n")
	for _, l := range c.Legend {
		fmt.Fprintf(&b, "- %s: %s\n", code(l.Value), mdText(l.Meaning))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdCell(row CompareRow, cl CompareCell) string {
	s := mdVerdict(cl.Verdict)
	switch {
	case len(cl.Chose) > 0:
		s += ", chose " + mdChoices(cl.Chose)
	case cl.NoChoiceSeen(row):
		s += ", no outcome seen"
	}
	return s
}

// mdChoices are outcome labels, escaped as text (a code span would keep
// a hostile label's markup as it is).
func mdChoices(list []string) string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = cell(s)
	}
	return strings.Join(out, ", ")
}

// mdVerdict is a verdict for a table cell: a verdict of result in bold
// where it needs attention, and anything else (a hostile report's) escaped.
func mdVerdict(v string) string {
	return verdictCell(result.Verdict(cell(v)))
}
