package credential

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"
)

// Redactor removes secrets from text and headers before they reach a report,
// a log or the terminal. It is safe for concurrent use.
type Redactor struct {
	token   string    // the user's own token: the one a printed curl may read from $DRSCONFORM_TOKEN
	secrets []pattern // long enough to replace inside text, longest first
	short   int       // secrets too short to replace inside text
	start   [256]bool // bytes a form of some secret can begin with
}

// New redacts the given secrets wherever they appear, in any form: as they
// are, in another letter case, JSON-escaped (\u0041, \/), URL-encoded (%41,
// + for a space) or as HTML character references, and mixtures of these.
// Empty secrets are ignored; secrets shorter than MinSecretLen are not
// replaced inside text (Short counts them).
func New(secrets ...string) *Redactor {
	rd := &Redactor{}
	seen := map[string]bool{}
	for _, s := range secrets {
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		if TooShort(s) {
			rd.short++
			continue
		}
		p := newPattern(s)
		rd.secrets = append(rd.secrets, p)
		for _, b := range p.firstBytes() {
			rd.start[b] = true
		}
	}
	slices.SortFunc(rd.secrets, func(a, b pattern) int { return len(b.runes) - len(a.runes) })
	if len(rd.secrets) > 0 {
		for _, b := range []byte(`\%+&`) {
			rd.start[b] = true // the escapes every form may begin with
		}
	}
	return rd
}

// ForToken is New(append([]string{token}, others...)...) that also knows
// which secret is the user's token: Curl reads that one, and only that one,
// from $DRSCONFORM_TOKEN.
func ForToken(token string, others ...string) *Redactor {
	rd := New(append([]string{token}, others...)...)
	rd.token = token
	return rd
}

// Short is the number of secrets too short to be replaced inside text.
func (rd *Redactor) Short() int {
	if rd == nil {
		return 0
	}
	return rd.short
}

// String returns s with every form of every secret replaced by Redacted.
// Overlapping occurrences are replaced as one.
func (rd *Redactor) String(s string) string {
	out, _ := rd.redact(s, -1)
	return out
}

// Excerpt redacts s, then cuts it to at most max bytes: on a rune boundary,
// never inside a Redacted marker, followed by "\n… (N bytes in all)" when
// cut. Redaction comes first, so a cut never leaves the start of a secret.
func (rd *Redactor) Excerpt(s string, max int) string {
	out, cut := rd.redact(s, max)
	if !cut {
		return out
	}
	return out + fmt.Sprintf("\n… (%d bytes in all)", len(s))
}

// Prefix is Excerpt without the note: s redacted and cut to at most max
// bytes, and whether it was cut. It reads only as much of s as it keeps
// (and a secret's length beyond), so it is cheap on a large body.
func (rd *Redactor) Prefix(s string, max int) (string, bool) { return rd.redact(s, max) }

// Header returns a copy of h in which credential headers show only Value,
// and no secret is left in any other value or in any header name.
func (rd *Redactor) Header(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for _, k := range slices.Sorted(maps.Keys(h)) {
		name := rd.String(k)
		for _, v := range h[k] {
			if IsHeader(k) {
				v = Value(k, v)
			}
			out[name] = append(out[name], rd.String(v))
		}
	}
	return out
}

// Contains reports whether s carries any form of any secret (the forms New
// lists). Secrets too short to replace inside text are not looked for.
func (rd *Redactor) Contains(s string) bool {
	if rd == nil {
		return false
	}
	for i := 0; i < len(s); i++ {
		if rd.start[s[i]] && rd.matchAt(s, i) >= 0 {
			return true
		}
	}
	return false
}

// redact writes s with secrets replaced, stopping before the output would
// exceed limit bytes (limit < 0: no limit); cut says whether it stopped.
// Every match is decided where it starts, with all of s to look ahead, so
// whatever is written before a stop is fully redacted.
func (rd *Redactor) redact(s string, limit int) (out string, cut bool) {
	if rd == nil || len(rd.secrets) == 0 {
		if limit < 0 || len(s) <= limit {
			return s, false
		}
		return s[:runeCut(s, limit)], true
	}
	var b strings.Builder
	room := func(n int) bool { return limit < 0 || b.Len()+n <= limit }
	i := 0
	for i < len(s) {
		j := i
		for j < len(s) && !rd.start[s[j]] {
			j++
		}
		if j > i { // a run no secret can start in
			if !room(j - i) {
				b.WriteString(s[i : i+runeCut(s[i:j], limit-b.Len())])
				return b.String(), true
			}
			b.WriteString(s[i:j])
			i = j
			continue
		}
		end := rd.matchAt(s, i)
		if end < 0 {
			_, size := utf8.DecodeRuneInString(s[i:])
			if !room(size) {
				return b.String(), true
			}
			b.WriteString(s[i : i+size])
			i += size
			continue
		}
		// Occurrences that overlap this one are replaced with it.
		for k := i + 1; k < end; k++ {
			if rd.start[s[k]] {
				if e := rd.matchAt(s, k); e > end {
					end = e
				}
			}
		}
		if !room(len(Redacted)) {
			return b.String(), true
		}
		b.WriteString(Redacted)
		i = end
	}
	return b.String(), false
}

// matchAt is the end of the longest form of a secret starting at s[i], or -1.
func (rd *Redactor) matchAt(s string, i int) int {
	best := -1
	for k := range rd.secrets {
		if e := rd.secrets[k].matchAt(s, i); e > best {
			best = e
		}
	}
	return best
}

// runeCut is the largest n <= max at a rune boundary of s.
func runeCut(s string, max int) int {
	if max >= len(s) {
		return len(s)
	}
	if max <= 0 {
		return 0
	}
	n := max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}

// With returns a redactor that also redacts the given secrets (a request's
// AK/SK signature: made for one request, known only once it is signed). It
// returns rd itself when none of them is new.
func (rd *Redactor) With(secrets ...string) *Redactor {
	if rd == nil {
		rd = New()
	}
	var add []pattern
	short := 0
	for _, s := range secrets {
		if s == "" || rd.has(s) || slices.ContainsFunc(add, func(p pattern) bool { return string(p.runes) == s }) {
			continue
		}
		if TooShort(s) {
			short++
			continue
		}
		add = append(add, newPattern(s))
	}
	if len(add) == 0 {
		return rd
	}
	out := *rd
	out.short += short
	out.secrets = slices.Concat(rd.secrets, add)
	for _, p := range add {
		for _, b := range p.firstBytes() {
			out.start[b] = true
		}
	}
	for _, b := range []byte(`\%+&`) {
		out.start[b] = true
	}
	slices.SortStableFunc(out.secrets, func(a, b pattern) int { return len(b.runes) - len(a.runes) })
	return &out
}

// has reports whether s is one of rd's secrets already.
func (rd *Redactor) has(s string) bool {
	return slices.ContainsFunc(rd.secrets, func(p pattern) bool { return string(p.runes) == s })
}
