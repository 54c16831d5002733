package runner

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/drsconform/drsconform/result"
)

// errorCodeShape is REQ-RES-07: "DRS." then a letter and digits; old pages
// write a hyphen (DRS-M00201), which is accepted too.
var errorCodeShape = regexp.MustCompile(`^DRS[.-][A-Z][0-9]+$`)

// invariants checks REQ-RES-01..07 on a 202, whatever the case expects.
func (j *judge) invariants(doc answer) {
	raw, _ := doc["results"].([]any)
	results := doc.results()
	if n, ok := doc["count"].(json.Number); ok && raw != nil {
		if !numberIs(n, len(raw)) {
			j.find("REQ-RES-01", result.LayerInvariant, fmt.Sprintf("count = number of results (%d)", len(raw)), "count "+j.q(n.String()), "/count")
		}
	}
	if raw == nil {
		return // the schema layer has said that results is missing or not an array
	}
	if want := j.b.jobIDs; want != nil {
		got := make([]string, len(results))
		for i, r := range results {
			got[i] = str(r, "id")
		}
		switch {
		case len(raw) != len(want):
			j.find("REQ-RES-02", result.LayerInvariant, fmt.Sprintf("%d results, one per requested job", len(want)),
				fmt.Sprintf("%d results", len(raw)), "/results")
		case !sameMultiset(got, want):
			missing, extra := diff(want, got)
			j.find("REQ-RES-02", result.LayerInvariant, "result ids = requested job_ids",
				fmt.Sprintf("missing %s; unexpected %s", j.list(missing), j.list(extra)), "/results")
		case !slices.Equal(got, want):
			j.find("REQ-RES-03", result.LayerInvariant, "results in request order: "+j.list(want), "order "+j.list(got), "/results")
		}
	}
	for i, r := range results {
		ptr := fmt.Sprintf("/results/%d", i)
		code, msg := str(r, "error_code"), str(r, "error_msg")
		switch str(r, "status") {
		case "failed":
			if strings.TrimSpace(code) == "" || strings.TrimSpace(msg) == "" {
				j.find("REQ-RES-05", result.LayerInvariant, "a failed result with non-empty error_code and error_msg",
					fmt.Sprintf("error_code %s, error_msg %s", j.qq(code), j.qq(msg)), ptr)
			}
			if code != "" && !errorCodeShape.MatchString(code) {
				j.find("REQ-RES-07", result.LayerInvariant, "error_code like DRS.M01504", j.qq(code), ptr+"/error_code")
			}
		case "success":
			if code != "" || msg != "" {
				j.find("REQ-RES-06", result.LayerInvariant, "a successful result without error_code or error_msg",
					fmt.Sprintf("error_code %s, error_msg %s", j.qq(code), j.qq(msg)), ptr)
			}
		}
	}
}

func sameMultiset(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// diff returns what want has that got lacks, and what got has beyond want.
func diff(want, got []string) (missing, extra []string) {
	count := map[string]int{}
	for _, w := range want {
		count[w]++
	}
	for _, g := range got {
		if count[g] > 0 {
			count[g]--
		} else {
			extra = append(extra, g)
		}
	}
	for _, w := range want {
		if count[w] > 0 {
			missing = append(missing, w)
			count[w]--
		}
	}
	return missing, extra
}

// list names ids for a finding, each quoted and at most listIDs of them:
// a target may answer thousands of ids of a megabyte each.
func (j *judge) list(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	shown := make([]string, 0, min(len(ids), listIDs))
	for _, id := range ids[:min(len(ids), listIDs)] {
		shown = append(shown, j.q(id))
	}
	more := ""
	if len(ids) > listIDs {
		more = fmt.Sprintf(", … %d more", len(ids)-listIDs)
	}
	return "[" + strings.Join(shown, ", ") + more + "]"
}

// listIDs bounds the ids a finding names.
const listIDs = 8

// numberIs reports whether a JSON number equals n (1 and 1.0 are the same number).
func numberIs(num json.Number, n int) bool {
	f, err := num.Float64()
	return err == nil && f == float64(n)
}
