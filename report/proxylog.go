package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"slices"
	"strconv"
	"strings"

	"github.com/drsconform/drsconform/conformance"
	"github.com/drsconform/drsconform/proxy"
	"github.com/drsconform/drsconform/schemas"
)

// ProxyLog is what an SDK's pipeline sent through `drsconform proxy` and got
// back, read from the proxy's exchange log (proxy/log.go, one JSON record a
// line): the violations per requirement, expected ones apart, and the spec
// coverage of the exchanges. `drsconform report --from-proxy-log` renders it
// (README.md, "Reports from a proxy log").
//
// The log is a file a person may have edited or cut: a line that is not a
// record is skipped, counted and named by file:line (the first
// MaxProxyLogProblems of them); every string is untrusted and escaped by the
// renderers; every list is bounded.
type ProxyLog struct {
	File        string         `json:"file"`
	Lines       int            `json:"lines"`   // lines read, blank ones included
	Records     int            `json:"records"` // exchange records among them
	Skipped     int            `json:"skipped"` // lines that are not records
	SkippedList []string       `json:"skipped_list,omitempty"`
	Checked     int            `json:"checked"`  // records of the contract's operation
	Verbose     bool           `json:"verbose"`  // some record has no violation: the proxy logged every exchange (--verbose)
	Outcomes    map[string]int `json:"outcomes"` // proxy outcome → records
	// Unexpected and Expected are the violations per requirement
	// (proxy.Unattributed for none); Missing the declared requirements
	// that no violation named.
	Unexpected []ProxyLogCount `json:"unexpected"`
	Expected   []ProxyLogCount `json:"expected"`
	Missing    []ProxyLogCount `json:"missing"`
	// ExpectProblems are the faulty declarations (exchange: problem), the
	// first MaxProxyLogProblems; ExpectProblemCount all of them.
	ExpectProblems     []string `json:"expect_problems,omitempty"`
	ExpectProblemCount int      `json:"expect_problem_count"`
	Coverage           Coverage `json:"coverage"`
}

// ProxyLogCount is one requirement's count, with a few examples.
type ProxyLogCount struct {
	Requirement string   `json:"requirement"`
	Count       int      `json:"count"`
	Examples    []string `json:"examples,omitempty"` // "exchange N: where: message"
}

// Bounds of a ProxyLog.
const (
	MaxProxyLogLineBytes = 8 << 20 // a longer line is skipped
	MaxProxyLogProblems  = 20      // skipped lines and faulty declarations listed
	maxProxyLogExamples  = 3       // examples per requirement
	maxProxyLogKeys      = 200     // distinct requirements, items per coverage section
	maxProxyLogExchanges = 5       // exchanges named per coverage item
)

// ErrNotProxyLog: not one line of the file is an exchange record.
var ErrNotProxyLog = errors.New("not an exchange log of drsconform proxy")

// spec error codes of this operation (drs_05_0004, as reference/errors.go
// uses them), for the coverage of error paths.
var proxyLogErrorCodes = []string{
	"DRS.M00100 (invalid token)",
	"DRS.M00201 (parameter empty)",
	"DRS.M00202 (parameter invalid)",
	"DRS.M00300 (invalid request)",
	"DRS.M00301 (duplicate in request)",
	"DRS.M01504 (another operation in progress)",
	"DRS.M05003 (task not found)",
	"DRS.M05004 (task deleted or released)",
}

// Items of the coverage of credentials and per-item results.
const (
	credToken = "credential: X-Auth-Token"
	credAKSK  = "credential: AK/SK Authorization"
	credBoth  = "credential: both at once"
	credNone  = "credential: none"
)

var credentialVariants = []string{credToken, credAKSK, credBoth, credNone}

// counter counts exchanges per item and names the first few.
type counter struct {
	n     map[string]int
	first map[string][]string
	notes map[string]string
}

func newCounter() *counter {
	return &counter{n: map[string]int{}, first: map[string][]string{}, notes: map[string]string{}}
}

func (c *counter) add(item string, exchange int64) {
	if _, ok := c.n[item]; !ok && len(c.n) >= maxProxyLogKeys {
		item = "(more distinct values than listed)"
	}
	c.n[item]++
	if len(c.first[item]) < maxProxyLogExchanges {
		c.first[item] = append(c.first[item], "exchange "+strconv.FormatInt(exchange, 10))
	}
}

func (c *counter) items(set []string, extraNote string) []CoverageItem {
	return setThenExtra(set, c.n, c.notes, extraNote, func(name string, extra bool, note string) CoverageItem {
		it := CoverageItem{Name: name, Covered: c.n[name] > 0, Extra: extra, Cases: c.first[name], Note: note}
		if n := c.n[name]; n > 0 {
			it.Note = strings.TrimPrefix(it.Note+fmt.Sprintf("; %d exchange(s)", n), "; ")
		}
		return it
	})
}

// reqCounts counts violations per requirement with examples.
type reqCounts map[string]*ProxyLogCount

func (rc reqCounts) add(id, example string) {
	if id == "" {
		id = proxy.Unattributed
	}
	c, ok := rc[id]
	if !ok {
		if len(rc) >= maxProxyLogKeys {
			id = "(more requirements than listed)"
			if c, ok = rc[id]; !ok {
				c = &ProxyLogCount{Requirement: id}
				rc[id] = c
			}
		} else {
			c = &ProxyLogCount{Requirement: id}
			rc[id] = c
		}
	}
	c.Count++
	if example != "" && len(c.Examples) < maxProxyLogExamples {
		c.Examples = append(c.Examples, example)
	}
}

func (rc reqCounts) sorted(cat *conformance.Catalogue) []ProxyLogCount {
	ids := make([]string, 0, len(rc))
	for id := range rc {
		ids = append(ids, id)
	}
	cat.SortIDs(ids)
	out := make([]ProxyLogCount, 0, len(ids))
	for _, id := range ids {
		out = append(out, *rc[id])
	}
	return out
}

// ReadProxyLog reads an exchange log; name is the file's name for the
// file:line of a skipped line. It fails only when the reader does, or when
// no line is a record (ErrNotProxyLog).
func ReadProxyLog(r io.Reader, name string) (*ProxyLog, error) {
	cat, err := conformance.Requirements()
	if err != nil {
		return nil, err
	}
	statusSet, err := contractStatuses()
	if err != nil {
		return nil, err
	}
	sch, err := loadSchemaFields()
	if err != nil {
		return nil, err
	}
	dtSet := sch.enum(schemas.DeleteJobReq, "delete_type")
	resultSet := sch.enum(schemas.DeleteJobResp, "status")

	pl := &ProxyLog{File: name, Outcomes: map[string]int{}}
	unexpected, expected, missing := reqCounts{}, reqCounts{}, reqCounts{}
	statuses, errorCodes, deleteTypes, results, headers, creds :=
		newCounter(), newCounter(), newCounter(), newCounter(), newCounter(), newCounter()
	skip := func(line int, why string) {
		pl.Skipped++
		if len(pl.SkippedList) < MaxProxyLogProblems {
			pl.SkippedList = append(pl.SkippedList, fmt.Sprintf("%s:%d: %s", name, line, why))
		}
	}
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, tooLong, err := readLine(br, MaxProxyLogLineBytes)
		if len(line) == 0 && !tooLong && err == io.EOF {
			break
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("%s:%d: %w", name, pl.Lines+1, err)
		}
		pl.Lines++
		switch {
		case tooLong:
			skip(pl.Lines, fmt.Sprintf("a line longer than %d bytes", MaxProxyLogLineBytes))
		case len(bytes.TrimSpace(line)) == 0:
		default:
			var rec proxy.Record
			if jerr := json.Unmarshal(line, &rec); jerr != nil {
				skip(pl.Lines, "not a JSON record: "+jerr.Error())
			} else if rec.Exchange <= 0 || rec.Method == "" || rec.Outcome == "" {
				skip(pl.Lines, "JSON, but not an exchange record (no exchange, method or outcome)")
			} else {
				pl.add(&rec, unexpected, expected, missing)
				pl.cover(&rec, dtSet, statuses, errorCodes, deleteTypes, results, headers, creds)
			}
		}
		if err == io.EOF {
			break
		}
	}
	if pl.Records == 0 && pl.Skipped > 0 {
		return nil, fmt.Errorf("%w: %s", ErrNotProxyLog, pl.SkippedList[0])
	}
	pl.Unexpected, pl.Expected, pl.Missing = unexpected.sorted(cat), expected.sorted(cat), missing.sorted(cat)

	var statusStrings []string
	for _, s := range statusSet {
		statusStrings = append(statusStrings, strconv.Itoa(s))
	}
	pl.Coverage = Coverage{Sections: []CoverageSection{
		{Name: "Status codes", About: "answers of the upstream to the contract's operation with this status; the set is the operation's responses in the OpenAPI document",
			Items: statuses.items(statusStrings, "not declared by the contract")},
		{Name: "Error codes", About: "error_code of an error answer or of a failed item; the set is the codes of drs_05_0004 that this operation answers",
			Items: errorCodes.items(proxyLogErrorCodes, "not one of the operation's codes")},
		{Name: "Delete types", About: "requests that sent this delete_type; the set is the enum of DeleteJobReq.delete_type",
			Items: deleteTypes.items(dtSet, "")},
		{Name: "Per-item results", About: "202 answers with an item of this status. The answers never name a task's status: a failed item's error code (above) is what they show of it, e.g. DRS.M01504 for a task with another operation in progress, DRS.M05004 for one deleted",
			Items: results.items(resultSet, "not in the enum of DeleteJobResp.status")},
		{Name: "Headers", About: "requests that sent the header so",
			Items: headers.items(headerVariants, "")},
		{Name: "Credentials", About: "requests that carried this kind of credential (never its value)",
			Items: creds.items(credentialVariants, "")},
	}}
	return pl, nil
}

// readLine reads one line without its end, at most limit bytes of it; a
// longer line is consumed whole and reported tooLong.
func readLine(br *bufio.Reader, limit int) (line []byte, tooLong bool, err error) {
	for {
		frag, e := br.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(frag) > limit+1 {
				tooLong, line = true, nil
			} else {
				line = append(line, frag...)
			}
		}
		switch {
		case e == bufio.ErrBufferFull:
			continue
		case e != nil:
			return bytes.TrimRight(line, "\r\n"), tooLong, e
		}
		return bytes.TrimRight(line, "\r\n"), tooLong, nil
	}
}

func (pl *ProxyLog) add(rec *proxy.Record, unexpected, expected, missing reqCounts) {
	pl.Records++
	pl.Outcomes[string(rec.Outcome)]++
	if rec.InContract {
		pl.Checked++
	}
	if len(rec.RequestViolations)+len(rec.ResponseViolations) == 0 && rec.Outcome == proxy.OutcomeForwarded &&
		len(rec.MissingExpected) == 0 && len(rec.ExpectProblems) == 0 {
		pl.Verbose = true
	}
	ex := "exchange " + strconv.FormatInt(rec.Exchange, 10)
	for side, fs := range [][]proxy.Finding{rec.RequestViolations, rec.ResponseViolations} {
		what := "request"
		if side == 1 {
			what = "answer"
		}
		for _, f := range fs {
			where := f.Layer
			if f.Pointer != "" {
				where += " " + f.Pointer
			}
			example := fmt.Sprintf("%s (%s %s %s, %s): %s", ex, rec.Method, rec.Path, what, where, f.Message)
			if f.Expected {
				expected.add(f.Requirement, example)
			} else {
				unexpected.add(f.Requirement, example)
			}
		}
	}
	for _, id := range rec.MissingExpected {
		missing.add(id, fmt.Sprintf("%s (%s %s): expected %s, none seen", ex, rec.Method, rec.Path, id))
	}
	for _, p := range rec.ExpectProblems {
		pl.ExpectProblemCount++
		if len(pl.ExpectProblems) < MaxProxyLogProblems {
			pl.ExpectProblems = append(pl.ExpectProblems, ex+": "+p)
		}
	}
}

func (pl *ProxyLog) cover(rec *proxy.Record, dtSet []string, statuses, errorCodes, deleteTypes, results, headers, creds *counter) {
	f := rec.Facts
	if !rec.InContract || f == nil {
		return
	}
	ex := rec.Exchange
	// The upstream's answers only: the proxy's own (rejected, 502, ...)
	// tell nothing of what the SDK's tests made the service do.
	upstream := rec.Outcome == proxy.OutcomeForwarded || rec.Outcome == proxy.OutcomeUnchecked
	if upstream && rec.Status != 0 {
		statuses.add(strconv.Itoa(rec.Status), ex)
	}
	code := func(c string) {
		for _, known := range proxyLogErrorCodes {
			if strings.HasPrefix(known, c+" ") {
				c = known
			}
		}
		errorCodes.add(c, ex)
	}
	if upstream {
		if f.ErrorCode != "" {
			code(f.ErrorCode)
		}
		for _, c := range f.ResultErrorCodes {
			code(c)
		}
		for _, s := range f.ResultStatuses {
			results.add(s, ex)
		}
	}
	for _, dt := range f.DeleteTypes {
		if !slices.Contains(dtSet, dt) {
			dt = strconv.Quote(dt) // so " delete" is not read as delete
			deleteTypes.notes[dt] = "sent as invalid input (REQ-VAL-04)"
		}
		deleteTypes.add(dt, ex)
	}
	switch {
	case f.ContentType == nil:
		headers.add(ctAbsent, ex)
	default:
		mt, params, err := mime.ParseMediaType(*f.ContentType)
		switch {
		case err == nil && mt == "application/json" && len(params) == 0:
			headers.add(ctJSON, ex)
		case err == nil && mt == "application/json":
			headers.add(ctJSONParams, ex)
		default:
			headers.add(ctOther, ex)
		}
	}
	switch {
	case f.XLanguage == nil:
		headers.add(langAbsent, ex)
	case *f.XLanguage == "en-us":
		headers.add(langEN, ex)
	case *f.XLanguage == "zh-cn":
		headers.add(langZH, ex)
	default:
		headers.add(langOther, ex)
	}
	switch f.Credential {
	case "x-auth-token":
		headers.add(tokPresent, ex)
		creds.add(credToken, ex)
	case "authorization":
		headers.add(tokAbsent, ex)
		creds.add(credAKSK, ex)
	case "x-auth-token+authorization":
		headers.add(tokPresent, ex)
		creds.add(credBoth, ex)
	default:
		headers.add(tokAbsent, ex)
		creds.add(credNone, ex)
	}
}

// Failed reports whether the gate fails on this log: an unexpected
// violation, a declared one not seen, or a faulty declaration.
func (pl *ProxyLog) Failed() bool {
	return len(pl.Unexpected) > 0 || len(pl.Missing) > 0 || pl.ExpectProblemCount > 0
}
