// Package untrusted makes text from a target or its fixture harness safe to
// keep and to show: bounded in size, with every control character visible
// as an escape, so that no answer can grow a report without bound or take
// over a terminal (clear the screen, print a fake verdict) or reorder text.
package untrusted

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// IsControl reports whether a terminal, a Markdown renderer or an editor
// acts on r instead of showing it: C0 controls, DEL, C1 controls, the line
// and paragraph separators, and format characters (bidi overrides such as
// U+202E, zero-width characters).
func IsControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 || unicode.Is(unicode.Cf, r)
}

// Line returns s with every control character (newlines too) and every
// invalid UTF-8 byte written as a visible escape: \x1b, \n, \u202e, \xff.
func Line(s string) string { return escape(s, false) }

// Text is Line, but keeps newlines (and tabs) for multi-line text.
func Text(s string) string { return escape(s, true) }

func escape(s string, keepNewlines bool) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || IsControl(r) && !(keepNewlines && (r == '\n' || r == '\t')) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return escapeAll(s, keepNewlines, false)
}

// ShellEscaped is s as the inside of bash's $'...': control characters and
// invalid bytes escaped as Line does, and backslash and single quote
// escaped too, so that the shell reads back exactly s.
func ShellEscaped(s string) string { return escapeAll(s, false, true) }

// escapeAll writes s with every control character and invalid byte as an
// escape (\x1b, \n, \u202e); with keepNewlines, newlines and tabs stay;
// with shell, backslash and single quote get a backslash.
func escapeAll(s string, keepNewlines, shell bool) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case shell && (r == '\\' || r == '\''):
			b.WriteByte('\\')
			b.WriteRune(r)
		case keepNewlines && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80 && IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case IsControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Quote is s for a finding or a message: its first QuoteBytes escaped as
// Line, followed by "… (N bytes)" (N: the length of s) when cut.
func Quote(s string) string {
	if len(s) <= QuoteBytes {
		return Line(s)
	}
	return Line(s[:runeCut(s, QuoteBytes)]) + More(len(s))
}

// More is the note after a cut: "… (N bytes)", N the length before the cut.
func More(total int) string { return fmt.Sprintf("… (%d bytes)", total) }

// Quoted is s as Go's %q writes it, of at most QuoteBytes of s, followed by
// "… (N bytes)" when cut.
func Quoted(s string) string {
	if len(s) <= QuoteBytes {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:runeCut(s, QuoteBytes)]) + More(len(s))
}

// Cut is s cut to at most max bytes on a rune boundary, followed by
// "… (N bytes)" when cut; N is total, or len(s) when total is 0.
func Cut(s string, max, total int) string {
	if len(s) <= max {
		return s
	}
	if total <= 0 {
		total = len(s)
	}
	return s[:runeCut(s, max)] + More(total)
}

// runeCut is the largest n <= max at a rune boundary of s.
func runeCut(s string, limit int) int {
	if limit >= len(s) {
		return len(s)
	}
	n := max(0, limit)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}
