package callflows_test

import (
	"math"
	"testing"

	"github.com/ivrctl/ivrctl/callflows"
)

// transferCases are payloads at the end of a transfer and their outcome:
// every class of SIP code, every leg status, and the precedence of the
// status over the code.
var transferCases = []struct {
	name   string
	status string
	sip    callflows.Number
	want   callflows.TransferOutcome
}{
	// sipCode alone, under the callStatus 8x8 documents for a VCA.
	{"200 OK", callflows.StatusActionCompleted, 200, callflows.TransferAnswered},
	{"202 Accepted", callflows.StatusActionCompleted, 202, callflows.TransferAnswered},
	{"299 other 2xx", callflows.StatusActionCompleted, 299, callflows.TransferAnswered},
	{"100 Trying: still ringing", callflows.StatusActionCompleted, 100, callflows.TransferNoAnswer},
	{"180 Ringing", callflows.StatusActionCompleted, 180, callflows.TransferNoAnswer},
	{"183 Session Progress", callflows.StatusActionCompleted, 183, callflows.TransferNoAnswer},
	{"199 other 1xx", callflows.StatusActionCompleted, 199, callflows.TransferNoAnswer},
	{"486 Busy Here", callflows.StatusActionCompleted, 486, callflows.TransferBusy},
	{"600 Busy Everywhere", callflows.StatusActionCompleted, 600, callflows.TransferBusy},
	{"603 Decline", callflows.StatusActionCompleted, 603, callflows.TransferBusy},
	{"408 Request Timeout", callflows.StatusActionCompleted, 408, callflows.TransferNoAnswer},
	{"480 Temporarily Unavailable", callflows.StatusActionCompleted, 480, callflows.TransferNoAnswer},
	{"487 Request Terminated", callflows.StatusActionCompleted, 487, callflows.TransferNoAnswer},
	{"300 Multiple Choices", callflows.StatusActionCompleted, 300, callflows.TransferFailed},
	{"302 Moved Temporarily", callflows.StatusActionCompleted, 302, callflows.TransferFailed},
	{"400 Bad Request", callflows.StatusActionCompleted, 400, callflows.TransferFailed},
	{"403 Forbidden", callflows.StatusActionCompleted, 403, callflows.TransferFailed},
	{"404 Not Found", callflows.StatusActionCompleted, 404, callflows.TransferFailed},
	{"410 Gone", callflows.StatusActionCompleted, 410, callflows.TransferFailed},
	{"484 Address Incomplete", callflows.StatusActionCompleted, 484, callflows.TransferFailed},
	{"488 Not Acceptable Here", callflows.StatusActionCompleted, 488, callflows.TransferFailed},
	{"500 Server Internal Error", callflows.StatusActionCompleted, 500, callflows.TransferFailed},
	{"502 Bad Gateway", callflows.StatusActionCompleted, 502, callflows.TransferFailed},
	{"503 Service Unavailable", callflows.StatusActionCompleted, 503, callflows.TransferFailed},
	{"504 Server Timeout", callflows.StatusActionCompleted, 504, callflows.TransferFailed},
	{"604 Does Not Exist Anywhere", callflows.StatusActionCompleted, 604, callflows.TransferFailed},
	{"606 Not Acceptable", callflows.StatusActionCompleted, 606, callflows.TransferFailed},
	{"699 last 6xx", callflows.StatusActionCompleted, 699, callflows.TransferFailed},

	// Codes that are no final SIP code at all.
	{"0: missing", callflows.StatusActionCompleted, 0, callflows.TransferFailed},
	{"99: below 1xx", callflows.StatusActionCompleted, 99, callflows.TransferFailed},
	{"700: above 6xx", callflows.StatusActionCompleted, 700, callflows.TransferFailed},
	{"-200: negative", callflows.StatusActionCompleted, -200, callflows.TransferFailed},
	{"200.5: not whole", callflows.StatusActionCompleted, 200.5, callflows.TransferFailed},
	{"NaN", callflows.StatusActionCompleted, callflows.Number(math.NaN()), callflows.TransferFailed},
	{"+Inf", callflows.StatusActionCompleted, callflows.Number(math.Inf(1)), callflows.TransferFailed},
	{"1e300", callflows.StatusActionCompleted, 1e300, callflows.TransferFailed},

	// Other callStatus values that say nothing of the leg's end defer
	// to sipCode.
	{"no callStatus, 486", "", 486, callflows.TransferBusy},
	{"CALL_DISCONNECTED, 200", "CALL_DISCONNECTED", 200, callflows.TransferAnswered},
	{"CALL_DISCONNECTED, 480", "CALL_DISCONNECTED", 480, callflows.TransferNoAnswer},
	{"CALL_RECEIVED, 503", callflows.StatusCallReceived, 503, callflows.TransferFailed},
	{"lower-case busy is not a leg status", "busy", 200, callflows.TransferAnswered},

	// A leg status, with no sipCode.
	{"COMPLETED", callflows.LegCompleted, 0, callflows.TransferAnswered},
	{"BUSY", callflows.LegBusy, 0, callflows.TransferBusy},
	{"NO_ANSWER", callflows.LegNoAnswer, 0, callflows.TransferNoAnswer},
	{"CANCELED", callflows.LegCanceled, 0, callflows.TransferNoAnswer},
	{"CANCELLED", "CANCELLED", 0, callflows.TransferNoAnswer},
	{"FAILED", callflows.LegFailed, 0, callflows.TransferFailed},
	{"ERROR", callflows.LegError, 0, callflows.TransferFailed},

	// The leg status wins over a sipCode that says otherwise.
	{"COMPLETED over 486", callflows.LegCompleted, 486, callflows.TransferAnswered},
	{"BUSY over 200", callflows.LegBusy, 200, callflows.TransferBusy},
	{"NO_ANSWER over 503", callflows.LegNoAnswer, 503, callflows.TransferNoAnswer},
	{"FAILED over 200", callflows.LegFailed, 200, callflows.TransferFailed},
	{"CANCELED over 200", callflows.LegCanceled, 200, callflows.TransferNoAnswer},
}

func TestTransferOutcome(t *testing.T) {
	for _, tt := range transferCases {
		t.Run(tt.name, func(t *testing.T) {
			p := callflows.CallActionPayload{CallStatus: tt.status, SipCode: tt.sip}
			if got := p.TransferOutcome(); got != tt.want {
				t.Errorf("callStatus %q, sipCode %v: got %v, want %v", tt.status, tt.sip, got, tt.want)
			}
		})
	}
}

// TestTransferOutcomeDecoded reads the outcome from webhook bodies, as the
// server does: sipCode as 8x8 documents it (a number) and as it may come
// (a string, null, absent).
func TestTransferOutcomeDecoded(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    callflows.TransferOutcome
	}{
		{"answered", `"callStatus":"ACTION_COMPLETED","sipCode":200`, callflows.TransferAnswered},
		{"busy", `"callStatus":"ACTION_COMPLETED","sipCode":486`, callflows.TransferBusy},
		{"no answer", `"callStatus":"ACTION_COMPLETED","sipCode":480`, callflows.TransferNoAnswer},
		{"failed", `"callStatus":"ACTION_COMPLETED","sipCode":404`, callflows.TransferFailed},
		{"sipCode a string", `"callStatus":"ACTION_COMPLETED","sipCode":"486"`, callflows.TransferBusy},
		{"sipCode null", `"callStatus":"ACTION_COMPLETED","sipCode":null`, callflows.TransferFailed},
		{"sipCode absent", `"callStatus":"ACTION_COMPLETED"`, callflows.TransferFailed},
		{"sipCode 200.0", `"sipCode":200.0`, callflows.TransferAnswered},
		{"leg status", `"callStatus":"NO_ANSWER","sipCode":200`, callflows.TransferNoAnswer},
		{"leg status, sipCode absent", `"callStatus":"BUSY"`, callflows.TransferBusy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"namespace":"VOICE","eventType":"CALL_ACTION","payload":{"eventId":"e1","clientActionId":"reception",` + tt.payload + `}}`
			ev, err := callflows.DecodeCallAction([]byte(body))
			if err != nil {
				t.Fatal(err)
			}
			if got := ev.Payload.TransferOutcome(); got != tt.want {
				t.Errorf("%s: got %v, want %v", body, got, tt.want)
			}
		})
	}
}

// TestTransferSignals: what the fake carrier posts for each outcome (its
// leg status, its SIP code, or both) reads back as that outcome.
func TestTransferSignals(t *testing.T) {
	for _, o := range callflows.TransferOutcomes {
		for _, p := range []callflows.CallActionPayload{
			{CallStatus: callflows.StatusActionCompleted, SipCode: callflows.Number(o.SipCode())},
			{CallStatus: o.LegStatus()},
			{CallStatus: o.LegStatus(), SipCode: callflows.Number(o.SipCode())},
		} {
			if got := p.TransferOutcome(); got != o {
				t.Errorf("%v: callStatus %q, sipCode %v reads as %v", o, p.CallStatus, p.SipCode, got)
			}
		}
	}
	if s, c := callflows.TransferNone.LegStatus(), callflows.TransferNone.SipCode(); s != "" || c != 0 {
		t.Errorf("TransferNone signals %q, %d; want nothing", s, c)
	}
}

func TestTransferOutcomeNames(t *testing.T) {
	want := []string{"answered", "busy", "no_answer", "failed"}
	if len(callflows.TransferOutcomes) != len(want) {
		t.Fatalf("%d outcomes, want %d", len(callflows.TransferOutcomes), len(want))
	}
	for i, o := range callflows.TransferOutcomes {
		if o.String() != want[i] {
			t.Errorf("outcome %d is %q, want %q", i, o, want[i])
		}
		if got, ok := callflows.ParseTransferOutcome(want[i]); !ok || got != o {
			t.Errorf("ParseTransferOutcome(%q) = %v, %v; want %v", want[i], got, ok, o)
		}
	}
	for _, name := range []string{"", "Answered", "no-answer", "noanswer", "then", "unknown"} {
		if o, ok := callflows.ParseTransferOutcome(name); ok {
			t.Errorf("ParseTransferOutcome(%q) = %v, want none", name, o)
		}
	}
	if s := callflows.TransferNone.String(); s != "" {
		t.Errorf("TransferNone is %q, want empty", s)
	}
	if s := callflows.TransferOutcome(9).String(); s != "TransferOutcome(9)" {
		t.Errorf("TransferOutcome(9) is %q", s)
	}
}

func TestTransferOutcomeAllocatesNothing(t *testing.T) {
	ps := make([]callflows.CallActionPayload, len(transferCases))
	for i, tt := range transferCases {
		ps[i] = callflows.CallActionPayload{CallStatus: tt.status, SipCode: tt.sip}
	}
	if n := testing.AllocsPerRun(100, func() {
		for i := range ps {
			ps[i].CallDuration = callflows.Number(ps[i].TransferOutcome())
		}
	}); n != 0 {
		t.Errorf("%v allocations per pass over the cases, want 0", n)
	}
}

// BenchmarkTransferOutcome measures the mapping on the payloads of the
// four usual ends of a transfer (sipCode under ACTION_COMPLETED) and of a
// leg status.
func BenchmarkTransferOutcome(b *testing.B) {
	for _, bb := range []struct {
		name   string
		status string
	}{{"sipCode", callflows.StatusActionCompleted}, {"legStatus", ""}} {
		ps := make([]callflows.CallActionPayload, 0, len(callflows.TransferOutcomes))
		for _, o := range callflows.TransferOutcomes {
			p := callflows.CallActionPayload{CallStatus: bb.status, SipCode: callflows.Number(o.SipCode())}
			if bb.status == "" {
				p = callflows.CallActionPayload{CallStatus: o.LegStatus()}
			}
			ps = append(ps, p)
		}
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			var answered int
			for i := 0; b.Loop(); i++ {
				if ps[i%len(ps)].TransferOutcome() == callflows.TransferAnswered {
					answered++
				}
			}
			if answered == 0 {
				b.Fatal("no call was answered")
			}
		})
	}
}

// FuzzTransferOutcome: whatever callStatus and sipCode a VCA carries,
// the outcome is one of the four a dial node branches on, and a leg's
// end status decides it whatever the code.
func FuzzTransferOutcome(f *testing.F) {
	for _, tt := range transferCases {
		f.Add(tt.status, float64(tt.sip))
	}
	f.Fuzz(func(t *testing.T, status string, sip float64) {
		p := callflows.CallActionPayload{CallStatus: status, SipCode: callflows.Number(sip)}
		got := p.TransferOutcome()
		if got < callflows.TransferAnswered || got > callflows.TransferFailed {
			t.Fatalf("callStatus %q, sipCode %v: outcome %v", status, sip, got)
		}
		for _, o := range callflows.TransferOutcomes {
			if status == o.LegStatus() && got != o {
				t.Fatalf("callStatus %q, sipCode %v: outcome %v, want %v", status, sip, got, o)
			}
		}
	})
}
