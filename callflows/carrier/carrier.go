// Package carrier plays 8x8's side of a call against a running ivrctl
// server: it posts Voice Call Action webhooks as 8x8 does, with the digits
// in any of the three places 8x8 has been seen to put them, and the end of
// a bridged call with the outcome a test chooses, and decodes the answers
// strictly.
package carrier

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/ivrctl/ivrctl/callflows"
)

// Shape is where a VCA webhook carries the caller's digits.
type Shape int

// The digit shapes 8x8 has been seen to send.
const (
	// EventDataObject puts the digits in payload.eventData.dtmf.
	EventDataObject Shape = iota
	// EventDataString makes payload.eventData the digits themselves.
	EventDataString
	// PayloadDTMF puts the digits in payload.dtmf.
	PayloadDTMF
)

// Shapes lists every Shape, for tests that run once per shape.
var Shapes = []Shape{EventDataObject, EventDataString, PayloadDTMF}

func (s Shape) String() string {
	switch s {
	case EventDataObject:
		return "eventData.dtmf"
	case EventDataString:
		return "eventData-string"
	case PayloadDTMF:
		return "payload.dtmf"
	}
	return fmt.Sprintf("Shape(%d)", int(s))
}

// Event describes one VCA webhook.
type Event struct {
	EventType      string // default CALL_ACTION
	EventID        string
	CallID         string
	SessionID      string
	CallStatus     string // default ACTION_COMPLETED
	Direction      string // default OUTBOUND
	ClientActionID string // omitted when ""
	Digits         string // omitted when ""
	Shape          Shape
	SipCode        int // the leg's final SIP code; 0 is 200, NoSipCode leaves it out
}

// NoSipCode as an Event's SipCode leaves sipCode out of the body.
const NoSipCode = -1

// Body returns the webhook body for e, shaped like 8x8's.
func (e Event) Body() []byte {
	payload := map[string]any{
		"eventId":                e.EventID,
		"callId":                 e.CallID,
		"sessionId":              e.SessionID,
		"subAccountId":           "account_x",
		"callStatus":             or(e.CallStatus, callflows.StatusActionCompleted),
		"callDirection":          or(e.Direction, callflows.DirectionOutbound),
		"callType":               "PSTN",
		"source":                 "+6568888888",
		"destination":            "+6591234567",
		"sourceFormat":           "MSISDN",
		"destinationFormat":      "MSISDN",
		"sourceCountryCode":      "SG",
		"destinationCountryCode": "SG",
		"callDuration":           0,
		"timestamp":              "2024-05-16T04:12:11.217Z",
	}
	switch e.SipCode {
	case 0:
		payload["sipCode"] = 200
	case NoSipCode: // left out, as a body without one would be
	default:
		payload["sipCode"] = e.SipCode
	}
	if e.ClientActionID != "" {
		payload["clientActionId"] = e.ClientActionID
	}
	switch e.Shape {
	case EventDataObject:
		var dtmf any // null when nothing was captured, as 8x8 documents
		if e.Digits != "" {
			dtmf = e.Digits
		}
		payload["eventData"] = map[string]any{"dtmf": dtmf}
	case EventDataString:
		payload["eventData"] = e.Digits
	case PayloadDTMF:
		if e.Digits != "" {
			payload["dtmf"] = e.Digits
		}
	}
	body, err := json.Marshal(map[string]any{
		"namespace":   "VOICE",
		"eventType":   or(e.EventType, callflows.EventCallAction),
		"description": "Action request of a call",
		"payload":     payload,
	})
	if err != nil {
		panic(err) // only plain values above
	}
	return body
}

func or(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}

// DecodeResponse decodes a VCA answer strictly: unknown fields and unknown
// actions are errors, the callflow must not be empty, and it must pass
// every rule of 8x8's that callflows.ValidateJSON knows.
func DecodeResponse(body []byte) (*callflows.Response, error) {
	if problems := callflows.ValidateJSON(body, callflows.Answer); len(problems) > 0 {
		return nil, fmt.Errorf("answer %s breaks 8x8's rules:\n%w", body, problems)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var r callflows.Response
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("decode answer %s: %w", body, err)
	}
	if len(r.Callflow) == 0 {
		return nil, fmt.Errorf("answer %s has an empty callflow", body)
	}
	return &r, nil
}

// Caller is one phone call driven against a server at BaseURL. It keeps
// the last answer, and answers it as 8x8 would: with its clientActionId.
type Caller struct {
	BaseURL   string       // the server, as http://host:port
	Client    *http.Client // nil means http.DefaultClient
	Shape     Shape
	Direction string // INBOUND or OUTBOUND (default)
	CallID    string
	SessionID string
	// Last is the last answer received, nil before the first.
	Last *callflows.Response
}

// Ring posts the first VCA of an inbound call (CALL_RECEIVED, no
// clientActionId), as 8x8 does when someone dials the virtual number.
func (c *Caller) Ring(ctx context.Context) (*callflows.Response, error) {
	c.Direction = callflows.DirectionInbound
	return c.post(ctx, c.event(callflows.StatusCallReceived, "", ""))
}

// Press answers the last answer with digits ("" for none, as when the
// capture's tries ran out). Before any answer it answers the start menu
// that an outbound call played, with no clientActionId.
func (c *Caller) Press(ctx context.Context, digits string) (*callflows.Response, error) {
	cid := ""
	if c.Last != nil {
		cid = c.Last.ClientActionID
	}
	return c.post(ctx, c.event("", cid, digits))
}

// EndTransfer ends the bridged call that the last answer's makeCall
// started, with outcome o: it posts the VCA 8x8 posts then, answering the
// last answer's clientActionId with no digits, callStatus ACTION_COMPLETED
// and o's SIP code (200, 486, 480 or 503), which
// callflows.CallActionPayload.TransferOutcome reads back as o. It fails,
// posting nothing, unless the last answer ended with makeCall.
//
// Press(ctx, "") after a makeCall is EndTransfer with TransferAnswered:
// the same body.
func (c *Caller) EndTransfer(ctx context.Context, o callflows.TransferOutcome) (*callflows.Response, error) {
	if o.SipCode() == 0 {
		return nil, fmt.Errorf("end a transfer: %v is not an outcome", o)
	}
	return c.EndTransferWith(ctx, callflows.StatusActionCompleted, o.SipCode())
}

// EndTransferWith is EndTransfer with the VCA's callStatus and sipCode
// given as they are (sipCode as Event.SipCode takes it), for a test of how a server
// reads what 8x8 might send.
func (c *Caller) EndTransferWith(ctx context.Context, callStatus string, sipCode int) (*callflows.Response, error) {
	if c.Last == nil {
		return nil, errors.New("end a transfer: no answer yet, so no bridged call")
	}
	if _, ok := c.Last.Callflow.Last().(*callflows.MakeCall); !ok {
		return nil, fmt.Errorf("end a transfer: the last answer (clientActionId %q) does not end with makeCall", c.Last.ClientActionID)
	}
	e := c.event(callStatus, c.Last.ClientActionID, "")
	e.SipCode = sipCode
	return c.post(ctx, e)
}

// PressAt posts digits as the answer to the node clientActionID.
func (c *Caller) PressAt(ctx context.Context, clientActionID, digits string) (*callflows.Response, error) {
	return c.post(ctx, c.event("", clientActionID, digits))
}

// eventSeq numbers the events of every Caller in the process, so that no
// two are taken for deliveries of one event.
var eventSeq atomic.Int64

func (c *Caller) event(status, cid, digits string) Event {
	return Event{
		EventID:        fmt.Sprintf("%s-event-%d", or(c.CallID, "call"), eventSeq.Add(1)),
		CallID:         or(c.CallID, "627e25f1-133a-11ef-b08c-e33c09483244"),
		SessionID:      or(c.SessionID, "a4fad4b3-b388-12ee-b217-2fb8260fcf59"),
		CallStatus:     status,
		Direction:      c.Direction,
		ClientActionID: cid,
		Digits:         digits,
		Shape:          c.Shape,
	}
}

func (c *Caller) post(ctx context.Context, e Event) (*callflows.Response, error) {
	status, body, err := Post(ctx, c.Client, strings.TrimRight(c.BaseURL, "/")+"/webhooks/vca", e.Body())
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("POST /webhooks/vca: status %d: %s", status, body)
	}
	r, err := DecodeResponse(body)
	if err != nil {
		return nil, err
	}
	c.Last = r
	return r, nil
}

// Post posts body as JSON to url and returns the status and body of the
// answer.
func Post(ctx context.Context, client *http.Client, url string, body []byte) (int, []byte, error) {
	return PostHeader(ctx, client, url, body, nil)
}

// PostHeader is Post with more request headers, such as the Authorization
// header 8x8 sends.
func PostHeader(ctx context.Context, client *http.Client, url string, body []byte, header http.Header) (int, []byte, error) {
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}
