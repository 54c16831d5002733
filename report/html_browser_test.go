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

// TestHTMLInChromium opens report.html from disk in headless Chromium,
// driven over the DevTools Protocol, and checks what a reviewer relies on:
// the requirement table renders, a failure's evidence renders, a click on a
// filter filters (and so does a link with #verdict=…&level=…), the page
// logs no error and requests nothing from the network. It keeps a
// screenshot and a PDF print in $DRSCONFORM_ARTIFACTS (or a temporary
// directory), never in the repository.
//
// It skips when Chromium is not installed (Debian: apt-get install chromium;
// .ci/run installs it) or with -short. DRSCONFORM_CHROMIUM names another
// binary.
func TestHTMLInChromium(t *testing.T) {
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

	// Not t.TempDir: Chromium's helper processes may still write to the
	// profile for a moment after the browser is gone, and TempDir's cleanup
	// would fail the test for it.
	dir, err := os.MkdirTemp("", "drsconform-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeEventually(dir) })
	page := filepath.Join(dir, "report.html")
	f, err := os.Create(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := HTML(f, sampleReport()); err != nil {
		t.Fatal(err)
	}
	f.Close()
	pageURL := "file://" + filepath.ToSlash(page)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	// A dead proxy and a resolver that resolves nothing: a request that got
	// out anyway would fail, and Network events still show it was made.
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
		"--no-default-browser-check", "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--remote-debugging-port=0", "--window-size=1366,900", "about:blank")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // to stop its helpers with it
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	var logMu sync.Mutex
	var browserLog []string
	defer func() {
		cancel()
		_ = cmd.Wait()
	}()
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
	must(t, cdp.call(ctx, sid, "Emulation.setDeviceMetricsOverride", map[string]any{"width": 1366, "height": 900, "deviceScaleFactor": 1, "mobile": false}, nil))

	// Events: every request the page makes, every error it logs.
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
			case "Runtime.consoleAPICalled":
				var p struct {
					Type string `json:"type"`
				}
				_ = json.Unmarshal(ev.Params, &p)
				if p.Type == "error" || p.Type == "warning" || p.Type == "assert" {
					problems = append(problems, "console."+p.Type+": "+string(ev.Params))
				}
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
	navigate := func(u string) {
		t.Helper()
		must(t, cdp.call(ctx, sid, "Page.navigate", map[string]any{"url": u}, nil))
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
	visible := func() []string {
		var v []string
		eval(`Array.from(document.querySelectorAll("#req-table tbody tr")).filter(tr => tr.offsetParent !== null).map(tr => tr.dataset.verdict + " " + tr.dataset.level + " " + tr.id)`, &v)
		return v
	}

	navigate(pageURL)

	// The requirement table renders, every row shown.
	if rows := visible(); len(rows) != len(sampleReport().Requirements) {
		t.Errorf("requirement table shows %d rows, want %d: %v", len(rows), len(sampleReport().Requirements), rows)
	}
	var shown string
	eval(`document.getElementById("shown").textContent`, &shown)
	if shown != "9 of 9 requirements" {
		t.Errorf("the script did not run (CSP hash?): counter says %q", shown)
	}
	// A failure's evidence renders, hostile body as text.
	var evidence struct {
		Heading, Finding, Curl, Body string
		Scripts                      int
	}
	eval(`(() => { const a = document.getElementById("case-non-deletable.incre-transfer-started");
		return { Heading: a.querySelector("h3").innerText, Finding: a.querySelector("table.findings").innerText,
			Curl: a.querySelector("pre.curl").innerText,
			Body: Array.from(a.querySelectorAll(".exchange")).find(x => x.querySelector("h4").innerText.startsWith("Step 1")).querySelectorAll("pre.http")[1].innerText,
			Scripts: document.scripts.length }; })()`, &evidence)
	if !strings.Contains(evidence.Finding, "REQ-STA-02") || !strings.Contains(evidence.Finding, "results[0].status failed") {
		t.Errorf("failure evidence: finding %q", evidence.Finding)
	}
	if !strings.HasPrefix(evidence.Curl, "curl ") || !strings.Contains(evidence.Body, "</script><script>alert(1)</script>") || evidence.Scripts != 1 {
		t.Errorf("failure evidence: curl %q, body %q, %d scripts", evidence.Curl, evidence.Body, evidence.Scripts)
	}

	// A real click on the "fail" filter.
	var box struct{ X, Y float64 }
	eval(`(() => { const b = document.querySelector('.filters button[data-filter="verdict"][data-value="fail"]');
		b.scrollIntoView(); const r = b.getBoundingClientRect(); return { X: r.x + r.width / 2, Y: r.y + r.height / 2 }; })()`, &box)
	for _, typ := range []string{"mousePressed", "mouseReleased"} {
		must(t, cdp.call(ctx, sid, "Input.dispatchMouseEvent", map[string]any{"type": typ, "x": box.X, "y": box.Y, "button": "left", "clickCount": 1}, nil))
	}
	var rows []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if rows = visible(); len(rows) == 1 {
			break
		}
	}
	if len(rows) != 1 || !strings.HasPrefix(rows[0], "fail MUST req-REQ-STA-02") {
		t.Errorf("after a click on verdict fail, the table shows %v, want only REQ-STA-02", rows)
	}
	var hash string
	eval(`location.hash`, &hash)
	if hash != "#verdict=fail" {
		t.Errorf("the filter is not in the fragment: %q", hash)
	}

	// A link to a filtered view: a fresh load with the fragment.
	navigate("about:blank")
	navigate(pageURL + "#verdict=untested&level=SHOULD")
	if rows := visible(); len(rows) != 1 || !strings.HasSuffix(rows[0], "req-REQ-RES-03") {
		t.Errorf("#verdict=untested&level=SHOULD shows %v, want only REQ-RES-03", rows)
	}
	navigate(pageURL)

	// Artifacts: a laptop-sized screenshot and the print to PDF.
	var shot struct {
		Data string `json:"data"`
	}
	must(t, cdp.call(ctx, sid, "Page.captureScreenshot", map[string]any{"format": "png"}, &shot))
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	must(t, err)
	shotPath := filepath.Join(artifacts, "report-html.png")
	must(t, os.WriteFile(shotPath, png, 0o644))
	var pdf struct {
		Data string `json:"data"`
	}
	must(t, cdp.call(ctx, sid, "Page.printToPDF", map[string]any{"printBackground": true}, &pdf))
	pdfBytes, err := base64.StdEncoding.DecodeString(pdf.Data)
	must(t, err)
	if !strings.HasPrefix(string(pdfBytes), "%PDF") {
		t.Error("printing to PDF gave no PDF")
	}
	pdfPath := filepath.Join(artifacts, "report-html.pdf")
	must(t, os.WriteFile(pdfPath, pdfBytes, 0o644))
	t.Logf("screenshot: %s; PDF: %s", shotPath, pdfPath)

	// Nothing but the page itself was requested; nothing was logged.
	time.Sleep(200 * time.Millisecond)
	evMu.Lock()
	defer evMu.Unlock()
	for _, u := range requests {
		if !strings.HasPrefix(u, "file://"+filepath.ToSlash(page)) && u != "about:blank" {
			t.Errorf("the page requested %s", u)
		}
	}
	if len(requests) == 0 {
		t.Error("no Network events at all: the network check saw nothing")
	}
	for _, p := range problems {
		t.Errorf("the page logged: %s", p)
	}
	logMu.Lock()
	defer logMu.Unlock()
	for _, l := range browserLog {
		if strings.Contains(l, "Content Security Policy") || strings.Contains(l, "ERR_") && strings.Contains(l, "report.html") {
			t.Errorf("chromium: %s", l)
		}
	}
}

func chromiumBinary() string {
	if p := os.Getenv("DRSCONFORM_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// removeEventually removes dir, retrying while exiting processes still write to it.
func removeEventually(dir string) {
	for i := 0; i < 20; i++ {
		if os.RemoveAll(dir) == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}
