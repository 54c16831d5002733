package main

import (
	"strings"
	"testing"

	"github.com/drsconform/drsconform/result"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every command answers -h, --help and `help CMD` with exit 0 and its help
// on stdout: summary, usage line, example, flags.
func TestEveryCommandHasHelp(t *testing.T) {
	t.Parallel()
	self := invocation()
	for _, c := range commands() {
		h, ok := helpTexts[c.name]
		require.True(t, ok, "helpTexts has no entry for %s", c.name)
		require.NotEmpty(t, h.examples, "%s has no example", c.name)
		for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}} {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				t.Parallel()
				code, out, errOut := runCLI(t, args...)
				assert.Equal(t, result.ExitConformant, code)
				assert.Empty(t, errOut)
				assert.True(t, strings.HasPrefix(out, "drsconform "+c.name+": "+c.summary+"\n"), "starts with the summary:\n%s", out)
				assert.Contains(t, out, "\nUsage:\n  "+self+" "+c.name)
				assert.Contains(t, out, "\nExample:\n  "+self+" "+h.examples[0]+"\n")
				if c.name != "version" {
					assert.Contains(t, out, "\nFlags:\n  --")
					assert.NotContains(t, out, "\n  -"+"-"+"-", "flags are written --name")
				}
			})
		}
	}
}

func TestTopLevelHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		code, out, errOut := runCLI(t, args...)
		assert.Equal(t, result.ExitConformant, code, "%v", args)
		assert.Empty(t, errOut)
		for _, c := range commands() {
			assert.Contains(t, out, "\n  "+c.name+" ", "%v lists %s", args, c.name)
		}
		assert.Contains(t, out, "Example:")
	}
	code, out, errOut := runCLI(t)
	assert.Equal(t, result.ExitUsage, code, "no command is a usage error")
	assert.Empty(t, out)
	assert.Contains(t, errOut, "Commands:")

	code, out, _ = runCLI(t, "--version")
	assert.Equal(t, result.ExitConformant, code)
	assert.Equal(t, "drsconform "+suiteVersion()+"\n", out)
}

// A mistake on the command line is one line saying what is wrong (and what
// was probably meant) and one saying where the help is: never the whole
// flag list.
func TestCommandLineMistakes(t *testing.T) {
	t.Parallel()
	self := invocation()
	type testCase struct {
		args []string
		want string // the first line of stderr
		help string // the command of the second line: "see: SELF help --help"
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		code, out, errOut := runCLI(t, tc.args...)
		assert.Equal(t, result.ExitUsage, code)
		assert.Empty(t, out, "nothing starts")
		assert.Equal(t, tc.want+"\nsee: "+strings.TrimSpace(self+" "+tc.help)+" --help\n", errOut)
	}
	for _, tc := range []testCase{
		{args: []string{"run", "--taget", "http://x"}, want: "drsconform run: unknown flag --taget; did you mean --target?", help: "run"},
		{args: []string{"run", "--tokn", "T"}, want: "drsconform run: unknown flag --tokn; did you mean --token?", help: "run"},
		{args: []string{"run", "-Target=http://x"}, want: "drsconform run: unknown flag --Target; did you mean --target?", help: "run"},
		{args: []string{"run", "--fixture-url", "http://x"}, want: "drsconform run: unknown flag --fixture-url; did you mean --fixtures-url?", help: "run"},
		{args: []string{"run", "--bogus"}, want: "drsconform run: unknown flag --bogus", help: "run"},
		{args: []string{"run", "--target"}, want: "drsconform run: flag --target needs a value", help: "run"},
		{args: []string{"run", "--target", "--token", "T"}, want: "drsconform run: flag --target needs a value (it took --token, another flag)", help: "run"},
		{args: []string{"run", "--timeout", "soon"}, want: `drsconform run: --timeout "soon": invalid value: want a duration such as 10s or 1m30s`, help: "run"},
		{args: []string{"run", "--parallel", "many"}, want: `drsconform run: --parallel "many": invalid value: want a whole number`, help: "run"},
		{args: []string{"run", "--strict=maybe"}, want: `drsconform run: --strict "maybe": invalid value: want true or false`, help: "run"},
		{args: []string{"run", "http://x"}, want: `drsconform run: unexpected argument "http://x"`, help: "run"},
		{args: []string{"serve", "--listn", ":0"}, want: "drsconform serve: unknown flag --listn; did you mean --listen?", help: "serve"},
		{args: []string{"serve", "--duplicates", "twice"}, want: `drsconform serve: --duplicates "twice": invalid value: want accept or reject`, help: "serve"},
		{args: []string{"proxy", "--upstrem", "http://x"}, want: "drsconform proxy: unknown flag --upstrem; did you mean --upstream?", help: "proxy"},
		{args: []string{"lint", "--case", "x"}, want: "drsconform lint: unknown flag --case; did you mean --cases?", help: "lint"},
		{args: []string{"list", "--tgas", "x"}, want: "drsconform list: unknown flag --tgas; did you mean --tags?", help: "list"},
		{args: []string{"report", "--frm", "x.json"}, want: "drsconform report: unknown flag --frm; did you mean --from?", help: "report"},
		{args: []string{"verify-bundle", "--case", "x", "dir"}, want: "drsconform verify-bundle: unknown flag --case; did you mean --cases?", help: "verify-bundle"},
		{args: []string{"verify-bundle"}, want: "drsconform verify-bundle: want one bundle directory (the --report-dir of a run), got 0 arguments", help: "verify-bundle"},
		{args: []string{"version", "--short"}, want: "drsconform version: unknown flag --short", help: "version"},
		{args: []string{"rnu"}, want: `drsconform: unknown command "rnu"; did you mean run?`},
		{args: []string{"help", "sreve"}, want: `drsconform: unknown command "sreve"; did you mean serve?`},
		{args: []string{"check"}, want: `drsconform: unknown command "check"; the commands are run, serve, fixtures, proxy, lint, list, report, reproduce, verify-bundle, compare, version`},
		{args: []string{"--target", "http://x"}, want: "drsconform: --target: flags go after a command (" + self + " <command> [flags])"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) { run(t, tc) })
	}
}
