package callflows

// Exported for the tests of the fast path in package callflows_test.
var (
	DecodeCallActionFast = decodeCallActionFast
	DecodeCallActionSlow = decodeCallActionSlow
	CallActionKeys       = callActionKeys[:]
	PayloadKeys          = payloadKeys[:]
	EventDataDigitsFast  = eventDataDigitsFast
	EventDataDigitsSlow  = eventDataDigitsSlow
)
