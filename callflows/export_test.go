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

// FastField is a field of the fast path's lists: its JSON name, the
// offset of its field in the struct, and the kind of value it takes:
// string, number, raw or payload.
type FastField struct {
	Name   string
	Offset uintptr
	Kind   string
}

// FastFields returns the fast path's lists of the fields of CallAction and
// of CallActionPayload.
func FastFields() (envelope, payload []FastField) {
	export := func(fields []field) []FastField {
		kinds := map[fieldKind]string{stringField: "string", numberField: "number", rawField: "raw", payloadField: "payload"}
		out := make([]FastField, len(fields))
		for i, f := range fields {
			out[i] = FastField{f.name, f.offset, kinds[f.kind]}
		}
		return out
	}
	return export(callActionFields[:]), export(payloadFields[:])
}
