package callflows_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/callflows"
)

// vca wraps a payload in the envelope of a VCA webhook.
func vca(payload string) string {
	return `{"namespace":"VOICE","eventType":"CALL_ACTION","description":"Action request of a call","payload":` + payload + `}`
}

// nested returns n arrays nested in one another.
func nested(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }

// fastCase is a body and whether the fast path should take it.
type fastCase struct {
	name string
	body string
	ok   bool
}

// fastCases cover each rule of the fast path, with the bodies it must
// take and those it must leave to the slow path. They seed
// FuzzDecodeCallActionFast too.
var fastCases = []fastCase{
	// The top level: one object and JSON's white space only.
	{"empty object", `{}`, true},
	{"white space around", " \t\r\n{ }\r\n\t ", true},
	{"empty body", ``, false},
	{"white space only", " \n", false},
	{"byte order mark", "\ufeff{}", false},
	{"form feed is no JSON space", "\f{}", false},
	{"NBSP is no JSON space", "{}\u00a0", false},
	{"garbage after", `{} x`, false},
	{"two objects", `{}{}`, false},
	{"NUL after", "{}\x00", false},
	{"array", `[]`, false},
	{"array of an object", `[{"payload":{}}]`, false},
	{"null", `null`, false},
	{"string", `"CALL_ACTION"`, false},
	{"number", `1`, false},
	{"truncated", `{"payload":{"dtmf":"1"}`, false},
	{"truncated in a key", `{"payl`, false},
	{"truncated after a key", `{"payload"`, false},
	{"truncated after a colon", `{"payload":`, false},
	{"trailing comma", `{"eventType":"CALL_ACTION",}`, false},
	{"missing colon", `{"eventType" "CALL_ACTION"}`, false},
	{"missing comma", `{"eventType":"CALL_ACTION" "namespace":"VOICE"}`, false},
	{"unquoted key", `{eventType:"CALL_ACTION"}`, false},
	{"single quotes", `{'eventType':'CALL_ACTION'}`, false},

	// Values of unknown keys are skipped, but must be valid JSON.
	{"skipped values", `{"a":{"b":[1,-2.5e+3,true,false,null,"\u00e9\n\"\\\/\b\f\r\t",{}],"c":[]},"d":0,"e":-0.0E-0}`, true},
	{"skipped string with escapes and UTF-8", `{"x":"caf\u00e9 caf\u00C9 ☎ \ud800"}`, true},
	{"skipped string of invalid UTF-8", "{\"x\":\"\xff\xfe\"}", true},
	{"skipped white space everywhere", "{ \"x\" : [ 1 , { \"y\" : null } ] , \"z\" : \"\" }", true},
	{"unknown key repeated", `{"x":1,"x":"2"}`, true},
	{"bad literal", `{"x":tru}`, false},
	{"bad literal null", `{"x":nul}`, false},
	{"literal with garbage", `{"x":nullx}`, false},
	{"capital literal", `{"x":True}`, false},
	{"leading zero", `{"x":01}`, false},
	{"plus sign", `{"x":+1}`, false},
	{"bare minus", `{"x":-}`, false},
	{"no digits after the point", `{"x":1.}`, false},
	{"no integer part", `{"x":.5}`, false},
	{"empty exponent", `{"x":1e}`, false},
	{"exponent sign only", `{"x":1e+}`, false},
	{"hex", `{"x":0x10}`, false},
	{"NaN", `{"x":NaN}`, false},
	{"two values", `{"x":1 2}`, false},
	{"trailing comma in an array", `{"x":[1,]}`, false},
	{"missing comma in an array", `{"x":[1 2]}`, false},
	{"unclosed array", `{"x":[}`, false},
	{"object key without value", `{"x":{"a"}}`, false},
	{"object key not a string", `{"x":{1:2}}`, false},
	{"control character in a string", "{\"x\":\"a\x01b\"}", false},
	{"new line in a string", "{\"x\":\"a\nb\"}", false},
	{"bad escape", `{"x":"\q"}`, false},
	{"bad unicode escape", `{"x":"\u12G4"}`, false},
	{"short unicode escape", `{"x":"\u12"}`, false},
	{"truncated unicode escape", `{"x":"\u12`, false},
	{"truncated after a backslash", `{"x":"\`, false},
	{"unterminated string", `{"x":"abc}`, false},
	{"lone value", `{"x"}`, false},

	// Nesting: the body's object is depth 1, and the fast path reads up
	// to depth 100.
	{"depth 100 under an unknown key", `{"x":` + nested(99) + `}`, true},
	{"depth 101 under an unknown key", `{"x":` + nested(100) + `}`, false},
	{"depth 100 in eventData", vca(`{"eventData":` + nested(98) + `}`), true},
	{"depth 101 in eventData", vca(`{"eventData":` + nested(99) + `}`), false},
	{"deep objects", `{"x":` + strings.Repeat(`{"a":`, 99) + `1` + strings.Repeat(`}`, 99) + `}`, true},
	{"too deep objects", `{"x":` + strings.Repeat(`{"a":`, 100) + `1` + strings.Repeat(`}`, 100) + `}`, false},

	// Keys: exact names only; anything encoding/json might match to a
	// field case-insensitively goes to the slow path.
	{"exact keys", vca(`{"dtmf":"1","clientActionId":"x"}`), true},
	{"envelope key in another case", `{"EventType":"CALL_ACTION"}`, false},
	{"envelope key in capitals", `{"NAMESPACE":"VOICE"}`, false},
	{"payload key in another case", vca(`{"DTMF":"1"}`), false},
	{"payload key in lower case", vca(`{"callid":"c-1"}`), false},
	{"key with long s (U+017F)", vca(`{"ſessionId":"s-1"}`), false},
	{"key with Kelvin sign (U+212A)", `{"\u212Ax":1}`, false},
	{"key with an escape", vca(`{"\u0064tmf":"1"}`), false},
	{"unknown key with an escape", `{"\u0078":1}`, false},
	{"unknown non-ASCII key", `{"café":1}`, false},
	{"unknown key of invalid UTF-8", "{\"\xff\":1}", false},
	{"unknown keys", vca(`{"asrCaptured":null,"extra":{"Namespace":1,"DTMF":"9"}}`), true},
	{"payload keys in the envelope", `{"dtmf":"1","eventData":{"dtmf":"2"},"PAYLOAD2":1}`, true},
	{"envelope keys in the payload", vca(`{"namespace":"x","payload":{"dtmf":"1"}}`), true},
	{"empty key", `{"":1}`, true},
	{"short keys", `{"a":1,"ab":2,"abc":3}`, true},
	// Unknown keys that share a long field's length and first and last
	// eight bytes: only the middle tells them apart.
	{"key like destinationCountryCode", vca(`{"destinationXountryCode":"x","destinationCountryCode":"SG"}`), true},
	{"key like sourceCountryCode", vca(`{"sourceCXuntryCode":"x"}`), true},
	{"key like destinationFormat", vca(`{"destinatioXFormat":"x"}`), true},

	// A known key twice goes to the slow path, even when both are null.
	{"payload twice", `{"payload":{"dtmf":"1"},"payload":{"dtmf":"2"}}`, false},
	{"payload twice, null first", `{"payload":null,"payload":{"dtmf":"2"}}`, false},
	{"dtmf twice", vca(`{"dtmf":"1","dtmf":null}`), false},
	{"eventData twice", vca(`{"eventData":"1","eventData":{"dtmf":"2"}}`), false},

	// String fields: printable ASCII only, without escapes; null leaves
	// them empty; other types are the slow path's.
	{"string empty", vca(`{"callId":""}`), true},
	{"string with DEL", "{\"namespace\":\"VO\x7fICE\"}", true},
	{"string of punctuation", `{"namespace":" !#$%&'()*+,-./:;<=>?@[]^_{|}~"}`, true},
	{"string null", `{"namespace":null,"payload":{"callId":null}}`, true},
	{"string with an escape", `{"namespace":"VO\u0049CE"}`, false},
	{"string with an escaped quote", vca(`{"clientActionId":"a\"b"}`), false},
	{"string with an escaped slash", vca(`{"timestamp":"2024\/05\/16"}`), false},
	{"string non-ASCII", `{"description":"Aktion für den Anruf"}`, false},
	{"string of invalid UTF-8", "{\"eventType\":\"\xff\xfe\"}", false},
	{"string a number", vca(`{"clientActionId":5}`), false},
	{"string a bool", `{"eventType":true}`, false},
	{"string an object", vca(`{"callStatus":{}}`), false},
	{"string an array", vca(`{"callStatus":["ACTION_COMPLETED"]}`), false},

	// Text fields: a plain string or null; numbers and booleans are the
	// slow path's.
	{"text strings", vca(`{"sourceRefId":"a","destinationRefId":"b","dtmf":"12*#"}`), true},
	{"text null", vca(`{"sourceRefId":null,"destinationRefId":null,"dtmf":null}`), true},
	{"text with spaces", vca(`{"dtmf":" 5 "}`), true},
	{"text a number", vca(`{"dtmf":12}`), false},
	{"text a bool", vca(`{"sourceRefId":false}`), false},
	{"text an object", vca(`{"dtmf":{}}`), false},
	{"text an array", vca(`{"destinationRefId":["x"]}`), false},
	{"text with an escape", vca(`{"dtmf":"\u0031"}`), false},

	// Number fields: a JSON number, by Number.UnmarshalJSON's rules, or
	// null; strings are the slow path's.
	{"numbers", vca(`{"callDuration":14,"sipCode":200}`), true},
	{"number zero and minus zero", vca(`{"callDuration":0,"sipCode":-0}`), true},
	{"number fractions and exponents", vca(`{"callDuration":1.5e3,"sipCode":-2.25E-2}`), true},
	{"number overflow is 0", vca(`{"callDuration":1e999,"sipCode":-1e309}`), true},
	{"number underflow", vca(`{"callDuration":1e-400,"sipCode":4.9e-324}`), true},
	{"number largest", vca(`{"callDuration":1.7976931348623157e308}`), true},
	{"number long", vca(`{"callDuration":123456789012345678901234567890123456789.123456789e-10}`), true},
	{"number null", vca(`{"callDuration":null,"sipCode":null}`), true},
	{"number a string", vca(`{"sipCode":"486"}`), false},
	{"number a bool", vca(`{"callDuration":true}`), false},
	{"number an object", vca(`{"callDuration":{}}`), false},
	{"number invalid", vca(`{"callDuration":1.}`), false},

	// eventData: any valid value, copied as is.
	{"eventData an object", vca(`{"eventData":{"dtmf":"1"}}`), true},
	{"eventData with inner white space", vca("{\"eventData\" : {\n  \"dtmf\" : \"1\" \n}\n}"), true},
	{"eventData a string", vca(`{"eventData":"2"}`), true},
	{"eventData with escapes and UTF-8", vca(`{"eventData":{"dtmf":"\u0031","note":"é"}}`), true},
	{"eventData null", vca(`{"eventData":null}`), true},
	{"eventData a number", vca(`{"eventData":1}`), true},
	{"eventData a bool", vca(`{"eventData":false}`), true},
	{"eventData an array", vca(`{"eventData":["1",{"dtmf":2}]}`), true},
	{"eventData with repeated and case-folded keys", vca(`{"eventData":{"DTMF":"1","dtmf":"2","dtmf":null}}`), true},
	{"eventData invalid", vca(`{"eventData":{"dtmf":"1",}}`), false},

	// payload: an object or null.
	{"payload empty", `{"payload":{}}`, true},
	{"payload null", `{"namespace":"VOICE","payload":null}`, true},
	{"payload a string", `{"payload":"oops"}`, false},
	{"payload an array", `{"payload":[]}`, false},
	{"payload a number", `{"payload":1}`, false},
	{"payload a bool", `{"payload":true}`, false},
	{"payload invalid", `{"payload":{"dtmf":}}`, false},
}

// checkFastAgrees fails t unless the fast path's result for body is
// DeepEqual to the slow path's, and shares no memory with body.
func checkFastAgrees(t *testing.T, body []byte, fast *callflows.CallAction) {
	t.Helper()
	if fast == nil {
		t.Fatalf("fast path ok with a nil result for %q", body)
	}
	slow, err := callflows.DecodeCallActionSlow(body)
	if err != nil {
		t.Fatalf("fast path ok for %q, but the slow path fails: %v", body, err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("fast and slow path differ for %q:\nfast %#v\nslow %#v", body, fast, slow)
	}
}

// decodeFast runs the fast path on a copy of body, and overwrites the copy
// afterwards: the server reuses body buffers, so the result must not share
// memory with them.
func decodeFast(body []byte) (*callflows.CallAction, bool) {
	buf := bytes.Clone(body)
	ev, ok := callflows.DecodeCallActionFast(buf)
	for i := range buf {
		buf[i] = 'X'
	}
	return ev, ok
}

// decodeFastChecked is decodeFast, failing t unless the result is what the
// fast path owes: none when it gives up on body, and the slow path's when
// it takes it.
func decodeFastChecked(t *testing.T, body []byte) (*callflows.CallAction, bool) {
	t.Helper()
	ev, ok := decodeFast(body)
	if !ok {
		if ev != nil {
			t.Fatalf("fast path not ok for %q, with a result %+v", body, ev)
		}
		return nil, false
	}
	checkFastAgrees(t, body, ev)
	return ev, true
}

func TestDecodeCallActionFast(t *testing.T) {
	for _, tt := range fastCases {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			if _, ok := decodeFastChecked(t, body); ok != tt.ok {
				t.Fatalf("fast path ok = %v for %q, want %v", ok, body, tt.ok)
			}
		})
	}
}

// TestDecodeCallActionFastValues spells out a few results that the
// comparison with the slow path takes for granted.
func TestDecodeCallActionFastValues(t *testing.T) {
	tests := []struct {
		payload string
		want    callflows.CallActionPayload
	}{
		{`{"eventData":null}`, callflows.CallActionPayload{EventData: json.RawMessage("null")}},
		{"{\"eventData\" : { \"dtmf\" :\t\"1\" } \n}", callflows.CallActionPayload{EventData: json.RawMessage("{ \"dtmf\" :\t\"1\" }")}},
		{`{"eventData":"2","dtmf":null,"callId":null}`, callflows.CallActionPayload{EventData: json.RawMessage(`"2"`)}},
		{`{"callDuration":1e999,"sipCode":486}`, callflows.CallActionPayload{SipCode: 486}},
		{`{}`, callflows.CallActionPayload{}},
	}
	for _, tt := range tests {
		ev, ok := decodeFast([]byte(vca(tt.payload)))
		if !ok {
			t.Errorf("fast path not ok for payload %s", tt.payload)
			continue
		}
		if !reflect.DeepEqual(ev.Payload, tt.want) {
			t.Errorf("payload %s decoded as %#v, want %#v", tt.payload, ev.Payload, tt.want)
		}
	}
}

// keyCases are, for every field of the fast path's lists, bodies with its
// key: taken exactly (with null, which suits every field and leaves it
// empty), and left to the slow path when repeated or spelt in another
// case. They seed the fast path's fuzz targets too.
func keyCases() []fastCase {
	envelope, payload := callflows.FastFields()
	var cases []fastCase
	keys := func(in func(string) string, fields []callflows.FastField) {
		for _, f := range fields {
			k := f.Name
			cases = append(cases,
				fastCase{k + " null", in(`"` + k + `":null`), true},
				fastCase{k + " twice", in(`"` + k + `":null,"` + k + `":null`), false})
			for _, folded := range caseFolded(k) {
				cases = append(cases, fastCase{folded + " for " + k, in(`"` + folded + `":null`), false})
			}
		}
	}
	keys(func(m string) string { return `{` + m + `}` }, envelope)
	keys(func(m string) string { return vca(`{` + m + `}`) }, payload)
	return cases
}

// TestDecodeCallActionFastKeys checks every field's key (see keyCases).
func TestDecodeCallActionFastKeys(t *testing.T) {
	for _, c := range keyCases() {
		if _, ok := decodeFastChecked(t, []byte(c.body)); ok != c.ok {
			t.Errorf("%s: fast path ok = %v for %s, want %v", c.name, ok, c.body, c.ok)
		}
	}
}

// caseFolded returns spellings of key that encoding/json matches to it
// but for case: in capitals, with its first letter's case toggled, and with
// s as U+017F and k as U+212A.
func caseFolded(key string) []string {
	first := strings.ToUpper(key[:1]) + key[1:]
	if first == key {
		first = strings.ToLower(key[:1]) + key[1:]
	}
	out := []string{strings.ToUpper(key), first}
	if strings.ContainsAny(key, "sS") {
		out = append(out, strings.NewReplacer("s", "ſ", "S", "ſ").Replace(key))
	}
	if strings.ContainsAny(key, "kK") {
		out = append(out, strings.NewReplacer("k", "\u212a", "K", "\u212a").Replace(key))
	}
	return out
}

// TestFastPathFieldsMatchStructs: the fast path's lists of fields are
// CallAction's and CallActionPayload's fields, in order, each with the
// JSON name encoding/json gives it, its offset, and a kind that suits its
// type. So a field added to either struct cannot be skipped as an unknown
// key, nor a value land in another field or be written as another type.
func TestFastPathFieldsMatchStructs(t *testing.T) {
	kinds := map[reflect.Type]string{
		reflect.TypeFor[string]():                      "string",
		reflect.TypeFor[callflows.Text]():              "string",
		reflect.TypeFor[callflows.Number]():            "number",
		reflect.TypeFor[json.RawMessage]():             "raw",
		reflect.TypeFor[callflows.CallActionPayload](): "payload",
	}
	envelope, payload := callflows.FastFields()
	for _, tt := range []struct {
		typ    reflect.Type
		fields []callflows.FastField
	}{
		{reflect.TypeFor[callflows.CallAction](), envelope},
		{reflect.TypeFor[callflows.CallActionPayload](), payload},
	} {
		if len(tt.fields) != tt.typ.NumField() {
			t.Errorf("the fast path lists %d fields of %s, which has %d", len(tt.fields), tt.typ.Name(), tt.typ.NumField())
		}
		for i := range min(len(tt.fields), tt.typ.NumField()) {
			sf, got := tt.typ.Field(i), tt.fields[i]
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if got.Name != name {
				t.Errorf("%s field %d: the fast path names it %q, encoding/json %q", tt.typ.Name(), i, got.Name, name)
			}
			if got.Offset != sf.Offset {
				t.Errorf("%s.%s (%q): the fast path writes at offset %d, the field is at %d", tt.typ.Name(), sf.Name, name, got.Offset, sf.Offset)
			}
			if want, ok := kinds[sf.Type]; !ok || got.Kind != want {
				t.Errorf("%s.%s (%q) is a %s, which the fast path reads as a %s", tt.typ.Name(), sf.Name, name, sf.Type, got.Kind)
			}
		}
	}
}

// realBodies returns the VCA bodies 8x8 sends, all of which the fast path
// must take: the VCA payloads in testdata, bodies as carrier makes them
// (compact, keys sorted) for each digit shape, and 8x8's documented sample
// with each shape, pretty-printed with CRLF line ends.
func realBodies(t testing.TB) map[string][]byte {
	t.Helper()
	bodies := map[string][]byte{}
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if ev, err := callflows.DecodeCallActionSlow(b); err == nil && ev.EventType == callflows.EventCallAction {
			bodies[file] = b
		}
	}
	if len(bodies) < 3 {
		t.Fatalf("only %d VCA payloads in testdata", len(bodies))
	}

	shapes := map[string]func(p map[string]any){
		"eventData.dtmf":      func(p map[string]any) { p["eventData"] = map[string]any{"dtmf": "1"} },
		"eventData.dtmf null": func(p map[string]any) { p["eventData"] = map[string]any{"dtmf": nil} },
		"eventData string":    func(p map[string]any) { p["eventData"] = "12#" },
		"eventData empty":     func(p map[string]any) { p["eventData"] = "" },
		"payload.dtmf":        func(p map[string]any) { p["dtmf"] = "3" },
		"no digits":           func(map[string]any) {},
	}
	for name, shape := range shapes {
		for _, status := range []string{callflows.StatusCallReceived, callflows.StatusActionCompleted} {
			payload := map[string]any{
				"eventId": "77e6a667-133a-11ef-9dd4-e911cc6fc82f", "callId": "627e25f1-133a-11ef-b08c-e33c09483244",
				"sessionId": "a4fad4b3-b388-12ee-b217-2fb8260fcf59", "subAccountId": "account_x",
				"callStatus": status, "callDirection": callflows.DirectionOutbound, "callType": "PSTN",
				"source": "+6568888888", "destination": "+6591234567", "sourceFormat": "MSISDN",
				"destinationFormat": "MSISDN", "sourceCountryCode": "SG", "destinationCountryCode": "SG",
				"callDuration": 0, "sipCode": 200, "timestamp": "2024-05-16T04:12:11.217Z",
			}
			if status == callflows.StatusActionCompleted {
				payload["clientActionId"] = "main_menu"
			}
			shape(payload)
			b, err := json.Marshal(map[string]any{
				"namespace": "VOICE", "eventType": callflows.EventCallAction,
				"description": "Action request of a call", "payload": payload,
			})
			if err != nil {
				t.Fatal(err)
			}
			bodies["carrier "+name+" "+status] = b

			b, err = json.MarshalIndent(map[string]any{
				"namespace": "VOICE", "eventType": callflows.EventCallAction,
				"description": "Action request of a call", "payload": payload,
			}, "", "\t")
			if err != nil {
				t.Fatal(err)
			}
			bodies["pretty "+name+" "+status] = bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
		}
	}
	bodies["8x8 documented VCA"] = []byte(benchVCA)
	return bodies
}

// TestFastPathTakesRealBodies: the fast path takes every body 8x8 sends,
// and agrees with the slow path on them. Without this, a fast path that
// always gave up would pass every other test.
func TestFastPathTakesRealBodies(t *testing.T) {
	for name, body := range realBodies(t) {
		t.Run(name, func(t *testing.T) {
			ev, ok := decodeFastChecked(t, body)
			if !ok {
				t.Fatalf("fast path not ok for %s", body)
			}
			if ev.Payload.CallID == "" || ev.EventType != callflows.EventCallAction {
				t.Errorf("decoded %+v", ev)
			}
		})
	}
}

// FuzzDecodeCallActionFast checks the fast path against the slow path, the
// reference: for any body the fast path takes, the slow path must succeed
// with a DeepEqual result, and the fast path's result must not share
// memory with the body. Seeds: see addFastSeeds.
//
//	go test -run '^$' -fuzz '^FuzzDecodeCallActionFast$' -fuzztime 120s ./callflows/
func FuzzDecodeCallActionFast(f *testing.F) {
	addFastSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		watchdog := time.AfterFunc(fuzzTimeout, func() { panic(fmt.Sprintf("input took over %v: %q", fuzzTimeout, body)) })
		defer watchdog.Stop()

		decodeFastChecked(t, body)
	})
}

// addFastSeeds adds the seeds of the fast path's fuzz targets: those of
// FuzzDecodeCallAction, the fast path's test cases, its keys (from its
// list of fields) and real bodies.
func addFastSeeds(f *testing.F) {
	addCallActionSeeds(f)
	for _, c := range slices.Concat(fastCases, keyCases()) {
		f.Add([]byte(c.body))
	}
	for _, b := range realBodies(f) {
		f.Add(b)
	}
}

// FuzzDecodeCallActionInto: decoding into a CallAction that held another
// webhook, eventData and all, gives what DecodeCallAction gives, and
// leaves nothing of the webhook before.
func FuzzDecodeCallActionInto(f *testing.F) {
	addFastSeeds(f)
	before := []byte(benchVCA) // with an eventData object
	f.Fuzz(func(t *testing.T, body []byte) {
		var ev callflows.CallAction
		if err := callflows.DecodeCallActionInto(&ev, before); err != nil || len(ev.Payload.EventData) == 0 {
			t.Fatalf("decoding the webhook before: %v, eventData %q", err, ev.Payload.EventData)
		}
		want, wantErr := callflows.DecodeCallAction(body)
		err := callflows.DecodeCallActionInto(&ev, body)
		switch {
		case (err == nil) != (wantErr == nil):
			t.Fatalf("DecodeCallActionInto error %v, DecodeCallAction error %v", err, wantErr)
		case err != nil && !reflect.DeepEqual(ev, callflows.CallAction{}):
			t.Fatalf("after the error %v, the CallAction holds %+v", err, ev)
		case err == nil && !reflect.DeepEqual(ev, *want):
			t.Fatalf("DecodeCallActionInto gave\n%+v\nDecodeCallAction\n%+v", ev, *want)
		}
	})
}

// TestDecodeCallActionIntoReuses: decoding webhook after webhook into one
// CallAction allocates less than decoding each into a new one.
func TestDecodeCallActionIntoReuses(t *testing.T) {
	body := []byte(benchVCA)
	var ev callflows.CallAction
	into := testing.AllocsPerRun(100, func() {
		if err := callflows.DecodeCallActionInto(&ev, body); err != nil {
			t.Fatal(err)
		}
	})
	fresh := testing.AllocsPerRun(100, func() {
		if _, err := callflows.DecodeCallAction(body); err != nil {
			t.Fatal(err)
		}
	})
	if into > fresh-2 {
		t.Errorf("%v allocations into a CallAction again, %v into a new one: want 2 fewer (the CallAction, its eventData)", into, fresh)
	}
}

// benchVCA is a VCA as 8x8 documents it, eventData.dtmf and all.
const benchVCA = `{
  "namespace": "VOICE",
  "eventType": "CALL_ACTION",
  "description": "Action request of a call",
  "payload": {
    "eventId": "77e6a667-133a-11ef-9dd4-e911cc6fc82f",
    "callId": "627e25f1-133a-11ef-b08c-e33c09483244",
    "sessionId": "a4fad4b3-b388-12ee-b217-2fb8260fcf59",
    "subAccountId": "account_x",
    "callStatus": "ACTION_COMPLETED",
    "callDirection": "OUTBOUND",
    "callType": "PSTN",
    "source": "+6568888888",
    "destination": "+6598888888",
    "sourceFormat": "MSISDN",
    "destinationFormat": "MSISDN",
    "sourceCountryCode": "SG",
    "destinationCountryCode": "SG",
    "sourceRefId": "SOME-VN-REF-ID",
    "destinationRefId": "ANOTHER-VN-REF-ID",
    "callDuration": 0,
    "eventData": {
      "dtmf": "1"
    },
    "sipCode": 200,
    "timestamp": "2024-05-16T04:12:11.217Z",
    "clientActionId": "ivr-1-stage-2"
  }
}`

// BenchmarkDecodeCallAction decodes benchVCA with each path, and with
// DecodeCallAction, which should cost the fast path's time.
//
//	go test -run '^$' -bench DecodeCallAction -benchmem -count 5 ./callflows/
func BenchmarkDecodeCallAction(b *testing.B) {
	body := []byte(benchVCA)
	paths := []struct {
		name   string
		decode func([]byte) (*callflows.CallAction, bool)
	}{
		{"fast", callflows.DecodeCallActionFast},
		{"slow", func(b []byte) (*callflows.CallAction, bool) {
			ev, err := callflows.DecodeCallActionSlow(b)
			return ev, err == nil
		}},
		{"DecodeCallAction", func(b []byte) (*callflows.CallAction, bool) {
			ev, err := callflows.DecodeCallAction(b)
			return ev, err == nil
		}},
	}
	for _, p := range paths {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, ok := p.decode(body); !ok {
					b.Fatal("not decoded")
				}
			}
		})
	}
}

// eventDataShapes are eventData values as 8x8 sends them, each of which the
// fast path must take.
var eventDataShapes = []string{
	`{"dtmf":"1"}`, `{"dtmf":"12#"}`, `{"dtmf":null}`, `{"dtmf":""}`, `{"dtmf":" 2 "}`, `{}`,
	`{"dtmf":null,"asrCaptured":null}`, `{"asrCaptured":{"text":"yes"},"dtmf":"3"}`,
	`"2"`, `" 2 "`, `""`, `"additional event data"`,
}

func TestEventDataDigitsFast(t *testing.T) {
	for _, raw := range eventDataShapes {
		got, ok := callflows.EventDataDigitsFast([]byte(raw))
		if !ok {
			t.Errorf("fast path gave up on eventData %s", raw)
			continue
		}
		if want := callflows.EventDataDigitsSlow([]byte(raw)); got != want {
			t.Errorf("eventData %s: fast %q, slow %q", raw, got, want)
		}
	}
	for _, raw := range []string{
		`{"DTMF":"1"}`, `{"dtmf":"1","dtmf":"2"}`, `{"dtmf":1}`, `{"dtmf":"\u0031"}`, `{"dtmf":"1"} x`,
		`{"dtmf":"1"`, `"\u0032"`, `null`, `2`, `[]`, `{"ſ":1}`,
	} {
		if got, ok := callflows.EventDataDigitsFast([]byte(raw)); ok {
			if want := callflows.EventDataDigitsSlow([]byte(raw)); got != want {
				t.Errorf("eventData %s: fast %q, slow %q", raw, got, want)
			}
			t.Errorf("fast path took eventData %s, which it should leave to encoding/json", raw)
		}
	}
}

// FuzzEventDataDigitsFast: wherever the fast path answers, it answers as
// encoding/json does.
func FuzzEventDataDigitsFast(f *testing.F) {
	for _, raw := range eventDataShapes {
		f.Add([]byte(raw))
	}
	f.Add([]byte(`{"dtmf":"1","Dtmf":"2"}`))
	f.Add([]byte(`{"a":[1,{"b":"\u00e9"}],"dtmf":"5"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			return
		}
		got, ok := callflows.EventDataDigitsFast(raw)
		if !ok {
			return
		}
		if want := callflows.EventDataDigitsSlow(raw); got != want {
			t.Fatalf("eventData %q: fast %q, slow %q", raw, got, want)
		}
	})
}

// specialBytes are bytes, or escapes, that end a run of plain string
// bytes, each with what a string field holding it must do: plain ones are
// taken, the others left to the slow path (escapes and non-ASCII) or
// rejected (control characters); in a skipped value, only control
// characters are rejected.
var specialBytes = []struct {
	name  string
	s     string // in the JSON text
	plain bool   // a string field holding it takes the fast path
	valid bool   // it is valid in a JSON string
}{
	{"letter", "x", true, true},
	{"space", " ", true, true},
	{"DEL", "\x7f", true, true},
	{"escaped quote", `\"`, false, true},
	{"escaped backslash", `\\`, false, true},
	{"unicode escape", `\u0041`, false, true},
	{"bad escape", `\q`, false, false},
	{"NUL", "\x00", false, false},
	{"control character", "\x1f", false, false},
	{"tab", "\t", false, false},
	{"two-byte UTF-8", "é", false, true},
	{"invalid UTF-8", "\x80", false, true},
	{"high byte", "\xff", false, true},
}

// TestDecodeCallActionFastStringOffsets puts each special byte at every
// offset of strings of lengths 0 to 17, in a field's value, an unknown
// key's value and a key, so that it comes first, last and anywhere
// between, and checks the fast path takes exactly the plain ones, with the
// right value. plainEnd reads a byte at a time; the lengths cover two
// eight-byte words and more, should it ever read a word at a time.
func TestDecodeCallActionFastStringOffsets(t *testing.T) {
	for _, sp := range specialBytes {
		for n := 0; n <= 17; n++ {
			for at := 0; at <= n; at++ {
				str := strings.Repeat("a", at) + sp.s + strings.Repeat("b", n-at)
				for _, c := range []struct {
					body string
					ok   bool
				}{
					{vca(`{"callId":"` + str + `","dtmf":"1"}`), sp.plain},
					{vca(`{"x` + str + `":1,"dtmf":"1"}`), sp.plain},
					{vca(`{"x":"` + str + `","dtmf":"1"}`), sp.valid},
					{`{"namespace":"` + str + `"}`, sp.plain},
				} {
					ev, ok := decodeFastChecked(t, []byte(c.body))
					if ok != c.ok {
						t.Fatalf("fast path ok = %v for %q, want %v", ok, c.body, c.ok)
					}
					if !ok {
						continue
					}
					if strings.Contains(c.body, "dtmf") && ev.Payload.DTMF != "1" {
						t.Fatalf("%q: dtmf %q, want 1", c.body, ev.Payload.DTMF)
					}
					if strings.Contains(c.body, "callId") && ev.Payload.CallID != str {
						t.Fatalf("%q: callId %q, want %q", c.body, ev.Payload.CallID, str)
					}
				}
			}
		}
	}
}

// TestDecodeCallActionFastTruncated: no proper prefix of a body is a JSON
// object, whichever token it ends in, so the fast path must give up on
// each (and not read past the end).
func TestDecodeCallActionFastTruncated(t *testing.T) {
	for name, body := range realBodies(t) {
		body = bytes.TrimSpace(body)
		for n := range len(body) {
			if ev, ok := decodeFast(body[:n]); ok {
				t.Fatalf("%s: fast path took the prefix %q: %+v", name, body[:n], ev)
			}
		}
	}
}

// TestDecodeCallActionFastNumbers checks Number fields bit for bit against
// strconv.ParseFloat, which reflect.DeepEqual would not: it takes -0 for
// 0. Integers of up to 15 digits have their own conversion.
func TestDecodeCallActionFastNumbers(t *testing.T) {
	for _, lit := range []string{
		"0", "-0", "1", "-1", "200", "486", "14", "123456789", "-987654321",
		"999999999999999", "-999999999999999", "100000000000000", // 15 digits
		"9999999999999999", "9007199254740993", "-9007199254740993", // 16 digits: rounded
		"12345678901234567890", "99999999999999999999", "18446744073709551617", // would overflow a uint64
		"123456789012345678901234567890",
		"0.0", "-0.0", "1.5", "200.0", "2e2", "-0e5", "1E+2", "1e-400", "-1e-400", "1e999",
	} {
		body := vca(`{"sipCode":` + lit + `,"callDuration":` + lit + `}`)
		ev, ok := decodeFastChecked(t, []byte(body))
		if !ok {
			t.Errorf("fast path gave up on %s", lit)
			continue
		}
		want, err := strconv.ParseFloat(lit, 64)
		if err != nil || math.IsInf(want, 0) {
			want = 0
		}
		for _, got := range []callflows.Number{ev.Payload.SipCode, ev.Payload.CallDuration} {
			if math.Float64bits(float64(got)) != math.Float64bits(want) {
				t.Errorf("%s decoded as %v (bits %#x), want %v (bits %#x)", lit, got, math.Float64bits(float64(got)), want, math.Float64bits(want))
			}
		}
	}
	for _, lit := range []string{"00", "01", "-01", "007", "-", "--1", "+1", "1.", ".1", "1e", "0x1", "1_000", "Infinity"} {
		if ev, ok := decodeFast([]byte(vca(`{"sipCode":` + lit + `}`))); ok {
			t.Errorf("fast path took the invalid number %s: %v", lit, ev.Payload.SipCode)
		}
	}
}

// TestEventDataDigitsFastKeys checks each DTMF key alone, which the fast
// path returns without allocating, and strings that are not digits, in
// both of eventData's shapes.
func TestEventDataDigitsFastKeys(t *testing.T) {
	for c := range 256 {
		for _, raw := range []string{
			`{"dtmf":"` + string(rune(c)) + `"}`, `"` + string(rune(c)) + `"`,
			`{"dtmf":" ` + string(rune(c)) + ` "}`, `" ` + string(rune(c)) + string(rune(c)) + ` "`,
		} {
			raw := []byte(raw)
			got, ok := callflows.EventDataDigitsFast(raw)
			if !ok {
				if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
					t.Errorf("fast path gave up on eventData %s", raw)
				}
				continue
			}
			if want := callflows.EventDataDigitsSlow(raw); got != want {
				t.Errorf("eventData %s: fast %q, slow %q", raw, got, want)
			}
		}
	}
	var raws [][]byte
	for _, raw := range []string{`{"dtmf":"1"}`, `"#"`, `{"dtmf":" * "}`, `{"dtmf":null}`, `"text"`, "{\n  \"dtmf\": \"0\"\n}"} {
		raws = append(raws, []byte(raw))
	}
	if n := testing.AllocsPerRun(100, func() {
		for _, raw := range raws {
			callflows.EventDataDigitsFast(raw)
		}
	}); n != 0 {
		t.Errorf("%v allocations for single keys, want 0", n)
	}
}

// BenchmarkEventDataDigits finds the digits in eventData values as 8x8
// sends them, with each path.
//
//	go test -run '^$' -bench EventData -benchmem -count 5 ./callflows/
func BenchmarkEventDataDigits(b *testing.B) {
	for _, raw := range []string{`{"dtmf":"1"}`, "{\n      \"dtmf\": \"12#\"\n    }", `"2"`, `{"dtmf":null}`} {
		b.Run(raw, func(b *testing.B) {
			body := []byte(raw)
			b.Run("fast", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, ok := callflows.EventDataDigitsFast(body); !ok {
						b.Fatal("not decoded")
					}
				}
			})
			b.Run("slow", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					callflows.EventDataDigitsSlow(body)
				}
			})
		})
	}
}
