package carrier_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/callflows/carrier"
)

// switchboard is a server on loopback that reads each VCA with callflows,
// as ivrctl does, and keeps its payload. It answers a call's first VCA by
// transferring it (makeCall, clientActionId "reception") and any other by
// saying goodbye.
type switchboard struct {
	mu       sync.Mutex
	payloads []callflows.CallActionPayload
}

func (s *switchboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ev, err := callflows.DecodeCallAction(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.payloads = append(s.payloads, ev.Payload)
	s.mu.Unlock()
	answer := callflows.Response{Callflow: callflows.Callflow{
		&callflows.Say{Text: "Goodbye.", VoiceProfile: "en-US-BenjaminRUS"},
		&callflows.Hangup{},
	}}
	if ev.Payload.ClientActionID == "" {
		answer = callflows.Response{ClientActionID: "reception", Callflow: callflows.Callflow{
			&callflows.MakeCall{Source: "+6568888888", Destination: "+6561234567"},
		}}
	}
	out, err := callflows.Marshal(answer)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(out)
}

// last returns the payload of the last VCA the switchboard read.
func (s *switchboard) last(t *testing.T) callflows.CallActionPayload {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.payloads) == 0 {
		t.Fatal("the switchboard read no VCA")
	}
	return s.payloads[len(s.payloads)-1]
}

func (s *switchboard) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.payloads)
}

// transferred starts a call on a new switchboard and lets it answer with
// its transfer.
func transferred(t *testing.T, shape carrier.Shape) (*carrier.Caller, *switchboard) {
	t.Helper()
	sb := &switchboard{}
	ts := httptest.NewServer(sb)
	t.Cleanup(ts.Close)
	c := &carrier.Caller{BaseURL: ts.URL, Client: ts.Client(), Shape: shape}
	if _, err := c.Ring(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Last.Callflow.Last().(*callflows.MakeCall); !ok {
		t.Fatalf("the switchboard answered %+v, not a transfer", c.Last)
	}
	return c, sb
}

// TestEndTransferRoundTrip: every outcome the fake carrier ends a transfer
// with, in every digit shape, reads back as that outcome on the server's
// side, on a VCA that answers the transfer's clientActionId.
func TestEndTransferRoundTrip(t *testing.T) {
	for _, shape := range carrier.Shapes {
		for _, o := range callflows.TransferOutcomes {
			t.Run(shape.String()+"/"+o.String(), func(t *testing.T) {
				c, sb := transferred(t, shape)
				if _, err := c.EndTransfer(t.Context(), o); err != nil {
					t.Fatal(err)
				}
				p := sb.last(t)
				if got := p.TransferOutcome(); got != o {
					t.Errorf("ended with %v, the server read %v (callStatus %q, sipCode %v)", o, got, p.CallStatus, p.SipCode)
				}
				if p.ClientActionID != "reception" {
					t.Errorf("clientActionId %q, want the transfer's, reception", p.ClientActionID)
				}
				if d := p.Digits(); d != "" {
					t.Errorf("digits %q at the end of a transfer, want none", d)
				}
			})
		}
	}
}

// TestEndTransferWith: the callStatus and sipCode given reach the server
// as they are, and read as the mapping says.
func TestEndTransferWith(t *testing.T) {
	tests := []struct {
		status string
		sip    int
		want   callflows.TransferOutcome
	}{
		{callflows.LegBusy, carrier.NoSipCode, callflows.TransferBusy},
		{callflows.LegNoAnswer, 200, callflows.TransferNoAnswer},
		{callflows.StatusActionCompleted, 603, callflows.TransferBusy},
		{callflows.StatusActionCompleted, 487, callflows.TransferNoAnswer},
		{callflows.StatusActionCompleted, carrier.NoSipCode, callflows.TransferFailed},
		{"CALL_DISCONNECTED", 0, callflows.TransferAnswered}, // 0 sends 200
	}
	for _, tt := range tests {
		c, sb := transferred(t, carrier.EventDataObject)
		if _, err := c.EndTransferWith(t.Context(), tt.status, tt.sip); err != nil {
			t.Fatal(err)
		}
		p := sb.last(t)
		if p.CallStatus != tt.status {
			t.Errorf("sent callStatus %q, the server read %q", tt.status, p.CallStatus)
		}
		if got := p.TransferOutcome(); got != tt.want {
			t.Errorf("callStatus %q, sipCode %d: the server read %v, want %v", tt.status, tt.sip, got, tt.want)
		}
	}
}

// TestPressAfterTransferIsAnswered: what sim posts today when a bridged
// call ends, Press with no digits, is the body of EndTransfer with
// TransferAnswered but for its eventId.
func TestPressAfterTransferIsAnswered(t *testing.T) {
	c, sb := transferred(t, carrier.EventDataObject)
	if _, err := c.Press(t.Context(), ""); err != nil {
		t.Fatal(err)
	}
	pressed := sb.last(t)
	c, sb = transferred(t, carrier.EventDataObject)
	if _, err := c.EndTransfer(t.Context(), callflows.TransferAnswered); err != nil {
		t.Fatal(err)
	}
	ended := sb.last(t)
	if got := pressed.TransferOutcome(); got != callflows.TransferAnswered {
		t.Errorf("Press after a transfer reads as %v, want answered", got)
	}
	pressed.EventID, ended.EventID = "", ""
	if pressed.CallStatus != ended.CallStatus || pressed.SipCode != ended.SipCode ||
		pressed.ClientActionID != ended.ClientActionID || string(pressed.EventData) != string(ended.EventData) {
		t.Errorf("Press posted %+v, EndTransfer(answered) %+v", pressed, ended)
	}
}

// TestEndTransferNeedsATransfer: with no answer yet, or after an answer
// that does not end with makeCall, there is no bridged call to end, and
// nothing is posted.
func TestEndTransferNeedsATransfer(t *testing.T) {
	sb := &switchboard{}
	ts := httptest.NewServer(sb)
	defer ts.Close()
	c := &carrier.Caller{BaseURL: ts.URL, Client: ts.Client()}
	if _, err := c.EndTransfer(t.Context(), callflows.TransferBusy); err == nil || !strings.Contains(err.Error(), "no answer yet") {
		t.Errorf("EndTransfer before any answer: err %v, want no answer yet", err)
	}
	if _, err := c.Ring(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Press(t.Context(), ""); err != nil { // the transfer ends; goodbye
		t.Fatal(err)
	}
	posted := sb.count()
	if _, err := c.EndTransfer(t.Context(), callflows.TransferBusy); err == nil || !strings.Contains(err.Error(), "does not end with makeCall") {
		t.Errorf("EndTransfer after a goodbye: err %v, want does not end with makeCall", err)
	}
	if _, err := c.EndTransfer(t.Context(), callflows.TransferNone); err == nil {
		t.Error("EndTransfer with TransferNone: no error")
	}
	if n := sb.count(); n != posted {
		t.Errorf("%d VCAs posted by failed EndTransfers", n-posted)
	}
}

// TestEventSipCode: an Event's body carries its SipCode, 200 by default,
// and none with NoSipCode.
func TestEventSipCode(t *testing.T) {
	tests := []struct {
		sip      int
		want     callflows.Number
		contains string
	}{
		{0, 200, `"sipCode":200`},
		{486, 486, `"sipCode":486`},
		{carrier.NoSipCode, 0, ""},
	}
	for _, tt := range tests {
		body := carrier.Event{SipCode: tt.sip}.Body()
		ev, err := callflows.DecodeCallAction(body)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Payload.SipCode != tt.want {
			t.Errorf("SipCode %d: body has %v, want %v", tt.sip, ev.Payload.SipCode, tt.want)
		}
		if has := strings.Contains(string(body), `"sipCode"`); has != (tt.contains != "") || !strings.Contains(string(body), tt.contains) {
			t.Errorf("SipCode %d: body %s, want it to have %q", tt.sip, body, tt.contains)
		}
	}
}
