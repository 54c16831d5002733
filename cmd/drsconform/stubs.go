package main

import (
	"context"
	"fmt"
	"io"
)

// Commands not built yet; each is replaced by a file of its own.

func notBuilt(name string) func(context.Context, []string, io.Writer, io.Writer) int {
	return func(_ context.Context, _ []string, _, stderr io.Writer) int {
		fmt.Fprintf(stderr, "drsconform %s: not built yet\n", name)
		return exitUsage
	}
}

var ()

func suiteVersion() string { return "0.1.0-dev" }
