package reference

import (
	"testing"

	"github.com/drsconform/drsconform/conformance"
)

// The rule table has a row for every status of the spec's list, and none for
// a status outside it: a misspelt constant would leave a status without a
// rule.
func TestRuleTableCoversEveryStatus(t *testing.T) {
	t.Parallel()
	for _, s := range conformance.KnownStatuses() {
		if _, ok := traitsOf(Status(s)); !ok {
			t.Errorf("%s (conformance.KnownStatuses) has no row in traitsOf", s)
		}
	}
	for _, s := range []Status{"PAUSEING", "INCR_TRANSFER_STARTED", "creating", ""} {
		if _, ok := traitsOf(s); ok {
			t.Errorf("traitsOf has a row for %q, which is no status", s)
		}
	}
}
