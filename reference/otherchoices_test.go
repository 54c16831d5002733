package reference

// The test of the "other choices" preset (reference/otherchoices.go): a
// correct implementation that makes, wherever the catalogue leaves a choice
// or the pages leave room, the choice the reference does not. The suite
// must pass it in strict mode: a case that fails it is too strict (issue 5,
// "Must show": no false positive). Its choices are listed by OtherChoices.

import (
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
)

// otherChoicesServer is the preset as serve --choices other runs it.
func otherChoicesServer() http.Handler {
	return New(Config{Tokens: []string{suiteToken}, Choices: ChoicesOther, Logger: slog.New(slog.DiscardHandler)}).Handler()
}

// TestSuitePassesEveryOtherChoice plays the whole suite, strict, against
// the preset: every case must pass; a failure names a case that fails a
// choice the catalogue allows (or a fault of the preset).
func TestSuitePassesEveryOtherChoice(t *testing.T) {
	t.Parallel()
	files, err := cases.LoadEmbeddedCases()
	if err != nil {
		t.Fatalf("cases: %v", err)
	}
	rep, err := playSuite(t.Context(), otherChoicesServer(), files, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	choices := map[string]bool{}
	for _, c := range rep.Cases {
		if c.Verdict != result.Pass {
			t.Errorf("%s: %s: %s", c.ID, c.Verdict, strings.Join(c.Messages, "; "))
		}
		for _, ch := range c.Choices {
			choices[ch.String()] = true
		}
	}
	t.Logf("%d cases: %d passed, %d skipped; choices seen: %v", rep.Summary.Total, rep.Summary.Passed, rep.Summary.Skipped, slices.Sorted(maps.Keys(choices)))
	if rep.Summary.Passed != rep.Summary.Total {
		t.Errorf("%d of %d cases passed: a skip is no pass here, the preset's harness makes every state", rep.Summary.Passed, rep.Summary.Total)
	}
	if rep.ExitCode != result.ExitConformant {
		t.Errorf("exit code %d against the conforming preset, want %d", rep.ExitCode, result.ExitConformant)
	}
	// The preset made the choices it was built to make, and the suite saw them.
	for _, want := range []string{"REQ-STA-11=rejected-400", "REQ-VAL-09=rejected-400", "REQ-HDR-04=rejected-400",
		"REQ-VAL-06=accepted-empty", "REQ-VAL-05=failed-item", "REQ-VAL-11=rejected-400", "REQ-VAL-11=processed-in-full"} {
		if !choices[want] {
			t.Errorf("the report does not show the preset's choice %s (seen: %v)", want, choices)
		}
	}
}

// The preset is only worth its pass if it really differs from the reference.
func TestOtherChoicesDiffer(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(otherChoicesServer())
	t.Cleanup(srv.Close)
	do := func(method, path, body string, header map[string]string) (int, http.Header, string) {
		t.Helper()
		return sendTo(t, srv, method, path, body, header)
	}
	status, _, body := do(http.MethodPost, "/_conformance/v1/jobs", `{"project_id":"p","status":"INCRE_TRANSFER_STARTED"}`, nil)
	if status != http.StatusCreated || !strings.Contains(body, `"id":"job:`) {
		t.Fatalf("fixture: %d %s, want 201 with a job:N id", status, body)
	}
	var view TaskView
	_ = json.Unmarshal([]byte(body), &view)
	batch := "/v3/p/jobs/batch-jobs"
	one := `{"jobs":[{"delete_type":"terminate","job_id":"` + view.ID + `"}]}`

	type check struct {
		name, method, path, body string
		header                   map[string]string
		status                   int
		contains                 string
	}
	for _, c := range []check{
		{"missing credential is a gateway 403", http.MethodDelete, batch, one, map[string]string{headerAuthToken: ""}, 403, "APIGW.0301"},
		{"wrong Content-Type is 415", http.MethodDelete, batch, one, map[string]string{"Content-Type": "text/plain"}, 415, "DRS.M00007"},
		{"duplicates are 400", http.MethodDelete, batch, `{"jobs":[{"delete_type":"delete","job_id":"job:9"},{"delete_type":"delete","job_id":"job:9"}]}`, nil, 400, "DRS.M00007"},
		{"unknown fields are 400", http.MethodDelete, batch, `{"jobs":[{"delete_type":"delete","job_id":"job:9"}],"x":1}`, nil, 400, "DRS.M00007"},
		{"another language is 400", http.MethodDelete, batch, one, map[string]string{"X-Language": "fr"}, 400, "DRS.M00007"},
		{"empty jobs is 202", http.MethodDelete, batch, `{"jobs":[]}`, nil, 202, `"count":0`},
		{"empty job_id is a failed item", http.MethodDelete, batch, `{"jobs":[{"delete_type":"delete","job_id":""}]}`, nil, 202, `{"id":"","status":"failed","error_code":"DRS.M00289"`},
		{"unknown task in Chinese", http.MethodDelete, batch, `{"jobs":[{"delete_type":"delete","job_id":"job:999999"}]}`, map[string]string{"X-Language": "zh-cn"}, 202, "任务不存在"},
		{"stop succeeds with empty error fields", http.MethodDelete, batch, one, nil, 202, `"status":"success","error_code":"","error_msg":""`},
		{"a second stop succeeds as a no-op", http.MethodDelete, batch, one, nil, 202, `"status":"success"`},
		{"releasing for a while", http.MethodGet, "/_conformance/v1/jobs/" + view.ID + "?project_id=p", "", nil, 200, "RELEASE_RESOURCE_STARTED"},
	} {
		status, h, body := do(c.method, c.path, c.body, c.header)
		if status != c.status || !strings.Contains(body, c.contains) {
			t.Errorf("%s: %d %s, want %d with %s", c.name, status, body, c.status, c.contains)
		}
		if ct := h.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
			t.Errorf("%s: Content-Type %q", c.name, ct)
		}
	}
}

// The generated batches hold the preset to the model too: a service that
// makes every other allowed choice passes them, strict, with no false
// positive (seeded: the same batches every time).
func TestOtherChoicesPassGeneratedBatches(t *testing.T) {
	t.Parallel()
	rep := generatedAgainstOtherChoices(t, 100, 20261130)
	generated := 0
	for _, c := range rep.Cases {
		if c.Theme != "generated" {
			continue
		}
		generated++
		if c.Verdict != result.Pass {
			t.Errorf("%s: %s: %s", c.ID, c.Verdict, strings.Join(c.Messages, "; "))
		}
	}
	if generated != 100 {
		t.Errorf("%d generated batches played, want 100", generated)
	}
}

// A field of Config set beside the preset overrides it; the choices made on
// the wire stay the preset's.
func TestOtherChoicesFieldsOverridePreset(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(New(Config{Tokens: []string{suiteToken}, Choices: ChoicesOther,
		Duplicates: DuplicatesAccept, UnknownFields: UnknownFieldsIgnore, OtherLanguage: OtherLanguageDefault,
		WrongContentTypeStatus: http.StatusBadRequest, ReleaseDelay: -1, Logger: slog.New(slog.DiscardHandler)}).Handler())
	t.Cleanup(srv.Close)
	do := func(method, path, body string, header map[string]string) (int, http.Header, string) {
		t.Helper()
		return sendTo(t, srv, method, path, body, header)
	}
	fixture := func(status Status) string {
		t.Helper()
		code, _, body := do(http.MethodPost, "/_conformance/v1/jobs", `{"project_id":"p","status":"`+string(status)+`"}`, nil)
		var view TaskView
		if code != http.StatusCreated || json.Unmarshal([]byte(body), &view) != nil || !strings.HasPrefix(view.ID, "job:") {
			t.Fatalf("fixture: %d %s, want 201 with a job:N id (the preset's)", code, body)
		}
		return view.ID
	}
	running, done := fixture(IncreTransferStarted), fixture(CreateFailed)
	batch := "/v3/p/jobs/batch-jobs"
	type check struct {
		name, body string
		header     map[string]string
		status     int
		contains   string
	}
	for _, c := range []check{
		{"--duplicates accept: a result per entry", `{"jobs":[{"delete_type":"delete","job_id":"` + done + `"},{"delete_type":"delete","job_id":"` + done + `"}]}`,
			nil, 202, `"status":"failed","error_code":"DRS.M00007"`},
		{"--unknown-fields ignore", `{"jobs":[{"delete_type":"delete","job_id":"job:999"}],"x":1}`, nil, 202, `"id":"job:999"`},
		{"--other-language default", `{"jobs":[{"delete_type":"delete","job_id":"job:999"}]}`, map[string]string{"X-Language": "fr"}, 202, "The task does not exist."},
		{"--content-type-status 400", `{"jobs":[{"delete_type":"delete","job_id":"job:999"}]}`, map[string]string{"Content-Type": "text/plain"}, 400, "DRS.M00007"},
		{"the wire choices stay: a gateway 403", `{"jobs":[{"delete_type":"delete","job_id":"job:999"}]}`, map[string]string{"X-Auth-Token": ""}, 403, "APIGW.0301"},
		{"the wire choices stay: an empty batch is 202", `{"jobs":[]}`, nil, 202, `"count":0`},
		{"--release-delay 0: the stop completes at once", `{"jobs":[{"delete_type":"terminate","job_id":"` + running + `"}]}`, nil, 202, `"status":"success","error_code":""`},
	} {
		status, h, body := do(http.MethodDelete, batch, c.body, c.header)
		if status != c.status || !strings.Contains(body, c.contains) {
			t.Errorf("%s: %d %s, want %d with %s", c.name, status, body, c.status, c.contains)
		}
		if ct := h.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
			t.Errorf("%s: Content-Type %q, want the preset's", c.name, ct)
		}
	}
	if status, _, body := do(http.MethodGet, "/_conformance/v1/jobs/"+running+"?project_id=p", "", nil); !strings.Contains(body, string(ReleaseResourceComplete)) {
		t.Errorf("after terminate with ReleaseDelay -1: %d %s, want %s at once", status, body, ReleaseResourceComplete)
	}
}

func TestChoicesValidate(t *testing.T) {
	t.Parallel()
	for _, c := range []Choices{"", ChoicesReference, ChoicesOther} {
		if err := (Config{Choices: c}).Validate(); err != nil {
			t.Errorf("Choices %q: %v", c, err)
		}
	}
	err := Config{Choices: "both"}.Validate()
	if err == nil || !strings.Contains(err.Error(), `choices "both": want "reference" or "other"`) {
		t.Errorf("Choices both: %v, want an error naming the allowed presets", err)
	}
	// The preset fills what is zero and leaves what is set.
	got, err := Config{Choices: ChoicesOther, Duplicates: DuplicatesAccept}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if got.Duplicates != DuplicatesAccept || got.UnknownFields != UnknownFieldsReject || got.OtherLanguage != OtherLanguageReject ||
		got.WrongContentTypeStatus != http.StatusUnsupportedMediaType || got.ReleaseDelay != OtherReleaseDelay {
		t.Errorf("preset other with --duplicates accept: %+v", got)
	}
	got, _ = Config{}.withDefaults()
	if got.Choices != ChoicesReference || got.Duplicates != DuplicatesAccept || got.WrongContentTypeStatus != http.StatusBadRequest || got.ReleaseDelay != DefaultReleaseDelay {
		t.Errorf("zero Config: %+v, want the reference's choices", got)
	}
}

// A signature covers the body and path as sent; the preset rewrites both
// (job:N → the reference's IDs), so it checks the signature first: a signed
// batch of job:N IDs is accepted, a wrong signature is not, and the fixture
// protocol's signed GET of /_conformance/v1/jobs/job:N reads back.
func TestOtherChoicesVerifiesSignaturesOnWhatWasSent(t *testing.T) {
	t.Parallel()
	const ak, sk = "AKOTHERCHOICES000001", "other-choices-secret"
	srv := httptest.NewServer(New(Config{AccessKey: ak, SecretKey: sk, Choices: ChoicesOther, ReleaseDelay: -1,
		Logger: slog.New(slog.DiscardHandler)}).Handler())
	t.Cleanup(srv.Close)
	do := func(method, path, body, secret string) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		SignRequest(req, []byte(body), ak, secret, time.Now())
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := do(http.MethodPost, "/_conformance/v1/jobs", `{"project_id":"p","status":"CREATE_FAILED"}`, sk)
	var view TaskView
	if status != http.StatusCreated || json.Unmarshal([]byte(body), &view) != nil || !strings.HasPrefix(view.ID, "job:") {
		t.Fatalf("signed fixture: %d %s", status, body)
	}
	if status, body := do(http.MethodGet, "/_conformance/v1/jobs/"+view.ID+"?project_id=p", "", sk); status != http.StatusOK {
		t.Errorf("signed fixture read of %s: %d %s, want 200", view.ID, status, body)
	}
	one := `{"jobs":[{"delete_type":"delete","job_id":"` + view.ID + `"}]}`
	if status, body := do(http.MethodDelete, "/v3/p/jobs/batch-jobs", one, "not-the-secret"); status != http.StatusForbidden || !strings.Contains(body, "DRS.M00100") {
		t.Errorf("wrong signature: %d %s, want 403 DRS.M00100", status, body)
	}
	if status, body := do(http.MethodDelete, "/v3/p/jobs/batch-jobs", one, sk); status != http.StatusAccepted || !strings.Contains(body, `"id":"`+view.ID+`","status":"success"`) {
		t.Errorf("signed batch of %s: %d %s, want 202 success", view.ID, status, body)
	}
	if status, body := do(http.MethodPost, "/v3/p/jobs/batch-status", `{"jobs":["`+view.ID+`"]}`, sk); status != http.StatusOK || !strings.Contains(body, `"id":"`+view.ID+`"`) {
		t.Errorf("signed batch-status of %s: %d %s, want 200 naming it", view.ID, status, body)
	}
}

// A generated batch of 100 items or more may be refused as a whole
// (REQ-VAL-11), as the preset refuses one of more than OtherMaxBatchItems:
// seed 7's batch 5 has 585 items; the run passes and records the choice.
func TestOtherChoicesRefuseALargeGeneratedBatch(t *testing.T) {
	t.Parallel()
	rep := generatedAgainstOtherChoices(t, 6, 7)
	refused := false
	for _, c := range rep.Cases {
		if c.Theme != "generated" {
			continue
		}
		if c.Verdict != result.Pass {
			t.Errorf("%s: %s: %s", c.ID, c.Verdict, strings.Join(c.Messages, "; "))
		}
		for _, ch := range c.Choices {
			refused = refused || ch.String() == "REQ-VAL-11=rejected-400"
		}
	}
	if !refused {
		t.Errorf("no generated batch of seed 7 was refused as a whole (REQ-VAL-11=rejected-400): pick a seed with a batch over %d items", OtherMaxBatchItems)
	}
}

// README.md, "A server for every allowed behaviour", has a row for every
// choice of OtherChoices, with its flag.
func TestOtherChoicesInTheREADME(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for line := range strings.Lines(string(readme)) {
		if cells := strings.Split(line, "|"); len(cells) == 7 {
			rows[strings.TrimSpace(cells[1])+"|"+strings.TrimSpace(cells[2])] = strings.TrimSpace(cells[5])
		}
	}
	for _, c := range OtherChoices() {
		flag, ok := rows[c.Requirements+"|"+strings.ReplaceAll(c.What, `"`, "`")]
		if !ok {
			t.Errorf("README.md has no row | %s | %s | in its table of choices", c.Requirements, c.What)
			continue
		}
		want := ""
		if c.Flag != "" {
			want = "`" + c.Flag + "`"
		}
		if flag != want {
			t.Errorf("README.md: %s: flag %q, want %q", c.Requirements, flag, want)
		}
	}
}

// sendTo sends one request to srv as the suite does (JSON, the suite's
// token; an empty value in header deletes that header) and returns what came
// back.
func sendTo(t *testing.T, srv *httptest.Server, method, path, body string, header map[string]string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(headerAuthToken, suiteToken)
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// generatedAgainstOtherChoices plays the smoke cases and n generated batches
// of seed, strict, against the other-choices preset.
func generatedAgainstOtherChoices(t *testing.T, n int, seed uint64) *result.Report {
	t.Helper()
	files, err := cases.LoadEmbeddedCases()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(otherChoicesServer())
	t.Cleanup(srv.Close)
	rep, err := runner.Run(t.Context(), runner.Config{Target: srv.URL, Token: suiteToken, Strict: true, Files: files,
		Parallel: 8, Timeout: 10 * time.Second, SettleTimeout: 5 * time.Second, Generate: n, Seed: seed,
		Filter: runner.Filter{Tags: []string{"smoke"}}})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}
