package runner

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/drsconform/drsconform/internal/credential"
	"github.com/drsconform/drsconform/internal/untrusted"
	"github.com/drsconform/drsconform/result"
)

// recorder collects the exchanges of one case, as evidence, in the order
// they happened.
type recorder struct {
	mu   sync.Mutex
	list []result.Exchange
}

func (r *recorder) add(ex ...result.Exchange) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.list = append(r.list, ex...)
	r.mu.Unlock()
}

func (r *recorder) all() []result.Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]result.Exchange(nil), r.list...)
}

// recorderKey is the context key of the recorder that keeps the exchanges
// of requests sent with that context.
type recorderKey struct{}

// withRecorder returns ctx whose requests are recorded by rec: a case's
// evidence, or a list to pick from (pollTask keeps the last read).
func withRecorder(ctx context.Context, rec *recorder) context.Context {
	return context.WithValue(ctx, recorderKey{}, rec)
}

// recorderOf is the recorder of ctx, or nil (nothing is kept).
func recorderOf(ctx context.Context) *recorder {
	rec, _ := ctx.Value(recorderKey{}).(*recorder)
	return rec
}

// exchangeTag is what a request is, for its evidence: which step of the case
// sent it, its kind, a label for people, and what it asked for.
type exchangeTag struct {
	Step    int
	Kind    result.ExchangeKind
	Purpose string
	Sent    *result.SentRequest
}

// recordingKey is the context key of a request's *recording.
type recordingKey struct{}

// recording is one request's evidence in the making: wire.do puts it on the
// request's context; recordingTransport fills ex and hands it to rec.
type recording struct {
	tag exchangeTag
	rec *recorder
	ex  *result.Exchange
}

func (r *recording) done(ex result.Exchange) {
	r.ex = &ex
	r.rec.add(ex)
}

// recordingTransport wraps the client's transport and records every request
// the runner sends through it (API calls, fixture set-up, read-backs,
// preflight probes): method, URL, headers, body, status, response headers
// and body, timing, error and a curl command, each redacted once and then
// cut (internal/untrusted limits). It reads the answer up to maxBody+1
// bytes and hands the caller all of them; only the evidence copy is cut.
type recordingTransport struct {
	next    http.RoundTripper
	redact  *Redactor
	maxBody int64
	timeout time.Duration // for the plain words of a timeout
}

func (t *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r, _ := req.Context().Value(recordingKey{}).(*recording)
	if r == nil {
		return t.next.RoundTrip(req) // not sent by wire.do: no evidence
	}
	body, err := requestBody(req)
	if err != nil {
		return nil, err
	}
	// A signature (or any credential made for this request alone) is
	// redacted wherever this exchange's evidence shows it.
	if rd := t.redact.With(credential.FromHeader(req.Header)...); rd != t.redact {
		tt := *t
		tt.redact = rd
		t = &tt
	}
	rawURL := req.URL.String()
	ex := t.request(r.tag, req.Method, rawURL, req.Header, body)
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		ex.DurationMS = time.Since(start).Milliseconds()
		ex.Error = bounded(t.redact, plainNetError(err, rawURL, t.timeout), untrusted.FindingTextBytes)
		r.done(ex)
		return nil, err
	}
	data, rerr := io.ReadAll(io.LimitReader(resp.Body, t.maxBody+1))
	_ = resp.Body.Close()
	resp.Body = &replayBody{Reader: bytes.NewReader(data), err: rerr}
	ex.DurationMS = time.Since(start).Milliseconds()
	ex.Status = resp.StatusCode
	ex.ResponseHeaders = evidenceHeader(t.redact, resp.Header)
	kept := data
	if int64(len(kept)) > t.maxBody {
		kept = kept[:t.maxBody]
		ex.Truncated = true
	}
	ex.ResponseBody = t.redact.Excerpt(string(kept), evidenceCap)
	if len(kept) > evidenceCap {
		ex.Truncated = true
	}
	if rerr != nil {
		ex.Error = bounded(t.redact, plainNetError(rerr, rawURL, t.timeout), untrusted.FindingTextBytes)
	}
	r.done(ex)
	return resp, nil
}

// request is the evidence of a request before it is sent.
func (t *recordingTransport) request(tag exchangeTag, method, rawURL string, header http.Header, body []byte) result.Exchange {
	return result.Exchange{Step: tag.Step, Kind: tag.Kind, Purpose: tag.Purpose, Sent: tag.Sent, Method: method,
		URL: t.redact.String(rawURL), RequestHeaders: evidenceHeader(t.redact, header),
		RequestBody: t.redact.Excerpt(string(body), evidenceCap),
		Curl:        t.redact.Curl(method, rawURL, header, body, evidenceCap)}
}

// requestBody is a copy of the body req will send, leaving req's own intact.
func requestBody(req *http.Request) ([]byte, error) {
	switch {
	case req.Body == nil || req.Body == http.NoBody:
		return nil, nil
	case req.GetBody != nil:
		rc, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(rc)
	}
	b, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	req.Body = io.NopCloser(bytes.NewReader(b))
	return b, err
}

// replayBody gives the bytes the transport read, then the error that
// stopped the reading, if any.
type replayBody struct {
	*bytes.Reader
	err error
}

func (b *replayBody) Read(p []byte) (int, error) {
	n, err := b.Reader.Read(p)
	if err == io.EOF && b.err != nil {
		return n, b.err
	}
	return n, err
}

func (b *replayBody) Close() error { return nil }
