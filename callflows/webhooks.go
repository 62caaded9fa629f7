package callflows

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
)

// Event types 8x8 sends in the webhook envelope.
const (
	EventCallAction     = "CALL_ACTION"
	EventCallStatus     = "CALL_STATUS"
	EventSessionSummary = "SESSION_SUMMARY"
)

// Call statuses and directions of a VCA payload that the server acts on.
const (
	StatusCallReceived    = "CALL_RECEIVED"
	StatusActionCompleted = "ACTION_COMPLETED"
	DirectionInbound      = "INBOUND"
	DirectionOutbound     = "OUTBOUND"
)

// ErrNotJSONObject is returned by the decoders for a body that is not a
// JSON object.
var ErrNotJSONObject = errors.New("body is not a JSON object")

// Text is a JSON string that 8x8 may also send as a number or null; all
// are kept as text, null as "".
type Text string

// UnmarshalJSON implements json.Unmarshaler. It never fails: a value that
// is not a scalar is kept as "", since an error here would abort decoding
// of the whole webhook.
func (t *Text) UnmarshalJSON(data []byte) error {
	s, _ := scalarText(data)
	*t = Text(s)
	return nil
}

// Number is a JSON number that 8x8 may also send as a string or null.
type Number float64

// UnmarshalJSON implements json.Unmarshaler. Like Text's, it never fails:
// anything that is not a number is kept as 0.
func (n *Number) UnmarshalJSON(data []byte) error {
	s, _ := scalarText(data)
	s = strings.TrimSpace(s)
	// Only a number as JSON writes it: ParseFloat alone would also take
	// "NaN", "Inf" and "0x1p4", and give ±Inf for "1e999".
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !isJSONNumber(s) || math.IsInf(f, 0) || math.IsNaN(f) {
		f = 0
	}
	*n = Number(f)
	return nil
}

// isJSONNumber reports whether s is a number in JSON's syntax.
func isJSONNumber(s string) bool {
	return s != "" && (s[0] == '-' || s[0] >= '0' && s[0] <= '9') && json.Valid([]byte(s))
}

// scalarText returns the text of a JSON string, number, boolean or null.
func scalarText(data []byte) (string, bool) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		return "", true
	}
	switch data[0] {
	case '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return "", false
		}
		return s, true
	case '{', '[':
		return "", false
	}
	return string(data), true
}

// CallAction is a Voice Call Action (VCA) webhook: 8x8 asks what the call
// should do next.
type CallAction struct {
	Namespace   string            `json:"namespace"`
	EventType   string            `json:"eventType"`
	Description string            `json:"description"`
	Payload     CallActionPayload `json:"payload"`
}

// CallActionPayload is the payload of a VCA webhook. Use Digits for the
// captured DTMF digits rather than the raw fields.
type CallActionPayload struct {
	EventID                string          `json:"eventId"`
	CallID                 string          `json:"callId"`
	SessionID              string          `json:"sessionId"`
	SubAccountID           string          `json:"subAccountId"`
	CallStatus             string          `json:"callStatus"`
	CallDirection          string          `json:"callDirection"`
	CallType               string          `json:"callType"`
	Source                 string          `json:"source"`
	Destination            string          `json:"destination"`
	SourceFormat           string          `json:"sourceFormat"`
	DestinationFormat      string          `json:"destinationFormat"`
	SourceCountryCode      string          `json:"sourceCountryCode"`
	DestinationCountryCode string          `json:"destinationCountryCode"`
	SourceRefID            Text            `json:"sourceRefId"`
	DestinationRefID       Text            `json:"destinationRefId"`
	CallDuration           Number          `json:"callDuration"`
	EventData              json.RawMessage `json:"eventData"`
	DTMF                   Text            `json:"dtmf"`
	SipCode                Number          `json:"sipCode"`
	Timestamp              string          `json:"timestamp"`
	ClientActionID         string          `json:"clientActionId"`
}

// Digits returns the DTMF digits the caller entered, wherever 8x8 put them:
// payload.eventData.dtmf (eventData an object), payload.eventData (a plain
// string of digits) or payload.dtmf, in that order. Null, absent and ""
// all mean no digits, returned as "".
func (p *CallActionPayload) Digits() string {
	if d := eventDataDigits(p.EventData); d != "" {
		return d
	}
	return strings.TrimSpace(string(p.DTMF))
}

func eventDataDigits(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	if d, ok := eventDataDigitsFast(raw); ok {
		return d
	}
	return eventDataDigitsSlow(raw)
}

// eventDataDigitsSlow is eventDataDigits with encoding/json, for a trimmed,
// non-empty eventData: the reference eventDataDigitsFast must agree with.
func eventDataDigitsSlow(raw json.RawMessage) string {
	switch raw[0] {
	case '{':
		var obj struct {
			DTMF Text `json:"dtmf"`
		}
		if json.Unmarshal(raw, &obj) != nil {
			return ""
		}
		return strings.TrimSpace(string(obj.DTMF))
	case '"':
		// A string eventData is the digits only when it looks like digits:
		// older payloads put free text such as "additional event data" here.
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return ""
		}
		s = strings.TrimSpace(s)
		if IsDTMF(s) {
			return s
		}
	}
	return ""
}

// IsDTMF reports whether s is a non-empty string of DTMF keys: 0-9, * and #.
func IsDTMF(s string) bool { return isDTMF(s) }

// isDTMF is IsDTMF for strings and, without converting them, bytes.
func isDTMF[T string | []byte](s T) bool {
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && c != '*' && c != '#' {
			return false
		}
	}
	return true
}

// DecodeCallAction decodes a VCA webhook body leniently: unknown fields are
// ignored and a field of an unexpected type is left empty rather than
// failing the whole webhook, since an unanswered VCA is dead air for the
// caller. It fails only for a body that is not a JSON object.
func DecodeCallAction(body []byte) (*CallAction, error) {
	ev := new(CallAction)
	if err := DecodeCallActionInto(ev, body); err != nil {
		return nil, err
	}
	return ev, nil
}

// DecodeCallActionInto is DecodeCallAction into ev, which it overwrites
// whole, so that a server can reuse one CallAction after another (from a
// sync.Pool, say) rather than allocate one per webhook. It reuses the
// memory of ev.Payload.EventData, which must not share memory with body:
// a caller must not keep that slice, or share ev, across calls. On error,
// ev is zero.
func DecodeCallActionInto(ev *CallAction, body []byte) error {
	// The fast path takes the usual bodies and gives up on anything else,
	// which the slow path, the reference, decides: see fastdecode.go.
	if decodeCallActionFastInto(ev, body) {
		return nil
	}
	slow, err := decodeCallActionSlow(body)
	if err != nil {
		*ev = CallAction{}
		return err
	}
	*ev = *slow
	return nil
}

// decodeCallActionSlow is DecodeCallAction with encoding/json: the
// reference decodeCallActionFastInto must agree with.
func decodeCallActionSlow(body []byte) (*CallAction, error) {
	var ev CallAction
	if err := decodeLenient(body, &ev); err != nil {
		return nil, err
	}
	return &ev, nil
}

// decodeLenient decodes a JSON object into v, keeping what decoded when
// some field had the wrong type.
func decodeLenient(body []byte, v any) error {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		// Check the syntax only: a valid number too large for a float64
		// is still valid JSON.
		var v json.RawMessage
		if err := json.Unmarshal(body, &v); err != nil {
			return &SyntaxError{Err: err}
		}
		return ErrNotJSONObject
	}
	err := json.Unmarshal(body, v)
	var typeErr *json.UnmarshalTypeError
	if err == nil || errors.As(err, &typeErr) {
		// encoding/json finishes decoding past a type mismatch and reports
		// only the first one; what it decoded is what we can use.
		return nil
	}
	return &SyntaxError{Err: err}
}

// SyntaxError is returned by the decoders for a body that is not valid JSON.
type SyntaxError struct{ Err error }

func (e *SyntaxError) Error() string { return "body is not valid JSON: " + e.Err.Error() }

// Unwrap returns the underlying decoding error.
func (e *SyntaxError) Unwrap() error { return e.Err }

// SessionSummary is a Voice Session Summary (VSS) webhook, sent once when a
// call session ends; it is 8x8's authoritative word on the outcome.
type SessionSummary struct {
	Namespace   string                `json:"namespace"`
	EventType   string                `json:"eventType"`
	Description string                `json:"description"`
	Version     Number                `json:"version"`
	Payload     SessionSummaryPayload `json:"payload"`
}

// SessionSummaryPayload is the payload of a VSS webhook.
type SessionSummaryPayload struct {
	SessionID       string         `json:"sessionId"`
	SubAccountID    string         `json:"subAccountId"`
	SessionStatus   string         `json:"sessionStatus"`
	StartTime       string         `json:"startTime"`
	EndTime         string         `json:"endTime"`
	LastAction      string         `json:"lastAction"`
	CallCount       Number         `json:"callCount"`
	ClientRequestID string         `json:"clientRequestId"`
	ErrorDetails    *ErrorDetails  `json:"errorDetails"`
	Details         map[string]Leg `json:"details"`
}

// ErrorDetails explains a session that ended with status ERROR.
type ErrorDetails struct {
	ErrorMsg  string `json:"errorMsg"`
	ErrorCode Text   `json:"errorCode"`
}

// Leg is one call leg of a session summary (details.callA, callB, ...).
type Leg struct {
	CallID                string   `json:"callId"`
	CallDirection         string   `json:"callDirection"`
	CallType              string   `json:"callType"`
	InitiatedTimestamp    string   `json:"initiatedTimestamp"`
	ConnectedTimestamp    string   `json:"connectedTimestamp"`
	DisconnectedTimestamp string   `json:"disconnectedTimestamp"`
	Source                string   `json:"source"`
	Destination           string   `json:"destination"`
	CallStatus            string   `json:"callStatus"`
	CallDuration          Number   `json:"callDuration"`
	SipCode               Number   `json:"sipCode"`
	CallQuality           *Quality `json:"callQuality"`
}

// Quality is the measured quality of a call leg.
type Quality struct {
	MOS            Number `json:"mos"`
	PacketLossRate Number `json:"packetLossRate"`
	Jitter         Number `json:"jitter"`
}

// DecodeSessionSummary decodes a VSS webhook body as leniently as
// DecodeCallAction.
func DecodeSessionSummary(body []byte) (*SessionSummary, error) {
	var ev SessionSummary
	if err := decodeLenient(body, &ev); err != nil {
		return nil, err
	}
	return &ev, nil
}
