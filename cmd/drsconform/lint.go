package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/conformance"
	"github.com/drsconform/drsconform/contract"
	"github.com/drsconform/drsconform/internal/yamlschema"
	"github.com/drsconform/drsconform/openapi"
	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/schemas"
)

// lintCheck is one thing `drsconform lint` checks: name is what it checks (a
// file or folder, as a reader finds it in the repository), run does it and
// returns a one-line summary when all is well, or the problems, each an error
// that reads "file:line: message".
type lintCheck struct {
	name string
	run  func() (summary string, problems []error)
}

// lintChecks lists the checks in the order they run, on the embedded files.
func lintChecks(casesDir string) []lintCheck {
	return []lintCheck{
		{"schemas/", func() (string, []error) { return lintSchemas(schemas.FS) }},
		{"openapi/" + openapi.Document, func() (string, []error) {
			return lintOpenAPI(openapi.FS, openapi.Document, schemas.FS)
		}},
		{conformance.RequirementsFile, func() (string, []error) {
			return lintRequirements(conformance.RequirementsFile, conformance.RequirementsSource())
		}},
		{casesName(casesDir), func() (string, []error) { return lintCases(casesDir) }},
	}
}

func casesName(dir string) string {
	if dir == "" {
		return "cases/"
	}
	return dir
}

// lintCases loads the case files (schema, references, unique IDs) and checks
// that every bad-input body breaks exactly the rule it declares, and that
// every case tagged safe can be (cases.CheckSafe).
func lintCases(dir string) (string, []error) {
	files, err := loadCaseFiles(dir)
	if err != nil {
		return "", problemsOf(err)
	}
	ct, err := contract.Default()
	if err != nil {
		return "", []error{err}
	}
	var errs []error
	for _, p := range cases.CheckBodies(files, ct) {
		errs = append(errs, p)
	}
	for _, p := range cases.CheckSafe(files) { // cases tagged safe: runner/selection.go, Safe
		errs = append(errs, p)
	}
	if len(errs) > 0 {
		return "", errs
	}
	n, declared, safe := 0, 0, 0
	for _, f := range files {
		for _, c := range f.Cases {
			n++
			if c.IsSafeTagged() {
				safe++
			}
			for _, s := range c.Steps {
				if s.Request.Violates != nil {
					declared++
				}
			}
		}
	}
	return fmt.Sprintf("%d case files, %d cases; %d bad-input bodies break exactly the rule they declare, every other body is valid; %d cases tagged safe touch no task",
		len(files), n, declared, safe), nil
}

// problemsOf splits located problems into one error each.
func problemsOf(err error) []error {
	var ps yamlschema.Problems
	if errors.As(err, &ps) {
		out := make([]error, len(ps))
		for i, p := range ps {
			out[i] = p
		}
		return out
	}
	return []error{err}
}

func runLint(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("drsconform lint", flag.ContinueOnError)
	quiet := fset.Bool("q", false, "print only the problems")
	casesDir := fset.String("cases", "", "lint the case files of this directory instead of the embedded ones")
	if code, ok := parseFlags(fset, args, stdout, stderr); !ok {
		return code
	}
	if fset.NArg() > 0 {
		return usageError(stderr, fset, "unexpected argument %q", fset.Arg(0))
	}
	return runLintChecks(lintChecks(*casesDir), *quiet, stdout)
}

// runLintChecks runs every check, even after one fails, and prints one line
// per check ("ok   name: summary", or the problems then "FAIL name: ...").
func runLintChecks(checks []lintCheck, quiet bool, stdout io.Writer) int {
	code := result.ExitConformant
	for _, c := range checks {
		summary, problems := c.run()
		if len(problems) == 0 {
			if !quiet {
				fmt.Fprintf(stdout, "ok   %s: %s\n", c.name, summary)
			}
			continue
		}
		code = result.ExitUsage
		for _, p := range problems {
			fmt.Fprintln(stdout, p)
		}
		fmt.Fprintf(stdout, "FAIL %s: %s\n", c.name, plural(len(problems), "problem"))
	}
	return code
}

// lintSchemas: every schema file compiles (draft-07), and the five bodies of
// the endpoint are there.
func lintSchemas(schemaFS fs.FS) (string, []error) {
	compiled, err := contract.CompileSchemas(schemaFS)
	if err != nil {
		return "", []error{err}
	}
	var problems []error
	for _, want := range []string{schemas.DeleteJobReq, schemas.BatchDeleteJobReq, schemas.DeleteJobResp,
		schemas.BatchDeleteJobResp, schemas.ErrorResponse} {
		if _, ok := compiled[want]; !ok {
			problems = append(problems, fmt.Errorf("schemas/%s: missing; the contract needs it", want))
		}
	}
	return fmt.Sprintf("%s compile (draft-07)", plural(len(compiled), "JSON Schema")), problems
}

// lintOpenAPI: the document is valid OpenAPI 3.0.3, its $refs resolve, and
// every named example validates against the schema of its media type.
func lintOpenAPI(specFS fs.FS, docName string, schemaFS fs.FS) (string, []error) {
	doc, raw, err := contract.LoadDocument(specFS, docName, schemaFS)
	if err != nil {
		return "", []error{err}
	}
	compiled, err := contract.CompileSchemas(schemaFS)
	if err != nil {
		return "", []error{fmt.Errorf("openapi/%s: examples not checked: %w", docName, err)}
	}
	if err := contract.CheckExamples(doc, raw, docName, compiled); err != nil {
		return "", unjoin(err)
	}
	// Whatever Load checks beyond the above (the router) must hold too.
	if _, err := contract.Load(specFS, docName, schemaFS); err != nil {
		return "", unjoin(err)
	}
	n := len(contract.Examples(doc))
	return fmt.Sprintf("valid OpenAPI %s, %s validate", doc.OpenAPI, plural(n, "example")), nil
}

// lintRequirements: the catalogue is valid against its JSON Schema, IDs are
// unique, and every MAY requirement lists its choices.
func lintRequirements(file string, data []byte) (string, []error) {
	cat, err := conformance.ParseRequirements(file, data)
	if err != nil {
		var ps yamlschema.Problems
		if errors.As(err, &ps) {
			out := make([]error, len(ps))
			for i, p := range ps {
				out[i] = p
			}
			return "", out
		}
		return "", []error{fmt.Errorf("%s: %w", file, err)}
	}
	levels := map[conformance.Level]int{}
	var problems []error
	for i, r := range cat.Requirements {
		levels[r.Level]++
		if r.Level == conformance.MAY && len(r.Choices) == 0 {
			// the report must say which allowed outcome a target chose
			ptr := fmt.Sprintf("/requirements/%d", i)
			line := 0
			if doc, err := yamlschema.Parse(file, data); err == nil {
				line, _ = doc.Position(ptr)
			}
			problems = append(problems, yamlschema.Problem{File: file, Line: line, Pointer: ptr,
				Message: r.ID + " is MAY but lists no choices: name every outcome the spec allows"})
		}
	}
	if len(problems) > 0 {
		return "", problems
	}
	return fmt.Sprintf("%s (%d MUST, %d SHOULD, %d MAY)", plural(len(cat.Requirements), "requirement"),
		levels[conformance.MUST], levels[conformance.SHOULD], levels[conformance.MAY]), nil
}

// unjoin splits an errors.Join into its errors.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "s") {
		return fmt.Sprintf("%d %ses", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
