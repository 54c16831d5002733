package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/drsconform/drsconform/reference"
	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/runner"
)

// registerEmbeddedChoices adds `run --embedded-choices`: the preset of
// allowed choices of the embedded server (README.md, "A server for every
// allowed behaviour").
func registerEmbeddedChoices(fs *flag.FlagSet, c *choiceFlag) {
	c.allowed = []string{string(reference.ChoicesReference), string(reference.ChoicesOther)}
	fs.Var(c, "embedded-choices", "without --target: play against the embedded server with these choices: reference (the default) or other (every allowed choice the reference does not make; see serve --help)")
}

// startEmbeddedChoices serves the embedded server with the preset choices
// on a loopback port, as startEmbeddedReference does, and points cfg at it.
// It returns stop, or nil and the exit code when it cannot start.
func startEmbeddedChoices(ctx context.Context, fs *flag.FlagSet, cfg *runner.Config, choices reference.Choices, stderr io.Writer) (stop func(), code int) {
	if cfg.Target != "" {
		fmt.Fprintln(stderr, "drsconform run: --embedded-choices picks the embedded server's choices; it does not go with --target")
		return nil, result.ExitUsage
	}
	for _, name := range []string{"ak", "sk"} { // flags a run may have for AK/SK signing
		if flagGiven(fs, name) {
			fmt.Fprintf(stderr, "drsconform run: --embedded-choices serves an embedded server that takes a token; it does not go with --%s\n", name)
			return nil, result.ExitUsage
		}
	}
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	token := "drsconform-" + hex.EncodeToString(b[:])
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintf(stderr, "drsconform run: start the embedded server: %v\n", err)
		return nil, result.ExitCannotJudge
	}
	srv := newHTTPServer(reference.New(reference.Config{Tokens: []string{token}, Choices: choices, Logger: slog.New(slog.DiscardHandler)}).Handler(),
		serveWriteTimeout, slog.DiscardHandler)
	end := serveInBackground(ctx, "run: embedded server", srv, ln, stderr)
	cfg.Target, cfg.Token = "http://"+ln.Addr().String(), token
	fmt.Fprintf(stderr, "drsconform run: no --target; playing against the embedded server with --embedded-choices %s at %s\n", choices, cfg.Target)
	return func() { end() }, result.ExitConformant
}
