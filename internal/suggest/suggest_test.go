package suggest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNearest(t *testing.T) {
	t.Parallel()
	flags := []string{"target", "token", "tags", "timeout", "fixtures-url"}
	for _, tc := range []struct {
		got, want string
	}{
		{"taget", "target"},
		{"tokn", "token"},
		{"Target", "target"},
		{"fixture-url", "fixtures-url"},
		{"bogus", ""},
		{"tgas", "tags"},
	} {
		assert.Equal(t, tc.want, Nearest(tc.got, flags), "Nearest(%q)", tc.got)
	}
	assert.Empty(t, Nearest("x", nil))
}

func TestEditDistance(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 0, editDistance("run", "run"))
	assert.Equal(t, 1, editDistance("rn", "run"))
	assert.Equal(t, 2, editDistance("nur", "run"))
	assert.Equal(t, 3, editDistance("", "run"))
}
