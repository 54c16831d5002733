package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/drsconform/drsconform/internal/suggest"
	"github.com/drsconform/drsconform/result"
)

// helpText is what `drsconform CMD --help` says besides the command's
// one-line summary (commands()) and its flags.
type helpText struct {
	usage    string   // the arguments after "drsconform CMD"
	examples []string // each after "drsconform "
	details  string   // optional: a paragraph after the usage line
}

// helpTexts has an entry for every command of commands() (a test checks).
var helpTexts = map[string]helpText{
	"run": {
		usage: "[flags]",
		examples: []string{
			`run --target https://drs.example.com --token "$DRSCONFORM_TOKEN" --report-dir out`,
			"run --tags lifecycle --strict",
		},
		details: "Without --target it plays against the embedded reference implementation.\n" +
			"Exit 0 conformant, 1 non-conformant, 2 usage or configuration, 3 could not judge.",
	},
	"serve": {
		usage:    "[flags]",
		examples: []string{"serve --listen 127.0.0.1:8080 --token secret"},
	},
	"proxy": {
		usage:    "--upstream URL [flags]",
		examples: []string{"proxy --upstream http://127.0.0.1:8080 --listen 127.0.0.1:8081 --fail-on-violation"},
	},
	"lint": {
		usage:    "[-q] [--cases DIR]",
		examples: []string{"lint -q"},
		details: "Validates the OpenAPI document (and that its examples match their schemas),\n" +
			"the JSON Schemas, the requirement catalogue and the case files. Exit 0 when clean, 2 otherwise.",
	},
	"list": {
		usage:    "[flags]",
		examples: []string{"list --tags lifecycle", "list --requirements"},
	},
	"report": {
		usage:    "--from report.json [--format html|md|junit|json] [--out FILE]",
		examples: []string{"report --from out/report.json --format md --out out/report.md"},
	},
	"reproduce": {
		usage: "CASE_ID [--from report.json] [--cases DIR] [--target URL] [--script | --run] [flags]",
		examples: []string{
			"reproduce lifecycle.terminate-then-delete --from out/report.json > repro.sh",
			"reproduce lifecycle.terminate-then-delete --from out/report.json --run",
		},
		details: "Replays one case with its fixtures: makes its tasks through the fixture protocol, sends\n" +
			"its requests and reads every task back, printing each answer. By default it prints a\n" +
			"POSIX shell script (curl, sed, awk) to run anywhere; --run plays it from here.\n" +
			"The token is never written: the script and every curl command read it from $DRSCONFORM_TOKEN.",
	},
	"verify-bundle": {
		usage:    "[--cases DIR] BUNDLE_DIR",
		examples: []string{"verify-bundle out"},
		details:  "Exit 0 when intact, 1 on a mismatch (each file named), 2 on a usage error.",
	},
	"version": {
		usage:    "",
		examples: []string{"version"},
	},
}

// commandName is the command a flag set belongs to: "drsconform run" → "run".
func commandName(fs *flag.FlagSet) string {
	return strings.TrimPrefix(fs.Name(), "drsconform ")
}

// parseFlags parses the flags of a command. With -h or --help it prints the
// command's help on stdout and returns exit 0; on a mistake it prints one
// line saying what is wrong (and what was probably meant) and where the help
// is, and returns exit 2. ok is true when the command should go on.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	fs.SetOutput(io.Discard) // the flag package's own message is the whole usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(stderr)
	if errors.Is(err, flag.ErrHelp) {
		printHelp(stdout, fs)
		return result.ExitConformant, false
	}
	if err == nil {
		err = valueTakenFromAFlag(fs)
	}
	if err != nil {
		return usageError(stderr, fs, "%s", flagProblem(fs, err)), false
	}
	return result.ExitConformant, true
}

// usageError prints "drsconform CMD: message" and where the command's help
// is, and returns the exit code of a usage error.
func usageError(stderr io.Writer, fs *flag.FlagSet, format string, args ...any) int {
	fmt.Fprintf(stderr, "drsconform %s: %s\n", commandName(fs), fmt.Sprintf(format, args...))
	fmt.Fprintf(stderr, "see: %s %s --help\n", invocation(), commandName(fs))
	return result.ExitUsage
}

// The flag package's error messages, to say them in one line with the flag
// written as README.md writes it (--name). One that matches none is said as
// it is.
var (
	undefinedFlag = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
	missingValue  = regexp.MustCompile(`^flag needs an argument: -+(.*)$`)
	invalidValue  = regexp.MustCompile(`^invalid (?:boolean )?value (".*") for (?:flag )?-+([^:]*): (.*)$`)
)

// flagProblem says err of fs.Parse in one line: an unknown flag with the
// nearest known one, a flag without its value, a value of the wrong kind.
func flagProblem(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	if m := undefinedFlag.FindStringSubmatch(msg); m != nil {
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		if near := suggest.Nearest(m[1], names); near != "" {
			return fmt.Sprintf("unknown flag --%s; did you mean --%s?", m[1], near)
		}
		return fmt.Sprintf("unknown flag --%s", m[1])
	}
	if m := missingValue.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("flag --%s needs a value", m[1])
	}
	if m := invalidValue.FindStringSubmatch(msg); m != nil {
		reason := m[3]
		if f := fs.Lookup(m[2]); f != nil {
			reason = wantOf(f, reason)
		}
		return fmt.Sprintf("--%s %s: invalid value: %s", m[2], m[1], reason)
	}
	return msg
}

// wantOf replaces the flag package's "parse error" with the kind of value
// the flag takes.
func wantOf(f *flag.Flag, reason string) string {
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return reason
	}
	switch g.Get().(type) {
	case time.Duration:
		return "want a duration such as 10s or 1m30s"
	case int, int64, uint, uint64:
		return "want a whole number"
	case bool:
		return "want true or false"
	}
	return reason
}

// valueTakenFromAFlag catches "--target --token T": the flag package gives
// --target the value "--token" and T becomes an argument.
func valueTakenFromAFlag(fs *flag.FlagSet) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		v := f.Value.String()
		if err != nil || !strings.HasPrefix(v, "-") {
			return
		}
		name, _, _ := strings.Cut(strings.TrimLeft(v, "-"), "=")
		if fs.Lookup(name) != nil {
			err = fmt.Errorf("flag --%s needs a value (it took %s, another flag)", f.Name, v)
		}
	})
	return err
}

// printHelp writes the help of fs's command: summary, usage, details,
// examples and flags.
func printHelp(w io.Writer, fs *flag.FlagSet) {
	name := commandName(fs)
	self := invocation()
	h := helpTexts[name]
	fmt.Fprintf(w, "drsconform %s: %s\n\nUsage:\n  %s\n", name, summaryOf(name),
		strings.TrimSpace(self+" "+name+" "+h.usage))
	if h.details != "" {
		fmt.Fprintf(w, "\n%s\n", h.details)
	}
	if len(h.examples) > 0 {
		fmt.Fprintln(w, "\nExample:")
		for _, e := range h.examples {
			fmt.Fprintf(w, "  %s %s\n", self, e)
		}
	}
	var defaults bytes.Buffer
	fs.SetOutput(&defaults)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	if defaults.Len() > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s", longFlags.ReplaceAllString(defaults.String(), "$1--"))
	}
}

// longFlags finds the "-name" PrintDefaults starts each flag with.
var longFlags = regexp.MustCompile(`(?m)^(  )-`)

func summaryOf(name string) string {
	for _, c := range commands() {
		if c.name == name {
			return c.summary
		}
	}
	return ""
}

// usage is the help of drsconform itself: the commands.
func usage(w io.Writer) {
	self := invocation()
	fmt.Fprintf(w, "drsconform: the conformance suite for DRS v3 DELETE /v3/{project_id}/jobs/batch-jobs\n\nUsage:\n  %s <command> [flags]\n\nCommands:\n", self)
	width := 0
	for _, c := range commands() {
		width = max(width, len(c.name))
	}
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprintf(w, "\nExample:\n  %s run --target http://127.0.0.1:8080 --token \"$DRSCONFORM_TOKEN\"\n", self)
	fmt.Fprintf(w, "\n'%s help <command>' (or '%s <command> --help') shows the flags of a command.\n", self, self)
}
