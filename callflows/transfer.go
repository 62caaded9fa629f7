package callflows

import "strconv"

// How a transfer ended.
//
// When a VCA answer ends with makeCall, 8x8 bridges the caller to another
// number, and posts a VCA again when that bridged call is over. The VCA's
// callStatus and sipCode say how it went; TransferOutcome reads them. The
// mapping, what of it 8x8 documents and what is inferred, is in
// docs/transfers.md: keep the two in step.

// TransferOutcome is how a bridged call (a transfer) ended, as a dial
// node branches on it.
type TransferOutcome uint8

// The outcomes of a transfer. The zero value, TransferNone, is "no
// outcome": an input that is not the end of a transfer.
// CallActionPayload.TransferOutcome never returns it.
const (
	TransferNone     TransferOutcome = iota
	TransferAnswered                 // the far end answered; the bridged call has ended
	TransferBusy                     // the far end was busy or declined the call
	TransferNoAnswer                 // it rang and nobody answered, or it could not be reached for now
	TransferFailed                   // anything else: the call could not be made
)

// TransferOutcomes lists the outcomes a transfer can end with, in the
// order a dial node lists its branches.
var TransferOutcomes = [...]TransferOutcome{TransferAnswered, TransferBusy, TransferNoAnswer, TransferFailed}

// transferOutcomeNames are the outcomes' names, as a flow's YAML names a
// dial node's branches.
var transferOutcomeNames = [...]string{
	TransferNone:     "",
	TransferAnswered: "answered",
	TransferBusy:     "busy",
	TransferNoAnswer: "no_answer",
	TransferFailed:   "failed",
}

// transferSignals are what 8x8 would post for each outcome: the leg's
// callStatus, in the vocabulary of the session summary's legs, and a
// final SIP code that means the outcome. The fake carrier builds its VCAs
// from these, and a test holds them to TransferOutcome.
var transferSignals = [...]struct {
	status string
	sip    int
}{
	TransferNone:     {"", 0},
	TransferAnswered: {LegCompleted, 200}, // OK
	TransferBusy:     {LegBusy, 486},      // Busy Here
	TransferNoAnswer: {LegNoAnswer, 480},  // Temporarily Unavailable
	TransferFailed:   {LegFailed, 503},    // Service Unavailable
}

// The callStatus values of a call leg's end, as 8x8 documents them for
// the legs of a session summary (details.callA.callStatus...).
const (
	LegCompleted = "COMPLETED"
	LegBusy      = "BUSY"
	LegNoAnswer  = "NO_ANSWER"
	LegFailed    = "FAILED"
	LegCanceled  = "CANCELED"
	LegError     = "ERROR"
)

// String returns the outcome's name as a flow names the branch:
// answered, busy, no_answer or failed; "" for TransferNone.
func (o TransferOutcome) String() string {
	if int(o) < len(transferOutcomeNames) {
		return transferOutcomeNames[o]
	}
	return "TransferOutcome(" + strconv.Itoa(int(o)) + ")"
}

// LegStatus returns the callStatus of a leg that ended with o, as 8x8
// documents it for a session summary's legs ("" for TransferNone).
func (o TransferOutcome) LegStatus() string {
	if int(o) < len(transferSignals) {
		return transferSignals[o].status
	}
	return ""
}

// SipCode returns a final SIP response code (RFC 3261) that means o: 200,
// 486, 480 or 503; 0 for TransferNone.
func (o TransferOutcome) SipCode() int {
	if int(o) < len(transferSignals) {
		return transferSignals[o].sip
	}
	return 0
}

// ParseTransferOutcome returns the outcome named name (answered, busy,
// no_answer or failed), and false for any other name.
func ParseTransferOutcome(name string) (TransferOutcome, bool) {
	for _, o := range TransferOutcomes {
		if transferOutcomeNames[o] == name {
			return o, true
		}
	}
	return TransferNone, false
}

// TransferOutcome returns how the bridged call ended, for a VCA that 8x8
// posts at the end of a transfer (the previous answer ended with
// makeCall); whether it is one is the caller's to know, from the call's
// state. It is always one of TransferOutcomes.
//
// Precedence:
//  1. callStatus, when it is one of the statuses 8x8 documents for the end
//     of a leg: COMPLETED is answered, BUSY busy, NO_ANSWER and CANCELED
//     (also spelt CANCELLED) no answer, FAILED and ERROR failed. 8x8's
//     SIP page says to read outcomes from these rather than from sipCode.
//  2. Otherwise (callStatus is ACTION_COMPLETED, CALL_DISCONNECTED,
//     anything else or nothing) sipCode, by RFC 3261: 2xx answered; 486
//     Busy Here, 600 Busy Everywhere and 603 Decline busy; 1xx (the leg
//     ended while still ringing), 408 Request Timeout, 480 Temporarily
//     Unavailable and 487 Request Terminated no answer; every other code
//     failed.
//  3. A sipCode that is missing, zero or malformed (not a whole number
//     in 100-699) is failed: nothing says the call went through, and a flow that
//     does not branch on failed goes on to then all the same.
//
// It allocates nothing; it runs once per webhook at a dial node.
func (p *CallActionPayload) TransferOutcome() TransferOutcome {
	if o := legStatusOutcome(p.CallStatus); o != TransferNone {
		return o
	}
	return sipCodeOutcome(p.SipCode)
}

// legStatusOutcome maps a leg's end status to its outcome, and anything
// else to TransferNone.
func legStatusOutcome(status string) TransferOutcome {
	switch status {
	case LegCompleted:
		return TransferAnswered
	case LegBusy:
		return TransferBusy
	case LegNoAnswer, LegCanceled, "CANCELLED":
		// CANCELED: the leg was given up before it connected, which
		// for a transfer is the caller giving up on the ringing.
		return TransferNoAnswer
	case LegFailed, LegError:
		return TransferFailed
	}
	return TransferNone
}

// sipCodeOutcome maps a final SIP response code to its outcome.
func sipCodeOutcome(n Number) TransferOutcome {
	f := float64(n)
	if !(f >= 100 && f < 700) || f != float64(int(f)) { // also NaN
		return TransferFailed
	}
	switch code := int(f); {
	case code < 200:
		return TransferNoAnswer
	case code < 300:
		return TransferAnswered
	case code == 486 || code == 600 || code == 603:
		return TransferBusy
	case code == 408 || code == 480 || code == 487:
		return TransferNoAnswer
	}
	return TransferFailed
}
