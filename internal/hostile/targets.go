// Package hostile holds targets that answer to hurt a client: huge headers,
// huge strings and numbers, a credential echoed in every form, a fixture
// harness that refuses or answers with terminal escapes, upstreams that never
// finish or compress. Each wraps the reference implementation and breaks one
// thing, so a test can say which verdict, exit code and bounds the suite must
// keep against it (hostile_test.go).
package hostile

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/drsconform/drsconform/reference"
)

// Reference is the reference implementation accepting token, with a short
// release delay so lifecycles settle quickly.
func Reference(token string) http.Handler {
	return reference.New(reference.Config{Tokens: []string{token}, ReleaseDelay: 20 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)}).Handler()
}

func isAPI(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/jobs/batch-jobs") }

func isHarness(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/_conformance/") }

// rewriteAPI lets f rewrite every answer of the API (the harness stays
// correct) after the first skip API requests (the preflight's probe).
func rewriteAPI(next http.Handler, skip int32, f func(w http.ResponseWriter, status int, h http.Header, body []byte)) http.Handler {
	var seen atomic.Int32
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isAPI(r) || seen.Add(1) <= skip {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		f(w, rec.Code, rec.Header(), rec.Body.Bytes())
	})
}

func write(w http.ResponseWriter, status int, h http.Header, body []byte) {
	for k, vs := range h {
		if !strings.EqualFold(k, "Content-Length") {
			w.Header()[k] = vs
		}
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// HugeHeaders adds about total bytes of response headers, in headers of
// 8 KiB, to every API answer after the preflight.
func HugeHeaders(next http.Handler, total int) http.Handler {
	return rewriteAPI(next, 1, func(w http.ResponseWriter, status int, h http.Header, body []byte) {
		v := strings.Repeat("h", 8<<10)
		for i := 0; i < total/(8<<10); i++ {
			w.Header().Set(fmt.Sprintf("X-Huge-%d", i), v)
		}
		write(w, status, h, body)
	})
}

// ManyHeaders adds n small headers to every API answer: within any sane
// byte limit, but far more than any evidence should keep.
func ManyHeaders(next http.Handler, n int) http.Handler {
	return rewriteAPI(next, 0, func(w http.ResponseWriter, status int, h http.Header, body []byte) {
		for i := 0; i < n; i++ {
			w.Header().Set(fmt.Sprintf("X-Many-%d", i), "v")
		}
		write(w, status, h, body)
	})
}

// HugeStrings replaces every result id and error_msg of a 202 with a string
// of size bytes, and count with a number of size digits. The answer is
// written out by hand: encoding a megabyte per field, per answer, is slow
// under -race, and only the client's cost is under test.
func HugeStrings(next http.Handler, size int) http.Handler {
	id, msg, count := strings.Repeat("i", size), strings.Repeat("m", size), "1"+strings.Repeat("0", size)
	return rewriteAPI(next, 1, func(w http.ResponseWriter, status int, h http.Header, body []byte) {
		var doc struct {
			Results []json.RawMessage `json:"results"`
		}
		if status != http.StatusAccepted || json.Unmarshal(body, &doc) != nil {
			write(w, status, h, body)
			return
		}
		// Streamed, not built: a batch of 1,000 items is 2 GB of answer,
		// which the client stops reading long before the end.
		for k, vs := range h {
			if !strings.EqualFold(k, "Content-Length") {
				w.Header()[k] = vs
			}
		}
		w.WriteHeader(status)
		if _, err := io.WriteString(w, `{"count":`+count+`,"results":[`); err != nil {
			return
		}
		for i := range doc.Results {
			sep := ","
			if i == 0 {
				sep = ""
			}
			if _, err := fmt.Fprintf(w, `%s{"id":"%d-%s","status":"failed","error_code":"DRS.M05003","error_msg":"%s"}`, sep, i, id, msg); err != nil {
				return // the client has read enough
			}
		}
		_, _ = io.WriteString(w, "]}")
	})
}

// TokenForms are the shapes in which a target may echo a credential: as
// sent, case-changed, JSON-escaped (all or some characters, either hex
// case), URL-encoded (query and path style, every byte).
func TokenForms(token string) []string {
	var jsonAll, jsonAllUpper, pct strings.Builder
	for _, r := range token {
		fmt.Fprintf(&jsonAll, `\u%04x`, r)
		fmt.Fprintf(&jsonAllUpper, `\u%04X`, r)
	}
	for i := 0; i < len(token); i++ {
		fmt.Fprintf(&pct, "%%%02X", token[i])
	}
	half := len(token) / 2
	var jsonHalf strings.Builder
	jsonHalf.WriteString(token[:half])
	for _, r := range token[half:] {
		fmt.Fprintf(&jsonHalf, `\u%04x`, r)
	}
	return []string{token, strings.ToUpper(token), strings.ToLower(token), jsonAll.String(), jsonAllUpper.String(),
		jsonHalf.String(), url.QueryEscape(token), url.PathEscape(token), pct.String(), strings.ToLower(pct.String())}
}

// EchoToken echoes token in every form of TokenForms, in every API answer:
// in headers (values, and a header name), in each result's error_msg (at
// offsets that straddle a 256-byte quote), and in a padding field placed so
// that the token straddles the first 16 KiB of the body.
func EchoToken(next http.Handler, token string) http.Handler {
	forms := TokenForms(token)
	return rewriteAPI(next, 1, func(w http.ResponseWriter, status int, h http.Header, body []byte) {
		for i, f := range forms {
			if !strings.Contains(f, `\`) {
				w.Header().Add("X-Echo", f)
			}
			w.Header().Set(fmt.Sprintf("X-Echo-%d", i), f)
		}
		w.Header().Set("X-Echo-"+token, "name")
		var doc map[string]any
		if json.Unmarshal(body, &doc) != nil {
			write(w, status, h, body)
			return
		}
		// In JSON, a \u form must arrive as those six characters in the
		// body, so the forms are spliced into the encoded text.
		const mark = "ECHO-FORMS-HERE"
		if results, ok := doc["results"].([]any); ok {
			for _, r := range results {
				if m, ok := r.(map[string]any); ok {
					m["error_msg"] = mark
				}
			}
		}
		if _, ok := doc["error_msg"]; ok {
			doc["error_msg"] = mark
		}
		out, _ := json.Marshal(doc)
		echo := strings.Repeat("a", 250) + strings.Join(forms, " ")
		out = bytes.ReplaceAll(out, []byte(mark), []byte(strings.ReplaceAll(echo, `"`, "")))
		prefix := `{"padding":"`
		pad := strings.Repeat("p", 16<<10-len(prefix)-len(token)/2)
		out = append([]byte(prefix+pad+token+`",`), out[1:]...)
		write(w, status, h, out)
	})
}

// Harness replaces the fixture protocol with h and keeps the API.
func Harness(next http.Handler, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isHarness(r) {
			h(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// RefuseFixtures answers every fixture request 400 with reason as error_msg.
func RefuseFixtures(reason string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		body, _ := json.Marshal(map[string]string{"error_code": "DRS.M00202", "error_msg": reason})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write(body)
	}
}

// FakeVerdict is a harness reason that, printed raw, clears the screen and
// writes a verdict of its own.
const FakeVerdict = "\x1b[2J\x1b[H\rverdict: PASS (exit 0)\n\x1b]0;pwned\x07\u202e"

// Gateway refuses every request without the token, as an API gateway does.
func Gateway(next http.Handler, token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Auth-Token") != token {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}`))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Endless answers 202 with the start of a body and then never finishes it.
func Endless() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte(`{"count":1,"results":[{"id":"`))
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		<-r.Context().Done()
	})
}

// Gzip compresses every answer of next when the client accepts gzip.
func Gzip(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(rec.Body.Bytes())
		_ = zw.Close()
		h := rec.Header().Clone()
		h.Set("Content-Encoding", "gzip")
		write(w, rec.Code, h, buf.Bytes())
	})
}
