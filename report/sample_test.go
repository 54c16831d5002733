package report

import (
	"slices"
	"strings"
	"time"

	"github.com/drsconform/drsconform/conformance"
	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
)

// hostile is content a target may answer with; no format may let it act.
const hostile = `</script><script>alert(1)</script><img src=x onerror=alert(2)> | ` + "``` **bold** [link](http://evil.example/)"

const sampleURL = "http://127.0.0.1:8080/v3/p1/jobs/batch-jobs"

func jsonHeaders() map[string][]string {
	return map[string][]string{"Content-Type": {"application/json"}, "X-Auth-Token": {runner.Redacted}}
}

// sentJobs is what a request {"jobs": [...]} sent, as the runner records it.
func sentJobs(jobs ...result.SentJob) *result.SentRequest {
	return &result.SentRequest{JSON: true, Members: []string{"jobs"}, Jobs: jobs}
}

// job is one object of "jobs" with a delete_type, a job_id and the other
// members named.
func job(deleteType, jobID string, others ...string) result.SentJob {
	return result.SentJob{Members: slices.Sorted(slices.Values(append([]string{"delete_type", "job_id"}, others...))),
		DeleteType: &deleteType, JobID: &jobID}
}

// sampleReport is a fixed run with a case of every verdict, a choice, a
// hostile body, a long body and fixture evidence. Times are fixed, so every
// rendering is deterministic.
func sampleReport() *result.Report {
	start := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	long := `{"count":1,"results":[{"id":"j-long","status":"failed","error_code":"DRS.M05003","error_msg":"` + strings.Repeat("a very long message ", 300) + `"}]}`
	cases := []result.CaseResult{
		{ID: "delete.create-failed", Title: "delete a task in CREATE_FAILED", Theme: "valid-delete-types", File: "cases/valid-delete-types.yaml",
			Verdict: result.Pass, Requirements: []string{"REQ-HTTP-01", "REQ-STA-01"}, Messages: []string{}, DurationMS: 12,
			FixtureStatuses: []string{"CREATE_FAILED"},
			Evidence: []result.Exchange{{Step: 1, Kind: result.KindAPI, Purpose: "request", Method: "DELETE", URL: sampleURL, RequestHeaders: jsonHeaders(),
				RequestBody: `{"jobs":[{"delete_type":"delete","job_id":"j-1"}]}`, Sent: sentJobs(job("delete", "j-1")), Status: 202,
				ResponseHeaders: map[string][]string{"Content-Type": {"application/json"}},
				ResponseBody:    `{"count":1,"results":[{"id":"j-1","status":"success"}]}`, DurationMS: 3,
				Curl: `curl -sS -i -X DELETE '` + sampleURL + `' -H 'Content-Type: application/json' -H "X-Auth-Token: $DRSCONFORM_TOKEN" --data-binary '{"jobs":[{"delete_type":"delete","job_id":"j-1"}]}'`}}},
		{ID: "non-deletable.incre-transfer-started", Title: "delete a running task fails for that item", Theme: "non-deletable", File: "cases/non-deletable.yaml",
			Verdict: result.Fail, Requirements: []string{"REQ-STA-02"}, DurationMS: 40,
			FixtureStatuses: []string{"INCRE_TRANSFER_STARTED"},
			Messages:        []string{"REQ-STA-02 (MUST): expected results[0].status failed; got success"},
			Findings: []result.Finding{{Requirement: "REQ-STA-02", Level: "MUST", Verdict: result.Fail, Layer: result.LayerExpect, Step: 1,
				Expected: "results[0].status failed", Got: "success", Pointer: "/results/0/status"}},
			Evidence: []result.Exchange{
				{Step: 0, Kind: result.KindFixture, Purpose: "fixture: create INCRE_TRANSFER_STARTED", Sent: &result.SentRequest{JSON: true, Status: "INCRE_TRANSFER_STARTED"}, Method: "POST", URL: "http://127.0.0.1:8080/_conformance/v1/jobs",
					RequestHeaders: jsonHeaders(), RequestBody: `{"project_id":"p1","status":"INCRE_TRANSFER_STARTED"}`, Status: 201,
					ResponseBody: `{"id":"j-2","project_id":"p1","status":"INCRE_TRANSFER_STARTED"}`, DurationMS: 1},
				{Step: 1, Kind: result.KindAPI, Purpose: "request", Method: "DELETE", URL: sampleURL, RequestHeaders: jsonHeaders(),
					RequestBody: `{"jobs":[{"delete_type":"delete","job_id":"j-2"}]}`, Sent: sentJobs(job("delete", "j-2")), Status: 202,
					ResponseHeaders: map[string][]string{"Content-Type": {"application/json"}},
					ResponseBody:    `{"count":1,"results":[{"id":"j-2","status":"success","note":"` + strings.ReplaceAll(hostile, `"`, `\"`) + `"}]}`, DurationMS: 4,
					Curl: `curl -sS -i -X DELETE '` + sampleURL + `' -H 'Content-Type: application/json' -H "X-Auth-Token: $DRSCONFORM_TOKEN" --data-binary '{"jobs":[{"delete_type":"delete","job_id":"j-2"}]}'`},
			}},
		{ID: "bad.unknown-job.zh", Title: "an unknown job in Chinese", Theme: "bad-input", File: "cases/bad-input.yaml",
			Verdict: result.Warn, Requirements: []string{"REQ-STA-05", "REQ-HDR-05"}, DurationMS: 9,
			Messages: []string{"REQ-HDR-05 (SHOULD): expected error_msg in Chinese; got " + hostile},
			Findings: []result.Finding{{Requirement: "REQ-HDR-05", Level: "SHOULD", Verdict: result.Warn, Layer: result.LayerExpect, Step: 1,
				Expected: "error_msg in Chinese", Got: hostile}},
			Evidence: []result.Exchange{{Step: 1, Kind: result.KindAPI, Purpose: "request", Method: "DELETE", URL: sampleURL,
				RequestHeaders: map[string][]string{"Content-Type": {"application/json; charset=utf-8"}, "X-Auth-Token": {runner.Redacted}, "X-Language": {"zh-cn"}},
				RequestBody:    `{"jobs":[{"delete_type":"terminate","job_id":"j-long"}]}`, Sent: sentJobs(job("terminate", "j-long")), Status: 202,
				ResponseHeaders: map[string][]string{"Content-Type": {"application/json"}}, ResponseBody: long, Truncated: true, DurationMS: 5,
				Curl: `curl -sS -i -X DELETE '` + sampleURL + `' -H 'X-Language: zh-cn' --data-binary '{"jobs":[{"delete_type":"terminate","job_id":"j-long"}]}'`}}},
		{ID: "batch.duplicate-id", Title: "a job_id twice in one batch", Theme: "partial-failures", File: "cases/partial-failures.yaml",
			Verdict: result.Pass, Requirements: []string{"REQ-STA-11"}, Messages: []string{}, Choices: []result.Choice{{Requirement: "REQ-STA-11", Label: "rejected-400"}}, DurationMS: 7,
			Evidence: []result.Exchange{{Step: 1, Kind: result.KindAPI, Purpose: "request", Method: "DELETE", URL: sampleURL,
				RequestHeaders: map[string][]string{"Content-Type": {"text/plain"}},
				RequestBody:    `{"jobs":[{"delete_type":"Delete","job_id":"j-3"},{"delete_type":"delete","job_id":"j-3","extra":true}]}`,
				Sent:           sentJobs(job("Delete", "j-3"), job("delete", "j-3", "extra")), Status: 400,
				ResponseBody: `{"error_code":"DRS.M00301","error_msg":"duplicate job_id"}`, DurationMS: 2, Curl: "curl …"}}},
		{ID: "parent.dual-active", Title: "a parent task in a dual-active scenario", Theme: "non-deletable", File: "cases/non-deletable.yaml",
			Verdict: result.Skip, Requirements: []string{"REQ-STA-10"}, DurationMS: 1,
			Messages: []string{"fixture unavailable: the harness cannot make dual-active parents"}},
		{ID: "lifecycle.force-terminate", Title: "force_terminate then delete", Theme: "lifecycles", File: "cases/lifecycles.yaml",
			Verdict: result.Error, Requirements: []string{"REQ-STA-04"}, DurationMS: 30000,
			Messages: []string{"could not judge: fixture t: harness: POST /_conformance/v1/jobs: 503 Service Unavailable"},
			Evidence: []result.Exchange{{Step: 0, Kind: result.KindFixture, Purpose: "fixture: create FULL_TRANSFER_STARTED", Sent: &result.SentRequest{JSON: true, Status: "FULL_TRANSFER_STARTED"}, Method: "POST", URL: "http://127.0.0.1:8080/_conformance/v1/jobs",
				RequestHeaders: jsonHeaders(), RequestBody: `{"project_id":"p1","status":"FULL_TRANSFER_STARTED"}`, Status: 503,
				ResponseBody: "<html>" + hostile + "</html>", DurationMS: 30000}}},
	}
	reqs := []result.RequirementResult{
		{ID: "REQ-HTTP-01", Level: conformance.MUST, Sentence: "A well-formed request is answered 202 Accepted.", Source: `drs_03_0113, Status Code: "202 Accepted"`, Verdict: result.Pass, Cases: []string{"delete.create-failed"}},
		{ID: "REQ-HDR-05", Level: conformance.SHOULD, Sentence: "With zh-cn, error_msg is in Chinese.", Source: "profile decision: the page names X-Language", Verdict: result.Warn, Cases: []string{"bad.unknown-job.zh"}},
		{ID: "REQ-STA-01", Level: conformance.MUST, Sentence: "delete of a task in D succeeds.", Source: `drs_03_0113, Description: "only tasks in the CREATE_FAILED … states can be deleted"`, Verdict: result.Pass, Cases: []string{"delete.create-failed"}},
		{ID: "REQ-STA-02", Level: conformance.MUST, Sentence: "delete of a task in any other state fails for that item.", Source: `drs_03_0113, Description: "<b>stop the task first</b>"`, Verdict: result.Fail, Cases: []string{"non-deletable.incre-transfer-started"}},
		{ID: "REQ-STA-04", Level: conformance.MUST, Sentence: "force_terminate of a running task succeeds.", Source: "drs_03_0113", Verdict: result.Error, Cases: []string{"lifecycle.force-terminate"}},
		{ID: "REQ-STA-05", Level: conformance.MUST, Sentence: "An unknown job_id gives a failed item inside a 202.", Source: "drs_03_0113", Verdict: result.Pass, Cases: []string{"bad.unknown-job.zh"}},
		{ID: "REQ-STA-10", Level: conformance.MUST, Sentence: "A parent task outside a dual-active scenario fails.", Source: "related", Verdict: result.Untested, Cases: []string{"parent.dual-active"}},
		{ID: "REQ-STA-11", Level: conformance.MAY, Sentence: "A repeated job_id: 400, or one result per entry.", Source: "profile decision", Verdict: result.Pass, Cases: []string{"batch.duplicate-id"}, Choices: []string{"rejected-400"}},
		{ID: "REQ-RES-03", Level: conformance.SHOULD, Sentence: "Results come in request order.", Source: "profile decision", Verdict: result.Untested, Cases: []string{}},
	}
	return &result.Report{SuiteVersion: "0.1.0-test", SpecSHA256: strings.Repeat("ab", 32), Target: "http://127.0.0.1:8080",
		FixturesURL: "http://127.0.0.1:8080/_conformance", ProjectID: "p1", StartedAt: start, FinishedAt: start.Add(31 * time.Second),
		Verdict: result.Fail, ExitCode: result.ExitNonConformant,
		Summary: result.Summary{Total: 6, Passed: 2, Failed: 1, Warned: 1, Skipped: 1, Errored: 1},
		Cases:   cases, Requirements: reqs,
		Selection: &result.Selection{Partial: true, Tags: []string{"delete", "lifecycle"}, CasesSelected: 6, CasesTotal: 166,
			Requirements: []string{"REQ-HTTP-01", "REQ-HDR-05", "REQ-STA-01", "REQ-STA-02", "REQ-STA-04", "REQ-STA-05", "REQ-STA-11"}, RequirementsTotal: 37},
		Unjudged: []result.Unjudged{{ID: "REQ-STA-04", Level: conformance.MUST, Fatal: true,
			Reasons: []string{"could not judge: fixture harness: GET answered 500 (1 case)"}}},
		Preflight: []result.PreflightCheck{{Name: "target", OK: true, Detail: "DELETE " + sampleURL + " answered 202"},
			{Name: "credentials", OK: true, Detail: "accepted"}, {Name: "harness", OK: true, Detail: "made a task in CREATE_FAILED and read it back"}}}
}
