package voiceapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrOutcomeUnknown is wrapped by the error of a POST that was sent but got
// no answer (a timeout, a dropped connection, an unreadable success) or a
// server error, which may come after 8x8 acted. 8x8 may have acted on it: a call may be ringing, a webhook may exist. Such a
// request is not retried; the VSS webhook or ListWebhooks tells the outcome.
var ErrOutcomeUnknown = errors.New("8x8 may have acted on the request")

// APIError is 8x8's refusal of a request: any answer but a success. Use
// errors.As to get it from the error a Client method returns. Its text
// fields are 8x8's, with the API key blanked out should 8x8 echo it.
type APIError struct {
	// HTTPStatus is the answer's HTTP status code.
	HTTPStatus int
	// StatusCode is 8x8's statusCode, e.g. -1013 or 401; 0 when the
	// answer had none. The Webhooks API sends it as a string ("1001"),
	// which is decoded too.
	StatusCode int
	// StatusMessage is 8x8's statusMessage, or the start of the body when
	// the answer was not JSON.
	StatusMessage string
	// SessionStatus is NOT_CREATED in Send Callflow refusals.
	SessionStatus string
	// CallFlowRequestID identifies a Send Callflow request at 8x8 support.
	CallFlowRequestID string
	// ErrorID identifies a Webhooks API refusal at 8x8 support.
	ErrorID string
}

// Error says in plain words what 8x8 answered: the HTTP status, 8x8's
// statusCode when there is one, its message, and the error ID to quote to
// 8x8 support.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("8x8 refused the request (HTTP ")
	b.WriteString(strconv.Itoa(e.HTTPStatus))
	if e.StatusCode != 0 {
		b.WriteString(", status ")
		b.WriteString(strconv.Itoa(e.StatusCode))
	}
	b.WriteString(")")
	msg := e.StatusMessage
	if msg == "" {
		msg = http.StatusText(e.HTTPStatus)
	}
	if msg != "" {
		b.WriteString(": ")
		b.WriteString(msg)
	}
	// The IDs are what 8x8 support asks for.
	if e.ErrorID != "" {
		b.WriteString(" (error id ")
		b.WriteString(e.ErrorID)
		b.WriteString(")")
	}
	if e.CallFlowRequestID != "" {
		b.WriteString(" (callflow request id ")
		b.WriteString(e.CallFlowRequestID)
		b.WriteString(")")
	}
	return b.String()
}

// status is the part of every 8x8 answer that says how it went, success
// or not.
type status struct {
	SessionStatus     string  `json:"sessionStatus"`
	CallFlowRequestID string  `json:"callFlowRequestId"`
	StatusCode        flexInt `json:"statusCode"`
	StatusMessage     string  `json:"statusMessage"`
	ErrorID           string  `json:"errorId"`
}

// apiError turns st into an *APIError of an answer with HTTP status code.
func (st *status) apiError(code int, apiKey string) *APIError {
	return &APIError{
		HTTPStatus:        code,
		StatusCode:        int(st.StatusCode),
		StatusMessage:     redact(st.StatusMessage, apiKey),
		SessionStatus:     redact(st.SessionStatus, apiKey),
		CallFlowRequestID: redact(st.CallFlowRequestID, apiKey),
		ErrorID:           redact(st.ErrorID, apiKey),
	}
}

// newAPIError makes the *APIError of an answer that is not a success.
func newAPIError(ans *answer, apiKey string) *APIError {
	var st status
	if isObject(ans.body) && json.Unmarshal(ans.body, &st) == nil {
		e := st.apiError(ans.status, apiKey)
		if e.StatusMessage == "" && e.StatusCode == 0 {
			e.StatusMessage = snippet(ans.body, apiKey)
		}
		return e
	}
	return &APIError{HTTPStatus: ans.status, StatusMessage: snippet(ans.body, apiKey)}
}

// flexInt is an integer 8x8 sends as a JSON number or a string; anything
// else decodes as 0 rather than failing the whole answer.
type flexInt int

// UnmarshalJSON implements json.Unmarshaler.
func (n *flexInt) UnmarshalJSON(data []byte) error {
	s := string(bytes.TrimSpace(data))
	if unq, err := strconv.Unquote(s); err == nil {
		s = strings.TrimSpace(unq)
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil {
			v = 0
		} else {
			v = int(f)
		}
	}
	*n = flexInt(v)
	return nil
}

// maxSnippet is how much of a body that is not JSON an error quotes.
const maxSnippet = 200

// snippet is the start of a body, on one line, for an error message.
func snippet(body []byte, apiKey string) string {
	s := strings.ToValidUTF8(string(body), "\uFFFD")
	s = strings.Join(strings.Fields(s), " ")
	// Redact before cutting, so no prefix of the key survives the cut.
	s = redact(s, apiKey)
	if len(s) > maxSnippet {
		cut := maxSnippet
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// redacted replaces the API key wherever it shows.
const redacted = "[redacted]"

func redact(s, apiKey string) string {
	if apiKey == "" || !strings.Contains(s, apiKey) {
		return s
	}
	return strings.ReplaceAll(s, apiKey, redacted)
}

// scrub returns err, or err with its text redacted if it holds the API key.
// net/http errors quote the URL, never the headers, so this is a guard for
// a key that ended up where it should not (a base URL, a proxy's message).
func scrub(err error, apiKey string) error {
	if err == nil || apiKey == "" || !strings.Contains(err.Error(), apiKey) {
		return err
	}
	return &scrubbedError{err: err, apiKey: apiKey}
}

type scrubbedError struct {
	err    error
	apiKey string
}

func (e *scrubbedError) Error() string { return redact(e.err.Error(), e.apiKey) }
func (e *scrubbedError) Unwrap() error { return e.err }
