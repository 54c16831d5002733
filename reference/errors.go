package reference

import (
	"fmt"
	"net/http"
)

// Error codes of the appendix "Error Codes" (drs_05_0004) that the reference
// implementation answers with.
const (
	CodeServiceAbnormal  = "DRS.M00004" // 500: a panic, never bad input
	CodeInvalidToken     = "DRS.M00100" // 403: a token or signature that is not valid
	CodeNoCredential     = "DRS.M00103" // 401: no credential the server accepts
	CodeParameterEmpty   = "DRS.M00201" // 400: parameter %s is empty
	CodeParameterInvalid = "DRS.M00202" // 400: value of parameter %s is invalid
	CodeInvalidRequest   = "DRS.M00300" // 400, 404, 405, 413: invalid request, %s
	CodeDuplicate        = "DRS.M00301" // 400 or failed item: duplicate %s in request
	CodeWrongStatus      = "DRS.M00304" // failed item: not callable in the task's status
	CodeOnlySubtasks     = "DRS.M00307" // failed item: only subtasks may call
	CodeBusy             = "DRS.M01504" // failed item: another operation in progress
	CodeNotFound         = "DRS.M05003" // failed item, fixture 404: task not found
	CodeDeleted          = "DRS.M05004" // failed item, fixture 404: task deleted
)

// Lang is the language of error messages, chosen by X-Language.
type Lang int

// The two languages of X-Language (API page, Table 2).
const (
	English Lang = iota // en-us, the default
	Chinese             // zh-cn
)

// msgKey names one error message; it knows its code and its wording in
// both languages.
type msgKey int

const (
	msgServiceAbnormal msgKey = iota
	msgNoCredential
	msgUnsupportedAuth
	msgInvalidToken
	msgInvalidSignature
	msgParamEmpty   // arg: parameter name
	msgParamInvalid // arg: parameter name
	msgNotJSON
	msgNotUTF8
	msgUnknownField // arg: field path
	msgBodyTooLarge // arg: limit in bytes
	msgNoRoute      // args: method, path
	msgMethodNotAllowed
	msgDuplicate // arg: parameter name
	msgWrongStatus
	msgOnlySubtasks
	msgBusy
	msgNotFound
	msgDeleted
)

// code returns the DRS error code of a message.
func (k msgKey) code() string {
	switch k {
	case msgServiceAbnormal:
		return CodeServiceAbnormal
	case msgNoCredential, msgUnsupportedAuth:
		return CodeNoCredential
	case msgInvalidToken, msgInvalidSignature:
		return CodeInvalidToken
	case msgParamEmpty:
		return CodeParameterEmpty
	case msgParamInvalid:
		return CodeParameterInvalid
	case msgDuplicate:
		return CodeDuplicate
	case msgWrongStatus:
		return CodeWrongStatus
	case msgOnlySubtasks:
		return CodeOnlySubtasks
	case msgBusy:
		return CodeBusy
	case msgNotFound:
		return CodeNotFound
	case msgDeleted:
		return CodeDeleted
	}
	return CodeInvalidRequest
}

// templates returns the English and the Chinese wording (fmt verbs for the args).
func (k msgKey) templates() (en, zh string) {
	switch k {
	case msgServiceAbnormal:
		return "The service is abnormal. Try again later.", "服务异常，请稍后重试。"
	case msgNoCredential:
		return "Authentication required: send an X-Auth-Token header or an AK/SK signed Authorization header (SDK-HMAC-SHA256).",
			"需要认证：请携带X-Auth-Token请求头或AK/SK签名的Authorization请求头（SDK-HMAC-SHA256）。"
	case msgUnsupportedAuth:
		return "The Authorization scheme is not supported: use SDK-HMAC-SHA256 or an X-Auth-Token header.",
			"不支持该Authorization认证方式：请使用SDK-HMAC-SHA256签名或X-Auth-Token请求头。"
	case msgInvalidToken:
		return "The token is invalid.", "Token无效。"
	case msgInvalidSignature:
		return "The AK/SK signature is invalid: %s.", "AK/SK签名无效：%s。"
	case msgParamEmpty:
		return "The %s parameter is empty.", "参数%s为空。"
	case msgParamInvalid:
		return "The value of parameter %s is invalid.", "参数%s的值无效。"
	case msgNotJSON:
		return "Invalid request: the body is not valid JSON.", "无效的请求：请求体不是合法的JSON。"
	case msgNotUTF8:
		return "Invalid request: the body is not valid UTF-8, so it is not JSON.", "无效的请求：请求体不是合法的UTF-8编码，因此不是JSON。"
	case msgUnknownField:
		return "Invalid request: unknown field %s.", "无效的请求：未知字段%s。"
	case msgBodyTooLarge:
		return "Invalid request: the body exceeds %d bytes.", "无效的请求：请求体超过%d字节。"
	case msgNoRoute:
		return "Invalid request: there is no API %s %s.", "无效的请求：不存在接口%s %s。"
	case msgMethodNotAllowed:
		return "Invalid request: method %s is not allowed on %s.", "无效的请求：%[2]s不支持%[1]s方法。"
	case msgDuplicate:
		return "Duplicate %s in the request.", "请求中存在重复的%s。"
	case msgWrongStatus:
		return "This API cannot be called in the current task status.", "当前任务状态下不能调用该接口。"
	case msgOnlySubtasks:
		return "Only subtasks can call this API.", "只有子任务才能调用该接口。"
	case msgBusy:
		// The API page's example, word for word.
		return "Another operation is being performed on the migration task or the migration task is abnormal. Try again later.",
			"迁移任务正在执行其他操作或迁移任务异常，请稍后重试。"
	case msgNotFound:
		return "Task information not found.", "未找到任务信息。"
	case msgDeleted:
		return "The task has been deleted or its resources have been released.", "任务已被删除或资源已释放。"
	}
	return "Invalid request.", "无效的请求。"
}

// text renders a message in a language.
func (k msgKey) text(lang Lang, args ...any) string {
	en, zh := k.templates()
	tpl := en
	if lang == Chinese {
		tpl = zh
	}
	if len(args) == 0 {
		return tpl
	}
	return fmt.Sprintf(tpl, args...)
}

// problem is a request that fails as a whole: an HTTP status and the
// message of the error body.
type problem struct {
	status int
	key    msgKey
	args   []any
}

func newProblem(status int, key msgKey, args ...any) *problem {
	return &problem{status: status, key: key, args: args}
}

// body renders the error body of appendix drs_05_0002.
func (p *problem) body(lang Lang) ErrorBody {
	return ErrorBody{ErrorCode: p.key.code(), ErrorMsg: p.key.text(lang, p.args...)}
}

func (p *problem) Error() string {
	return fmt.Sprintf("%d %s: %s", p.status, p.key.code(), p.key.text(English, p.args...))
}

var _ error = (*problem)(nil)

// ErrorBody is the body of a request that fails as a whole (drs_05_0002).
type ErrorBody struct {
	ErrorCode string `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
}

// writeProblem answers with the error body; X-Language picks the wording.
func writeProblem(w http.ResponseWriter, lang Lang, p *problem) {
	writeJSON(w, p.status, p.body(lang))
}
