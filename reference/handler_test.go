package reference_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/reference"
)

// busyMessage is the API page's example error_msg for DRS.M01504, word for word.
const busyMessage = "Another operation is being performed on the migration task or the migration task is abnormal. Try again later."

func allStatuses() []reference.Status {
	return append(reference.AppendixStatuses(), reference.SDKStatuses()...)
}

func TestAppendixHas23Statuses(t *testing.T) {
	t.Parallel()
	assert.Len(t, reference.AppendixStatuses(), 23)
	for _, s := range allStatuses() {
		assert.True(t, reference.Known(s), s)
	}
	assert.False(t, reference.Known("PAUSEING"), "the misspelling of one page is not a status")
}

// REQ-STA-01, REQ-STA-02: delete succeeds exactly in D, and the task is
// gone; elsewhere the item fails and the task keeps its state.
func TestDeleteInEveryStatus(t *testing.T) {
	t.Parallel()
	svc := startService(t, reference.Config{ReleaseDelay: time.Hour})
	deletable := map[reference.Status]bool{
		reference.CreateFailed: true, reference.ReleaseResourceComplete: true, reference.ReleaseChildTransferComplete: true,
	}
	for _, st := range allStatuses() {
		t.Run(string(st), func(t *testing.T) {
			t.Parallel()
			id := svc.create(fixture{ProjectID: projectA, Status: st})
			res := svc.batchJobs(projectA, jobs(item(reference.Delete, id)), nil).batch(t)
			require.Len(t, res.Results, 1)
			r := res.Results[0]
			assert.Equal(t, id, r.ID)
			if deletable[st] {
				assert.Equal(t, reference.DeleteJobResp{ID: id, Status: "success"}, r)
				assert.Equal(t, reference.Status(""), svc.status(projectA, id), "gone after delete")
				return
			}
			assert.Equal(t, "failed", r.Status)
			if st == reference.Deleted {
				assert.Equal(t, reference.CodeDeleted, r.ErrorCode)
			} else {
				assert.Equal(t, reference.CodeWrongStatus, r.ErrorCode)
			}
			assert.NotEmpty(t, r.ErrorMsg)
			assert.Equal(t, st, svc.status(projectA, id), "unchanged")
		})
	}
}

// REQ-STA-03, REQ-STA-04, REQ-STA-12: terminate and force_terminate stop a
// stoppable task (RELEASE_RESOURCE_STARTED), fail on any other, and never
// delete.
func TestStopInEveryStatus(t *testing.T) {
	t.Parallel()
	svc := startService(t, reference.Config{ReleaseDelay: time.Hour})
	stoppable := map[reference.Status]bool{
		reference.Creating: true, reference.Configuration: true, reference.StartJobing: true,
		reference.WaitingForStart: true, reference.StartJobFailed: true, reference.Pausing: true,
		reference.FullTransferStarted: true, reference.FullTransferFailed: true,
		reference.IncreTransferStarted: true, reference.IncreTransferFailed: true,
	}
	for _, typ := range []reference.DeleteType{reference.Terminate, reference.ForceTerminate} {
		for _, st := range allStatuses() {
			t.Run(string(typ)+"/"+string(st), func(t *testing.T) {
				t.Parallel()
				id := svc.create(fixture{ProjectID: projectA, Status: st})
				r := svc.batchJobs(projectA, jobs(item(typ, id)), nil).batch(t).Results[0]
				assert.Equal(t, id, r.ID)
				if stoppable[st] {
					assert.Equal(t, reference.DeleteJobResp{ID: id, Status: "success"}, r)
					assert.Equal(t, reference.ReleaseResourceStarted, svc.status(projectA, id))
					return
				}
				assert.Equal(t, "failed", r.Status)
				assert.NotEmpty(t, r.ErrorCode)
				assert.Equal(t, st, svc.status(projectA, id), "a stop never deletes nor changes a task it refuses")
			})
		}
	}
}

// REQ-STA-03 end to end: stop, wait for the release, then delete ("stop the
// task first"); a second delete fails with DRS.M05004 (REQ-STA-08).
func TestStopThenDeleteLifecycle(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name string
		stop reference.DeleteType
		from reference.Status
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		clock := newManualClock()
		svc := startService(t, reference.Config{ReleaseDelay: 200 * time.Millisecond, Now: clock.Now})
		id := svc.create(fixture{ProjectID: projectA, Status: tc.from})
		del := jobs(item(reference.Delete, id))

		first := svc.batchJobs(projectA, del, nil).batch(t).Results[0]
		assert.Equal(t, reference.CodeWrongStatus, first.ErrorCode, "delete before stop")
		assert.Equal(t, tc.from, svc.status(projectA, id))

		assert.Equal(t, "success", svc.batchJobs(projectA, jobs(item(tc.stop, id)), nil).batch(t).Results[0].Status)
		assert.Equal(t, reference.ReleaseResourceStarted, svc.status(projectA, id))
		assert.Equal(t, reference.CodeWrongStatus, svc.batchJobs(projectA, del, nil).batch(t).Results[0].ErrorCode,
			"delete while releasing")
		again := svc.batchJobs(projectA, jobs(item(tc.stop, id)), nil).batch(t).Results[0]
		assert.Equal(t, reference.CodeWrongStatus, again.ErrorCode, "stop while releasing")

		clock.Advance(199 * time.Millisecond)
		assert.Equal(t, reference.ReleaseResourceStarted, svc.status(projectA, id))
		clock.Advance(time.Millisecond)
		assert.Equal(t, reference.ReleaseResourceComplete, svc.status(projectA, id))

		assert.Equal(t, "success", svc.batchJobs(projectA, del, nil).batch(t).Results[0].Status)
		assert.Equal(t, reference.Status(""), svc.status(projectA, id))
		second := svc.batchJobs(projectA, del, nil).batch(t).Results[0]
		assert.Equal(t, reference.CodeDeleted, second.ErrorCode, "REQ-STA-08")
		stopGone := svc.batchJobs(projectA, jobs(item(tc.stop, id)), nil).batch(t).Results[0]
		assert.Equal(t, reference.CodeDeleted, stopGone.ErrorCode)
	}
	for _, tc := range []testCase{
		{name: "terminate incremental", stop: reference.Terminate, from: reference.IncreTransferStarted},
		{name: "force_terminate full", stop: reference.ForceTerminate, from: reference.FullTransferStarted},
		{name: "terminate paused", stop: reference.Terminate, from: reference.Pausing},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

// The release completes on the wall clock too (no injected clock).
func TestReleaseCompletesInRealTime(t *testing.T) {
	t.Parallel()
	svc := startService(t, reference.Config{ReleaseDelay: 20 * time.Millisecond})
	id := svc.create(fixture{ProjectID: projectA, Status: reference.IncreTransferStarted})
	require.Equal(t, "success", svc.batchJobs(projectA, jobs(item(reference.ForceTerminate, id)), nil).batch(t).Results[0].Status)
	require.Eventually(t, func() bool { return svc.status(projectA, id) == reference.ReleaseResourceComplete },
		5*time.Second, 10*time.Millisecond)
	require.Equal(t, "success", svc.batchJobs(projectA, jobs(item(reference.Delete, id)), nil).batch(t).Results[0].Status)
}

// REQ-STA-05, REQ-STA-06: a task of another project answers exactly as an
// unknown one, and is not touched.
func TestProjectsAreIsolated(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name   string
		typ    reference.DeleteType
		status reference.Status
	}
	svc := startService(t, reference.Config{ReleaseDelay: time.Hour})
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		id := svc.create(fixture{ProjectID: projectA, Status: tc.status})
		unknown := "4c6ac8c0-2f51-426a-97b2-cb2c668jb201"
		res := svc.batchJobs(projectB, jobs(item(tc.typ, id), item(tc.typ, unknown)), nil).batch(t)
		require.Len(t, res.Results, 2)
		other, missing := res.Results[0], res.Results[1]
		assert.Equal(t, id, other.ID)
		assert.Equal(t, "failed", other.Status)
		assert.Equal(t, reference.CodeNotFound, other.ErrorCode)
		assert.Equal(t, missing.ErrorCode, other.ErrorCode, "as if unknown")
		assert.Equal(t, missing.ErrorMsg, other.ErrorMsg, "as if unknown")
		assert.Equal(t, tc.status, svc.status(projectA, id), "untouched in its own project")
		assert.Equal(t, reference.Status(""), svc.status(projectB, id), "invisible to the other project")
	}
	for _, tc := range []testCase{
		{name: "delete deletable", typ: reference.Delete, status: reference.CreateFailed},
		{name: "terminate running", typ: reference.Terminate, status: reference.IncreTransferStarted},
		{name: "force_terminate running", typ: reference.ForceTerminate, status: reference.FullTransferStarted},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

// Item rules beyond the status: busy (REQ-STA-07), parent outside
// dual-active (REQ-STA-10), and their messages in both languages (REQ-HDR-05).
func TestItemRules(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name     string
		spec     fixture
		typ      reference.DeleteType
		language string
		wantCode string // "" = success
		wantMsg  string // exact, when set
		after    reference.Status
	}
	svc := startService(t, reference.Config{ReleaseDelay: time.Hour})
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		tc.spec.ProjectID = projectA
		id := svc.create(tc.spec)
		r := svc.batchJobs(projectA, jobs(item(tc.typ, id)), map[string]string{"X-Language": tc.language}).batch(t).Results[0]
		assert.Equal(t, id, r.ID)
		if tc.wantCode == "" {
			assert.Equal(t, reference.DeleteJobResp{ID: id, Status: "success"}, r)
		} else {
			assert.Equal(t, "failed", r.Status)
			assert.Equal(t, tc.wantCode, r.ErrorCode)
			assert.Regexp(t, `^DRS\.[A-Z][0-9]+$`, r.ErrorCode, "REQ-RES-07")
			if tc.wantMsg != "" {
				assert.Equal(t, tc.wantMsg, r.ErrorMsg)
			}
			if tc.language == "zh-cn" {
				assert.Regexp(t, `\p{Han}`, r.ErrorMsg, "REQ-HDR-05")
			} else {
				assert.NotRegexp(t, `\p{Han}`, r.ErrorMsg)
			}
		}
		assert.Equal(t, tc.after, svc.status(projectA, id))
	}
	running := reference.IncreTransferStarted
	for _, tc := range []testCase{
		{name: "busy terminate", spec: fixture{Status: running, Busy: true}, typ: reference.Terminate,
			wantCode: reference.CodeBusy, wantMsg: busyMessage, after: running},
		{name: "busy delete", spec: fixture{Status: reference.CreateFailed, Busy: true}, typ: reference.Delete,
			wantCode: reference.CodeBusy, wantMsg: busyMessage, after: reference.CreateFailed},
		{name: "busy zh-cn", spec: fixture{Status: running, Busy: true}, typ: reference.ForceTerminate, language: "zh-cn",
			wantCode: reference.CodeBusy, after: running},
		{name: "parent not dual-active terminate", spec: fixture{Status: running, Parent: true}, typ: reference.Terminate,
			wantCode: reference.CodeOnlySubtasks, wantMsg: "Only subtasks can call this API.", after: running},
		{name: "parent not dual-active delete", spec: fixture{Status: reference.ReleaseResourceComplete, Parent: true},
			typ: reference.Delete, wantCode: reference.CodeOnlySubtasks, after: reference.ReleaseResourceComplete},
		{name: "parent dual-active terminate", spec: fixture{Status: running, Parent: true, DualActive: true},
			typ: reference.Terminate, after: reference.ReleaseResourceStarted},
		{name: "parent dual-active delete in D", spec: fixture{Status: reference.CreateFailed, Parent: true, DualActive: true},
			typ: reference.Delete, after: ""},
		{name: "parent dual-active delete outside D", spec: fixture{Status: running, Parent: true, DualActive: true},
			typ: reference.Delete, wantCode: reference.CodeWrongStatus, after: running},
		{name: "child of dual-active delete", spec: fixture{Status: reference.ReleaseChildTransferComplete, DualActive: true},
			typ: reference.Delete, after: ""},
		{name: "wrong status zh-cn", spec: fixture{Status: running}, typ: reference.Delete, language: "zh-cn",
			wantCode: reference.CodeWrongStatus, wantMsg: "当前任务状态下不能调用该接口。", after: running},
		{name: "terminate in D en-us", spec: fixture{Status: reference.CreateFailed}, typ: reference.Terminate, language: "en-us",
			wantCode: reference.CodeWrongStatus, after: reference.CreateFailed},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

// REQ-STA-09, REQ-RES-02, REQ-RES-03: a mixed batch is decided item by item,
// one result per entry in request order.
func TestPartialFailure(t *testing.T) {
	t.Parallel()
	svc := startService(t, reference.Config{ReleaseDelay: time.Hour})
	running := svc.create(fixture{ProjectID: projectA, Status: reference.FullTransferStarted})
	busy := svc.create(fixture{ProjectID: projectA, Status: reference.IncreTransferStarted, Busy: true})
	done := svc.create(fixture{ProjectID: projectA, Status: reference.ReleaseResourceComplete})
	stuck := svc.create(fixture{ProjectID: projectA, Status: reference.ChangeJobStarted})
	unknown := "140b5236-88ad-43c8-811c-1268453jb101"

	res := svc.batchJobs(projectA, jobs(
		item(reference.Terminate, running),
		item(reference.Terminate, busy),
		item(reference.Delete, done),
		item(reference.Delete, stuck),
		item(reference.Delete, unknown),
	), nil).batch(t)
	require.Equal(t, 5, res.Count)
	want := []struct{ id, status, code string }{
		{running, "success", ""},
		{busy, "failed", reference.CodeBusy},
		{done, "success", ""},
		{stuck, "failed", reference.CodeWrongStatus},
		{unknown, "failed", reference.CodeNotFound},
	}
	for i, w := range want {
		assert.Equal(t, w.id, res.Results[i].ID, "order")
		assert.Equal(t, w.status, res.Results[i].Status, w.id)
		assert.Equal(t, w.code, res.Results[i].ErrorCode, w.id)
	}
	assert.Equal(t, reference.ReleaseResourceStarted, svc.status(projectA, running))
	assert.Equal(t, reference.IncreTransferStarted, svc.status(projectA, busy))
	assert.Equal(t, reference.Status(""), svc.status(projectA, done))
	assert.Equal(t, reference.ChangeJobStarted, svc.status(projectA, stuck))
}

// REQ-HDR-03: X-Language absent, en-us or zh-cn gives the same outcome; only
// the wording of messages differs.
func TestLanguagesGiveTheSameOutcome(t *testing.T) {
	t.Parallel()
	svc := startService(t, reference.Config{ReleaseDelay: time.Hour})
	var outcomes [][]string
	for _, lang := range []string{"", "en-us", "zh-cn", "fr-fr"} {
		ok := svc.create(fixture{ProjectID: projectA, Status: reference.CreateFailed})
		bad := svc.create(fixture{ProjectID: projectA, Status: reference.IncreTransferStarted})
		res := svc.batchJobs(projectA, jobs(item(reference.Delete, ok), item(reference.Delete, bad)),
			map[string]string{"X-Language": lang}).batch(t)
		var o []string
		for _, r := range res.Results {
			o = append(o, r.Status+" "+r.ErrorCode)
		}
		outcomes = append(outcomes, o)
		if lang == "zh-cn" {
			assert.Regexp(t, `\p{Han}`, res.Results[1].ErrorMsg)
		} else {
			assert.Equal(t, "This API cannot be called in the current task status.", res.Results[1].ErrorMsg,
				"REQ-HDR-04: %q is treated as en-us", lang)
		}
	}
	for _, o := range outcomes[1:] {
		assert.Equal(t, outcomes[0], o)
	}
}

// REQ-STA-11, result-per-entry (the default): a repeated job_id gets a result
// per entry; the task is acted on once.
func TestDuplicatesAccepted(t *testing.T) {
	t.Parallel()
	svc := startService(t, reference.Config{ReleaseDelay: -1})
	id := svc.create(fixture{ProjectID: projectA, Status: reference.IncreTransferStarted})
	res := svc.batchJobs(projectA, jobs(
		item(reference.Terminate, id), item(reference.Delete, id), item(reference.Terminate, id),
	), nil).batch(t)
	require.Equal(t, 3, res.Count)
	assert.Equal(t, "success", res.Results[0].Status)
	for _, r := range res.Results[1:] {
		assert.Equal(t, id, r.ID)
		assert.Equal(t, "failed", r.Status)
		assert.Equal(t, reference.CodeDuplicate, r.ErrorCode)
		assert.Equal(t, "Duplicate job_id in the request.", r.ErrorMsg)
	}
	// A zero release delay completes the stop at once; the repeated delete was not applied.
	assert.Equal(t, reference.ReleaseResourceComplete, svc.status(projectA, id))
}

// REQ-VAL-09, ignored (the default): unknown fields change nothing.
func TestUnknownFieldsIgnored(t *testing.T) {
	t.Parallel()
	svc := startService(t, reference.Config{})
	id := svc.create(fixture{ProjectID: projectA, Status: reference.CreateFailed})
	body := `{"jobs":[{"delete_type":"delete","job_id":"` + id + `","is_show_breakpoint_position":true,"x":1}],"extra":{}}`
	res := svc.batchJobs(projectA, []byte(body), map[string]string{"Content-Type": "application/json; charset=utf-8"}).batch(t)
	assert.Equal(t, "success", res.Results[0].Status)
	assert.Equal(t, reference.Status(""), svc.status(projectA, id))
}

// REQ-VAL-*, REQ-HDR-01/02/04, REQ-VAL-08: an invalid request is answered 4xx
// with the error body, and no task it names changes, not even the valid
// items before the bad one.
func TestInvalidBatchChangesNothing(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name     string
		cfg      reference.Config
		body     func(deletable, running string) string
		headers  map[string]string
		status   int
		code     string
		contains string // in the English error_msg
	}
	valid := func(d, r string) string {
		return `{"delete_type":"delete","job_id":"` + d + `"},{"delete_type":"terminate","job_id":"` + r + `"}`
	}
	withItem := func(bad string) func(string, string) string {
		return func(d, r string) string { return `{"jobs":[` + valid(d, r) + `,` + bad + `]}` }
	}
	fixed := func(s string) func(string, string) string { return func(string, string) string { return s } }
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		svc := startService(t, tc.cfg)
		d := svc.create(fixture{ProjectID: projectA, Status: reference.CreateFailed})
		r := svc.create(fixture{ProjectID: projectA, Status: reference.IncreTransferStarted})
		a := svc.batchJobs(projectA, []byte(tc.body(d, r)), tc.headers)
		require.Equal(t, tc.status, a.status, "%s", a.body)
		e := a.errorBody(t)
		assert.Equal(t, tc.code, e.ErrorCode)
		assert.Contains(t, e.ErrorMsg, tc.contains)
		for _, k := range []string{"X-Auth-Token", "Authorization"} { // REQ-SEC-02: no credential comes back
			if v := tc.headers[k]; len(v) >= 8 {
				assert.NotContains(t, string(a.body), v[len(v)-8:])
			}
		}
		assert.Equal(t, reference.CreateFailed, svc.status(projectA, d), "REQ-VAL-08")
		assert.Equal(t, reference.IncreTransferStarted, svc.status(projectA, r), "REQ-VAL-08")
	}
	for _, tc := range []testCase{
		{name: "empty body", body: fixed(""), status: 400, code: reference.CodeParameterEmpty, contains: "jobs"},
		{name: "not JSON", body: fixed(`{"jobs":[`), status: 400, code: reference.CodeInvalidRequest, contains: "JSON"},
		{name: "trailing data", body: func(d, r string) string { return `{"jobs":[` + valid(d, r) + `]} x` },
			status: 400, code: reference.CodeInvalidRequest, contains: "JSON"},
		{name: "two values", body: func(d, r string) string { return `{"jobs":[` + valid(d, r) + `]}{}` },
			status: 400, code: reference.CodeInvalidRequest},
		{name: "top-level array", body: func(d, r string) string { return `[` + valid(d, r) + `]` },
			status: 400, code: reference.CodeParameterInvalid, contains: "body"},
		{name: "jobs missing", body: fixed(`{}`), status: 400, code: reference.CodeParameterEmpty, contains: "jobs"},
		{name: "jobs null", body: fixed(`{"jobs":null}`), status: 400, code: reference.CodeParameterEmpty, contains: "jobs"},
		{name: "jobs object", body: fixed(`{"jobs":{"delete_type":"delete","job_id":"x"}}`), status: 400,
			code: reference.CodeParameterInvalid, contains: "jobs"},
		{name: "jobs empty", body: fixed(`{"jobs":[]}`), status: 400, code: reference.CodeParameterEmpty, contains: "jobs"},
		{name: "item not object", body: withItem(`"x"`), status: 400, code: reference.CodeParameterInvalid, contains: "jobs[2]"},
		{name: "item null", body: withItem(`null`), status: 400, code: reference.CodeParameterEmpty, contains: "jobs[2]"},
		{name: "no delete_type", body: withItem(`{"job_id":"x"}`), status: 400, code: reference.CodeParameterEmpty,
			contains: "jobs[2].delete_type"},
		{name: "no job_id", body: withItem(`{"delete_type":"delete"}`), status: 400, code: reference.CodeParameterEmpty,
			contains: "jobs[2].job_id"},
		{name: "delete_type capitalised", body: withItem(`{"delete_type":"Delete","job_id":"x"}`), status: 400,
			code: reference.CodeParameterInvalid, contains: "jobs[2].delete_type"},
		{name: "delete_type spaced", body: withItem(`{"delete_type":" delete","job_id":"x"}`), status: 400,
			code: reference.CodeParameterInvalid},
		{name: "delete_type empty", body: withItem(`{"delete_type":"","job_id":"x"}`), status: 400,
			code: reference.CodeParameterInvalid},
		{name: "delete_type number", body: withItem(`{"delete_type":1,"job_id":"x"}`), status: 400,
			code: reference.CodeParameterInvalid},
		{name: "delete_type SDK extension", body: withItem(`{"delete_type":"roll_back_upgrade_active_standby","job_id":"x"}`),
			status: 400, code: reference.CodeParameterInvalid},
		{name: "job_id number", body: withItem(`{"delete_type":"delete","job_id":5}`), status: 400,
			code: reference.CodeParameterInvalid, contains: "jobs[2].job_id"},
		{name: "job_id empty", body: withItem(`{"delete_type":"delete","job_id":""}`), status: 400,
			code: reference.CodeParameterEmpty, contains: "jobs[2].job_id"},
		{name: "job_id null", body: withItem(`{"delete_type":"delete","job_id":null}`), status: 400,
			code: reference.CodeParameterEmpty},
		{name: "key in other case", body: withItem(`{"delete_type":"delete","JOB_ID":"x"}`), status: 400,
			code: reference.CodeParameterEmpty, contains: "jobs[2].job_id"},
		{name: "no credential", body: withItem(`{"delete_type":"delete","job_id":"x"}`),
			headers: map[string]string{"X-Auth-Token": ""}, status: 401, code: reference.CodeNoCredential},
		{name: "no credential, valid body", body: func(d, r string) string { return `{"jobs":[` + valid(d, r) + `]}` },
			headers: map[string]string{"X-Auth-Token": ""}, status: 401, code: reference.CodeNoCredential},
		{name: "wrong token", cfg: reference.Config{Tokens: []string{testToken}},
			body:    func(d, r string) string { return `{"jobs":[` + valid(d, r) + `]}` },
			headers: map[string]string{"X-Auth-Token": "wrong"}, status: 403, code: reference.CodeInvalidToken},
		{name: "bearer scheme", body: func(d, r string) string { return `{"jobs":[` + valid(d, r) + `]}` },
			headers: map[string]string{"X-Auth-Token": "", "Authorization": "Bearer x"}, status: 401, code: reference.CodeNoCredential},
		// REQ-VAL-10: bytes that are not UTF-8 are not JSON; encoding/json
		// alone would answer 202 with U+FFFD in place of them.
		{name: "job_id with 0xFF", body: withItem("{\"delete_type\":\"delete\",\"job_id\":\"x\xff\"}"), status: 400,
			code: reference.CodeInvalidRequest, contains: "UTF-8"},
		{name: "job_id with a lone continuation byte", body: withItem("{\"delete_type\":\"delete\",\"job_id\":\"x\x80\"}"),
			status: 400, code: reference.CodeInvalidRequest, contains: "UTF-8"},
		{name: "job_id with an overlong slash", body: withItem("{\"delete_type\":\"delete\",\"job_id\":\"x\xc0\xaf\"}"),
			status: 400, code: reference.CodeInvalidRequest, contains: "UTF-8"},
		{name: "job_id with an encoded surrogate", body: withItem("{\"delete_type\":\"delete\",\"job_id\":\"x\xed\xa0\x80\"}"),
			status: 400, code: reference.CodeInvalidRequest, contains: "UTF-8"},
		// REQ-SEC-01: a credential the server did not issue.
		{name: "token one character off", cfg: reference.Config{Tokens: []string{testToken}},
			body:    func(d, r string) string { return `{"jobs":[` + valid(d, r) + `]}` },
			headers: map[string]string{"X-Auth-Token": testToken[:len(testToken)-1] + "!"}, status: 403, code: reference.CodeInvalidToken},
		{name: "AK/SK header that cannot verify", cfg: reference.Config{Tokens: []string{testToken}},
			body:    func(d, r string) string { return `{"jobs":[` + valid(d, r) + `]}` },
			headers: map[string]string{"X-Auth-Token": "", "Authorization": "SDK-HMAC-SHA256 Access=" + testToken + ", SignedHeaders=host, Signature=00"},
			status:  403, code: reference.CodeInvalidToken},
		{name: "Authorization without a scheme", cfg: reference.Config{Tokens: []string{testToken}},
			body:    func(d, r string) string { return `{"jobs":[` + valid(d, r) + `]}` },
			headers: map[string]string{"X-Auth-Token": "", "Authorization": testToken}, status: 401, code: reference.CodeNoCredential},
		{name: "no Content-Type", body: func(d, r string) string { return `{"jobs":[` + valid(d, r) + `]}` },
			headers: map[string]string{"Content-Type": ""}, status: 400, code: reference.CodeParameterEmpty, contains: "Content-Type"},
		{name: "text/plain", body: func(d, r string) string { return `{"jobs":[` + valid(d, r) + `]}` },
			headers: map[string]string{"Content-Type": "text/plain"}, status: 400, code: reference.CodeParameterInvalid,
			contains: "Content-Type"},
		{name: "text/plain answered 415", cfg: reference.Config{WrongContentTypeStatus: 415},
			body:    func(d, r string) string { return `{"jobs":[` + valid(d, r) + `]}` },
			headers: map[string]string{"Content-Type": "text/plain"}, status: 415, code: reference.CodeParameterInvalid},
		{name: "other language rejected", cfg: reference.Config{OtherLanguage: reference.OtherLanguageReject},
			body:    func(d, r string) string { return `{"jobs":[` + valid(d, r) + `]}` },
			headers: map[string]string{"X-Language": "fr-fr"}, status: 400, code: reference.CodeParameterInvalid, contains: "X-Language"},
		{name: "duplicate rejected", cfg: reference.Config{Duplicates: reference.DuplicatesReject},
			body: func(d, r string) string {
				return `{"jobs":[` + valid(d, r) + `,{"delete_type":"terminate","job_id":"` + d + `"}]}`
			}, status: 400, code: reference.CodeDuplicate, contains: "job_id"},
		{name: "unknown item field rejected", cfg: reference.Config{UnknownFields: reference.UnknownFieldsReject},
			body: withItem(`{"delete_type":"delete","job_id":"x","force":true}`), status: 400,
			code: reference.CodeInvalidRequest, contains: "jobs[2].force"},
		{name: "unknown top field rejected", cfg: reference.Config{UnknownFields: reference.UnknownFieldsReject},
			body:   func(d, r string) string { return `{"jobs":[` + valid(d, r) + `],"dry_run":true}` },
			status: 400, code: reference.CodeInvalidRequest, contains: "dry_run"},
		{name: "body too large", cfg: reference.Config{MaxBodyBytes: 200},
			body: func(d, r string) string {
				return `{"jobs":[` + valid(d, r) + `,{"delete_type":"delete","job_id":"` + strings.Repeat("x", 300) + `"}]}`
			}, status: 413, code: reference.CodeInvalidRequest, contains: "200 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

// The SDK's is_show_breakpoint_position is known even when unknown fields are rejected.
func TestSDKFieldIsKnown(t *testing.T) {
	t.Parallel()
	svc := startService(t, reference.Config{UnknownFields: reference.UnknownFieldsReject})
	id := svc.create(fixture{ProjectID: projectA, Status: reference.CreateFailed})
	body := `{"jobs":[{"delete_type":"delete","job_id":"` + id + `","is_show_breakpoint_position":false}]}`
	assert.Equal(t, "success", svc.batchJobs(projectA, []byte(body), nil).batch(t).Results[0].Status)
}

// 400 bodies follow X-Language (REQ-HDR-05).
func TestErrorBodyInChinese(t *testing.T) {
	t.Parallel()
	svc := startService(t, reference.Config{})
	e := svc.batchJobs(projectA, []byte(`{"jobs":[]}`), map[string]string{"X-Language": "zh-cn"}).errorBody(t)
	assert.Equal(t, reference.CodeParameterEmpty, e.ErrorCode)
	assert.Equal(t, "参数jobs为空。", e.ErrorMsg)
}

func TestRoutesAnswerJSON(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name   string
		method string
		path   string
		status int
	}
	svc := startService(t, reference.Config{})
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		a := svc.do(tc.method, tc.path, nil, nil)
		assert.Equal(t, tc.status, a.status)
		a.errorBody(t)
	}
	for _, tc := range []testCase{
		{name: "GET batch-jobs", method: http.MethodGet, path: "/v3/p/jobs/batch-jobs", status: 405},
		{name: "POST batch-jobs", method: http.MethodPost, path: "/v3/p/jobs/batch-jobs", status: 405},
		{name: "unknown path", method: http.MethodGet, path: "/v3/p/jobs", status: 404},
		{name: "root", method: http.MethodGet, path: "/", status: 404},
		{name: "DELETE fixture", method: http.MethodDelete, path: "/_conformance/v1/jobs/x", status: 405},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

var jobIDShape = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{7}jb[0-9a-f]{3}$`)

func TestFixtureProtocol(t *testing.T) {
	t.Parallel()
	svc := startService(t, reference.Config{})
	t.Run("IDs look like the page's, and are not hex", func(t *testing.T) {
		t.Parallel()
		seen := map[string]bool{}
		for range 50 {
			id := svc.create(fixture{ProjectID: projectA, Status: reference.Creating})
			assert.Regexp(t, jobIDShape, id)
			assert.False(t, seen[id])
			seen[id] = true
		}
	})
	t.Run("read back per project", func(t *testing.T) {
		t.Parallel()
		id := svc.create(fixture{ProjectID: projectA, Status: reference.ChildTransferStarted, Parent: true, Busy: true})
		assert.Equal(t, reference.ChildTransferStarted, svc.status(projectA, id))
		assert.Equal(t, reference.Status(""), svc.status(projectB, id))
		assert.Equal(t, reference.Status(""), svc.status(projectA, "no-such-task"))
	})
	type testCase struct {
		name    string
		method  string
		path    string
		body    string
		headers map[string]string
		status  int
		code    string
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		var body []byte
		if tc.body != "" {
			body = []byte(tc.body)
		}
		a := svc.do(tc.method, tc.path, body, tc.headers)
		assert.Equal(t, tc.status, a.status, "%s", a.body)
		assert.Equal(t, tc.code, a.errorBody(t).ErrorCode)
	}
	const create = "/_conformance/v1/jobs"
	for _, tc := range []testCase{
		{name: "unknown status", method: "POST", path: create, body: `{"project_id":"p","status":"PAUSEING"}`, status: 400,
			code: reference.CodeParameterInvalid},
		{name: "lower-case status", method: "POST", path: create, body: `{"project_id":"p","status":"creating"}`, status: 400,
			code: reference.CodeParameterInvalid},
		{name: "no status", method: "POST", path: create, body: `{"project_id":"p"}`, status: 400, code: reference.CodeParameterEmpty},
		{name: "no project", method: "POST", path: create, body: `{"status":"CREATING"}`, status: 400, code: reference.CodeParameterEmpty},
		{name: "flag not boolean", method: "POST", path: create, body: `{"project_id":"p","status":"CREATING","busy":"yes"}`,
			status: 400, code: reference.CodeParameterInvalid},
		{name: "not JSON", method: "POST", path: create, body: `{`, status: 400, code: reference.CodeInvalidRequest},
		{name: "no credential", method: "POST", path: create, body: `{"project_id":"p","status":"CREATING"}`,
			headers: map[string]string{"X-Auth-Token": ""}, status: 401, code: reference.CodeNoCredential},
		{name: "GET without project", method: "GET", path: create + "/x", status: 400, code: reference.CodeParameterEmpty},
		{name: "GET without credential", method: "GET", path: create + "/x?project_id=p",
			headers: map[string]string{"X-Auth-Token": ""}, status: 401, code: reference.CodeNoCredential},
		{name: "GET unknown", method: "GET", path: create + "/x?project_id=p", status: 404, code: reference.CodeNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}
