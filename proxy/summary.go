package proxy

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"

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
	Violations              int `json:"violations"` // request and response violations together
	// ByRequirement counts violations per requirement ID (Unattributed for none).
	ByRequirement      map[string]int `json:"by_requirement"`
	Rejected           int            `json:"rejected"`            // --reject-invalid-requests: answered 400 by the proxy
	TooLarge           int            `json:"too_large"`           // requests answered 413 by the proxy
	UncheckedResponses int            `json:"unchecked_responses"` // answers whose body could not be checked (too large, unknown Content-Encoding)
	UpstreamErrors     int            `json:"upstream_errors"`     // 502 and 504 answered by the proxy
	// Aborted counts the upstream answers that broke off: never passed on
	// as complete (502/504 by the proxy, or the client's connection cut).
	Aborted int `json:"aborted"`
}

// Clean reports whether no violation was seen.
func (s Summary) Clean() bool { return s.Violations == 0 }

// WriteText prints the summary for people, requirements in ID order.
func (s Summary) WriteText(w io.Writer) {
	fmt.Fprintf(w, "drsconform proxy: %d exchange(s): %d checked against the contract, %d not in the contract\n",
		s.Exchanges, s.Checked, s.NotInContract)
	fmt.Fprintf(w, "  requests with violations:  %d\n", s.RequestsWithViolations)
	fmt.Fprintf(w, "  responses with violations: %d\n", s.ResponsesWithViolations)
	fmt.Fprintf(w, "  violations:                %d\n", s.Violations)
	ids := make([]string, 0, len(s.ByRequirement))
	for id := range s.ByRequirement {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		fmt.Fprintf(w, "    %-14s %d\n", id, s.ByRequirement[id])
	}
	if s.Rejected+s.TooLarge+s.UncheckedResponses+s.UpstreamErrors+s.Aborted > 0 {
		fmt.Fprintf(w, "  rejected: %d, too large: %d, unchecked responses: %d, upstream errors: %d, aborted answers: %d\n",
			s.Rejected, s.TooLarge, s.UncheckedResponses, s.UpstreamErrors, s.Aborted)
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
	return &tally{s: Summary{ByRequirement: map[string]int{}}, secrets: map[string]bool{}}
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
	for _, vs := range [][]Finding{findings(x.reqViolations, nil), findings(x.respViolations, nil)} {
		for _, v := range vs {
			s.Violations++
			id := v.Requirement
			if id == "" {
				id = Unattributed
			}
			s.ByRequirement[id]++
		}
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
	out.ByRequirement = make(map[string]int, len(t.s.ByRequirement))
	for k, v := range t.s.ByRequirement {
		out.ByRequirement[k] = v
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
