package credential

import (
	"slices"
	"unicode"
	"unicode/utf8"
)

// pattern is one secret, matched rune by rune against text in which each
// rune may be written in any of the forms decode knows.
type pattern struct{ runes []rune }

func newPattern(s string) pattern { return pattern{runes: []rune(s)} }

// firstBytes are the bytes the secret's first rune starts with, in any case.
func (p pattern) firstBytes() []byte {
	var out []byte
	var buf [utf8.UTFMax]byte
	for _, r := range foldOrbit(p.runes[0]) {
		utf8.EncodeRune(buf[:], r)
		out = append(out, buf[0])
	}
	if p.runes[0] == ' ' {
		out = append(out, '+')
	}
	return out
}

// matchAt is the end of the longest form of p starting at s[i], or -1. The
// forms of each rune are independent, so this follows every set of choices
// at once (a set of positions per rune): linear in the secret's length.
func (p pattern) matchAt(s string, i int) int {
	var bufA, bufB [8]int
	cur := append(bufA[:0], i)
	next := bufB[:0]
	for _, want := range p.runes {
		next = next[:0]
		for _, pos := range cur {
			decode(s, pos, func(r rune, end int) {
				if foldEq(r, want) && !slices.Contains(next, end) {
					next = append(next, end)
				}
			})
		}
		if len(next) == 0 {
			return -1
		}
		cur, next = next, cur
	}
	best := -1
	for _, e := range cur {
		best = max(best, e)
	}
	return best
}

// decode calls emit with every rune that s[i:] may stand for and where it
// ends: the rune itself; '+' for a space (URL query); JSON and JavaScript
// escapes (\u0041, surrogate pairs, \/, \n, \x41, also with the backslash
// doubled once more); percent-encoded UTF-8 (%41, %c3%a9, double-encoded
// %2541); HTML character references (&#65; &#x41; &amp;).
func decode(s string, i int, emit func(r rune, end int)) {
	if i >= len(s) {
		return
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	emit(r, i+size)
	switch s[i] {
	case '+':
		emit(' ', i+1)
	case '\\':
		decodeBackslash(s, i, emit)
	case '%':
		for _, twice := range []bool{false, true} {
			if r, end, ok := decodePercent(s, i, twice); ok {
				emit(r, end)
			}
		}
	case '&':
		if r, end, ok := decodeEntity(s, i); ok {
			emit(r, end)
		}
	}
}

var shortEscapes = map[byte]rune{'/': '/', '"': '"', '\\': '\\', '\'': '\'', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

func decodeBackslash(s string, i int, emit func(rune, int)) {
	if i+1 < len(s) && s[i+1] == '\\' {
		emit('\\', i+2)
	}
	// One backslash, or a few (an escape escaped again), then a letter.
	k := i
	for k < len(s) && s[k] == '\\' && k-i < 4 {
		k++
	}
	if k >= len(s) {
		return
	}
	switch c := s[k]; c {
	case 'u':
		v, ok := hexAt(s, k+1, 4)
		switch {
		case !ok:
		case utf16IsHigh(v): // a surrogate pair: \uD83D\uDE00
			if lo, end, ok := nextU(s, k+5); ok && utf16IsLow(lo) {
				emit(0x10000+(rune(v)-0xD800)<<10+(rune(lo)-0xDC00), end)
			}
		default:
			emit(rune(v), k+5)
		}
	case 'x':
		if v, ok := hexAt(s, k+1, 2); ok {
			emit(rune(v), k+3)
		}
	case '\\':
	default:
		if r, ok := shortEscapes[c]; ok {
			emit(r, k+1)
		}
	}
}

// nextU reads a "\uXXXX" (one or more backslashes) at s[i].
func nextU(s string, i int) (uint32, int, bool) {
	j := i
	for j < len(s) && s[j] == '\\' && j-i < 4 {
		j++
	}
	if j == i || j >= len(s) || s[j] != 'u' {
		return 0, 0, false
	}
	v, ok := hexAt(s, j+1, 4)
	return v, j + 5, ok
}

func utf16IsHigh(v uint32) bool { return v >= 0xD800 && v < 0xDC00 }
func utf16IsLow(v uint32) bool  { return v >= 0xDC00 && v < 0xE000 }

// decodePercent reads one percent-encoded UTF-8 sequence at s[i], encoded
// once (%41) or twice (%2541).
func decodePercent(s string, i int, twice bool) (rune, int, bool) {
	b0, j, ok := pctByte(s, i, twice)
	if !ok {
		return 0, 0, false
	}
	if b0 < utf8.RuneSelf {
		return rune(b0), j, true
	}
	n := 0
	switch {
	case b0&0xE0 == 0xC0:
		n = 2
	case b0&0xF0 == 0xE0:
		n = 3
	case b0&0xF8 == 0xF0:
		n = 4
	default:
		return 0, 0, false
	}
	buf := []byte{b0}
	for len(buf) < n {
		var b byte
		if b, j, ok = pctByte(s, j, twice); !ok {
			return 0, 0, false
		}
		buf = append(buf, b)
	}
	r, size := utf8.DecodeRune(buf)
	if r == utf8.RuneError && size <= 1 {
		return 0, 0, false
	}
	return r, j, true
}

// pctByte reads %XX, or %25XX when twice, at s[i].
func pctByte(s string, i int, twice bool) (byte, int, bool) {
	if i >= len(s) || s[i] != '%' {
		return 0, 0, false
	}
	v, ok := hexAt(s, i+1, 2)
	switch {
	case !ok:
		return 0, 0, false
	case !twice:
		return byte(v), i + 3, true
	case v == '%':
		if w, ok := hexAt(s, i+3, 2); ok {
			return byte(w), i + 5, true
		}
	}
	return 0, 0, false
}

var entities = map[string]rune{"amp": '&', "lt": '<', "gt": '>', "quot": '"', "apos": '\''}

// decodeEntity reads &#65; &#x41; or &amp; (the ';' is optional after a number).
func decodeEntity(s string, i int) (rune, int, bool) {
	j := i + 1
	if j < len(s) && s[j] == '#' {
		j++
		base := 10
		if j < len(s) && (s[j] == 'x' || s[j] == 'X') {
			base, j = 16, j+1
		}
		start, v := j, 0
		for j < len(s) && j-start < 8 {
			d := digit(s[j])
			if d < 0 || d >= base {
				break
			}
			v = v*base + d
			j++
		}
		if j == start || v > unicode.MaxRune {
			return 0, 0, false
		}
		if j < len(s) && s[j] == ';' {
			j++
		}
		return rune(v), j, true
	}
	for name, r := range entities {
		if len(s) >= j+len(name)+1 && s[j:j+len(name)] == name && s[j+len(name)] == ';' {
			return r, j + len(name) + 1, true
		}
	}
	return 0, 0, false
}

func hexAt(s string, i, n int) (uint32, bool) {
	if i+n > len(s) {
		return 0, false
	}
	var v uint32
	for k := i; k < i+n; k++ {
		d := digit(s[k])
		if d < 0 || d > 15 {
			return 0, false
		}
		v = v<<4 | uint32(d)
	}
	return v, true
}

func digit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// foldEq: the same rune up to letter case (Unicode simple folding).
func foldEq(a, b rune) bool {
	if a == b {
		return true
	}
	for f := unicode.SimpleFold(a); f != a; f = unicode.SimpleFold(f) {
		if f == b {
			return true
		}
	}
	return false
}

func foldOrbit(r rune) []rune {
	out := []rune{r}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		out = append(out, f)
	}
	return out
}
