package runner

import (
	"errors"

	"github.com/drsconform/drsconform/result"
)

// Sentinels that sort what went wrong: the target broke a rule (fail/warn,
// recorded as findings), or the suite could not judge (error), or a case does
// not apply (skip). They never blur: errors.Is decides.
var (
	// ErrTransport: the target could not be reached or did not answer in time.
	ErrTransport = errors.New("transport")
	// ErrTimeout: a request got no answer within --timeout; also an
	// ErrTransport (wire.do), with the same message.
	ErrTimeout = errors.New("timeout")
	// ErrHarness: the fixture protocol broke (5xx, no answer, malformed reply,
	// a fixture that does not read back as asked).
	ErrHarness = errors.New("fixture harness")
	// ErrReadBack: reading a task back through the API (batch-status,
	// --readback api) gave an answer the suite cannot read: not 200, not
	// JSON, no results, a result with neither a status nor a not-found
	// code. The case errors; it is never a finding against the target.
	ErrReadBack = errors.New("read-back")
	// ErrNotAsStated: a task of the fixtures file (--fixtures) is not in
	// the state the file says, or gone: the case that would use it is
	// skipped with the reason.
	ErrNotAsStated = errors.New("not as the fixtures file states")
	// ErrFixtureUnavailable: the harness cannot make a status or combination
	// (it answered 400): the case is skipped with the harness's reason.
	ErrFixtureUnavailable = errors.New("fixture unavailable")
	// ErrTooLarge: an answer exceeded the size cap and was not judged.
	ErrTooLarge = errors.New("response too large")
	// ErrInternal: the suite itself is at fault (a requirement ID the
	// catalogue does not have): the case errors, whatever else it found.
	ErrInternal = errors.New("internal")
)

// refusal is the harness declining to make a task (it answered 400), as
// an error: it is an ErrFixtureUnavailable, and carries the result.Refusal
// the case records.
type refusal struct{ result.Refusal }

func (r *refusal) Error() string { return ErrFixtureUnavailable.Error() + ": " + r.Reason }

// Unwrap makes errors.Is(err, ErrFixtureUnavailable) hold.
func (r *refusal) Unwrap() error { return ErrFixtureUnavailable }

// timedOut is a transport error that is also an ErrTimeout; its message is
// the transport error's.
type timedOut struct{ error }

func (t timedOut) Unwrap() error        { return t.error }
func (t timedOut) Is(target error) bool { return target == ErrTimeout }
