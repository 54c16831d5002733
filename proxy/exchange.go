package proxy

import (
	"net/http"
	"time"

	"github.com/drsconform/drsconform/contract"
	"github.com/drsconform/drsconform/internal/credential"
)

// Outcome says what the proxy did with an exchange.
type Outcome string

// The outcomes. Only OutcomeForwarded and OutcomeUnchecked carry the
// upstream's whole answer; OutcomeAborted a part of it at most; the others
// are answered by the proxy itself.
const (
	OutcomeForwarded           Outcome = "forwarded"            // sent upstream, the answer passed back
	OutcomeUnchecked           Outcome = "unchecked"            // forwarded, the answer's body not checked (too large, unknown coding)
	OutcomeRejected            Outcome = "rejected"             // --reject-invalid-requests: 400, not forwarded
	OutcomeTooLarge            Outcome = "too-large"            // the request body exceeds the cap: 413, not forwarded
	OutcomeBadRequest          Outcome = "bad-request"          // the request could not be read or rebuilt: 400
	OutcomeUpstreamUnreachable Outcome = "upstream-unreachable" // 502
	OutcomeUpstreamTimeout     Outcome = "upstream-timeout"     // 504
	OutcomeClientGone          Outcome = "client-gone"          // the client left before the answer
	// OutcomeAborted: the upstream's answer broke off (stalled past the
	// timeout, or closed early); answered 502/504 by the proxy, or, if the
	// headers had passed already, the client's connection broken off.
	OutcomeAborted Outcome = "aborted"
)

// exchange is one request and its answer as the proxy saw them.
type exchange struct {
	seq                           int64
	start                         time.Time
	duration                      time.Duration
	method, path, query           string
	status                        int
	outcome                       Outcome
	inContract                    bool
	reqViolations, respViolations contract.Violations
	requestBody, responseBody     []byte // kept for the log's excerpts
	note, err                     string
	secrets                       []string // credential values of the request, for redaction
	expect                        expectation
	header                        http.Header // the request's, for the log's facts (never logged as such)
}

func (x *exchange) violations() int { return len(x.reqViolations) + len(x.respViolations) }

// worthLogging: violations, and anything the proxy had to answer itself.
func (x *exchange) worthLogging() bool {
	return x.violations() > 0 || x.outcome != OutcomeForwarded ||
		len(x.expect.missing) > 0 || len(x.expect.problems) > 0
}

// credentialsOf lists the credential values a request carries
// (internal/credential decides which headers and which parts).
func credentialsOf(h http.Header) []string { return credential.FromHeader(h) }
