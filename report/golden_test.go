package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
)

// To regenerate the golden files after a deliberate change of a format:
//
//	go test ./report -run TestGolden -update
//
// then read the diff of report/testdata before committing it.
var update = flag.Bool("update", false, "rewrite report/testdata/*.golden from the current renderers")

func TestGolden(t *testing.T) {
	type testCase struct {
		name   string
		golden string
		write  func(w io.Writer, r *result.Report) error
	}
	coverageJSON := func(w io.Writer, r *result.Report) error {
		cov, err := ComputeCoverage(r)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(cov)
	}
	run := func(t *testing.T, tc testCase) {
		var buf bytes.Buffer
		if err := tc.write(&buf, sampleReport()); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", tc.golden)
		if *update {
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("%s differs from %s; if the change is meant, run go test ./report -run TestGolden -update\n%s",
				tc.name, path, firstDifference(buf.String(), string(want)))
		}
		// Rendering twice gives the same bytes: no clock, no map order.
		var again bytes.Buffer
		if err := tc.write(&again, sampleReport()); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), again.Bytes()) {
			t.Errorf("%s is not deterministic", tc.name)
		}
	}
	for _, tc := range []testCase{
		{name: "json", golden: "report.json.golden", write: JSON},
		{name: "junit", golden: "junit.xml.golden", write: JUnit},
		{name: "markdown", golden: "report.md.golden", write: Markdown},
		{name: "html", golden: "report.html.golden", write: HTML},
		{name: "coverage", golden: "coverage.json.golden", write: coverageJSON},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

func firstDifference(got, want string) string {
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + g + "\nwant: " + w
		}
	}
	return ""
}

// A report read back from report.json renders as the report itself: what
// `drsconform report --from` and verify-bundle rely on.
func TestRenderFromSavedReportIsTheSame(t *testing.T) {
	for _, f := range Formats() {
		var direct, saved, again bytes.Buffer
		if err := f.Write(&direct, sampleReport()); err != nil {
			t.Fatal(err)
		}
		if err := JSON(&saved, sampleReport()); err != nil {
			t.Fatal(err)
		}
		r, err := ReadJSON(&saved)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Write(&again, r); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(direct.Bytes(), again.Bytes()) {
			t.Errorf("%s: rendering from the saved report.json differs:\n%s", f.Name, firstDifference(again.String(), direct.String()))
		}
	}
}

func TestHostileContentIsInert(t *testing.T) {
	var html, md bytes.Buffer
	if err := HTML(&html, sampleReport()); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&md, sampleReport()); err != nil {
		t.Fatal(err)
	}
	page := html.String()
	if n := strings.Count(page, "<script"); n != 1 {
		t.Errorf("report.html has %d <script> elements, want the one of the page", n)
	}
	for _, bad := range []string{"<img src=x", "<b>stop"} {
		if strings.Contains(page, bad) {
			t.Errorf("report.html contains %q unescaped", bad)
		}
	}
	if !strings.Contains(page, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("report.html does not show the hostile body as text")
	}
	for _, bad := range []string{"<script", "<img", "[link](http://evil"} {
		if strings.Contains(md.String(), bad) {
			t.Errorf("report.md contains %q unescaped", bad)
		}
	}
	if !strings.Contains(page, "Content-Security-Policy") || !strings.Contains(page, "default-src &#39;none&#39;") {
		t.Error("report.html has no Content-Security-Policy that forbids the network")
	}
}

// A credential that slipped past the runner's redaction (simulated here: the
// values are in the evidence as they were sent) appears in no format.
func TestNoFormatShowsACredential(t *testing.T) {
	const (
		token     = "tok-SECRET-4f1c9a"
		accessKey = "AKSECRETACCESSKEY1"
		signature = "5ec7e75ec7e7deadbeefSECRET"
		password  = "pw-SECRET-77"
	)
	r := sampleReport()
	r.Target = "http://admin:" + password + "@127.0.0.1:8080"
	auth := "SDK-HMAC-SHA256 Access=" + accessKey + ", SignedHeaders=content-type;host;x-sdk-date, Signature=" + signature
	c := &r.Cases[1]
	c.Evidence[1].RequestHeaders = map[string][]string{"Content-Type": {"application/json"}, "X-Auth-Token": {token}, "Authorization": {auth}}
	c.Evidence[1].URL = sampleURL + "?debug=" + token
	c.Evidence[1].Curl = `curl -X DELETE '` + sampleURL + `' -H 'X-Auth-Token: ` + token + `' -H 'Authorization: ` + auth + `'`
	c.Evidence[1].ResponseBody = `{"echo":"` + signature + `"}`
	c.Messages = append(c.Messages, "the target logged "+accessKey)
	c.Findings[0].Got = "success (token " + token + ")"
	for _, f := range Formats() {
		var buf bytes.Buffer
		if err := f.Write(&buf, r); err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{token, accessKey, signature, password, "SECRET"} {
			if strings.Contains(buf.String(), secret) {
				t.Errorf("%s shows %q", f.File, secret)
			}
		}
		if f.Name == "html" && !strings.Contains(buf.String(), "SDK-HMAC-SHA256 Access="+runner.Redacted+", SignedHeaders=content-type;host;x-sdk-date") {
			t.Errorf("%s does not keep the Authorization scheme and SignedHeaders", f.File)
		}
	}
	dir := t.TempDir()
	if _, err := WriteDir(dir, r); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		if bytes.Contains(b, []byte("SECRET")) {
			t.Errorf("%s in the report directory shows a credential", e.Name())
		}
	}
}
