package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/reference"
	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
)

// tokenList is a repeatable flag that also takes comma-separated lists.
type tokenList []string

func (l *tokenList) String() string { return fmt.Sprintf("%d token(s)", len(*l)) } // never the tokens

func (l *tokenList) Set(v string) error {
	for _, t := range strings.Split(v, ",") {
		if t = strings.TrimSpace(t); t != "" {
			*l = append(*l, t)
		}
	}
	return nil
}

// choiceFlag is a string flag restricted to a set of values.
type choiceFlag struct {
	value   string
	allowed []string
}

func (c *choiceFlag) String() string { return c.value }

func (c *choiceFlag) Set(v string) error {
	for _, a := range c.allowed {
		if v == a {
			c.value = v
			return nil
		}
	}
	return fmt.Errorf("want %s", strings.Join(c.allowed, " or "))
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drsconform serve", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	releaseDelay := fs.Duration("release-delay", 0,
		fmt.Sprintf("how long a stopped task stays in RELEASE_RESOURCE_STARTED before RELEASE_RESOURCE_COMPLETE (REQ-STA-03, REQ-STA-04; 0: at once)%s",
			presetDefault(reference.DefaultReleaseDelay.String(), reference.OtherReleaseDelay.String())))
	var tokens tokenList
	fs.Var(&tokens, "token", "accepted X-Auth-Token (repeatable, or a comma-separated list); none and no --ak: any credential is accepted")
	ak := fs.String("ak", "", "access key whose SDK-HMAC-SHA256 signatures are accepted (verified; needs --sk)")
	sk := fs.String("sk", "", "secret key of --ak")
	duplicates := &choiceFlag{value: string(reference.DuplicatesAccept),
		allowed: []string{string(reference.DuplicatesAccept), string(reference.DuplicatesReject)}}
	fs.Var(duplicates, "duplicates", "a job_id repeated in a batch (REQ-STA-11): accept (a result per entry, acted on once) or reject (400)")
	unknownFields := &choiceFlag{value: string(reference.UnknownFieldsIgnore),
		allowed: []string{string(reference.UnknownFieldsIgnore), string(reference.UnknownFieldsReject)}}
	fs.Var(unknownFields, "unknown-fields", "fields the page does not list (REQ-VAL-09): ignore or reject (400)")
	otherLanguage := &choiceFlag{value: string(reference.OtherLanguageDefault),
		allowed: []string{string(reference.OtherLanguageDefault), string(reference.OtherLanguageReject)}}
	fs.Var(otherLanguage, "other-language", "an X-Language other than en-us or zh-cn (REQ-HDR-04): default (treated as en-us) or reject (400)")
	contentType := &choiceFlag{value: "400", allowed: []string{"400", "415"}}
	fs.Var(contentType, "content-type-status", "status for a missing or non-JSON Content-Type (REQ-HDR-02): 400 or 415")
	noHarness := fs.Bool("no-harness", false, "serve no fixture protocol (/_conformance): like a live endpoint, with only the --seed tasks")
	seedPath := fs.String("seed", "", "start with the tasks of a fixtures file (their IDs, statuses, flags, projects): the file run --fixtures reads")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS with this PEM certificate (needs --tls-key)")
	tlsKey := fs.String("tls-key", "", "PEM private key of --tls-cert")
	maxBody := fs.Int64("max-body", reference.DefaultMaxBodyBytes, "largest request body in bytes; larger ones are answered 413")

	choices := registerChoices(fs) // --choices; the choice flags above default to its preset
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, fs, "unexpected argument %q", fs.Arg(0))
	}
	if *maxBody <= 0 {
		fmt.Fprintf(stderr, "drsconform serve: --max-body %d: want a positive number of bytes\n", *maxBody)
		return result.ExitUsage
	}
	if (*ak == "") != (*sk == "") {
		fmt.Fprintln(stderr, "drsconform serve: --ak and --sk go together")
		return result.ExitUsage
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		fmt.Fprintln(stderr, "drsconform serve: --tls-cert and --tls-key go together")
		return result.ExitUsage
	}
	var tlsConfig *tls.Config
	if *tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(*tlsCert, *tlsKey)
		if err != nil {
			fmt.Fprintf(stderr, "drsconform serve: --tls-cert %s --tls-key %s: %v\n", *tlsCert, *tlsKey, err)
			return result.ExitUsage
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	var seed []reference.SeedTask
	if *seedPath != "" {
		file, err := cases.LoadFixturesFile(*seedPath)
		if err != nil {
			fmt.Fprintf(stderr, "drsconform serve: invalid fixtures file:\n%v\n", err)
			return result.ExitUsage
		}
		seed = reference.SeedTasksOf(file, runner.DefaultProjectID, runner.DefaultOtherProjectID)
	}
	delay := *releaseDelay
	switch {
	case delay < 0:
		fmt.Fprintf(stderr, "drsconform serve: --release-delay %s: want 0 or more\n", delay)
		return result.ExitUsage
	case delay == 0 && flagGiven(fs, "release-delay"):
		delay = -1 // Config: negative means at once; zero means the preset's
	}
	status, _ := strconv.Atoi(contentType.value)
	cfg := reference.Config{
		Choices:                reference.Choices(choices.value),
		ReleaseDelay:           delay,
		Tokens:                 tokens,
		AccessKey:              *ak,
		SecretKey:              *sk,
		Duplicates:             reference.DuplicatePolicy(duplicates.value),
		UnknownFields:          reference.UnknownFieldPolicy(unknownFields.value),
		OtherLanguage:          reference.LanguagePolicy(otherLanguage.value),
		WrongContentTypeStatus: status,
		MaxBodyBytes:           *maxBody,
		NoHarness:              *noHarness,
		Logger:                 slog.New(slog.NewTextHandler(stderr, nil)),
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "drsconform serve: %v\n", err)
		return result.ExitUsage
	}

	ref := reference.New(cfg)
	if err := ref.Seed(seed); err != nil {
		fmt.Fprintf(stderr, "drsconform serve: --seed %s: %v\n", *seedPath, err)
		return result.ExitUsage
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "drsconform serve: %v\n", err)
		return result.ExitUsage
	}
	scheme := "http"
	if tlsConfig != nil {
		ln, scheme = tls.NewListener(ln, tlsConfig), "https"
	}
	srv := newHTTPServer(ref.Handler(), serveWriteTimeout, cfg.Logger.Handler())
	if len(seed) > 0 {
		fmt.Fprintf(stdout, "drsconform serve: seeded %d tasks from %s\n", len(seed), *seedPath)
	}
	fmt.Fprintf(stdout, "drsconform serve: listening on %s://%s\n", scheme, ln.Addr())
	if code := serveUntilDone(ctx, "serve", srv, ln, stderr); code != result.ExitConformant {
		return code
	}
	fmt.Fprintln(stderr, "drsconform serve: stopped")
	return result.ExitConformant
}
