package proxy

import (
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/drsconform/drsconform/contract"
	"github.com/drsconform/drsconform/internal/credential"
)

// Record is one line of the exchange log (JSON Lines). Every string in it has
// passed through the redactor: no credential reaches the log.
type Record struct {
	Time       time.Time `json:"time"`
	Exchange   int64     `json:"exchange"` // sequence number since the proxy started
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	Query      string    `json:"query,omitempty"`
	Status     int       `json:"status"` // as the client got it; 0 if it left first
	DurationMS float64   `json:"duration_ms"`
	Outcome    Outcome   `json:"outcome"`
	// InContract is false for what the contract does not cover (the fixture
	// protocol, batch-status, ...): forwarded unchecked.
	InContract         bool      `json:"in_contract"`
	RequestViolations  []Finding `json:"request_violations,omitempty"`
	ResponseViolations []Finding `json:"response_violations,omitempty"`
	// Body excerpts, only when the exchange has violations.
	RequestBody  string `json:"request_body,omitempty"`
	ResponseBody string `json:"response_body,omitempty"`
	Note         string `json:"note,omitempty"`
	Error        string `json:"error,omitempty"`
	// Expect is what the request declared with X-Drsconform-Expect-Violation;
	// MissingExpected what of it no violation named; ExpectProblems what was
	// wrong with the header (an unknown ID, a path outside the contract).
	// --allow applies to every exchange and is not repeated here: a finding
	// it covers has Expected set.
	Expect          []string `json:"expect,omitempty"`
	MissingExpected []string `json:"missing_expected,omitempty"`
	ExpectProblems  []string `json:"expect_problems,omitempty"`
	// Facts are what spec coverage needs of a checked exchange (report
	// --from-proxy-log): the shape of the request and of its answer, never
	// a credential.
	Facts *Facts `json:"facts,omitempty"`
}

// Finding is a contract.Violation as the log shows it.
type Finding struct {
	Requirement string `json:"requirement,omitempty"`
	Layer       string `json:"layer"`
	Keyword     string `json:"keyword"`
	Pointer     string `json:"pointer"`
	Message     string `json:"message"`
	// Expected: the request declared it (X-Drsconform-Expect-Violation), or
	// --allow names its requirement. It does not fail the gate.
	Expected bool `json:"expected,omitempty"`
}

// maxExcerpt caps each body excerpt of a record.
const maxExcerpt = 2048

// exchangeLog writes records, one whole line at a time.
type exchangeLog struct {
	mu sync.Mutex
	w  io.Writer
}

func newExchangeLog(w io.Writer) *exchangeLog {
	if w == nil {
		w = io.Discard
	}
	return &exchangeLog{w: w}
}

func (l *exchangeLog) write(x *exchange, rd *credential.Redactor) {
	line, err := json.Marshal(recordOf(x, rd))
	if err != nil { // a Record of strings and numbers always marshals
		return
	}
	line = append(line, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.w.Write(line)
}

func recordOf(x *exchange, rd *credential.Redactor) Record {
	rec := Record{
		Time:               x.start.UTC(),
		Exchange:           x.seq,
		Method:             x.method,
		Path:               rd.String(x.path),
		Query:              rd.String(x.query),
		Status:             x.status,
		DurationMS:         float64(x.duration.Microseconds()) / 1000,
		Outcome:            x.outcome,
		InContract:         x.inContract,
		RequestViolations:  findings(x.reqViolations, rd, &x.expect),
		ResponseViolations: findings(x.respViolations, rd, &x.expect),
		Note:               rd.String(x.note),
		Error:              rd.String(x.err),
		Expect:             x.expect.declared,
		MissingExpected:    x.expect.missing,
		ExpectProblems:     redactAll(x.expect.problems, rd),
	}
	if x.inContract {
		rec.Facts = factsOf(x, rd)
	}
	if x.violations() > 0 {
		rec.RequestBody = excerpt(x.requestBody, rd)
		rec.ResponseBody = excerpt(x.responseBody, rd)
	}
	return rec
}

func findings(vs contract.Violations, rd *credential.Redactor, e *expectation) []Finding {
	if len(vs) == 0 {
		return nil
	}
	out := make([]Finding, len(vs))
	for i, v := range vs {
		out[i] = Finding{Requirement: v.Requirement, Layer: string(v.Layer), Keyword: v.Keyword,
			Pointer: rd.String(v.Pointer), Message: rd.String(v.Message), Expected: e.expects(v.Requirement)}
	}
	return out
}

func redactAll(ss []string, rd *credential.Redactor) []string {
	if len(ss) == 0 {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = rd.String(s)
	}
	return out
}

// excerpt is the body as text, redacted, then cut at maxExcerpt bytes
// (credential.Redactor.Prefix: never part of a secret, never half a rune).
func excerpt(body []byte, rd *credential.Redactor) string {
	s, cut := rd.Prefix(string(body), maxExcerpt)
	if cut {
		return s + "…(cut)"
	}
	return s
}
