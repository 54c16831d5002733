package contract_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/contract"
	"github.com/drsconform/drsconform/openapi"
	"github.com/drsconform/drsconform/schemas"
)

const (
	opPath    = "/v3/{project_id}/jobs/batch-jobs"
	docOnDisk = "../openapi/drs-batch-jobs.yaml"
)

// loadFromDisk loads the document the way any OpenAPI tool would: from the
// repository's files, external $refs resolved relative to the document.
func loadFromDisk(t testing.TB) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	doc, err := loader.LoadFromFile(docOnDisk)
	require.NoError(t, err)
	return doc
}

func defaultContract(t testing.TB) *contract.Contract {
	t.Helper()
	c, err := contract.Default()
	require.NoError(t, err)
	return c
}

func TestDocumentIsValidOpenAPI303(t *testing.T) {
	t.Parallel()
	doc := loadFromDisk(t)
	require.NoError(t, doc.Validate(context.Background(), openapi3.EnableExamplesValidation()))
	assert.Equal(t, "3.0.3", doc.OpenAPI)

	require.Len(t, doc.Servers, 1)
	assert.True(t, strings.HasPrefix(doc.Servers[0].URL, "/"),
		"server URL %q must be relative so that any target routes", doc.Servers[0].URL)

	item := doc.Paths.Value(opPath)
	require.NotNil(t, item, "path %s", opPath)
	op := item.Delete
	require.NotNil(t, op, "DELETE %s", opPath)
	assert.Len(t, item.Operations(), 1, "the document describes one operation")

	headers := map[string]*openapi3.Parameter{}
	var pathParams []string
	for _, p := range op.Parameters {
		switch p.Value.In {
		case openapi3.ParameterInHeader:
			headers[p.Value.Name] = p.Value
		case openapi3.ParameterInPath:
			pathParams = append(pathParams, p.Value.Name)
		}
	}
	assert.Equal(t, []string{"project_id"}, pathParams)
	require.ElementsMatch(t, []string{"Content-Type", "X-Auth-Token", "X-Language"}, keys(headers))
	assert.True(t, headers["Content-Type"].Required, "Content-Type is mandatory (Table 2)")
	assert.Equal(t, "application/json", headers["Content-Type"].Schema.Value.Default)
	lang := headers["X-Language"]
	assert.False(t, lang.Required, "X-Language is optional (Table 2)")
	assert.Equal(t, []any{"en-us", "zh-cn"}, lang.Schema.Value.Enum)
	assert.Equal(t, "en-us", lang.Schema.Value.Default)

	require.NotNil(t, op.RequestBody)
	assert.True(t, op.RequestBody.Value.Required, "jobs is mandatory, so is the body")
	assert.NotNil(t, op.RequestBody.Value.Content.Get("application/json").Schema.Value)

	for _, code := range []int{202, 400, 401, 403} {
		r := op.Responses.Status(code)
		require.NotNil(t, r, "response %d is declared", code)
		mt := r.Value.Content.Get("application/json")
		require.NotNil(t, mt, "response %d has application/json content", code)
		require.NotNil(t, mt.Schema, "response %d declares a schema: without one any body passes", code)
		assert.NotNil(t, mt.Schema.Value, "response %d's schema resolves", code)
	}
	assert.Nil(t, op.Responses.Default(), "no default response: undeclared statuses are violations")
	assert.Nil(t, op.Responses.Status(500), "5xx is outside the contract (REQ-HTTP-04)")
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// The OpenAPI document's body schemas are $refs to schemas/: one source of truth.
func TestDocumentRefersToSchemaFiles(t *testing.T) {
	t.Parallel()
	doc := loadFromDisk(t)
	op := doc.Paths.Value(opPath).Delete

	type testCase struct {
		name string
		ref  *openapi3.SchemaRef
		want string
	}
	run := func(t *testing.T, tc testCase) {
		require.NotNil(t, tc.ref)
		assert.Equal(t, "../schemas/"+tc.want, tc.ref.Ref)
	}
	content := func(r *openapi3.ResponseRef) *openapi3.SchemaRef {
		return r.Value.Content.Get("application/json").Schema
	}
	for _, tc := range []testCase{
		{name: "request", ref: op.RequestBody.Value.Content.Get("application/json").Schema, want: schemas.BatchDeleteJobReq},
		{name: "202", ref: content(op.Responses.Status(202)), want: schemas.BatchDeleteJobResp},
		{name: "400", ref: content(op.Responses.Status(400)), want: schemas.ErrorResponse},
		{name: "401", ref: content(op.Responses.Status(401)), want: schemas.ErrorResponse},
		{name: "403", ref: content(op.Responses.Status(403)), want: schemas.ErrorResponse},
		{name: "413", ref: content(op.Responses.Status(413)), want: schemas.ErrorResponse},
		{name: "415", ref: content(op.Responses.Status(415)), want: schemas.ErrorResponse},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

// Every named example of the document, validated through the contract as
// the request or response it illustrates.
func TestDocumentExamplesValidate(t *testing.T) {
	t.Parallel()
	c := defaultContract(t)
	examples := contract.Examples(c.Document())

	var names []string
	for _, ex := range examples {
		names = append(names, ex.Pointer)
	}
	assert.Equal(t, []string{
		"/paths/~1v3~1{project_id}~1jobs~1batch-jobs/delete/requestBody/content/application~1json/examples/delete-task",
		"/paths/~1v3~1{project_id}~1jobs~1batch-jobs/delete/requestBody/content/application~1json/examples/stop-tasks",
		"/paths/~1v3~1{project_id}~1jobs~1batch-jobs/delete/responses/202/content/application~1json/examples/delete-task",
		"/paths/~1v3~1{project_id}~1jobs~1batch-jobs/delete/responses/202/content/application~1json/examples/stop-tasks",
		"/components/responses/Error/content/application~1json/examples/parameter-empty",
	}, names, "the page's two requests, two 202 responses and the appendix's error body")

	for _, ex := range examples {
		t.Run(exampleKey(ex), func(t *testing.T) {
			t.Parallel()
			body, err := ex.Body()
			require.NoError(t, err)
			assert.Empty(t, c.ValidateExample(ex))
			if ex.Request() {
				r := newRequest(http.MethodDelete, examplePath, validHeaders())
				r.Header.Set("Content-Type", ex.MediaType)
				assert.Empty(t, c.ValidateRequest(r, body))
				return
			}
			require.NotEmpty(t, ex.StatusCodes())
			for _, code := range ex.StatusCodes() {
				h := http.Header{"Content-Type": {ex.MediaType}}
				assert.Empty(t, c.ValidateResponse(newRequest(http.MethodDelete, examplePath, nil), code, h, body), "status %d", code)
			}
		})
	}
}

func TestExamplesListsSharedResponseOnce(t *testing.T) {
	t.Parallel()
	c := defaultContract(t)
	var shared []contract.Example
	for _, ex := range contract.Examples(c.Document()) {
		if strings.HasPrefix(ex.Pointer, "/components/") {
			shared = append(shared, ex)
		}
	}
	require.Len(t, shared, 1)
	assert.Equal(t, []string{"400", "401", "403", "413", "415"}, shared[0].Statuses)
	assert.Equal(t, []int{400, 401, 403, 413, 415}, shared[0].StatusCodes())
	assert.Equal(t, schemas.ErrorResponse, shared[0].Schema)
}

// The examples copied literally from the API page (drs_03_0113) and the
// appendix (drs_05_0002), white space and all.
func TestPageExamplesValidate(t *testing.T) {
	t.Parallel()
	c := defaultContract(t)

	type testCase struct {
		name   string
		status int // 0: a request
		body   string
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		r := newRequest(http.MethodDelete, examplePath, validHeaders())
		if tc.status == 0 {
			assert.Empty(t, c.ValidateRequest(r, []byte(tc.body)))
			return
		}
		assert.Empty(t, c.ValidateResponse(r, tc.status, jsonHeader(), []byte(tc.body)))
	}
	for _, tc := range []testCase{
		{name: "request stopping tasks", body: pageStopRequest},
		{name: "request deleting a task", body: pageDeleteRequest},
		{name: "202 stopping tasks", status: 202, body: pageStopResponse},
		{name: "202 deleting a task", status: 202, body: pageDeleteResponse},
		{name: "400 error body", status: 400, body: pageErrorBody},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

// The page's examples, as the page prints them.
const (
	pageStopRequest = `{
  "jobs" : [ {
    "delete_type" : "terminate",
    "job_id" : "4c6ac8c0-2f51-426a-97b2-cb2c668jb201"
  }, {
    "delete_type" : "terminate",
    "job_id" : "6211d20d-0006-41da-836e-db3301ajb20b"
  } ]
}`
	pageDeleteRequest = `{
  "jobs" : [ {
    "delete_type" : "delete",
    "job_id" : "140b5236-88ad-43c8-811c-1268453jb101"
  } ]
}`
	pageStopResponse = `{
  "count" : 2,
  "results" : [ {
    "id" : "4c6ac8c0-2f51-426a-97b2-cb2c668jb201",
    "status" : "success"
  }, {
    "id" : "6211d20d-0006-41da-836e-db3301ajb20b",
    "status" : "failed",
    "error_code" : "DRS.M01504",
    "error_msg" : "Another operation is being performed on the migration task or the migration task is abnormal. Try again later."
  } ]
}`
	pageDeleteResponse = `{
  "count" : 1,
  "results" : [ {
    "id" : "140b5236-88ad-43c8-811c-1268453jb101",
    "status" : "success"
  } ]
}`
	pageErrorBody = `{"error_code": "DRS.M00201", "error_msg": "The %s parameter is empty."}`
)

// The named examples of the document say what the page says.
func TestDocumentExamplesMatchPage(t *testing.T) {
	t.Parallel()
	c := defaultContract(t)
	want := map[string]string{
		"requestBody/stop-tasks":  pageStopRequest,
		"requestBody/delete-task": pageDeleteRequest,
		"202/stop-tasks":          pageStopResponse,
		"202/delete-task":         pageDeleteResponse,
		"Error/parameter-empty":   pageErrorBody,
	}
	got := map[string]string{}
	for _, ex := range contract.Examples(c.Document()) {
		body, err := ex.Body()
		require.NoError(t, err)
		got[exampleKey(ex)] = string(body)
	}
	require.ElementsMatch(t, keys(want), keys(got))
	for k, w := range want {
		assert.JSONEq(t, w, got[k], k)
	}
}

func TestLoadReportsBrokenExampleWithLine(t *testing.T) {
	t.Parallel()
	raw, err := openapi.FS.ReadFile(openapi.Document)
	require.NoError(t, err)
	broken := strings.Replace(string(raw), "- delete_type: delete\n", "- delete_type: Delete\n", 1)
	require.NotEqual(t, string(raw), broken)
	spec := fstest.MapFS{openapi.Document: {Data: []byte(broken)}}

	_, err = contract.Load(spec, openapi.Document, schemas.FS)
	require.Error(t, err)
	var de *contract.DocumentError
	require.True(t, errors.As(err, &de), "%v", err)
	assert.Equal(t, "openapi/drs-batch-jobs.yaml", de.File)
	assert.Equal(t, "/paths/~1v3~1{project_id}~1jobs~1batch-jobs/delete/requestBody/content/application~1json/examples/delete-task", de.Pointer)
	assert.Equal(t, lineContaining(t, broken, "delete-task:"), de.Line)
	var v contract.Violation
	require.True(t, errors.As(err, &v))
	assert.Equal(t, "enum", v.Keyword)
	assert.Equal(t, "/jobs/0/delete_type", v.Pointer)
}

func TestLoadReportsYAMLSyntaxWithLine(t *testing.T) {
	t.Parallel()
	raw, err := openapi.FS.ReadFile(openapi.Document)
	require.NoError(t, err)
	broken := strings.Replace(string(raw), "operationId: BatchDeleteJobs", "operationId: [BatchDeleteJobs", 1)
	spec := fstest.MapFS{openapi.Document: {Data: []byte(broken)}}

	_, err = contract.Load(spec, openapi.Document, schemas.FS)
	var de *contract.DocumentError
	require.True(t, errors.As(err, &de), "%v", err)
	assert.Equal(t, "openapi/drs-batch-jobs.yaml", de.File)
	assert.Greater(t, de.Line, 0, "%v", err)
	assert.Contains(t, de.Error(), "openapi/drs-batch-jobs.yaml:")
}

func TestLoadRejectsOtherOpenAPIVersion(t *testing.T) {
	t.Parallel()
	raw, err := openapi.FS.ReadFile(openapi.Document)
	require.NoError(t, err)
	broken := strings.Replace(string(raw), "openapi: 3.0.3", "openapi: 3.0.1", 1)
	spec := fstest.MapFS{openapi.Document: {Data: []byte(broken)}}

	_, err = contract.Load(spec, openapi.Document, schemas.FS)
	var de *contract.DocumentError
	require.True(t, errors.As(err, &de), "%v", err)
	assert.Equal(t, 1, de.Line)
	assert.Equal(t, "/openapi", de.Pointer)
}

func TestLoadReportsBrokenSchemaFile(t *testing.T) {
	t.Parallel()
	schemaFS := fstest.MapFS{}
	names, err := schemas.FS.ReadDir(".")
	require.NoError(t, err)
	for _, n := range names {
		b, err := schemas.FS.ReadFile(n.Name())
		require.NoError(t, err)
		schemaFS[n.Name()] = &fstest.MapFile{Data: b}
	}
	schemaFS[schemas.DeleteJobResp] = &fstest.MapFile{Data: []byte(`{"type": "object", "required": "id"}`)}

	_, err = contract.Load(openapi.FS, openapi.Document, schemaFS)
	var de *contract.DocumentError
	require.True(t, errors.As(err, &de), "%v", err)
	assert.Equal(t, "schemas/DeleteJobResp.json", de.File, "%v", err)
}

// exampleKey names an example by what it belongs to: requestBody/stop-tasks,
// 202/stop-tasks, Error/parameter-empty.
func exampleKey(ex contract.Example) string {
	parts := strings.Split(ex.Pointer, "/")
	return parts[len(parts)-5] + "/" + ex.Name
}

func lineContaining(t *testing.T, text, needle string) int {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if strings.Contains(l, needle) {
			return i + 1
		}
	}
	t.Fatalf("no line contains %q", needle)
	return 0
}

func TestSpecSHA256(t *testing.T) {
	t.Parallel()
	c := defaultContract(t)
	assert.Regexp(t, `^[0-9a-f]{64}$`, c.SpecSHA256())
}

func TestViolationsAsError(t *testing.T) {
	t.Parallel()
	var none contract.Violations
	assert.NoError(t, none.Err())
	vs := contract.Violations{{Requirement: "REQ-VAL-04", Layer: contract.LayerBody, Keyword: "enum",
		Pointer: "/jobs/0/delete_type", Message: "value must be one of ..."}}
	err := vs.Err()
	require.Error(t, err)
	assert.Equal(t, "REQ-VAL-04: body /jobs/0/delete_type: value must be one of ... [enum]", err.Error())
	var v contract.Violation
	assert.False(t, errors.As(err, &v), "Violations is the error; take the slice back with errors.As")
	var got contract.Violations
	require.True(t, errors.As(err, &got))
	assert.True(t, got.Has("enum", "/jobs/0/delete_type"))
	assert.False(t, got.Has("enum", "/jobs/1/delete_type"))
	b, err := json.Marshal(vs[0])
	require.NoError(t, err)
	assert.JSONEq(t, `{"requirement":"REQ-VAL-04","layer":"body","keyword":"enum","pointer":"/jobs/0/delete_type","message":"value must be one of ..."}`, string(b))
}

const examplePath = "/v3/054ba152d480d55b2f5dc0069e7ddef0/jobs/batch-jobs"

func newRequest(method, target string, header http.Header) *http.Request {
	r := httptest.NewRequest(method, target, nil)
	for k, vs := range header {
		r.Header[k] = vs
	}
	return r
}

func validHeaders() http.Header {
	return http.Header{"Content-Type": {"application/json"}, "X-Auth-Token": {"MIIT-token"}}
}

func jsonHeader() http.Header { return http.Header{"Content-Type": {"application/json"}} }
