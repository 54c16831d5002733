package runner

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/conformance"
	"github.com/drsconform/drsconform/reference"
	"github.com/drsconform/drsconform/result"
)

// The guarantee of run --safe (README.md, "Safe against production: run
// --safe"), proved over the whole catalogue and the generator: every request
// a --safe run sends goes to DELETE /v3/{project_id}/jobs/batch-jobs, and
// every job_id in it is an ID the runner made up as nonexistent (it starts
// with AbsentIDPrefix and absentMinted saw it being made), or no string.

const safeToken = "tok-SAFE-RUN-0815"

// minted holds the SHA-256 of every ID mintAbsent made since a test first
// listened (all tests of the package then add to it: the set only grows,
// and every ID in it is a made-up one; hashes keep it small).
var minted = struct {
	sync.Mutex
	once sync.Once
	ids  map[[32]byte]bool
}{ids: map[[32]byte]bool{}}

func listenMinted() {
	minted.once.Do(func() {
		f := func(id string) {
			h := sha256.Sum256([]byte(id))
			minted.Lock()
			minted.ids[h] = true
			minted.Unlock()
		}
		absentMinted.Store(&f)
	})
}

func wasMinted(id string) bool {
	h := sha256.Sum256([]byte(id))
	minted.Lock()
	defer minted.Unlock()
	return minted.ids[h]
}

// sent is one request as the target saw it.
type sent struct {
	method, path string
	body         []byte
}

// wireLog serves next and keeps every request it answers.
type wireLog struct {
	mu   sync.Mutex
	reqs []sent
	next http.Handler
}

func (rc *wireLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, sent{r.Method, r.URL.EscapedPath(), body})
	rc.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(body))
	rc.next.ServeHTTP(w, r)
}

func (rc *wireLog) all() []sent {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.reqs)
}

func recordedReference(t *testing.T) (*wireLog, string) {
	t.Helper()
	ref := reference.New(reference.Config{Tokens: []string{safeToken}, ReleaseDelay: 20 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)}).Handler()
	rc := &wireLog{next: ref}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	return rc, srv.URL
}

// unsafeTraffic lists every request of reqs that a --safe run must not send:
// another method or path than DELETE /v3/{project}/jobs/batch-jobs of one of
// projects, or a string value in its body (but a delete_type) that is not an
// ID the runner made up. In a body that is not JSON (a bad-input case breaks
// it on purpose), each string literal must start with a made-up ID.
func unsafeTraffic(reqs []sent, projects ...string) []string {
	var out []string
	for i, r := range reqs {
		if r.method != http.MethodDelete || !slices.ContainsFunc(projects, func(p string) bool { return r.path == "/v3/"+p+"/jobs/batch-jobs" }) {
			out = append(out, fmt.Sprintf("request %d: %s %s", i, r.method, r.path))
			continue
		}
		var doc any
		// encoding/json takes invalid UTF-8 (as U+FFFD): such a body is no JSON here
		if utf8.Valid(r.body) && json.Unmarshal(r.body, &doc) == nil {
			for _, v := range stringValues(doc, "") {
				if v[0] != "delete_type" && v[1] != "" && !(strings.HasPrefix(v[1], AbsentIDPrefix) && wasMinted(v[1])) {
					out = append(out, fmt.Sprintf("request %d: %s %q is not an ID the runner made up", i, v[0], v[1]))
				}
			}
			continue
		}
		for _, lit := range stringLiterals(r.body) {
			if lit == "" || slices.Contains([]string{"jobs", "job_id", "delete_type", "delete", "terminate", "force_terminate", "Delete"}, lit) {
				continue
			}
			if !strings.HasPrefix(lit, AbsentIDPrefix) || !mintedPrefix(lit) {
				out = append(out, fmt.Sprintf("request %d: %q in a body that is not JSON is not an ID the runner made up", i, lit))
			}
		}
	}
	return out
}

// stringValues lists [key, value] for every string value of a JSON document.
func stringValues(v any, key string) [][2]string {
	switch t := v.(type) {
	case string:
		return [][2]string{{key, t}}
	case []any:
		var out [][2]string
		for _, e := range t {
			out = append(out, stringValues(e, key)...)
		}
		return out
	case map[string]any:
		var out [][2]string
		for k, e := range t {
			out = append(out, stringValues(e, k)...)
		}
		return out
	}
	return nil
}

// stringLiterals are the quoted strings of a body that may not be JSON,
// unescaped where they can be; an unterminated one runs to the end.
func stringLiterals(body []byte) []string {
	var out []string
	for i := 0; i < len(body); i++ {
		if body[i] != '"' {
			continue
		}
		j := i + 1
		for j < len(body) && body[j] != '"' {
			if body[j] == '\\' {
				j++
			}
			j++
		}
		lit := string(body[i+1 : min(j, len(body))])
		if s, err := strconv.Unquote(`"` + lit + `"`); err == nil && utf8.ValidString(lit) {
			lit = s
		}
		out = append(out, lit)
		i = j
	}
	return out
}

// mintedPrefix: s starts with an ID the runner made up (the rest is the
// bad byte a bad-input case adds).
func mintedPrefix(s string) bool {
	for n := len(s); n > len(AbsentIDPrefix); n-- {
		if wasMinted(s[:n]) {
			return true
		}
	}
	return false
}

// The whole catalogue in --safe mode, with 50 generated batches and
// concurrent groups asked for, against the reference: it passes, and the
// reference saw nothing but batch deletes of made-up IDs.
func TestSafeRunSendsOnlyMadeUpIDs(t *testing.T) {
	t.Parallel()
	listenMinted()
	rc, url := recordedReference(t)
	files, err := cases.LoadEmbeddedCases()
	require.NoError(t, err)
	rep, err := Run(context.Background(), Config{Target: url, Token: safeToken, Files: files, Filter: Filter{Safe: true},
		Timeout: 5 * time.Second, SettleTimeout: 2 * time.Second, Parallel: 4, Generate: 50, GenerateConcurrent: 5, Seed: 7})
	require.NoError(t, err)

	played, generated := 0, 0
	for _, c := range rep.Cases {
		switch {
		case c.FilteredOut:
			assert.Contains(t, c.Messages[0], "--safe", c.ID)
		case c.Theme == GeneratedTheme:
			generated++
			assert.True(t, strings.HasPrefix(c.ID, "generated."), "no concurrent group under --safe: %s", c.ID)
			assert.Equal(t, result.Pass, c.Verdict, "%s: %v", c.ID, c.Messages)
		default:
			played++
			assert.True(t, slices.Contains(c.Tags, cases.SafeTag), c.ID)
			assert.Equal(t, result.Pass, c.Verdict, "%s: %v", c.ID, c.Messages)
		}
	}
	assert.GreaterOrEqual(t, played, 10, "safe cases played")
	assert.Equal(t, 50, generated)
	assert.Equal(t, result.ExitConformant, rep.ExitCode)
	require.NotNil(t, rep.Selection)
	assert.True(t, rep.Selection.Partial && rep.Selection.Safe)
	assert.Contains(t, rep.Selection.Describe(), "partial run")
	assert.Contains(t, rep.Selection.Describe(), "--safe")
	assert.Equal(t, "true", rep.Configuration["safe"])
	assert.Contains(t, rep.Configuration["generate_concurrent"], "--safe plays no concurrent groups")
	for _, p := range rep.Preflight {
		if p.Name == "harness" {
			assert.Contains(t, p.Detail, "not asked")
		}
	}

	reqs := rc.all()
	require.Greater(t, len(reqs), played+generated, "every case and batch sent a request")
	assert.Empty(t, unsafeTraffic(reqs, DefaultProjectID, DefaultOtherProjectID))
	ids := 0
	for _, r := range reqs {
		ids += strings.Count(string(r.body), AbsentIDPrefix)
	}
	assert.Greater(t, ids, 500, "the batches are full of made-up IDs, and the check looked at them")
}

// The check of the test above can fail: an unsafe case (a made fixture,
// tagged safe) played with the selection's check bypassed sends the fixture
// harness a request and the API a job ID the runner did not make up; a
// literal ID is caught as well.
func TestUnsafeTrafficIsCaught(t *testing.T) {
	t.Parallel()
	listenMinted()
	const file = `theme: t
title: T
cases:
  - id: t.unsafe
    title: tagged safe, but deletes a task it makes
    requirements: [REQ-STA-01]
    tags: [safe]
    fixtures:
      task: {status: CREATE_FAILED}
    request:
      body: {jobs: [{delete_type: delete, job_id: "{{task}}"}]}
    expect:
      status: 202
      results:
        task: success
  - id: t.literal
    title: tagged safe, but names a literal job ID
    requirements: [REQ-STA-05]
    tags: [safe]
    request:
      raw_body: '{"jobs": [{"delete_type": "delete", "job_id": "140b5236-88ad-43c8-811c-1268453jb101"}'
      violates: {keyword: json, pointer: ''}
    expect:
      status: 400
`
	files, err := cases.LoadCases(fstest.MapFS{"t.yaml": {Data: []byte(file)}}, "cases")
	require.NoError(t, err)
	require.Len(t, cases.CheckSafe(files), 3, "lint rejects both: the made fixture, its ID in the body, the literal")

	rc, url := recordedReference(t)
	cfg := Config{Target: url, Token: safeToken, Files: files, Filter: Filter{Safe: true}, Timeout: 5 * time.Second, SettleTimeout: time.Second}
	_, err = Run(context.Background(), cfg)
	var ue *UsageError
	require.True(t, errors.As(err, &ue), "a --safe run refuses them: %v", err)
	assert.Contains(t, ue.Error(), "cases/t.yaml:4: t.unsafe is tagged safe but fixture task makes a task")
	assert.Contains(t, ue.Error(), `the body sends "140b5236-88ad-43c8-811c-1268453jb101"`)
	assert.Empty(t, rc.all(), "refused before any request")

	// Bypass the selection: play them as a session does.
	cfg.Filter = Filter{}
	s, err := NewSession(cfg)
	require.NoError(t, err)
	for _, c := range files[0].Cases {
		r := s.Play(context.Background(), c)
		require.Equal(t, result.Pass, r.Verdict, "%s: %v", c.ID, r.Messages)
	}
	bad := strings.Join(unsafeTraffic(rc.all(), DefaultProjectID), "\n")
	assert.Contains(t, bad, "POST /_conformance/v1/jobs")
	assert.Contains(t, bad, "GET /_conformance/v1/jobs/")
	assert.Regexp(t, `job_id "[^"]+" is not an ID the runner made up`, bad)
	assert.Contains(t, bad, `"140b5236-88ad-43c8-811c-1268453jb101" in a body that is not JSON`)

	// And a made-up ID the runner did not make (right prefix, never minted).
	forged := []sent{{http.MethodDelete, "/v3/" + DefaultProjectID + "/jobs/batch-jobs",
		[]byte(`{"jobs": [{"delete_type": "delete", "job_id": "` + AbsentIDPrefix + `0123456789abcdef01234567"}]}`)}}
	assert.Len(t, unsafeTraffic(forged, DefaultProjectID), 1)

	// A session in safe mode makes no task, however a case reaches its
	// player: the case errors, and nothing goes to the harness.
	rc2, url2 := recordedReference(t)
	cfg.Target, cfg.Filter = url2, Filter{Safe: true}
	s2, err := NewSession(cfg)
	require.NoError(t, err)
	r := s2.Play(context.Background(), files[0].Cases[0])
	assert.Equal(t, result.Error, r.Verdict, "%v", r.Messages)
	assert.Contains(t, strings.Join(r.Messages, "\n"), "a --safe run never does")
	assert.Empty(t, rc2.all(), "no request at all")
}

// Every made-up ID starts with AbsentIDPrefix and carries at least 96 bits
// from crypto/rand, in every shape; the shape's characters stay around it.
func TestMadeUpIDsHaveThePrefixAndRandomness(t *testing.T) {
	t.Parallel()
	listenMinted()
	fresh := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{8}jb00`) // 112 bits
	check := func(what, id string, random *regexp.Regexp) {
		t.Helper()
		assert.True(t, strings.HasPrefix(id, AbsentIDPrefix), "%s: %q", what, id)
		assert.Regexp(t, random, id, what)
		assert.True(t, wasMinted(id), "%s: %q not recorded", what, id)
	}
	check("absentID", absentID(), regexp.MustCompile(`^`+AbsentIDPrefix+fresh.String()+`$`))
	for _, kind := range append(cases.IDKinds(), "") {
		a, b := shapedID(kind), shapedID(kind)
		assert.NotEqual(t, a, b, kind)
		check("shapedID "+kind, a, fresh)
	}
	assert.Len(t, shapedID(cases.IDKindLong), cases.LongIDBytes)
	check("sentUnknownID", sentUnknownID("任务😀"), regexp.MustCompile(`^`+AbsentIDPrefix+`[0-9a-f]{24}-任务😀$`)) // 96 bits
	for _, id := range requestedJobIDs(batchBody(&cases.Batch{Size: 20, DeleteType: "delete"}, nil)) {
		check("batchBody", id, fresh)
	}
	// The generated unknown IDs, as a batch sends them.
	g := generateBatchOf(3, 5, true)
	require.Empty(t, g.Tasks, "--safe: no task in a generated batch")
	c, literal := g.toCase("g")
	assert.Empty(t, c.Fixtures)
	require.Len(t, literal, len(g.Items))
	for _, id := range literal {
		check("generated", id, regexp.MustCompile(`^`+AbsentIDPrefix+`[0-9a-f]{24}-`))
	}
}

// Filter.Safe keeps the cases tagged safe, narrows with the other filters,
// makes a partial run, and refuses a catalogue with no safe case.
func TestSafeSelection(t *testing.T) {
	t.Parallel()
	files, err := cases.LoadEmbeddedCases()
	require.NoError(t, err)
	var all []*cases.Case
	for _, f := range files {
		all = append(all, f.Cases...)
	}
	cat, err := conformance.Requirements()
	require.NoError(t, err)

	sel, s, err := Filter{Safe: true}.Select(all, cat)
	require.NoError(t, err)
	require.NotEmpty(t, sel)
	for _, c := range sel {
		assert.True(t, c.IsSafeTagged(), c.ID)
		assert.Empty(t, cases.SafeProblems(c), c.ID)
	}
	assert.True(t, s.Partial && s.Safe)
	assert.Less(t, len(sel), len(all))

	narrow, _, err := Filter{Safe: true, Tags: []string{"security"}}.Select(all, cat)
	require.NoError(t, err)
	assert.Less(t, len(narrow), len(sel))
	for _, c := range narrow {
		assert.Equal(t, "security", c.Theme, c.ID)
	}

	var unsafe []*cases.Case
	for _, c := range all {
		if !c.IsSafeTagged() {
			unsafe = append(unsafe, c)
		}
	}
	_, _, err = Filter{Safe: true}.Select(unsafe, cat)
	var ue *UsageError
	require.True(t, errors.As(err, &ue), "%v", err)
	assert.Contains(t, ue.Msg, "no case is tagged safe")
}
