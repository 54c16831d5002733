package report

import (
	"slices"
	"strings"
	"testing"

	"github.com/drsconform/drsconform/result"
)

func coverageSection(t *testing.T, r *result.Report, name string) CoverageSection {
	t.Helper()
	cov, err := ComputeCoverage(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range cov.Sections {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no section %q", name)
	return CoverageSection{}
}

func itemNames(s CoverageSection) []string {
	var out []string
	for _, it := range s.Items {
		if it.Covered {
			out = append(out, it.Name)
		}
	}
	return out
}

// Invalid delete_type values are listed quoted, so " delete" is not read as
// delete, nor "" as nothing; the valid ones as the enum names them.
func TestCoverageQuotesInvalidDeleteTypes(t *testing.T) {
	r := &result.Report{Cases: []result.CaseResult{{ID: "c1", Evidence: []result.Exchange{{Step: 1, Kind: result.KindAPI, Status: 400,
		Sent: sentJobs(job(" delete", "a"), job("", "b"), job("delete", "c"))}}}}}
	s := coverageSection(t, r, "Delete types")
	got := itemNames(s)
	for _, want := range []string{"delete", `" delete"`, `""`} {
		if !slices.Contains(got, want) {
			t.Errorf("delete types %q lack %s", got, want)
		}
	}
	for _, it := range s.Items {
		if strings.HasPrefix(it.Name, `"`) && (!it.Extra || !strings.Contains(it.Note, "REQ-VAL-04")) {
			t.Errorf("%s: want an extra noted as invalid input, got %+v", it.Name, it)
		}
	}
	// HTML shows them quoted too (escaped).
	var b strings.Builder
	r.Requirements = []result.RequirementResult{}
	if err := HTML(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "<code>&#34; delete&#34;</code>") || !strings.Contains(b.String(), "<code>&#34;&#34;</code>") {
		t.Error(`report.html does not list " delete" and "" quoted`)
	}
}

// Coverage reads what the runner recorded it sent, never the evidence text:
// a cut or redacted body changes nothing, and a body that is not JSON
// covers no field.
func TestCoverageReadsTheStructuredRequest(t *testing.T) {
	cut := `{"jobs":[{"delete_type":"terminate","job_id":"j-1"},{"delete_type":"force_ter` + "\n… (40000 bytes in all)"
	r := &result.Report{Cases: []result.CaseResult{
		{ID: "cut", Evidence: []result.Exchange{{Step: 1, Kind: result.KindAPI, Status: 202, RequestBody: cut,
			Sent: sentJobs(job("terminate", "j-1"), job("force_terminate", "j-2"))}}},
		{ID: "not-json", Evidence: []result.Exchange{{Step: 1, Kind: result.KindAPI, Status: 400,
			RequestBody: `{"jobs":[{"delete_type":"delete","job_id":"x"}]}`, // what the text says is not what was sent
			Sent:        &result.SentRequest{JSON: false}}}},
		{ID: "set-up", Evidence: []result.Exchange{{Kind: result.KindFixture, Method: "POST", Status: 201,
			Sent: &result.SentRequest{JSON: true, Status: "PAUSING"}}}},
	}}
	if got := itemNames(coverageSection(t, r, "Delete types")); !slices.Equal(got, []string{"terminate", "force_terminate"}) {
		t.Errorf("delete types %q, want terminate and force_terminate from the structured request", got)
	}
	fields := coverageSection(t, r, "Schema fields")
	for _, it := range fields.Items {
		if it.Covered && slices.Contains(it.Cases, "not-json") {
			t.Errorf("a body that is not JSON covers %s", it.Name)
		}
	}
	if got := itemNames(fields); !slices.Contains(got, "DeleteJobReq.delete_type = force_terminate") {
		t.Errorf("schema fields %q lack the enum value sent beyond the cut", got)
	}
	if got := itemNames(coverageSection(t, r, "Task statuses")); !slices.Equal(got, []string{"PAUSING"}) {
		t.Errorf("task statuses %q, want PAUSING from the fixture set-up", got)
	}
}
