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

// The one harness of the browser tests (TestHTMLInChromium,
// TestCompareHTMLInChromium): openPage starts headless Chromium with no way
// out to the network, attaches to a fresh page over the DevTools client in
// cdp_test.go, and records what the page does. The tests write their pages
// into browserPage.dir, drive them, and end with checkQuiet.

// browserPage is one page of a headless Chromium that openPage started; it
// stops with the test.
type browserPage struct {
	t         *testing.T
	ctx       context.Context
	cdp       *cdpClient
	sid       string
	dir       string // a temporary directory for the test's files; the profile is in dir/profile
	artifacts string // $DRSCONFORM_ARTIFACTS, or a temporary directory

	mu         sync.Mutex
	requests   []string // every URL the page asked for (Network.requestWillBeSent)
	problems   []string // exceptions, console errors and warnings, log errors and warnings
	browserLog []string // Chromium's stderr
	loads      chan struct{}
}

// openPage skips with -short or without Chromium (Debian: apt-get install
// chromium; .ci/run installs it; DRSCONFORM_CHROMIUM names another binary),
// else starts it and returns a blank 1366×900 page. name tells the test's
// temporary directory apart.
func openPage(t *testing.T, name string) *browserPage {
	t.Helper()
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
	dir, err := os.MkdirTemp("", "drsconform-chromium-"+name+"-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeEventually(dir) })

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	// A dead proxy and a resolver that resolves nothing: a request that got
	// out anyway would fail, and Network events still show it was made.
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
		"--no-default-browser-check", "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--remote-debugging-port=0", "--window-size=1366,900", "about:blank")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // to stop its helpers with it
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start %s: %v", bin, err)
	}
	p := &browserPage{t: t, ctx: ctx, dir: dir, artifacts: artifacts, loads: make(chan struct{}, 8)}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			p.logBrowser()
		}
	})
	wsURL, err := waitDevToolsURL(stderr, func(l string) { p.mu.Lock(); p.browserLog = append(p.browserLog, l); p.mu.Unlock() }, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := wsDial(ctx, wsURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	p.cdp = newCDP(ws)

	var target struct {
		TargetID string `json:"targetId"`
	}
	must(t, p.cdp.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target))
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	must(t, p.cdp.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached))
	p.sid = attached.SessionID
	go p.record()
	for _, domain := range []string{"Page", "Runtime", "Log", "Network"} {
		p.call(domain+".enable", nil, nil)
	}
	p.call("Emulation.setDeviceMetricsOverride", map[string]any{"width": 1366, "height": 900, "deviceScaleFactor": 1, "mobile": false}, nil)
	return p
}

// record keeps the page's events: every request it makes, every error or
// warning it logs, every load.
func (p *browserPage) record() {
	for {
		var ev cdpEvent
		select {
		case ev = <-p.cdp.events:
		case <-p.cdp.done:
			return
		}
		if ev.SessionID != p.sid {
			continue
		}
		p.mu.Lock()
		switch ev.Method {
		case "Network.requestWillBeSent":
			var e struct {
				Request struct {
					URL string `json:"url"`
				} `json:"request"`
			}
			_ = json.Unmarshal(ev.Params, &e)
			p.requests = append(p.requests, e.Request.URL)
		case "Runtime.exceptionThrown":
			p.problems = append(p.problems, "exception: "+string(ev.Params))
		case "Runtime.consoleAPICalled":
			var e struct {
				Type string `json:"type"`
			}
			_ = json.Unmarshal(ev.Params, &e)
			if e.Type == "error" || e.Type == "warning" || e.Type == "assert" {
				p.problems = append(p.problems, "console."+e.Type+": "+string(ev.Params))
			}
		case "Log.entryAdded":
			var e struct {
				Entry struct {
					Level, Source, Text, URL string
				} `json:"entry"`
			}
			_ = json.Unmarshal(ev.Params, &e)
			if e.Entry.Level == "error" || e.Entry.Level == "warning" {
				p.problems = append(p.problems, fmt.Sprintf("log %s (%s): %s %s", e.Entry.Level, e.Entry.Source, e.Entry.Text, e.Entry.URL))
			}
		case "Page.loadEventFired":
			select {
			case p.loads <- struct{}{}:
			default:
			}
		}
		p.mu.Unlock()
	}
}

// call sends a command to the page; an error fails the test.
func (p *browserPage) call(method string, params, out any) {
	p.t.Helper()
	must(p.t, p.cdp.call(p.ctx, p.sid, method, params, out))
}

// navigate opens u and waits for its load event.
func (p *browserPage) navigate(u string) {
	p.t.Helper()
	p.call("Page.navigate", map[string]any{"url": u}, nil)
	select {
	case <-p.loads:
	case <-p.ctx.Done():
		p.t.Fatalf("the page did not load: %s", u)
	}
}

// eval evaluates a JavaScript expression in the page and decodes its value
// into out; an exception fails the test.
func (p *browserPage) eval(expr string, out any) {
	p.t.Helper()
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails json.RawMessage `json:"exceptionDetails"`
	}
	p.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &res)
	if res.ExceptionDetails != nil {
		p.t.Fatalf("evaluate %s: %s", expr, res.ExceptionDetails)
	}
	must(p.t, json.Unmarshal(res.Result.Value, out))
}

// screenshot keeps a PNG of the viewport as artifacts/name and returns its path.
func (p *browserPage) screenshot(name string) string {
	p.t.Helper()
	return p.capture("Page.captureScreenshot", map[string]any{"format": "png"}, name)
}

// printPDF keeps the page printed to PDF as artifacts/name and returns its
// path and bytes.
func (p *browserPage) printPDF(name string) (string, []byte) {
	p.t.Helper()
	path := p.capture("Page.printToPDF", map[string]any{"printBackground": true}, name)
	b, err := os.ReadFile(path)
	must(p.t, err)
	return path, b
}

func (p *browserPage) capture(method string, params map[string]any, name string) string {
	p.t.Helper()
	var res struct {
		Data string `json:"data"`
	}
	p.call(method, params, &res)
	b, err := base64.StdEncoding.DecodeString(res.Data)
	must(p.t, err)
	path := filepath.Join(p.artifacts, name)
	must(p.t, os.WriteFile(path, b, 0o644))
	return path
}

// checkQuiet waits a moment for late events, then fails the test for every
// request that allowed refuses, for fewer than minRequests requests (then the
// network check saw nothing), for every problem the page logged, and for
// every line of Chromium's own log about the Content Security Policy or a
// network error (ERR_) on an .html page.
func (p *browserPage) checkQuiet(allowed func(url string) bool, minRequests int) {
	p.t.Helper()
	var one int
	p.eval("1", &one) // a round trip: the events sent before its answer are read
	time.Sleep(100 * time.Millisecond)
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, u := range p.requests {
		if !allowed(u) {
			p.t.Errorf("the page requested %s", u)
		}
	}
	if len(p.requests) < minRequests {
		p.t.Errorf("%d Network events, want at least %d (a request per page opened): the network check saw too little: %v", len(p.requests), minRequests, p.requests)
	}
	for _, pr := range p.problems {
		p.t.Errorf("the page logged: %s", pr)
	}
	for _, l := range p.browserLog {
		if strings.Contains(l, "Content Security Policy") || strings.Contains(l, "ERR_") && strings.Contains(l, ".html") {
			p.t.Errorf("chromium: %s", l)
		}
	}
}

// logBrowser puts the end of Chromium's own log into a failed test's output.
func (p *browserPage) logBrowser() {
	p.mu.Lock()
	defer p.mu.Unlock()
	lines := p.browserLog
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	for _, l := range lines {
		p.t.Logf("chromium: %s", l)
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
