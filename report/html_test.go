package report

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// Backticks in a requirement's sentence or source are Markdown's inline
// code: the page shows them as <code>, escaped like any other text.
func TestHTMLRendersBackticksAsCode(t *testing.T) {
	r := sampleReport()
	r.Requirements[0].Sentence = "Each `job_id` is answered; `<b>x</b>` is text, and a lone ` stays."
	r.Requirements[0].Source = "drs_03_0113, `delete_type`"
	var buf bytes.Buffer
	if err := HTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{
		"<td>Each <code>job_id</code> is answered; <code>&lt;b&gt;x&lt;/b&gt;</code> is text, and a lone ` stays.</td>",
		`<td class="source">drs_03_0113, <code>delete_type</code></td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(page, "<b>x</b>") {
		t.Error("markup from a requirement's text reached the page")
	}
}

func TestCodeSpans(t *testing.T) {
	for in, want := range map[string][]span{
		"":             nil,
		"plain":        {{Text: "plain"}},
		"a `b` c":      {{Text: "a "}, {Text: "b", Code: true}, {Text: " c"}},
		"`b`":          {{Text: "b", Code: true}},
		"a `b":         {{Text: "a `b"}},
		"a `b` c `d":   {{Text: "a "}, {Text: "b", Code: true}, {Text: " c `d"}},
		"empty `` one": {{Text: "empty `` one"}},
	} {
		if got := codeSpans(in); !reflect.DeepEqual(got, want) {
			t.Errorf("codeSpans(%q) = %+v, want %+v", in, got, want)
		}
	}
}

// A case's evidence is shown in the order the exchanges were made: the
// fixture set-up before the request that uses it.
func TestHTMLKeepsExchangeOrder(t *testing.T) {
	var buf bytes.Buffer
	if err := HTML(&buf, sampleReport()); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	art := page[strings.Index(page, `id="case-non-deletable.incre-transfer-started"`):]
	art = art[:strings.Index(art, "</article>")]
	fixture, request := strings.Index(art, "<h4>fixture: create INCRE_TRANSFER_STARTED</h4>"), strings.Index(art, "<h4>Step 1: request</h4>")
	if fixture < 0 || request < 0 || fixture > request {
		t.Errorf("fixture set-up at %d, request at %d: want the set-up first", fixture, request)
	}
}
