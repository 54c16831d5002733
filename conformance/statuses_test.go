package conformance_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/drsconform/drsconform/conformance"
)

func TestStatuses(t *testing.T) {
	t.Parallel()
	appendix, sdk := conformance.TaskStatuses(), conformance.SDKStatuses()
	assert.Len(t, appendix, 23)
	assert.Len(t, sdk, 6)
	assert.Equal(t, slices.Concat(appendix, sdk), conformance.KnownStatuses())
	seen := map[string]bool{}
	for _, s := range conformance.KnownStatuses() {
		assert.False(t, seen[s], "%s is listed twice", s)
		seen[s] = true
		assert.True(t, conformance.KnownStatus(s), s)
	}
	for _, s := range []string{"INCR_TRANSFER_STARTED", "PAUSEING", "creating", ""} {
		assert.False(t, conformance.KnownStatus(s), s)
	}
	appendix[0] = "CHANGED"
	assert.Equal(t, "CREATING", conformance.TaskStatuses()[0], "TaskStatuses hands out a copy")
}
