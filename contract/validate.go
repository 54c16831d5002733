package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/drsconform/drsconform/internal/untrusted"
	"github.com/drsconform/drsconform/internal/yamlschema"
	"github.com/drsconform/drsconform/schemas"
)

// ValidateRequest checks a request against the contract: route, parameters,
// credentials, Content-Type and body. body is the request body as sent (the
// request's own Body is not read). The validation runs in r's context, the
// caller's: the server's request or the client's.
func (c *Contract) ValidateRequest(r *http.Request, body []byte) Violations {
	route, params, v := c.findRoute(r)
	if v != nil {
		return Violations{*v}
	}
	var out Violations
	in := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			ExcludeRequestBody: true, // bodies go through the JSON Schemas below
			MultiError:         true,
			AuthenticationFunc: authenticate,
			// Without this, kin-openapi writes the defaults of absent header
			// parameters into r (Content-Type: application/json, X-Language:
			// en-us): the request would be changed, and an absent Content-Type
			// would pass unseen.
			SkipSettingDefaults: true,
		},
	}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		out = append(out, dropCredentialEcho(filterViolations(err))...)
	}
	rb := route.Operation.RequestBody
	if rb == nil || rb.Value == nil {
		return out
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if rb.Value.Required {
			out = append(out, Violation{Requirement: "REQ-VAL-01", Layer: LayerBody, Keyword: "json",
				Message: "the request body is empty; a JSON object with jobs is required"})
		}
		return out
	}
	mt, cv := matchMediaType(rb.Value.Content, r.Header.Get("Content-Type"))
	if cv != nil {
		cv.Requirement = "REQ-HDR-02"
		out = append(out, *cv)
	}
	if mt == nil {
		mt = rb.Value.Content.Get("application/json")
	}
	return append(out, c.validateBody(schemaFileOf(mt), body)...)
}

// ValidateResponse checks a response to r against the contract: the status
// must be declared, the Content-Type must be the declared one, and the body
// must match the schema declared for that status.
func (c *Contract) ValidateResponse(r *http.Request, status int, header http.Header, body []byte) Violations {
	route, _, v := c.findRoute(r)
	if v != nil {
		return Violations{*v}
	}
	resp := route.Operation.Responses.Status(status)
	if resp == nil {
		resp = route.Operation.Responses.Default()
	}
	if resp == nil || resp.Value == nil {
		req := ""
		if status >= 500 {
			req = "REQ-HTTP-04"
		}
		return Violations{{Requirement: req, Layer: LayerStatus, Keyword: "status", Pointer: fmt.Sprint(status),
			Message: fmt.Sprintf("status %d is not a response of %s (declared: %s)",
				status, route.Operation.OperationID, strings.Join(declaredStatuses(route.Operation), ", "))}}
	}
	if len(resp.Value.Content) == 0 {
		return nil
	}
	var out Violations
	mt, cv := matchMediaType(resp.Value.Content, header.Get("Content-Type"))
	if cv != nil {
		cv.Requirement = "REQ-HTTP-03"
		out = append(out, *cv)
	}
	if mt == nil {
		mt = resp.Value.Content.Get("application/json")
	}
	return append(out, c.validateBody(schemaFileOf(mt), body)...)
}

// ValidateBody checks a JSON body against one schema file of schemas/.
func (c *Contract) ValidateBody(schemaFile string, body []byte) Violations {
	return c.validateBody(schemaFile, body)
}

func (c *Contract) validateBody(schemaFile string, body []byte) Violations {
	return validateBodyWith(c.schemas, schemaFile, body)
}

func validateBodyWith(compiled map[string]*jsonschema.Schema, schemaFile string, body []byte) Violations {
	sch, ok := compiled[schemaFile]
	if !ok {
		return Violations{{Layer: LayerBody, Keyword: "schema", Schema: schemaFile,
			Message: fmt.Sprintf("no schema %q in schemas/", schemaFile)}}
	}
	doc, noLong, err := decodeJSONChecked(body)
	if err != nil {
		req := attribute(schemaFile, "json", "")
		if errors.Is(err, errNotUTF8) && schemaFile == schemas.BatchDeleteJobReq {
			req = "REQ-VAL-10"
		}
		return Violations{{Requirement: req, Layer: LayerBody, Keyword: "json",
			Schema: schemaFile, Message: "the body is not JSON: " + err.Error()}}
	}
	// jsonschema/v5 parses every number as a big.Rat, in time quadratic in
	// its digits: a count of a million digits would hold a run for seconds.
	// No field of this API needs a long number; one is a violation of its
	// own, and the schema sees a short stand-in of the same sign and kind.
	var out Violations
	if !noLong { // the walk is spared when the decoder saw every number short
		doc = shortenNumbers(doc, "", func(ptr string, n json.Number) {
			out = append(out, Violation{Requirement: attribute(schemaFile, "type", ptr), Layer: LayerBody, Keyword: "type",
				Pointer: ptr, Schema: schemaFile, Message: fmt.Sprintf("the number %s is too long to judge (over %d characters, or an exponent beyond ±%d); no field of this API needs one", untrusted.Quote(string(n)), MaxNumberLength, maxExponent)})
		})
	}
	if surelyValid(sch, doc) {
		return out
	}
	err = sch.Validate(doc)
	if err == nil {
		return out
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return append(out, Violation{Layer: LayerBody, Keyword: "schema", Schema: schemaFile, Message: err.Error()})
	}
	for _, leaf := range yamlschema.Leaves(ve) {
		kw := keywordOf(leaf.KeywordLocation)
		for _, ptr := range pointersOf(kw, leaf) {
			out = append(out, Violation{Requirement: attribute(schemaFile, kw, ptr), Layer: LayerBody,
				Keyword: kw, Pointer: ptr, Schema: schemaFile, Message: leaf.Message})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pointer < out[j].Pointer })
	return out
}

func keywordOf(loc string) string {
	if i := strings.LastIndexByte(loc, '/'); i >= 0 {
		return loc[i+1:]
	}
	return loc
}

// pointersOf gives the instance pointer(s) of a failure; a "required" failure
// points at each missing property rather than at its parent.
func pointersOf(kw string, ve *jsonschema.ValidationError) []string {
	if kw != "required" {
		return []string{ve.InstanceLocation}
	}
	// jsonschema/v5 words it: missing properties: 'a', 'b'
	_, list, ok := strings.Cut(ve.Message, ":")
	if !ok {
		return []string{ve.InstanceLocation}
	}
	var out []string
	for _, name := range strings.Split(list, ",") {
		name = strings.Trim(strings.TrimSpace(name), "'")
		out = append(out, ve.InstanceLocation+"/"+escapePointer(name))
	}
	return out
}

func escapePointer(s string) string { return pointerEscaper.Replace(s) }

// pointerEscaper escapes a JSON Pointer segment (RFC 6901).
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// attribute names the requirement a body violation breaks.
func attribute(schemaFile, keyword, ptr string) string {
	segs := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	if ptr == "" {
		segs = nil
	}
	switch schemaFile {
	case schemas.BatchDeleteJobReq:
		switch {
		case keyword == "json":
			return "REQ-VAL-01"
		case len(segs) <= 1 && keyword == "minItems":
			return "REQ-VAL-06"
		case len(segs) <= 1:
			return "REQ-VAL-02"
		case len(segs) == 2, len(segs) == 3 && keyword == "required":
			// the item is not an object, or lacks delete_type or job_id
			return "REQ-VAL-03"
		case segs[2] == "delete_type":
			return "REQ-VAL-04"
		case segs[2] == "job_id":
			return "REQ-VAL-05"
		}
		return "REQ-VAL-03"
	case schemas.BatchDeleteJobResp:
		if len(segs) == 3 && segs[0] == "results" && segs[2] == "status" {
			return "REQ-RES-04"
		}
		return "REQ-HTTP-02"
	case schemas.ErrorResponse:
		return "REQ-VAL-07"
	}
	return ""
}

// matchMediaType finds the declared media type that a Content-Type header
// names (parameters such as charset are ignored). It returns the declared
// application/json entry and a violation when the header is absent or other.
func matchMediaType(content openapi3.Content, header string) (*openapi3.MediaType, *Violation) {
	declared := make([]string, 0, len(content))
	for k := range content {
		declared = append(declared, k)
	}
	sort.Strings(declared)
	if header == "" {
		return nil, &Violation{Layer: LayerContentType, Keyword: "content-type", Pointer: "Content-Type",
			Message: fmt.Sprintf("no Content-Type; want %s", strings.Join(declared, " or "))}
	}
	mt, _, err := mime.ParseMediaType(header)
	if err != nil {
		return nil, &Violation{Layer: LayerContentType, Keyword: "content-type", Pointer: "Content-Type",
			Message: fmt.Sprintf("Content-Type %q does not parse: %v", header, err)}
	}
	if m := content.Get(strings.ToLower(mt)); m != nil {
		return m, nil
	}
	return nil, &Violation{Layer: LayerContentType, Keyword: "content-type", Pointer: "Content-Type",
		Message: fmt.Sprintf("Content-Type %q; want %s", header, strings.Join(declared, " or "))}
}

func declaredStatuses(op *openapi3.Operation) []string {
	var out []string
	for code := range op.Responses.Map() {
		out = append(out, code)
	}
	sort.Strings(out)
	return out
}

// authenticate accepts a request carrying the header a security scheme names;
// the contract checks presence, a server checks validity.
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s := in.SecurityScheme
	if s == nil || s.Type != "apiKey" || s.In != "header" {
		return fmt.Errorf("security scheme %q is not checked by this contract", in.SecuritySchemeName)
	}
	if strings.TrimSpace(in.RequestValidationInput.Request.Header.Get(s.Name)) == "" {
		return fmt.Errorf("no %s header", s.Name)
	}
	return nil
}

// filterViolations turns openapi3filter's errors into violations.
func filterViolations(err error) Violations {
	// Only the top level: a RequestError wraps a MultiError of its own, which
	// belongs to that parameter.
	if multi, ok := err.(openapi3.MultiError); ok {
		var out Violations
		for _, e := range multi {
			out = append(out, filterViolations(e)...)
		}
		return out
	}
	var sec *openapi3filter.SecurityRequirementsError
	if errors.As(err, &sec) {
		return Violations{{Requirement: "REQ-HDR-01", Layer: LayerSecurity, Keyword: "security", Pointer: "X-Auth-Token",
			Message: "no credential: the request needs X-Auth-Token (or an AK/SK Authorization header)"}}
	}
	var re *openapi3filter.RequestError
	if errors.As(err, &re) && re.Parameter != nil {
		p := re.Parameter
		if strings.EqualFold(p.Name, "Content-Type") {
			// OpenAPI ignores a Content-Type parameter; the media type check covers it.
			return nil
		}
		kw, msg := "parameter", re.Reason
		var se *openapi3.SchemaError
		switch {
		case errors.As(re.Err, &se):
			kw, msg = se.SchemaField, fmt.Sprintf("%s (value %v)", se.Reason, se.Value)
		case errors.Is(re.Err, openapi3filter.ErrInvalidRequired):
			kw, msg = "required", "value is required but missing"
		case re.Err != nil:
			msg = re.Err.Error()
		}
		req := ""
		switch strings.ToLower(p.Name) {
		case "x-language":
			req = "REQ-HDR-04"
		case "x-auth-token":
			req = "REQ-HDR-01"
		}
		return Violations{{Requirement: req, Layer: LayerParameter, Keyword: kw, Pointer: p.Name,
			Message: fmt.Sprintf("%s parameter %s: %s", p.In, p.Name, msg)}}
	}
	return Violations{{Layer: LayerParameter, Keyword: "parameter", Message: err.Error()}}
}

// dropCredentialEcho drops a parameter violation of X-Auth-Token when the
// security check already reports the missing credential: an empty token is
// one fault (REQ-HDR-01), not two.
func dropCredentialEcho(vs Violations) Violations {
	noCredential := false
	for _, v := range vs {
		if v.Layer == LayerSecurity {
			noCredential = true
		}
	}
	if !noCredential {
		return vs
	}
	out := vs[:0]
	for _, v := range vs {
		if v.Layer == LayerParameter && strings.EqualFold(v.Pointer, "X-Auth-Token") {
			continue
		}
		out = append(out, v)
	}
	return out
}

// errNotUTF8: RFC 8259 section 8.1, JSON text exchanged between systems
// MUST be UTF-8; other bytes are not JSON (REQ-VAL-10).
var errNotUTF8 = errors.New("invalid UTF-8 (RFC 8259, section 8.1: JSON text is UTF-8)")

// MaxNumberLength bounds the characters of a number literal the schema layer
// judges (a float64 needs 24, an int64 20).
const MaxNumberLength = 64

// shortenNumbers replaces, in place, every number literal longer than
// MaxNumberLength by a short one of the same sign and kind (integer or not),
// calling long for each with its JSON pointer. The walk keeps the path as
// segments and writes a pointer only for a long number: this runs on every
// body the suite judges.
func shortenNumbers(v any, ptr string, long func(ptr string, n json.Number)) any {
	return shorten(v, nil, func(path []string, n json.Number) {
		p := ptr
		for _, seg := range path {
			p += "/" + escapePointer(seg)
		}
		long(p, n)
	})
}

func shorten(v any, path []string, long func(path []string, n json.Number)) any {
	switch t := v.(type) {
	case json.Number:
		if !tooLong(t) {
			return t
		}
		long(path, t)
		stand := "9007199254740993"
		if !integral(string(t)) {
			stand = "0.5"
		}
		if strings.HasPrefix(string(t), "-") {
			stand = "-" + stand
		}
		return json.Number(stand)
	case map[string]any:
		for k, e := range t {
			if _, ok := e.(string); !ok {
				t[k] = shorten(e, append(path, k), long)
			}
		}
	case []any:
		for i, e := range t {
			if _, ok := e.(string); !ok {
				t[i] = shorten(e, append(path, strconv.Itoa(i)), long)
			}
		}
	}
	return v
}

// tooLong: more than MaxNumberLength characters, or an exponent beyond any
// float64 (1e999999999 is short, and as costly as its digits written out).
func tooLong(n json.Number) bool {
	if len(n) > MaxNumberLength {
		return true
	}
	if i := strings.IndexAny(string(n), "eE"); i >= 0 {
		exp, err := strconv.Atoi(strings.TrimPrefix(string(n[i+1:]), "+"))
		return err != nil || exp > maxExponent || exp < -maxExponent
	}
	return false
}

// integral tells whether a number literal is a whole number (1.50e2 is), in
// time linear in its length.
func integral(lit string) bool {
	mant, exp := lit, 0
	if i := strings.IndexAny(lit, "eE"); i >= 0 {
		mant = lit[:i]
		e, err := strconv.Atoi(strings.TrimPrefix(lit[i+1:], "+"))
		if err != nil { // beyond int: only its sign matters
			return !strings.HasPrefix(lit[i+1:], "-")
		}
		exp = e
	}
	_, frac, _ := strings.Cut(mant, ".")
	return exp >= len(strings.TrimRight(frac, "0"))
}

// maxExponent is beyond float64's range (about 1e308, 5e-324) with room.
const maxExponent = 400

// decodeJSON decodes exactly one JSON value, numbers kept as json.Number so
// that integers stay exact; anything after the value but white space is an error.
func decodeJSON(body []byte) (any, error) {
	v, _, err := decodeJSONChecked(body)
	return v, err
}

// decodeJSONChecked is decodeJSON that also tells when every number of the
// value is certainly short (noLong; see tooLong): fastDecode checks each
// as it reads it.
func decodeJSONChecked(body []byte) (v any, noLong bool, err error) {
	if !utf8.Valid(body) {
		// encoding/json would put U+FFFD in place of each bad byte, silently.
		return nil, false, errNotUTF8
	}
	if v, long, ok := fastDecode(body); ok {
		return v, !long, nil
	}
	v, err = decodeStd(body)
	return v, false, err
}

// decodeStd is encoding/json's reading, the one whose verdict and errors
// stand when fastDecode does not take a body.
func decodeStd(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the top-level JSON value")
	}
	return v, nil
}
