package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/result"
)

// sendChoices makes one request with a JSON body and the token (unless token is
// "") and returns the status and body.
func sendChoices(t *testing.T, method, url, token, contentType, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// --choices picks the preset; each choice flag given beside it overrides
// the preset, and only that choice.
func TestServeChoicesPresetAndFlags(t *testing.T) {
	t.Parallel()
	const token = "tok-SERVE-CHOICES-1"
	type want struct {
		duplicates, contentType, noCredential int
		releasedAtOnce                        bool
		jobNIDs                               bool // the fixture protocol names tasks "job:N"
	}
	type testCase struct {
		name string
		args []string
		want want
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		base := startServe(t, append([]string{"--token", token}, tc.args...)...)
		status, body := sendChoices(t, http.MethodPost, base+"/_conformance/v1/jobs", token, "application/json", `{"project_id":"p","status":"INCRE_TRANSFER_STARTED"}`)
		require.Equal(t, http.StatusCreated, status, body)
		var view struct{ ID, Status string }
		require.NoError(t, json.Unmarshal([]byte(body), &view))
		assert.Equal(t, tc.want.jobNIDs, strings.HasPrefix(view.ID, "job:"), "job ID %q", view.ID)

		batch := base + "/v3/p/jobs/batch-jobs"
		dup := `{"jobs":[{"delete_type":"delete","job_id":"x"},{"delete_type":"delete","job_id":"x"}]}`
		status, body = sendChoices(t, http.MethodDelete, batch, token, "application/json", dup)
		assert.Equal(t, tc.want.duplicates, status, "REQ-STA-11, a repeated job_id: %s", body)
		status, body = sendChoices(t, http.MethodDelete, batch, token, "text/plain", `{"jobs":[{"delete_type":"delete","job_id":"x"}]}`)
		assert.Equal(t, tc.want.contentType, status, "REQ-HDR-02, a wrong Content-Type: %s", body)
		status, body = sendChoices(t, http.MethodDelete, batch, "", "application/json", `{"jobs":[{"delete_type":"delete","job_id":"x"}]}`)
		assert.Equal(t, tc.want.noCredential, status, "REQ-HDR-01, no credential: %s", body)

		status, body = sendChoices(t, http.MethodDelete, batch, token, "application/json", `{"jobs":[{"delete_type":"terminate","job_id":"`+view.ID+`"}]}`)
		require.Equal(t, http.StatusAccepted, status, body)
		if tc.want.releasedAtOnce {
			_, body = sendChoices(t, http.MethodGet, base+"/_conformance/v1/jobs/"+view.ID+"?project_id=p", token, "application/json", "")
			assert.Contains(t, body, "RELEASE_RESOURCE_COMPLETE", "--release-delay 0: released at once")
		}
	}
	reference := want{duplicates: 202, contentType: 400, noCredential: 401, jobNIDs: false}
	other := want{duplicates: 400, contentType: 415, noCredential: 403, jobNIDs: true}
	for _, tc := range []testCase{
		{name: "default is the reference", want: reference},
		{name: "choices reference", args: []string{"--choices", "reference"}, want: reference},
		{name: "choices other", args: []string{"--choices", "other"}, want: other},
		{name: "a flag overrides the reference's choice", args: []string{"--duplicates", "reject", "--release-delay", "0"},
			want: want{duplicates: 400, contentType: 400, noCredential: 401, releasedAtOnce: true}},
		{name: "flags override the other preset, the rest stays",
			args: []string{"--choices", "other", "--duplicates", "accept", "--content-type-status", "400", "--release-delay", "0"},
			want: want{duplicates: 202, contentType: 400, noCredential: 403, releasedAtOnce: true, jobNIDs: true}},
		{name: "flag before the preset", args: []string{"--duplicates", "accept", "--choices", "other"},
			want: want{duplicates: 202, contentType: 415, noCredential: 403, jobNIDs: true}},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

// `run --target` against `serve --choices other` passes, strict, and the
// report records the other outcome of every choice it played.
func TestRunAgainstServeChoicesOtherPasses(t *testing.T) {
	t.Parallel()
	const token = "tok-SERVE-CHOICES-2"
	base := startServe(t, "--token", token, "--choices", "other")
	dir := t.TempDir()
	choiceReqs := "REQ-STA-11,REQ-VAL-09,REQ-HDR-04,REQ-HDR-02,REQ-HDR-01,REQ-VAL-06,REQ-VAL-05,REQ-STA-12,REQ-RES-06"
	code, out, errOut := runCLI(t, "run", "--quiet", "--strict", "--target", base, "--token", token,
		"--requirements", choiceReqs, "--generate", "0", "--generate-concurrent", "0", "--settle-timeout", "5s", "--report-dir", dir)
	require.Equal(t, result.ExitConformant, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, out, "verdict: PASS (exit 0")

	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	var rep struct {
		Requirements []struct {
			ID      string   `json:"id"`
			Choices []string `json:"choices"`
		} `json:"requirements"`
	}
	require.NoError(t, json.Unmarshal(data, &rep))
	seen := map[string][]string{}
	for _, r := range rep.Requirements {
		seen[r.ID] = r.Choices
	}
	for req, label := range map[string]string{
		"REQ-STA-11": "rejected-400", "REQ-VAL-09": "rejected-400", "REQ-HDR-04": "rejected-400",
		"REQ-HDR-02": "415", "REQ-HDR-01": "403", "REQ-VAL-06": "accepted-empty", "REQ-VAL-05": "failed-item",
	} {
		assert.Contains(t, seen[req], label, "report.json records the other preset's choice of %s", req)
	}
}

// `run --embedded-choices other` plays against the embedded other preset
// and passes, strict; the flag is refused beside --target and for an
// unknown preset.
func TestRunEmbeddedChoices(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, "run", "--quiet", "--strict", "--embedded-choices", "other",
		"--requirements", "REQ-VAL-05,REQ-VAL-06,REQ-HDR-02", "--generate", "0", "--generate-concurrent", "0")
	require.Equal(t, result.ExitConformant, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, errOut, "playing against the embedded server with --embedded-choices other at http://127.0.0.1:")
	assert.Contains(t, out, "REQ-VAL-05 (MUST): the target chose failed-item")
	assert.Contains(t, out, "REQ-HDR-02 (SHOULD): the target chose 415")

	code, _, errOut = runCLI(t, "run", "--embedded-choices", "other", "--target", "http://127.0.0.1:1", "--generate", "0", "--generate-concurrent", "0")
	assert.Equal(t, result.ExitUsage, code)
	assert.Contains(t, errOut, "--embedded-choices picks the embedded server's choices; it does not go with --target")

	code, _, errOut = runCLI(t, "run", "--embedded-choices", "both")
	assert.Equal(t, result.ExitUsage, code)
	assert.Contains(t, errOut, `--embedded-choices "both": invalid value: want reference or other`)
}
