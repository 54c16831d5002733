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
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/santhosh-tekuri/jsonschema/v5"

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
func Load(specFS fs.FS, docName string, schemaFS fs.FS) (*Contract, error) {
	raw, err := fs.ReadFile(specFS, docName)
	if err != nil {
		return nil, fmt.Errorf("read OpenAPI document: %w", err)
	}
	doc, err := loadDocument(raw, docName, specFS, schemaFS)
	if err != nil {
		return nil, err
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: build router: %w", docName, err)
	}
	compiled, err := CompileSchemas(schemaFS)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	return &Contract{doc: doc, router: router, schemas: compiled, specSHA: hex.EncodeToString(sum[:])}, nil
}

// loadDocument parses and validates the OpenAPI document, resolving
// "../schemas/X.json" references from schemaFS.
func loadDocument(raw []byte, docName string, specFS, schemaFS fs.FS) (*openapi3.T, error) {
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
	doc, err := loader.LoadFromDataWithPath(raw, &url.URL{Path: "/openapi/" + docName})
	if err != nil {
		return nil, fmt.Errorf("openapi/%s: %w", docName, err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("openapi/%s: invalid OpenAPI document: %w", docName, err)
	}
	return doc, nil
}

// CompileSchemas compiles every *.json schema in schemaFS (draft-07).
func CompileSchemas(schemaFS fs.FS) (map[string]*jsonschema.Schema, error) {
	names, err := fs.Glob(schemaFS, "*.json")
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7
	for _, name := range names {
		raw, err := fs.ReadFile(schemaFS, name)
		if err != nil {
			return nil, err
		}
		if err := c.AddResource(schemas.BaseURI+name, bytes.NewReader(raw)); err != nil {
			return nil, fmt.Errorf("schemas/%s: %w", name, err)
		}
	}
	out := make(map[string]*jsonschema.Schema, len(names))
	for _, name := range names {
		s, err := c.Compile(schemas.BaseURI + name)
		if err != nil {
			return nil, fmt.Errorf("schemas/%s: %w", name, err)
		}
		out[name] = s
	}
	return out, nil
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
