package runner

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"syscall"
	"time"

	"github.com/drsconform/drsconform/internal/untrusted"
	"github.com/drsconform/drsconform/result"
)

// response is an answer as the runner judges it.
type response struct {
	Status    int
	Header    http.Header
	Body      []byte
	Truncated bool
	// Sent is the header the request went out with, signature included
	// (runner/sign.go): what the credential echo check (runner/echo.go)
	// looks for. In memory only, never evidence.
	Sent http.Header
}

// wire sends requests with a per-request timeout, never follows redirects
// (a 3xx is judged as it is, and a token never travels to another host),
// caps response bodies, and sends every request through a
// recordingTransport, which records it as evidence.
type wire struct {
	client  *http.Client
	timeout time.Duration
	maxBody int64
	redact  *Redactor
	signer  *signer // nil: nothing is signed (runner/sign.go)
}

func newWire(base *http.Client, timeout time.Duration, maxBody int64, rd *Redactor) *wire {
	return newWireTLS(base, timeout, maxBody, rd, nil)
}

// newWireTLS is newWire whose own transport (when base brings none) uses
// tlsConf (nil: Go's defaults, the system roots). Proxies come from
// HTTPS_PROXY, HTTP_PROXY and NO_PROXY (http.ProxyFromEnvironment) either way.
func newWireTLS(base *http.Client, timeout time.Duration, maxBody int64, rd *Redactor, tlsConf *tls.Config) *wire {
	c := &http.Client{}
	if base != nil {
		*c = *base
	}
	if c.Transport == nil {
		c.Transport = &http.Transport{
			TLSClientConfig:        tlsConf.Clone(),
			Proxy:                  http.ProxyFromEnvironment,
			DialContext:            (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConnsPerHost:    32,
			IdleConnTimeout:        30 * time.Second,
			TLSHandshakeTimeout:    timeout,
			ResponseHeaderTimeout:  timeout,
			ExpectContinueTimeout:  time.Second,
			MaxResponseHeaderBytes: untrusted.MaxResponseHeaderBytes,
		}
	}
	if t, ok := c.Transport.(*http.Transport); ok && t.MaxResponseHeaderBytes == 0 {
		t = t.Clone() // a caller's transport, bounded like ours
		t.MaxResponseHeaderBytes = untrusted.MaxResponseHeaderBytes
		c.Transport = t
	}
	c.Transport = &recordingTransport{next: c.Transport, redact: rd, maxBody: maxBody, timeout: timeout}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.Timeout = 0 // the per-request context deadline governs
	return &wire{client: c, timeout: timeout, maxBody: maxBody, redact: rd}
}

// do sends one request; the recorder of ctx (withRecorder) keeps its
// evidence, tagged with tag. The returned Exchange is that evidence, always
// filled, also on error.
func (w *wire) do(ctx context.Context, tag exchangeTag, method, rawURL string, header http.Header, body []byte) (*response, result.Exchange, error) {
	r := &recording{tag: tag, rec: recorderOf(ctx)}
	ctx, cancel := context.WithTimeout(context.WithValue(ctx, recordingKey{}, r), w.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, rawURL, bytes.NewReader(body))
	if err != nil { // never sent: recorded here
		ex := w.unsent(tag, method, rawURL, header, body)
		ex.Error = bounded(w.redact, err.Error(), untrusted.FindingTextBytes)
		r.done(ex)
		return nil, ex, fmt.Errorf("%w: %s", ErrTransport, ex.Error)
	}
	req.Header = header.Clone()
	if h := header.Get("Host"); h != "" {
		req.Host = h
	}
	w.signer.sign(req, tag.Kind, body) // headers and body are final: sign now, before the evidence is kept
	resp, err := w.client.Do(req)
	if r.ex == nil { // the client refused it before the transport saw it
		ex := w.unsent(tag, method, rawURL, header, body)
		if err != nil {
			ex.Error = bounded(w.redact, plainNetError(err, rawURL, w.timeout), untrusted.FindingTextBytes)
		}
		r.done(ex)
	}
	ex := *r.ex
	if err != nil {
		terr := fmt.Errorf("%w: %s", ErrTransport, ex.Error)
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || isTimeout(err) {
			return nil, ex, timedOut{terr}
		}
		return nil, ex, terr
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, w.maxBody+1))
	out := &response{Status: resp.StatusCode, Header: resp.Header, Sent: req.Header}
	if int64(len(data)) > w.maxBody {
		data = data[:w.maxBody]
		out.Truncated = true
	}
	out.Body = data
	if err != nil {
		return nil, ex, fmt.Errorf("%w: reading the answer: %s", ErrTransport, ex.Error)
	}
	if out.Truncated {
		return out, ex, fmt.Errorf("%w: the answer is larger than %d bytes", ErrTooLarge, w.maxBody)
	}
	return out, ex, nil
}

// unsent is the evidence of a request that never reached the transport.
func (w *wire) unsent(tag exchangeTag, method, rawURL string, header http.Header, body []byte) result.Exchange {
	t := recordingTransport{redact: w.redact}
	return t.request(tag, method, rawURL, header, body)
}

// evidenceCap bounds each body kept as evidence, after redaction.
const evidenceCap = untrusted.EvidenceBodyBytes

// evidenceHeader is h redacted (names and values), then bounded: at most
// untrusted.EvidenceHeaders values, each name and value cut, and one line
// "…: N more headers" for the rest.
func evidenceHeader(rd *Redactor, h http.Header) http.Header {
	red := rd.Header(h)
	out := make(http.Header, min(len(red), untrusted.EvidenceHeaders+1))
	kept, more := 0, 0
	for _, k := range slices.Sorted(maps.Keys(red)) {
		for _, v := range red[k] {
			if kept >= untrusted.EvidenceHeaders {
				more++
				continue
			}
			name := untrusted.Cut(k, untrusted.EvidenceHeaderBytes, 0)
			out[name] = append(out[name], untrusted.Cut(v, untrusted.EvidenceHeaderBytes, 0))
			kept++
		}
	}
	if more > 0 {
		out["…"] = []string{fmt.Sprintf("%d more headers", more)}
	}
	return out
}

// plainNetError says in plain words why a request got no answer.
func plainNetError(err error, rawURL string, timeout time.Duration) string {
	host := rawURL
	if u, perr := url.Parse(rawURL); perr == nil {
		host = u.Host
	}
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || isTimeout(err):
		return fmt.Sprintf("no answer from %s within %s (--timeout)", host, timeout)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("connection refused by %s: is the target running at that address?", host)
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("cannot resolve host %q: %v", dnsErr.Name, dnsErr.Err)
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Sprintf("%s closed the connection without a complete answer", host)
	case errors.Is(err, context.Canceled):
		return "the run was cancelled"
	}
	return err.Error()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
