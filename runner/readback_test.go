package runner

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/drsconform/drsconform/internal/credential"
)

// Each form of "gone" batch-status may answer reads as gone; a status reads
// as itself.
func TestParseBatchStatusGone(t *testing.T) {
	t.Parallel()
	rd := credential.ForToken("")
	body := `{"count":6,"results":[
		{"id":"a","status":"INCRE_TRANSFER_STARTED"},
		{"id":"b","status":"failed","error_code":"DRS.M05003","error_message":"task information not found"},
		{"id":"c","error_code":"DRS.M05004","error_message":"deleted"},
		{"id":"d","error_code":"DRS.M00289","error_message":"does not exist"},
		{"id":"e","error_code":"DRS-M05003","error_message":"old spelling"},
		{"id":"zz","status":"CREATING"}]}`
	got, err := parseBatchStatus(rd, 200, []byte(body), []string{"a", "b", "c", "d", "e", "f"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "INCRE_TRANSFER_STARTED", "b": gone, "c": gone, "d": gone, "e": gone, "f": gone}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: got %q, want %q", id, got[id], w)
		}
	}
}

// Anything else unexpected is an ErrReadBack, bounded and escaped: never a
// finding.
func TestParseBatchStatusUnexpected(t *testing.T) {
	t.Parallel()
	rd := credential.ForToken("")
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"500", 500, `{"error_code":"DRS.M00004","error_msg":"boom"}`, "answered 500, want 200: DRS.M00004 boom"},
		{"404", 404, `not here`, "answered 404"},
		{"400", 400, `{"error_code":"DRS.M00203","error_msg":"bad"}`, "answered 400"},
		{"not JSON", 200, `<html>`, "not a JSON object"},
		{"array", 200, `[]`, "not a JSON object"},
		{"no results", 200, `{"count":0}`, "without a results array"},
		{"results not array", 200, `{"results":{}}`, "not a JSON object"},
		{"no id", 200, `{"results":[{"status":"CREATING"}]}`, "has no string id"},
		{"neither", 200, `{"results":[{"id":"a","error_code":"DRS.M00001","error_message":"other"}]}`, "neither a status nor a not-found error code"},
		{"no status of the spec", 200, `{"results":[{"id":"a","status":"DELETED_FOR_REAL"}]}`, "which is no task status of the spec"},
		{"answered twice, differently", 200, `{"results":[{"id":"a","status":"CREATING"},{"id":"a","error_code":"DRS.M05004"}]}`, "answers task a twice, as CREATING and as (gone)"},
		{"escaped", 200, "{\"results\":[{\"id\":\"a\",\"error_code\":\"\\u001b[2J" + strings.Repeat("x", 5000) + "\"}]}", "neither"},
	} {
		_, err := parseBatchStatus(rd, tc.status, []byte(tc.body), []string{"a"})
		if !errors.Is(err, ErrReadBack) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an ErrReadBack containing %q", tc.name, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), "\x1b") || len(err.Error()) > 2000 {
			t.Errorf("%s: not bounded and escaped: %d bytes", tc.name, len(err.Error()))
		}
	}
}

// apiReader asks batch-status on the target, in chunks, with the request
// the API page gives.
func TestAPIReaderChunks(t *testing.T) {
	t.Parallel()
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.Method != http.MethodPost || r.URL.Path != "/v3/p1/jobs/batch-status" || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(400)
			return
		}
		_, _ = w.Write([]byte(`{"count":0,"results":[]}`))
	}))
	t.Cleanup(srv.Close)
	a := &apiReader{target: srv.URL, header: http.Header{"Content-Type": {"application/json"}},
		wire: newWire(nil, 2*time.Second, 1<<20, credential.ForToken(""))}
	ids := make([]string, batchStatusChunk+1)
	for i := range ids {
		ids[i] = absentID()
	}
	got, err := a.read(context.Background(), 0, "p1", ids)
	if err != nil || calls != 2 || len(got) != len(ids) || got[ids[0]] != gone {
		t.Fatalf("calls %d, err %v, %d results", calls, err, len(got))
	}
	if _, exists, err := a.get(context.Background(), 0, "p1", "x"); err != nil || exists {
		t.Fatalf("get: exists %v, err %v", exists, err)
	}
}
