package callflows

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unsafe"
)

// The fast path of DecodeCallAction.
//
// Decoding a VCA webhook with encoding/json costs several microseconds of
// reflection per request. decodeCallActionFastInto reads the shape 8x8
// actually sends in one pass over the bytes instead, and gives up ("not sure",
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

// How the fast path is fast, each measured with BenchmarkDecodeCallAction:
//   - it is straight loops over the bytes, with no closures, so the
//     decoder's state stays on the stack and the small steps inline;
//   - every string field is a substring of one string of all their bytes,
//     made at the end: one allocation;
//   - the fields are static tables (name, kind, offset), and a key is
//     found by a perfect hash of its length and two words of it
//     (fieldIndex), nearly as cheaply as a switch on the names would;
//   - the integers 8x8 sends (sipCode 200, callDuration 14) are converted
//     without strconv, exactly (smallInt);
//   - the digits in eventData are found without allocating for the usual
//     single key: the runtime converts a one-byte []byte to a string
//     without allocating (TestEventDataDigitsFastKeys checks it).

// maxFastDepth bounds the nesting of objects and arrays the fast path reads
// (the body's object is depth 1); deeper bodies go to the slow path. 8x8's
// bodies are 3 deep.
const maxFastDepth = 100

// field is a member of an object the fast path decodes: its JSON name,
// the kind of value it takes, and where it goes, as the offset of its
// field in the struct.
type field struct {
	name   string
	kind   fieldKind
	offset uintptr
}

// fieldKind says which values a field takes, by its type.
type fieldKind uint8

const (
	stringField  fieldKind = iota // a string or a Text: a plain string, or null
	numberField                   // a Number: a JSON number, or null
	rawField                      // a json.RawMessage: any value, as it is
	payloadField                  // the CallActionPayload: an object, or null
)

// callActionFields and payloadFields are the one list of the fields of
// CallAction and CallActionPayload that the fast path decodes: the
// decoder, its tests and its fuzz seeds all read it.
// TestFastPathFieldsMatchStructs holds it to the structs, as encoding/json
// reads them: the same JSON names in the same order, each with its own
// field's offset and a kind that suits the field's type. A field added to
// a struct and not here would be skipped as an unknown key; that test
// fails first.
//
// Offsets, so that nothing is built per body: a list of pointers into the
// value, built for each body (with keys compared as strings), measured
// about a quarter slower in alternated CPU profiles of
// BenchmarkDecodeCallAction.
var (
	callActionFields = [...]field{
		{"namespace", stringField, unsafe.Offsetof(CallAction{}.Namespace)},
		{"eventType", stringField, unsafe.Offsetof(CallAction{}.EventType)},
		{"description", stringField, unsafe.Offsetof(CallAction{}.Description)},
		{"payload", payloadField, unsafe.Offsetof(CallAction{}.Payload)},
	}
	payloadFields = [...]field{
		{"eventId", stringField, unsafe.Offsetof(CallActionPayload{}.EventID)},
		{"callId", stringField, unsafe.Offsetof(CallActionPayload{}.CallID)},
		{"sessionId", stringField, unsafe.Offsetof(CallActionPayload{}.SessionID)},
		{"subAccountId", stringField, unsafe.Offsetof(CallActionPayload{}.SubAccountID)},
		{"callStatus", stringField, unsafe.Offsetof(CallActionPayload{}.CallStatus)},
		{"callDirection", stringField, unsafe.Offsetof(CallActionPayload{}.CallDirection)},
		{"callType", stringField, unsafe.Offsetof(CallActionPayload{}.CallType)},
		{"source", stringField, unsafe.Offsetof(CallActionPayload{}.Source)},
		{"destination", stringField, unsafe.Offsetof(CallActionPayload{}.Destination)},
		{"sourceFormat", stringField, unsafe.Offsetof(CallActionPayload{}.SourceFormat)},
		{"destinationFormat", stringField, unsafe.Offsetof(CallActionPayload{}.DestinationFormat)},
		{"sourceCountryCode", stringField, unsafe.Offsetof(CallActionPayload{}.SourceCountryCode)},
		{"destinationCountryCode", stringField, unsafe.Offsetof(CallActionPayload{}.DestinationCountryCode)},
		{"sourceRefId", stringField, unsafe.Offsetof(CallActionPayload{}.SourceRefID)},
		{"destinationRefId", stringField, unsafe.Offsetof(CallActionPayload{}.DestinationRefID)},
		{"callDuration", numberField, unsafe.Offsetof(CallActionPayload{}.CallDuration)},
		{"eventData", rawField, unsafe.Offsetof(CallActionPayload{}.EventData)},
		{"dtmf", stringField, unsafe.Offsetof(CallActionPayload{}.DTMF)},
		{"sipCode", numberField, unsafe.Offsetof(CallActionPayload{}.SipCode)},
		{"timestamp", stringField, unsafe.Offsetof(CallActionPayload{}.Timestamp)},
		{"clientActionId", stringField, unsafe.Offsetof(CallActionPayload{}.ClientActionID)},
	}
)

// Indexes of the fields by name, made once from the lists.
var (
	callActionIndex = newFieldIndex(callActionFields[:])
	payloadIndex    = newFieldIndex(payloadFields[:])
)

// fieldIndex finds a field of a list by its exact name, with a Go map. A
// perfect hash of the names, hand-made, decoded a body 0.25 µs faster
// (BenchmarkDecodeCallAction/fast: 920 against 1,170 ns), but saved only
// 0.16 µs of the 32 µs of CPU a webhook costs the server (median of 11
// alternated rounds of the load script, 98.8% interval -1.04 to 0.65):
// less than the 3% that would pay for its code.
type fieldIndex struct {
	fields []field
	byName map[string]int
}

func newFieldIndex(fields []field) fieldIndex {
	if len(fields) > 32 {
		panic("callflows: more fields than bits in the fast path's set of fields seen")
	}
	ix := fieldIndex{fields: fields, byName: make(map[string]int, len(fields))}
	for j, f := range fields {
		ix.byName[f.name] = j
	}
	return ix
}

// find returns the position in its list of the field named key, or -1.
func (ix *fieldIndex) find(key []byte) int {
	if j, ok := ix.byName[string(key)]; ok { // no allocation: the compiler looks up key's bytes
		return j
	}
	return -1
}

// decodeCallActionFastInto decodes a VCA webhook body of the usual shape
// into ev, as decodeCallActionSlow would, overwriting ev whole and reusing
// the memory of its EventData. ok=false means it is not sure, and the body
// must go to decodeCallActionSlow (ev then holds garbage). See the comment
// at the top of this file.
func decodeCallActionFastInto(ev *CallAction, body []byte) (ok bool) {
	d := fastDecoder{scanner: scanner{b: body}, eventData: ev.Payload.EventData[:0]}
	*ev = CallAction{}
	d.skipSpace()
	if !d.object(unsafe.Pointer(ev), &callActionIndex, 1) {
		return false
	}
	d.skipSpace()
	if d.i != len(d.b) {
		return false
	}
	d.copyStrings()
	return true
}

// eventDataDigitsFast finds the digits in a trimmed, non-empty eventData
// as eventDataDigitsSlow would, when it is an object whose keys are plain
// and whose dtmf is a plain string or null, or a plain string; ok=false
// means it is not sure.
func eventDataDigitsFast(raw []byte) (digits string, ok bool) {
	s := scanner{b: raw}
	var start, end int // the digits' span in raw, before trimming
	switch raw[0] {
	case '{':
		start, end, ok = s.eventDataDTMF()
	case '"':
		var plain bool
		start, end, plain, ok = s.scanString()
		ok = ok && plain
	}
	if !ok || s.i != len(raw) {
		return "", false
	}
	// strings.TrimSpace, for a plain string: its only white space byte is
	// the space, as the others are control characters or not ASCII.
	for start < end && raw[start] == ' ' {
		start++
	}
	for end > start && raw[end-1] == ' ' {
		end--
	}
	b := raw[start:end]
	if raw[0] == '"' && !isDTMF(b) {
		return "", true // free text, not digits
	}
	return string(b), true // no allocation for one byte: see the top of the file
}

// eventDataDTMF reads the eventData object at s.i, and returns the span of
// its dtmf's value, a plain string; start == end for a null or absent
// dtmf. ok=false means it is not sure: a key that is not plain, or that
// encoding/json would take for dtmf but for case, dtmf twice, a dtmf of
// another type, invalid JSON.
func (s *scanner) eventDataDTMF() (start, end int, ok bool) {
	if s.enter('}') {
		return 0, 0, true
	}
	seen := false
	for {
		ks, ke, vi := memberKey(s.b, s.i)
		if vi < 0 {
			return 0, 0, false
		}
		s.i = vi
		switch key := s.b[ks:ke]; {
		case string(key) == "dtmf":
			if seen {
				return 0, 0, false
			}
			seen = true
			switch s.peek() {
			case '"':
				var plain bool
				if start, end, plain, ok = s.scanString(); !ok || !plain {
					return 0, 0, false
				}
			case 'n':
				if !s.literal("null") {
					return 0, 0, false
				}
			default:
				return 0, 0, false
			}
		case equalFoldASCII(key, "dtmf") || !s.skipValue(2):
			return 0, 0, false
		}
		var more bool
		if more, ok = s.next('}'); !more {
			return start, end, ok
		}
	}
}

// scanner reads and validates JSON in a byte slice, one value after
// another: the parts decodeCallActionFastInto and eventDataDigitsFast share.
type scanner struct {
	b []byte // the JSON
	i int    // read offset in b
}

// fastDecoder is the state of decodeCallActionFastInto's pass over a body.
type fastDecoder struct {
	scanner

	// strs are the string fields read so far, as spans of b, in the order
	// of the body. copyStrings copies them out of b once the whole body
	// has been read: nothing decoded may share memory with the body, whose
	// buffer the server reuses. Each field is read at most once, and fewer
	// than all of them are strings.
	strs  [len(callActionFields) + len(payloadFields)]strSpan
	nstrs int

	// eventData is memory for the copy of the payload's eventData, empty:
	// the previous value's, when decoding into a CallAction again.
	eventData json.RawMessage
}

// strSpan is a string field and where its value is in the body.
type strSpan struct {
	dst        *string
	start, end int
}

// object reads the object at d.i, at nesting depth depth, into the
// struct at base, whose fields ix indexes; it skips the members of other
// keys (see unknown).
//
// It keeps the read offset in a local variable, and reads the usual bytes
// between members (white space, colon, comma) and the plain strings of
// keys and values with small helpers on it, as these are most of the
// body: the general scanner methods are for the rest.
func (d *fastDecoder) object(base unsafe.Pointer, ix *fieldIndex, depth int) bool {
	fields := ix.fields
	b := d.b
	i, more, ok := d.open()
	if !ok {
		return false
	}
	var seen uint32
	for more {
		start, end, vi := memberKey(b, i)
		if vi < 0 {
			return false
		}
		key := b[start:end]
		j := ix.find(key)
		if j < 0 {
			i, ok = d.unknown(vi, key, fields, depth+1)
		} else if !once(&seen, uint(j)) {
			return false
		} else {
			// The field's type is the one its kind names, as
			// TestFastPathFieldsMatchStructs checks.
			f := &fields[j]
			dst := unsafe.Add(base, f.offset)
			switch f.kind {
			case stringField:
				i, ok = d.str(vi, (*string)(dst))
			case numberField:
				i, ok = d.number(vi, (*Number)(dst))
			case rawField:
				i, ok = d.raw(vi, (*json.RawMessage)(dst), depth+1)
			case payloadField:
				d.i = vi
				ok = d.payload((*CallActionPayload)(dst), depth+1)
				i = d.i
			default:
				return false
			}
		}
		if i, more, ok = d.endMember(i, ok); !ok {
			return false
		}
	}
	return true
}

// payload reads the payload at d.i, at nesting depth depth, into p: an
// object, or null, which leaves p zero.
func (d *fastDecoder) payload(p *CallActionPayload, depth int) bool {
	if isNull(d.b, d.i) {
		d.i += len("null")
		return true
	}
	return d.object(unsafe.Pointer(p), &payloadIndex, depth)
}

// open reads the opening brace of the object at d.i, and white space, as
// enter does. It returns the offset of the first member, where d.i is
// then, and whether there is one; for an empty object it has read the
// closing brace too. ok is false if there is no object at d.i.
func (d *fastDecoder) open() (i int, more, ok bool) {
	if d.peek() != '{' {
		return 0, false, false
	}
	empty := d.enter('}')
	return d.i, !empty, true
}

// unknown reads the value at b[vi] of a member whose key is none of the
// fields', at nesting depth depth, unless encoding/json would match the
// key to one of them but for case: then it gives up. It returns the
// offset past the value.
func (d *fastDecoder) unknown(vi int, key []byte, fields []field, depth int) (next int, ok bool) {
	for _, f := range fields {
		if equalFoldASCII(key, f.name) {
			return 0, false
		}
	}
	d.i = vi
	ok = d.skipValue(depth)
	return d.i, ok
}

// endMember reads what follows the member of an object that ended at
// d.b[i], if it was read (ok), with the function memberEnd. It returns the
// offset of the next member, if there is one (more); at the object's end,
// d.i is past it.
func (d *fastDecoder) endMember(i int, ok bool) (next int, more, okEnd bool) {
	if !ok {
		return 0, false, false
	}
	if i, more, ok = memberEnd(d.b, i, '}'); !more {
		d.i = i
	}
	return i, more, ok
}

// memberKey reads the key of an object's member at b[i], which must be
// plain (see scanString), and the colon after it with white space around.
// It returns the span of the key's contents and the offset of the value,
// or vi = -1 for anything else.
func memberKey(b []byte, i int) (start, end, vi int) {
	if i >= len(b) || b[i] != '"' {
		return 0, 0, -1
	}
	start = i + 1
	if end = plainEnd(b, start); end < 0 {
		return 0, 0, -1
	}
	if i = skipSpace(b, end+1); i >= len(b) || b[i] != ':' {
		return 0, 0, -1
	}
	return start, end, skipSpace(b, i+1)
}

// memberEnd reads what follows an item of an object or array at b[i]:
// white space, then a comma and white space (more), or the closing
// bracket (not more). It returns the offset past them; ok is false for
// anything else.
func memberEnd(b []byte, i int, closing byte) (next int, more, ok bool) {
	if i = skipSpace(b, i); i < len(b) {
		switch b[i] {
		case ',':
			return skipSpace(b, i+1), true, true
		case closing:
			return i + 1, false, true
		}
	}
	return i, false, false
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

// str reads the value at b[i] into the string field dst: a plain string
// (see scanString), or null, which leaves dst as it is. It returns the
// offset past the value. The field is a Text for some keys:
// Text.UnmarshalJSON gives "" for null too, and numbers and booleans are
// the slow path's.
func (d *fastDecoder) str(i int, dst *string) (next int, ok bool) {
	b := d.b
	if i < len(b) && b[i] == '"' {
		end := plainEnd(b, i+1)
		if end < 0 || d.nstrs == len(d.strs) { // (never full: see strs)
			return 0, false
		}
		d.strs[d.nstrs] = strSpan{dst, i + 1, end}
		d.nstrs++
		return end + 1, true
	}
	if isNull(b, i) {
		return i + len("null"), true
	}
	return 0, false
}

// number reads the value at b[i] into the Number field dst: a JSON
// number, or null, which Number.UnmarshalJSON makes 0. A number is parsed
// by Number.UnmarshalJSON's rules: strconv.ParseFloat, and 0 for one out
// of a float64's range. Strings go to the slow path. It returns the offset
// past the value.
func (d *fastDecoder) number(i int, dst *Number) (next int, ok bool) {
	if isNull(d.b, i) {
		*dst = 0
		return i + len("null"), true
	}
	d.i = i
	if !d.scanNumber() {
		return 0, false
	}
	lit := d.b[i:d.i]
	f, ok := smallInt(lit)
	if !ok {
		var err error
		f, err = strconv.ParseFloat(string(lit), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			f = 0
		}
	}
	*dst = Number(f)
	return d.i, true
}

// maxSmallIntDigits is the most digits smallInt converts: every integer
// below 10^15 is below 2^53, so it is a float64 exactly, and the float64
// nearest to it, which is what strconv.ParseFloat returns, is itself.
const maxSmallIntDigits = 15

// smallInt returns the value of lit, a valid JSON number, as
// strconv.ParseFloat would, if it is an integer of at most
// maxSmallIntDigits digits, with no fraction or exponent; ok=false means
// lit is another number, for ParseFloat. Like ParseFloat, it gives -0 for
// "-0" (which reflect.DeepEqual cannot tell from 0).
func smallInt(lit []byte) (f float64, ok bool) {
	neg := len(lit) > 0 && lit[0] == '-'
	if neg {
		lit = lit[1:]
	}
	if len(lit) == 0 || len(lit) > maxSmallIntDigits {
		return 0, false
	}
	var n uint64
	for _, c := range lit {
		if c < '0' || c > '9' {
			return 0, false // a fraction or an exponent
		}
		n = n*10 + uint64(c-'0')
	}
	f = float64(n)
	if neg {
		f = -f
	}
	return f, true
}

// raw reads the value at b[i], at nesting depth depth, into the
// RawMessage field dst, as a copy of its bytes in d.eventData, as
// json.RawMessage.UnmarshalJSON does ("null" for null). It returns the
// offset past the value.
func (d *fastDecoder) raw(i int, dst *json.RawMessage, depth int) (next int, ok bool) {
	d.i = i
	if !d.skipValue(depth) {
		return 0, false
	}
	*dst = append(d.eventData, d.b[i:d.i]...)
	return d.i, true
}

// copyStrings sets the string fields read to their values, copied out of
// the body into one new string: one allocation. Copying instead the span
// of the body from the first string to the last, in one piece, and making
// the fields substrings of it, measured no faster, and allocates and
// keeps alive about twice the bytes (the keys and white space too).
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

// enter reads the opening bracket of the object or array at s.i, and the
// white space after it, and reports whether the list is empty, having
// read its closing bracket too.
func (s *scanner) enter(closing byte) (empty bool) {
	s.i++
	s.skipSpace()
	if s.peek() == closing {
		s.i++
		return true
	}
	return false
}

// key reads the key of an object's member at s.i, and the colon after it
// with white space around, and returns the span of the key's contents;
// plain is as for scanString. s.i is then at the member's value.
func (s *scanner) key() (start, end int, plain, ok bool) {
	if s.peek() != '"' {
		return 0, 0, false, false
	}
	if start, end, plain, ok = s.scanString(); !ok {
		return 0, 0, false, false
	}
	s.skipSpace()
	if s.peek() != ':' {
		return 0, 0, false, false
	}
	s.i++
	s.skipSpace()
	return start, end, plain, true
}

// next reads what follows an item of an object or array: white space,
// then a comma and white space (more), or the closing bracket (not more).
// ok is false for anything else.
func (s *scanner) next(closing byte) (more, ok bool) {
	s.i, more, ok = memberEnd(s.b, s.i, closing)
	return more, ok
}

// skipValue reads and validates the value at s.i, at nesting depth depth
// if it is an object or an array.
func (s *scanner) skipValue(depth int) bool {
	switch c := s.peek(); {
	case c == '"':
		_, _, _, ok := s.scanString()
		return ok
	case c == '{':
		return s.skipObject(depth)
	case c == '[':
		return s.skipArray(depth)
	case c == '-' || '0' <= c && c <= '9':
		return s.scanNumber()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return false
}

// skipObject reads and validates the object at s.i, at nesting depth
// depth.
func (s *scanner) skipObject(depth int) bool {
	if depth > maxFastDepth {
		return false
	}
	if s.enter('}') {
		return true
	}
	for {
		if _, _, _, ok := s.key(); !ok || !s.skipValue(depth+1) {
			return false
		}
		more, ok := s.next('}')
		if !more {
			return ok
		}
	}
}

// skipArray reads and validates the array at s.i, at nesting depth depth.
func (s *scanner) skipArray(depth int) bool {
	if depth > maxFastDepth {
		return false
	}
	if s.enter(']') {
		return true
	}
	for {
		if !s.skipValue(depth + 1) {
			return false
		}
		more, ok := s.next(']')
		if !more {
			return ok
		}
	}
}

// scanString reads the string at s.i (at its opening quote) and returns
// the span of its contents between the quotes. plain reports whether they
// are the string's value as is, and equal to no other string under Unicode
// folding: no escapes, and only bytes 0x20 to 0x7F. ok is false for a
// string that is not valid JSON.
func (s *scanner) scanString() (start, end int, plain, ok bool) {
	b := s.b
	start = s.i + 1 // past the opening quote
	plain = true
	i := start
	for {
		if i = skipPlain(b, i); i == len(b) {
			return 0, 0, false, false
		}
		switch c := b[i]; {
		case c == '"':
			s.i = i + 1
			return start, i, plain, true
		case c == '\\':
			plain = false
			s.i = i
			if !s.escape() {
				return 0, 0, false, false
			}
			i = s.i
		case c < 0x20:
			return 0, 0, false, false // control characters must be escaped
		default: // c >= 0x80
			plain = false // encoding/json would check the UTF-8
			i++
		}
	}
}

// plainEnd returns the offset of the closing quote of the string whose
// contents start at b[i], if they are plain (see scanString), or -1 for
// any other string, or none.
//
// A byte at a time, with a table: reading eight bytes at a time, with
// bit tricks to find the first special one, measured slower on 8x8's
// bodies, whose strings are short and the same lengths each time, so that
// the processor predicts the loop's branches well.
func plainEnd(b []byte, i int) int {
	if i = skipPlain(b, i); i < len(b) && b[i] == '"' {
		return i
	}
	return -1
}

// skipPlain returns the offset of the first byte from b[i] on that a
// string does not take as it is (see plainStringByte), or len(b).
func skipPlain(b []byte, i int) int {
	for i < len(b) && plainStringByte[b[i]] {
		i++
	}
	return i
}

// plainStringByte tells the bytes that scanString takes as they are: 0x20
// to 0x7F but for the quote and the backslash.
var plainStringByte = func() (t [256]bool) {
	for c := 0x20; c <= 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// escape reads and validates the escape sequence at s.i, at its backslash.
func (s *scanner) escape() bool {
	s.i++
	switch s.peek() {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.i++
		return true
	case 'u':
		if len(s.b)-s.i < 5 {
			return false
		}
		for _, h := range s.b[s.i+1 : s.i+5] {
			if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
				return false
			}
		}
		s.i += 5
		return true
	}
	return false
}

// scanNumber reads and validates the number at s.i, in JSON's syntax:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) scanNumber() bool {
	if s.peek() == '-' {
		s.i++
	}
	switch c := s.peek(); {
	case c == '0':
		s.i++
	case '1' <= c && c <= '9':
		s.digits()
	default:
		return false
	}
	if s.peek() == '.' {
		s.i++
		if !s.digits() {
			return false
		}
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.i++
		if c := s.peek(); c == '+' || c == '-' {
			s.i++
		}
		if !s.digits() {
			return false
		}
	}
	return true
}

// digits reads a run of decimal digits and reports whether there was one.
func (s *scanner) digits() bool {
	start := s.i
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

// literal reads the literal lit (true, false or null) at s.i.
func (s *scanner) literal(lit string) bool {
	if len(s.b)-s.i < len(lit) || string(s.b[s.i:s.i+len(lit)]) != lit {
		return false
	}
	s.i += len(lit)
	return true
}

// jsonSpace has bit c set for each byte c that is JSON's white space.
const jsonSpace uint64 = 1<<' ' | 1<<'\t' | 1<<'\n' | 1<<'\r'

// skipSpace returns the offset of the first byte from b[i] on that is not
// JSON's white space, or len(b).
func skipSpace(b []byte, i int) int {
	for i < len(b) && b[i] <= ' ' && jsonSpace&(1<<b[i]) != 0 {
		i++
	}
	return i
}

// skipSpace skips JSON's white space.
func (s *scanner) skipSpace() {
	s.i = skipSpace(s.b, s.i)
}

// isNull reports whether the literal null is at b[i].
func isNull(b []byte, i int) bool {
	return len(b)-i >= len("null") && string(b[i:i+len("null")]) == "null"
}

// peek returns the byte at s.i, or 0 at the end of the JSON: 0 is not
// valid anywhere in JSON, so it never matches what the caller looks for.
func (s *scanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}
