package baseurl

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	t.Parallel()
	type testCase struct {
		raw  string
		want string // the URL, or the error
		err  bool
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		u, err := Parse("--target", tc.raw)
		if tc.err {
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
			assert.NotContains(t, err.Error(), "hunter2", "credentials are never shown")
			return
		}
		require.NoError(t, err)
		assert.Equal(t, tc.want, u.String())
	}
	for _, tc := range []testCase{
		{raw: "http://127.0.0.1:9", want: "http://127.0.0.1:9"},
		{raw: " https://drs.example.com/base/ ", want: "https://drs.example.com/base/"},
		{raw: "http://h/?a=1#f", want: "http://h/?a=1#f"}, // the caller's to keep, strip or refuse
		{raw: "127.0.0.1:9", err: true, want: `--target "127.0.0.1:9": no scheme; did you mean http://127.0.0.1:9?`},
		{raw: "localhost:8080", err: true, want: `--target "localhost:8080": no scheme; did you mean http://localhost:8080?`},
		{raw: "example.com", err: true, want: `--target "example.com": no scheme; did you mean http://example.com?`},
		{raw: "example.com/base", err: true, want: `--target "example.com/base": no scheme; did you mean http://example.com/base?`},
		{raw: "[::1]:8080", err: true, want: `--target "[::1]:8080": no scheme; did you mean http://[::1]:8080?`},
		{raw: "", err: true, want: "--target: empty; want a URL such as http://127.0.0.1:8080"},
		{raw: "ftp://example.com", err: true, want: `--target "ftp://example.com": want an http:// or https:// URL`},
		{raw: "/only/a/path", err: true, want: `--target "/only/a/path": want an http:// or https:// URL`},
		{raw: "http://", err: true, want: `--target "http:": no host`},
		{raw: "http://[::1", err: true, want: `--target "http://[::1": missing ']' in host`},
		{raw: "http://me:hunter2@h", err: true, want: "--target: credentials do not belong in the URL (it is logged and written into reports)"},
		{raw: "me:hunter2@h:1", err: true, want: `--target "…@h:1": want an http:// or https:// URL`},
		{raw: "http://me:hunter2@[::1", err: true, want: `--target "http://…@[::1": missing ']' in host`},
	} {
		t.Run(tc.raw, func(t *testing.T) { run(t, tc) })
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	assert.EqualError(t, Check("upstream", nil), "upstream: no URL")
	assert.NoError(t, Check("upstream", &url.URL{Scheme: "https", Host: "h"}))
	assert.EqualError(t, Check("upstream", &url.URL{Scheme: "http", Path: "/x"}), `upstream "http:///x": no host`)
}
