package runner

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/internal/baseurl"
	"github.com/drsconform/drsconform/result"
)

// Defaults of the run flags (README.md, "Testing your implementation"). Both
// project IDs work against any target: they are only names the target keeps
// tasks under.
const (
	DefaultProjectID      = "054ba152d480d55b2f5dc0069e7ddef0" // the API page's example
	DefaultOtherProjectID = "7f3e9a1c5b2d4e6f8a0b1c2d3e4f5a6b"
	DefaultTimeout        = 10 * time.Second
	DefaultSettleTimeout  = 30 * time.Second
	DefaultParallel       = 8
	DefaultMaxBody        = 4 << 20 // a 10,000-result answer is 1.4 MB; eight answers in flight stay small
)

// Config is everything a run needs.
type Config struct {
	Target      string // base URL of the API, e.g. http://127.0.0.1:8080
	FixturesURL string // base URL of the fixture protocol; default Target + "/_conformance"
	Token       string // sent as X-Auth-Token; redacted everywhere
	// AccessKey and SecretKey sign every request as the Huawei Cloud SDK
	// does (runner/sign.go); both or neither, and not with Token. Both, the
	// secret derived from SecretKey and every signature are redacted.
	AccessKey, SecretKey string
	// TLS is the TLS configuration of the runner's own transport (--ca-cert,
	// --client-cert, --insecure); nil: Go's defaults (the system roots).
	// Unused when HTTPClient brings its own transport.
	TLS *tls.Config
	// TLSFiles names the files TLS was made from (flag → file), for the
	// report's settings.
	TLSFiles       map[string]string
	Secrets        []string
	ProjectID      string
	OtherProjectID string
	Files          []*cases.File
	Filter         Filter
	Strict         bool
	Parallel       int
	Timeout        time.Duration // per request
	SettleTimeout  time.Duration // how long post-conditions may take to hold
	MaxBody        int64         // response bodies above this are not judged
	HTTPClient     *http.Client
	SuiteVersion   string
	// Generate is how many generated batches to play after the catalogue
	// (runner/generate.go); 0 plays none. Seed makes them: same seed, same batches.
	Generate int
	Seed     uint64
	// GenerateConcurrent is how many concurrent generated groups to play
	// after the generated batches (runner/linear.go), with Seed; 0 plays none.
	GenerateConcurrent int
	// Fixtures, when set, is a file of existing tasks the cases use instead
	// of making tasks through the fixture harness, which is then never
	// called (runner/pool.go; README.md, "Testing a live endpoint").
	Fixtures *cases.FixturesFile
	// ReadBack is how tasks are read back: ReadBackHarness (the fixture
	// protocol) or ReadBackAPI (batch-status on the target); "" picks api
	// with Fixtures, harness without.
	ReadBack string
	// Progress, if set, is called after each case (from one goroutine at a time).
	Progress func(done, total int, r result.CaseResult)
	// Now is the clock (tests make reports deterministic with it).
	Now func() time.Time
}

// withDefaults fills in defaults and checks the URLs.
func (c Config) withDefaults() (Config, error) {
	if c.Target == "" {
		return c, fmt.Errorf("no target URL (--target or DRSCONFORM_TARGET)")
	}
	t, err := parseBaseURL("--target", c.Target)
	if err != nil {
		return c, err
	}
	c.Target = t
	if c.FixturesURL == "" {
		c.FixturesURL = c.Target + "/_conformance"
	}
	if c.FixturesURL, err = parseBaseURL("--fixtures-url", c.FixturesURL); err != nil {
		return c, err
	}
	if c.Fixtures != nil {
		if c.ProjectID == "" {
			c.ProjectID = c.Fixtures.ProjectID
		}
		if c.OtherProjectID == "" {
			c.OtherProjectID = c.Fixtures.OtherProjectID
		}
	}
	if c.ProjectID == "" {
		c.ProjectID = DefaultProjectID
	}
	if c.OtherProjectID == "" {
		c.OtherProjectID = DefaultOtherProjectID
	}
	switch {
	case c.ReadBack == "" && c.Fixtures != nil:
		c.ReadBack = ReadBackAPI
	case c.ReadBack == "":
		c.ReadBack = ReadBackHarness
	case c.ReadBack != ReadBackHarness && c.ReadBack != ReadBackAPI:
		return c, fmt.Errorf("--readback %q: want %s or %s", c.ReadBack, ReadBackHarness, ReadBackAPI)
	case c.ReadBack == ReadBackHarness && c.Fixtures != nil:
		return c, fmt.Errorf("--readback harness reads tasks through the fixture harness, which a run with --fixtures never calls: use --readback api")
	}
	if c.OtherProjectID == c.ProjectID {
		return c, fmt.Errorf("--other-project-id must differ from --project-id (both are %q)", c.ProjectID)
	}
	if c.Parallel <= 0 {
		c.Parallel = DefaultParallel
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.SettleTimeout <= 0 {
		c.SettleTimeout = DefaultSettleTimeout
	}
	if c.MaxBody <= 0 {
		c.MaxBody = DefaultMaxBody
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Token != "" {
		// Derived from the secret, as secret as it: redacted like --token.
		c.Secrets = slices.Concat(c.Secrets, []string{DerivedToken(c.Token)})
	}
	switch {
	case (c.AccessKey == "") != (c.SecretKey == ""):
		return c, fmt.Errorf("--ak and --sk go together: give both or neither")
	case c.AccessKey != "" && c.Token != "":
		return c, fmt.Errorf("--token and --ak/--sk: give one credential, not both")
	case c.AccessKey != "":
		// The derived ones are as secret as what they derive from.
		c.Secrets = slices.Concat(c.Secrets, []string{c.SecretKey, c.AccessKey, DerivedToken(c.SecretKey), DerivedToken(c.AccessKey)})
	}
	return c, c.Filter.Validate()
}

// parseBaseURL checks a base URL given by flag (internal/baseurl, the check
// the proxy's --upstream uses too) and drops its query, fragment and
// trailing slashes: the runner appends its own paths.
func parseBaseURL(flag, raw string) (string, error) {
	u, err := baseurl.Parse(flag, raw)
	if err != nil {
		return "", err
	}
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	return strings.TrimRight(u.String(), "/"), nil
}

// settings records what shaped the run, for the report (never a credential).
func (c Config) settings() map[string]string {
	m := map[string]string{
		"other_project_id": c.OtherProjectID,
		"parallel":         fmt.Sprint(c.Parallel),
		"timeout":          c.Timeout.String(),
		"settle_timeout":   c.SettleTimeout.String(),
		"max_body":         fmt.Sprint(c.MaxBody),
		"token":            "none",
	}
	if c.Token != "" {
		m["token"] = Redacted
	}
	if c.AccessKey != "" {
		m["token"] = "none"
		m["signing"] = "SDK-HMAC-SHA256"
		m["access_key"], m["secret_key"] = Redacted, Redacted
	}
	if c.TLS != nil && c.TLS.InsecureSkipVerify {
		m[result.SettingTLSInsecure] = "true"
	}
	for k, v := range c.TLSFiles {
		m[k] = v
	}
	m["readback"] = c.ReadBack
	if c.Fixtures != nil {
		m["fixtures"] = c.Fixtures.Path
	}
	if c.Generate+c.GenerateConcurrent > 0 {
		m["generate"], m["generate_concurrent"], m["seed"] = fmt.Sprint(c.Generate), fmt.Sprint(c.GenerateConcurrent), fmt.Sprint(c.Seed)
	}
	if c.Filter.Safe {
		m["safe"] = "true"
		if c.GenerateConcurrent > 0 {
			m["generate_concurrent"] = "0 (--safe plays no concurrent groups: they act on tasks)"
		}
	}
	for k, v := range map[string][]string{"tags": c.Filter.Tags, "exclude_tags": c.Filter.ExcludeTags, "requirements": c.Filter.Requirements, "cases_match": c.Filter.Match} {
		if len(v) > 0 {
			m[k] = strings.Join(v, ",")
		}
	}
	return m
}
