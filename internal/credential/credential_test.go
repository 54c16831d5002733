package credential

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const token = "tok-Secret-4711/x+y" // has a '/', a '+' and mixed case on purpose

// jsonEscapeAll writes every rune of s as \uXXXX, in the given hex case.
func jsonEscapeAll(s string, upper bool) string {
	var b strings.Builder
	f := `\u%04x`
	if upper {
		f = `\u%04X`
	}
	for _, r := range s {
		if r > 0xFFFF {
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(&b, f+f, hi, lo)
			continue
		}
		fmt.Fprintf(&b, f, r)
	}
	return b.String()
}

func percentAll(s string, upper bool) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		f := "%%%02x"
		if upper {
			f = "%%%02X"
		}
		fmt.Fprintf(&b, f, c)
	}
	return b.String()
}

// forms are the ways a target may echo a secret.
func forms(s string) map[string]string {
	return map[string]string{
		"raw":               s,
		"upper":             strings.ToUpper(s),
		"lower":             strings.ToLower(s),
		"json slash":        strings.ReplaceAll(s, "/", `\/`),
		"json all lower":    jsonEscapeAll(s, false),
		"json all upper":    jsonEscapeAll(s, true),
		"json doubled":      strings.ReplaceAll(jsonEscapeAll(s, false), `\`, `\\`),
		"query escape":      url.QueryEscape(s),
		"path escape":       url.PathEscape(s),
		"percent all lower": percentAll(s, false),
		"percent all upper": percentAll(s, true),
		"percent twice":     strings.ReplaceAll(percentAll(s, true), "%", "%25"),
		"html numeric":      strings.NewReplacer("/", "&#47;", "-", "&#x2d;").Replace(s),
		"mixed":             jsonEscapeAll(s[:3], true) + strings.ToUpper(s[3:6]) + percentAll(s[6:], false),
	}
}

func TestRedactorRemovesEveryForm(t *testing.T) {
	t.Parallel()
	rd := New(token)
	for name, form := range forms(token) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := rd.String(`{"echo":"` + form + `"} and again: ` + form + ".")
			assert.NotContains(t, got, form)
			assert.Equal(t, `{"echo":"`+Redacted+`"} and again: `+Redacted+".", got)
		})
	}
}

func TestRedactorUnicodeSecrets(t *testing.T) {
	t.Parallel()
	secret := "pässwörd-😀-Straße"
	rd := New(secret)
	for name, form := range map[string]string{
		"raw":       secret,
		"upper":     strings.ToUpper(secret), // ß → SS changes the length: not a fold, stays as is below
		"json":      jsonEscapeAll(secret, false),
		"surrogate": strings.ReplaceAll(secret, "😀", `\ud83d\ude00`),
		"percent":   url.QueryEscape(secret),
	} {
		got := rd.String("x " + form + " y")
		if name == "upper" {
			continue // ToUpper("ß") is "SS", a different string
		}
		assert.Equal(t, "x "+Redacted+" y", got, name)
	}
}

func TestRedactorLeavesOtherTextAlone(t *testing.T) {
	t.Parallel()
	rd := New("T", "abc", token) // the first two are too short for text
	assert.Equal(t, 2, rd.Short())
	in := `CREATE_FAILED {"status":"T"} abc %41 \u0041 &amp; + \\ ` + "naïve 😀"
	assert.Equal(t, in, rd.String(in))
}

func TestRedactorOverlappingOccurrences(t *testing.T) {
	t.Parallel()
	rd := New("abcabcab")
	got := rd.String("<abcabcabcab>")
	assert.Equal(t, "<"+Redacted+">", got, "a second occurrence overlapping the first goes with it")
	rd2 := New("SECRET-TOKEN-1", "TOKEN-1-AND-MORE")
	assert.Equal(t, "x "+Redacted+" y", rd2.String("x SECRET-TOKEN-1-AND-MORE y"))
}

func TestExcerptRedactsBeforeTheCut(t *testing.T) {
	t.Parallel()
	secret := "SECRET-TOKEN-0123456789"
	rd := New(secret)
	for _, form := range forms(secret) {
		for cut := 0; cut < 40; cut++ {
			text := strings.Repeat("a", 100-cut) + form + strings.Repeat("b", 200)
			got := rd.Excerpt(text, 100+cut%7)
			for n := 4; n <= len(secret); n++ {
				require.NotContains(t, got, secret[:n], "cut %d left a prefix of the secret in %q", cut, got)
			}
			body, _, _ := strings.Cut(got, "\n… (")
			assert.LessOrEqual(t, len(body), 100+cut%7)
			assert.True(t, utf8.ValidString(got))
			if i := strings.LastIndex(body, "["); i >= 0 && strings.HasPrefix(Redacted, body[i:]) {
				assert.Equal(t, Redacted, body[i:], "never half a marker")
			}
		}
	}
	assert.Equal(t, "short", rd.Excerpt("short", 100))
	assert.Equal(t, "ab\n… (4 bytes in all)", rd.Excerpt("abcd", 2))
	assert.Equal(t, "é\n… (4 bytes in all)", New().Excerpt("éé", 3), "cut on a rune boundary")
}

func TestHeaderRedactsNamesAndValues(t *testing.T) {
	t.Parallel()
	rd := New(token)
	h := http.Header{
		"X-Auth-Token":               {"T"},
		"Authorization":              {"SDK-HMAC-SHA256 Access=AKIDEXAMPLE01, SignedHeaders=content-type;host;x-sdk-date, Signature=0123456789abcdef"},
		"Proxy-Authorization":        {"Bearer abc=="},
		"Set-Cookie":                 {"sid=1"},
		"X-Subject-Token":            {"st"},
		"X-Echo-" + token:            {"v"},
		"X-Echo":                     {"got " + strings.ToUpper(token)},
		http.CanonicalHeaderKey("x"): {"plain"},
	}
	got := rd.Header(h)
	assert.Equal(t, http.Header{
		"X-Auth-Token":        {Redacted},
		"Authorization":       {"SDK-HMAC-SHA256 Access=" + Redacted + ", SignedHeaders=content-type;host;x-sdk-date, Signature=" + Redacted},
		"Proxy-Authorization": {"Bearer " + Redacted},
		"Set-Cookie":          {Redacted},
		"X-Subject-Token":     {Redacted},
		"X-Echo-" + Redacted:  {"v"},
		"X-Echo":              {"got " + Redacted},
		"X":                   {"plain"},
	}, got)
}

func TestValue(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Bearer abc.def==":               "Bearer " + Redacted,
		"abcdef":                         Redacted,
		"abc/def+ghi= x":                 Redacted, // not a scheme: may be the secret
		"SDK-HMAC-SHA256 Access=AK, X=1": "SDK-HMAC-SHA256 " + Redacted,
	} {
		assert.Equal(t, want, Value("Authorization", in), in)
	}
	assert.Equal(t, Redacted, Value("Cookie", "a=b"))
}

func TestSecretsOf(t *testing.T) {
	t.Parallel()
	assert.ElementsMatch(t, []string{"AKIDEXAMPLE01", "0123456789abcdef"},
		SecretsOf("authorization", "SDK-HMAC-SHA256 Access=AKIDEXAMPLE01, SignedHeaders=content-type;host, Signature=0123456789abcdef"))
	assert.ElementsMatch(t, []string{"Bearer xyz", "xyz"}, SecretsOf("Authorization", "Bearer xyz"))
	assert.ElementsMatch(t, []string{"sid=abc; theme=dark", "abc", "dark"}, SecretsOf("Cookie", "sid=abc; theme=dark"))
	assert.ElementsMatch(t, []string{"sid=abc; Path=/", "abc"}, SecretsOf("Set-Cookie", "sid=abc; Path=/"))
	assert.Empty(t, SecretsOf("X-Auth-Token", Redacted))
	assert.Empty(t, SecretsOf("X-Auth-Token", "$DRSCONFORM_TOKEN"))
	assert.Empty(t, SecretsOf("Content-Type", "application/json"))
	assert.Equal(t, []string{"tok"}, FromHeader(http.Header{"X-Auth-Token": {"tok"}}))
}

func TestAKSKPartsRedactedInText(t *testing.T) {
	t.Parallel()
	auth := "SDK-HMAC-SHA256 Access=AKIDEXAMPLE01, SignedHeaders=content-type;host, Signature=0123456789abcdef"
	rd := New(SecretsOf("Authorization", auth)...)
	got := rd.String("echo: " + auth + " and akidexample01")
	assert.Equal(t, "echo: SDK-HMAC-SHA256 Access="+Redacted+", SignedHeaders=content-type;host, Signature="+Redacted+" and "+Redacted, got)
}

func TestCurl(t *testing.T) {
	t.Parallel()
	rd := ForToken(token)
	h := http.Header{"Content-Type": {"application/json"}, "X-Auth-Token": {token},
		"Authorization": {"Bearer " + token}, "X-Language": {"zh-cn"}}
	got := rd.Curl("DELETE", "http://h/v3/p?t="+url.QueryEscape(token), h,
		[]byte(`{"status":"CREATE_FAILED","echo":"`+token+`"}`), 16<<10)
	assert.Equal(t, `curl -sS -i -X DELETE 'http://h/v3/p?t=`+Redacted+`' -H 'Authorization: Bearer `+Redacted+`' `+
		`-H 'Content-Type: application/json' -H "X-Auth-Token: $DRSCONFORM_TOKEN" -H 'X-Language: zh-cn' `+
		`--data-binary '{"status":"CREATE_FAILED","echo":"`+Redacted+`"}'`, got)

	// A token derived to be invalid (REQ-SEC-01) must never be replayed as
	// the user's valid one: the command would act on the task.
	derived := ForToken(token, token+"-derived")
	got = derived.Curl("DELETE", "http://h/", http.Header{"X-Auth-Token": {token + "-derived"}}, nil, 100)
	assert.Contains(t, got, `-H 'X-Auth-Token: `+Redacted+`'`)
	assert.NotContains(t, got, "$DRSCONFORM_TOKEN")

	short := ForToken("T")
	got = short.Curl("POST", "http://h/", http.Header{"X-Auth-Token": {"T"}}, []byte(`{"status":"CREATE_FAILED"}`), 100)
	assert.Contains(t, got, `--data-binary '{"status":"CREATE_FAILED"}'`, "a short token never mangles the body")

	got = rd.Curl("POST", "http://h/", nil, []byte("a\x1b[2Jb\nc'd"), 100)
	assert.Contains(t, got, `--data-binary $'a\x1b[2Jb\nc\'d'`)
	assert.NotContains(t, got, "\x1b")
	assert.NotContains(t, got, "\n")
}

func TestCleanCurl(t *testing.T) {
	t.Parallel()
	in := `curl -X DELETE 'u' -H 'X-Auth-Token: abc' -H "X-Auth-Token: $DRSCONFORM_TOKEN" -H 'Authorization: Bearer xyz' -H 'X-Language: en'`
	assert.Equal(t, `curl -X DELETE 'u' -H 'X-Auth-Token: [REDACTED]' -H "X-Auth-Token: $DRSCONFORM_TOKEN" -H 'Authorization: Bearer [REDACTED]' -H 'X-Language: en'`, CleanCurl(in))
	assert.ElementsMatch(t, []string{"abc", "Bearer xyz", "xyz"}, SecretsOfCurl(in))
}

// TestRedactorProperty: for random secrets and random embeddings in random
// forms, no form survives and the text around it is kept.
func TestRedactorProperty(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("abcXYZ019-_./+~=%\\ é😀")
	for i := 0; i < 2000; i++ {
		n := MinSecretLen + rng.IntN(20)
		sec := make([]rune, n)
		for k := range sec {
			sec[k] = alphabet[rng.IntN(len(alphabet))]
		}
		secret := string(sec)
		if strings.TrimSpace(secret) != secret {
			continue
		}
		rd := New(secret)
		var names []string
		fs := forms(secret)
		for name := range fs {
			names = append(names, name)
		}
		for _, name := range names {
			if name == "mixed" || name == "html numeric" || strings.ToUpper(secret) != strings.ToUpper(strings.ToLower(secret)) {
				continue
			}
			form := fs[name]
			text := "<<" + form + ">>"
			got := rd.String(text)
			require.Equal(t, "<<"+Redacted+">>", got, "secret %q form %s %q", secret, name, form)
			cut := rd.Excerpt(strings.Repeat("q", rng.IntN(30))+form+"tail", 10+rng.IntN(40))
			require.NotContains(t, cut, secret)
		}
	}
}

func FuzzRedactor(f *testing.F) {
	f.Add("SECRET-TOKEN-1", "prefix ", " suffix", uint8(0))
	f.Add("abcabcab", "abc", "cab", uint8(3))
	f.Fuzz(func(t *testing.T, secret, before, after string, how uint8) {
		if TooShort(secret) || !utf8.ValidString(secret) || strings.ContainsAny(secret, "\\%&+") ||
			strings.ToUpper(secret) != strings.ToUpper(strings.ToLower(secret)) || len(secret) > 64 {
			t.Skip()
		}
		list := []string{secret, jsonEscapeAll(secret, how&1 == 1), percentAll(secret, how&2 == 2), strings.ToUpper(secret)}
		form := list[int(how)%len(list)]
		got := New(secret).String(before + form + after)
		if strings.Contains(got, form) || strings.Contains(got, secret) {
			t.Fatalf("%q survives in %q", form, got)
		}
	})
}
