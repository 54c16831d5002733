package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/internal/credential"
	"github.com/drsconform/drsconform/internal/suggest"
	"github.com/drsconform/drsconform/internal/untrusted"
	"github.com/drsconform/drsconform/result"
)

// This file reproduces one case outside a run: as a POSIX shell script that
// makes the case's tasks through the fixture protocol, sends its requests and
// reads every task back (WriteScript), or played here with every exchange
// printed as it happens (Reproduce).

// FindCase returns the case with the given ID, or a *UsageError that names
// the nearest ID ("did you mean ...?").
func FindCase(files []*cases.File, id string) (*cases.Case, error) {
	var ids []string
	for _, f := range files {
		for _, c := range f.Cases {
			if c.ID == id {
				return c, nil
			}
			ids = append(ids, c.ID)
		}
	}
	e := &UsageError{Msg: fmt.Sprintf("no case %s", untrusted.Quoted(id))}
	if near := suggest.Nearest(id, ids); near != "" {
		e.Hints = append(e.Hints, fmt.Sprintf("did you mean %s?", near))
	}
	e.Hints = append(e.Hints, "see: drsconform list")
	return nil, e
}

// ScriptOptions are the defaults a reproduction script is written with.
type ScriptOptions struct {
	// Target is the default of $DRSCONFORM_TARGET in the script; ""
	// stands for drsconform serve's default address.
	Target string
	// FixturesURL is the default of $DRSCONFORM_FIXTURES_URL; "" (or
	// Target + "/_conformance") makes it follow $DRSCONFORM_TARGET.
	FixturesURL    string
	ProjectID      string // default DefaultProjectID
	OtherProjectID string // default DefaultOtherProjectID
	// SettleTimeout is the default of $DRSCONFORM_SETTLE: how long the script
	// waits for an asynchronous change (a stop's release), as --settle-timeout.
	SettleTimeout time.Duration
	SuiteVersion  string
	// Notes are more comment lines for the script's head (where the settings
	// came from, the verdict a report recorded); each is made one inert line.
	Notes []string
	// Signed: the target takes AK/SK signatures, which curl cannot make (a
	// signature covers X-Sdk-Date and is accepted for 15 minutes only). The
	// script then plays the case with Command ("drsconform" when empty)
	// reproduce --run, which signs every request afresh, instead of curl.
	Signed  bool
	Command string
}

// ScriptDefaultTarget is the target a script sends to when none was given
// or recorded: where drsconform serve listens by default.
const ScriptDefaultTarget = "http://127.0.0.1:8080"

// InvalidTokenSuffix is what a reproduction script appends to
// $DRSCONFORM_TOKEN to make a credential that cannot be valid, without
// ever printing the token (runner.DerivedToken needs the token's value).
const InvalidTokenSuffix = "-drsconform-invalid"

// scriptIDChars are the characters a task ID may have in a script: they
// need no encoding in a JSON string, a URL path or a shell word.
const scriptIDChars = "A-Za-z0-9._~:@-"

// WriteScript writes a POSIX shell script (#!/bin/sh, set -eu) that
// reproduces c: it makes c's tasks through the fixture protocol, sends each
// step's request with curl, prints every answer, waits (as the runner
// polls) for what a step's outcome needs before the next step, and reads
// every task back after each step. It reads the token from
// $DRSCONFORM_TOKEN and never writes it; every value from a case file or a
// report is quoted so that the shell takes it as data (printf with octal
// escapes for bytes that are not printable ASCII).
func WriteScript(w io.Writer, c *cases.Case, o ScriptOptions) error {
	target := ScriptDefaultTarget
	if o.Target != "" {
		t, err := parseBaseURL("--target", o.Target)
		if err != nil {
			return err
		}
		target = t
	}
	fixtures := ""
	if o.FixturesURL != "" {
		f, err := parseBaseURL("--fixtures-url", o.FixturesURL)
		if err != nil {
			return err
		}
		if f != target+"/_conformance" {
			fixtures = f
		}
	}
	if o.ProjectID == "" {
		o.ProjectID = DefaultProjectID
	}
	if o.OtherProjectID == "" {
		o.OtherProjectID = DefaultOtherProjectID
	}
	if o.ProjectID == o.OtherProjectID {
		return fmt.Errorf("--other-project-id must differ from --project-id (both are %q)", o.ProjectID)
	}
	if o.SettleTimeout <= 0 {
		o.SettleTimeout = DefaultSettleTimeout
	}
	sw, err := newScriptWriter(c, o)
	if err != nil {
		return err
	}
	if o.Signed {
		sw.signed(target, fixtures)
		_, err = io.WriteString(w, sw.b.String())
		return err
	}
	sw.head(target, fixtures)
	sw.fixtures()
	for i, s := range c.Steps {
		sw.step(i+1, s)
	}
	sw.line("")
	sw.line(`say '' '== done: every status was one the case allows (drsconform run judges the rest: bodies, schemas, read-backs)'`)
	_, err = io.WriteString(w, sw.b.String())
	return err
}

// scriptWriter builds one script.
type scriptWriter struct {
	b      strings.Builder
	c      *cases.Case
	o      ScriptOptions
	vars   map[string]string // template values: markers for made tasks, literal IDs for absent ones and projects
	shell  map[string]string // marker → shell variable
	show   map[string]string // marker → how a request line shows it
	marker func(string) string
	made   []string // names of the tasks the script makes, in order
	fxVar  map[string]string
}

func newScriptWriter(c *cases.Case, o ScriptOptions) (*scriptWriter, error) {
	var nonce [8]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, err
	}
	prefix := "drsconformvar" + hex.EncodeToString(nonce[:])
	sw := &scriptWriter{c: c, o: o, vars: map[string]string{cases.TmplProject: o.ProjectID, cases.TmplOtherProject: o.OtherProjectID},
		shell: map[string]string{}, show: map[string]string{}, fxVar: map[string]string{},
		marker: func(name string) string { return prefix + "x" + name + "x" }}
	sw.shell[sw.marker("token")], sw.show[sw.marker("token")] = "DRSCONFORM_TOKEN", "$DRSCONFORM_TOKEN"
	sw.shell[sw.marker("invalid")], sw.show[sw.marker("invalid")] = "invalid_token", "${DRSCONFORM_TOKEN}"+InvalidTokenSuffix
	for i, name := range c.FixtureOrder {
		if c.Fixtures[name].Absent {
			sw.vars[name] = shapedID(c.Fixtures[name].IDKind)
			continue
		}
		v := fmt.Sprintf("fx_%d", i+1)
		m := sw.marker(v)
		sw.vars[name], sw.shell[m], sw.show[m] = m, v, ""
		sw.fxVar[name] = v
		sw.made = append(sw.made, name)
	}
	return sw, nil
}

func (sw *scriptWriter) line(s string) { sw.b.WriteString(s + "\n") }

// comment writes text as one comment line: control characters escaped, so
// no newline in it can end the comment.
func (sw *scriptWriter) comment(text string) {
	sw.line(strings.TrimRight("# "+untrusted.Line(text), " "))
}

// say writes a command that prints text as one line.
func (sw *scriptWriter) say(text string) { sw.line("say " + shellWord(untrusted.Line(text))) }

func (sw *scriptWriter) needsInvalid() bool {
	return slices.ContainsFunc(sw.c.Steps, func(s cases.Step) bool {
		return slices.ContainsFunc(s.Requests(), func(r cases.Request) bool { return cases.NeedsToken(r.Credential) })
	})
}

func (sw *scriptWriter) head(target, fixtures string) {
	c, o := sw.c, sw.o
	sw.line("#!/bin/sh")
	sw.comment(fmt.Sprintf("drsconform reproduce %s: %s", c.ID, c.Title))
	sw.comment(fmt.Sprintf("case file %s:%d; requirements %s", c.File, c.Line, strings.Join(c.Requirements, ", ")))
	sw.comment("written by drsconform " + o.SuiteVersion)
	for _, n := range o.Notes {
		sw.comment(n)
	}
	sw.line("#")
	for _, l := range []string{
		"Makes the case's tasks through the fixture protocol, sends each request of the case",
		"with curl and reads every task back after each step, printing every answer. It judges",
		"only the status codes; `drsconform reproduce " + c.ID + " --run` judges everything.",
		"",
		"Reads from the environment:",
		"  DRSCONFORM_TOKEN         the token, sent as X-Auth-Token (required). This script never",
		"                           prints it: in every answer it shows as [REDACTED].",
		"  DRSCONFORM_TARGET        base URL of the API (default " + target + ")",
	} {
		sw.comment(l)
	}
	if fixtures == "" {
		sw.comment("  DRSCONFORM_FIXTURES_URL  base URL of the fixture protocol (default $DRSCONFORM_TARGET/_conformance)")
	} else {
		sw.comment("  DRSCONFORM_FIXTURES_URL  base URL of the fixture protocol (default " + fixtures + ")")
	}
	for _, l := range []string{
		fmt.Sprintf("  DRSCONFORM_SETTLE        seconds to wait for an asynchronous change (default %d)", settleSeconds(o.SettleTimeout)),
		"",
		"Needs curl, sed and awk. Task IDs are read from the harness's JSON with jq when it is",
		"installed, else with sed, which finds \"id\": \"...\" only when the value has no escapes.",
		"An ID with a character other than letters, digits and . _ ~ : @ - stops the script:",
		"it would need encoding in a JSON string or a URL.",
		"Answers are printed with control characters shown as ?, so none can take over the terminal.",
		"Do not run it with sh -x: the trace would show the token.",
	} {
		sw.comment(l)
	}
	sw.line("set -eu")
	sw.line("")
	sw.line(`: "${DRSCONFORM_TOKEN:?set DRSCONFORM_TOKEN to the token the target accepts (sent as X-Auth-Token)}"`)
	sw.line("target_default=" + shellWord(target))
	sw.line("target=${DRSCONFORM_TARGET:-$target_default}")
	if fixtures == "" {
		sw.line("fixtures=${DRSCONFORM_FIXTURES_URL:-$target/_conformance}")
	} else {
		sw.line("fixtures_default=" + shellWord(fixtures))
		sw.line("fixtures=${DRSCONFORM_FIXTURES_URL:-$fixtures_default}")
	}
	sw.line(fmt.Sprintf("settle=${DRSCONFORM_SETTLE:-%d}", settleSeconds(o.SettleTimeout)))
	sw.line(`case $settle in '' | *[!0-9]*) printf 'DRSCONFORM_SETTLE: want whole seconds, not %s\n' "$settle" >&2; exit 2 ;; esac`)
	if sw.needsInvalid() {
		sw.line("")
		sw.comment("A credential the target cannot have issued, derived without printing the token: the token")
		sw.comment("with a fixed suffix. (drsconform run derives it differently, moving the token's last eight")
		sw.comment("letters and digits on by one; neither can be valid.) It shows as [REDACTED]" + InvalidTokenSuffix + ".")
		sw.line(`invalid_token="${DRSCONFORM_TOKEN}` + InvalidTokenSuffix + `"`)
	}
	sw.line("mismatch=0")
	sw.b.WriteString(scriptFunctions)
}

// signed writes the script of a target that takes AK/SK signatures: a
// head that says why, then one drsconform reproduce --run command with the
// same settings.
func (sw *scriptWriter) signed(target, fixtures string) {
	c, o := sw.c, sw.o
	command := o.Command
	if command == "" {
		command = "drsconform"
	}
	sw.line("#!/bin/sh")
	sw.comment(fmt.Sprintf("drsconform reproduce %s: %s", c.ID, c.Title))
	sw.comment(fmt.Sprintf("case file %s:%d; requirements %s", c.File, c.Line, strings.Join(c.Requirements, ", ")))
	sw.comment("written by drsconform " + o.SuiteVersion)
	for _, n := range o.Notes {
		sw.comment(n)
	}
	for _, l := range []string{
		"",
		"The target takes AK/SK signatures (SDK-HMAC-SHA256). curl cannot make one, and a",
		"recorded one is of no use: it covers X-Sdk-Date and is accepted for 15 minutes only.",
		"So this script plays the case with drsconform itself, which signs every request",
		"afresh, prints every exchange (signatures redacted) and judges everything.",
		"",
		"Reads from the environment:",
		"  DRSCONFORM_AK, DRSCONFORM_SK  the access key and secret key (or HUAWEICLOUD_SDK_AK,",
		"                                HUAWEICLOUD_SDK_SK); never printed",
		"  DRSCONFORM_TARGET             base URL of the API (default " + target + ")",
	} {
		sw.comment(l)
	}
	sw.line("set -eu")
	sw.line(`: "${DRSCONFORM_AK:=${HUAWEICLOUD_SDK_AK:-}}" "${DRSCONFORM_SK:=${HUAWEICLOUD_SDK_SK:-}}"`)
	sw.line(`[ -n "$DRSCONFORM_AK" ] && [ -n "$DRSCONFORM_SK" ] || { echo 'set DRSCONFORM_AK and DRSCONFORM_SK to the access key and secret key the target accepts' >&2; exit 2; }`)
	sw.line("export DRSCONFORM_AK DRSCONFORM_SK")
	sw.line("target_default=" + shellWord(target))
	args := []string{"reproduce", shellWord(c.ID), "--run", `--target "${DRSCONFORM_TARGET:-$target_default}"`}
	if fixtures != "" {
		args = append(args, "--fixtures-url", shellWord(fixtures))
	}
	args = append(args, "--project-id", shellWord(o.ProjectID), "--other-project-id", shellWord(o.OtherProjectID),
		"--settle-timeout", shellWord(o.SettleTimeout.String()))
	sw.line("exec " + command + " " + strings.Join(args, " "))
}

// scriptFunctions are the helpers every script defines.
const scriptFunctions = `
# say TEXT...: print each argument on a line of its own.
say() { printf '%s\n' "$@"; }

# show: stdin to stdout with the token replaced by [REDACTED], CR at line ends
# dropped and every other control character shown as ?.
show() {
	LC_ALL=C awk '
		BEGIN { t = ENVIRON["DRSCONFORM_TOKEN"] }
		{
			sub(/\r$/, "")
			if (t != "") while ((i = index($0, t)) > 0) $0 = substr($0, 1, i - 1) "[REDACTED]" substr($0, i + length(t))
			gsub(/[\001-\010\013-\037\177]/, "?")
			print
		}'
}

# field NAME: the string field NAME of the JSON object on stdin.
field() {
	if command -v jq >/dev/null 2>&1; then
		jq -r --arg k "$1" 'if type == "object" and (.[$k] | type) == "string" then .[$k] else empty end' 2>/dev/null || true
	else
		sed -n 's/.*"'"$1"'"[[:space:]]*:[[:space:]]*"\([^"\\]*\)".*/\1/p' | head -n 1
	fi
}

# parse_answer: $answer (curl's output, then a line with the status) into $code and $body.
nl='
'
parse_answer() {
	code=${answer##*"$nl"}
	body=${answer%"$nl"*}
	if [ "$body" = "$answer" ]; then body=''; fi
}

# create NAME JSON: ask the harness for a task; print the answer; set $id.
create() {
	say "" "== make task $1: POST $fixtures/v1/jobs" "> $2" | show
	answer=$(curl -sS -w '\n%{http_code}' -X POST "$fixtures/v1/jobs" -H "X-Auth-Token: $DRSCONFORM_TOKEN" \
		-H 'Content-Type: application/json' --data-binary "$2") || answer='000'
	parse_answer
	say "< $code" "$body" | show
	case $code in
	200 | 201) ;;
	*)
		say "drsconform: the harness cannot make task $1 (it answered $code): drsconform run skips (400) or errors on this case" | show >&2
		exit 3
		;;
	esac
	id=$(say "$body" | field id)
	case $id in
	'' | *[!` + scriptIDChars + `]*)
		say "drsconform: the harness's answer has no \"id\" this script can use (letters, digits and . _ ~ : @ - only)" >&2
		exit 3
		;;
	esac
}

# state ID PROJECT: read a task back quietly; set $code, $body and $status.
state() {
	answer=$(curl -sS -w '\n%{http_code}' -H "X-Auth-Token: $DRSCONFORM_TOKEN" "$fixtures/v1/jobs/$1?project_id=$2") || answer='000'
	parse_answer
	status=$(say "$body" | field status)
}

# read_back NAME ID PROJECT: read a task back and print the answer.
read_back() {
	say "" "== read back task $1: GET $fixtures/v1/jobs/$2?project_id=$3" | show
	state "$2" "$3"
	say "< $code" "$body" | show
}

# await NAME ID PROJECT WHAT [ARG]: read a task back until WHAT holds (gone,
# status S, status_in "S1 S2", not_status S) or $settle seconds have passed, as
# drsconform run polls before it judges a step's read-backs.
await() {
	start=$(date +%s)
	while :; do
		state "$2" "$3"
		case $4 in
		gone) if [ "$code" = 404 ]; then break; fi ;;
		status) if [ "$code" = 200 ] && [ "$status" = "$5" ]; then break; fi ;;
		status_in) if [ "$code" = 200 ]; then case " $5 " in *" $status "*) break ;; esac; fi ;;
		not_status) if [ "$code" = 200 ] && [ "$status" != "$5" ]; then break; fi ;;
		esac
		if [ $(($(date +%s) - start)) -ge "$settle" ]; then
			say "(task $1: still not $4 ${5:-} after ${settle}s; it reads $code ${status:-})" | show
			break
		fi
		sleep 0.2 2>/dev/null || sleep 1
	done
}
`

func settleSeconds(d time.Duration) int { return max(1, int((d+time.Second-1)/time.Second)) }

func (sw *scriptWriter) fixtures() {
	if len(sw.made) == 0 {
		return
	}
	sw.line("")
	sw.comment("The case's tasks, made in this order; $fx_N holds each one's ID.")
	for _, name := range sw.made {
		fx := sw.c.Fixtures[name]
		body, _ := json.Marshal(fixtureRequest{ProjectID: sw.project(fx), Status: fx.Status,
			Parent: fx.Parent, DualActive: fx.DualActive, Busy: fx.Busy})
		sw.line(fmt.Sprintf("create %s %s", shellWord(untrusted.Line(name)), shellWord(string(body))))
		sw.line(sw.fxVar[name] + `=$id`)
	}
	for _, name := range sw.made {
		sw.readBack(name)
	}
}

func (sw *scriptWriter) project(fx cases.Fixture) string {
	if fx.Project == "other" {
		return sw.o.OtherProjectID
	}
	return sw.o.ProjectID
}

func (sw *scriptWriter) readBack(name string) {
	sw.line(fmt.Sprintf(`read_back %s "$%s" %s`, shellWord(untrusted.Line(name)), sw.fxVar[name],
		shellWord(url.QueryEscape(sw.project(sw.c.Fixtures[name])))))
}

// request is what a step sends, with markers where the script substitutes a
// shell variable (a task's ID, the token, the invalid credential).
func (sw *scriptWriter) request(r cases.Request) (path string, header http.Header, body []byte, hasBody bool) {
	project := sw.o.ProjectID
	if r.Project == "other" {
		project = sw.o.OtherProjectID
	}
	path = "/v3/" + url.PathEscape(project) + "/jobs/batch-jobs"
	header = http.Header{}
	header.Set("Content-Type", "application/json")
	header.Set("X-Auth-Token", sw.marker("token"))
	for k, v := range r.Headers {
		header.Set(k, cases.Expand(v, sw.vars))
	}
	for _, k := range r.RemoveHeaders {
		header.Del(k)
	}
	// As setCredential, with the script's own invalid credential.
	invalid := sw.marker("invalid")
	switch r.Credential {
	case cases.CredentialNone:
		header.Del("X-Auth-Token")
		header.Del("Authorization")
	case cases.CredentialDerivedInvalid:
		header.Del("Authorization")
		header.Set("X-Auth-Token", invalid)
	case cases.CredentialMalformedAuthorization:
		header.Del("X-Auth-Token")
		header.Set("Authorization", "SDK-HMAC-SHA256 Access="+invalid+", SignedHeaders=host, Signature=00")
	case cases.CredentialGarbageAuthorization:
		header.Del("X-Auth-Token")
		header.Set("Authorization", invalid)
	}
	if raw, ok := r.Raw(); ok {
		body, hasBody = []byte(cases.Expand(raw, sw.vars)), true
	} else if r.Body != nil {
		body, _ = json.Marshal(cases.ExpandValue(r.Body, sw.vars))
		hasBody = true
	} else if r.Batch != nil {
		body, hasBody = batchBody(r.Batch, sw.vars), true // fixture names map to their markers
	}
	return path, header, body, hasBody && len(body) > 0
}

func (sw *scriptWriter) step(n int, s cases.Step) {
	if g := s.ExpectGroup; len(s.Concurrent) > 0 && g != nil {
		// A shell script cannot release requests through a barrier: it sends
		// the group's requests one after another (drsconform reproduce --run
		// plays the group as the run does), each with its own expect, then
		// waits for the group's then after the last.
		for i, r := range s.Concurrent {
			e := g.ForRequest(i)
			one := cases.Step{Name: fmt.Sprintf("%s (request %d of %d of a concurrent group, sent here one after another)",
				s.Name, i+1, len(s.Concurrent)), Request: r, Expect: &e}
			if i == len(s.Concurrent)-1 {
				one.Then = s.Then
			}
			sw.step(n, one)
		}
		return
	}
	path, header, body, hasBody := sw.request(s.Request)
	title := fmt.Sprintf("step %d of %d", n, len(sw.c.Steps))
	if s.Name != "" {
		title += ": " + s.Name
	}
	sw.line("")
	sw.comment(title)
	sw.line("say ''")
	sw.say("== " + title)
	for _, o := range s.Alternatives() {
		sw.say("expect: " + describeOutcome(o))
	}
	fn := fmt.Sprintf("body_%d", n)
	if hasBody {
		format, args := sw.printf(string(body))
		sw.line(fn + "() { printf " + format + args + "; }")
	}
	sw.line(`say "> DELETE $target"` + shellWord(path))
	var curl strings.Builder
	for _, k := range slices.Sorted(maps.Keys(header)) {
		for _, v := range header[k] {
			sw.line("say " + sw.word("> "+k+": "+v, true) + " | show")
			arg := k + ": " + v
			if v == "" {
				arg = k + ";" // curl sends an empty header for "Name;" ("Name:" removes it)
			}
			curl.WriteString(" -H " + sw.word(arg, false))
		}
	}
	if hasBody && header.Get("Content-Type") == "" {
		curl.WriteString(" -H 'Content-Type:'") // curl would add a form media type
	}
	send := `answer=$(curl -sS -i -w '\n%{http_code}' -X DELETE "$target"` + shellWord(path) + curl.String()
	if hasBody {
		sw.line("{ " + fn + "; echo; } | show")
		send = `answer=$(` + fn + ` | curl -sS -i -w '\n%{http_code}' -X DELETE "$target"` + shellWord(path) + curl.String() + " --data-binary @-"
	} else {
		sw.line("say '(no body)'")
	}
	sw.line(send + ") || answer='000'")
	sw.line("parse_answer")
	sw.line(`say "<" "$body" | show`)
	sw.line("case $code in")
	for _, o := range s.Alternatives() {
		pattern := make([]string, len(o.Expect.Status))
		for i, code := range o.Expect.Status {
			pattern[i] = fmt.Sprint(code)
		}
		sw.line("\t" + strings.Join(pattern, " | ") + ")")
		waits := 0
		for _, name := range slices.Sorted(maps.Keys(o.Then)) {
			if v, ok := sw.fxVar[name]; ok && o.Then[name].Eventual() {
				sw.await(name, v, o.Then[name])
				waits++
			}
		}
		if waits == 0 {
			sw.line("\t\t:")
		}
		sw.line("\t\t;;")
	}
	sw.line("\t*)")
	sw.line(`		say "(status $code is none the case allows: drsconform run stops the case here)"`)
	sw.line("\t\tmismatch=1")
	sw.line("\t\t;;")
	sw.line("esac")
	for _, name := range sw.made {
		sw.readBack(name)
	}
	sw.line(`if [ "$mismatch" -ne 0 ]; then`)
	sw.line(`	say '' '== an answer had a status the case does not allow: drsconform run judges this case a failure'`)
	sw.line(`	exit 1`)
	sw.line(`fi`)
}

func (sw *scriptWriter) await(name, v string, p cases.Post) {
	what, arg := "", ""
	switch {
	case p.Gone:
		what = "gone"
	case p.Status != "":
		what, arg = "status", p.Status
	case len(p.StatusIn) > 0:
		what, arg = "status_in", strings.Join(p.StatusIn, " ")
	case p.NotStatus != "":
		what, arg = "not_status", p.NotStatus
	default:
		return
	}
	line := fmt.Sprintf(`		await %s "$%s" %s %s`, shellWord(untrusted.Line(name)), v,
		shellWord(url.QueryEscape(sw.project(sw.c.Fixtures[name]))), what)
	if arg != "" {
		line += " " + shellWord(arg)
	}
	sw.line(line)
}

// describeOutcome is one outcome of a step in one line.
func describeOutcome(o cases.Outcome) string {
	var parts []string
	if o.Choice != "" {
		parts = append(parts, "["+o.Choice+"]")
	}
	s := "status " + o.Expect.Status.String()
	if o.Expect.Requirement != "" {
		s += " (" + o.Expect.Requirement + ")"
	}
	parts = append(parts, s)
	for _, name := range slices.Sorted(maps.Keys(o.Expect.Results)) {
		ie := o.Expect.Results[name]
		item := name + ": " + ie.Status
		if ie.ErrorCode != "" {
			item += " " + ie.ErrorCode
		}
		parts = append(parts, item)
	}
	for _, name := range slices.Sorted(maps.Keys(o.Then)) {
		parts = append(parts, "then "+name+" "+o.Then[name].String())
	}
	return strings.Join(parts, "; ")
}

// segments splits s at the markers of shell variables.
func (sw *scriptWriter) segments(s string) (parts []string, isVar []bool) {
	for s != "" {
		at, which := -1, ""
		for m := range sw.shell {
			if i := strings.Index(s, m); i >= 0 && (at < 0 || i < at) {
				at, which = i, m
			}
		}
		if at < 0 {
			parts, isVar = append(parts, s), append(isVar, false)
			break
		}
		if at > 0 {
			parts, isVar = append(parts, s[:at]), append(isVar, false)
		}
		parts, isVar = append(parts, which), append(isVar, true)
		s = s[at+len(which):]
	}
	return parts, isVar
}

// word is s as one shell word, each marker replaced by its variable; for
// display, the token and the invalid credential by how they are written
// (never their value), and the text made one inert line.
func (sw *scriptWriter) word(s string, display bool) string {
	parts, isVar := sw.segments(s)
	if len(parts) == 0 {
		return "''"
	}
	var b strings.Builder
	for i, p := range parts {
		switch {
		case !isVar[i] && display:
			b.WriteString(shellWord(untrusted.Line(p)))
		case !isVar[i]:
			b.WriteString(shellWord(p))
		case display && sw.show[p] != "":
			b.WriteString(shellWord(sw.show[p]))
		default:
			b.WriteString(`"$` + sw.shell[p] + `"`)
		}
	}
	return b.String()
}

// printf is the format and arguments of a printf command that writes s byte
// for byte, each marker replaced by its variable.
func (sw *scriptWriter) printf(s string) (format, args string) {
	parts, isVar := sw.segments(s)
	var f, a strings.Builder
	for i, p := range parts {
		if isVar[i] {
			f.WriteString("%s")
			a.WriteString(` "$` + sw.shell[p] + `"`)
			continue
		}
		f.WriteString(printfEscape(p))
	}
	return "'" + f.String() + "'", a.String()
}

// printfEscape is s for a single-quoted printf format: printable ASCII as it
// is (but %, \ and '), every other byte an octal escape, which POSIX printf
// turns back into the byte.
func printfEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%':
			b.WriteString("%%")
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\'':
			b.WriteString(`'\''`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\%03o`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// shellWord quotes s as one shell word whose value is s: '...' when s is
// printable ASCII, else a printf of octal escapes in a command substitution
// (which drops trailing newlines, so bodies go through printfEscape).
func shellWord(s string) string {
	if s == "" {
		return "''"
	}
	printable := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			printable = false
			break
		}
	}
	if printable {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return `"$(printf '` + printfEscape(s) + `')"`
}

// Reproduce plays c against cfg.Target as drsconform run plays it (its
// tasks made and read back, each step's request, checks and read-backs)
// and writes every exchange to w as it happens: the request as a curl
// command (redacted; the token read from $DRSCONFORM_TOKEN), then the
// answer's status, headers and body (redacted, bounded, control characters
// escaped); and at the end the verdict with the findings. It fails only on
// bad configuration.
func Reproduce(ctx context.Context, cfg Config, c *cases.Case, w io.Writer) (result.CaseResult, error) {
	cfg.Parallel = 1
	full, err := cfg.withDefaults()
	if err != nil {
		return result.CaseResult{}, err
	}
	inner := newWireTLS(cfg.HTTPClient, full.Timeout, full.MaxBody, nil, full.TLS).client.Transport
	tap := &tapTransport{next: inner, w: w, fixtures: full.FixturesURL + "/"}
	client := &http.Client{}
	if cfg.HTTPClient != nil {
		*client = *cfg.HTTPClient
	}
	client.Transport = tap
	cfg.HTTPClient = client
	s, err := NewSession(cfg)
	if err != nil {
		return result.CaseResult{}, err
	}
	tap.rd = s.Redactor()
	fmt.Fprintf(w, "case %s: %s\n", untrusted.Line(c.ID), untrusted.Line(c.Title))
	fmt.Fprintf(w, "target %s, fixtures %s, project %s (other %s)\n", untrusted.Line(tap.rd.String(full.Target)),
		untrusted.Line(tap.rd.String(full.FixturesURL)), untrusted.Line(full.ProjectID), untrusted.Line(full.OtherProjectID))
	r := s.Play(ctx, c)
	tap.mu.Lock()
	defer tap.mu.Unlock()
	fmt.Fprintf(w, "\nverdict: %s (%s)\n", strings.ToUpper(string(r.Verdict)), untrusted.Line(c.ID))
	for _, m := range r.Messages {
		fmt.Fprintf(w, "  %s\n", untrusted.Line(m))
	}
	return r, nil
}

// tapShowBytes bounds each body the tap prints (after redaction), and
// tapCaptureBytes what it keeps of one to redact and cut.
const (
	tapShowBytes    = 4 << 10
	tapCaptureBytes = 64 << 10
)

// tapTransport prints every exchange of a reproduction as it happens.
type tapTransport struct {
	next     http.RoundTripper
	w        io.Writer
	rd       *Redactor
	fixtures string // the fixture protocol's base URL with a trailing slash
	mu       sync.Mutex
	requests int
	last     string // the last read-back with its answer, while polls repeat it
}

func (t *tapTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			body, _ = io.ReadAll(rc)
			_ = rc.Close()
		}
	}
	u := req.URL.String()
	rd := t.rd.With(credential.FromHeader(req.Header)...) // this request's signature too
	t.mu.Lock()
	what := "request"
	switch {
	case strings.HasPrefix(u, t.fixtures) && req.Method == http.MethodPost:
		what = "fixture: make a task"
	case strings.HasPrefix(u, t.fixtures):
		what = "fixture: read back"
	default:
		t.requests++
		what = fmt.Sprintf("request %d", t.requests)
	}
	head := fmt.Sprintf("\n== %s\n$ %s\n", what, rd.Curl(req.Method, u, req.Header, body, tapShowBytes))
	read := what == "fixture: read back"
	if !read { // a read-back is printed with its answer, or not at all when it repeats the last
		fmt.Fprint(t.w, head)
		t.last = ""
	}
	t.mu.Unlock()
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		t.mu.Lock()
		if read {
			fmt.Fprint(t.w, head)
			t.last = ""
		}
		fmt.Fprintf(t.w, "< no answer: %s\n", bounded(rd, err.Error(), untrusted.FindingTextBytes))
		t.mu.Unlock()
		return nil, err
	}
	tb := &tapBody{ReadCloser: resp.Body, t: t, rd: rd, resp: resp}
	if read {
		tb.head = head
	}
	resp.Body = tb
	return resp, nil
}

// tapBody keeps the start of a body as it is read and prints the answer
// when the body is closed.
type tapBody struct {
	io.ReadCloser
	t     *tapTransport
	rd    *Redactor // the tap's, with the request's own signature
	resp  *http.Response
	kept  []byte
	total int
	once  sync.Once
	head  string // a read-back's request, printed with its answer
}

func (b *tapBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.total += n
	if room := tapCaptureBytes - len(b.kept); room > 0 {
		b.kept = append(b.kept, p[:min(n, room)]...)
	}
	return n, err
}

func (b *tapBody) Close() error {
	b.once.Do(func() {
		t := b.t
		var out strings.Builder
		fmt.Fprintf(&out, "< %s\n", untrusted.Line(b.resp.Status))
		h := evidenceHeader(b.rd, b.resp.Header)
		for _, k := range slices.Sorted(maps.Keys(h)) {
			if strings.EqualFold(k, "Date") {
				continue // changes between polls; says nothing about the case
			}
			for _, v := range h[k] {
				fmt.Fprintf(&out, "< %s: %s\n", untrusted.Line(k), untrusted.Line(v))
			}
		}
		switch text, cut := b.rd.Prefix(string(b.kept), tapShowBytes); {
		case b.total == 0:
			out.WriteString("(empty body)\n")
		case cut || b.total > len(b.kept):
			fmt.Fprintf(&out, "%s%s\n", untrusted.Text(text), untrusted.More(b.total))
		default:
			out.WriteString(untrusted.Text(strings.TrimRight(text, "\n")) + "\n")
		}
		t.mu.Lock()
		defer t.mu.Unlock()
		switch {
		case b.head == "":
			t.last = ""
		case b.head+out.String() == t.last:
			fmt.Fprint(t.w, "(read back again: the same answer)\n")
			return
		default:
			t.last = b.head + out.String()
			fmt.Fprint(t.w, b.head)
		}
		fmt.Fprint(t.w, out.String())
	})
	return b.ReadCloser.Close()
}
