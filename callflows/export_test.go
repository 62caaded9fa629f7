package callflows

// Exported for the tests of the fast path in package callflows_test.
var (
	DecodeCallActionFast     = decodeCallActionFast
	DecodeCallActionFastInto = decodeCallActionFastInto
	DecodeCallActionSlow     = decodeCallActionSlow
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

// FastField is a field of the fast path's lists: its JSON name and where
// its value goes.
type FastField struct {
	Name string
	Dst  any
}

// FastFields returns the fast path's lists of the fields of ev and of its
// payload, with their places in ev.
func FastFields(ev *CallAction) (envelope, payload []FastField) {
	export := func(fields []field) []FastField {
		out := make([]FastField, len(fields))
		for i, f := range fields {
			out[i] = FastField{f.name, f.dst}
		}
		return out
	}
	e, p := callActionFields(ev), payloadFields(&ev.Payload)
	return export(e[:]), export(p[:])
}
