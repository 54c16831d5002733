// Package baseurl is the one check of the base URLs the command line takes:
// run's --target and --fixtures-url, proxy's --upstream.
package baseurl

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Parse parses raw, the value of flag, as a base URL: http:// or https://, a
// host (and port), an optional base path, no credentials. A value without a
// scheme ("127.0.0.1:9", "localhost:8080", "example.com") is refused with
// the URL it probably meant. A query or fragment is left to the caller.
// Messages start with flag and never show credentials of raw.
func Parse(flag, raw string) (*url.URL, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return nil, fmt.Errorf("%s: empty; want a URL such as http://127.0.0.1:8080", flag)
	}
	if !strings.Contains(s, "://") {
		// "localhost:8080" parses with the scheme "localhost", "127.0.0.1:9"
		// not at all: both are a host that lacks its scheme.
		if u, err := url.Parse("http://" + s); err == nil && u.Host != "" && u.User == nil {
			return nil, fmt.Errorf("%s %q: no scheme; did you mean http://%s?", flag, s, s)
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its message repeats the URL, credentials and all
		}
		return nil, fmt.Errorf("%s %q: %v", flag, hideUserinfo(s), err)
	}
	return u, Check(flag, u)
}

// Check reports why u cannot be a base URL: the scheme is not http or
// https, there is no host, or there are credentials in it (a URL is logged
// and written into reports; credentials go in their own flags or headers).
func Check(name string, u *url.URL) error {
	switch {
	case u == nil:
		return fmt.Errorf("%s: no URL", name)
	case u.User != nil:
		return fmt.Errorf("%s: credentials do not belong in the URL (it is logged and written into reports)", name)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%s %q: want an http:// or https:// URL", name, hideUserinfo(u.String()))
	case u.Host == "":
		return fmt.Errorf("%s %q: no host", name, u.String())
	}
	return nil
}

// hideUserinfo replaces whatever precedes an @ in the authority of s with
// "…", so that a message can quote a URL that does not parse.
func hideUserinfo(s string) string {
	start := 0
	if i := strings.Index(s, "://"); i >= 0 {
		start = i + len("://")
	}
	end := len(s)
	if i := strings.IndexAny(s[start:], "/?#"); i >= 0 {
		end = start + i
	}
	at := strings.LastIndex(s[start:end], "@")
	if at < 0 {
		return s
	}
	return s[:start] + "…" + s[start+at:]
}
