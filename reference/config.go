package reference

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// Defaults of Config.
const (
	DefaultReleaseDelay = 200 * time.Millisecond
	DefaultMaxBodyBytes = 1 << 20
)

// DuplicatePolicy is the choice of REQ-STA-11: a job_id repeated in one batch.
type DuplicatePolicy string

const (
	// DuplicatesAccept answers one result per entry and acts on the task
	// once: the first entry is decided as usual, every repeat is a failed
	// item with DRS.M00301. The default.
	DuplicatesAccept DuplicatePolicy = "accept"
	// DuplicatesReject answers the whole batch 400 DRS.M00301.
	DuplicatesReject DuplicatePolicy = "reject"
)

// UnknownFieldPolicy is the choice of REQ-VAL-09: fields the page does not list.
type UnknownFieldPolicy string

const (
	UnknownFieldsIgnore UnknownFieldPolicy = "ignore" // the default
	UnknownFieldsReject UnknownFieldPolicy = "reject" // 400 DRS.M00300
)

// LanguagePolicy is the choice of REQ-HDR-04: an X-Language other than en-us or zh-cn.
type LanguagePolicy string

const (
	OtherLanguageDefault LanguagePolicy = "default" // treated as en-us; the default
	OtherLanguageReject  LanguagePolicy = "reject"  // 400 DRS.M00202
)

// Config sets the choices and limits of a Server. The zero value is the
// default behaviour.
type Config struct {
	// ReleaseDelay is how long a stopped task stays in
	// RELEASE_RESOURCE_STARTED before it reads RELEASE_RESOURCE_COMPLETE.
	// Zero means DefaultReleaseDelay; a negative value means at once.
	ReleaseDelay time.Duration
	// Tokens are the accepted X-Auth-Token values. With no Tokens and no
	// AccessKey the server is open: any non-empty X-Auth-Token and any
	// well-formed SDK-HMAC-SHA256 Authorization header is accepted. Once a
	// credential is configured, only configured credentials are accepted.
	Tokens []string
	// AccessKey and SecretKey, when AccessKey is set, are the one key pair
	// whose SDK-HMAC-SHA256 signatures are accepted; signatures are verified.
	AccessKey string
	SecretKey string
	// Duplicates is the REQ-STA-11 choice ("" = DuplicatesAccept).
	Duplicates DuplicatePolicy
	// UnknownFields is the REQ-VAL-09 choice ("" = UnknownFieldsIgnore).
	UnknownFields UnknownFieldPolicy
	// OtherLanguage is the REQ-HDR-04 choice ("" = OtherLanguageDefault).
	OtherLanguage LanguagePolicy
	// WrongContentTypeStatus answers a missing or non-JSON Content-Type
	// (REQ-HDR-02): 400 (0 means 400) or 415.
	WrongContentTypeStatus int
	// MaxBodyBytes caps request bodies; a larger body is answered 413 with
	// the error body. Zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// NoHarness leaves out the fixture protocol (/_conformance): the
	// server is then like a live endpoint, its tasks only those Seed put in.
	NoHarness bool
	// Logger receives one line per request (method, path, status,
	// duration; never a credential). Nil discards them.
	Logger *slog.Logger
	// Now is the clock (nil = time.Now); tests inject one.
	Now func() time.Time
	// Choices is the preset of allowed choices ("" = ChoicesReference).
	// ChoicesOther makes every choice the reference does not
	// (reference/otherchoices.go, OtherChoices); it fills Duplicates,
	// UnknownFields, OtherLanguage, WrongContentTypeStatus and ReleaseDelay
	// only where they are zero, so a value set here overrides the preset.
	Choices Choices
}

// withDefaults fills the zero fields and checks the rest.
func (c Config) withDefaults() (Config, error) {
	switch c.Choices {
	case "":
		c.Choices = ChoicesReference
	case ChoicesReference:
	case ChoicesOther:
		c = c.presetOther()
	default:
		return c, fmt.Errorf("choices %q: want %q or %q", c.Choices, ChoicesReference, ChoicesOther)
	}
	switch {
	case c.ReleaseDelay == 0:
		c.ReleaseDelay = DefaultReleaseDelay
	case c.ReleaseDelay < 0:
		c.ReleaseDelay = 0
	}
	if c.Duplicates == "" {
		c.Duplicates = DuplicatesAccept
	}
	if c.UnknownFields == "" {
		c.UnknownFields = UnknownFieldsIgnore
	}
	if c.OtherLanguage == "" {
		c.OtherLanguage = OtherLanguageDefault
	}
	if c.WrongContentTypeStatus == 0 {
		c.WrongContentTypeStatus = http.StatusBadRequest
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.AccessKey != "" && c.SecretKey == "" {
		return c, fmt.Errorf("an access key needs its secret key")
	}
	switch c.Duplicates {
	case DuplicatesAccept, DuplicatesReject:
	default:
		return c, fmt.Errorf("duplicates policy %q: want %q or %q", c.Duplicates, DuplicatesAccept, DuplicatesReject)
	}
	switch c.UnknownFields {
	case UnknownFieldsIgnore, UnknownFieldsReject:
	default:
		return c, fmt.Errorf("unknown-fields policy %q: want %q or %q", c.UnknownFields, UnknownFieldsIgnore, UnknownFieldsReject)
	}
	switch c.OtherLanguage {
	case OtherLanguageDefault, OtherLanguageReject:
	default:
		return c, fmt.Errorf("other-language policy %q: want %q or %q", c.OtherLanguage, OtherLanguageDefault, OtherLanguageReject)
	}
	switch c.WrongContentTypeStatus {
	case http.StatusBadRequest, http.StatusUnsupportedMediaType:
	default:
		return c, fmt.Errorf("content-type status %d: want 400 or 415", c.WrongContentTypeStatus)
	}
	return c, nil
}
