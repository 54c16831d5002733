package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The embedded reference of `run` lives like `serve`: it answers while the
// run needs it, and stop (or the end of the run's context) shuts it down
// gracefully, after which nothing listens any more.
func TestEmbeddedReferenceLifecycle(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"stop", "context"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var stderr bytes.Buffer
			url, token, stop, err := startEmbeddedReference(ctx, &stderr)
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(token, "drsconform-"))

			client := &http.Client{Timeout: 2 * time.Second}
			req, _ := http.NewRequest(http.MethodDelete, url+"/v3/p/jobs/batch-jobs", strings.NewReader(`{"jobs":[]}`))
			req.Header.Set("X-Auth-Token", token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			require.NoError(t, err)
			_ = resp.Body.Close()
			client.CloseIdleConnections()

			if how == "context" {
				cancel()
			}
			stopped := make(chan struct{})
			go func() { stop(); close(stopped) }()
			select {
			case <-stopped:
			case <-time.After(serveShutdownTimeout + 5*time.Second):
				t.Fatal("stop did not return")
			}
			_, err = client.Get(url + "/v3/p/jobs/batch-jobs")
			assert.Error(t, err, "the reference still answers after stop")
			stop() // a second stop is harmless
			assert.Empty(t, stderr.String(), "a clean stop says nothing")
		})
	}
}
