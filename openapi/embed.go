// Package openapi holds the OpenAPI 3.0.3 document of
// DELETE /v3/{project_id}/jobs/batch-jobs. Its body schemas are $refs into
// ../schemas, resolved by the contract package from the embedded files.
package openapi

import "embed"

// FS holds the OpenAPI document.
//
//go:embed *.yaml
var FS embed.FS

// Document is the file name of the OpenAPI document inside FS.
const Document = "drs-batch-jobs.yaml"
