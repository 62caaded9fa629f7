package callflows

// Exported for the tests of the fast path in package callflows_test.
var (
	DecodeCallActionFast     = decodeCallActionFast
	DecodeCallActionFastInto = decodeCallActionFastInto
	DecodeCallActionSlow     = decodeCallActionSlow
	CallActionKeys           = callActionKeys[:]
	PayloadKeys              = payloadKeys[:]
	EventDataDigitsFast      = eventDataDigitsFast
	EventDataDigitsSlow      = eventDataDigitsSlow
)

// decodeCallActionFast is the fast path alone, into a new CallAction, as
// the differential tests compare it with decodeCallActionSlow.
func decodeCallActionFast(body []byte) (*CallAction, bool) {
	ev := new(CallAction)
	if !decodeCallActionFastInto(ev, body) {
		return nil, false
	}
	return ev, true
}
