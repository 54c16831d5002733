package contract_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/contract"
	"github.com/drsconform/drsconform/schemas"
)

// exchange is one request, or one response to a well-formed request, to
// validate. A zero status means the request itself is validated.
type exchange struct {
	method string // DELETE unless set
	path   string // examplePath unless set
	// header edits the default headers: validHeaders() for a request,
	// jsonHeader() for a response.
	header func(http.Header)
	status int
	body   string
}

func (e exchange) validate(c *contract.Contract) contract.Violations {
	method, target := e.method, e.path
	if method == "" {
		method = http.MethodDelete
	}
	if target == "" {
		target = examplePath
	}
	if e.status == 0 {
		h := validHeaders()
		if e.header != nil {
			e.header(h)
		}
		return c.ValidateRequest(newRequest(method, target, h), []byte(e.body))
	}
	h := jsonHeader()
	if e.header != nil {
		e.header(h)
	}
	return c.ValidateResponse(newRequest(method, target, validHeaders()), e.status, h, []byte(e.body))
}

func set(key, value string) func(http.Header) {
	return func(h http.Header) { h.Set(key, value) }
}

func del(keys ...string) func(http.Header) {
	return func(h http.Header) {
		for _, k := range keys {
			h.Del(k)
		}
	}
}

func both(fs ...func(http.Header)) func(http.Header) {
	return func(h http.Header) {
		for _, f := range fs {
			f(h)
		}
	}
}

// aksk makes a request signed the way the Huawei Cloud SDK signs, with no token.
var aksk = both(del("X-Auth-Token"),
	set("Authorization", "SDK-HMAC-SHA256 Access=AKEXAMPLE, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=0f1e2d"),
	set("X-Sdk-Date", "20260101T000000Z"),
	set("X-Project-Id", "054ba152d480d55b2f5dc0069e7ddef0"))

const (
	oneJob     = `{"jobs":[{"delete_type":"delete","job_id":"140b5236-88ad-43c8-811c-1268453jb101"}]}`
	oneResult  = `{"count":1,"results":[{"id":"140b5236-88ad-43c8-811c-1268453jb101","status":"success"}]}`
	errorBody  = `{"error_code":"DRS.M00201","error_msg":"The jobs parameter is empty."}`
	itemFormat = `{"jobs":[{"delete_type":%s,"job_id":%s}]}`
)

func item(deleteType, jobID string) string { return fmt.Sprintf(itemFormat, deleteType, jobID) }

func result(fields string) string { return `{"count":1,"results":[{` + fields + `}]}` }

// Each row breaks the contract in exactly one way, and the contract says so
// once, with the keyword and pointer (and requirement) the row names.
func TestInvalidExchangesAreRejectedForTheirReason(t *testing.T) {
	t.Parallel()
	c := defaultContract(t)

	type testCase struct {
		name string
		exchange
		requirement string
		layer       contract.Layer
		keyword     string
		pointer     string
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		got := tc.validate(c)
		require.Len(t, got, 1, "want exactly one violation, got: %v", got)
		v := got[0]
		assert.Equal(t, tc.keyword, v.Keyword, "keyword (%v)", v)
		assert.Equal(t, tc.pointer, v.Pointer, "pointer (%v)", v)
		assert.Equal(t, tc.requirement, v.Requirement, "requirement (%v)", v)
		assert.Equal(t, tc.layer, v.Layer, "layer (%v)", v)
		assert.NotEmpty(t, v.Message)
	}
	body := contract.LayerBody
	for _, tc := range []testCase{
		// Requests: the body (REQ-VAL-*).
		{name: "request body not JSON", exchange: exchange{body: `jobs=terminate`},
			requirement: "REQ-VAL-01", layer: body, keyword: "json", pointer: ""},
		{name: "request body empty", exchange: exchange{body: ``},
			requirement: "REQ-VAL-01", layer: body, keyword: "json", pointer: ""},
		{name: "request body white space only", exchange: exchange{body: " \n"},
			requirement: "REQ-VAL-01", layer: body, keyword: "json", pointer: ""},
		{name: "trailing garbage after the JSON", exchange: exchange{body: oneJob + `}`},
			requirement: "REQ-VAL-01", layer: body, keyword: "json", pointer: ""},
		{name: "two JSON values", exchange: exchange{body: oneJob + "\n" + oneJob},
			requirement: "REQ-VAL-01", layer: body, keyword: "json", pointer: ""},
		{name: "body an array, not an object", exchange: exchange{body: `[{"delete_type":"delete","job_id":"a"}]`},
			requirement: "REQ-VAL-02", layer: body, keyword: "type", pointer: ""},
		{name: "jobs missing", exchange: exchange{body: `{"job":[{"delete_type":"delete","job_id":"a"}]}`},
			requirement: "REQ-VAL-02", layer: body, keyword: "required", pointer: "/jobs"},
		{name: "jobs null", exchange: exchange{body: `{"jobs":null}`},
			requirement: "REQ-VAL-02", layer: body, keyword: "type", pointer: "/jobs"},
		{name: "jobs a string", exchange: exchange{body: `{"jobs":"140b5236-88ad-43c8-811c-1268453jb101"}`},
			requirement: "REQ-VAL-02", layer: body, keyword: "type", pointer: "/jobs"},
		{name: "jobs an object wrapping jobs", exchange: exchange{body: `{"jobs":{"jobs":[{"delete_type":"delete","job_id":"a"}]}}`},
			requirement: "REQ-VAL-02", layer: body, keyword: "type", pointer: "/jobs"},
		{name: "jobs empty", exchange: exchange{body: `{"jobs":[]}`},
			requirement: "REQ-VAL-06", layer: body, keyword: "minItems", pointer: "/jobs"},
		{name: "jobs nested in an extra array", exchange: exchange{body: `{"jobs":[[{"delete_type":"delete","job_id":"a"}]]}`},
			requirement: "REQ-VAL-03", layer: body, keyword: "type", pointer: "/jobs/0"},
		{name: "job a string", exchange: exchange{body: `{"jobs":["140b5236-88ad-43c8-811c-1268453jb101"]}`},
			requirement: "REQ-VAL-03", layer: body, keyword: "type", pointer: "/jobs/0"},
		{name: "second job null", exchange: exchange{body: `{"jobs":[{"delete_type":"delete","job_id":"a"},null]}`},
			requirement: "REQ-VAL-03", layer: body, keyword: "type", pointer: "/jobs/1"},
		{name: "delete_type missing", exchange: exchange{body: `{"jobs":[{"job_id":"a"}]}`},
			requirement: "REQ-VAL-03", layer: body, keyword: "required", pointer: "/jobs/0/delete_type"},
		{name: "job_id missing", exchange: exchange{body: `{"jobs":[{"delete_type":"delete"}]}`},
			requirement: "REQ-VAL-03", layer: body, keyword: "required", pointer: "/jobs/0/job_id"},
		{name: "delete_type capitalised", exchange: exchange{body: item(`"Delete"`, `"a"`)},
			requirement: "REQ-VAL-04", layer: body, keyword: "enum", pointer: "/jobs/0/delete_type"},
		{name: "delete_type upper case", exchange: exchange{body: item(`"TERMINATE"`, `"a"`)},
			requirement: "REQ-VAL-04", layer: body, keyword: "enum", pointer: "/jobs/0/delete_type"},
		{name: "delete_type with a leading space", exchange: exchange{body: item(`" delete"`, `"a"`)},
			requirement: "REQ-VAL-04", layer: body, keyword: "enum", pointer: "/jobs/0/delete_type"},
		{name: "delete_type empty", exchange: exchange{body: item(`""`, `"a"`)},
			requirement: "REQ-VAL-04", layer: body, keyword: "enum", pointer: "/jobs/0/delete_type"},
		{name: "delete_type with a hyphen", exchange: exchange{body: item(`"force-terminate"`, `"a"`)},
			requirement: "REQ-VAL-04", layer: body, keyword: "enum", pointer: "/jobs/0/delete_type"},
		// The Huawei Cloud SDK knows a fourth type; the page does not.
		{name: "delete_type Huawei extension", exchange: exchange{body: item(`"roll_back_upgrade_active_standby"`, `"a"`)},
			requirement: "REQ-VAL-04", layer: body, keyword: "enum", pointer: "/jobs/0/delete_type"},
		{name: "delete_type a number", exchange: exchange{body: item(`1`, `"a"`)},
			requirement: "REQ-VAL-04", layer: body, keyword: "type", pointer: "/jobs/0/delete_type"},
		{name: "delete_type an array", exchange: exchange{body: item(`["delete"]`, `"a"`)},
			requirement: "REQ-VAL-04", layer: body, keyword: "type", pointer: "/jobs/0/delete_type"},
		{name: "job_id a number", exchange: exchange{body: item(`"delete"`, `140`)},
			requirement: "REQ-VAL-05", layer: body, keyword: "type", pointer: "/jobs/0/job_id"},
		{name: "job_id null", exchange: exchange{body: item(`"delete"`, `null`)},
			requirement: "REQ-VAL-05", layer: body, keyword: "type", pointer: "/jobs/0/job_id"},
		{name: "job_id empty", exchange: exchange{body: item(`"delete"`, `""`)},
			requirement: "REQ-VAL-05", layer: body, keyword: "minLength", pointer: "/jobs/0/job_id"},

		// Requests: headers, credentials, route.
		{name: "Content-Type text/plain", exchange: exchange{header: set("Content-Type", "text/plain"), body: oneJob},
			requirement: "REQ-HDR-02", layer: contract.LayerContentType, keyword: "content-type", pointer: "Content-Type"},
		{name: "Content-Type form", exchange: exchange{header: set("Content-Type", "application/x-www-form-urlencoded"), body: oneJob},
			requirement: "REQ-HDR-02", layer: contract.LayerContentType, keyword: "content-type", pointer: "Content-Type"},
		{name: "Content-Type absent", exchange: exchange{header: del("Content-Type"), body: oneJob},
			requirement: "REQ-HDR-02", layer: contract.LayerContentType, keyword: "content-type", pointer: "Content-Type"},
		{name: "Content-Type unparsable", exchange: exchange{header: set("Content-Type", "application/json; charset"), body: oneJob},
			requirement: "REQ-HDR-02", layer: contract.LayerContentType, keyword: "content-type", pointer: "Content-Type"},
		{name: "X-Language fr", exchange: exchange{header: set("X-Language", "fr"), body: oneJob},
			requirement: "REQ-HDR-04", layer: contract.LayerParameter, keyword: "enum", pointer: "X-Language"},
		{name: "X-Language other letter case", exchange: exchange{header: set("X-Language", "EN-US"), body: oneJob},
			requirement: "REQ-HDR-04", layer: contract.LayerParameter, keyword: "enum", pointer: "X-Language"},
		{name: "no credential", exchange: exchange{header: del("X-Auth-Token"), body: oneJob},
			requirement: "REQ-HDR-01", layer: contract.LayerSecurity, keyword: "security", pointer: "X-Auth-Token"},
		{name: "empty X-Auth-Token", exchange: exchange{header: set("X-Auth-Token", ""), body: oneJob},
			requirement: "REQ-HDR-01", layer: contract.LayerSecurity, keyword: "security", pointer: "X-Auth-Token"},
		{name: "unknown path", exchange: exchange{path: "/v3/054ba152d480d55b2f5dc0069e7ddef0/jobs/batch-job", body: oneJob},
			layer: contract.LayerRoute, keyword: "route", pointer: "/v3/054ba152d480d55b2f5dc0069e7ddef0/jobs/batch-job"},
		{name: "v2 path", exchange: exchange{path: "/v2/054ba152d480d55b2f5dc0069e7ddef0/jobs/batch-jobs", body: oneJob},
			layer: contract.LayerRoute, keyword: "route", pointer: "/v2/054ba152d480d55b2f5dc0069e7ddef0/jobs/batch-jobs"},
		{name: "POST instead of DELETE", exchange: exchange{method: http.MethodPost, body: oneJob},
			layer: contract.LayerRoute, keyword: "route", pointer: examplePath},

		// Responses: status codes.
		{name: "500", exchange: exchange{status: 500, body: errorBody},
			requirement: "REQ-HTTP-04", layer: contract.LayerStatus, keyword: "status", pointer: "500"},
		{name: "503", exchange: exchange{status: 503, body: ``},
			requirement: "REQ-HTTP-04", layer: contract.LayerStatus, keyword: "status", pointer: "503"},
		{name: "200 instead of 202", exchange: exchange{status: 200, body: oneResult},
			layer: contract.LayerStatus, keyword: "status", pointer: "200"},
		{name: "204 (accepted by the Open Telekom Cloud SDK, not by the page)", exchange: exchange{status: 204},
			layer: contract.LayerStatus, keyword: "status", pointer: "204"},
		{name: "404", exchange: exchange{status: 404, body: errorBody},
			layer: contract.LayerStatus, keyword: "status", pointer: "404"},

		// Responses: content types.
		{name: "202 as text/html", exchange: exchange{status: 202, header: set("Content-Type", "text/html"), body: oneResult},
			requirement: "REQ-HTTP-03", layer: contract.LayerContentType, keyword: "content-type", pointer: "Content-Type"},
		{name: "202 without Content-Type", exchange: exchange{status: 202, header: del("Content-Type"), body: oneResult},
			requirement: "REQ-HTTP-03", layer: contract.LayerContentType, keyword: "content-type", pointer: "Content-Type"},
		{name: "400 as text/plain", exchange: exchange{status: 400, header: set("Content-Type", "text/plain; charset=utf-8"), body: errorBody},
			requirement: "REQ-HTTP-03", layer: contract.LayerContentType, keyword: "content-type", pointer: "Content-Type"},

		// Responses: the 202 body (REQ-HTTP-02, REQ-RES-04).
		{name: "202 body empty", exchange: exchange{status: 202, body: ``},
			requirement: "REQ-HTTP-02", layer: body, keyword: "json", pointer: ""},
		{name: "202 body trailing garbage", exchange: exchange{status: 202, body: oneResult + `,`},
			requirement: "REQ-HTTP-02", layer: body, keyword: "json", pointer: ""},
		{name: "202 body an array", exchange: exchange{status: 202, body: `[{"id":"a","status":"success"}]`},
			requirement: "REQ-HTTP-02", layer: body, keyword: "type", pointer: ""},
		{name: "count a string", exchange: exchange{status: 202, body: `{"count":"1","results":[{"id":"a","status":"success"}]}`},
			requirement: "REQ-HTTP-02", layer: body, keyword: "type", pointer: "/count"},
		{name: "count a fraction", exchange: exchange{status: 202, body: `{"count":1.5,"results":[{"id":"a","status":"success"}]}`},
			requirement: "REQ-HTTP-02", layer: body, keyword: "type", pointer: "/count"},
		{name: "count negative", exchange: exchange{status: 202, body: `{"count":-1,"results":[]}`},
			requirement: "REQ-HTTP-02", layer: body, keyword: "minimum", pointer: "/count"},
		{name: "count missing", exchange: exchange{status: 202, body: `{"results":[{"id":"a","status":"success"}]}`},
			requirement: "REQ-HTTP-02", layer: body, keyword: "required", pointer: "/count"},
		{name: "results missing", exchange: exchange{status: 202, body: `{"count":0}`},
			requirement: "REQ-HTTP-02", layer: body, keyword: "required", pointer: "/results"},
		{name: "results not an array", exchange: exchange{status: 202, body: `{"count":1,"results":{"id":"a","status":"success"}}`},
			requirement: "REQ-HTTP-02", layer: body, keyword: "type", pointer: "/results"},
		{name: "results null", exchange: exchange{status: 202, body: `{"count":0,"results":null}`},
			requirement: "REQ-HTTP-02", layer: body, keyword: "type", pointer: "/results"},
		{name: "result a string", exchange: exchange{status: 202, body: `{"count":1,"results":["a"]}`},
			requirement: "REQ-HTTP-02", layer: body, keyword: "type", pointer: "/results/0"},
		{name: "result id missing", exchange: exchange{status: 202, body: result(`"status":"success"`)},
			requirement: "REQ-HTTP-02", layer: body, keyword: "required", pointer: "/results/0/id"},
		{name: "result id a number", exchange: exchange{status: 202, body: result(`"id":140,"status":"success"`)},
			requirement: "REQ-HTTP-02", layer: body, keyword: "type", pointer: "/results/0/id"},
		{name: "result status missing", exchange: exchange{status: 202, body: result(`"id":"a"`)},
			requirement: "REQ-RES-04", layer: body, keyword: "required", pointer: "/results/0/status"},
		{name: "result status SUCCESS", exchange: exchange{status: 202, body: result(`"id":"a","status":"SUCCESS"`)},
			requirement: "REQ-RES-04", layer: body, keyword: "enum", pointer: "/results/0/status"},
		{name: "result status fail", exchange: exchange{status: 202, body: result(`"id":"a","status":"fail"`)},
			requirement: "REQ-RES-04", layer: body, keyword: "enum", pointer: "/results/0/status"},
		{name: "result status a boolean", exchange: exchange{status: 202, body: result(`"id":"a","status":true`)},
			requirement: "REQ-RES-04", layer: body, keyword: "type", pointer: "/results/0/status"},
		{name: "result error_code a number", exchange: exchange{status: 202, body: result(`"id":"a","status":"failed","error_code":1504,"error_msg":"busy"`)},
			requirement: "REQ-HTTP-02", layer: body, keyword: "type", pointer: "/results/0/error_code"},
		// batch-status spells it error_message; here an error_msg that is not a string is wrong.
		{name: "result error_msg an object", exchange: exchange{status: 202, body: result(`"id":"a","status":"failed","error_code":"DRS.M01504","error_msg":{"en":"busy"}`)},
			requirement: "REQ-HTTP-02", layer: body, keyword: "type", pointer: "/results/0/error_msg"},

		// Responses: the error body (REQ-VAL-07).
		{name: "400 error_msg missing", exchange: exchange{status: 400, body: `{"error_code":"DRS.M00201"}`},
			requirement: "REQ-VAL-07", layer: body, keyword: "required", pointer: "/error_msg"},
		{name: "400 error_code missing", exchange: exchange{status: 400, body: `{"error_msg":"The jobs parameter is empty."}`},
			requirement: "REQ-VAL-07", layer: body, keyword: "required", pointer: "/error_code"},
		{name: "400 error_code a number", exchange: exchange{status: 400, body: `{"error_code":201,"error_msg":"The jobs parameter is empty."}`},
			requirement: "REQ-VAL-07", layer: body, keyword: "type", pointer: "/error_code"},
		{name: "400 body not JSON", exchange: exchange{status: 400, body: `Bad Request`},
			requirement: "REQ-VAL-07", layer: body, keyword: "json", pointer: ""},
		{name: "401 body empty", exchange: exchange{status: 401, body: ``},
			requirement: "REQ-VAL-07", layer: body, keyword: "json", pointer: ""},
		{name: "403 the batch-status spelling error_message", exchange: exchange{status: 403, body: `{"error_code":"DRS.M00100","error_message":"invalid token"}`},
			requirement: "REQ-VAL-07", layer: body, keyword: "required", pointer: "/error_msg"},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

// Bodies and headers that the page allows, written in ways a strict
// validator might trip on, are accepted.
func TestValidVariantsAreAccepted(t *testing.T) {
	t.Parallel()
	c := defaultContract(t)

	type testCase struct {
		name string
		exchange
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		assert.Empty(t, tc.validate(c))
	}
	for _, tc := range []testCase{
		{name: "compact request", exchange: exchange{body: oneJob}},
		{name: "pretty request with tabs and CRLF", exchange: exchange{body: "{\r\n\t\"jobs\" :\t[\r\n\t\t{ \"delete_type\" : \"delete\" ,\r\n\t\t  \"job_id\" : \"a\" }\r\n\t]\r\n}\r\n"}},
		{name: "keys in another order", exchange: exchange{body: `{"jobs":[{"job_id":"a","delete_type":"terminate"}]}`}},
		{name: "trailing newline (the Huawei Cloud SDK sends one)", exchange: exchange{body: oneJob + "\n"}},
		{name: "leading white space", exchange: exchange{body: "\n  " + oneJob}},
		{name: "force_terminate", exchange: exchange{body: item(`"force_terminate"`, `"a"`)}},
		{name: "three delete types in one batch", exchange: exchange{body: `{"jobs":[{"delete_type":"terminate","job_id":"a"},{"delete_type":"force_terminate","job_id":"b"},{"delete_type":"delete","job_id":"c"}]}`}},
		{name: "job ID not a UUID", exchange: exchange{body: item(`"delete"`, `"job-1"`)}},
		{name: "job ID like the page's, not hex", exchange: exchange{body: item(`"delete"`, `"4c6ac8c0-2f51-426a-97b2-cb2c668jb201"`)}},
		{name: "job ID in Chinese", exchange: exchange{body: item(`"delete"`, `"任务-1"`)}},
		{name: "job ID a single space", exchange: exchange{body: item(`"delete"`, `" "`)}},
		{name: "is_show_breakpoint_position (Huawei Cloud SDK)", exchange: exchange{body: `{"jobs":[{"delete_type":"terminate","job_id":"a","is_show_breakpoint_position":true}]}`}},
		{name: "unknown top-level field (REQ-VAL-09 allows both outcomes)", exchange: exchange{body: `{"jobs":[{"delete_type":"delete","job_id":"a"}],"dry_run":true}`}},
		{name: "a repeated job ID (REQ-STA-11 allows both outcomes)", exchange: exchange{body: `{"jobs":[{"delete_type":"delete","job_id":"a"},{"delete_type":"delete","job_id":"a"}]}`}},
		{name: "Content-Type with charset", exchange: exchange{header: set("Content-Type", "application/json; charset=utf-8"), body: oneJob}},
		{name: "Content-Type as the Huawei Cloud SDK writes it", exchange: exchange{header: set("Content-Type", "application/json;charset=UTF-8"), body: oneJob}},
		{name: "Content-Type in upper case", exchange: exchange{header: set("Content-Type", "Application/JSON"), body: oneJob}},
		{name: "AK/SK Authorization instead of X-Auth-Token", exchange: exchange{header: aksk, body: oneJob + "\n"}},
		{name: "both credentials", exchange: exchange{header: set("Authorization", "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=00"), body: oneJob}},
		{name: "X-Language absent", exchange: exchange{body: oneJob}},
		{name: "X-Language en-us", exchange: exchange{header: set("X-Language", "en-us"), body: oneJob}},
		{name: "X-Language zh-cn", exchange: exchange{header: set("X-Language", "zh-cn"), body: oneJob}},
		{name: "project ID not hex", exchange: exchange{path: "/v3/my-project/jobs/batch-jobs", body: oneJob}},

		{name: "202 compact", exchange: exchange{status: 202, body: oneResult}},
		{name: "202 pretty with trailing newline", exchange: exchange{status: 202, body: pageStopResponse + "\n"}},
		{name: "202 keys in another order", exchange: exchange{status: 202, body: `{"results":[{"status":"success","id":"a"}],"count":1}`}},
		{name: "202 zero results", exchange: exchange{status: 202, body: `{"count":0,"results":[]}`}},
		{name: "202 failed item without error fields", exchange: exchange{status: 202, body: result(`"id":"a","status":"failed"`)}},
		{name: "202 failed item with error fields", exchange: exchange{status: 202, body: result(`"id":"a","status":"failed","error_code":"DRS.M05004","error_msg":"The task has been deleted."`)}},
		{name: "202 success with empty error fields", exchange: exchange{status: 202, body: result(`"id":"a","status":"success","error_code":"","error_msg":""`)}},
		{name: "202 item with an extra field", exchange: exchange{status: 202, body: result(`"id":"a","status":"success","job_name":"x"`)}},
		{name: "202 count written as 1.0", exchange: exchange{status: 202, body: `{"count":1.0,"results":[{"id":"a","status":"success"}]}`}},
		{name: "202 with charset", exchange: exchange{status: 202, header: set("Content-Type", "application/json;charset=UTF-8"), body: oneResult}},
		{name: "400 error body", exchange: exchange{status: 400, body: errorBody}},
		{name: "400 error body, Chinese message", exchange: exchange{status: 400, body: `{"error_code":"DRS.M00201","error_msg":"参数jobs为空。"}`}},
		{name: "401 gateway body with its own code", exchange: exchange{status: 401, body: `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}`}},
		{name: "403 error body", exchange: exchange{status: 403, body: `{"error_code":"DRS.M00100","error_msg":"Invalid token."}`}},
		{name: "413 error body", exchange: exchange{status: 413, body: errorBody}},
		{name: "415 error body", exchange: exchange{status: 415, body: errorBody}},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

func TestValidateBodyUnknownSchema(t *testing.T) {
	t.Parallel()
	c := defaultContract(t)
	got := c.ValidateBody("Nope.json", []byte(`{}`))
	require.Len(t, got, 1)
	assert.Equal(t, "schema", got[0].Keyword)
	assert.Equal(t, "Nope.json", got[0].Schema)
}

func TestValidateBodyNamesEveryMissingProperty(t *testing.T) {
	t.Parallel()
	c := defaultContract(t)
	got := c.ValidateBody(schemas.DeleteJobResp, []byte(`{"error_code":"DRS.M01504"}`))
	require.Len(t, got, 2, "%v", got)
	assert.True(t, got.Has("required", "/id"), "%v", got)
	assert.True(t, got.Has("required", "/status"), "%v", got)
}

func TestValidateRequestReportsEveryBadItem(t *testing.T) {
	t.Parallel()
	c := defaultContract(t)
	body := `{"jobs":[{"delete_type":"Delete","job_id":"a"},{"delete_type":"delete","job_id":""},{"delete_type":"delete"}]}`
	got := c.ValidateRequest(newRequest(http.MethodDelete, examplePath, validHeaders()), []byte(body))
	require.Len(t, got, 3, "%v", got)
	assert.Equal(t, []string{"/jobs/0/delete_type", "/jobs/1/job_id", "/jobs/2/job_id"},
		[]string{got[0].Pointer, got[1].Pointer, got[2].Pointer})
	assert.Equal(t, []string{"REQ-VAL-04", "REQ-VAL-05", "REQ-VAL-03"},
		[]string{got[0].Requirement, got[1].Requirement, got[2].Requirement})
}

// drift: the OpenAPI document and the JSON Schemas are one source of truth.
// kin-openapi validating with the document's resolved schemas and
// jsonschema/v5 validating with the compiled files must agree on every body.
func TestNoDriftBetweenOpenAPIAndJSONSchemas(t *testing.T) {
	t.Parallel()
	c := defaultContract(t)
	doc := loadFromDisk(t)
	op := doc.Paths.Value(opPath).Delete

	req := op.RequestBody.Value.Content.Get("application/json").Schema
	resp := op.Responses.Status(202).Value.Content.Get("application/json").Schema
	errResp := op.Responses.Status(400).Value.Content.Get("application/json").Schema
	jobItem := req.Value.Properties["jobs"].Value.Items
	resultItem := resp.Value.Properties["results"].Value.Items
	require.Equal(t, schemas.DeleteJobReq, jobItem.Ref, "BatchDeleteJobReq refers to DeleteJobReq.json")
	require.Equal(t, schemas.DeleteJobResp, resultItem.Ref, "BatchDeleteJobResp refers to DeleteJobResp.json")
	kin := map[string]*openapi3.Schema{
		schemas.BatchDeleteJobReq:  req.Value,
		schemas.BatchDeleteJobResp: resp.Value,
		schemas.ErrorResponse:      errResp.Value,
		schemas.DeleteJobReq:       jobItem.Value,
		schemas.DeleteJobResp:      resultItem.Value,
	}

	type testCase struct {
		schema string
		body   string
		valid  bool
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		var v any
		require.NoError(t, json.Unmarshal([]byte(tc.body), &v))
		kinErr := kin[tc.schema].VisitJSON(v, openapi3.MultiErrors())
		ours := c.ValidateBody(tc.schema, []byte(tc.body))
		assert.Equal(t, tc.valid, kinErr == nil, "kin-openapi: %v", kinErr)
		assert.Equal(t, tc.valid, len(ours) == 0, "jsonschema/v5: %v", ours)
	}
	for i, tc := range []testCase{
		{schemas.BatchDeleteJobReq, pageStopRequest, true},
		{schemas.BatchDeleteJobReq, pageDeleteRequest, true},
		{schemas.BatchDeleteJobReq, `{"jobs":[{"delete_type":"force_terminate","job_id":"x","is_show_breakpoint_position":false}]}`, true},
		{schemas.BatchDeleteJobReq, `{"jobs":[{"delete_type":"delete","job_id":"a"}],"extra":1}`, true},
		{schemas.BatchDeleteJobReq, `{}`, false},
		{schemas.BatchDeleteJobReq, `{"jobs":null}`, false},
		{schemas.BatchDeleteJobReq, `{"jobs":[]}`, false},
		{schemas.BatchDeleteJobReq, `{"jobs":"a"}`, false},
		{schemas.BatchDeleteJobReq, `{"jobs":[[{"delete_type":"delete","job_id":"a"}]]}`, false},
		{schemas.BatchDeleteJobReq, `{"jobs":[{"delete_type":"Delete","job_id":"a"}]}`, false},
		{schemas.BatchDeleteJobReq, `{"jobs":[{"delete_type":"delete","job_id":""}]}`, false},
		{schemas.BatchDeleteJobReq, `{"jobs":[{"delete_type":"delete","job_id":7}]}`, false},
		{schemas.BatchDeleteJobReq, `[]`, false},
		{schemas.DeleteJobReq, `{"delete_type":"terminate","job_id":"a"}`, true},
		{schemas.DeleteJobReq, `{"delete_type":"terminate"}`, false},
		{schemas.DeleteJobReq, `{"delete_type":null,"job_id":"a"}`, false},
		{schemas.BatchDeleteJobResp, pageStopResponse, true},
		{schemas.BatchDeleteJobResp, pageDeleteResponse, true},
		{schemas.BatchDeleteJobResp, `{"count":0,"results":[]}`, true},
		{schemas.BatchDeleteJobResp, `{"count":1.0,"results":[{"id":"a","status":"success"}]}`, true},
		{schemas.BatchDeleteJobResp, `{"count":"1","results":[]}`, false},
		{schemas.BatchDeleteJobResp, `{"count":1.5,"results":[]}`, false},
		{schemas.BatchDeleteJobResp, `{"count":-1,"results":[]}`, false},
		{schemas.BatchDeleteJobResp, `{"count":1}`, false},
		{schemas.BatchDeleteJobResp, `{"count":1,"results":{}}`, false},
		{schemas.BatchDeleteJobResp, `{"count":1,"results":[{"id":"a","status":"SUCCESS"}]}`, false},
		{schemas.DeleteJobResp, `{"id":"a","status":"failed","error_code":"DRS.M01504","error_msg":"busy"}`, true},
		{schemas.DeleteJobResp, `{"id":"a","status":"failed","error_code":null}`, false},
		{schemas.DeleteJobResp, `{"id":"a"}`, false},
		{schemas.ErrorResponse, pageErrorBody, true},
		{schemas.ErrorResponse, `{"error_code":"DRS.M00201"}`, false},
		{schemas.ErrorResponse, `{"error_code":201,"error_msg":"x"}`, false},
		{schemas.ErrorResponse, `"error"`, false},
	} {
		t.Run(fmt.Sprintf("%02d_%s", i, strings.TrimSuffix(tc.schema, ".json")), func(t *testing.T) { run(t, tc) })
	}
}

// batchResponse is a 202 body with n results, half of them failed.
func batchResponse(n int) []byte {
	type res struct {
		ID        string `json:"id"`
		Status    string `json:"status"`
		ErrorCode string `json:"error_code,omitempty"`
		ErrorMsg  string `json:"error_msg,omitempty"`
	}
	out := struct {
		Count   int   `json:"count"`
		Results []res `json:"results"`
	}{Count: n, Results: make([]res, n)}
	for i := range out.Results {
		out.Results[i] = res{ID: fmt.Sprintf("%08x-2f51-426a-97b2-cb2c668jb201", i), Status: "success"}
		if i%2 == 1 {
			out.Results[i].Status, out.Results[i].ErrorCode = "failed", "DRS.M01504"
			out.Results[i].ErrorMsg = "Another operation is being performed on the migration task or the migration task is abnormal. Try again later."
		}
	}
	b, _ := json.Marshal(out)
	return b
}

func BenchmarkValidateResponse(b *testing.B) {
	c := defaultContract(b)
	r := newRequest(http.MethodDelete, examplePath, validHeaders())
	h := jsonHeader()
	for _, n := range []int{1, 100, 10000} {
		body := batchResponse(n)
		b.Run(fmt.Sprintf("results=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if vs := c.ValidateResponse(r, http.StatusAccepted, h, body); len(vs) > 0 {
					b.Fatal(vs)
				}
			}
		})
	}
}

func BenchmarkValidateRequest(b *testing.B) {
	c := defaultContract(b)
	for _, n := range []int{1, 100} {
		var sb strings.Builder
		sb.WriteString(`{"jobs":[`)
		for i := range n {
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, `{"delete_type":"terminate","job_id":"%08x-0006-41da-836e-db3301ajb20b"}`, i)
		}
		sb.WriteString("]}\n")
		body := []byte(sb.String())
		b.Run(fmt.Sprintf("jobs=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				r := newRequest(http.MethodDelete, examplePath, validHeaders())
				if vs := c.ValidateRequest(r, body); len(vs) > 0 {
					b.Fatal(vs)
				}
			}
		})
	}
}

// jsonschema/v5 reads numbers as big.Rat in time quadratic in their digits:
// a target's count of a million digits, or a short literal with a huge
// exponent, must cost nothing and be judged as what it is.
func TestLongNumbersAreViolationsNotWork(t *testing.T) {
	t.Parallel()
	c := defaultContract(t)
	for count, want := range map[string]int{"1" + strings.Repeat("0", 1<<20): 1, "1e999999999": 1, "1.5e+99999": 1,
		"-1E-999999999": 2} { // not an integer either: the schema says so too
		start := time.Now()
		got := c.ValidateBody(schemas.BatchDeleteJobResp, []byte(`{"count":`+count+`,"results":[]}`))
		assert.Less(t, time.Since(start), 2*time.Second, "validation must not do work in the number's size")
		require.Len(t, got, want, "%v", got)
		assert.Equal(t, "/count", got[0].Pointer)
		assert.Equal(t, "REQ-HTTP-02", got[0].Requirement)
		assert.Contains(t, got[0].Message, "too long to judge")
		assert.Less(t, len(got[0].Message), 600, "the number is quoted, not copied")
	}
	assert.Empty(t, c.ValidateBody(schemas.BatchDeleteJobResp, []byte(`{"count":0,"results":[]}`)), "a short number is judged as ever")
}
