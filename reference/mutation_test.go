package reference

// The suite's own mutation test (README.md, "Testing the suite itself";
// docs/design.md, "add a mutant"): the
// whole embedded case catalogue runs, in strict mode, against the reference
// implementation, which must pass every case, and against every mutant of
// mutants_test.go, each of which must be caught by at least one case with a
// finding on the requirement the mutant breaks.
//
//	go test -race -run TestMutationKillMatrix -v ./reference   # the kill matrix in the log
//	DRSCONFORM_KILL_MATRIX=/tmp/kills.md go test -run TestMutationKillMatrix ./reference

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/conformance"
	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
)

// suiteToken is the credential of the mutation runs.
const suiteToken = "tok-MUTATION-4711"

// mutantsAtOnce bounds how many suite runs play at the same time; each runs
// eight cases in parallel, mostly waiting on loopback and on polls.
const mutantsAtOnce = 8

// mutantConfig is the reference configuration every mutant starts from.
func mutantConfig() Config {
	return Config{Tokens: []string{suiteToken}, ReleaseDelay: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}
}

// mutationTimeout is the --timeout of the mutation runs: loopback answers
// take milliseconds, and the deadlock mutants (REQ-CON-02) are killed only
// once a request of a concurrent group has waited this long.
const mutationTimeout = 5 * time.Second

// playSuite runs the cases against h on a loopback server, as
// `drsconform run --strict` would.
func playSuite(ctx context.Context, h http.Handler, files []*cases.File, settle time.Duration) (*result.Report, error) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	return runner.Run(ctx, runner.Config{Target: srv.URL, Token: suiteToken, Files: files, Strict: true,
		Parallel: 8, Timeout: mutationTimeout, SettleTimeout: settle})
}

// killersOf returns the cases of rep that fail or warn with a finding on req.
func killersOf(rep *result.Report, req string) []string {
	var out []string
	for _, c := range rep.Cases {
		if c.Verdict != result.Fail && c.Verdict != result.Warn {
			continue
		}
		for _, f := range c.Findings {
			if f.Requirement == req && (f.Verdict == result.Fail || f.Verdict == result.Warn) {
				out = append(out, c.ID)
				break
			}
		}
	}
	return out
}

// mutantRun is what the suite said about one mutant.
type mutantRun struct {
	m       mutant
	rep     *result.Report
	err     error
	killers []string // cases with a finding on m.breaks
}

var kebab = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// TestMutantTable checks the table itself: names, requirements, and that
// every MUST and SHOULD of the catalogue has a mutant that breaks it.
func TestMutantTable(t *testing.T) {
	t.Parallel()
	cat, err := conformance.Requirements()
	if err != nil {
		t.Fatal(err)
	}
	ms := mutants()
	if len(ms) < 30 {
		t.Errorf("%d mutants; the issue asks for at least 30", len(ms))
	}
	seen := map[string]bool{}
	broken := map[string]bool{}
	for _, m := range ms {
		switch {
		case !kebab.MatchString(m.name):
			t.Errorf("mutant %q: the name is not kebab-case", m.name)
		case seen[m.name]:
			t.Errorf("mutant %q: the name is used twice", m.name)
		case m.desc == "":
			t.Errorf("mutant %s: no description", m.name)
		case (m.rules == nil) == (m.wire == nil):
			t.Errorf("mutant %s: replaces a rule or wraps the answers, exactly one of the two", m.name)
		}
		if _, ok := cat.Get(m.breaks); !ok {
			t.Errorf("mutant %s breaks %q, which is not in the catalogue", m.name, m.breaks)
		}
		seen[m.name], broken[m.breaks] = true, true
	}
	for _, r := range cat.Requirements {
		if r.Level != conformance.MAY && !broken[r.ID] {
			t.Errorf("%s (%s) has no mutant: add one to mutants_test.go", r.ID, r.Level)
		}
	}
}

// TestMutationKillMatrix plays the whole suite against the reference and
// against every mutant, and fails naming every mutant that survives.
func TestMutationKillMatrix(t *testing.T) {
	// 79 runs of the whole suite take minutes under the race detector and
	// test no concurrency the -race tests of runner and reference do not:
	// make test runs the matrix in a second pass without -race.
	if raceDetector && os.Getenv("DRSCONFORM_MUTATION_RACE") == "" {
		t.Skip("the kill matrix runs without -race (make test does); set DRSCONFORM_MUTATION_RACE=1 to run it here")
	}
	files, err := cases.LoadEmbeddedCases()
	if err != nil {
		t.Fatalf("cases: %v", err)
	}
	ctx := context.Background()
	start := time.Now()

	ms := mutants()
	runs := make([]mutantRun, len(ms))
	var refRep *result.Report
	var refErr error
	var wg sync.WaitGroup
	sem := make(chan struct{}, mutantsAtOnce)
	wg.Go(func() {
		sem <- struct{}{}
		defer func() { <-sem }()
		refRep, refErr = playSuite(ctx, New(mutantConfig()).Handler(), files, 2*time.Second)
	})
	for i, m := range ms {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			rep, err := playSuite(ctx, m.build(mutantConfig()), files, 2*time.Second)
			runs[i] = mutantRun{m: m, rep: rep, err: err}
			if err == nil {
				runs[i].killers = killersOf(rep, m.breaks)
			}
		})
	}
	wg.Wait()
	t.Logf("%d cases against the reference and %d mutants in %s", countCases(files), len(ms), time.Since(start).Round(time.Millisecond))

	t.Run("reference", func(t *testing.T) {
		if refErr != nil {
			t.Fatal(refErr)
		}
		for _, c := range refRep.Cases {
			if c.Verdict != result.Pass {
				t.Errorf("%s: %s: %s", c.ID, c.Verdict, strings.Join(c.Messages, "; "))
			}
		}
		if refRep.ExitCode != result.ExitConformant {
			t.Errorf("exit code %d against the reference, want %d", refRep.ExitCode, result.ExitConformant)
		}
	})

	var survivors []string
	for _, r := range runs {
		t.Run(r.m.name, func(t *testing.T) {
			t.Attr("requirement", r.m.breaks)
			if r.err != nil {
				t.Fatal(r.err)
			}
			for _, c := range r.rep.Cases {
				// The fixture protocol is correct in every mutant: a case the
				// suite could not judge is a fault of the suite or of the test.
				if c.Verdict == result.Error {
					t.Errorf("%s errored against a mutant whose harness is correct: %s", c.ID, strings.Join(c.Messages, "; "))
				}
			}
			if r.rep.ExitCode != result.ExitNonConformant {
				t.Errorf("exit code %d, want %d (non-conformant)", r.rep.ExitCode, result.ExitNonConformant)
			}
			if len(r.killers) == 0 {
				others := map[string][]string{}
				for _, c := range r.rep.Cases {
					for _, f := range c.Findings {
						others[f.Requirement] = appendOnce(others[f.Requirement], c.ID)
					}
				}
				t.Errorf("survives: no case finds %s broken (%s); findings on other requirements: %v", r.m.breaks, r.m.desc, others)
				return
			}
			t.Logf("killed on %s by %s", r.m.breaks, strings.Join(r.killers, ", "))
		})
		if len(r.killers) == 0 {
			survivors = append(survivors, r.m.name+" ("+r.m.breaks+")")
		}
	}
	if len(survivors) > 0 {
		t.Errorf("%d of %d mutants survive: %s", len(survivors), len(ms), strings.Join(survivors, ", "))
	}

	// Cases that kill no mutant are where a mutant is missing or the case is
	// weaker than it looks; not an error, but worth a line.
	killing := map[string]bool{}
	for _, r := range runs {
		for _, id := range r.killers {
			killing[id] = true
		}
	}
	var idle []string
	for _, f := range files {
		for _, c := range f.Cases {
			if !killing[c.ID] {
				idle = append(idle, c.ID)
			}
		}
	}
	if len(idle) > 0 {
		t.Logf("%d cases kill no mutant on its own requirement: %s", len(idle), strings.Join(idle, ", "))
	}
	if path := os.Getenv("DRSCONFORM_KILL_MATRIX"); path != "" {
		if err := os.WriteFile(path, []byte(killMatrix(runs)), 0o644); err != nil {
			t.Errorf("kill matrix: %v", err)
		}
	}
}

// killMatrix renders the mutants and their killers as a Markdown table.
func killMatrix(runs []mutantRun) string {
	sorted := slices.Clone(runs)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].m.breaks < sorted[j].m.breaks })
	var b strings.Builder
	killed := 0
	b.WriteString("| mutant | breaks | what it does wrong | killed by |\n|---|---|---|---|\n")
	for _, r := range sorted {
		by := "**survives**"
		if n := len(r.killers); n > 0 {
			by = strings.Join(r.killers[:min(n, 4)], ", ")
			if n > 4 {
				by += fmt.Sprintf(" (+%d more)", n-4)
			}
			killed++
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", r.m.name, r.m.breaks, strings.ReplaceAll(r.m.desc, "|", "\\|"), by)
	}
	fmt.Fprintf(&b, "\n%d mutants, %d killed.\n", len(runs), killed)
	return b.String()
}

func countCases(files []*cases.File) int {
	n := 0
	for _, f := range files {
		n += len(f.Cases)
	}
	return n
}

func appendOnce(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
