package credential

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/drsconform/drsconform/internal/untrusted"
)

// TokenEnv is the environment variable a printed curl command reads the
// token from, instead of carrying it.
const TokenEnv = "DRSCONFORM_TOKEN"

// Curl writes a shell command that sends the same request. An X-Auth-Token
// that is the user's token (ForToken) reads $DRSCONFORM_TOKEN; any other
// credential (a token derived to be invalid, a malformed Authorization)
// shows Value, so the command sends a credential the target did not issue,
// never the user's valid one; everything else is
// redacted, and the body redacted then cut to maxBody bytes. Text with
// control characters is quoted $'...' with escapes, so the command is one
// line that no byte of it can take over a terminal with.
func (rd *Redactor) Curl(method, rawURL string, header http.Header, body []byte, maxBody int) string {
	var b strings.Builder
	if !isScheme(method) { // a method is a token; anything else is quoted
		method = shellQuote(method)
	}
	fmt.Fprintf(&b, "curl -sS -i -X %s %s", method, shellQuote(rd.String(rawURL)))
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range header {
			if !yield(k) {
				return
			}
		}
	}) {
		for _, v := range header[k] {
			switch {
			case strings.EqualFold(k, "X-Auth-Token") && rd != nil && rd.token != "" && v == rd.token:
				fmt.Fprintf(&b, ` -H "X-Auth-Token: $%s"`, TokenEnv)
			case IsHeader(k):
				fmt.Fprintf(&b, " -H %s", shellQuote(rd.String(k+": "+Value(k, v))))
			default:
				fmt.Fprintf(&b, " -H %s", shellQuote(rd.String(k)+": "+rd.String(v)))
			}
		}
	}
	if len(body) > 0 && header.Get("Content-Type") == "" {
		b.WriteString(" -H 'Content-Type:'") // curl would add a form media type
	}
	if len(body) > 0 {
		fmt.Fprintf(&b, " --data-binary %s", shellQuote(rd.Excerpt(string(body), maxBody)))
	}
	if Signed(header) {
		b.WriteString(SignedCurlNote)
	}
	return b.String()
}

// SignedCurlNote ends the curl command of a request signed with AK/SK: the
// signature is redacted, and would be stale anyway (X-Sdk-Date), so the
// command can only be refused as it stands.
const SignedCurlNote = "  # signed with AK/SK (SDK-HMAC-SHA256): the signature is redacted and was valid for 15 minutes;" +
	" needs a fresh signature: drsconform reproduce CASE_ID --run signs each request anew with $DRSCONFORM_AK/$DRSCONFORM_SK"

// Signed reports whether h carries an AK/SK signature (SDK-HMAC-SHA256).
func Signed(h http.Header) bool {
	for _, v := range h.Values("Authorization") {
		if scheme, rest, ok := strings.Cut(strings.TrimSpace(v), " "); ok && scheme == "SDK-HMAC-SHA256" {
			if _, ok := akskParams(rest); ok {
				return true
			}
		}
	}
	return false
}

// shellQuote quotes s for a POSIX shell: '...' when s is printable, else
// bash's $'...' with every control character escaped.
func shellQuote(s string) string {
	if !strings.ContainsFunc(s, untrusted.IsControl) && utf8.ValidString(s) {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return "$'" + untrusted.ShellEscaped(s) + "'"
}

// curlHeader finds a header option of a curl command: -H 'Name: value'.
var curlHeader = regexp.MustCompile(`-H (\$?['"])([A-Za-z0-9-]+): ?([^'"]*)(['"])`)

// CleanCurl replaces the value of every credential header option of a curl
// command that someone else may have written, keeping references to
// environment variables ($DRSCONFORM_TOKEN).
func CleanCurl(curl string) string {
	return curlHeader.ReplaceAllStringFunc(curl, func(m string) string {
		sub := curlHeader.FindStringSubmatch(m)
		name, value := sub[2], sub[3]
		if !IsHeader(name) || strings.HasPrefix(value, "$") || value == Value(name, value) {
			return m
		}
		return "-H " + sub[1] + name + ": " + Value(name, value) + sub[4]
	})
}

// SecretsOfCurl lists the secrets of the credential header options of a curl command.
func SecretsOfCurl(curl string) []string {
	var out []string
	for _, m := range curlHeader.FindAllStringSubmatch(curl, -1) {
		out = append(out, SecretsOf(m[2], m[3])...)
	}
	return out
}
