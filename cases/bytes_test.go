package cases

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDecodeByteEscapes(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []byte("a\xffb\xc0\xafc"), decodeByteEscapes(`a\xffb\xC0\xafc`))
	assert.Equal(t, []byte(`\u00e9 \xZZ \x4`), decodeByteEscapes(`\u00e9 \xZZ \x4`), "other backslashes are themselves")
	assert.Equal(t, []byte("\\\xff"), decodeByteEscapes(`\\xff`))
	assert.True(t, hasByteEscape(`x\x80`))
	assert.False(t, hasByteEscape(`x\x8`))
}
