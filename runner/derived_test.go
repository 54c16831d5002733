package runner

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDerivedToken(t *testing.T) {
	t.Parallel()
	for token, want := range map[string]string{
		"tok-RUNNER-SECRET-4711": "tok-RUNNER-SEDSFU-5822",
		"abc":                    "bcd",
		"zzZZ99":                 "aaAA00",
		"MIIB/+==":               "NJJC/+==",
		"--==":                   "--==x",
		"":                       "",
	} {
		assert.Equal(t, want, DerivedToken(token), token)
		if token != "" {
			assert.Len(t, DerivedToken(token), len(want))
			assert.NotEqual(t, token, DerivedToken(token))
		}
	}
}

func TestDecodeByteEscapes(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []byte("a\xffb\xc0\xafc"), decodeByteEscapes(`a\xffb\xC0\xafc`))
	assert.Equal(t, []byte(`\u00e9 \xZZ \x4`), decodeByteEscapes(`\u00e9 \xZZ \x4`), "other backslashes are themselves")
	assert.Equal(t, []byte("\\\xff"), decodeByteEscapes(`\\xff`))
	assert.True(t, hasByteEscape(`x\x80`))
	assert.False(t, hasByteEscape(`x\x8`))
}
