package proxy

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"sort"
	"sync"

	"github.com/drsconform/drsconform/contract"
	"github.com/drsconform/drsconform/internal/credential"
)

// Unattributed is the ByRequirement key of violations that no single
// requirement owns (a wrong method, an undeclared status after a bad request).
const Unattributed = "unattributed"

// Summary counts the exchanges since the proxy started. It is what
// GET /_drsconform/proxy/summary answers and what the proxy prints on shutdown.
type Summary struct {
	Exchanges     int `json:"exchanges"`       // every request forwarded or answered (the summary endpoint aside)
	Checked       int `json:"checked"`         // requests to the contract's operation
	NotInContract int `json:"not_in_contract"` // forwarded unchecked: fixture protocol, batch-status, ...
	// RequestsWithViolations and ResponsesWithViolations count exchanges.
	RequestsWithViolations  int `json:"requests_with_violations"`
	ResponsesWithViolations int `json:"responses_with_violations"`
	Violations              int `json:"violations"` // request and response violations together, expected or not
	// ByRequirement counts the unexpected violations per requirement ID
	// (Unattributed for none): those that fail the gate.
	ByRequirement map[string]int `json:"by_requirement"`
	// Expected counts the violations a request declared
	// (X-Drsconform-Expect-Violation) or --allow names; Unexpected the
	// others (Violations = Expected + Unexpected).
	Expected              int            `json:"expected"`
	Unexpected            int            `json:"unexpected"`
	ExpectedByRequirement map[string]int `json:"expected_by_requirement,omitempty"`
	// MissingExpected counts the declared requirements that no violation
	// of their exchange named ("expected REQ-VAL-04, none seen").
	MissingExpected      int            `json:"missing_expected"`
	MissingByRequirement map[string]int `json:"missing_by_requirement,omitempty"`
	// ExpectProblems counts the exchanges whose declaration was faulty (an
	// unknown requirement ID, a request outside the contract).
	ExpectProblems     int `json:"expect_problems"`
	Rejected           int `json:"rejected"`            // --reject-invalid-requests: answered 400 by the proxy
	TooLarge           int `json:"too_large"`           // requests answered 413 by the proxy
	UncheckedResponses int `json:"unchecked_responses"` // answers whose body could not be checked (too large, unknown Content-Encoding)
	UpstreamErrors     int `json:"upstream_errors"`     // 502 and 504 answered by the proxy
	// Aborted counts the upstream answers that broke off: never passed on
	// as complete (502/504 by the proxy, or the client's connection cut).
	Aborted int `json:"aborted"`
}

// Clean reports whether the gate passes: no unexpected violation, no
// expected one missing, no faulty declaration. Expected violations do not
// count.
func (s Summary) Clean() bool {
	return s.Unexpected == 0 && s.MissingExpected == 0 && s.ExpectProblems == 0
}

// WriteText prints the summary for people, requirements in ID order.
func (s Summary) WriteText(w io.Writer) {
	fmt.Fprintf(w, "drsconform proxy: %d exchange(s): %d checked against the contract, %d not in the contract\n",
		s.Exchanges, s.Checked, s.NotInContract)
	fmt.Fprintf(w, "  requests with violations:  %d\n", s.RequestsWithViolations)
	fmt.Fprintf(w, "  responses with violations: %d\n", s.ResponsesWithViolations)
	fmt.Fprintf(w, "  violations:                %d\n", s.Unexpected)
	writeCounts(w, s.ByRequirement, "")
	if s.Expected+s.MissingExpected+s.ExpectProblems > 0 {
		fmt.Fprintf(w, "  expected violations:       %d (declared by %s or --allow; they do not fail the gate)\n", s.Expected, HeaderExpectViolation)
		writeCounts(w, s.ExpectedByRequirement, "")
		fmt.Fprintf(w, "  expected, none seen:       %d\n", s.MissingExpected)
		writeCounts(w, s.MissingByRequirement, "expected %s, none seen: ")
		fmt.Fprintf(w, "  faulty declarations:       %d (see expect_problems in the exchange log)\n", s.ExpectProblems)
	}
	if s.Rejected+s.TooLarge+s.UncheckedResponses+s.UpstreamErrors+s.Aborted > 0 {
		fmt.Fprintf(w, "  rejected: %d, too large: %d, unchecked responses: %d, upstream errors: %d, aborted answers: %d\n",
			s.Rejected, s.TooLarge, s.UncheckedResponses, s.UpstreamErrors, s.Aborted)
	}
}

// writeCounts prints one line per requirement, in ID order; format, when
// not "", words the line's start (with the ID).
func writeCounts(w io.Writer, counts map[string]int, format string) {
	ids := make([]string, 0, len(counts))
	for id := range counts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if format != "" {
			fmt.Fprintf(w, "    "+format+"%d\n", id, counts[id])
			continue
		}
		fmt.Fprintf(w, "    %-14s %d\n", id, counts[id])
	}
}

// maxRememberedSecrets bounds the credentials kept for redacting later
// exchanges (a token of one request may echo in another's answer).
const maxRememberedSecrets = 256

// tally is the Summary under a lock, and the credentials seen so far.
type tally struct {
	mu      sync.Mutex
	s       Summary
	secrets map[string]bool
}

func newTally() *tally {
	return &tally{s: Summary{ByRequirement: map[string]int{}, ExpectedByRequirement: map[string]int{},
		MissingByRequirement: map[string]int{}}, secrets: map[string]bool{}}
}

func (t *tally) add(x *exchange) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, s := range x.secrets {
		if len(t.secrets) < maxRememberedSecrets {
			t.secrets[s] = true
		}
	}
	s := &t.s
	s.Exchanges++
	if x.inContract {
		s.Checked++
	} else {
		s.NotInContract++
	}
	if len(x.reqViolations) > 0 {
		s.RequestsWithViolations++
	}
	if len(x.respViolations) > 0 {
		s.ResponsesWithViolations++
	}
	for _, vs := range []contract.Violations{x.reqViolations, x.respViolations} {
		for _, v := range vs {
			s.Violations++
			if x.expect.expects(v.Requirement) {
				s.Expected++
				s.ExpectedByRequirement[v.Requirement]++
				continue
			}
			s.Unexpected++
			id := v.Requirement
			if id == "" {
				id = Unattributed
			}
			s.ByRequirement[id]++
		}
	}
	for _, id := range x.expect.missing {
		s.MissingExpected++
		s.MissingByRequirement[id]++
	}
	if len(x.expect.problems) > 0 {
		s.ExpectProblems++
	}
	switch x.outcome {
	case OutcomeRejected:
		s.Rejected++
	case OutcomeTooLarge:
		s.TooLarge++
	case OutcomeUnchecked:
		s.UncheckedResponses++
	case OutcomeUpstreamUnreachable, OutcomeUpstreamTimeout:
		s.UpstreamErrors++
	case OutcomeAborted:
		s.Aborted++
	}
}

func (t *tally) snapshot() Summary {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := t.s
	out.ByRequirement = maps.Clone(t.s.ByRequirement)
	out.ExpectedByRequirement, out.MissingByRequirement = nil, nil // as the JSON of none reads back
	if len(t.s.ExpectedByRequirement) > 0 {
		out.ExpectedByRequirement = maps.Clone(t.s.ExpectedByRequirement)
	}
	if len(t.s.MissingByRequirement) > 0 {
		out.MissingByRequirement = maps.Clone(t.s.MissingByRequirement)
	}
	return out
}

// redactor removes the credentials of this exchange and of every earlier one.
func (t *tally) redactor(extra []string) *credential.Redactor {
	t.mu.Lock()
	all := append([]string(nil), extra...)
	for s := range t.secrets {
		all = append(all, s)
	}
	t.mu.Unlock()
	// Longest first: a token that contains another is replaced whole.
	sort.Slice(all, func(i, j int) bool { return len(all[i]) > len(all[j]) })
	return credential.New(all...)
}

// serveSummary answers GET (and HEAD) with the Summary as JSON.
func (p *Proxy) serveSummary(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "summary", codeInvalidRequest,
			fmt.Sprintf("drsconform proxy: %s is answered to GET only", SummaryPath))
		return
	}
	buf, _ := json.MarshalIndent(p.Summary(), "", "  ") // ints and a map of ints always marshal
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(append(buf, '\n'))
	}
}
