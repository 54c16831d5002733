// Package cases holds the conformance cases, YAML files one per theme, and the
// JSON Schema of the case format (case.schema.json). The runner package loads
// and plays them; README.md ("Writing cases") documents the format.
package cases

import "embed"

// FS holds every case file (*.yaml) and the case format's schema.
//
//go:embed *.yaml case.schema.json
var FS embed.FS

// SchemaFile is the name of the case format's JSON Schema inside FS.
const SchemaFile = "case.schema.json"
