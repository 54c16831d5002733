package proxy

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/drsconform/drsconform/internal/credential"
	"github.com/drsconform/drsconform/internal/untrusted"
)

// Facts are what `drsconform report --from-proxy-log` needs of a checked
// exchange to say which parts of the spec an SDK's tests exercised
// (report/proxylog.go): the headers that the contract names, the kind of
// credential (never its value), the delete types sent, and what the answer
// showed (per-item statuses and error codes, or the error body's code).
// Every string is redacted and cut; every list is short.
type Facts struct {
	// ContentType and XLanguage are the header values as sent, cut;
	// absent headers are nil.
	ContentType *string `json:"content_type,omitempty"`
	XLanguage   *string `json:"x_language,omitempty"`
	// Credential is "x-auth-token", "authorization" (AK/SK), both joined by
	// "+", or "none".
	Credential string `json:"credential"`
	// Jobs is the number of items of the request's jobs array (-1: none).
	Jobs        int      `json:"jobs"`
	DeleteTypes []string `json:"delete_types,omitempty"` // distinct values sent; "(not a string)" for another JSON type
	// ResultStatuses and ResultErrorCodes are the distinct per-item status
	// and error_code values of a 2xx answer; ErrorCode the error_code of an
	// error answer.
	ResultStatuses   []string `json:"result_statuses,omitempty"`
	ResultErrorCodes []string `json:"result_error_codes,omitempty"`
	ErrorCode        string   `json:"error_code,omitempty"`
}

// Bounds of Facts.
const (
	maxFactValues = 16 // distinct values per list
	maxFactBytes  = 64 // bytes per value
)

func factsOf(x *exchange, rd *credential.Redactor) *Facts {
	f := &Facts{Jobs: -1}
	value := func(s string) string { return untrusted.Cut(rd.String(s), maxFactBytes, 0) }
	if x.header != nil {
		if vs := x.header.Values("Content-Type"); len(vs) > 0 {
			v := value(vs[0])
			f.ContentType = &v
		}
		if vs := x.header.Values("X-Language"); len(vs) > 0 {
			v := value(vs[0])
			f.XLanguage = &v
		}
	}
	f.Credential = credentialKind(x.header)

	var req struct {
		Jobs []struct {
			DeleteType json.RawMessage `json:"delete_type"`
		} `json:"jobs"`
	}
	// A body of other shapes fills what it can; the rest is not a fact.
	if json.Unmarshal(x.requestBody, &req) == nil || req.Jobs != nil {
		if req.Jobs != nil {
			f.Jobs = len(req.Jobs)
		}
		for _, j := range req.Jobs {
			if len(j.DeleteType) == 0 {
				continue
			}
			var s string
			dt := "(not a string)"
			if json.Unmarshal(j.DeleteType, &s) == nil {
				dt = value(s)
			}
			f.DeleteTypes = addDistinct(f.DeleteTypes, dt)
		}
	}

	switch {
	case x.status >= 200 && x.status < 300:
		var resp struct {
			Results []struct {
				Status    json.RawMessage `json:"status"`
				ErrorCode json.RawMessage `json:"error_code"`
			} `json:"results"`
		}
		_ = json.Unmarshal(x.responseBody, &resp) // what fits is a fact
		for _, it := range resp.Results {
			var s string
			if json.Unmarshal(it.Status, &s) == nil {
				f.ResultStatuses = addDistinct(f.ResultStatuses, value(s))
			}
			if json.Unmarshal(it.ErrorCode, &s) == nil {
				f.ResultErrorCodes = addDistinct(f.ResultErrorCodes, value(s))
			}
		}
	case x.status >= 400:
		var eb struct {
			ErrorCode json.RawMessage `json:"error_code"`
		}
		var s string
		if json.Unmarshal(x.responseBody, &eb) == nil && json.Unmarshal(eb.ErrorCode, &s) == nil {
			f.ErrorCode = value(s)
		}
	}
	return f
}

// credentialKind names the credential headers a request carries.
func credentialKind(h http.Header) string {
	var kinds []string
	if strings.TrimSpace(h.Get("X-Auth-Token")) != "" {
		kinds = append(kinds, "x-auth-token")
	}
	if strings.TrimSpace(h.Get("Authorization")) != "" {
		kinds = append(kinds, "authorization")
	}
	if len(kinds) == 0 {
		return "none"
	}
	return strings.Join(kinds, "+")
}

func addDistinct(list []string, v string) []string {
	if len(list) >= maxFactValues || slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}
