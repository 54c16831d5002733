package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/conformance"
	"github.com/drsconform/drsconform/internal/baseurl"
	"github.com/drsconform/drsconform/internal/credential"
	"github.com/drsconform/drsconform/reference"
	"github.com/drsconform/drsconform/report"
	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
)

// DefaultGenerate is how many generated batches a run plays after the
// catalogue (runner/generate.go).
const DefaultGenerate = 50

// DefaultGenerateConcurrent is how many concurrent generated groups a run
// plays after the generated batches (runner/linear.go).
const DefaultGenerateConcurrent = 10

// runFlags are the flags of `drsconform run` (README.md, "Testing your
// implementation"): their names are stable, scripts use them.
type runFlags struct {
	target, projectID, otherProjectID, token, fixturesURL, casesDir string
	filterFlags
	embeddedChoices        choiceFlag // run_choices.go
	strict                 bool
	parallel               int
	timeout, settleTimeout time.Duration
	reportDir              string
	maxFailures            int
	quiet                  bool
	creds                  credFlags
	generate               int
	generateConcurrent     int
	seed                   uint64
	fixtures, readback     string
}

func (f *runFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.target, "target", "", "base URL of the API under test (env DRSCONFORM_TARGET); default: the embedded reference implementation")
	fs.StringVar(&f.projectID, "project-id", "", "project ID the cases use (env DRSCONFORM_PROJECT_ID; default "+runner.DefaultProjectID+")")
	fs.StringVar(&f.otherProjectID, "other-project-id", runner.DefaultOtherProjectID, "a second project, for the isolation cases")
	fs.StringVar(&f.token, "token", "", "X-Auth-Token to send (env DRSCONFORM_TOKEN); redacted in every output")
	fs.StringVar(&f.fixturesURL, "fixtures-url", "", "base URL of the fixture protocol (env DRSCONFORM_FIXTURES_URL; default <target>/_conformance)")
	fs.StringVar(&f.casesDir, "cases", "", "directory of case files to play instead of the embedded ones")
	registerFilterFlags(fs, &f.filterFlags)
	registerEmbeddedChoices(fs, &f.embeddedChoices)
	fs.StringVar(&f.requirements, "requirements", "", "play only cases that test one of these requirement IDs (comma-separated)")
	fs.BoolVar(&f.strict, "strict", false, "a broken SHOULD (warn) makes the run non-conformant (exit 1)")
	fs.IntVar(&f.parallel, "parallel", runner.DefaultParallel, "cases played at once")
	fs.DurationVar(&f.timeout, "timeout", runner.DefaultTimeout, "timeout of each request")
	fs.DurationVar(&f.settleTimeout, "settle-timeout", runner.DefaultSettleTimeout, "how long asynchronous changes (terminate → released) may take")
	fs.StringVar(&f.reportDir, "report-dir", "", "write report.json, junit.xml, report.md and report.html here")
	fs.IntVar(&f.maxFailures, "max-failures", report.DefaultMaxFailures,
		"failed and warned cases the summary prints in full (0: all); the others are named under their finding")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress line")
	fs.IntVar(&f.generate, "generate", DefaultGenerate, "after the catalogue, play this many generated batches judged against the model (0: none)")
	fs.IntVar(&f.generateConcurrent, "generate-concurrent", DefaultGenerateConcurrent,
		"then play this many concurrent groups of 2-4 generated batches over shared tasks, judged by the serial orders the model allows (0: none)")
	f.creds.register(fs)
	fs.StringVar(&f.fixtures, "fixtures", "", "a file of existing tasks (YAML or JSON) the cases use instead of the fixture harness, which is then never called; see 'drsconform fixtures plan'")
	fs.StringVar(&f.readback, "readback", "", "how tasks are read back: harness (the fixture protocol) or api (POST .../jobs/batch-status); default api with --fixtures, harness otherwise")
	fs.Uint64Var(&f.seed, "seed", 0, "seed of the generated batches (0: a random one, printed); the same seed plays the same batches")
}

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drsconform run", flag.ContinueOnError)
	var f runFlags
	f.register(fs)
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if fs.NArg() > 0 {
		return usageError(stderr, fs, "unexpected argument %s", strayArgument(set, fs.Arg(0)))
	}
	envDefault(&f.target, set["target"], "DRSCONFORM_TARGET")
	envDefault(&f.token, set["token"], "DRSCONFORM_TOKEN")
	envDefault(&f.projectID, set["project-id"], "DRSCONFORM_PROJECT_ID")
	envDefault(&f.fixturesURL, set["fixtures-url"], "DRSCONFORM_FIXTURES_URL")
	// Bad URLs are said before anything starts (runner.Run checks them again,
	// with the same function, for library callers).
	for _, u := range []struct{ flag, value string }{{"--target", f.target}, {"--fixtures-url", f.fixturesURL}} {
		if u.value == "" {
			continue
		}
		if _, err := baseurl.Parse(u.flag, u.value); err != nil {
			fmt.Fprintf(stderr, "drsconform run: %v\n", err)
			return result.ExitUsage
		}
	}
	if f.parallel < 1 {
		fmt.Fprintf(stderr, "drsconform run: --parallel %d: want 1 or more\n", f.parallel)
		return result.ExitUsage
	}
	if f.maxFailures < 0 {
		fmt.Fprintf(stderr, "drsconform run: --max-failures %d: want 0 (all) or more\n", f.maxFailures)
		return result.ExitUsage
	}
	if f.timeout <= 0 || f.settleTimeout <= 0 {
		fmt.Fprintln(stderr, "drsconform run: --timeout and --settle-timeout must be positive")
		return result.ExitUsage
	}

	if f.token != "" && credential.TooShort(f.token) {
		fmt.Fprintf(stderr, "warning: the token is %d characters long; too short to redact safely inside text, so it is removed from credential headers only\n",
			utf8.RuneCountInString(f.token))
	}

	var fixtures *cases.FixturesFile
	if f.fixtures != "" {
		var err error
		if fixtures, err = cases.LoadFixturesFile(f.fixtures); err != nil {
			fmt.Fprintf(stderr, "drsconform run: invalid fixtures file:\n%v\n", err)
			return result.ExitUsage
		}
		if f.target == "" {
			return usageError(stderr, fs, "--fixtures names tasks on a target: give --target (to try it locally: drsconform serve --no-harness --seed %s)", f.fixtures)
		}
		for _, p := range []struct {
			flag, given, inFile, key string
			set                      bool
		}{{"--project-id", f.projectID, fixtures.ProjectID, "project_id", f.projectID != ""},
			{"--other-project-id", f.otherProjectID, fixtures.OtherProjectID, "other_project_id", set["other-project-id"]}} {
			if p.set && p.inFile != "" && p.given != p.inFile {
				return usageError(stderr, fs, "%s %s conflicts with %s: %s of %s", p.flag, p.given, p.key, p.inFile, f.fixtures)
			}
		}
		if !set["other-project-id"] {
			f.otherProjectID = "" // the file's, or the default
		}
		if set["fixtures-url"] {
			return usageError(stderr, fs, "--fixtures-url names the fixture harness, which a run with --fixtures never calls: drop one of them")
		}
	}
	if f.readback != "" && f.readback != runner.ReadBackHarness && f.readback != runner.ReadBackAPI {
		return usageError(stderr, fs, "--readback %q: want %s or %s", f.readback, runner.ReadBackHarness, runner.ReadBackAPI)
	}
	if f.readback == runner.ReadBackHarness && fixtures != nil {
		return usageError(stderr, fs, "--readback harness reads through the fixture harness, which a run with --fixtures never calls: use --readback api")
	}
	files, err := loadCaseFiles(f.casesDir)
	if err != nil {
		fmt.Fprintf(stderr, "drsconform run: invalid cases:\n%v\n", err)
		return result.ExitUsage
	}

	cfg := runner.Config{
		Target: f.target, FixturesURL: f.fixturesURL, Token: f.token, ProjectID: f.projectID,
		OtherProjectID: f.otherProjectID, Files: files, Strict: f.strict, Parallel: f.parallel,
		Timeout: f.timeout, SettleTimeout: f.settleTimeout, SuiteVersion: suiteVersion(),
		Filter: f.filter(), Generate: f.generate, Seed: f.seed,
		GenerateConcurrent: f.generateConcurrent, Fixtures: fixtures, ReadBack: f.readback,
	}
	if err := f.creds.apply(&cfg, set, stderr); err != nil {
		fmt.Fprintf(stderr, "drsconform run: %v\n", err)
		return result.ExitUsage
	}
	if cfg.Generate < 0 {
		return usageError(stderr, fs, "--generate %d: want 0 or more", cfg.Generate)
	}
	if cfg.GenerateConcurrent < 0 {
		return usageError(stderr, fs, "--generate-concurrent %d: want 0 or more", cfg.GenerateConcurrent)
	}
	if f.safe && f.fixturesURL != "" {
		// --safe makes no task and reads none back: a harness would go unused.
		return usageError(stderr, fs, "--safe asks nothing of a fixture harness: drop --fixtures-url (or DRSCONFORM_FIXTURES_URL)")
	}
	if f.safe && fixtures != nil {
		// --safe names no existing task: a fixtures file would go unused, and
		// a user who gives one expects its tasks to be played.
		return usageError(stderr, fs, "--safe names no existing task: drop --fixtures (or drop --safe to play the cases that use your tasks)")
	}
	if f.safe && cfg.GenerateConcurrent > 0 {
		fmt.Fprintf(stderr, "drsconform run: --safe: the %d concurrent generated groups are not played (they act on tasks); generated batches name unknown IDs only\n", cfg.GenerateConcurrent)
		cfg.GenerateConcurrent = 0
	}
	if fixtures != nil && (cfg.Generate > 0 || cfg.GenerateConcurrent > 0) {
		fmt.Fprintln(stderr, "drsconform run: --fixtures: the generated batches and groups are not played (they make tasks of their own); the report says so")
	} else if cfg.Generate > 0 || cfg.GenerateConcurrent > 0 {
		if cfg.Seed == 0 {
			cfg.Seed = mrand.Uint64() | 1
		}
		safe := ""
		if f.safe {
			safe = " --safe" // the same batches need the same mode: unknown IDs only
		}
		fmt.Fprintf(stderr, "drsconform run: %d generated batches and %d concurrent groups, seed %d (--generate %d --generate-concurrent %d --seed %d%s replays them)\n",
			cfg.Generate, cfg.GenerateConcurrent, cfg.Seed, cfg.Generate, cfg.GenerateConcurrent, cfg.Seed, safe)
	}
	if f.embeddedChoices.value != "" && checkSelection(files, cfg.Filter) == nil { // a bad selection is said below, before anything starts
		stop, code := startEmbeddedChoices(ctx, fs, &cfg, reference.Choices(f.embeddedChoices.value), stderr)
		if stop == nil {
			return code
		}
		defer stop()
	}
	// A selection of nothing is the user's mistake: say so before starting
	// anything (runner.Run checks it again for library callers).
	if err := checkSelection(files, cfg.Filter); err != nil {
		fmt.Fprintf(stderr, "drsconform run: %v\n", err)
		return result.ExitUsage
	}
	if cfg.Target == "" && cfg.AccessKey != "" {
		url, stop, err := startSigningReference(ctx, stderr, cfg.AccessKey, cfg.SecretKey)
		if err != nil {
			fmt.Fprintf(stderr, "drsconform run: start the embedded reference implementation: %v\n", err)
			return result.ExitCannotJudge
		}
		defer stop()
		cfg.Target, cfg.TLS = url, nil
		fmt.Fprintf(stderr, "drsconform run: no --target; playing against the embedded reference implementation at %s, which verifies the AK/SK signatures\n", url)
	}
	if cfg.Target == "" {
		url, token, stop, err := startEmbeddedReference(ctx, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "drsconform run: start the embedded reference implementation: %v\n", err)
			return result.ExitCannotJudge
		}
		defer stop()
		cfg.Target, cfg.Token = url, token
		fmt.Fprintf(stderr, "drsconform run: no --target; playing against the embedded reference implementation at %s\n", url)
	}
	if !f.quiet && isTerminal(stderr) {
		cfg.Progress = progressLine(stderr)
	}
	if cfg.Token == "" && cfg.AccessKey == "" {
		fmt.Fprintln(stderr, "drsconform run: warning: no credential given (--token or DRSCONFORM_TOKEN, or --ak/--sk); a target that requires one will refuse every request")
	}
	rep, err := runner.Run(ctx, cfg)
	var pre *runner.PreflightError
	switch {
	case errors.As(err, &pre):
		fmt.Fprintf(stderr, "drsconform run: stopped before any case: %s\n", pre.Msg)
		return pre.Exit
	case err != nil:
		fmt.Fprintf(stderr, "drsconform run: %v\n", err)
		return result.ExitUsage
	}
	if cfg.Progress != nil {
		fmt.Fprint(stderr, "\r\033[K")
	}
	report.SummaryWith(stdout, rep, report.SummaryOptions{MaxFailures: f.maxFailures, ReportDir: f.reportDir})
	if f.reportDir != "" {
		paths, err := report.WriteDir(f.reportDir, rep)
		if err != nil {
			fmt.Fprintf(stderr, "drsconform run: write reports: %v\n", err)
			return result.ExitUsage
		}
		fmt.Fprintf(stdout, "reports: %s (%s); open %s; check with: %s\n",
			f.reportDir, reportNames(paths), filepath.Join(f.reportDir, "report.html"), verifyCommand(f.reportDir))
	}
	if rep.Summary.Failed+rep.Summary.Warned+rep.Summary.Errored > 0 {
		hint := ReproduceHint
		if cfg.AccessKey != "" {
			hint = ReproduceHintSigned
		}
		fmt.Fprintln(stdout, strings.Replace(hint, "DIR/report.json", reportPathHint(f.reportDir), 1))
	}
	return rep.ExitCode
}

// reportPathHint is the report.json reproduce can read, or a placeholder
// when the run wrote none.
func reportPathHint(dir string) string {
	if dir == "" {
		return "DIR/report.json (run with --report-dir DIR)"
	}
	return filepath.Join(dir, "report.json")
}

// verifyCommand is the command that verifies the bundle in dir, as it can
// be typed where this run was started (invocation).
func verifyCommand(dir string) string {
	return invocation() + " verify-bundle " + shellQuote(dir)
}

// reportNames lists the base names of the files written.
func reportNames(paths []string) string {
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	return strings.Join(names, ", ")
}

// filterFlags select cases, for run and list alike.
type filterFlags struct {
	tags, excludeTags, requirements, match string
	safe                                   bool
}

// registerFilterFlags registers the filters but --requirements, which list
// defines its own way.
func registerFilterFlags(fs *flag.FlagSet, f *filterFlags) {
	fs.StringVar(&f.tags, "tags", "", "play only cases with one of these tags or themes (comma-separated)")
	fs.StringVar(&f.excludeTags, "exclude-tags", "", "leave out cases with any of these tags or themes")
	fs.StringVar(&f.match, "cases-match", "", "play only cases whose ID matches one of these globs (comma-separated, e.g. 'delete.*,lifecycle.*')")
	fs.BoolVar(&f.safe, "safe", false, "play only the cases tagged safe, which never act on an existing task (safe against production): no fixture harness, generated batches of unknown IDs only, no concurrent groups")
}

func (f filterFlags) filter() runner.Filter {
	return runner.Filter{Tags: splitList(f.tags), ExcludeTags: splitList(f.excludeTags),
		Requirements: splitList(f.requirements), Match: splitList(f.match), Safe: f.safe}
}

func checkSelection(files []*cases.File, f runner.Filter) error {
	cat, err := conformance.Requirements()
	if err != nil {
		return err
	}
	_, _, err = f.Select(allCases(files), cat)
	return err
}

func allCases(files []*cases.File) []*cases.Case {
	var all []*cases.Case
	for _, file := range files {
		all = append(all, file.Cases...)
	}
	return all
}

func envDefault(v *string, setByFlag bool, env string) {
	if !setByFlag && *v == "" {
		*v = os.Getenv(env)
	}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func loadCaseFiles(dir string) ([]*cases.File, error) {
	if dir == "" {
		return cases.LoadEmbeddedCases()
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("--cases %s: %w", dir, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("--cases %s: not a directory", dir)
	}
	return cases.LoadCases(os.DirFS(dir), dir)
}

// startEmbeddedReference serves the reference implementation on a loopback
// port with a fresh random token, with the server set-up and lifecycle of
// `serve` (newHTTPServer, serveUntilDone), and returns its URL and token;
// stop shuts it down gracefully, as does the end of ctx.
func startEmbeddedReference(ctx context.Context, stderr io.Writer) (url, token string, stop func(), err error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", nil, err
	}
	token = "drsconform-" + hex.EncodeToString(b[:])
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", "", nil, err
	}
	srv := newHTTPServer(reference.New(reference.Config{Tokens: []string{token}, Logger: slog.New(slog.DiscardHandler)}).Handler(),
		serveWriteTimeout, slog.DiscardHandler)
	end := serveInBackground(ctx, "run: embedded reference", srv, ln, stderr)
	return "http://" + ln.Addr().String(), token, func() { end() }, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressLine rewrites one terminal line as cases finish.
func progressLine(w io.Writer) func(done, total int, r result.CaseResult) {
	counts := map[result.Verdict]int{}
	return func(done, total int, r result.CaseResult) {
		counts[r.Verdict]++
		fmt.Fprintf(w, "\r\033[K[%d/%d] pass %d  fail %d  warn %d  skip %d  error %d  %s",
			done, total, counts[result.Pass], counts[result.Fail], counts[result.Warn], counts[result.Skip], counts[result.Error], r.ID)
	}
}
