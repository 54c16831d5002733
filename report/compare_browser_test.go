package report

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestCompareHTMLInChromium opens compare.html from disk in headless
// Chromium, as TestHTMLInChromium opens report.html (same launch, same
// DevTools client in cdp_test.go), and checks what a spec reviewer relies
// on: the matrix has a row per requirement, the differing rows first; a
// failed case links to its evidence in its bundle's report.html, and the
// link lands on that case's section; the page requests nothing from the
// network and logs no error. A screenshot goes to $DRSCONFORM_ARTIFACTS (or
// a temporary directory). It skips as TestHTMLInChromium does.
func TestCompareHTMLInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the browser test starts Chromium")
	}
	bin := chromiumBinary()
	if bin == "" {
		t.Skip("Chromium not found (set DRSCONFORM_CHROMIUM, or apt-get install chromium): the browser test needs it")
	}
	artifacts := os.Getenv("DRSCONFORM_ARTIFACTS")
	if artifacts == "" {
		artifacts = t.TempDir()
	} else if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "drsconform-chromium-compare-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeEventually(dir) })

	// Two bundles and a partial run's report.json.
	var inputs []CompareInput
	for _, p := range []string{compareBundle(t, dir, "default.json"), compareBundle(t, dir, "language500.json")} {
		in, err := ReadCompareInput(p, VerifyOptions{}, false)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, in)
	}
	inputs = append(inputs, compareInputs(t, 0)[3])
	out := filepath.Join(dir, "cmp")
	c := mustCompare(t, inputs, CompareOptions{OutDir: out})
	if _, err := WriteComparison(out, c); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(out, CompareHTMLFile)
	pageURL := "file://" + filepath.ToSlash(page)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
		"--no-default-browser-check", "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--remote-debugging-port=0", "--window-size=1366,900", "about:blank")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	defer func() {
		cancel()
		_ = cmd.Wait()
	}()
	var logMu sync.Mutex
	var browserLog []string
	wsURL, err := waitDevToolsURL(stderr, func(l string) { logMu.Lock(); browserLog = append(browserLog, l); logMu.Unlock() }, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := wsDial(ctx, wsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	cdp := newCDP(ws)
	var target struct {
		TargetID string `json:"targetId"`
	}
	must(t, cdp.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target))
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	must(t, cdp.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached))
	sid := attached.SessionID
	for _, domain := range []string{"Page", "Runtime", "Log", "Network"} {
		must(t, cdp.call(ctx, sid, domain+".enable", nil, nil))
	}
	var (
		evMu     sync.Mutex
		requests []string
		problems []string
		loads    = make(chan struct{}, 8)
	)
	go func() {
		for ev := range cdp.events {
			if ev.SessionID != sid {
				continue
			}
			evMu.Lock()
			switch ev.Method {
			case "Network.requestWillBeSent":
				var p struct {
					Request struct {
						URL string `json:"url"`
					} `json:"request"`
				}
				_ = json.Unmarshal(ev.Params, &p)
				requests = append(requests, p.Request.URL)
			case "Runtime.exceptionThrown":
				problems = append(problems, "exception: "+string(ev.Params))
			case "Log.entryAdded":
				var p struct {
					Entry struct {
						Level, Source, Text, URL string
					} `json:"entry"`
				}
				_ = json.Unmarshal(ev.Params, &p)
				if p.Entry.Level == "error" || p.Entry.Level == "warning" {
					problems = append(problems, fmt.Sprintf("log %s (%s): %s %s", p.Entry.Level, p.Entry.Source, p.Entry.Text, p.Entry.URL))
				}
			case "Page.loadEventFired":
				select {
				case loads <- struct{}{}:
				default:
				}
			}
			evMu.Unlock()
		}
	}()
	waitLoad := func() {
		t.Helper()
		select {
		case <-loads:
		case <-ctx.Done():
			t.Fatal("the page did not load")
		}
	}
	eval := func(expr string, out any) {
		t.Helper()
		var res struct {
			Result struct {
				Value json.RawMessage `json:"value"`
			} `json:"result"`
			ExceptionDetails json.RawMessage `json:"exceptionDetails"`
		}
		must(t, cdp.call(ctx, sid, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &res))
		if res.ExceptionDetails != nil {
			t.Fatalf("evaluate %s: %s", expr, res.ExceptionDetails)
		}
		must(t, json.Unmarshal(res.Result.Value, out))
	}

	must(t, cdp.call(ctx, sid, "Page.navigate", map[string]any{"url": pageURL}, nil))
	waitLoad()

	// The matrix: a row per requirement, the differing ones first, a
	// column per implementation.
	var matrix struct {
		Rows    []string
		Columns int
		Styled  bool
	}
	eval(`(() => { const rows = Array.from(document.querySelectorAll("#matrix-table tbody tr"));
		return { Rows: rows.map(r => r.dataset.differs + " " + r.id),
			Columns: document.querySelectorAll("#matrix-table thead th").length,
			Styled: getComputedStyle(document.querySelector(".badge")).borderRadius !== "0px" }; })()`, &matrix)
	if len(matrix.Rows) != len(c.Requirements) {
		t.Errorf("the matrix shows %d rows, want %d", len(matrix.Rows), len(c.Requirements))
	}
	for i, row := range matrix.Rows {
		want := fmt.Sprintf("%v row-%s", c.Requirements[i].Differs, c.Requirements[i].ID)
		if row != want {
			t.Errorf("matrix row %d: %q, want %q", i, row, want)
			break
		}
	}
	if matrix.Columns != 3+len(c.Implementations) {
		t.Errorf("the matrix has %d columns, want %d", matrix.Columns, 3+len(c.Implementations))
	}
	if !matrix.Styled {
		t.Error("the page's style did not apply (CSP hash?)")
	}

	// The failed case links to its evidence; the link lands on it.
	var link string
	eval(`(() => { const a = document.querySelector("#case-table a"); return a ? a.href : ""; })()`, &link)
	want := "file://" + filepath.ToSlash(filepath.Join(dir, "language500", "report.html")) + "#case-headers.language-other"
	if link != want {
		t.Fatalf("evidence link %q, want %q", link, want)
	}
	var scrolled bool
	eval(`(() => { document.getElementById("matrix").scrollIntoView(); return true; })()`, &scrolled)
	var shot struct {
		Data string `json:"data"`
	}
	must(t, cdp.call(ctx, sid, "Page.captureScreenshot", map[string]any{"format": "png"}, &shot))
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	must(t, err)
	shotPath := filepath.Join(artifacts, "compare-html.png")
	must(t, os.WriteFile(shotPath, png, 0o644))
	t.Logf("screenshot: %s", shotPath)

	must(t, cdp.call(ctx, sid, "Page.navigate", map[string]any{"url": link}, nil))
	waitLoad()
	var heading string
	eval(`(() => { const a = document.getElementById(location.hash.slice(1)); return a ? a.querySelector("h3").innerText : ""; })()`, &heading)
	if !strings.Contains(heading, "headers.language-other") {
		t.Errorf("the evidence link lands on %q, not the case's section", heading)
	}

	time.Sleep(100 * time.Millisecond)
	evMu.Lock()
	defer evMu.Unlock()
	for _, u := range requests {
		if !strings.HasPrefix(u, "file://"+filepath.ToSlash(dir)+"/") {
			t.Errorf("the page requested %s", u)
		}
	}
	if len(requests) < 2 {
		t.Errorf("Network events for %d pages, want the comparison and the evidence: %v", len(requests), requests)
	}
	for _, p := range problems {
		t.Errorf("the page logged: %s", p)
	}
	logMu.Lock()
	defer logMu.Unlock()
	for _, l := range browserLog {
		if strings.Contains(l, "Content Security Policy") {
			t.Errorf("chromium: %s", l)
		}
	}
}
