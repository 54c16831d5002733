package proxy

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/drsconform/drsconform/contract"
	"github.com/drsconform/drsconform/internal/credential"
)

// Error codes of the answers the proxy makes itself, from the DRS appendix
// (drs_05_0004), so that an SDK parses them as it parses the service's.
const (
	codeParameterInvalid = "DRS.M00202" // 400: the request breaks the contract
	codeInvalidRequest   = "DRS.M00300" // 400, 413: the request cannot be forwarded
	codeServiceAbnormal  = "DRS.M00004" // 502, 504: the upstream failed
)

// errorBody is the DRS error body (appendix drs_05_0002).
type errorBody struct {
	ErrorCode string `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
}

// writeError answers with the DRS error body and marks the answer as the
// proxy's own.
func writeError(w http.ResponseWriter, status int, why Outcome, code, msg string) {
	buf, _ := json.Marshal(errorBody{ErrorCode: code, ErrorMsg: msg}) // two strings always marshal
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set(HeaderProxyAnswer, string(why))
	w.WriteHeader(status)
	_, _ = w.Write(buf)
}

// rejectMessage names the first violation (requirement, where, what) and how
// many more there are.
func rejectMessage(vs contract.Violations, rd *credential.Redactor) string {
	msg := fmt.Sprintf("drsconform proxy: the request breaks the contract and was not forwarded: %s", rd.String(vs[0].Error()))
	if len(vs) > 1 {
		msg += fmt.Sprintf(" (and %d more)", len(vs)-1)
	}
	return msg
}
