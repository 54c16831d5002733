// Command drsconform is the conformance suite for DRS v3
// DELETE /v3/{project_id}/jobs/batch-jobs: run, serve, proxy, lint, list.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes (README.md, "Exit codes"): scripts depend on them.
const (
	exitConformant    = 0
	exitNonConformant = 1
	exitUsage         = 2
	exitCannotJudge   = 3
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"run", "play the cases against a target (default: the embedded reference implementation)", runRun},
		{"serve", "serve the reference implementation, with the fixture protocol under /_conformance", runServe},
		{"proxy", "a validating proxy: check every request and answer that passes through", runProxy},
		{"lint", "validate the OpenAPI document, the schemas, the examples, the requirements and the cases", runLint},
		{"list", "list the cases (or, with --requirements, the traceability table)", runList},
		{"report", "render a saved run (report.json) again as html, md, junit or json", runReport},
		{"verify-bundle", "check a results bundle (--report-dir) against its manifest and this suite", runVerifyBundle},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitConformant
	}
	if args[0] == "version" || args[0] == "--version" {
		fmt.Fprintln(stdout, "drsconform", suiteVersion())
		return exitConformant
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "drsconform: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: drsconform <command> [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-6s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'drsconform <command> -h' for the flags of a command.")
}
