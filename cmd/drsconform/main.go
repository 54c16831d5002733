// Command drsconform is the conformance suite for DRS v3
// DELETE /v3/{project_id}/jobs/batch-jobs: run, serve, proxy, lint, list,
// report, reproduce, verify-bundle, compare, version.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/drsconform/drsconform/internal/suggest"
	"github.com/drsconform/drsconform/result"
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
		{"fixtures", "plan the existing tasks a run with --fixtures needs (fixtures plan), or write a file to fill in", runFixtures},
		{"proxy", "a validating proxy: check every request and answer that passes through", runProxy},
		{"lint", "validate the OpenAPI document, the schemas, the examples, the requirements and the cases", runLint},
		{"list", "list the cases (or, with --requirements, the traceability table)", runList},
		{"report", "render a saved run (report.json) again, or a proxy exchange log, as html, md, junit or json", runReport},
		{"reproduce", "replay one case with its fixtures: a shell script, or --run to play it here", runReproduce},
		{"verify-bundle", "check a results bundle (--report-dir) against its manifest and this suite", runVerifyBundle},
		{"compare", "compare the results of several implementations: where they diverge, the spec is ambiguous", runCompare},
		{"version", "print the suite's version (every report carries it)", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return result.ExitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if args[0] != "help" || len(args) == 1 {
			usage(stdout)
			return result.ExitConformant
		}
		c, ok := lookupCommand(args[1], stderr)
		if !ok {
			return result.ExitUsage
		}
		return c.run(ctx, []string{"--help"}, stdout, stderr)
	case "-version", "--version":
		args = []string{"version"}
	}
	c, ok := lookupCommand(args[0], stderr)
	if !ok {
		return result.ExitUsage
	}
	return c.run(ctx, args[1:], stdout, stderr)
}

// lookupCommand finds the command called name, or says on stderr that there
// is none, with the one probably meant.
func lookupCommand(name string, stderr io.Writer) (command, bool) {
	var names []string
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
		names = append(names, c.name)
	}
	switch near := suggest.Nearest(strings.TrimLeft(name, "-"), names); {
	case strings.HasPrefix(name, "-"):
		fmt.Fprintf(stderr, "drsconform: %s: flags go after a command (%s <command> [flags])\n", name, invocation())
	case near != "":
		fmt.Fprintf(stderr, "drsconform: unknown command %q; did you mean %s?\n", name, near)
	default:
		fmt.Fprintf(stderr, "drsconform: unknown command %q; the commands are %s\n", name, strings.Join(names, ", "))
	}
	fmt.Fprintf(stderr, "see: %s --help\n", invocation())
	return command{}, false
}
