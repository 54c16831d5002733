package runner

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/drsconform/drsconform/cases"
)

// Every id_kind gives a valid UTF-8 ID with a random part (new on every
// run) and the characters it promises; JSON carries it unchanged.
func TestShapedIDs(t *testing.T) {
	t.Parallel()
	promise := map[string]string{
		cases.IDKindCJK: "迁", cases.IDKindEmoji: "🚀", cases.IDKindCombining: "e\u0301",
		cases.IDKindEscape: `"\<>&` + "\u2028\t", cases.IDKindURL: "/?#%+& =",
	}
	for _, kind := range cases.IDKinds() {
		a, b := shapedID(kind), shapedID(kind)
		if a == b {
			t.Errorf("%s: two IDs alike, %q", kind, a)
		}
		if !utf8.ValidString(a) {
			t.Errorf("%s: not UTF-8: %q", kind, a)
		}
		for _, r := range promise[kind] {
			if !strings.ContainsRune(a, r) {
				t.Errorf("%s: %q lacks %q", kind, a, r)
			}
		}
		buf, _ := json.Marshal(a)
		var back string
		if err := json.Unmarshal(buf, &back); err != nil || back != a {
			t.Errorf("%s: JSON round trip gives %q, %v", kind, back, err)
		}
	}
	if n := len(shapedID(cases.IDKindLong)); n != cases.LongIDBytes {
		t.Errorf("a long ID is %d bytes, want %d", n, cases.LongIDBytes)
	}
}

// A generated batch has its fixtures at their 1-based positions and fresh
// IDs elsewhere, all different.
func TestBatchBody(t *testing.T) {
	t.Parallel()
	body := batchBody(&cases.Batch{Size: 5, DeleteType: "terminate", At: map[int]string{1: "a", 5: "b"}},
		map[string]string{"a": "job-a", "b": "job-b"})
	ids := requestedJobIDs(body)
	if len(ids) != 5 || ids[0] != "job-a" || ids[4] != "job-b" {
		t.Fatalf("ids %q", ids)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("%q twice", id)
		}
		seen[id] = true
	}
	if strings.Count(string(body), `"delete_type":"terminate"`) != 5 {
		t.Errorf("body %s", body)
	}
}
