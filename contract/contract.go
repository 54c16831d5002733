// Package contract loads the OpenAPI document and the JSON Schemas of
// DELETE /v3/{project_id}/jobs/batch-jobs once, from the embedded files, and
// validates HTTP requests and responses against them, returning structured
// violations: which requirement, which schema keyword, which JSON pointer.
//
// Routing, path and header parameters and security go through kin-openapi's
// openapi3filter; bodies go through santhosh-tekuri/jsonschema/v5 against the
// files in schemas/, the same files the OpenAPI document refers to.
package contract

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/drsconform/drsconform/internal/yamlschema"
	"github.com/drsconform/drsconform/openapi"
	"github.com/drsconform/drsconform/schemas"
)

// Contract is the loaded, immutable contract. It is safe for concurrent use.
type Contract struct {
	doc     *openapi3.T
	router  routers.Router
	schemas map[string]*jsonschema.Schema // by file name, e.g. "BatchDeleteJobReq.json"
	specSHA string
}

var loadDefault = sync.OnceValues(func() (*Contract, error) {
	return Load(openapi.FS, openapi.Document, schemas.FS)
})

// Default returns the contract built from the embedded files, loaded once.
func Default() (*Contract, error) { return loadDefault() }

// Load builds a contract from an OpenAPI document in specFS (at docName) whose
// body schemas are $refs to "../schemas/<file>" in schemaFS.
//
// The document must be valid OpenAPI 3.0.3, every schema file must compile,
// and every example of the document must validate against the schema file
// its media type refers to. Problems come back as *DocumentError values
// (joined with errors.Join when there are several), each naming the file and,
// where known, the line and JSON pointer.
func Load(specFS fs.FS, docName string, schemaFS fs.FS) (*Contract, error) {
	// The schemas first, so that a broken schema file is reported as itself
	// rather than as a broken reference of the document.
	compiled, err := CompileSchemas(schemaFS)
	if err != nil {
		return nil, err
	}
	doc, raw, err := LoadDocument(specFS, docName, schemaFS)
	if err != nil {
		return nil, err
	}
	if err := CheckExamples(doc, raw, docName, compiled); err != nil {
		return nil, err
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, &DocumentError{File: "openapi/" + docName, Err: fmt.Errorf("build router: %w", err)}
	}
	sum := sha256.Sum256(raw)
	return &Contract{doc: doc, router: router, schemas: compiled, specSHA: hex.EncodeToString(sum[:])}, nil
}

// DocumentError is a problem of the OpenAPI document or of a schema file.
type DocumentError struct {
	File    string // as in the repository: openapi/drs-batch-jobs.yaml, schemas/X.json
	Line    int    // 0 when unknown
	Pointer string // JSON pointer inside the file ("" when unknown)
	Err     error
}

func (e *DocumentError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
	}
	if e.Pointer != "" {
		return fmt.Sprintf("%s: #%s: %v", loc, e.Pointer, e.Err)
	}
	return fmt.Sprintf("%s: %v", loc, e.Err)
}

func (e *DocumentError) Unwrap() error { return e.Err }

// LoadDocument parses the OpenAPI document and validates it as OpenAPI 3.0.3
// (structure only: examples are CheckExamples' job, against the JSON Schemas),
// resolving "../schemas/X.json" references from schemaFS. It also returns the
// document's bytes.
func LoadDocument(specFS fs.FS, docName string, schemaFS fs.FS) (*openapi3.T, []byte, error) {
	file := "openapi/" + docName
	raw, err := fs.ReadFile(specFS, docName)
	if err != nil {
		return nil, nil, &DocumentError{File: file, Err: err}
	}
	// yaml.v3 first: its syntax errors carry the line; kin-openapi's do not always.
	if _, err := yamlschema.Parse(file, raw); err != nil {
		var ps yamlschema.Problems
		if errors.As(err, &ps) && len(ps) > 0 {
			return nil, nil, &DocumentError{File: file, Line: ps[0].Line, Err: errors.New(ps[0].Message)}
		}
		return nil, nil, &DocumentError{File: file, Err: err}
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		p := strings.TrimPrefix(path.Clean(u.Path), "/")
		if rest, ok := strings.CutPrefix(p, "schemas/"); ok {
			return fs.ReadFile(schemaFS, rest)
		}
		if rest, ok := strings.CutPrefix(p, "openapi/"); ok {
			return fs.ReadFile(specFS, rest)
		}
		return nil, fmt.Errorf("reference %q leaves the embedded openapi/ and schemas/ folders", u.String())
	}
	doc, err := loader.LoadFromDataWithPath(raw, &url.URL{Path: "/" + file})
	if err != nil {
		return nil, nil, &DocumentError{File: file, Err: err}
	}
	if doc.OpenAPI != "3.0.3" {
		return nil, nil, &DocumentError{File: file, Line: lineOf(raw, "/openapi"), Pointer: "/openapi",
			Err: fmt.Errorf("openapi is %q; this contract is OpenAPI 3.0.3", doc.OpenAPI)}
	}
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		return nil, nil, &DocumentError{File: file, Err: fmt.Errorf("invalid OpenAPI 3.0.3 document: %w", err)}
	}
	return doc, raw, nil
}

// CheckExamples validates every example of doc (see Examples) against the
// compiled schema its media type refers to; raw is the document's bytes, to
// give each problem its line.
func CheckExamples(doc *openapi3.T, raw []byte, docName string, compiled map[string]*jsonschema.Schema) error {
	file := "openapi/" + docName
	var errs []error
	for _, ex := range Examples(doc) {
		for _, v := range validateExample(compiled, ex) {
			errs = append(errs, &DocumentError{File: file, Line: lineOf(raw, ex.Pointer), Pointer: ex.Pointer, Err: v})
		}
	}
	return errors.Join(errs...)
}

// lineOf is the line of what a JSON pointer names in raw (the key's line
// for a member of a mapping), 0 when raw does not parse.
func lineOf(raw []byte, pointer string) int {
	d, err := yamlschema.Parse("", raw)
	if err != nil {
		return 0
	}
	line, _ := d.Position(pointer)
	return line
}

// CompileSchemas compiles every *.json schema in schemaFS (draft-07). Files
// are compiled after the files they refer to, so that a broken file is
// reported as itself, not as the first file that refers to it.
func CompileSchemas(schemaFS fs.FS) (map[string]*jsonschema.Schema, error) {
	names, err := fs.Glob(schemaFS, "*.json")
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7
	refs := make(map[string][]string, len(names))
	docs := make(map[string]any, len(names))
	for _, name := range names {
		raw, err := fs.ReadFile(schemaFS, name)
		if err != nil {
			return nil, &DocumentError{File: "schemas/" + name, Err: err}
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, &DocumentError{File: "schemas/" + name, Err: fmt.Errorf("not JSON: %w", err)}
		}
		refs[name] = fileRefs(v)
		docs[name] = v
	}
	for _, name := range names {
		// Inlined $refs: the same schema, and half the work per item for
		// jsonschema/v5, which otherwise validates each item twice over (the
		// {"$ref"} wrapper, then its target), with the bookkeeping of each.
		b, err := json.Marshal(inlineFileRefs(docs[name], docs, map[string]bool{name: true}))
		if err != nil {
			return nil, &DocumentError{File: "schemas/" + name, Err: err}
		}
		if err := c.AddResource(schemas.BaseURI+name, bytes.NewReader(b)); err != nil {
			return nil, &DocumentError{File: "schemas/" + name, Err: err}
		}
	}
	out := make(map[string]*jsonschema.Schema, len(names))
	for _, name := range dependencyOrder(names, refs) {
		s, err := c.Compile(schemas.BaseURI + name)
		if err != nil {
			return nil, &DocumentError{File: "schemas/" + name, Err: err}
		}
		out[name] = s
	}
	return out, nil
}

// fileRefs lists the files a schema's "$ref"s name ("X.json#/..." → X.json).
func fileRefs(v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if s, ok := e.(string); ok && k == "$ref" {
				if f, _, _ := strings.Cut(s, "#"); f != "" {
					out = append(out, path.Base(f))
				}
				continue
			}
			out = append(out, fileRefs(e)...)
		}
	case []any:
		for _, e := range v {
			out = append(out, fileRefs(e)...)
		}
	}
	return out
}

// inlineFileRefs replaces each {"$ref": "X.json"} (a whole file, no
// fragment) by the content of X.json, recursively. In draft-07 the siblings
// of $ref are ignored, so the result validates exactly as the original.
// References that cycle, carry a fragment, or name an unknown file, and files
// that use fragment references of their own, are left as they are.
func inlineFileRefs(v any, docs map[string]any, inside map[string]bool) any {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok {
			name := path.Base(ref)
			target, known := docs[name]
			if known && !strings.Contains(ref, "#") && !inside[name] && !hasFragmentRefs(target) {
				inside[name] = true
				out := inlineFileRefs(target, docs, inside)
				delete(inside, name)
				return out
			}
			return v
		}
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = inlineFileRefs(e, docs, inside)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = inlineFileRefs(e, docs, inside)
		}
		return out
	}
	return v
}

func hasFragmentRefs(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if s, ok := e.(string); ok && k == "$ref" && strings.Contains(s, "#") {
				return true
			}
			if hasFragmentRefs(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if hasFragmentRefs(e) {
				return true
			}
		}
	}
	return false
}

// dependencyOrder orders names so that each comes after the names it refers
// to (cycles are broken arbitrarily but deterministically).
func dependencyOrder(names []string, refs map[string][]string) []string {
	done := make(map[string]bool, len(names))
	var out []string
	var visit func(string)
	visit = func(n string) {
		if done[n] {
			return
		}
		done[n] = true
		deps := append([]string(nil), refs[n]...)
		sort.Strings(deps)
		for _, d := range deps {
			if _, known := refs[d]; known {
				visit(d)
			}
		}
		out = append(out, n)
	}
	for _, n := range names {
		visit(n)
	}
	return out
}

// Document returns the parsed OpenAPI document. Do not modify it.
func (c *Contract) Document() *openapi3.T { return c.doc }

// SpecSHA256 is the hex SHA-256 of the OpenAPI document's bytes.
func (c *Contract) SpecSHA256() string { return c.specSHA }

// Schema returns the compiled JSON Schema of a file in schemas/.
func (c *Contract) Schema(name string) (*jsonschema.Schema, bool) {
	s, ok := c.schemas[name]
	return s, ok
}

// ErrNoRoute is wrapped by violations of requests that match no operation.
var ErrNoRoute = errors.New("no operation for this method and path")

func (c *Contract) findRoute(r *http.Request) (*routers.Route, map[string]string, *Violation) {
	route, params, err := c.router.FindRoute(r)
	if err != nil {
		return nil, nil, &Violation{Layer: LayerRoute, Keyword: "route", Pointer: r.URL.Path,
			Message: fmt.Sprintf("%s %s: %v", r.Method, r.URL.Path, ErrNoRoute)}
	}
	return route, params, nil
}

// schemaFileOf returns the schemas/ file a media type's schema refers to.
func schemaFileOf(mt *openapi3.MediaType) string {
	if mt == nil || mt.Schema == nil {
		return ""
	}
	return path.Base(mt.Schema.Ref)
}
