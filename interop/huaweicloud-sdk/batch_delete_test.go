package interop_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	drs "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/drs/v3"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/drs/v3/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/reference"
)

const (
	accessKey    = "HPUAINTEROPEXAMPLE01"
	secretKey    = "interop-secret-key-example"
	fixtureToken = "interop-fixture-token"
	projectID    = "054ba152d480d55b2f5dc0069e7ddef0"
	releaseDelay = 100 * time.Millisecond
)

// target is a reference server on 127.0.0.1 that verifies AK/SK signatures;
// its fixture protocol is reached with a token.
type target struct {
	t   *testing.T
	url string
}

func startTarget(t *testing.T) *target { return startTargetOf(t, reference.ChoicesReference) }

// startTargetOf is startTarget with the preset of allowed choices
// (reference/otherchoices.go): every test below runs against both.
func startTargetOf(t *testing.T, choices reference.Choices) *target {
	t.Helper()
	srv := httptest.NewServer(reference.New(reference.Config{
		AccessKey: accessKey, SecretKey: secretKey, Tokens: []string{fixtureToken}, ReleaseDelay: releaseDelay,
		Choices: choices,
	}).Handler())
	t.Cleanup(srv.Close)
	return &target{t: t, url: srv.URL}
}

// serverWords are the error codes and one message each preset answers
// with (reference/errors.go; reference/otherchoices.go, otherCode): a
// client must take any code of the appendix, not one server's.
type serverWords struct {
	wrongStatus, notFound, paramInvalid, paramEmpty, busyMsg string
}

var wordsOf = map[reference.Choices]serverWords{
	reference.ChoicesReference: {wrongStatus: reference.CodeWrongStatus, notFound: reference.CodeNotFound,
		paramInvalid: reference.CodeParameterInvalid, paramEmpty: reference.CodeParameterEmpty,
		busyMsg: "Another operation is being performed on the migration task or the migration task is abnormal. Try again later."},
	reference.ChoicesOther: {wrongStatus: "DRS.M00300", notFound: "DRS.M00289", paramInvalid: "DRS.M00007", paramEmpty: "DRS-M00201",
		busyMsg: "The task is busy with another operation. Try again later."},
}

// forEachServer runs f as a parallel sub-test against each preset.
func forEachServer(t *testing.T, f func(t *testing.T, choices reference.Choices)) {
	for _, srv := range choiceServers {
		t.Run(srv.name, func(t *testing.T) {
			t.Parallel()
			f(t, srv.choices)
		})
	}
}

// client is the SDK's DRS client, signing with ak/sk, pointed at the target.
// An http:// endpoint is used as given (the SDK adds https:// only to bare
// hosts), and without a region the SDK makes no IAM call.
func (tg *target) client(ak, sk string) *drs.DrsClient {
	tg.t.Helper()
	cred, err := basic.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithProjectId(projectID).SafeBuild()
	require.NoError(tg.t, err)
	hc, err := drs.DrsClientBuilder().
		WithEndpoints([]string{tg.url}).
		WithCredential(cred).
		WithHttpConfig(config.DefaultHttpConfig().WithTimeout(10 * time.Second).WithRetries(0)).
		SafeBuild()
	require.NoError(tg.t, err)
	return drs.NewDrsClient(hc)
}

// fixture makes a task through the fixture protocol.
func (tg *target) fixture(status reference.Status, busy bool) string {
	tg.t.Helper()
	body, _ := json.Marshal(reference.TaskSpec{ProjectID: projectID, Status: status, Busy: busy})
	req, err := http.NewRequest(http.MethodPost, tg.url+"/_conformance/v1/jobs", bytes.NewReader(body))
	require.NoError(tg.t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Auth-Token", fixtureToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(tg.t, err)
	defer resp.Body.Close()
	require.Equal(tg.t, http.StatusCreated, resp.StatusCode)
	var v reference.TaskView
	require.NoError(tg.t, json.NewDecoder(resp.Body).Decode(&v))
	return v.ID
}

// status reads a task back through the fixture protocol; "" once gone.
func (tg *target) status(id string) reference.Status {
	tg.t.Helper()
	req, err := http.NewRequest(http.MethodGet,
		tg.url+"/_conformance/v1/jobs/"+url.PathEscape(id)+"?project_id="+projectID, nil)
	require.NoError(tg.t, err)
	req.Header.Set("X-Auth-Token", fixtureToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(tg.t, err)
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return ""
	}
	require.Equal(tg.t, http.StatusOK, resp.StatusCode)
	var v reference.TaskView
	require.NoError(tg.t, json.NewDecoder(resp.Body).Decode(&v))
	return v.Status
}

func deleteType(v string) model.DeleteJobReqDeleteType {
	var dt model.DeleteJobReqDeleteType
	if err := json.Unmarshal([]byte(`"`+v+`"`), &dt); err != nil {
		panic(err)
	}
	return dt
}

func batch(lang *model.BatchDeleteJobsRequestXLanguage, items ...model.DeleteJobReq) *model.BatchDeleteJobsRequest {
	return &model.BatchDeleteJobsRequest{XLanguage: lang, Body: &model.BatchDeleteJobReq{Jobs: items}}
}

func job(typ model.DeleteJobReqDeleteType, id string) model.DeleteJobReq {
	return model.DeleteJobReq{DeleteType: typ, JobId: id}
}

// result is a DeleteJobResp with the pointers dereferenced.
type result struct{ id, status, code, msg string }

func results(t *testing.T, resp *model.BatchDeleteJobsResponse) []result {
	t.Helper()
	require.Equal(t, http.StatusAccepted, resp.HttpStatusCode)
	require.NotNil(t, resp.Results)
	require.NotNil(t, resp.Count)
	require.Equal(t, int(*resp.Count), len(*resp.Results))
	var out []result
	for _, r := range *resp.Results {
		var res result
		if r.Id != nil {
			res.id = *r.Id
		}
		if r.Status != nil {
			res.status = r.Status.Value()
		}
		if r.ErrorCode != nil {
			res.code = *r.ErrorCode
		}
		if r.ErrorMsg != nil {
			res.msg = *r.ErrorMsg
		}
		out = append(out, res)
	}
	return out
}

var deleteTypes = model.GetDeleteJobReqDeleteTypeEnum()

// Stop a running task with terminate, wait for the release through the
// fixture protocol, then delete it: the Terraform providers' sequence.
func TestTerminateThenDelete(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name string
		stop model.DeleteJobReqDeleteType
	}
	run := func(t *testing.T, tc testCase, choices reference.Choices) {
		tg := startTargetOf(t, choices)
		c := tg.client(accessKey, secretKey)
		id := tg.fixture(reference.IncreTransferStarted, false)

		resp, err := c.BatchDeleteJobs(batch(nil, job(tc.stop, id)))
		require.NoError(t, err)
		assert.Equal(t, []result{{id: id, status: "success"}}, results(t, resp))
		assert.Equal(t, reference.ReleaseResourceStarted, tg.status(id))

		resp, err = c.BatchDeleteJobs(batch(nil, job(deleteTypes.DELETE, id)))
		require.NoError(t, err)
		early := results(t, resp)[0]
		assert.Equal(t, "failed", early.status, "deleting while resources are released fails")
		assert.Equal(t, wordsOf[choices].wrongStatus, early.code)

		require.Eventually(t, func() bool { return tg.status(id) == reference.ReleaseResourceComplete },
			10*time.Second, 20*time.Millisecond)
		resp, err = c.BatchDeleteJobs(batch(nil, job(deleteTypes.DELETE, id)))
		require.NoError(t, err)
		assert.Equal(t, []result{{id: id, status: "success"}}, results(t, resp))
		assert.Equal(t, reference.Status(""), tg.status(id), "gone after delete")
	}
	for _, tc := range []testCase{
		{name: "terminate", stop: deleteTypes.TERMINATE},
		{name: "force_terminate", stop: deleteTypes.FORCE_TERMINATE},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			forEachServer(t, func(t *testing.T, choices reference.Choices) { run(t, tc, choices) })
		})
	}
}

// A mixed batch: 202, the SDK returns no error, and the caller must read
// each item's status (the SDK does not).
func TestPartialFailure(t *testing.T) {
	t.Parallel()
	forEachServer(t, testPartialFailure)
}

func testPartialFailure(t *testing.T, choices reference.Choices) {
	tg := startTargetOf(t, choices)
	c := tg.client(accessKey, secretKey)
	running := tg.fixture(reference.FullTransferStarted, false)
	busy := tg.fixture(reference.IncreTransferStarted, true)
	done := tg.fixture(reference.CreateFailed, false)
	unknown := "6211d20d-0006-41da-836e-db3301ajb20b"

	resp, err := c.BatchDeleteJobs(batch(nil,
		job(deleteTypes.TERMINATE, running),
		job(deleteTypes.TERMINATE, busy),
		job(deleteTypes.DELETE, done),
		job(deleteTypes.DELETE, unknown),
	))
	require.NoError(t, err)
	got := results(t, resp)
	require.Len(t, got, 4)
	assert.Equal(t, result{id: running, status: "success"}, got[0])
	assert.Equal(t, result{id: busy, status: "failed", code: "DRS.M01504", msg: wordsOf[choices].busyMsg}, got[1])
	assert.Equal(t, result{id: done, status: "success"}, got[2])
	assert.Equal(t, unknown, got[3].id)
	assert.Equal(t, wordsOf[choices].notFound, got[3].code)

	assert.Equal(t, reference.ReleaseResourceStarted, tg.status(running))
	assert.Equal(t, reference.IncreTransferStarted, tg.status(busy))
	assert.Equal(t, reference.Status(""), tg.status(done))
}

// X-Language: zh-cn, set through the SDK's enum, gives Chinese messages
// and the same outcome.
func TestChineseMessages(t *testing.T) {
	t.Parallel()
	forEachServer(t, testChineseMessages)
}

func testChineseMessages(t *testing.T, choices reference.Choices) {
	tg := startTargetOf(t, choices)
	c := tg.client(accessKey, secretKey)
	id := tg.fixture(reference.IncreTransferStarted, false)
	zh := model.GetBatchDeleteJobsRequestXLanguageEnum().ZH_CN
	resp, err := c.BatchDeleteJobs(batch(&zh, job(deleteTypes.DELETE, id)))
	require.NoError(t, err)
	r := results(t, resp)[0]
	assert.Equal(t, "failed", r.status)
	assert.Equal(t, wordsOf[choices].wrongStatus, r.code)
	assert.Regexp(t, `\p{Han}`, r.msg)
	assert.Equal(t, reference.IncreTransferStarted, tg.status(id))
}

// What the SDK makes of answers other than 202: a *sdkerr.ServiceResponseError
// with the status and the error body's code and message, and no task changes.
func TestSDKErrors(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name   string
		sk     string
		req    func(id string) *model.BatchDeleteJobsRequest
		status int
		code   func(serverWords) string
	}
	run := func(t *testing.T, tc testCase, choices reference.Choices) {
		tg := startTargetOf(t, choices)
		id := tg.fixture(reference.CreateFailed, false)
		_, err := tg.client(accessKey, tc.sk).BatchDeleteJobs(tc.req(id))
		require.Error(t, err)
		var se *sdkerr.ServiceResponseError
		require.True(t, errors.As(err, &se), "%T: %v", err, err)
		assert.Equal(t, tc.status, se.StatusCode)
		assert.Equal(t, tc.code(wordsOf[choices]), se.ErrorCode)
		assert.NotEmpty(t, se.ErrorMessage)
		assert.Equal(t, reference.CreateFailed, tg.status(id), "REQ-VAL-08: a 4xx changes nothing")
	}
	for _, tc := range []testCase{
		{name: "the SDK's fourth delete type is not on the page", sk: secretKey, req: func(id string) *model.BatchDeleteJobsRequest {
			return batch(nil, job(deleteTypes.DELETE, id), job(deleteTypes.ROLL_BACK_UPGRADE_ACTIVE_STANDBY, id))
		}, status: 400, code: func(w serverWords) string { return w.paramInvalid }},
		{name: "no jobs (the SDK sends null)", sk: secretKey, req: func(string) *model.BatchDeleteJobsRequest { return batch(nil) },
			status: 400, code: func(w serverWords) string { return w.paramEmpty }},
		{name: "wrong secret key", sk: "not-the-secret-key", req: func(id string) *model.BatchDeleteJobsRequest {
			return batch(nil, job(deleteTypes.DELETE, id))
		}, status: 403, code: func(serverWords) string { return reference.CodeInvalidToken }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			forEachServer(t, func(t *testing.T, choices reference.Choices) { run(t, tc, choices) })
		})
	}
}

// An empty job_id is answered 400, or 202 with a failed item (REQ-VAL-05):
// a caller must handle both. With the 400 (the reference) the SDK returns
// an error and nothing changed; with the 202 (--choices other) the SDK
// returns no error, the other item was acted on, and only the results say
// that the empty one failed.
func TestEmptyJobIDEitherWay(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, choices reference.Choices) {
		tg := startTargetOf(t, choices)
		id := tg.fixture(reference.CreateFailed, false)
		resp, err := tg.client(accessKey, secretKey).BatchDeleteJobs(batch(nil, job(deleteTypes.DELETE, id), job(deleteTypes.DELETE, "")))
		if err != nil {
			var se *sdkerr.ServiceResponseError
			require.True(t, errors.As(err, &se), "%T: %v", err, err)
			assert.Equal(t, http.StatusBadRequest, se.StatusCode)
			assert.Equal(t, wordsOf[choices].paramEmpty, se.ErrorCode)
			assert.Equal(t, reference.CreateFailed, tg.status(id), "REQ-VAL-08: a 400 changes nothing")
			return
		}
		got := results(t, resp)
		require.Len(t, got, 2)
		assert.Equal(t, result{id: id, status: "success"}, got[0])
		assert.Equal(t, "", got[1].id)
		assert.Equal(t, "failed", got[1].status)
		assert.Equal(t, wordsOf[choices].notFound, got[1].code)
		assert.Equal(t, reference.Status(""), tg.status(id), "the valid item was acted on")
	})
}
