package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/drsconform/drsconform/internal/credential"
	"github.com/drsconform/drsconform/internal/untrusted"
	"github.com/drsconform/drsconform/report"
	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
)

// ReproduceHint is the one line a run's summary can print about reproducing
// a failure.
const ReproduceHint = "curl commands read the token from $" + credential.TokenEnv +
	"; to replay a case with its fixtures: drsconform reproduce CASE_ID --from DIR/report.json (a shell script; --run plays it here)"

// ReproduceHintSigned is ReproduceHint for a run signed with AK/SK, whose
// curl commands can only be refused (their signatures are redacted and stale).
const ReproduceHintSigned = "requests were signed with AK/SK: a curl command needs a fresh signature; to replay a case with its fixtures: drsconform reproduce CASE_ID --from DIR/report.json --run (signs afresh with $DRSCONFORM_AK/$DRSCONFORM_SK)"

type reproduceFlags struct {
	from, casesDir, target, fixturesURL, projectID, otherProjectID, token string
	script, run, strict                                                   bool
	timeout, settleTimeout                                                time.Duration
	creds                                                                 credFlags
}

func runReproduce(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drsconform reproduce", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f reproduceFlags
	fs.StringVar(&f.from, "from", "", "take target, fixtures URL and project IDs from a saved run's report.json (the case from the file it names)")
	fs.StringVar(&f.casesDir, "cases", "", "directory of case files to take the case from instead of the embedded ones")
	fs.StringVar(&f.target, "target", "", "base URL of the API (env DRSCONFORM_TARGET; default: the report's, else for --run the embedded reference, for a script "+runner.ScriptDefaultTarget+")")
	fs.StringVar(&f.fixturesURL, "fixtures-url", "", "base URL of the fixture protocol (env DRSCONFORM_FIXTURES_URL; default <target>/_conformance)")
	fs.StringVar(&f.projectID, "project-id", "", "project ID the case uses (env DRSCONFORM_PROJECT_ID; default "+runner.DefaultProjectID+")")
	fs.StringVar(&f.otherProjectID, "other-project-id", "", "a second project, for the isolation cases (default "+runner.DefaultOtherProjectID+")")
	fs.BoolVar(&f.script, "script", false, "print a POSIX shell script that reproduces the case (the default)")
	fs.BoolVar(&f.run, "run", false, "play the case here, printing every request and answer, then its verdict")
	fs.StringVar(&f.token, "token", "", "with --run: X-Auth-Token to send (env "+credential.TokenEnv+"); redacted in every output")
	fs.BoolVar(&f.strict, "strict", false, "with --run: a broken SHOULD (warn) exits 1")
	f.creds.register(fs)
	fs.DurationVar(&f.timeout, "timeout", runner.DefaultTimeout, "with --run: timeout of each request")
	fs.DurationVar(&f.settleTimeout, "settle-timeout", runner.DefaultSettleTimeout, "how long asynchronous changes (terminate → released) may take")
	var ids []string
	for { // the case ID may stand before, between or after the flags
		if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
			return code
		}
		if fs.NArg() == 0 {
			break
		}
		ids = append(ids, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch {
	case len(ids) != 1:
		fmt.Fprintln(stderr, "drsconform reproduce: want one CASE_ID (see: drsconform list)")
		return result.ExitUsage
	case f.script && f.run:
		fmt.Fprintln(stderr, "drsconform reproduce: --script or --run, not both")
		return result.ExitUsage
	case f.timeout <= 0 || f.settleTimeout <= 0:
		fmt.Fprintln(stderr, "drsconform reproduce: --timeout and --settle-timeout must be positive")
		return result.ExitUsage
	}
	id := ids[0]
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })

	casesDir := f.casesDir
	var notes []string
	signedRun := false        // the report's run signed its requests with AK/SK
	var want *result.CaseFile // the case file the report names, to compare digests
	if f.from != "" {
		rep, err := readReport(f.from)
		if err != nil {
			fmt.Fprintf(stderr, "drsconform reproduce: --from %s: %v\n", f.from, err)
			return result.ExitUsage
		}
		fill := func(v *string, flagName, recorded string) {
			if !set[flagName] && recorded != "" {
				*v = recorded
			}
		}
		fill(&f.target, "target", rep.Target)
		fill(&f.fixturesURL, "fixtures-url", rep.FixturesURL)
		fill(&f.projectID, "project-id", rep.ProjectID)
		fill(&f.otherProjectID, "other-project-id", rep.Configuration["other_project_id"])
		signedRun = rep.Configuration["signing"] != ""
		notes = append(notes, "settings from "+f.from+" (a run of "+rep.StartedAt.Format(time.RFC3339)+")")
		if cr := caseInReport(rep, id); cr == nil {
			fmt.Fprintf(stderr, "drsconform reproduce: note: the report has no case %s; using the report's settings only\n", untrusted.Quote(id))
		} else {
			notes = append(notes, fmt.Sprintf("the report recorded: %s", cr.Verdict))
			for i, m := range cr.Messages {
				if i == 3 {
					notes = append(notes, fmt.Sprintf("  … %d more", len(cr.Messages)-3))
					break
				}
				notes = append(notes, "  "+untrusted.Cut(m, untrusted.SummaryLineBytes, 0))
			}
			for i := range rep.CaseFiles {
				if rep.CaseFiles[i].Path == cr.File {
					want = &rep.CaseFiles[i]
				}
			}
			if dir := path.Dir(filepath.ToSlash(cr.File)); casesDir == "" && dir != "cases" {
				if st, err := os.Stat(filepath.FromSlash(dir)); err != nil || !st.IsDir() {
					fmt.Fprintf(stderr, "drsconform reproduce: the report's case %s came from %s, not from the embedded cases: pass --cases DIR\n",
						untrusted.Quote(id), untrusted.Quote(cr.File))
					return result.ExitUsage
				}
				casesDir = filepath.FromSlash(dir)
				fmt.Fprintf(stderr, "drsconform reproduce: taking the case from %s, as the report names\n", untrusted.Quote(cr.File))
			}
		}
	}
	envDefault(&f.target, set["target"], "DRSCONFORM_TARGET")
	envDefault(&f.fixturesURL, set["fixtures-url"], "DRSCONFORM_FIXTURES_URL")
	envDefault(&f.projectID, set["project-id"], "DRSCONFORM_PROJECT_ID")

	files, err := loadCaseFiles(casesDir)
	if err != nil {
		fmt.Fprintf(stderr, "drsconform reproduce: invalid cases:\n%v\n", err)
		return result.ExitUsage
	}
	c, err := runner.FindCase(files, id)
	if err != nil {
		fmt.Fprintf(stderr, "drsconform reproduce: %v\n", err)
		return result.ExitUsage
	}
	if want != nil {
		for _, file := range files {
			if file.Path == c.File && file.SHA256 != want.SHA256 {
				fmt.Fprintf(stderr, "drsconform reproduce: warning: %s has changed since the run (SHA-256 %.12s…, the report's %.12s…)\n",
					untrusted.Quote(c.File), file.SHA256, untrusted.Quote(want.SHA256))
				notes = append(notes, "warning: the case file has changed since that run")
			}
		}
	}

	envDefault(&f.token, set["token"], credential.TokenEnv)
	if err := f.creds.resolve(set, &f.token, stderr); err != nil {
		fmt.Fprintf(stderr, "drsconform reproduce: %v\n", err)
		return result.ExitUsage
	}
	if !f.run {
		// A signed request cannot be replayed by curl: the script runs
		// reproduce --run instead (README.md, "Credentials and TLS").
		signed := signedRun || f.creds.ak != ""
		if signed {
			fmt.Fprintln(stderr, "drsconform reproduce: the target takes AK/SK signatures, which curl cannot make: the script plays the case with drsconform reproduce --run, which signs every request afresh")
		}
		err := runner.WriteScript(stdout, c, runner.ScriptOptions{Target: f.target, FixturesURL: f.fixturesURL,
			ProjectID: f.projectID, OtherProjectID: f.otherProjectID, SettleTimeout: f.settleTimeout,
			SuiteVersion: suiteVersion(), Notes: notes, Signed: signed, Command: invocation()})
		if err != nil {
			fmt.Fprintf(stderr, "drsconform reproduce: %v\n", err)
			return result.ExitUsage
		}
		return result.ExitConformant
	}

	if f.token != "" && credential.TooShort(f.token) {
		fmt.Fprintln(stderr, "warning: the token is too short to redact safely inside text, so it is removed from credential headers only")
	}
	cfg := runner.Config{Target: f.target, FixturesURL: f.fixturesURL, Token: f.token, ProjectID: f.projectID,
		OtherProjectID: f.otherProjectID, Timeout: f.timeout, SettleTimeout: f.settleTimeout, Strict: f.strict,
		SuiteVersion: suiteVersion()}
	if err := f.creds.apply(&cfg, set, stderr); err != nil {
		fmt.Fprintf(stderr, "drsconform reproduce: %v\n", err)
		return result.ExitUsage
	}
	if cfg.Target == "" && cfg.AccessKey != "" {
		url, stop, err := startSigningReference(ctx, stderr, cfg.AccessKey, cfg.SecretKey)
		if err != nil {
			fmt.Fprintf(stderr, "drsconform reproduce: start the embedded reference implementation: %v\n", err)
			return result.ExitCannotJudge
		}
		defer stop()
		cfg.Target, cfg.FixturesURL, cfg.TLS = url, "", nil
		fmt.Fprintf(stderr, "drsconform reproduce: no --target; playing against the embedded reference implementation at %s, which verifies the AK/SK signatures\n", url)
	} else if cfg.Target == "" {
		url, token, stop, err := startEmbeddedReference(ctx, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "drsconform reproduce: start the embedded reference implementation: %v\n", err)
			return result.ExitCannotJudge
		}
		defer stop()
		cfg.Target, cfg.Token, cfg.FixturesURL = url, token, ""
		fmt.Fprintf(stderr, "drsconform reproduce: no --target; playing against the embedded reference implementation at %s\n", url)
	} else if cfg.Token == "" && cfg.AccessKey == "" {
		fmt.Fprintln(stderr, "drsconform reproduce: warning: no credential given (--token or "+credential.TokenEnv+", or --ak/--sk); a target that requires one will refuse every request")
	}
	r, err := runner.Reproduce(ctx, cfg, c, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "drsconform reproduce: %v\n", err)
		return result.ExitUsage
	}
	return caseExit(r.Verdict, f.strict)
}

// caseExit is the exit code of a run of one case.
func caseExit(v result.Verdict, strict bool) int {
	switch v {
	case result.Pass:
		return result.ExitConformant
	case result.Warn:
		if strict {
			return result.ExitNonConformant
		}
		return result.ExitConformant
	case result.Fail:
		return result.ExitNonConformant
	}
	return result.ExitCannotJudge
}

func readReport(name string) (*result.Report, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	rep, err := report.ReadJSON(io.LimitReader(fh, int64(untrusted.ReportDirBytes)))
	if err != nil {
		return nil, fmt.Errorf("not a report.json: %v", err)
	}
	if rep.Target == "" {
		return nil, errors.New("not a report.json: no target")
	}
	return rep, nil
}

func caseInReport(rep *result.Report, id string) *result.CaseResult {
	for i := range rep.Cases {
		if rep.Cases[i].ID == id {
			return &rep.Cases[i]
		}
	}
	return nil
}
