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
