package result

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/drsconform/drsconform/conformance"
)

// Verdict is the outcome of a case or of a requirement.
type Verdict string

// Verdicts (docs/design.md, "Verdicts").
const (
	Pass     Verdict = "pass"
	Fail     Verdict = "fail"  // a MUST is broken
	Warn     Verdict = "warn"  // a SHOULD is broken
	Skip     Verdict = "skip"  // filtered out, or not applicable (the reason says which)
	Error    Verdict = "error" // the suite could not judge
	Untested Verdict = "untested"
	// Incomplete is a run verdict only: nothing failed, but a selected MUST
	// (any selected requirement with --strict) has no passing case.
	Incomplete Verdict = "incomplete"
)

// rank orders verdicts for roll-ups: fail > warn > error > pass > skip > untested.
func (v Verdict) rank() int {
	switch v {
	case Fail:
		return 5
	case Warn:
		return 4
	case Error:
		return 3
	case Pass:
		return 2
	case Skip:
		return 1
	}
	return 0
}

// Worse returns the worse of two verdicts.
func Worse(a, b Verdict) Verdict {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// Layer names the check a finding comes from, in the order they run.
type Layer string

// The layers of checks.
const (
	LayerFixture   Layer = "fixture"   // setting up the given tasks
	LayerTransport Layer = "transport" // reaching the target
	LayerStatus    Layer = "status"    // the status code against the case
	LayerOpenAPI   Layer = "openapi"   // status, headers, media type against the OpenAPI document
	LayerSchema    Layer = "schema"    // the body against its JSON Schema
	LayerExpect    Layer = "expect"    // the case's own expectations
	LayerInvariant Layer = "invariant" // the batch invariants REQ-RES-01..07 on every 202
	LayerThen      Layer = "then"      // post-conditions read back (fixture protocol or batch-status)
)

// Finding is one broken expectation, traced to a requirement.
type Finding struct {
	Requirement string  `json:"requirement"`
	Level       string  `json:"level"`
	Verdict     Verdict `json:"verdict"` // fail (MUST or MAY) or warn (SHOULD)
	Layer       Layer   `json:"layer"`
	Step        int     `json:"step"` // 1-based
	Expected    string  `json:"expected"`
	Got         string  `json:"got"`
	Pointer     string  `json:"pointer,omitempty"`
}

// ExchangeKind says what an exchange was for. Code that tells exchanges
// apart reads it; Purpose is a label for people.
type ExchangeKind string

// The kinds of exchange.
const (
	KindAPI       ExchangeKind = "api"       // a request to the endpoint under test
	KindFixture   ExchangeKind = "fixture"   // making a task through the fixture protocol
	KindReadBack  ExchangeKind = "read-back" // reading a task back: the fixture protocol, or batch-status (--readback api)
	KindPreflight ExchangeKind = "preflight" // a probe before any case
)

// Exchange is one HTTP request and its response, redacted and size-capped,
// with a curl command that sends the same request. The exchanges of a case
// are in the order they happened.
type Exchange struct {
	Step            int                 `json:"step"` // 0 for fixture set-up and its read-back
	Kind            ExchangeKind        `json:"kind"`
	Purpose         string              `json:"purpose"` // a label for people: "request", "fixture: create CREATE_FAILED"
	Sent            *SentRequest        `json:"sent,omitempty"`
	Method          string              `json:"method"`
	URL             string              `json:"url"`
	RequestHeaders  map[string][]string `json:"request_headers"`
	RequestBody     string              `json:"request_body,omitempty"`
	Status          int                 `json:"status,omitempty"`
	ResponseHeaders map[string][]string `json:"response_headers,omitempty"`
	ResponseBody    string              `json:"response_body,omitempty"`
	Truncated       bool                `json:"truncated,omitempty"`
	Error           string              `json:"error,omitempty"`
	DurationMS      int64               `json:"duration_ms"`
	Curl            string              `json:"curl"`
}

// SentRequest is what a request asked for, read from its body as it was
// sent: before redaction and before the evidence copy is cut, so spec
// coverage (report/coverage.go) never parses evidence text. Its strings are
// redacted and bounded as quotes in findings are.
type SentRequest struct {
	// JSON is true when the body is one JSON value (a malformed body, or
	// none, is not).
	JSON bool `json:"json"`
	// Members are the names of the body's members when it is an object, sorted.
	Members []string `json:"members,omitempty"`
	// Jobs are the objects of its "jobs" array, in order; at most
	// SentJobsKept, and JobsMore counts the rest.
	Jobs     []SentJob `json:"jobs,omitempty"`
	JobsMore int       `json:"jobs_more,omitempty"`
	// Status is, for a fixture set-up, the state the task was asked in.
	Status string `json:"status,omitempty"`
}

// SentJob is one object of a request's "jobs" array.
type SentJob struct {
	Members    []string `json:"members,omitempty"`     // its member names, sorted
	DeleteType *string  `json:"delete_type,omitempty"` // when a string; "" is sent as ""
	JobID      *string  `json:"job_id,omitempty"`      // when a string
	// Fixture is the case's task that the job_id names, and FixtureStatus
	// the state it was made in.
	Fixture       string `json:"fixture,omitempty"`
	FixtureStatus string `json:"fixture_status,omitempty"`
}

// SentJobsKept bounds the jobs a SentRequest keeps.
const SentJobsKept = 100

// CaseResult is the verdict of one case with its evidence.
type CaseResult struct {
	ID           string   `json:"id"`
	Title        string   `json:"title"`
	Theme        string   `json:"theme"`
	File         string   `json:"file"`
	Verdict      Verdict  `json:"verdict"`
	Requirements []string `json:"requirements"`
	Tags         []string `json:"tags,omitempty"`
	Messages     []string `json:"messages"`
	// Refused is set when the case was skipped because the harness would not
	// make one of its tasks.
	Refused *Refusal `json:"refused,omitempty"`
	// Unmet is set when the case was skipped because the fixtures file
	// (run --fixtures) had no tasks left for one of its needs.
	Unmet *Unmet `json:"unmet,omitempty"`
	// FilteredOut: the run's filter left the case out (a skip by choice, not
	// because it could not apply).
	FilteredOut bool       `json:"filtered_out,omitempty"`
	Choices     []Choice   `json:"choices,omitempty"` // allowed outcomes the target chose, "REQ-STA-11=rejected-400" in JSON
	Findings    []Finding  `json:"findings,omitempty"`
	Evidence    []Exchange `json:"evidence,omitempty"`
	DurationMS  int64      `json:"duration_ms"`
	// FixtureStatuses are the task states the case's fixtures were made in,
	// set when all were made and read back as asked (pass, fail, warn): a
	// passing case keeps no fixture evidence, and spec coverage needs them.
	FixtureStatuses []string `json:"fixture_statuses,omitempty"`
}

// Choice is one of the outcomes a requirement allows (its choices in
// conformance/requirements.yaml) that the target was seen to choose: for
// REQ-STA-11, rejecting a repeated job_id with 400 is Choice{"REQ-STA-11",
// "rejected-400"}. Case files and report.json write it "REQ-STA-11=rejected-400"
// (ParseChoice, String); JSON keeps that string form.
type Choice struct {
	Requirement string
	Label       string
}

// ParseChoice reads a choice written "REQ-ID=label". Without "=", all of s
// is the requirement and the label is empty.
func ParseChoice(s string) Choice {
	req, label, _ := strings.Cut(s, "=")
	return Choice{Requirement: req, Label: label}
}

// String is the choice as "REQ-ID=label" (the requirement alone without a
// label), the form ParseChoice reads.
func (c Choice) String() string {
	if c.Label == "" {
		return c.Requirement
	}
	return c.Requirement + "=" + c.Label
}

// MarshalText writes the choice as String does: report.json keeps a case's
// choices as "REQ-ID=label" strings.
func (c Choice) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads a choice as ParseChoice does.
func (c *Choice) UnmarshalText(b []byte) error {
	*c = ParseChoice(string(b))
	return nil
}

// RequirementResult is a requirement's verdict rolled up from its cases.
type RequirementResult struct {
	ID       string            `json:"id"`
	Level    conformance.Level `json:"level"`
	Sentence string            `json:"sentence"`
	Source   string            `json:"source"`
	Verdict  Verdict           `json:"verdict"`
	Cases    []string          `json:"cases"`
	Choices  []string          `json:"choices,omitempty"` // the allowed outcomes seen, e.g. "rejected-400"
}

// Summary counts cases by verdict.
type Summary struct {
	Total   int `json:"total"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Warned  int `json:"warned"`
	Skipped int `json:"skipped"`
	Errored int `json:"errored"`
}

// Report is the result of one run: what report.json holds.
type Report struct {
	SuiteVersion string    `json:"suite_version"`
	SpecSHA256   string    `json:"spec_sha256"`
	Target       string    `json:"target"`
	FixturesURL  string    `json:"fixtures_url"`
	ProjectID    string    `json:"project_id"`
	Strict       bool      `json:"strict"`
	StartedAt    time.Time `json:"started_at"`
	FinishedAt   time.Time `json:"finished_at"`
	Verdict      Verdict   `json:"verdict"` // pass, warn, fail, error or incomplete: the run as a whole
	ExitCode     int       `json:"exit_code"`
	// Complete is true only for a run of the whole selection of cases in
	// which every requirement they test was judged (no partial run, nothing
	// unjudged, no error).
	Complete  bool       `json:"complete"`
	Selection *Selection `json:"selection,omitempty"`
	// Unjudged lists the selected requirements no case passed, with why.
	Unjudged  []Unjudged       `json:"unjudged,omitempty"`
	Preflight []PreflightCheck `json:"preflight,omitempty"`
	// Seed made the generated batches of the run (0: none were played); the
	// same seed replays them (run --generate N --seed S).
	Seed          uint64              `json:"seed,omitempty"`
	Summary       Summary             `json:"summary"`
	Cases         []CaseResult        `json:"cases"`
	Requirements  []RequirementResult `json:"requirements"`
	Configuration map[string]string   `json:"configuration,omitempty"` // the run's settings (parallel, timeouts, filters)
	CaseFiles     []CaseFile          `json:"case_files,omitempty"`    // the case files loaded, for the results bundle
	// FieldTasks are the tasks of the fixtures file (run --fixtures) the run
	// used: by which case, as stated, as read before use and at the end.
	FieldTasks []FieldTask `json:"field_tasks,omitempty"`
	// NotPlayed says what the run left out on purpose and why (with
	// --fixtures, the generated batches, which make tasks of their own).
	NotPlayed []string `json:"not_played,omitempty"`
	// Trimmed says what the report leaves out to stay within its size limit
	// (report.Fit): evidence, never a case or a verdict.
	Trimmed []string `json:"trimmed,omitempty"`
}

// CaseFile names a case file a run loaded and the SHA-256 of its bytes.
type CaseFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Exit codes (README.md, "Exit codes"; docs/design.md, "Verdicts").
const (
	ExitConformant    = 0
	ExitNonConformant = 1
	ExitUsage         = 2
	ExitCannotJudge   = 3
)

// Unjudged is a selected requirement that no case judged: all its cases were
// skipped or errored. Reasons are the distinct skip and error messages of
// its cases, each with how many cases gave it.
type Unjudged struct {
	ID    string            `json:"id"`
	Level conformance.Level `json:"level"`
	// Fatal: the run is INCOMPLETE because of it (a MUST, or any level with
	// --strict).
	Fatal   bool     `json:"fatal"`
	Reasons []string `json:"reasons"`
}

// Finish computes the summary, the requirement roll-up, the overall verdict
// and the exit code from the case results.
func (r *Report) Finish(cat *conformance.Catalogue) {
	r.Requirements = rollUp(cat, r.Cases) // first: it errors a case that names an unknown requirement
	r.Summary = Summary{Total: len(r.Cases)}
	for _, c := range r.Cases {
		switch c.Verdict {
		case Pass:
			r.Summary.Passed++
		case Fail:
			r.Summary.Failed++
		case Warn:
			r.Summary.Warned++
		case Skip:
			r.Summary.Skipped++
		case Error:
			r.Summary.Errored++
		}
	}
	r.Unjudged = unjudged(r.Requirements, r.Cases, r.Selection, r.Strict)
	fatal := slices.ContainsFunc(r.Unjudged, func(u Unjudged) bool { return u.Fatal })
	r.Complete = (r.Selection == nil || !r.Selection.Partial) && len(r.Unjudged) == 0 && r.Summary.Errored == 0
	switch {
	case r.Summary.Failed > 0:
		r.Verdict, r.ExitCode = Fail, ExitNonConformant
	case r.Summary.Warned > 0 && r.Strict:
		r.Verdict, r.ExitCode = Warn, ExitNonConformant
	case fatal:
		r.Verdict, r.ExitCode = Incomplete, ExitCannotJudge
	case r.Summary.Errored > 0:
		r.Verdict, r.ExitCode = Error, ExitCannotJudge
	case r.Summary.Warned > 0:
		r.Verdict, r.ExitCode = Warn, ExitConformant
	default:
		r.Verdict, r.ExitCode = Pass, ExitConformant
	}
}

// unjudged lists the selected requirements (all that the cases test, for a
// report without a selection) for which no case passed, failed or warned.
func unjudged(reqs []RequirementResult, cases []CaseResult, sel *Selection, strict bool) []Unjudged {
	byID := map[string]CaseResult{}
	for _, c := range cases {
		byID[c.ID] = c
	}
	var out []Unjudged
	for _, rr := range reqs {
		if sel != nil && !slices.Contains(sel.Requirements, rr.ID) {
			continue
		}
		if sel == nil && len(rr.Cases) == 0 {
			continue
		}
		judged := false
		var reasons skipReasons
		for _, id := range rr.Cases {
			c := byID[id]
			switch v := caseVerdictFor(c, rr.ID); v {
			case Pass, Fail, Warn:
				judged = true
			default:
				if v != Skip || !c.FilteredOut {
					reasons.add(c, v)
				}
			}
		}
		if judged {
			continue
		}
		u := Unjudged{ID: rr.ID, Level: rr.Level, Fatal: rr.Level == conformance.MUST || strict, Reasons: reasons.lines()}
		if len(u.Reasons) == 0 {
			u.Reasons = append(u.Reasons, "no selected case tests it")
		}
		out = append(out, u)
	}
	return out
}

// skipReasons gathers why the cases of a requirement were not judged: each
// distinct reason once, with how many cases gave it; the harness's refusals
// grouped by its reason, with the statuses it refused.
type skipReasons struct {
	order  []reasonKey
	counts map[reasonKey]int
	status map[reasonKey][]string // for a refusal: the statuses refused
}

type reasonKey struct {
	refusal bool // the harness would not make a task; text is its reason
	unmet   bool // the fixtures file had too few tasks; status holds the needs
	text    string
}

func (s *skipReasons) add(c CaseResult, v Verdict) {
	if s.counts == nil {
		s.counts, s.status = map[reasonKey]int{}, map[reasonKey][]string{}
	}
	key := reasonKey{text: string(v) + ": (no reason given)"}
	switch {
	case c.Refused != nil:
		key = reasonKey{refusal: true, text: c.Refused.Reason}
		if !slices.Contains(s.status[key], c.Refused.Status) {
			s.status[key] = append(s.status[key], c.Refused.Status)
		}
	case c.Unmet != nil:
		key = reasonKey{unmet: true}
		for _, need := range c.Unmet.Needs {
			if !slices.Contains(s.status[key], need) {
				s.status[key] = append(s.status[key], need)
			}
		}
	case len(c.Messages) > 0:
		key.text = c.Messages[0]
	}
	if s.counts[key] == 0 {
		s.order = append(s.order, key)
	}
	s.counts[key]++
}

func (s *skipReasons) lines() []string {
	out := []string{}
	for _, key := range s.order {
		n := plural(s.counts[key], "case")
		if key.unmet {
			needs := s.status[key]
			list := strings.Join(needs[:min(3, len(needs))], "; ")
			if len(needs) > 3 {
				list += fmt.Sprintf(" and %d more", len(needs)-3)
			}
			out = append(out, fmt.Sprintf("%s skipped: the fixtures file has no task left for %s (drsconform fixtures plan lists what a run needs)", n, list))
			continue
		}
		if !key.refusal {
			out = append(out, fmt.Sprintf("%s (%s)", key.text, n))
			continue
		}
		statuses := s.status[key]
		list := strings.Join(statuses[:min(3, len(statuses))], ", ")
		if len(statuses) > 3 {
			list += fmt.Sprintf(" and %d more", len(statuses)-3)
		}
		out = append(out, fmt.Sprintf("%s skipped: the harness refused to make a task in %s: %s", n, list, key.text))
	}
	return out
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// rollUp gives each requirement of the catalogue the worst verdict of the
// cases that test it, judged for that requirement alone: a case that fails
// REQ-A does not fail REQ-B it also lists. A requirement that no case ran is
// untested.
//
// A case that names, has a finding on, or records a choice of a requirement
// the catalogue does not have is a fault of the suite (the loader and the
// judge accept only catalogue IDs): rollUp turns that case into an error
// whose message names the ID, so that nothing it found vanishes unseen.
func rollUp(cat *conformance.Catalogue, results []CaseResult) []RequirementResult {
	out := make([]RequirementResult, len(cat.Requirements))
	index := map[string]int{}
	for i, req := range cat.Requirements {
		out[i] = RequirementResult{ID: req.ID, Level: req.Level, Sentence: req.Sentence,
			Source: req.Source.String(), Verdict: Untested, Cases: []string{}}
		index[req.ID] = i
	}
	for k := range results {
		ids := append([]string(nil), results[k].Requirements...)
		for _, f := range results[k].Findings {
			if !slices.Contains(ids, f.Requirement) {
				ids = append(ids, f.Requirement)
			}
		}
		var unknown []string
		for _, id := range ids {
			if _, ok := index[id]; !ok {
				unknown = append(unknown, id)
			}
		}
		for _, ch := range results[k].Choices {
			if id := ch.Requirement; !slices.Contains(unknown, id) {
				if _, ok := index[id]; !ok {
					unknown = append(unknown, id)
				}
			}
		}
		if len(unknown) > 0 {
			results[k].Verdict = Error
			results[k].Messages = append(results[k].Messages, fmt.Sprintf("%s: unknown requirement %s (not in %s): the case cannot be judged",
				"internal", strings.Join(unknown, ", "), conformance.RequirementsFile))
		}
		c := results[k]
		for _, id := range ids {
			i, ok := index[id]
			if !ok {
				continue
			}
			rr := &out[i]
			rr.Cases = append(rr.Cases, c.ID)
			v := caseVerdictFor(c, id)
			switch {
			case v == Skip:
			case rr.Verdict == Untested:
				rr.Verdict = v
			default:
				rr.Verdict = Worse(rr.Verdict, v)
			}
		}
		for _, ch := range c.Choices {
			if i, ok := index[ch.Requirement]; ok && !slices.Contains(out[i].Choices, ch.Label) {
				out[i].Choices = append(out[i].Choices, ch.Label)
			}
		}
	}
	return out
}

// caseVerdictFor is the verdict of case c for one requirement: the worst of
// its findings on that requirement; without any, the case's skip or error
// carries over, and otherwise it passed.
func caseVerdictFor(c CaseResult, id string) Verdict {
	v := Verdict("")
	for _, f := range c.Findings {
		if f.Requirement == id {
			v = Worse(v, f.Verdict)
		}
	}
	if v != "" {
		return v
	}
	if c.Verdict == Skip || c.Verdict == Error {
		return c.Verdict
	}
	return Pass
}

// Selection says what a run was asked to judge, for report.json and every
// report: a partial run must never read as full conformance.
type Selection struct {
	Partial           bool     `json:"partial"`
	Safe              bool     `json:"safe,omitempty"` // run --safe: only cases that touch no task
	Tags              []string `json:"tags,omitempty"`
	ExcludeTags       []string `json:"exclude_tags,omitempty"`
	RequirementFilter []string `json:"requirements_filter,omitempty"`
	CasesMatch        []string `json:"cases_match,omitempty"`
	CasesSelected     int      `json:"cases_selected"`
	CasesTotal        int      `json:"cases_total"`
	// Requirements are the requirement IDs the selected cases test (within
	// RequirementFilter when one is given): the run is judged on these.
	Requirements      []string `json:"requirements"`
	RequirementsTotal int      `json:"requirements_total"`
}

// Describe is the one-line statement of a selection: "partial run: 12 of 37
// requirements selected (--tags delete)", or "" for a full run.
func (s *Selection) Describe() string {
	if s == nil || !s.Partial {
		return ""
	}
	var by []string
	for _, f := range []struct {
		flag string
		v    []string
	}{{"--tags", s.Tags}, {"--exclude-tags", s.ExcludeTags}, {"--requirements", s.RequirementFilter}, {"--cases-match", s.CasesMatch}} {
		if len(f.v) > 0 {
			by = append(by, f.flag+" "+strings.Join(f.v, ","))
		}
	}
	if s.Safe {
		// README.md, "Safe against production: run --safe"
		by = append([]string{"--safe: only cases that touch no task; generated batches of unknown IDs only, no concurrent groups"}, by...)
	}
	return fmt.Sprintf("partial run: %d of %d requirements selected, %d of %d cases (%s)",
		len(s.Requirements), s.RequirementsTotal, s.CasesSelected, s.CasesTotal, strings.Join(by, " "))
}

// PreflightCheck is one probe made before any case, as the report records it.
type PreflightCheck struct {
	Name   string `json:"name"` // target, credentials, harness
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// message is a finding in one line for people.
func (f Finding) Message() string {
	where := ""
	if f.Pointer != "" {
		where = " at " + f.Pointer
	}
	return fmt.Sprintf("%s (%s) step %d, %s%s: expected %s; got %s", f.Requirement, f.Level, f.Step, f.Layer, where, f.Expected, f.Got)
}

// Refusal is the harness declining to make a task (it answered 400): the
// status asked for and its reason (redacted, bounded, escaped). A case it
// stops is skipped, and the verdict groups the requirements it left
// unjudged by it.
type Refusal struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
}

// SettingTLSInsecure is the key of Report.Configuration that is "true" when
// the run did not verify the target's TLS certificate (drsconform run
// --insecure); every report format shows it as a warning.
const SettingTLSInsecure = "tls_insecure"

// Insecure reports whether the run did not verify TLS certificates.
func (r *Report) Insecure() bool { return r.Configuration[SettingTLSInsecure] == "true" }

// Unmet is a case's needs that the fixtures file (run --fixtures) could not
// meet: the case is skipped, and the verdict groups the requirements it
// left unjudged by it.
type Unmet struct {
	// Needs are the kinds of task short, e.g. "INCRE_TRANSFER_STARTED
	// (main project)".
	Needs []string `json:"needs"`
	// Reason is the whole sentence: "needs 2 tasks in …, the fixtures file
	// has 1".
	Reason string `json:"reason"`
}

// FieldTask is one task of the fixtures file that a run used (run
// --fixtures): the case it was given to, the status the file states, the
// status read before the case used it and the one read at the end of the
// run. Gone is written "(gone)".
type FieldTask struct {
	ID        string `json:"id"`
	Project   string `json:"project"` // main or other
	ProjectID string `json:"project_id"`
	Case      string `json:"case"`
	Fixture   string `json:"fixture"`
	Stated    string `json:"stated"`
	Before    string `json:"before,omitempty"`
	After     string `json:"after,omitempty"`
	// AfterError says why the final read-back failed (After is then "").
	AfterError string `json:"after_error,omitempty"`
	// Changed: the task reads differently at the end than before use (or
	// could not be read at the end): recreate it before the next run.
	Changed bool `json:"changed"`
}
