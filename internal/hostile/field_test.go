package hostile_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/internal/hostile"
	"github.com/drsconform/drsconform/reference"
	"github.com/drsconform/drsconform/runner"
)

// fieldTarget is a staging-like target for `run --fixtures` (README.md,
// "Testing a live endpoint"): the reference with no fixture harness, seeded
// with a fixtures file for the lifecycle cases, whose batch-status answers
// readBack writes once the preflight's first read has passed. It returns the
// target's URL and the file.
func fieldTarget(t *testing.T, readBack http.HandlerFunc) (string, string) {
	t.Helper()
	skel, err := exec.Command(drsconform(t), "fixtures", "plan", "--tags", "lifecycle", "--skeleton").Output()
	require.NoError(t, err)
	n := 0
	file := regexp.MustCompile(`id: TODO`).ReplaceAllStringFunc(string(skel), func(string) string {
		n++
		return fmt.Sprintf("id: hostile-field-%02d-jb01", n)
	})
	file = regexp.MustCompile(`(?m)^(other_)?project_id: TODO.*\n`).ReplaceAllString(file, "")
	path := filepath.Join(t.TempDir(), "tasks.yaml")
	require.NoError(t, os.WriteFile(path, []byte(file), 0o600))
	parsed, err := cases.ParseFixturesFile(path, []byte(file))
	require.NoError(t, err)

	ref := reference.New(reference.Config{Tokens: []string{token}, NoHarness: true, ReleaseDelay: 20 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, ref.Seed(reference.SeedTasksOf(parsed, runner.DefaultProjectID, runner.DefaultOtherProjectID)))
	api := ref.Handler()
	var reads atomic.Int32
	return serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/jobs/batch-status") && reads.Add(1) > 1 {
			readBack(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})), path
}

// The read-back of a field run meets a hostile batch-status: whatever it
// answers, the run can only say it could not judge (exit 3), never pass or
// fail batch-jobs on it, and it keeps every bound: memory, output sizes, no
// escape from the target and no form of the token.
func TestHostileReadBack(t *testing.T) {
	t.Parallel()
	requestedIDs := func(r *http.Request) []string {
		var req struct {
			Jobs []string `json:"jobs"`
		}
		_ = json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(&req)
		return req.Jobs
	}
	huge := strings.Repeat(hostile.FakeVerdict+strings.Join(hostile.TokenForms(token), " "), (1<<20)/300)
	for _, tc := range []struct {
		name     string
		readBack http.HandlerFunc
	}{
		{"results with an unknown code and 1 MiB of escapes and the token", func(w http.ResponseWriter, r *http.Request) {
			type item struct {
				ID      string `json:"id"`
				Code    string `json:"error_code"`
				Message string `json:"error_message"`
			}
			var out struct {
				Count   int    `json:"count"`
				Results []item `json:"results"`
			}
			for _, id := range requestedIDs(r) {
				out.Results = append(out.Results, item{ID: id, Code: "DRS.M99999" + hostile.FakeVerdict, Message: huge})
			}
			out.Count = len(out.Results)
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(out)
		}},
		{"an answer that never ends", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"count":1,"results":[{"id":"`))
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			<-r.Context().Done()
		}},
		{"a 500 with the token and escapes", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = fmt.Fprintf(w, `{"error_code":"DRS.M00500","error_msg":%q}`, hostile.FakeVerdict+strings.Join(hostile.TokenForms(token), " "))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url, path := fieldTarget(t, tc.readBack)
			res := runCLI(t, "run", "--target", url, "--token", token, "--fixtures", path, "--tags", "lifecycle",
				"--timeout", "2s", "--settle-timeout", "3s")
			t.Logf("exit %d, peak RSS %d MiB, stdout %d bytes, reports %d bytes", res.code, res.rss>>20, len(res.stdout), res.reportBytes)
			assert.Equal(t, 3, res.code, "stdout:\n%s\nstderr:\n%s", tail(res.stdout), tail(res.stderr))
			assert.Regexp(t, `(?m)^verdict: (INCOMPLETE|ERROR) `, res.stdout)
			assert.NotRegexp(t, `(?m)^verdict: (PASS|FAIL)`, res.stdout)
			assert.Contains(t, res.reports["report.json"], "read-back", "the errors say the read-back failed")
			assertBounded(t, res)
		})
	}
}
