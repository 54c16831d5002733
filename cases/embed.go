// Package cases holds the conformance cases, YAML files one per theme, the
// JSON Schema of the case format (case.schema.json), and their Go model: the
// types (case.go), the loader that checks a file against the schema and the
// catalogue at file:line (load.go), templating (template.go) and the lint of
// request bodies (lint.go). The runner plays them; README.md ("Writing
// cases") documents the format.
package cases

import "embed"

// FS holds every case file (*.yaml) and the case format's schema.
//
//go:embed *.yaml case.schema.json
var FS embed.FS

// SchemaFile is the name of the case format's JSON Schema inside FS.
const SchemaFile = "case.schema.json"
