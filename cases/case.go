package cases

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/drsconform/drsconform/result"
	"gopkg.in/yaml.v3"
)

// File is one case file: a theme and its cases.
type File struct {
	Path        string `yaml:"-"`
	SHA256      string `yaml:"-"` // hex SHA-256 of the file's bytes, for the results bundle
	Theme       string `yaml:"theme"`
	Title       string `yaml:"title"`
	Description string `yaml:"description"`
	Cases       []*Case
}

// Case is one table-driven conformance case: given fixtures, one or more
// steps (request, checks, post-conditions).
type Case struct {
	ID           string
	Title        string
	Description  string
	Requirements []string
	Tags         []string
	Fixtures     map[string]Fixture
	FixtureOrder []string // fixture names in file order: fixtures are made in this order
	Steps        []Step
	Theme        string // the theme of the file it came from
	File         string // the file it came from, for messages
	Line         int    // the line its id is on
}

// Fixture is a task the case needs, made through the fixture protocol.
type Fixture struct {
	Status     string `yaml:"status"`
	Project    string `yaml:"project"` // own (default) or other
	Parent     bool   `yaml:"parent"`
	DualActive bool   `yaml:"dual_active"`
	Busy       bool   `yaml:"busy"`
	// Absent fixtures are never made: a fresh ID the target has never seen.
	Absent bool `yaml:"absent"`
	// IDKind, on an absent fixture, shapes its fresh ID (see the IDKind*
	// constants); "" is the usual UUID-shaped one. Every kind keeps a
	// random part, so the ID is still new on every run.
	IDKind string `yaml:"id_kind"`
}

// The shapes of an absent fixture's ID (fixture id_kind), for REQ-RES-02:
// every one must come back byte for byte as the result id.
const (
	IDKindLong      = "long"      // 4,096 bytes
	IDKindCJK       = "cjk"       // Chinese characters around the random part
	IDKindEmoji     = "emoji"     // emoji, a skin-tone modifier and a ZWJ sequence
	IDKindCombining = "combining" // decomposed letters (e + U+0301): NFC would change them
	IDKindEscape    = "escape"    // characters JSON escapes: " \ / < > & U+2028, a tab
	IDKindURL       = "url"       // characters a URL encodes: / ? # % + & = space
)

// IDKinds lists the id_kind values, in the order of the schema's enum.
func IDKinds() []string {
	return []string{IDKindLong, IDKindCJK, IDKindEmoji, IDKindCombining, IDKindEscape, IDKindURL}
}

// LongIDBytes is the length of an IDKindLong ID.
const LongIDBytes = 4096

// Step is one request of a case with what must follow from it.
type Step struct {
	Name     string    `yaml:"name"`
	Request  Request   `yaml:"request"`
	Expect   *Expect   `yaml:"expect"`
	Then     Then      `yaml:"then"`
	Outcomes []Outcome `yaml:"outcomes"`
	// Concurrent are requests sent at the same moment (a barrier: each is
	// built and ready before all are released together); ExpectGroup and
	// Then judge the group. A step has Request or Concurrent, not both.
	Concurrent  []Request    `yaml:"concurrent"`
	ExpectGroup *GroupExpect `yaml:"expect_group"`
}

// Requests are the requests a step sends: its concurrent group, or its one
// request.
func (s Step) Requests() []Request {
	if len(s.Concurrent) > 0 {
		return s.Concurrent
	}
	return []Request{s.Request}
}

// GroupExpect is what the answers of a concurrent group must be, together.
type GroupExpect struct {
	// Requirement is what a broken group expectation breaks.
	Requirement string `yaml:"requirement"`
	// Status is the status every answer must have; PerRequest[i].Status,
	// when set, overrides it for request i.
	Status     StatusSet `yaml:"status"`
	PerRequest []Expect  `yaml:"per_request"`
	// SuccessesAtMost and SuccessesAtLeast bound, per fixture, the items
	// that report success over all answers of the group.
	SuccessesAtMost  map[string]int `yaml:"successes_at_most"`
	SuccessesAtLeast map[string]int `yaml:"successes_at_least"`
}

// ForRequest is the expect request i of the group is judged by.
func (g GroupExpect) ForRequest(i int) Expect {
	var e Expect
	if i < len(g.PerRequest) {
		e = g.PerRequest[i]
	}
	if len(e.Status) == 0 {
		e.Status = g.Status
	}
	if e.Requirement == "" {
		e.Requirement = g.Requirement
	}
	return e
}

// Alternatives returns the outcomes the step allows: the one of expect/then,
// or each of outcomes (the choices a requirement allows).
func (s Step) Alternatives() []Outcome {
	if len(s.Outcomes) > 0 {
		return s.Outcomes
	}
	if s.Expect == nil {
		return nil
	}
	return []Outcome{{Expect: *s.Expect, Then: s.Then}}
}

// Request is what a step sends to DELETE /v3/{project_id}/jobs/batch-jobs.
type Request struct {
	Project       string            `yaml:"project"` // own (default) or other
	Headers       map[string]string `yaml:"headers"`
	RemoveHeaders []string          `yaml:"remove_headers"`
	// Credential replaces the run's credential for this request: see the
	// Credential* constants. "" sends --token as X-Auth-Token.
	Credential string  `yaml:"credential"`
	Body       any     `yaml:"body"`
	RawBody    *string `yaml:"raw_body"`
	// RawBodyBytes is raw_body for bytes YAML cannot hold (a case file is
	// UTF-8): \xHH is the byte HH; every other character is itself.
	RawBodyBytes *string          `yaml:"raw_body_bytes"`
	Violates     *SchemaViolation `yaml:"violates"`
	// Batch generates the body of a large batch instead of writing it out:
	// one of body, raw_body, raw_body_bytes and batch.
	Batch *Batch `yaml:"batch"`
}

// Batch is a generated body {"jobs": [...]} of Size items, all with
// DeleteType: the item at each 1-based position of At names that fixture's
// job; every other item is a fresh unknown job ID (as an absent fixture's),
// new on every run, so a batch of 1,000 needs only the fixtures it names.
type Batch struct {
	Size       int            `yaml:"size"`
	DeleteType string         `yaml:"delete_type"`
	At         map[int]string `yaml:"at"`
}

// MaxBatchSize bounds batch.size (the schema says the same).
const MaxBatchSize = 10000

// The credentials a request can carry instead of --token (request.credential).
const (
	// CredentialNone: no X-Auth-Token and no Authorization header.
	CredentialNone = "none"
	// CredentialDerivedInvalid: X-Auth-Token is --token changed so that it
	// cannot be valid (DerivedToken).
	CredentialDerivedInvalid = "derived-invalid"
	// CredentialMalformedAuthorization: no X-Auth-Token; an Authorization
	// header in the SDK's AK/SK scheme that cannot verify (no X-Sdk-Date, a
	// one-byte signature, a derived access key).
	CredentialMalformedAuthorization = "malformed-authorization"
	// CredentialGarbageAuthorization: no X-Auth-Token; an Authorization
	// header with no scheme at all, only a derived token.
	CredentialGarbageAuthorization = "garbage-authorization"
)

// NeedsToken reports whether the credential is derived from --token, so a
// run without one cannot send it.
func NeedsToken(credential string) bool {
	switch credential {
	case CredentialDerivedInvalid, CredentialMalformedAuthorization, CredentialGarbageAuthorization:
		return true
	}
	return false
}

// SchemaViolation names the one JSON Schema rule a bad-input body breaks.
type SchemaViolation struct {
	Keyword string `yaml:"keyword"`
	Pointer string `yaml:"pointer"`
}

// Outcome is one allowed answer to a step and what must then hold.
type Outcome struct {
	// Choice is "REQ-ID=label": the allowed outcome of a requirement with
	// choices that this alternative stands for; "" when the step has one outcome.
	Choice string `yaml:"choice"`
	Expect Expect `yaml:"expect"`
	Then   Then   `yaml:"then"`
}

// Expect is what the answer must be.
type Expect struct {
	Status      StatusSet             `yaml:"status"`
	Requirement string                `yaml:"requirement"`
	Results     map[string]ItemExpect `yaml:"results"`
	Count       *int                  `yaml:"count"`
	ErrorCode   string                `yaml:"error_code"`
}

// StatusSet is one status code or several allowed ones.
type StatusSet []int

// UnmarshalYAML accepts `202` or `[400, 401, 403]`.
func (s *StatusSet) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var one int
		if err := n.Decode(&one); err != nil {
			return err
		}
		*s = StatusSet{one}
		return nil
	}
	var many []int
	if err := n.Decode(&many); err != nil {
		return err
	}
	*s = many
	return nil
}

// Has reports whether code is allowed.
func (s StatusSet) Has(code int) bool { return slices.Contains(s, code) }

func (s StatusSet) String() string {
	parts := make([]string, len(s))
	for i, c := range s {
		parts[i] = fmt.Sprint(c)
	}
	return strings.Join(parts, " or ")
}

// ItemExpect is what the result for one fixture's job must be.
type ItemExpect struct {
	Status      string `yaml:"status"` // success, failed or any
	ErrorCode   string `yaml:"error_code"`
	Requirement string `yaml:"requirement"`
}

// UnmarshalYAML accepts `success` or `{status: failed, error_code: ...}`.
func (e *ItemExpect) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		e.Status = n.Value
		return nil
	}
	type plain ItemExpect
	return n.Decode((*plain)(e))
}

// Then maps fixture names to the post-condition their task must meet.
type Then map[string]Post

// Post is a post-condition on one task, read back through the fixture protocol.
type Post struct {
	Gone      bool     `yaml:"gone"`
	Exists    bool     `yaml:"exists"`
	Unchanged bool     `yaml:"unchanged"`
	Status    string   `yaml:"status"`
	StatusIn  []string `yaml:"status_in"`
	NotStatus string   `yaml:"not_status"`
	// Stays, a duration ("2s"), asks that the condition, once it holds, keep
	// holding on every read-back for that long (at most --settle-timeout):
	// a stopped task stays. The loader checks it parses.
	Stays string `yaml:"stays"`
	// OrGone, with StatusIn: the task may also be gone.
	OrGone bool `yaml:"or_gone"`
	// Requirement is the one a broken post-condition breaks; default: the case's first.
	Requirement string `yaml:"requirement"`
}

// UnmarshalYAML accepts `gone`, `exists`, `unchanged` or a mapping.
func (p *Post) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		switch n.Value {
		case "gone":
			p.Gone = true
		case "exists":
			p.Exists = true
		case "unchanged":
			p.Unchanged = true
		default:
			return fmt.Errorf("line %d: unknown post-condition %q", n.Line, n.Value)
		}
		return nil
	}
	type plain Post
	return n.Decode((*plain)(p))
}

// String describes the post-condition for people.
func (p Post) String() string {
	switch {
	case p.Gone:
		return "gone (404 from the fixture protocol)"
	case p.Exists:
		return "still exists"
	case p.Unchanged:
		return "unchanged"
	case p.Status != "":
		return "status " + p.Status
	case len(p.StatusIn) > 0 && p.OrGone:
		return "gone, or status one of " + strings.Join(p.StatusIn, ", ")
	case len(p.StatusIn) > 0:
		return "status one of " + strings.Join(p.StatusIn, ", ")
	case p.NotStatus != "":
		return "exists, status other than " + p.NotStatus
	}
	return "?"
}

// StaysFor is the duration of Stays; 0 when there is none (or it does not
// parse, which the loader reports).
func (p Post) StaysFor() time.Duration {
	if p.Stays == "" {
		return 0
	}
	d, err := time.ParseDuration(p.Stays)
	if err != nil || d < 0 {
		return 0
	}
	return d
}

// MaxStays bounds a post-condition's stays (the loader checks).
const MaxStays = time.Minute

// eventual reports whether the condition may take time to hold (the runner
// polls until --settle-timeout); unchanged and exists hold at once or never.
func (p Post) Eventual() bool { return !p.Unchanged && !p.Exists }

// decodeByteEscapes turns the text of raw_body_bytes into bytes: \xHH (two
// hex digits, either case) is the byte HH; every other character, a
// backslash not followed by x and two hex digits included, is itself.
func decodeByteEscapes(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' && isHex(s[i+2]) && isHex(s[i+3]) {
			out = append(out, unhex(s[i+2])<<4|unhex(s[i+3]))
			i += 3
			continue
		}
		out = append(out, s[i])
	}
	return out
}

// hasByteEscape reports whether s has at least one \xHH.
func hasByteEscape(s string) bool { return byteEscapeRE.MatchString(s) }

var byteEscapeRE = regexp.MustCompile(`\\x[0-9A-Fa-f]{2}`)

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// rawBody is the body a raw_body or raw_body_bytes sends, before {{name}}
// substitution; ok is false when the request has neither.
func (r Request) Raw() (body string, ok bool) {
	switch {
	case r.RawBody != nil:
		return *r.RawBody, true
	case r.RawBodyBytes != nil:
		return string(decodeByteEscapes(*r.RawBodyBytes)), true
	}
	return "", false
}

// Chosen is the outcome's choice, parsed; ok=false when the step has one
// outcome.
func (o *Outcome) Chosen() (result.Choice, bool) {
	if o.Choice == "" {
		return result.Choice{}, false
	}
	return result.ParseChoice(o.Choice), true
}
