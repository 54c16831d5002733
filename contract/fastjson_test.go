package contract

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

var fastSeeds = []string{
	`{}`, `[]`, ` {"a":1} `, `{"a":[1,2,{"b":null}],"c":true,"d":false}`, `"x"`, `0`, `-0`, `1.5e+10`, `1E-3`,
	`-12.0`, `01`, `1.`, `.5`, `+1`, `1e`, `1e+`, `-`, `--1`, `0x10`, `NaN`, `Infinity`, `tru`, `nul`, `nulll`,
	`{"a":1,}`, `[1,]`, `[,1]`, `{"a" 1}`, `{a:1}`, `{'a':1}`, `{"a":1}{"b":2}`, `{"a":1} x`, `[1 2]`,
	`"a\"b"`, `"\u00e9\n\t\\"`, `"\ud83d\ude00"`, `"\ud800"`, `"\x"`, `"a` + "\x01" + `"`, `"unterminated`, `"a\`,
	`{"a":1,"a":2}`, `{"":""}`, "[\u00a01]", "[1\f]", `[` + strings.Repeat(`[`, 10) + strings.Repeat(`]`, 11),
	`[1e999999999]`, `{"a":[-1E-401]}`, `[` + strings.Repeat("1", 65) + `]`, `[` + strings.Repeat("1", 64) + `]`,
	strings.Repeat(`[`, 10001) + strings.Repeat(`]`, 10001), strings.Repeat(`[`, 9999) + strings.Repeat(`]`, 9999),
	`{"count":` + strings.Repeat("9", 100) + `}`, `"é€😀"`, ``, `   `, "\n[1]\r\n", `[true,false,null,"s",-1.25E+2]`,
}

func checkFastDecode(t *testing.T, in string) {
	if !utf8.ValidString(in) {
		return // decodeJSON refuses it before either decoder
	}
	got, long, ok := fastDecode([]byte(in))
	want, err := decodeStd([]byte(in))
	if err != nil {
		if ok {
			t.Errorf("fastDecode accepts %q, which encoding/json refuses (%v)", in, err)
		}
		return
	}
	if ok && !reflect.DeepEqual(got, want) {
		t.Errorf("fastDecode(%q) = %#v, encoding/json %#v", in, got, want)
	}
	if ok && !long {
		shortenNumbers(got, "", func(ptr string, n json.Number) {
			t.Errorf("fastDecode(%q) saw no long number, but %s at %q is", in, n, ptr)
		})
	}
}

func TestFastDecodeAgreesWithEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, in := range fastSeeds {
		checkFastDecode(t, in)
	}
	// and the fast path is taken for what it should take
	for _, in := range []string{`{"a":[1,2.5e3,{"b":null}],"c":"\u00e9"}`, `[` + strings.Repeat(`[`, 9998) + strings.Repeat(`]`, 9999)} {
		if _, _, ok := fastDecode([]byte(in)); !ok {
			t.Errorf("fastDecode(%.40q…) took the slow path", in)
		}
	}
}

func FuzzFastDecode(f *testing.F) {
	for _, s := range fastSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) { checkFastDecode(t, in) })
}
