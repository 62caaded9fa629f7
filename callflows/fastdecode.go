package callflows

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// The fast path of DecodeCallAction.
//
// Decoding a VCA webhook with encoding/json costs several microseconds of
// reflection per request. decodeCallActionFast reads the shape 8x8 actually
// sends in one pass over the bytes instead, and gives up ("not sure",
// ok=false) on anything else: escapes or non-ASCII in the strings it keeps,
// keys that encoding/json would match case-insensitively, duplicate keys,
// values of an unexpected type, invalid JSON, deep nesting. DecodeCallAction
// then runs decodeCallActionSlow, the encoding/json reference, which decides
// every error and every lenient conversion.
//
// So the fast path never has to be right about a body it gives up on, and
// never reports an error; it only has to be exactly right about the bodies
// it accepts: its result must be reflect.DeepEqual to the slow path's.
// FuzzDecodeCallActionFast checks exactly that, and
// TestFastPathTakesRealBodies that it does accept the bodies 8x8 sends.
//
// The rules of encoding/json it relies on, each checked by experiment:
//   - a key matches a field by exact name, else case-insensitively with
//     Unicode folding (U+017F folds to s, U+212A to k); keys that are not
//     plain ASCII, or differ from a field's name only in case, are left to
//     the slow path;
//   - null leaves a string or struct field as it was (here: empty), and
//     makes a Text "" and a Number 0 through their UnmarshalJSON;
//   - a json.RawMessage gets a copy of the value's bytes, inner white space
//     included, and "null" for null.

// maxFastDepth bounds the nesting of objects and arrays the fast path reads
// (the body's object is depth 1); deeper bodies go to the slow path. 8x8's
// bodies are 3 deep.
const maxFastDepth = 100

// callActionKeys and payloadKeys are the JSON names of the fields of
// CallAction and CallActionPayload, which decodeCallActionFast must not
// skip as unknown keys in any case-folded spelling.
var (
	callActionKeys = [...]string{"namespace", "eventType", "description", "payload"}
	payloadKeys    = [...]string{
		"eventId", "callId", "sessionId", "subAccountId", "callStatus", "callDirection", "callType",
		"source", "destination", "sourceFormat", "destinationFormat", "sourceCountryCode",
		"destinationCountryCode", "sourceRefId", "destinationRefId", "callDuration", "eventData",
		"dtmf", "sipCode", "timestamp", "clientActionId",
	}
)

// decodeCallActionFast decodes a VCA webhook body of the usual shape, as
// decodeCallActionSlow would; ok=false means it is not sure, and the body
// must go to decodeCallActionSlow. See the comment at the top of this file.
func decodeCallActionFast(body []byte) (ev *CallAction, ok bool) {
	d := fastDecoder{b: body}
	ev = new(CallAction)
	d.skipSpace()
	if !d.callAction(ev) {
		return nil, false
	}
	d.skipSpace()
	if d.i != len(d.b) {
		return nil, false
	}
	d.copyStrings()
	return ev, true
}

// eventDataDigitsFast finds the digits in a trimmed, non-empty eventData
// as eventDataDigitsSlow would, when it is an object whose keys are plain
// and whose dtmf is a plain string or null, or a plain string; ok=false
// means it is not sure.
func eventDataDigitsFast(raw []byte) (digits string, ok bool) {
	d := fastDecoder{b: raw}
	switch raw[0] {
	case '{':
		seen := false
		ok = d.object(1, func(key []byte, plain bool) bool {
			switch {
			case !plain:
				return false
			case string(key) == "dtmf":
				if seen {
					return false
				}
				seen = true
				return d.str(&digits)
			}
			return !foldsToAny(key, dtmfKey) && d.skipValue(2)
		})
	case '"':
		ok = d.str(&digits)
	}
	if !ok || d.i != len(d.b) {
		return "", false
	}
	d.copyStrings()
	digits = strings.TrimSpace(digits)
	if raw[0] == '"' && !IsDTMF(digits) {
		return "", true // free text, not digits
	}
	return digits, true
}

// dtmfKey is the one key eventDataDigits reads from an eventData object.
var dtmfKey = []string{"dtmf"}

// fastDecoder is the state of decodeCallActionFast's pass over a body.
type fastDecoder struct {
	b []byte // the body
	i int    // read offset in b

	// strs are the string fields read so far, as spans of b. copyStrings
	// copies them all out of b in one allocation, of just their bytes,
	// once the whole body has been read: nothing decoded may share memory
	// with the body, whose buffer the server reuses. Each field is read at
	// most once, and fewer than all of them are strings.
	strs  [len(callActionKeys) + len(payloadKeys)]strSpan
	nstrs int
}

// strSpan is a string field and where its value is in the body.
type strSpan struct {
	dst        *string
	start, end int
}

// callAction reads the envelope object at d.i into ev.
func (d *fastDecoder) callAction(ev *CallAction) bool {
	var seen uint32
	return d.object(1, func(key []byte, plain bool) bool {
		if !plain {
			return false
		}
		switch string(key) {
		case "namespace":
			return once(&seen, 0) && d.str(&ev.Namespace)
		case "eventType":
			return once(&seen, 1) && d.str(&ev.EventType)
		case "description":
			return once(&seen, 2) && d.str(&ev.Description)
		case "payload":
			if !once(&seen, 3) {
				return false
			}
			if d.peek() == 'n' {
				return d.literal("null") // leaves the payload zero
			}
			return d.payload(&ev.Payload)
		}
		return !foldsToAny(key, callActionKeys[:]) && d.skipValue(2)
	})
}

// payload reads the payload object at d.i into p.
func (d *fastDecoder) payload(p *CallActionPayload) bool {
	var seen uint32
	return d.object(2, func(key []byte, plain bool) bool {
		if !plain {
			return false
		}
		switch string(key) {
		case "eventId":
			return once(&seen, 0) && d.str(&p.EventID)
		case "callId":
			return once(&seen, 1) && d.str(&p.CallID)
		case "sessionId":
			return once(&seen, 2) && d.str(&p.SessionID)
		case "subAccountId":
			return once(&seen, 3) && d.str(&p.SubAccountID)
		case "callStatus":
			return once(&seen, 4) && d.str(&p.CallStatus)
		case "callDirection":
			return once(&seen, 5) && d.str(&p.CallDirection)
		case "callType":
			return once(&seen, 6) && d.str(&p.CallType)
		case "source":
			return once(&seen, 7) && d.str(&p.Source)
		case "destination":
			return once(&seen, 8) && d.str(&p.Destination)
		case "sourceFormat":
			return once(&seen, 9) && d.str(&p.SourceFormat)
		case "destinationFormat":
			return once(&seen, 10) && d.str(&p.DestinationFormat)
		case "sourceCountryCode":
			return once(&seen, 11) && d.str(&p.SourceCountryCode)
		case "destinationCountryCode":
			return once(&seen, 12) && d.str(&p.DestinationCountryCode)
		case "sourceRefId":
			return once(&seen, 13) && d.text(&p.SourceRefID)
		case "destinationRefId":
			return once(&seen, 14) && d.text(&p.DestinationRefID)
		case "callDuration":
			return once(&seen, 15) && d.number(&p.CallDuration)
		case "eventData":
			return once(&seen, 16) && d.raw(&p.EventData, 3)
		case "dtmf":
			return once(&seen, 17) && d.text(&p.DTMF)
		case "sipCode":
			return once(&seen, 18) && d.number(&p.SipCode)
		case "timestamp":
			return once(&seen, 19) && d.str(&p.Timestamp)
		case "clientActionId":
			return once(&seen, 20) && d.str(&p.ClientActionID)
		}
		return !foldsToAny(key, payloadKeys[:]) && d.skipValue(3)
	})
}

// once marks field number bit as seen, and reports whether it was not
// seen before: the fast path leaves a repeated key to the slow path.
func once(seen *uint32, bit uint) bool {
	if *seen&(1<<bit) != 0 {
		return false
	}
	*seen |= 1 << bit
	return true
}

// foldsToAny reports whether the ASCII key equals one of names but for
// case, as encoding/json would match it to that field.
func foldsToAny(key []byte, names []string) bool {
	for _, name := range names {
		if equalFoldASCII(key, name) {
			return true
		}
	}
	return false
}

// equalFoldASCII reports whether ASCII key and name are equal but for the
// case of letters.
func equalFoldASCII(key []byte, name string) bool {
	if len(key) != len(name) {
		return false
	}
	for i := range len(key) {
		a, b := key[i], name[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// str reads the value at d.i into the string field dst: a plain string
// (see scanString), or null, which leaves dst as it is.
func (d *fastDecoder) str(dst *string) bool {
	switch d.peek() {
	case '"':
		start, end, plain, ok := d.scanString()
		if !ok || !plain || d.nstrs == len(d.strs) { // (never full: see strs)
			return false
		}
		d.strs[d.nstrs] = strSpan{dst, start, end}
		d.nstrs++
		return true
	case 'n':
		return d.literal("null")
	}
	return false
}

// text reads the value at d.i into the Text field dst: a plain string, or
// null, for which Text.UnmarshalJSON gives "" (dst is still "", as no field
// is read twice). Numbers and booleans go to the slow path.
func (d *fastDecoder) text(dst *Text) bool {
	return d.str((*string)(dst))
}

// number reads the value at d.i into the Number field dst: a JSON number,
// or null, which Number.UnmarshalJSON makes 0. A number is parsed by
// Number.UnmarshalJSON's rules: strconv.ParseFloat, and 0 for one out of a
// float64's range. Strings go to the slow path.
func (d *fastDecoder) number(dst *Number) bool {
	switch c := d.peek(); {
	case c == '-' || '0' <= c && c <= '9':
		start := d.i
		if !d.scanNumber() {
			return false
		}
		f, err := strconv.ParseFloat(string(d.b[start:d.i]), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			f = 0
		}
		*dst = Number(f)
		return true
	case c == 'n':
		*dst = 0
		return d.literal("null")
	}
	return false
}

// raw reads the value at d.i, at nesting depth depth, into dst as a copy
// of its bytes, as json.RawMessage.UnmarshalJSON does ("null" for null).
func (d *fastDecoder) raw(dst *json.RawMessage, depth int) bool {
	start := d.i
	if !d.skipValue(depth) {
		return false
	}
	*dst = bytes.Clone(d.b[start:d.i])
	return true
}

// copyStrings sets the string fields read to their values, copied out of
// the body into one new string.
func (d *fastDecoder) copyStrings() {
	spans := d.strs[:d.nstrs]
	n := 0
	for _, s := range spans {
		n += s.end - s.start
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, s := range spans {
		sb.Write(d.b[s.start:s.end])
	}
	all := sb.String()
	off := 0
	for _, s := range spans {
		end := off + s.end - s.start
		*s.dst = all[off:end]
		off = end
	}
}

// object reads the object at d.i, at nesting depth depth, calling member
// with each member's key, and whether the key is plain (see scanString),
// with d.i at the member's value. member must read the value.
func (d *fastDecoder) object(depth int, member func(key []byte, plain bool) bool) bool {
	return d.list(depth, '{', '}', func() bool {
		if d.peek() != '"' {
			return false
		}
		start, end, plain, ok := d.scanString()
		if !ok {
			return false
		}
		d.skipSpace()
		if d.peek() != ':' {
			return false
		}
		d.i++
		d.skipSpace()
		return member(d.b[start:end], plain)
	})
}

// array reads and validates the array at d.i, at nesting depth depth.
func (d *fastDecoder) array(depth int) bool {
	return d.list(depth, '[', ']', func() bool { return d.skipValue(depth + 1) })
}

// list reads what objects and arrays share: open, then items separated by
// commas, then close, with space anywhere between. item reads one item at
// d.i.
func (d *fastDecoder) list(depth int, open, closing byte, item func() bool) bool {
	if depth > maxFastDepth || d.peek() != open {
		return false
	}
	d.i++
	d.skipSpace()
	if d.peek() == closing {
		d.i++
		return true
	}
	for {
		if !item() {
			return false
		}
		d.skipSpace()
		switch d.peek() {
		case ',':
			d.i++
			d.skipSpace()
		case closing:
			d.i++
			return true
		default:
			return false
		}
	}
}

// skipValue reads and validates the value at d.i, at nesting depth depth
// if it is an object or an array.
func (d *fastDecoder) skipValue(depth int) bool {
	switch c := d.peek(); {
	case c == '"':
		_, _, _, ok := d.scanString()
		return ok
	case c == '{':
		return d.object(depth, func([]byte, bool) bool { return d.skipValue(depth + 1) })
	case c == '[':
		return d.array(depth)
	case c == '-' || '0' <= c && c <= '9':
		return d.scanNumber()
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	}
	return false
}

// scanString reads the string at d.i (at its opening quote) and returns
// the span of its contents between the quotes. plain reports whether they
// are the string's value as is, and equal to no other string under Unicode
// folding: no escapes, and only bytes 0x20 to 0x7F. ok is false for a
// string that is not valid JSON.
func (d *fastDecoder) scanString() (start, end int, plain, ok bool) {
	start = d.i + 1 // past the opening quote
	plain = true
	i := start
	for {
		for i < len(d.b) && plainStringByte[d.b[i]] {
			i++
		}
		if i == len(d.b) {
			return 0, 0, false, false
		}
		switch c := d.b[i]; {
		case c == '"':
			d.i = i + 1
			return start, i, plain, true
		case c == '\\':
			plain = false
			d.i = i
			if !d.escape() {
				return 0, 0, false, false
			}
			i = d.i
		case c < 0x20:
			return 0, 0, false, false // control characters must be escaped
		default: // c >= 0x80
			plain = false // encoding/json would check the UTF-8
			i++
		}
	}
}

// plainStringByte tells the bytes that scanString takes as they are: 0x20
// to 0x7F but for the quote and the backslash.
var plainStringByte = func() (t [256]bool) {
	for c := 0x20; c <= 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// escape reads and validates the escape sequence at d.i, at its backslash.
func (d *fastDecoder) escape() bool {
	d.i++
	switch d.peek() {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		d.i++
		return true
	case 'u':
		if len(d.b)-d.i < 5 {
			return false
		}
		for _, h := range d.b[d.i+1 : d.i+5] {
			if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
				return false
			}
		}
		d.i += 5
		return true
	}
	return false
}

// scanNumber reads and validates the number at d.i, in JSON's syntax:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *fastDecoder) scanNumber() bool {
	if d.peek() == '-' {
		d.i++
	}
	switch c := d.peek(); {
	case c == '0':
		d.i++
	case '1' <= c && c <= '9':
		d.digits()
	default:
		return false
	}
	if d.peek() == '.' {
		d.i++
		if !d.digits() {
			return false
		}
	}
	if c := d.peek(); c == 'e' || c == 'E' {
		d.i++
		if c := d.peek(); c == '+' || c == '-' {
			d.i++
		}
		if !d.digits() {
			return false
		}
	}
	return true
}

// digits reads a run of decimal digits and reports whether there was one.
func (d *fastDecoder) digits() bool {
	start := d.i
	for d.i < len(d.b) && '0' <= d.b[d.i] && d.b[d.i] <= '9' {
		d.i++
	}
	return d.i > start
}

// literal reads the literal lit (true, false or null) at d.i.
func (d *fastDecoder) literal(lit string) bool {
	if len(d.b)-d.i < len(lit) || string(d.b[d.i:d.i+len(lit)]) != lit {
		return false
	}
	d.i += len(lit)
	return true
}

// skipSpace skips JSON's white space.
func (d *fastDecoder) skipSpace() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek returns the byte at d.i, or 0 at the end of the body: 0 is not
// valid anywhere in JSON, so it never matches what the caller looks for.
func (d *fastDecoder) peek() byte {
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}
