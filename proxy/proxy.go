// Package proxy is the validating proxy of `drsconform proxy`: a reverse
// proxy in front of a DRS service (the reference implementation or a real
// one) that checks every request an SDK sends to
// DELETE /v3/{project_id}/jobs/batch-jobs and every answer it gets against
// the contract, forwards both unchanged, and logs and counts the violations.
//
// Bodies are read whole (capped) so that they can be validated; the request
// body reaches the upstream byte for byte, DELETE included. An answer that
// breaks off never reaches the client as if it were complete. Redirects are
// passed through, never followed. Everything that is not the contract's
// operation (the fixture protocol under /_conformance, batch-status, ...)
// is forwarded unchecked and counted as "not in the contract".
package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/drsconform/drsconform/contract"
	"github.com/drsconform/drsconform/internal/baseurl"
)

// Defaults of Config.
const (
	DefaultMaxBodyBytes = 8 << 20
	DefaultTimeout      = 30 * time.Second
)

// SummaryPath is answered by the proxy itself with the Summary as JSON; every
// other path goes to the upstream.
const SummaryPath = "/_drsconform/proxy/summary"

// HeaderProxyAnswer marks an answer the proxy made itself instead of the
// upstream (rejected, too-large, upstream-unreachable, upstream-timeout), so
// that an SDK's test log tells them apart from the service's own.
const HeaderProxyAnswer = "X-Drsconform-Proxy"

// Config sets up a Proxy.
type Config struct {
	// Upstream is the service's base URL (http or https); its path, if any,
	// is put in front of every request path.
	Upstream *url.URL
	// Contract validates the exchanges; nil means contract.Default().
	Contract *contract.Contract
	// MaxBodyBytes caps the request and the response bodies the proxy reads
	// (0: DefaultMaxBodyBytes). A larger request is answered 413 and not
	// forwarded; a larger response is passed through unchecked.
	MaxBodyBytes int64
	// Timeout bounds one upstream exchange, from sending the request to the
	// last byte of the answer (0: DefaultTimeout); beyond it: 504, or, once
	// the answer's headers have passed to the client, its connection broken
	// off.
	Timeout time.Duration
	// RejectInvalidRequests answers a request that breaks the contract with
	// 400 and the error body naming the violation, instead of forwarding it.
	// A request whose only fault is its credential (none, or a malformed
	// X-Auth-Token or Authorization) is still forwarded: the service answers
	// it (401/403), and the violation is logged all the same.
	RejectInvalidRequests bool
	// Allow lists requirement IDs whose violations are expected in every
	// exchange (`proxy --allow`, parsed by ParseAllow): counted as expected,
	// not as failures, and forwarded despite RejectInvalidRequests. A request
	// declares its own with the header HeaderExpectViolation.
	Allow []string
	// RewriteHost sends the upstream's host in the Host header. By default the
	// client's Host is kept, so that AK/SK signatures (which sign host) still
	// verify at the upstream.
	RewriteHost bool
	// Log receives the exchange records (one JSON line each); nil discards them.
	Log io.Writer
	// Verbose logs conforming exchanges too, not only those with violations
	// or proxy errors.
	Verbose bool
	// Transport reaches the upstream; nil means a transport of our own that
	// ignores HTTP_PROXY and never decompresses (bodies pass unchanged).
	Transport http.RoundTripper
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Proxy is an http.Handler; it is safe for concurrent use.
type Proxy struct {
	cfg      Config
	contract *contract.Contract
	log      *exchangeLog
	tally    *tally
	seq      atomic.Int64
	known    []string // the catalogue's requirement IDs
	pending  pending  // exchanges answered but not yet checked and counted
}

// pending counts the exchanges whose answer has begun to reach the client
// but whose check, count and log line are still to come (the proxy answers
// first and checks after, so that the check costs the client nothing; every
// other path counts after answering too). Summary and
// Settle wait for it to reach zero: a client that asks for the summary after
// its last answer sees that answer counted.
type pending struct {
	mu   sync.Mutex
	n    int
	zero *sync.Cond
}

func (q *pending) add() {
	q.mu.Lock()
	q.n++
	q.mu.Unlock()
}

func (q *pending) done() {
	q.mu.Lock()
	q.n--
	if q.n == 0 {
		q.zero.Broadcast()
	}
	q.mu.Unlock()
}

// answering is the ResponseWriter of one exchange: its first byte of answer
// adds the exchange to pending, so that Summary, asked after that answer,
// waits for the exchange to be counted.
type answering struct {
	http.ResponseWriter
	pending *pending
	started bool
}

func (a *answering) start() {
	if !a.started {
		a.started = true
		a.pending.add()
	}
}

func (a *answering) WriteHeader(code int) {
	a.start()
	a.ResponseWriter.WriteHeader(code)
}

func (a *answering) Write(b []byte) (int, error) {
	a.start()
	return a.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the server's writer (Flush).
func (a *answering) Unwrap() http.ResponseWriter { return a.ResponseWriter }

func (q *pending) wait() {
	q.mu.Lock()
	for q.n > 0 {
		q.zero.Wait()
	}
	q.mu.Unlock()
}

var _ http.Handler = (*Proxy)(nil)

// New checks cfg and builds a Proxy.
func New(cfg Config) (*Proxy, error) {
	if err := CheckUpstream(cfg.Upstream); err != nil {
		return nil, err
	}
	if cfg.MaxBodyBytes < 0 {
		return nil, fmt.Errorf("max body %d: want a positive number of bytes", cfg.MaxBodyBytes)
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("timeout %s: want a positive duration", cfg.Timeout)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Contract == nil {
		c, err := contract.Default()
		if err != nil {
			return nil, err
		}
		cfg.Contract = c
	}
	if cfg.Transport == nil {
		cfg.Transport = newTransport()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	known, err := knownIDs()
	if err != nil {
		return nil, err
	}
	for _, id := range cfg.Allow {
		if !slices.Contains(known, id) {
			return nil, fmt.Errorf("allow %q: not a requirement of the catalogue", id)
		}
	}
	px := &Proxy{cfg: cfg, contract: cfg.Contract, log: newExchangeLog(cfg.Log), tally: newTally(), known: known}
	px.pending.zero = sync.NewCond(&px.pending.mu)
	return px, nil
}

// CheckUpstream reports why u cannot be an upstream: it must be an absolute
// http or https URL with a host and no credentials (the check of every base
// URL, internal/baseurl), and no query or fragment.
func CheckUpstream(u *url.URL) error {
	if err := baseurl.Check("upstream", u); err != nil {
		return err
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return fmt.Errorf("upstream %q: a base URL has no query or fragment", u.Redacted())
	}
	return nil
}

// newTransport is http.DefaultTransport's setup without the environment's
// proxy and without transparent gzip (which would change the answer).
func newTransport() *http.Transport {
	return &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
	}
}

// Summary returns the counts so far.
func (p *Proxy) Summary() Summary {
	p.Settle()
	return p.tally.snapshot()
}

// Settle waits until every exchange whose answer has been sent is checked,
// counted and logged.
func (p *Proxy) Settle() { p.pending.wait() }

// ServeHTTP answers the summary endpoint itself and forwards everything else.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == SummaryPath {
		p.serveSummary(w, r)
		return
	}
	start := p.cfg.Now()
	x := &exchange{
		seq:    p.seq.Add(1),
		start:  start,
		method: r.Method,
		path:   r.URL.Path,
		query:  r.URL.RawQuery,
	}
	x.secrets = credentialsOf(r.Header)
	x.expect = readExpectation(r.Header, p.cfg.Allow, p.known)
	x.header = r.Header
	aw := &answering{ResponseWriter: w, pending: &p.pending}
	abort := p.handle(aw, r, x)
	switch {
	case x.inContract && x.outcome != OutcomeTooLarge:
		x.expect.settle(x.reqViolations, x.respViolations)
	case len(x.expect.declared) > 0:
		x.expect.problems = append(x.expect.problems, HeaderExpectViolation+
			": the request was not checked against the contract (not its operation, or too large): nothing could be expected")
	}
	x.duration = p.cfg.Now().Sub(start)
	p.tally.add(x)
	if x.worthLogging() || p.cfg.Verbose {
		p.log.write(x, p.tally.redactor(x.secrets))
	}
	if aw.started {
		p.pending.done()
	}
	if abort {
		// The client has the headers and part of a body that will never be
		// whole: break its connection off (no last chunk, a short
		// Content-Length, RST_STREAM on HTTP/2) so that it cannot take the
		// part for a complete answer.
		panic(http.ErrAbortHandler)
	}
}

// handle runs one exchange and fills x. It reports abort when the answer
// broke off after its headers had passed to the client.
func (p *Proxy) handle(w http.ResponseWriter, r *http.Request, x *exchange) (abort bool) {
	body, ok := p.readRequestBody(w, r, x)
	if !ok {
		return false
	}
	x.inContract = inContract(r)
	if x.inContract {
		x.reqViolations = p.contract.ValidateRequest(r, body)
		x.requestBody = body
	}
	if x.inContract && len(x.reqViolations) > 0 && p.cfg.RejectInvalidRequests {
		own := withoutCredentialFaults(x.reqViolations)
		if un := x.expect.unexpected(own); len(un) > 0 {
			own = un
			x.outcome = OutcomeRejected
			x.status = http.StatusBadRequest
			writeError(w, x.status, OutcomeRejected, codeParameterInvalid, rejectMessage(own, p.tally.redactor(x.secrets)))
			return false
		}
		if len(own) > 0 {
			x.addNote("the request's violations were all expected (" + HeaderExpectViolation + " or --allow): forwarded despite --reject-invalid-requests")
		} else {
			x.addNote("the request's only fault is its credential, which is the service's to answer: forwarded despite --reject-invalid-requests")
		}
	}

	ctx, cancel := context.WithTimeout(r.Context(), p.cfg.Timeout)
	defer cancel()
	out, err := p.outgoing(ctx, r, body)
	if err != nil { // only a path that makes no URL
		x.outcome, x.status, x.err = OutcomeBadRequest, http.StatusBadRequest, err.Error()
		writeError(w, x.status, OutcomeBadRequest, codeInvalidRequest, "drsconform proxy: "+err.Error())
		return false
	}
	resp, err := p.cfg.Transport.RoundTrip(out)
	if err != nil {
		p.upstreamFailed(w, r, ctx, x, err)
		return false
	}
	defer resp.Body.Close()
	x.status = resp.StatusCode
	head, err := io.ReadAll(io.LimitReader(resp.Body, p.cfg.MaxBodyBytes+1))
	if err != nil {
		// Nothing has reached the client yet: the proxy answers for the
		// upstream, never with the part it got.
		p.brokeOff(w, r, ctx, x, resp, int64(len(head)), err, false)
		return false
	}
	x.outcome = OutcomeForwarded
	copyHeader(w.Header(), resp.Header)
	if int64(len(head)) > p.cfg.MaxBodyBytes {
		// Too large to check: pass it through as it comes.
		x.outcome = OutcomeUnchecked
		x.addNote(fmt.Sprintf("the answer exceeds %d bytes (--max-body): passed through unchecked", p.cfg.MaxBodyBytes))
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(head)
		_ = http.NewResponseController(w).Flush() // the client sees the answer coming
		rest := &readRecorder{r: resp.Body}
		n, err := io.Copy(w, rest)
		switch {
		case rest.err != nil:
			p.brokeOff(w, r, ctx, x, resp, int64(len(head))+n, rest.err, true)
			return true
		case err != nil:
			x.outcome, x.err = OutcomeClientGone, "the client went away: "+err.Error()
			return true
		}
		return false
	}
	// The whole answer is here: the client gets it now, with its length,
	// and the check runs after (ServeHTTP counts and logs it then; Summary
	// waits for that). The answer's bytes are the upstream's either way.
	if bodyAllowed(r.Method, resp.StatusCode) {
		w.Header().Del("Transfer-Encoding")
		w.Header().Set("Content-Length", strconv.Itoa(len(head)))
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(head)
	if x.inContract && !hasLayer(x.reqViolations, contract.LayerRoute) {
		_ = http.NewResponseController(w).Flush()
		p.checkAnswer(r, resp, head, x)
	}
	return false
}

// bodyAllowed reports whether an answer to method with status carries a
// body whose length a Content-Length may state.
func bodyAllowed(method string, status int) bool {
	return method != http.MethodHead && status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// checkAnswer validates the upstream's whole answer (head) to r and fills
// x. A Content-Encoding is undone for the check (decodeContent); when it
// cannot be, the status and Content-Type are still checked, not the body.
func (p *Proxy) checkAnswer(r *http.Request, resp *http.Response, head []byte, x *exchange) {
	body, cannot, err := decodeContent(head, resp.Header.Values("Content-Encoding"), p.cfg.MaxBodyBytes)
	if cannot != "" {
		x.outcome = OutcomeUnchecked
		x.addNote("the body was not checked: " + cannot)
		vs := p.contract.ValidateResponse(r, resp.StatusCode, resp.Header, nil)
		x.respViolations = attributeStatus(withoutLayer(vs, contract.LayerBody), x.reqViolations)
		return
	}
	if err != nil {
		// A client cannot read it either: checked as sent, so that the body
		// is reported as not what the contract declares.
		x.addNote("the body does not decode by its Content-Encoding (" + err.Error() + "): checked as sent")
		body = head
	}
	x.respViolations = attributeStatus(p.contract.ValidateResponse(r, resp.StatusCode, resp.Header, body), x.reqViolations)
	x.responseBody = body
}

// readRequestBody reads the whole request body, at most MaxBodyBytes (413
// beyond, never forwarded).
func (p *Proxy) readRequestBody(w http.ResponseWriter, r *http.Request, x *exchange) ([]byte, bool) {
	limit := p.cfg.MaxBodyBytes
	tooLarge := func() ([]byte, bool) {
		x.outcome, x.status = OutcomeTooLarge, http.StatusRequestEntityTooLarge
		x.inContract = inContract(r)
		x.note = fmt.Sprintf("the request body exceeds %d bytes (--max-body): answered 413, not forwarded", limit)
		writeError(w, x.status, OutcomeTooLarge, codeInvalidRequest,
			fmt.Sprintf("drsconform proxy: the request body exceeds %d bytes; it was not forwarded.", limit))
		return nil, false
	}
	if r.ContentLength > limit {
		return tooLarge()
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return tooLarge()
	case err != nil:
		x.outcome, x.status, x.err = OutcomeBadRequest, http.StatusBadRequest, "reading the request body: "+err.Error()
		writeError(w, x.status, OutcomeBadRequest, codeInvalidRequest, "drsconform proxy: the request body could not be read.")
		return nil, false
	}
	return body, true
}

// outgoing is r as the upstream gets it: same method, path, query, headers
// (hop-by-hop ones aside) and body.
func (p *Proxy) outgoing(ctx context.Context, r *http.Request, body []byte) (*http.Request, error) {
	target := upstreamURL(p.cfg.Upstream, r.URL)
	var rd io.Reader = http.NoBody
	if len(body) > 0 {
		rd = bytes.NewReader(body)
	}
	out, err := http.NewRequestWithContext(ctx, r.Method, target.String(), rd)
	if err != nil {
		return nil, err
	}
	out.Header = r.Header.Clone()
	if out.Header == nil {
		out.Header = make(http.Header)
	}
	removeHopByHop(out.Header)
	if _, ok := out.Header["User-Agent"]; !ok {
		out.Header.Set("User-Agent", "") // not Go's default: the client sent none
	}
	if !p.cfg.RewriteHost {
		out.Host = r.Host
	}
	return out, nil
}

// upstreamURL joins the upstream's base path and the request's path and
// keeps the request's query as it came.
func upstreamURL(base, in *url.URL) *url.URL {
	u := *base
	u.RawPath = strings.TrimSuffix(base.EscapedPath(), "/") + in.EscapedPath()
	u.Path = strings.TrimSuffix(base.Path, "/") + in.Path
	u.RawQuery = in.RawQuery
	return &u
}

// upstreamFailed answers 504 when the upstream took longer than Timeout and
// 502 when it could not be reached or broke off; nothing when the client left.
func (p *Proxy) upstreamFailed(w http.ResponseWriter, r *http.Request, ctx context.Context, x *exchange, err error) {
	up := p.cfg.Upstream.Redacted()
	switch {
	case r.Context().Err() != nil:
		x.outcome, x.status, x.err = OutcomeClientGone, 0, "the client went away: "+err.Error()
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		x.outcome, x.status = OutcomeUpstreamTimeout, http.StatusGatewayTimeout
		x.err = fmt.Sprintf("upstream %s did not answer within %s", up, p.cfg.Timeout)
		writeError(w, x.status, OutcomeUpstreamTimeout, codeServiceAbnormal,
			fmt.Sprintf("drsconform proxy: the upstream %s did not answer within %s (--timeout).", up, p.cfg.Timeout))
	default:
		x.outcome, x.status = OutcomeUpstreamUnreachable, http.StatusBadGateway
		x.err = fmt.Sprintf("upstream %s: %v", up, err)
		writeError(w, x.status, OutcomeUpstreamUnreachable, codeServiceAbnormal,
			fmt.Sprintf("drsconform proxy: the upstream %s could not be reached: %v", up, unwrapURLError(err)))
	}
}

// brokeOff records an upstream answer whose body broke off after got bytes
// (a stall past Timeout, a close before the announced Content-Length or the
// last chunk) as aborted. Unless sent (the headers have passed to the
// client, which handle then cuts off), the proxy answers 504 for a stall
// and 502 otherwise, with the error body: never the part it got.
func (p *Proxy) brokeOff(w http.ResponseWriter, r *http.Request, ctx context.Context, x *exchange, resp *http.Response, got int64, err error, sent bool) {
	if r.Context().Err() != nil {
		x.outcome, x.err = OutcomeClientGone, "the client went away: "+err.Error()
		if !sent {
			x.status = 0
		}
		return
	}
	what := fmt.Sprintf("the upstream's %d answer broke off after %d bytes", resp.StatusCode, got)
	if resp.ContentLength >= 0 {
		what += fmt.Sprintf(" of the %d its Content-Length announced", resp.ContentLength)
	}
	status := http.StatusBadGateway
	why := unwrapURLError(err).Error()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		status, why = http.StatusGatewayTimeout, fmt.Sprintf("no complete answer within %s (--timeout)", p.cfg.Timeout)
	}
	x.outcome, x.err = OutcomeAborted, what+": "+why
	if sent {
		x.addNote("the headers had passed to the client: its connection was broken off")
		return
	}
	x.status = status
	writeError(w, status, OutcomeAborted, codeServiceAbnormal, "drsconform proxy: "+x.err+"; the part was not passed on.")
}

// readRecorder keeps the error of its reader, which io.Copy does not tell
// apart from the writer's.
type readRecorder struct {
	r   io.Reader
	err error
}

func (rr *readRecorder) Read(b []byte) (int, error) {
	n, err := rr.r.Read(b)
	if err != nil && err != io.EOF {
		rr.err = err
	}
	return n, err
}

// unwrapURLError drops the *url.Error wrapper, whose text repeats the
// method and the full URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// inContract reports whether r addresses the contract's operation path,
// /v3/{project_id}/jobs/batch-jobs, with any method (a wrong method is a
// violation, not another API).
func inContract(r *http.Request) bool {
	segs := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	return len(segs) == 4 && segs[0] == "v3" && segs[1] != "" && segs[2] == "jobs" && segs[3] == "batch-jobs"
}

// attributeStatus names REQ-HTTP-01 for an undeclared status given to a
// request that conforms: a well-formed request is answered 202. The contract
// leaves it unattributed because it does not know the request was good.
func attributeStatus(resp, req contract.Violations) contract.Violations {
	if len(req) > 0 {
		return resp
	}
	for i, v := range resp {
		if v.Layer == contract.LayerStatus && v.Requirement == "" {
			resp[i].Requirement = "REQ-HTTP-01"
		}
	}
	return resp
}

func hasLayer(vs contract.Violations, l contract.Layer) bool {
	for _, v := range vs {
		if v.Layer == l {
			return true
		}
	}
	return false
}

// withoutCredentialFaults drops the violations that concern the request's
// credential: no X-Auth-Token and no AK/SK Authorization (the security
// layer, REQ-HDR-01), or a malformed value of either header. Only the
// service can tell a credential it accepts from one it does not, and an
// SDK's tests of its auth handling need the service's own 401 or 403, so
// RejectInvalidRequests leaves these to the upstream.
func withoutCredentialFaults(vs contract.Violations) contract.Violations {
	var out contract.Violations
	for _, v := range vs {
		credential := v.Layer == contract.LayerSecurity ||
			v.Layer == contract.LayerParameter && (strings.EqualFold(v.Pointer, "X-Auth-Token") || strings.EqualFold(v.Pointer, "Authorization"))
		if !credential {
			out = append(out, v)
		}
	}
	return out
}

// addNote adds s to the exchange's note.
func (x *exchange) addNote(s string) {
	if x.note != "" {
		x.note += "; "
	}
	x.note += s
}

func withoutLayer(vs contract.Violations, l contract.Layer) contract.Violations {
	var out contract.Violations
	for _, v := range vs {
		if v.Layer != l {
			out = append(out, v)
		}
	}
	return out
}

// hopByHop are the headers of one connection (RFC 9110, 7.6.1), never forwarded.
var hopByHop = []string{
	"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

func removeHopByHop(h http.Header) {
	for _, f := range h.Values("Connection") {
		for _, name := range strings.Split(f, ",") {
			if name = strings.TrimSpace(name); name != "" {
				h.Del(name)
			}
		}
	}
	for _, name := range hopByHop {
		h.Del(name)
	}
}

func copyHeader(dst, src http.Header) {
	src = src.Clone()
	removeHopByHop(src)
	for k, vs := range src {
		dst[k] = vs
	}
}
