package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/drsconform/drsconform/internal/baseurl"
	"github.com/drsconform/drsconform/proxy"
	"github.com/drsconform/drsconform/result"
)

// proxyWriteSlack is how much longer than --timeout the server may take to
// write an answer: reading the request and writing the answer come on top.
const proxyWriteSlack = 30 * time.Second

func runProxy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drsconform proxy", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8081", "address to listen on (host:port; port 0 picks a free one)")
	upstream := fs.String("upstream", "", "base URL of the service to forward to, e.g. http://127.0.0.1:8080 (required)")
	maxBody := fs.Int64("max-body", proxy.DefaultMaxBodyBytes,
		"largest request or response body in bytes the proxy reads; a larger request is answered 413, a larger answer passes unchecked")
	timeout := fs.Duration("timeout", proxy.DefaultTimeout, "longest upstream exchange; beyond it the client gets 504, or a broken connection if the answer's headers had passed already")
	logFile := fs.String("log", "", "file to append the exchange log to, one JSON line per exchange (default: stderr)")
	verbose := fs.Bool("verbose", false, "log conforming exchanges too, not only those with violations")
	reject := fs.Bool("reject-invalid-requests", false,
		"answer a request that breaks the contract with 400 and the violation instead of forwarding it; "+
			"a request whose only fault is its credential (X-Auth-Token or Authorization missing or malformed) is still forwarded, for the service to answer 401/403")
	failOnViolation := fs.Bool("fail-on-violation", false,
		"exit 1 on shutdown if an unexpected violation was seen, a violation declared by "+proxy.HeaderExpectViolation+" was not, or a declaration named an unknown requirement (the CI gate)")
	allow := fs.String("allow", "", "requirement IDs, separated by commas, whose violations are expected in every exchange: counted apart, never failing the gate, forwarded despite --reject-invalid-requests")
	rewriteHost := fs.Bool("rewrite-host", false,
		"send the upstream's host as Host (default: the client's Host, so that AK/SK signatures still verify)")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, fs, "unexpected argument %q", fs.Arg(0))
	}
	if *upstream == "" {
		fmt.Fprintln(stderr, "drsconform proxy: --upstream URL is required (the service to forward to, e.g. http://127.0.0.1:8080)")
		return result.ExitUsage
	}
	up, err := baseurl.Parse("--upstream", *upstream)
	if err != nil {
		fmt.Fprintf(stderr, "drsconform proxy: %v\n", err)
		return result.ExitUsage
	}
	if err := proxy.CheckUpstream(up); err != nil { // what only a proxy refuses: a query or fragment
		fmt.Fprintf(stderr, "drsconform proxy: --upstream: %v\n", err)
		return result.ExitUsage
	}
	var allowed []string
	if *allow != "" {
		if allowed, err = proxy.ParseAllow(*allow); err != nil {
			fmt.Fprintf(stderr, "drsconform proxy: %v\n", err)
			return result.ExitUsage
		}
	}
	if *maxBody <= 0 {
		fmt.Fprintf(stderr, "drsconform proxy: --max-body %d: want a positive number of bytes\n", *maxBody)
		return result.ExitUsage
	}
	if *timeout <= 0 {
		fmt.Fprintf(stderr, "drsconform proxy: --timeout %s: want a positive duration\n", *timeout)
		return result.ExitUsage
	}

	var logOut io.Writer = stderr
	if *logFile != "" {
		f, err := os.OpenFile(*logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			fmt.Fprintf(stderr, "drsconform proxy: --log: %v\n", err)
			return result.ExitUsage
		}
		defer f.Close()
		logOut = f
	}
	p, err := proxy.New(proxy.Config{
		Upstream:              up,
		MaxBodyBytes:          *maxBody,
		Timeout:               *timeout,
		RejectInvalidRequests: *reject,
		Allow:                 allowed,
		RewriteHost:           *rewriteHost,
		Log:                   logOut,
		Verbose:               *verbose,
	})
	if err != nil {
		fmt.Fprintf(stderr, "drsconform proxy: %v\n", err)
		return result.ExitUsage
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "drsconform proxy: %v\n", err)
		return result.ExitUsage
	}
	srv := newHTTPServer(p, max(serveWriteTimeout, *timeout+proxyWriteSlack), slog.NewTextHandler(stderr, nil))
	fmt.Fprintf(stdout, "drsconform proxy: listening on http://%s, forwarding to %s\n", ln.Addr(), up.Redacted())
	code := serveUntilDone(ctx, "proxy", srv, ln, stderr)

	sum := p.Summary()
	sum.WriteText(stdout)
	if *failOnViolation && !sum.Clean() && code == result.ExitConformant {
		fmt.Fprintf(stderr, "drsconform proxy: %d unexpected violation(s), %d expected but not seen, %d faulty declaration(s) (--fail-on-violation)\n",
			sum.Unexpected, sum.MissingExpected, sum.ExpectProblems)
		code = result.ExitNonConformant
	}
	fmt.Fprintln(stderr, "drsconform proxy: stopped")
	return code
}
