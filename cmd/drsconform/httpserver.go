package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/drsconform/drsconform/result"
)

// Timeouts and limits of the HTTP servers of `drsconform serve` and `proxy`,
// and of the reference `run` starts when it has no --target.
const (
	serveReadHeaderTimeout = 10 * time.Second
	serveReadTimeout       = 30 * time.Second
	serveWriteTimeout      = 60 * time.Second
	serveIdleTimeout       = 2 * time.Minute
	serveMaxHeaderBytes    = 64 << 10
	serveShutdownTimeout   = 10 * time.Second
)

// exitServeFailed: the server stopped on an error after it started (1, the
// code of every failure that is not a usage error; see README.md, "Exit codes").
const exitServeFailed = result.ExitNonConformant

// newHTTPServer is a server with the timeouts and limits above; its own
// errors go to logs at warning level.
func newHTTPServer(h http.Handler, writeTimeout time.Duration, logs slog.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: serveReadHeaderTimeout,
		ReadTimeout:       serveReadTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       serveIdleTimeout,
		MaxHeaderBytes:    serveMaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logs, slog.LevelWarn),
	}
}

// serveUntilDone serves on ln until ctx ends (SIGINT/SIGTERM), then shuts
// down gracefully. It returns runner.ExitConformant after a clean stop and
// exitServeFailed when the server failed or could not drain in time.
func serveUntilDone(ctx context.Context, name string, srv *http.Server, ln net.Listener, stderr io.Writer) int {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		fmt.Fprintf(stderr, "drsconform %s: %v\n", name, err)
		return exitServeFailed
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), serveShutdownTimeout)
	defer cancel()
	code := result.ExitConformant
	if err := srv.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintf(stderr, "drsconform %s: shutdown: %v\n", name, err)
		code = exitServeFailed
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "drsconform %s: %v\n", name, err)
		code = exitServeFailed
	}
	return code
}

// serveInBackground runs serveUntilDone on ln in a goroutine, for a server
// that lives as long as a command needs it (the embedded reference of `run`):
// stop ends it the same way SIGINT ends `serve` (a graceful shutdown within
// serveShutdownTimeout) and returns serveUntilDone's exit code. It also ends
// when ctx does.
func serveInBackground(ctx context.Context, name string, srv *http.Server, ln net.Listener, stderr io.Writer) (stop func() int) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan int, 1)
	go func() { done <- serveUntilDone(ctx, name, srv, ln, stderr) }()
	return sync.OnceValue(func() int {
		cancel()
		return <-done
	})
}
