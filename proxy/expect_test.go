package proxy

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The declaration is the proxy's: the upstream never sees it, whatever its
// spelling or however many lines it takes.
func TestExpectHeaderNeverForwarded(t *testing.T) {
	t.Parallel()
	rec, up := newRecording(t, answerWith(400, "application/json", `{"error_code":"DRS.M00202","error_msg":"bad"}`))
	h := newHarness(t, up.URL, nil)
	req, err := http.NewRequest(http.MethodDelete, h.url+batchPath, strings.NewReader(`{"jobs":[{"delete_type":"Delete","job_id":"j1"}]}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Auth-Token", testToken)
	req.Header["x-drsconform-expect-violation"] = []string{"REQ-VAL-04"} // not canonical: Go's server canonicalizes it
	req.Header.Add(HeaderExpectViolation, "REQ-VAL-05")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	got := rec.last(t)
	for k := range got.header {
		assert.NotContains(t, strings.ToLower(k), "drsconform", "the upstream saw %s", k)
	}
	assert.Equal(t, testToken, got.header.Get("X-Auth-Token"), "the other headers pass")
	s := h.proxy.Summary()
	assert.Equal(t, 1, s.Expected, "%+v", s)
	assert.Equal(t, map[string]int{"REQ-VAL-05": 1}, s.MissingByRequirement, "REQ-VAL-05 was declared on a second line")
}

func TestExpectedUnexpectedMissing(t *testing.T) {
	t.Parallel()
	type testCase struct {
		name         string
		allow        []string
		header       string // X-Drsconform-Expect-Violation; "" for none
		body         string
		expected     map[string]int
		unexpected   map[string]int
		missing      map[string]int
		problems     int
		clean        bool
		findingsFlag []bool // Expected of each request finding in the log
		logMissing   []string
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		h := newHarness(t, newReference(t).URL, func(c *Config) { c.Allow = tc.allow })
		hdr := map[string]string{}
		if tc.header != "" {
			hdr[HeaderExpectViolation] = tc.header
		}
		send(t, h.url, http.MethodDelete, batchPath, hdr, strings.NewReader(tc.body))
		s := h.proxy.Summary()
		sum := func(m map[string]int) int {
			n := 0
			for _, v := range m {
				n += v
			}
			return n
		}
		assert.Equal(t, tc.expected, nilIfEmpty(s.ExpectedByRequirement), "expected")
		assert.Equal(t, tc.unexpected, nilIfEmpty(s.ByRequirement), "unexpected")
		assert.Equal(t, tc.missing, nilIfEmpty(s.MissingByRequirement), "missing")
		assert.Equal(t, sum(tc.expected), s.Expected)
		assert.Equal(t, sum(tc.unexpected), s.Unexpected)
		assert.Equal(t, s.Expected+s.Unexpected, s.Violations)
		assert.Equal(t, tc.problems, s.ExpectProblems)
		assert.Equal(t, tc.clean, s.Clean(), "%+v", s)
		recs := h.log.records(t)
		if tc.findingsFlag == nil && tc.logMissing == nil && tc.problems == 0 {
			assert.Empty(t, recs, "a conforming exchange as declared is not logged")
			return
		}
		require.Len(t, recs, 1)
		var flags []bool
		for _, f := range recs[0].RequestViolations {
			flags = append(flags, f.Expected)
		}
		assert.Equal(t, tc.findingsFlag, flags)
		assert.Equal(t, tc.logMissing, recs[0].MissingExpected)
		assert.Len(t, recs[0].ExpectProblems, tc.problems)
	}
	const badType = `{"jobs":[{"delete_type":"Delete","job_id":"j1"}]}`
	const badBoth = `{"jobs":[{"delete_type":"Delete","job_id":""}]}`
	const good = `{"jobs":[{"delete_type":"delete","job_id":"j1"}]}`
	for _, tc := range []testCase{
		{name: "declared and seen", header: "REQ-VAL-04", body: badType,
			expected: map[string]int{"REQ-VAL-04": 1}, clean: true, findingsFlag: []bool{true}},
		{name: "undeclared", body: badType,
			unexpected: map[string]int{"REQ-VAL-04": 1}, findingsFlag: []bool{false}},
		{name: "declared, another seen", header: "REQ-VAL-05", body: badType,
			unexpected: map[string]int{"REQ-VAL-04": 1}, missing: map[string]int{"REQ-VAL-05": 1},
			findingsFlag: []bool{false}, logMissing: []string{"REQ-VAL-05"}},
		{name: "declared, none seen", header: " REQ-VAL-04 , REQ-VAL-04", body: good,
			missing: map[string]int{"REQ-VAL-04": 1}, logMissing: []string{"REQ-VAL-04"}},
		{name: "one of two declared", header: "REQ-VAL-05", body: badBoth,
			expected: map[string]int{"REQ-VAL-05": 1}, unexpected: map[string]int{"REQ-VAL-04": 1},
			findingsFlag: []bool{false, true}},
		{name: "allowed", allow: []string{"REQ-VAL-04", "REQ-VAL-05"}, body: badBoth,
			expected: map[string]int{"REQ-VAL-04": 1, "REQ-VAL-05": 1}, clean: true, findingsFlag: []bool{true, true}},
		{name: "allowed, not seen: not missing", allow: []string{"REQ-VAL-04"}, body: good, clean: true},
		{name: "unknown ID in the header", header: "REQ-STA-1", body: badType,
			unexpected: map[string]int{"REQ-VAL-04": 1}, problems: 1, findingsFlag: []bool{false}},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

func nilIfEmpty(m map[string]int) map[string]int {
	if len(m) == 0 {
		return nil
	}
	return m
}

// A header's unknown ID is a problem of its exchange, worded with a
// suggestion; hostile text in it is escaped and cut.
func TestExpectHeaderProblems(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newReference(t).URL, nil)
	hostile := "REQ-\u202eX" + strings.Repeat("y", 500) // a bidi override: Go sends it, a terminal would obey it
	send(t, h.url, http.MethodDelete, batchPath, map[string]string{HeaderExpectViolation: "REQ-STA-1," + hostile},
		strings.NewReader(`{"jobs":[{"delete_type":"delete","job_id":"j1"}]}`))
	send(t, h.url, http.MethodPost, "/v3/p/jobs/batch-status", map[string]string{HeaderExpectViolation: "REQ-VAL-04"},
		strings.NewReader(`{"jobs":["j1"]}`))
	recs := h.log.records(t)
	require.Len(t, recs, 2)
	probs := recs[0].ExpectProblems
	require.Len(t, probs, 2)
	assert.Contains(t, probs[0], `unknown requirement "REQ-STA-1" (did you mean REQ-STA-01?)`)
	assert.NotContains(t, probs[1], "\u202e")
	assert.Less(t, len(probs[1]), 400, "cut: the ID was 500 bytes")
	require.Len(t, recs[1].ExpectProblems, 1)
	assert.Contains(t, recs[1].ExpectProblems[0], "not checked against the contract")
	assert.Equal(t, 2, h.proxy.Summary().ExpectProblems)
}

// With --reject-invalid-requests, an expected request violation is
// forwarded (the SDK's test wants the service's answer); an unexpected one
// next to it is still rejected.
func TestRejectForwardsExpected(t *testing.T) {
	t.Parallel()
	rec, up := newRecording(t, answerWith(400, "application/json", `{"error_code":"DRS.M00202","error_msg":"bad"}`))
	h := newHarness(t, up.URL, func(c *Config) { c.RejectInvalidRequests = true })
	got := send(t, h.url, http.MethodDelete, batchPath, map[string]string{HeaderExpectViolation: "REQ-VAL-04"},
		strings.NewReader(`{"jobs":[{"delete_type":"Delete","job_id":"j1"}]}`))
	assert.Equal(t, 400, got.status)
	assert.Empty(t, got.header.Get(HeaderProxyAnswer), "the upstream answered")
	assert.Equal(t, int64(1), rec.hits.Load())

	got = send(t, h.url, http.MethodDelete, batchPath, map[string]string{HeaderExpectViolation: "REQ-VAL-04"},
		strings.NewReader(`{"jobs":[{"delete_type":"Delete","job_id":""}]}`))
	assert.Equal(t, string(OutcomeRejected), got.header.Get(HeaderProxyAnswer))
	assert.Contains(t, string(got.body), "REQ-VAL-05")
	assert.Equal(t, int64(1), rec.hits.Load(), "the rejected request never reached the upstream")
	recs := h.log.records(t)
	require.Len(t, recs, 2)
	assert.Contains(t, recs[0].Note, "expected")
}

func TestParseAllow(t *testing.T) {
	t.Parallel()
	ids, err := ParseAllow("REQ-VAL-04, REQ-VAL-05,REQ-VAL-04")
	require.NoError(t, err)
	assert.Equal(t, []string{"REQ-VAL-04", "REQ-VAL-05"}, ids)
	for in, want := range map[string]string{
		"REQ-STA-1":              `unknown requirement "REQ-STA-1" (did you mean REQ-STA-01?)`,
		"REQ-VAL-04,,REQ-VAL-05": "an empty entry",
		"":                       "no requirement ID",
		"NOPE-AT-ALL-XYZ":        `unknown requirement "NOPE-AT-ALL-XYZ"`,
	} {
		_, err := ParseAllow(in)
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), want, in)
	}
	_, err = ParseAllow("NOPE-AT-ALL-XYZ")
	assert.NotContains(t, err.Error(), "did you mean", "nothing is near")
	u, err := url.Parse("http://127.0.0.1:1")
	require.NoError(t, err)
	_, err = New(Config{Upstream: u, Allow: []string{"REQ-NOPE"}})
	assert.Error(t, err, "New checks Allow too")
}
