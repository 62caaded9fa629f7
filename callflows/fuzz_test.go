package callflows_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/callflows"
)

// fuzzTimeout is how long one decode may take before the fuzzer counts it
// as a crash: a webhook body is a few kilobytes, decoded in microseconds.
const fuzzTimeout = 10 * time.Second

// addFixtureSeeds adds every JSON payload in testdata (VCA and VSS alike:
// each decoder must cope with the other's shape) to f.
func addFixtureSeeds(f *testing.F) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	if len(files) == 0 {
		f.Fatal("no seed payloads in testdata")
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// Bodies that are not JSON objects, or barely are: each decoder must
// return an error exactly for the first kind.
var edgeBodies = []string{
	``, ` `, " \t\r\n", `{`, `}`, `{}`, ` {} `, "\n{}\n", `{} x`, `{}{}`, `[]`, `[{}]`, ` [{"payload":{}}]`,
	`null`, `true`, `"CALL_ACTION"`, `1`, `-0`, `1e308`, `not json`, `{"a":1,}`,
	`{"payload":null}`, `{"payload":"oops"}`, `{"payload":[]}`, `{"payload":{"payload":{}}}`,
	"\ufeff{}", "{\"eventType\":\"\xff\xfe\"}", `{"eventType":"\ud800"}`, `{"eventType":"\u0000"}`,
	`{"Payload":{"DTMF":"1","ClientActionID":"x"}}`,
	`{"payload":{"dtmf":"1"},"payload":{"dtmf":"2"}}`,
	`{"payload":{"callDuration":"12","sipCode":"486","callCount":"3","version":"5"}}`,
	`{"payload":{"callDuration":1e308,"sipCode":-1e-308,"callCount":1.5}}`,
	`{"payload":{"callDuration":"soon","sipCode":{},"callCount":[],"version":true}}`,
	`{"payload":{"details":{"callA":{"callDuration":"5","callQuality":{"mos":"4.3","jitter":null}}}}}`,
	`{"payload":{"details":{"callA":null,"CallB":"x","":{}},"errorDetails":{"errorCode":-2003}}}`,
	`{"payload":{"errorDetails":{"errorCode":{"nested":true},"errorMsg":7}}}`,
	`{"payload":{"errorDetails":"oops","details":[]}}`,
	`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
	`{"payload":{"eventData":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}`,
}

// Payloads for the three digit shapes and every way of sending no digits
// or something else where digits belong.
var digitPayloads = []string{
	`{"eventData":{"dtmf":"1"}}`, `{"eventData":"2"}`, `{"dtmf":"3"}`,
	`{"eventData":{"dtmf":"12*#"},"dtmf":"4"}`, `{"eventData":" 5 ","dtmf":"6"}`,
	`{"eventData":{"dtmf":null},"dtmf":null}`, `{"eventData":null}`, `{"eventData":""}`, `{"dtmf":""}`, `{}`,
	`{"eventData":{}}`, `{"eventData":[]}`, `{"eventData":["1"]}`, `{"eventData":1}`, `{"eventData":true}`,
	`{"eventData":{"dtmf":1}}`, `{"dtmf":12}`, `{"dtmf":-1.5e3}`, `{"dtmf":true}`, `{"dtmf":{}}`, `{"dtmf":["1"]}`,
	`{"eventData":"additional event data","dtmf":"8"}`, `{"eventData":"1a"}`, `{"eventData":"\u0031\u0023"}`,
	`{"eventData":{"dtmf":{"x":1}},"dtmf":"9"}`, `{"eventData":{"dtmf":"7","asrCaptured":null}}`,
	`{"eventData":{"DTMF":"1","Dtmf":"2"}}`, `{"eventData":{"dtmf":"1","dtmf":null},"dtmf":"3"}`,
	`{"eventData":{"dtmf":" \t"},"dtmf":" 5\n"}`, `{"eventData":{"dtmf":"abc"}}`, "{\"dtmf\":\"\xff1\"}",
	`{"clientActionId":5,"dtmf":"1"}`, `{"clientActionId":"main_menu","eventData":{"dtmf":"1"},"callStatus":"ACTION_COMPLETED"}`,
}

// FuzzDecodeCallAction feeds arbitrary bodies to DecodeCallAction as the
// VCA handler does. It checks what the doc comments promise:
//   - it never panics and fails only for a body that is not a JSON object,
//     with a *SyntaxError when the body is not JSON at all and
//     ErrNotJSONObject when it is JSON but no object;
//   - a Number field is 0 for anything that is not a number, so never NaN
//     or an infinity (no JSON number is either);
//   - Digits looks in payload.eventData.dtmf (eventData an object), then
//     payload.eventData (a string, only when it is DTMF keys), then
//     payload.dtmf, and treats null, absent and "" as no digits;
//   - decoding is deterministic and the result does not share memory with
//     the body, which the server reads into a pooled buffer.
//
// Run it with
//
//	go test -run '^$' -fuzz '^FuzzDecodeCallAction$' -fuzztime 60s ./callflows/
func FuzzDecodeCallAction(f *testing.F) {
	addCallActionSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		// A slow input is a bug too: make it a crash the fuzzer saves.
		watchdog := time.AfterFunc(fuzzTimeout, func() { panic(fmt.Sprintf("input took over %v: %q", fuzzTimeout, body)) })
		defer watchdog.Stop()

		buf := bytes.Clone(body)
		ev, err := callflows.DecodeCallAction(buf)
		if !checkDecodeError(t, body, ev == nil, err) {
			return
		}
		checkFinite(t, reflect.ValueOf(*ev), "CallAction")

		p := &ev.Payload
		d := p.Digits()
		if want := wantDigits(t, p); d != want {
			t.Errorf("Digits() = %q, want %q (eventData %s, dtmf %q)", d, want, p.EventData, p.DTMF)
		}
		if d2 := p.Digits(); d2 != d {
			t.Errorf("Digits() = %q, then %q", d, d2)
		}

		// The server puts the body's buffer back in a pool: overwriting it
		// must not change what was decoded from it.
		for i := range buf {
			buf[i] = '9'
		}
		again, err := callflows.DecodeCallAction(body)
		if err != nil {
			t.Fatalf("second decode failed: %v", err)
		}
		if !reflect.DeepEqual(ev, again) {
			t.Errorf("decoding twice differs (or the first result shares the body's memory):\n%+v\n%+v", ev, again)
		}
	})
}

// addCallActionSeeds adds the seeds of the VCA fuzz targets to f: the
// testdata payloads, edgeBodies, and a VCA for each of digitPayloads.
func addCallActionSeeds(f *testing.F) {
	f.Helper()
	addFixtureSeeds(f)
	for _, b := range edgeBodies {
		f.Add([]byte(b))
	}
	for _, p := range digitPayloads {
		f.Add([]byte(`{"namespace":"VOICE","eventType":"CALL_ACTION","payload":` + p + `}`))
	}
}

// FuzzDecodeSessionSummary feeds arbitrary bodies to DecodeSessionSummary
// as the VSS handler does, with the same promises as DecodeCallAction's
// bar Digits.
//
//	go test -run '^$' -fuzz '^FuzzDecodeSessionSummary$' -fuzztime 60s ./callflows/
func FuzzDecodeSessionSummary(f *testing.F) {
	addFixtureSeeds(f)
	for _, b := range edgeBodies {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		watchdog := time.AfterFunc(fuzzTimeout, func() { panic(fmt.Sprintf("input took over %v: %q", fuzzTimeout, body)) })
		defer watchdog.Stop()

		buf := bytes.Clone(body)
		ev, err := callflows.DecodeSessionSummary(buf)
		if !checkDecodeError(t, body, ev == nil, err) {
			return
		}
		checkFinite(t, reflect.ValueOf(*ev), "SessionSummary")
		for i := range buf {
			buf[i] = '9'
		}
		again, err := callflows.DecodeSessionSummary(body)
		if err != nil {
			t.Fatalf("second decode failed: %v", err)
		}
		if !reflect.DeepEqual(ev, again) {
			t.Errorf("decoding twice differs (or the first result shares the body's memory):\n%+v\n%+v", ev, again)
		}
	})
}

// checkDecodeError checks a decoder's error against its contract: an error
// exactly when body is not a JSON object, a *SyntaxError wrapping
// encoding/json's when it is not JSON, ErrNotJSONObject when it is other
// JSON; and a nil result along with an error. It reports whether the
// decoder succeeded.
func checkDecodeError(t *testing.T, body []byte, isNil bool, err error) bool {
	t.Helper()
	valid := json.Valid(body)
	trimmed := bytes.TrimLeft(body, " \t\r\n") // JSON's white space
	object := valid && len(trimmed) > 0 && trimmed[0] == '{'
	if err == nil {
		if !object {
			t.Fatalf("no error for %q, which is not a JSON object", body)
		}
		if isNil {
			t.Fatalf("nil result and no error for %q", body)
		}
		return true
	}
	if object {
		t.Fatalf("error for the JSON object %q: %v", body, err)
	}
	if !isNil {
		t.Errorf("a result along with the error %v", err)
	}
	var syn *callflows.SyntaxError
	isSyntax := errors.As(err, &syn)
	if !valid {
		var jsonErr *json.SyntaxError
		if !isSyntax || errors.Is(err, callflows.ErrNotJSONObject) || !errors.As(syn.Err, &jsonErr) {
			t.Fatalf("error %v (%T) for %q, which is not JSON; want a *SyntaxError wrapping a *json.SyntaxError", err, err, body)
		}
		return false
	}
	if isSyntax || !errors.Is(err, callflows.ErrNotJSONObject) {
		t.Fatalf("error %v (%T) for %q, which is valid JSON but not an object; want ErrNotJSONObject", err, err, body)
	}
	return false
}

var numberType = reflect.TypeFor[callflows.Number]()

// checkFinite fails t for a Number anywhere in v that is NaN or infinite:
// Number keeps "anything that is not a number" as 0.
func checkFinite(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	if v.Type() == numberType {
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			t.Fatalf("%s = %v; a Number is 0 for anything that is not a number", path, f)
		}
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			checkFinite(t, v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			checkFinite(t, v.Elem(), path)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			checkFinite(t, it.Value(), fmt.Sprintf("%s[%q]", path, it.Key()))
		}
	}
}

// wantDigits is what Digits must return for p, by its doc comment, worked
// out from the decoded eventData with a token reader rather than the
// struct decoding Digits uses: eventData.dtmf when eventData is an object,
// else eventData when it is a string of DTMF keys, else payload.dtmf; null,
// absent and "" (after trimming white space, as TestDigits expects) are
// no digits.
func wantDigits(t *testing.T, p *callflows.CallActionPayload) string {
	t.Helper()
	fallback := strings.TrimSpace(string(p.DTMF))
	raw := bytes.TrimSpace(p.EventData)
	if len(raw) == 0 {
		return fallback
	}
	switch raw[0] {
	case '{':
		// encoding/json matches object keys to fields case-insensitively
		// and the last of duplicate keys wins.
		dec := json.NewDecoder(bytes.NewReader(raw))
		if _, err := dec.Token(); err != nil {
			t.Fatalf("eventData %s: %v", raw, err)
		}
		var dtmf json.RawMessage
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				t.Fatalf("eventData %s: %v", raw, err)
			}
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("eventData %s: %v", raw, err)
			}
			if strings.EqualFold(key.(string), "dtmf") {
				dtmf = v
			}
		}
		if d := strings.TrimSpace(scalar(t, dtmf)); d != "" {
			return d
		}
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatalf("eventData %s: %v", raw, err)
		}
		if s = strings.TrimSpace(s); callflows.IsDTMF(s) {
			return s
		}
	}
	return fallback
}

// scalar is the text a Text keeps for the JSON value raw: a string's
// contents, a number's or boolean's literal, "" for null, an object or an
// array.
func scalar(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	if len(raw) == 0 {
		return ""
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("value %s: %v", raw, err)
	}
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return string(v)
	case bool:
		return fmt.Sprint(v)
	}
	return ""
}
