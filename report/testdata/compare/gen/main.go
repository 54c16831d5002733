// Command gen writes the report.json files that report/compare_test.go
// compares: real runs of the suite against the embedded reference
// implementation, configured three ways, the server that makes every other
// allowed choice (serve --choices other), and a partial run. Regenerate them
// (after a change of the cases, the catalogue or the reference) with
//
//	go generate ./report
//
// and read the diff of report/testdata/compare before committing it.
//
// The runs are made as deterministic as a run can be: the reference is
// reached in memory (a fixed target URL, no port), the clock is fixed, and
// the durations, which the comparison never shows, are set to 0. The
// evidence of passing cases is left out (the comparison shows none, and the
// files stay small); failed, warned and errored cases keep theirs. Only
// that evidence changes from one generation to the next (the reference draws
// job IDs at random), and the comparison's golden files do not depend on it.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/reference"
	"github.com/drsconform/drsconform/report"
	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
)

// inMemory hands every request to a handler, without a network.
type inMemory struct{ h http.Handler }

func (t inMemory) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	return rec.Result(), nil
}

// breakLanguage answers 500 to every API request whose X-Language is neither
// en-us nor zh-cn (REQ-HTTP-04, a MUST, broken by a few cases only), so that
// the comparison has failures to show.
func breakLanguage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := r.Header.Get("X-Language")
		if strings.HasPrefix(r.URL.Path, "/_conformance") || lang == "" || lang == "en-us" || lang == "zh-cn" {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"error_code":"DRS.M00500","error_msg":"internal error"}`)
	})
}

const token = "compare-testdata-token"

type run struct {
	file   string
	target string
	cfg    reference.Config
	wrap   func(http.Handler) http.Handler
	filter runner.Filter
}

func main() {
	out := "testdata/compare"
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	files, err := cases.LoadEmbeddedCases()
	if err != nil {
		fail(err)
	}
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	runs := []run{
		{file: "default.json", target: "http://default.reference.test", cfg: reference.Config{}},
		{file: "rejecting.json", target: "http://rejecting.reference.test", cfg: reference.Config{
			Duplicates: reference.DuplicatesReject, UnknownFields: reference.UnknownFieldsReject,
			OtherLanguage: reference.OtherLanguageReject, WrongContentTypeStatus: 415}},
		{file: "language500.json", target: "http://language500.reference.test", cfg: reference.Config{}, wrap: breakLanguage},
		{file: "otherchoices.json", target: "http://otherchoices.reference.test", cfg: reference.Config{Choices: reference.ChoicesOther}},
		{file: "partial.json", target: "http://partial.reference.test", cfg: reference.Config{},
			filter: runner.Filter{Tags: []string{"smoke"}}},
	}
	for _, r := range runs {
		cfg := r.cfg
		cfg.Tokens = []string{token}
		cfg.ReleaseDelay = -1
		cfg.Logger = slog.New(slog.DiscardHandler)
		cfg.Now = func() time.Time { return now }
		var h http.Handler = reference.New(cfg).Handler()
		if r.wrap != nil {
			h = r.wrap(h)
		}
		rep, err := runner.Run(context.Background(), runner.Config{Target: r.target, Token: token, Files: files,
			Filter: r.filter, Parallel: 4, Timeout: 5 * time.Second, SettleTimeout: 2 * time.Second, SuiteVersion: "0.1.0-compare-testdata",
			HTTPClient: &http.Client{Transport: inMemory{h}}, Now: func() time.Time { return now }})
		if err != nil {
			fail(fmt.Errorf("%s: %w", r.file, err))
		}
		trim(rep)
		p := filepath.Join(out, r.file)
		if err := report.WriteFile(p, func(w io.Writer) error { return report.JSON(w, rep) }); err != nil {
			fail(err)
		}
		fmt.Printf("%s: %s, %d cases\n", p, rep.Verdict, len(rep.Cases))
	}
}

func trim(rep *result.Report) {
	for i := range rep.Cases {
		rep.Cases[i].DurationMS = 0
		if rep.Cases[i].Verdict == result.Pass {
			rep.Cases[i].Evidence = nil
		}
		for j := range rep.Cases[i].Evidence {
			rep.Cases[i].Evidence[j].DurationMS = 0
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen:", err)
	os.Exit(1)
}
