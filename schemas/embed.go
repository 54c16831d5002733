// Package schemas holds the JSON Schemas (draft-07, compiled as such: the
// files carry no $schema or $id, which OpenAPI 3.0 does not allow) of the bodies of
// DELETE /v3/{project_id}/jobs/batch-jobs. The OpenAPI document in openapi/
// refers to these files; they are the one source of truth for body shapes.
package schemas

import "embed"

// FS holds every schema file, named as in this directory.
//
//go:embed *.json
var FS embed.FS

// Names of the schema files, one per body of the endpoint.
const (
	DeleteJobReq       = "DeleteJobReq.json"
	BatchDeleteJobReq  = "BatchDeleteJobReq.json"
	DeleteJobResp      = "DeleteJobResp.json"
	BatchDeleteJobResp = "BatchDeleteJobResp.json"
	ErrorResponse      = "ErrorResponse.json"
)

// BaseURI is the $id prefix shared by every schema file.
const BaseURI = "https://drsconform.dev/schemas/"
