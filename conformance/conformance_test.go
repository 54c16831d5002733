package conformance_test

// The `go test` entry point of the suite: every case is a subtest named by
// its ID, so gotestsum's JUnit lists them, with its requirement IDs attached
// as test attributes.
//
//	go test ./conformance                                  # against the embedded reference
//	go test ./conformance -args -target URL -token T ...   # against any target

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/reference"
	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
)

var (
	target         = flag.String("target", os.Getenv("DRSCONFORM_TARGET"), "base URL of the API under test; default: the embedded reference implementation")
	token          = flag.String("token", os.Getenv("DRSCONFORM_TOKEN"), "X-Auth-Token to send")
	projectID      = flag.String("project-id", os.Getenv("DRSCONFORM_PROJECT_ID"), "project ID the cases use")
	otherProjectID = flag.String("other-project-id", "", "a second project, for the isolation cases")
	fixturesURL    = flag.String("fixtures-url", os.Getenv("DRSCONFORM_FIXTURES_URL"), "base URL of the fixture protocol")
	casesDir       = flag.String("cases", "", "directory of case files instead of the embedded ones")
	strict         = flag.Bool("strict", false, "fail the subtest of a case that only warns")
	generate       = flag.Int("generate", 0, "after the catalogue, play this many generated batches judged against the model")
	seed           = flag.Uint64("seed", 0, "seed of the generated batches (0: a random one, logged)")
	generateGroups = flag.Int("generate-concurrent", 0, "after the catalogue, play this many concurrent generated groups (runner/linear.go)")
	settle         = flag.Duration("settle-timeout", runner.DefaultSettleTimeout, "how long asynchronous changes may take")
)

func TestConformance(t *testing.T) {
	files, err := loadFiles()
	if err != nil {
		t.Fatalf("cases: %v", err)
	}
	cfg := runner.Config{Target: *target, Token: *token, ProjectID: *projectID, OtherProjectID: *otherProjectID,
		FixturesURL: *fixturesURL, SettleTimeout: *settle, Timeout: 10 * time.Second}
	if cfg.Target == "" {
		cfg.Token = "conformance-test-token"
		srv := httptest.NewServer(reference.New(reference.Config{Tokens: []string{cfg.Token},
			Logger: slog.New(slog.DiscardHandler)}).Handler())
		t.Cleanup(srv.Close)
		cfg.Target = srv.URL
	}
	session, err := runner.NewSession(cfg)
	if err != nil {
		t.Fatalf("configuration: %v", err)
	}
	var all []*cases.Case
	for _, f := range files {
		all = append(all, f.Cases...)
	}
	// One plain message for a target that is down or refuses the
	// credentials, instead of the same failure in every subtest.
	if _, err := session.Preflight(context.Background(), all); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		for _, c := range f.Cases {
			t.Run(c.ID, func(t *testing.T) {
				t.Parallel()
				t.Attr("requirements", strings.Join(c.Requirements, ","))
				t.Attr("file", c.File)
				res := session.Play(context.Background(), c)
				t.Attr("verdict", string(res.Verdict))
				for _, ch := range res.Choices {
					t.Logf("choice: %s", ch)
				}
				switch res.Verdict {
				case result.Pass:
				case result.Skip:
					t.Skip(strings.Join(res.Messages, "; "))
				case result.Warn:
					report := t.Logf
					if *strict {
						report = t.Errorf
					}
					for _, m := range res.Messages {
						report("warn: %s", m)
					}
				default: // fail, error
					for _, m := range res.Messages {
						t.Errorf("%s: %s", res.Verdict, m)
					}
					for _, e := range res.Evidence {
						if e.Kind == result.KindAPI {
							t.Logf("reproduce step %d: %s", e.Step, e.Curl)
						}
					}
				}
			})
		}
	}
	testGenerated(t, session)
}

// testGenerated plays the generated batches (runner/generate.go), one
// subtest each, after the catalogue's.
func testGenerated(t *testing.T, session *runner.Session) {
	if *generate <= 0 && *generateGroups <= 0 {
		return
	}
	s := *seed
	if s == 0 {
		s = rand.Uint64() | 1
	}
	t.Logf("%d generated batches and %d concurrent groups, seed %d (-generate %d -generate-concurrent %d -seed %d replays them)",
		*generate, *generateGroups, s, *generate, *generateGroups, s)
	check := func(t *testing.T, res result.CaseResult) {
		t.Attr("verdict", string(res.Verdict))
		if res.Verdict != result.Pass {
			for _, m := range res.Messages {
				t.Errorf("%s: %s", res.Verdict, m)
			}
		}
	}
	for n := range *generate {
		t.Run(fmt.Sprintf("generated.%d.%d", s, n), func(t *testing.T) {
			t.Parallel()
			check(t, session.PlayGenerated(context.Background(), s, n))
		})
	}
	for n := range *generateGroups {
		t.Run(fmt.Sprintf("generated-concurrent.%d.%d", s, n), func(t *testing.T) {
			t.Parallel()
			check(t, session.PlayGeneratedGroup(context.Background(), s, n))
		})
	}
}

func loadFiles() ([]*cases.File, error) {
	if *casesDir != "" {
		return cases.LoadCases(os.DirFS(*casesDir), *casesDir)
	}
	return cases.LoadEmbeddedCases()
}
