package untrusted

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestLineEscapesControls(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain text, 中文":                 "plain text, 中文",
		"\x1b[2J\x1b[Hverdict: PASS":     `\x1b[2J\x1b[Hverdict: PASS`,
		"a\r\nb\tc\a":                    `a\r\nb\tc\x07`,
		"x\u202Eevil\u2028y\u2029\u200b": `x\u202eevil\u2028y\u2029\u200b`,
		"c1 \u009b31m":                   `c1 \u009b31m`,
		"bad \xff byte":                  `bad \xff byte`,
		"del \x7f":                       `del \x7f`,
	} {
		assert.Equal(t, want, Line(in), "%q", in)
	}
	assert.Equal(t, "a\nb\tc\\r\\x1b", Text("a\nb\tc\r\x1b"))
}

func TestQuoteIsBounded(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 1<<20) // 2 MiB
	q := Quote(long)
	assert.LessOrEqual(t, len(q), QuoteBytes+32)
	assert.LessOrEqual(t, len(Quote(strings.Repeat("\x1b", 1<<20))), 4*QuoteBytes+32, "escapes at most quadruple a quote")
	assert.True(t, utf8.ValidString(q))
	assert.True(t, strings.HasSuffix(q, "… (2097152 bytes)"), q[len(q)-40:])
	assert.Equal(t, "short", Quote("short"))
	assert.Equal(t, `\x1b[2J`, Quote("\x1b[2J"))

	qq := Quoted(strings.Repeat("\x1b", 1000))
	assert.NotContains(t, qq, "\x1b")
	assert.True(t, strings.HasSuffix(qq, `"… (1000 bytes)`))
	assert.Equal(t, `"a\x1b"`, Quoted("a\x1b"))
}

func TestCut(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "ab… (4 bytes)", Cut("abcd", 2, 0))
	assert.Equal(t, "é… (4 bytes)", Cut("éé", 3, 0))
	assert.Equal(t, "abcd", Cut("abcd", 4, 0))
	assert.Equal(t, "ab… (99 bytes)", Cut("abcd", 2, 99))
}

// Inside bash's $'...', backslash and quote are escaped along with every
// control character, so the shell reads back exactly the bytes.
func TestShellEscaped(t *testing.T) {
	t.Parallel()
	got := ShellEscaped("a'b\\c\x1b[2J\n\u202e\xff")
	want := `a\'b\\c\x1b[2J\n\u202e\xff`
	if got != want {
		t.Errorf("ShellEscaped = %q, want %q", got, want)
	}
}
