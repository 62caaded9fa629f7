package callflows_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/ivrctl/ivrctl/callflows"
)

// Bodies are built from small pieces so that each case differs from a
// valid callflow in exactly the value under test.
const (
	valMakeCall = `{"action":"makeCall","params":{"source":"+6568888888","destination":"+6598888888"}}`
	valVoice    = `"voiceProfile":"en-US-BenjaminRUS"`
	valHangup   = `{"action":"hangup"}`
)

// valBody is a request body holding actions.
func valBody(actions ...string) string {
	return `{"callflow":[` + strings.Join(actions, ",") + `]}`
}

// valAct is an action with the given params, written inside the braces.
func valAct(name string, params ...string) string {
	return `{"action":"` + name + `","params":{` + strings.Join(params, ",") + `}}`
}

// valSay is a valid say, plus extra params.
func valSay(extra ...string) string {
	return valAct("say", append([]string{`"text":"Thank you for calling"`, valVoice}, extra...)...)
}

// valCapture is a valid sayAndCapture, plus extra params.
func valCapture(extra ...string) string {
	return valAct("sayAndCapture", append([]string{`"promptMessage":"Press 1 to book, press 2 to talk to us"`, valVoice}, extra...)...)
}

// valPlay is a playFile of url, plus extra params.
func valPlay(url string, extra ...string) string {
	return valAct("playFile", append([]string{`"fileUrl":` + valQuote(url)}, extra...)...)
}

func valQuote(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// valWant is one expected problem: its status code and JSON path.
type valWant struct {
	code int
	path string
}

type valCase struct {
	name string
	ctx  callflows.Context
	body string
	want []valWant // none: the body passes
}

func runValCases(t *testing.T, tests []valCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := callflows.ValidateJSON([]byte(tt.body), tt.ctx)
			checkValProblems(t, got, tt.want)
		})
	}
}

// checkValProblems compares codes and paths, in order, and holds every
// message to the project's style.
func checkValProblems(t *testing.T, got callflows.Problems, want []valWant) {
	t.Helper()
	var g []valWant
	for _, p := range got {
		g = append(g, valWant{p.Code, p.Path})
	}
	if fmt.Sprint(g) != fmt.Sprint(want) {
		t.Errorf("got problems %v, want %v\n%v", g, want, got)
	}
	for _, p := range got {
		r, _ := utf8.DecodeRuneInString(p.Message)
		if p.Message == "" || unicode.IsUpper(r) || strings.HasSuffix(p.Message, ".") {
			t.Errorf("message %q: want plain words, lowercase, no final period", p.Message)
		}
	}
}

func TestValidateValid(t *testing.T) {
	runValCases(t, []valCase{
		{
			name: "seed-like initial request",
			ctx:  callflows.Initial,
			body: valBody(valMakeCall, valCapture(`"speed":1`, `"minDigits":1`, `"maxDigits":1`,
				`"digitTimeout":10000`, `"overallTimeout":10000`, `"noOfTries":1`)),
		},
		{
			name: "initial request with validUntil and clientActionId",
			ctx:  callflows.Initial,
			body: `{"validUntil":"2024-07-03T05:59:32.226Z","clientActionId":"main_menu","callflow":[` + valMakeCall + `,` + valCapture() + `]}`,
		},
		{
			name: "validUntil without milliseconds",
			ctx:  callflows.Initial,
			body: `{"validUntil":"2024-07-03T05:59:32Z","callflow":[` + valMakeCall + `]}`,
		},
		{
			name: "voice message: say then hangup",
			ctx:  callflows.Initial,
			body: valBody(valMakeCall, valSay(`"repetition":1`, `"speed":1`), valHangup),
		},
		{
			name: "voice message: playFile then hangup",
			ctx:  callflows.Initial,
			body: valBody(valMakeCall, valPlay("https://example.com/audio/notice.mp3", `"repetition":2`), valHangup),
		},
		{
			name: "answer: next menu",
			ctx:  callflows.Answer,
			body: `{"clientActionId":"reservations","callflow":[` + valCapture(`"speed":1`, `"minDigits":1`, `"maxDigits":1`,
				`"digitTimeout":10000`, `"overallTimeout":10000`, `"noOfTries":2`) + `]}`,
		},
		{
			name: "answer: say and hang up",
			ctx:  callflows.Answer,
			body: valBody(valSay(`"speed":1`), valHangup),
		},
		{
			name: "answer: transfer",
			ctx:  callflows.Answer,
			body: `{"clientActionId":"post_call","callflow":[` + valMakeCall + `]}`,
		},
		{
			name: "answer: hangup alone, with empty params",
			ctx:  callflows.Answer,
			body: valBody(`{"action":"hangup","params":{}}`),
		},
		{
			name: "full sayAndCapture with null optionals",
			ctx:  callflows.Answer,
			body: valBody(valCapture(`"speed":1.0`, `"minDigits":1`, `"maxDigits":4`, `"digitTimeout":5000`,
				`"overallTimeout":15000`, `"completeOnHash":true`, `"noOfTries":3`, `"successMessage":null`,
				`"failureMessage":"Invalid input, please try again"`, `"repetition":1`)),
		},
		{
			name: "nullable parameters all null",
			ctx:  callflows.Answer,
			body: valBody(valCapture(`"minDigits":null`, `"maxDigits":null`, `"digitTimeout":null`,
				`"overallTimeout":null`, `"completeOnHash":null`, `"noOfTries":null`, `"failureMessage":null`)),
		},
		{
			name: "makeCall with callRecording",
			ctx:  callflows.Answer,
			body: valBody(valAct("makeCall", `"source":"6512345678"`, `"destination":"6587654321"`, `"callRecording":true`)),
		},
		{
			name: "unknown parameters are left to 8x8",
			ctx:  callflows.Answer,
			body: valBody(valCapture(`"language":"en-US"`, `"bargeIn":true`)),
		},
		{
			name: "whole number written as a float",
			ctx:  callflows.Answer,
			body: valBody(valSay(`"repetition":2.0`)),
		},
		{
			name: "surrounding whitespace",
			ctx:  callflows.Answer,
			body: "\n  " + valBody(valHangup) + "\n",
		},
	})
}

func TestValidateBody(t *testing.T) {
	runValCases(t, []valCase{
		{"not JSON", callflows.Answer, `{"callflow":[`, []valWant{{-1001, "$"}}},
		{"empty body", callflows.Answer, ``, []valWant{{-1001, "$"}}},
		{"array body", callflows.Answer, `[` + valHangup + `]`, []valWant{{-1001, "$"}}},
		{"null body", callflows.Answer, `null`, []valWant{{-1001, "$"}}},
		{"no callflow", callflows.Answer, `{"clientActionId":"x"}`, []valWant{{-1009, "$.callflow"}}},
		{"callflow null", callflows.Answer, `{"callflow":null}`, []valWant{{-1009, "$.callflow"}}},
		{"callflow an object", callflows.Answer, `{"callflow":` + valHangup + `}`, []valWant{{-1009, "$.callflow"}}},
		{"empty callflow", callflows.Answer, `{"callflow":[]}`, []valWant{{-1009, "$.callflow"}}},
		{"empty initial callflow", callflows.Initial, `{"callflow":[]}`, []valWant{{-1009, "$.callflow"}}},
		{"callflow key in another case", callflows.Answer, `{"Callflow":[` + valHangup + `]}`, []valWant{{-1009, "$.callflow"}}},
		{"entry not an object", callflows.Answer, valBody(valSay(), `"hangup"`), []valWant{{-1009, "$.callflow[1]"}}},
		{"entry null", callflows.Answer, valBody(`null`), []valWant{{-1009, "$.callflow[0]"}}},
		{"action missing", callflows.Answer, valBody(`{"params":{}}`), []valWant{{-1009, "$.callflow[0].action"}}},
		{"action null", callflows.Answer, valBody(`{"action":null}`), []valWant{{-1009, "$.callflow[0].action"}}},
		{"action not a string", callflows.Answer, valBody(`{"action":1}`), []valWant{{-1009, "$.callflow[0].action"}}},
		{"params missing", callflows.Answer, valBody(`{"action":"say"}`), []valWant{{-1009, "$.callflow[0].params"}}},
		{"params null", callflows.Answer, valBody(`{"action":"playFile","params":null}`), []valWant{{-1009, "$.callflow[0].params"}}},
		{"params an array", callflows.Answer, valBody(`{"action":"sayAndCapture","params":[]}`), []valWant{{-1009, "$.callflow[0].params"}}},
		{"validUntil not a time", callflows.Initial, `{"validUntil":"tomorrow","callflow":[` + valMakeCall + `]}`, []valWant{{-1001, "$.validUntil"}}},
		{"validUntil a number", callflows.Initial, `{"validUntil":1720000000,"callflow":[` + valMakeCall + `]}`, []valWant{{-1001, "$.validUntil"}}},
		{"clientActionId a number", callflows.Answer, `{"clientActionId":7,"callflow":[` + valHangup + `]}`, []valWant{{-1001, "$.clientActionId"}}},
	})
}

func TestValidateFirstAction(t *testing.T) {
	runValCases(t, []valCase{
		{"initial starting with makeCall", callflows.Initial, valBody(valMakeCall, valSay()), nil},
		{"initial starting with say", callflows.Initial, valBody(valSay(), valMakeCall), []valWant{{-1013, "$.callflow[0].action"}}},
		{"initial of a hangup", callflows.Initial, valBody(valHangup), []valWant{{-1013, "$.callflow[0].action"}}},
		{"answer starting with say", callflows.Answer, valBody(valSay(), valHangup), nil},
		{"answer starting with sayAndCapture", callflows.Answer, valBody(valCapture()), nil},
	})
}

func TestValidateMakeCallCount(t *testing.T) {
	runValCases(t, []valCase{
		{"two makeCall", callflows.Initial, valBody(valMakeCall, valMakeCall), nil},
		{"three makeCall", callflows.Initial, valBody(valMakeCall, valMakeCall, valMakeCall), []valWant{{-1010, "$.callflow[2].action"}}},
		{"four makeCall", callflows.Answer, valBody(valMakeCall, valSay(), valMakeCall, valMakeCall, valMakeCall),
			[]valWant{{-1010, "$.callflow[3].action"}, {-1010, "$.callflow[4].action"}}},
	})
}

func TestValidateActionNames(t *testing.T) {
	runValCases(t, []valCase{
		{"makeCall", callflows.Answer, valBody(valMakeCall), nil},
		{"say", callflows.Answer, valBody(valSay()), nil},
		{"sayAndCapture", callflows.Answer, valBody(valCapture()), nil},
		{"playFile", callflows.Answer, valBody(valPlay("https://example.com/a.wav")), nil},
		{"hangup", callflows.Answer, valBody(valHangup), nil},
		{"wrong case", callflows.Answer, valBody(valAct("Say", `"text":"Hi"`, valVoice)), []valWant{{-1007, "$.callflow[0].action"}}},
		{"all lower case", callflows.Answer, valBody(valAct("sayandcapture", `"promptMessage":"Hi"`, valVoice)), []valWant{{-1007, "$.callflow[0].action"}}},
		{"legacy say&capture", callflows.Answer, valBody(valAct("say&capture", `"promptMessage":"Hi"`)), []valWant{{-1007, "$.callflow[0].action"}}},
		{"not an 8x8 action", callflows.Answer, valBody(valAct("record")), []valWant{{-1007, "$.callflow[0].action"}}},
		{"empty name", callflows.Answer, valBody(`{"action":""}`), []valWant{{-1007, "$.callflow[0].action"}}},
		{"unknown first action of an initial request", callflows.Initial, valBody(valAct("MakeCall", `"source":"+6568888888"`, `"destination":"+6598888888"`)),
			[]valWant{{-1007, "$.callflow[0].action"}}},
	})
}

func TestValidateActionNameMessage(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"Say", `action "Say" should be one of: makeCall, say, sayAndCapture, playFile, hangup; did you mean "say"?`},
		{"playfile", `action "playfile" should be one of: makeCall, say, sayAndCapture, playFile, hangup; did you mean "playFile"?`},
		{"hangUp", `action "hangUp" should be one of: makeCall, say, sayAndCapture, playFile, hangup; did you mean "hangup"?`},
		{"transfer", `action "transfer" should be one of: makeCall, say, sayAndCapture, playFile, hangup`},
	}
	for _, tt := range tests {
		ps := callflows.ValidateJSON([]byte(valBody(`{"action":"`+tt.name+`"}`)), callflows.Answer)
		if len(ps) != 1 || ps[0].Message != tt.want {
			t.Errorf("action %q: got %v, want one problem %q", tt.name, ps, tt.want)
		}
	}
}

func TestValidateRequiredParams(t *testing.T) {
	runValCases(t, []valCase{
		{"makeCall without source", callflows.Initial, valBody(valAct("makeCall", `"destination":"+6598888888"`)),
			[]valWant{{-1009, "$.callflow[0].params.source"}}},
		{"makeCall without destination", callflows.Initial, valBody(valAct("makeCall", `"source":"+6568888888"`)),
			[]valWant{{-1009, "$.callflow[0].params.destination"}}},
		{"makeCall with empty params", callflows.Initial, valBody(valAct("makeCall")),
			[]valWant{{-1009, "$.callflow[0].params.source"}, {-1009, "$.callflow[0].params.destination"}}},
		{"say without text", callflows.Answer, valBody(valAct("say", valVoice)),
			[]valWant{{-1009, "$.callflow[0].params.text"}}},
		{"say without voiceProfile", callflows.Answer, valBody(valAct("say", `"text":"Hi"`)),
			[]valWant{{-1009, "$.callflow[0].params.voiceProfile"}}},
		{"say with text null", callflows.Answer, valBody(valAct("say", `"text":null`, valVoice)),
			[]valWant{{-1009, "$.callflow[0].params.text"}}},
		{"say with text in another case", callflows.Answer, valBody(valAct("say", `"Text":"Hi"`, valVoice)),
			[]valWant{{-1009, "$.callflow[0].params.text"}}},
		{"sayAndCapture without promptMessage", callflows.Answer, valBody(valAct("sayAndCapture", valVoice)),
			[]valWant{{-1009, "$.callflow[0].params.promptMessage"}}},
		{"sayAndCapture without voiceProfile", callflows.Answer, valBody(valAct("sayAndCapture", `"promptMessage":"Press 1"`)),
			[]valWant{{-1009, "$.callflow[0].params.voiceProfile"}}},
		{"playFile without fileUrl", callflows.Answer, valBody(valAct("playFile", `"repetition":1`)),
			[]valWant{{-1009, "$.callflow[0].params.fileUrl"}}},
	})
}

func TestValidateParamTypes(t *testing.T) {
	p := func(field string) []valWant { return []valWant{{-1009, "$.callflow[0].params." + field}} }
	runValCases(t, []valCase{
		{"source a number", callflows.Answer, valBody(valAct("makeCall", `"source":6568888888`, `"destination":"+6598888888"`)), p("source")},
		{"callRecording a string", callflows.Answer, valBody(valAct("makeCall", `"source":"+6568888888"`, `"destination":"+6598888888"`, `"callRecording":"yes"`)), p("callRecording")},
		{"text an array", callflows.Answer, valBody(valAct("say", `"text":["Hi"]`, valVoice)), p("text")},
		{"voiceProfile an object", callflows.Answer, valBody(valAct("say", `"text":"Hi"`, `"voiceProfile":{}`)), p("voiceProfile")},
		{"speed a string", callflows.Answer, valBody(valSay(`"speed":"1"`)), p("speed")},
		{"repetition a fraction", callflows.Answer, valBody(valSay(`"repetition":1.5`)), p("repetition")},
		{"repetition a boolean", callflows.Answer, valBody(valSay(`"repetition":true`)), p("repetition")},
		{"minDigits a string", callflows.Answer, valBody(valCapture(`"minDigits":"1"`, `"maxDigits":1`)), p("minDigits")},
		{"maxDigits a fraction", callflows.Answer, valBody(valCapture(`"maxDigits":1.5`)), p("maxDigits")},
		{"digitTimeout a string", callflows.Answer, valBody(valCapture(`"digitTimeout":"10s"`, `"overallTimeout":10000`)), p("digitTimeout")},
		{"overallTimeout out of range", callflows.Answer, valBody(valCapture(`"overallTimeout":1e999`)), p("overallTimeout")},
		{"completeOnHash a string", callflows.Answer, valBody(valCapture(`"completeOnHash":"false"`)), p("completeOnHash")},
		{"noOfTries a fraction", callflows.Answer, valBody(valCapture(`"noOfTries":2.5`)), p("noOfTries")},
		{"successMessage a number", callflows.Answer, valBody(valCapture(`"successMessage":5`)), p("successMessage")},
		{"failureMessage a boolean", callflows.Answer, valBody(valCapture(`"failureMessage":false`)), p("failureMessage")},
		{"fileUrl a number", callflows.Answer, valBody(valAct("playFile", `"fileUrl":1`)), p("fileUrl")},
	})
}

// TestValidateTextLength counts characters, not bytes: "é" is two bytes
// in UTF-8 and one character.
func TestValidateTextLength(t *testing.T) {
	at3000 := valQuote(strings.Repeat("é", callflows.MaxTextLength))
	at3001 := valQuote(strings.Repeat("é", callflows.MaxTextLength+1))
	var tests []valCase
	for _, tc := range []struct {
		field string
		act   func(v string) string
	}{
		{"text", func(v string) string { return valAct("say", `"text":`+v, valVoice) }},
		{"promptMessage", func(v string) string { return valAct("sayAndCapture", `"promptMessage":`+v, valVoice) }},
		{"successMessage", func(v string) string { return valCapture(`"successMessage":` + v) }},
		{"failureMessage", func(v string) string { return valCapture(`"failureMessage":` + v) }},
	} {
		tests = append(tests,
			valCase{tc.field + " of 3000 characters", callflows.Answer, valBody(tc.act(at3000)), nil},
			valCase{tc.field + " of 3001 characters", callflows.Answer, valBody(tc.act(at3001)),
				[]valWant{{-1009, "$.callflow[0].params." + tc.field}}},
		)
	}
	runValCases(t, tests)
}

func TestValidateTextCharacters(t *testing.T) {
	say := func(raw string) string { return valBody(valAct("say", `"text":"`+raw+`"`, valVoice)) }
	bad := []valWant{{-1016, "$.callflow[0].params.text"}}
	runValCases(t, []valCase{
		{"plain text", callflows.Answer, say(`Press 1, or # to finish: it's 9AM-9PM!`), nil},
		{"markup characters", callflows.Answer, say(`Fish & chips <today> \"only\" 5$ 100%`), nil},
		{"accents and other scripts", callflows.Answer, say(`Café, 欢迎, مرحبا`), nil},
		{"emoji", callflows.Answer, say(`Thanks 😀`), nil},
		{"escaped surrogate pair", callflows.Answer, say(`Thanks \ud83d\ude00`), nil},
		{"escaped quote and backslash", callflows.Answer, say(`say \"hi\" \\ \/`), nil},
		{"escaped backslash then u", callflows.Answer, say(`C:\\ud800`), nil},
		{"no-break space, first after the C1 controls", callflows.Answer, say("a\u00a0b"), nil},
		{"tilde, last before DEL", callflows.Answer, say("a~b"), nil},
		{"space, first after the C0 controls", callflows.Answer, say("a b"), nil},
		{"escaped newline", callflows.Answer, say(`line one\nline two`), bad},
		{"escaped tab", callflows.Answer, say(`a\tb`), bad},
		{"escaped NUL", callflows.Answer, say(`a\u0000b`), bad},
		{"unit separator, last C0 control", callflows.Answer, say(`a\u001fb`), bad},
		{"DEL", callflows.Answer, say("a\u007fb"), bad},
		{"NEL, a C1 control", callflows.Answer, say("a\u0085b"), bad},
		{"APC, last C1 control", callflows.Answer, say(`a\u009fb`), bad},
		{"raw newline, which JSON forbids in a string", callflows.Answer, say("a\nb"), []valWant{{-1001, "$"}}},
		{"invalid UTF-8", callflows.Answer, say("a\xffb"), bad},
		{"truncated UTF-8", callflows.Answer, say("caf\xc3"), bad},
		{"lone high surrogate", callflows.Answer, say(`a\ud83db`), bad},
		{"high surrogate at the end", callflows.Answer, say(`a\ud83d`), bad},
		{"high surrogate before a non-surrogate escape", callflows.Answer, say(`a\ud83d\u0041`), bad},
		{"lone low surrogate", callflows.Answer, say(`a\ude00b`), bad},
		{"two high surrogates", callflows.Answer, say(`a\ud83d\ud83db`), bad},
		{"control character in promptMessage", callflows.Answer, valBody(valAct("sayAndCapture", `"promptMessage":"Press 1\r\n"`, valVoice)),
			[]valWant{{-1016, "$.callflow[0].params.promptMessage"}}},
		{"control character in successMessage", callflows.Answer, valBody(valCapture(`"successMessage":"ok\t"`)),
			[]valWant{{-1016, "$.callflow[0].params.successMessage"}}},
		{"control character in failureMessage", callflows.Answer, valBody(valCapture(`"failureMessage":"\u001b[1m"`)),
			[]valWant{{-1016, "$.callflow[0].params.failureMessage"}}},
	})
}

func TestValidateTextCharacterMessage(t *testing.T) {
	ps := callflows.ValidateJSON([]byte(valBody(valAct("say", `"text":"ab\ncd"`, valVoice))), callflows.Answer)
	want := "text holds the control character U+000A at character 3"
	if len(ps) != 1 || ps[0].Message != want {
		t.Errorf("got %v, want one problem %q", ps, want)
	}
}

func TestValidateRepetition(t *testing.T) {
	var tests []valCase
	for _, tc := range []struct {
		name string
		act  func(extra string) string
	}{
		{"say", func(e string) string { return valSay(e) }},
		{"playFile", func(e string) string { return valPlay("https://example.com/a.mp3", e) }},
		{"sayAndCapture", func(e string) string { return valCapture(e) }},
	} {
		bad := []valWant{{-1009, "$.callflow[0].params.repetition"}}
		tests = append(tests,
			valCase{tc.name + " repetition 1", callflows.Answer, valBody(tc.act(`"repetition":1`)), nil},
			valCase{tc.name + " repetition 0", callflows.Answer, valBody(tc.act(`"repetition":0`)), bad},
			valCase{tc.name + " repetition 3", callflows.Answer, valBody(tc.act(`"repetition":3`)), nil},
			valCase{tc.name + " repetition 4", callflows.Answer, valBody(tc.act(`"repetition":4`)), bad},
		)
	}
	runValCases(t, tests)
}

func TestValidateSpeed(t *testing.T) {
	var tests []valCase
	for _, tc := range []struct {
		name string
		act  func(extra string) string
	}{
		{"say", func(e string) string { return valSay(e) }},
		{"sayAndCapture", func(e string) string { return valCapture(e) }},
	} {
		bad := []valWant{{-1009, "$.callflow[0].params.speed"}}
		tests = append(tests,
			valCase{tc.name + " speed 0.5", callflows.Answer, valBody(tc.act(`"speed":0.5`)), nil},
			valCase{tc.name + " speed 0.49", callflows.Answer, valBody(tc.act(`"speed":0.49`)), bad},
			valCase{tc.name + " speed 2.0", callflows.Answer, valBody(tc.act(`"speed":2.0`)), nil},
			valCase{tc.name + " speed 2.01", callflows.Answer, valBody(tc.act(`"speed":2.01`)), bad},
			valCase{tc.name + " speed 1.25", callflows.Answer, valBody(tc.act(`"speed":1.25`)), nil},
		)
	}
	runValCases(t, tests)
}

func TestValidateDigits(t *testing.T) {
	minD := "$.callflow[0].params.minDigits"
	maxD := "$.callflow[0].params.maxDigits"
	runValCases(t, []valCase{
		{"minDigits 1", callflows.Answer, valBody(valCapture(`"minDigits":1`, `"maxDigits":1`)), nil},
		{"minDigits 0", callflows.Answer, valBody(valCapture(`"minDigits":0`, `"maxDigits":1`)), []valWant{{-1009, minD}}},
		{"maxDigits 1", callflows.Answer, valBody(valCapture(`"maxDigits":1`)), nil},
		{"maxDigits 0", callflows.Answer, valBody(valCapture(`"maxDigits":0`)), []valWant{{-1009, maxD}}},
		{"maxDigits 25", callflows.Answer, valBody(valCapture(`"maxDigits":25`)), nil},
		{"maxDigits 26", callflows.Answer, valBody(valCapture(`"maxDigits":26`)), []valWant{{-1009, maxD}}},
		{"maxDigits 26 completing on hash", callflows.Answer, valBody(valCapture(`"maxDigits":26`, `"completeOnHash":true`)), []valWant{{-1009, maxD}}},
		{"minDigits without maxDigits", callflows.Answer, valBody(valCapture(`"minDigits":1`)), []valWant{{-1003, maxD}}},
		{"minDigits with maxDigits null", callflows.Answer, valBody(valCapture(`"minDigits":1`, `"maxDigits":null`)), []valWant{{-1003, maxD}}},
		{"maxDigits without minDigits", callflows.Answer, valBody(valCapture(`"maxDigits":4`)), nil},
		{"minDigits equal to maxDigits", callflows.Answer, valBody(valCapture(`"minDigits":4`, `"maxDigits":4`)), nil},
		{"minDigits one above maxDigits", callflows.Answer, valBody(valCapture(`"minDigits":5`, `"maxDigits":4`)), []valWant{{-1003, maxD}}},
		{"minDigits mistyped, maxDigits absent", callflows.Answer, valBody(valCapture(`"minDigits":"2"`)),
			[]valWant{{-1009, minD}, {-1003, maxD}}},
	})
}

func TestValidateCompleteOnHash(t *testing.T) {
	maxD := "$.callflow[0].params.maxDigits"
	runValCases(t, []valCase{
		{"false with maxDigits 25", callflows.Answer, valBody(valCapture(`"completeOnHash":false`, `"maxDigits":25`)), nil},
		{"false with maxDigits 26", callflows.Answer, valBody(valCapture(`"completeOnHash":false`, `"maxDigits":26`)), []valWant{{-1008, maxD}}},
		{"false with maxDigits 1", callflows.Answer, valBody(valCapture(`"completeOnHash":false`, `"maxDigits":1`)), nil},
		{"false with maxDigits 0", callflows.Answer, valBody(valCapture(`"completeOnHash":false`, `"maxDigits":0`)), []valWant{{-1008, maxD}}},
		{"false without maxDigits", callflows.Answer, valBody(valCapture(`"completeOnHash":false`)), []valWant{{-1008, maxD}}},
		{"false with minDigits, without maxDigits", callflows.Answer, valBody(valCapture(`"completeOnHash":false`, `"minDigits":1`)), []valWant{{-1003, maxD}}},
		{"true without maxDigits", callflows.Answer, valBody(valCapture(`"completeOnHash":true`)), nil},
		{"null without maxDigits", callflows.Answer, valBody(valCapture(`"completeOnHash":null`)), nil},
	})
}

func TestValidateTimeouts(t *testing.T) {
	digit := "$.callflow[0].params.digitTimeout"
	overall := "$.callflow[0].params.overallTimeout"
	runValCases(t, []valCase{
		{"overallTimeout equal to digitTimeout", callflows.Answer, valBody(valCapture(`"digitTimeout":10000`, `"overallTimeout":10000`)), nil},
		{"overallTimeout one below digitTimeout", callflows.Answer, valBody(valCapture(`"digitTimeout":10000`, `"overallTimeout":9999`)),
			[]valWant{{-1006, overall}}},
		{"overallTimeout above digitTimeout", callflows.Answer, valBody(valCapture(`"digitTimeout":5000`, `"overallTimeout":15000`)), nil},
		{"digitTimeout without overallTimeout", callflows.Answer, valBody(valCapture(`"digitTimeout":5000`)), []valWant{{-1005, overall}}},
		{"digitTimeout with overallTimeout null", callflows.Answer, valBody(valCapture(`"digitTimeout":5000`, `"overallTimeout":null`)), []valWant{{-1005, overall}}},
		{"digitTimeout mistyped, overallTimeout absent", callflows.Answer, valBody(valCapture(`"digitTimeout":"5s"`)),
			[]valWant{{-1009, digit}, {-1005, overall}}},
		{"overallTimeout without digitTimeout", callflows.Answer, valBody(valCapture(`"overallTimeout":5000`)), nil},
		{"digitTimeout 1", callflows.Answer, valBody(valCapture(`"digitTimeout":1`, `"overallTimeout":1`)), nil},
		{"digitTimeout 0", callflows.Answer, valBody(valCapture(`"digitTimeout":0`, `"overallTimeout":1`)), []valWant{{-1009, digit}}},
		{"overallTimeout 1", callflows.Answer, valBody(valCapture(`"overallTimeout":1`)), nil},
		{"overallTimeout 0", callflows.Answer, valBody(valCapture(`"overallTimeout":0`)), []valWant{{-1009, overall}}},
	})
}

func TestValidateTimeoutMessage(t *testing.T) {
	ps := callflows.ValidateJSON([]byte(valBody(valCapture(`"digitTimeout":10000`, `"overallTimeout":5000`))), callflows.Answer)
	want := "overallTimeout 5000 is shorter than digitTimeout 10000"
	if len(ps) != 1 || ps[0].Message != want {
		t.Errorf("got %v, want one problem %q", ps, want)
	}
}

func TestValidateNoOfTries(t *testing.T) {
	runValCases(t, []valCase{
		{"noOfTries 1", callflows.Answer, valBody(valCapture(`"noOfTries":1`)), nil},
		{"noOfTries 0", callflows.Answer, valBody(valCapture(`"noOfTries":0`)), []valWant{{-1009, "$.callflow[0].params.noOfTries"}}},
	})
}

func TestValidateActionOrder(t *testing.T) {
	runValCases(t, []valCase{
		{"sayAndCapture last", callflows.Initial, valBody(valMakeCall, valSay(), valCapture()), nil},
		{"hangup after sayAndCapture", callflows.Initial, valBody(valMakeCall, valCapture(), valHangup),
			[]valWant{{-1012, "$.callflow[1].action"}}},
		{"say after sayAndCapture", callflows.Answer, valBody(valCapture(), valSay()),
			[]valWant{{-1012, "$.callflow[0].action"}}},
		{"hangup last", callflows.Initial, valBody(valMakeCall, valSay(), valHangup), nil},
		{"say after hangup", callflows.Initial, valBody(valMakeCall, valHangup, valSay()),
			[]valWant{{-1012, "$.callflow[1].action"}}},
		{"two hangups", callflows.Answer, valBody(valHangup, valHangup),
			[]valWant{{-1012, "$.callflow[0].action"}}},
		{"hangup first of two actions", callflows.Answer, valBody(valHangup, valCapture()),
			[]valWant{{-1012, "$.callflow[0].action"}}},
	})
}

func TestValidateActionOrderMessage(t *testing.T) {
	tests := []struct{ body, want string }{
		{valBody(valCapture(), valHangup), "sayAndCapture must be the last action, but 1 action follows it"},
		{valBody(valHangup, valSay(), valHangup), "hangup must be the last action, but 2 actions follow it"},
	}
	for _, tt := range tests {
		ps := callflows.ValidateJSON([]byte(tt.body), callflows.Answer)
		if len(ps) == 0 || ps[0].Message != tt.want {
			t.Errorf("%s: got %v, want first problem %q", tt.body, ps, tt.want)
		}
	}
}

func TestValidateFileURL(t *testing.T) {
	bad := []valWant{{-1009, "$.callflow[0].params.fileUrl"}}
	runValCases(t, []valCase{
		{"https mp3", callflows.Answer, valBody(valPlay("https://example.com/audio/menu.mp3")), nil},
		{"http wav", callflows.Answer, valBody(valPlay("http://example.com/menu.wav")), nil},
		{"upper-case extension and scheme", callflows.Answer, valBody(valPlay("HTTPS://example.com/MENU.WAV")), nil},
		{"query string", callflows.Answer, valBody(valPlay("https://cdn.example.com/menu.mp3?v=3&sig=abc")), nil},
		{"fragment", callflows.Answer, valBody(valPlay("https://example.com/menu.mp3#start")), nil},
		{"ftp", callflows.Answer, valBody(valPlay("ftp://example.com/menu.mp3")), bad},
		{"no scheme", callflows.Answer, valBody(valPlay("example.com/menu.mp3")), bad},
		{"no host", callflows.Answer, valBody(valPlay("https:///menu.mp3")), bad},
		{"empty", callflows.Answer, valBody(valPlay("")), bad},
		{"ogg", callflows.Answer, valBody(valPlay("https://example.com/menu.ogg")), bad},
		{"no extension", callflows.Answer, valBody(valPlay("https://example.com/menu")), bad},
		{"mp3 only in the query", callflows.Answer, valBody(valPlay("https://example.com/play?file=menu.mp3")), bad},
		{"mp3 as a directory", callflows.Answer, valBody(valPlay("https://example.com/menu.mp3/")), bad},
		{"control character", callflows.Answer, valBody(valPlay("https://example.com/me\nnu.mp3")), bad},
	})
}

func TestIsE164(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"+6598888888", true},
		{"6598888888", true},
		{"+123456789012345", true}, // 15 digits
		{"123456789012345", true},
		{"+1234567890123456", false}, // 16 digits
		{"1234567890123456", false},
		{"+6834002", true}, // 7 digits
		{"+683400", false}, // 6 digits
		{"+0598888888", false},
		{"0598888888", false},
		{"", false},
		{"+", false},
		{"++6598888888", false},
		{"+65 9888 8888", false},
		{"+65-9888-8888", false},
		{"(65)98888888", false},
		{"+65988888a8", false},
		{"6598888888+", false},
		{"+６５98888888", false}, // full-width digits
	}
	for _, tt := range tests {
		if got := callflows.IsE164(tt.s); got != tt.want {
			t.Errorf("IsE164(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestValidatePhoneNumbers(t *testing.T) {
	mc := func(source, destination string) string {
		return valBody(valAct("makeCall", `"source":`+valQuote(source), `"destination":`+valQuote(destination)))
	}
	runValCases(t, []valCase{
		{"15-digit destination", callflows.Initial, mc("+6568888888", "+123456789012345"), nil},
		{"16-digit destination", callflows.Initial, mc("+6568888888", "+1234567890123456"),
			[]valWant{{-1017, "$.callflow[0].params.destination"}}},
		{"7-digit destination", callflows.Initial, mc("+6568888888", "6834002"), nil},
		{"6-digit destination", callflows.Initial, mc("+6568888888", "683400"),
			[]valWant{{-1017, "$.callflow[0].params.destination"}}},
		{"16-digit source", callflows.Initial, mc("1234567890123456", "+6598888888"),
			[]valWant{{-1017, "$.callflow[0].params.source"}}},
		{"both empty", callflows.Answer, mc("", ""),
			[]valWant{{-1017, "$.callflow[0].params.source"}, {-1017, "$.callflow[0].params.destination"}}},
		{"template left in", callflows.Answer, mc("+6568888888", "{{Number to Call}}"),
			[]valWant{{-1017, "$.callflow[0].params.destination"}}},
	})
}

func TestIsVoiceProfile(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"en-US-BenjaminRUS", true},
		{"en-US-Neural2-C", true},
		{"en-US-Standard-A", true},
		{"zh-CN-Yaoyao-Apollo", true},
		{"da-DK-Naja", true},
		{"en-GB-Emma", true},
		{"en-IE-EmilyNeural", true},
		{"ar-EG-SalmaNeural", true},
		{"cmn-CN-Wavenet-A", true},
		{"sr-Latn-RS-NicholasNeural", true},
		{"zh-CN-shaanxi-XiaoniNeural", true},
		{"", false},
		{"en-US", false},
		{"en-US-", false},
		{"en-US-Jenny-", false},
		{"en-US--Jenny", false},
		{"en-us-Jenny", false},
		{"EN-US-Jenny", false},
		{"e-US-Jenny", false},
		{"engl-US-Jenny", false},
		{"en-USA-Jenny", false},
		{"en_US_Jenny", false},
		{"en-US-Jenny Neural", false},
		{"generic-en-male", false},
		{"BenjaminRUS", false},
		{" en-US-BenjaminRUS", false},
	}
	for _, tt := range tests {
		if got := callflows.IsVoiceProfile(tt.s); got != tt.want {
			t.Errorf("IsVoiceProfile(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestValidateVoiceProfile(t *testing.T) {
	runValCases(t, []valCase{
		{"say with a profile", callflows.Answer, valBody(valAct("say", `"text":"Hi"`, `"voiceProfile":"en-US-Neural2-C"`)), nil},
		{"say with a language code", callflows.Answer, valBody(valAct("say", `"text":"Hi"`, `"voiceProfile":"en-US"`)),
			[]valWant{{-1002, "$.callflow[0].params.voiceProfile"}}},
		{"sayAndCapture with a legacy profile", callflows.Answer, valBody(valAct("sayAndCapture", `"promptMessage":"Hi"`, `"voiceProfile":"generic-en-male"`)),
			[]valWant{{-1002, "$.callflow[0].params.voiceProfile"}}},
		{"empty profile", callflows.Answer, valBody(valAct("say", `"text":"Hi"`, `"voiceProfile":""`)),
			[]valWant{{-1002, "$.callflow[0].params.voiceProfile"}}},
	})
}

// TestValidateSayMaxProperties holds say to the OAS maxProperties: 5
// params, 3 fields of the action object. makeCall's maxProperties 2 is
// not enforced, since callRecording is documented.
func TestValidateSayMaxProperties(t *testing.T) {
	runValCases(t, []valCase{
		{"say with 5 params", callflows.Answer, valBody(valSay(`"repetition":1`, `"speed":1`, `"language":"en-US"`)), nil},
		{"say with 6 params", callflows.Answer, valBody(valSay(`"repetition":1`, `"speed":1`, `"language":"en-US"`, `"pitch":1`)),
			[]valWant{{-1009, "$.callflow[0].params"}}},
		{"say with 3 fields", callflows.Answer, valBody(`{"action":"say","params":{"text":"Hi",` + valVoice + `},"note":"x"}`), nil},
		{"say with 4 fields", callflows.Answer, valBody(`{"action":"say","params":{"text":"Hi",` + valVoice + `},"note":"x","id":1}`),
			[]valWant{{-1009, "$.callflow[0]"}}},
		{"sayAndCapture with 4 fields", callflows.Answer, valBody(`{"action":"sayAndCapture","params":{"promptMessage":"Hi",` + valVoice + `},"note":"x","id":1}`), nil},
		{"makeCall with 3 params", callflows.Answer, valBody(valAct("makeCall", `"source":"+6568888888"`, `"destination":"+6598888888"`, `"callRecording":false`)), nil},
	})
}

// TestValidateReportsAll checks that every problem is reported, in
// callflow order, not just the first.
func TestValidateReportsAll(t *testing.T) {
	body := valBody(
		valSay(`"speed":3`),
		valAct("Hangup"),
		valAct("makeCall", `"source":"+6568888888"`, `"destination":"12"`),
		valAct("sayAndCapture", `"promptMessage":"Press 1\n"`, `"voiceProfile":"english"`,
			`"minDigits":2`, `"digitTimeout":5000`, `"overallTimeout":1000`, `"noOfTries":0`),
		valPlay("https://example.com/a.ogg", `"repetition":9`),
		valHangup,
	)
	got := callflows.ValidateJSON([]byte(body), callflows.Initial)
	checkValProblems(t, got, []valWant{
		{-1013, "$.callflow[0].action"},
		{-1009, "$.callflow[0].params.speed"},
		{-1007, "$.callflow[1].action"},
		{-1017, "$.callflow[2].params.destination"},
		{-1012, "$.callflow[3].action"},
		{-1016, "$.callflow[3].params.promptMessage"},
		{-1002, "$.callflow[3].params.voiceProfile"},
		{-1003, "$.callflow[3].params.maxDigits"},
		{-1006, "$.callflow[3].params.overallTimeout"},
		{-1009, "$.callflow[3].params.noOfTries"},
		{-1009, "$.callflow[4].params.fileUrl"},
		{-1009, "$.callflow[4].params.repetition"},
	})
}

// TestValidateTyped checks that Validate on a typed callflow finds what
// ValidateJSON finds in the same callflow written by hand.
func TestValidateTyped(t *testing.T) {
	mc := &callflows.MakeCall{Source: "+6568888888", Destination: "+6598888888"}
	tests := []struct {
		name string
		ctx  callflows.Context
		cf   callflows.Callflow
		body string
		want []valWant
	}{
		{
			name: "seed-like initial request",
			ctx:  callflows.Initial,
			cf: callflows.Callflow{mc, &callflows.SayAndCapture{
				PromptMessage: "Press 1 to book", VoiceProfile: "en-US-BenjaminRUS", Speed: 1,
				MinDigits: 1, MaxDigits: 1, DigitTimeout: 10000, OverallTimeout: 10000, NoOfTries: 2,
				CompleteOnHash: new(false),
			}},
			body: valBody(valMakeCall, valAct("sayAndCapture", `"promptMessage":"Press 1 to book"`, valVoice, `"speed":1`,
				`"minDigits":1`, `"maxDigits":1`, `"digitTimeout":10000`, `"overallTimeout":10000`, `"completeOnHash":false`, `"noOfTries":2`)),
		},
		{
			name: "say and hang up",
			ctx:  callflows.Answer,
			cf:   callflows.Callflow{&callflows.Say{Text: "Goodbye", VoiceProfile: "en-US-BenjaminRUS", Speed: 1}, &callflows.Hangup{}},
			body: valBody(valAct("say", `"text":"Goodbye"`, valVoice, `"speed":1`), valHangup),
		},
		{
			name: "transfer",
			ctx:  callflows.Answer,
			cf:   callflows.Callflow{mc},
			body: valBody(valMakeCall),
		},
		{
			name: "out of range values",
			ctx:  callflows.Answer,
			cf: callflows.Callflow{
				&callflows.Say{Text: "Hi", VoiceProfile: "en-US-BenjaminRUS", Speed: 2.01, Repetition: 4},
				&callflows.PlayFile{FileURL: "https://example.com/a.ogg"},
			},
			body: valBody(valAct("say", `"text":"Hi"`, valVoice, `"repetition":4`, `"speed":2.01`),
				valAct("playFile", `"fileUrl":"https://example.com/a.ogg"`)),
			want: []valWant{
				{-1009, "$.callflow[0].params.repetition"},
				{-1009, "$.callflow[0].params.speed"},
				{-1009, "$.callflow[1].params.fileUrl"},
			},
		},
		{
			name: "capture rules",
			ctx:  callflows.Answer,
			cf: callflows.Callflow{&callflows.SayAndCapture{
				PromptMessage: "Enter your booking number\n", VoiceProfile: "en-US-BenjaminRUS",
				MinDigits: 4, MaxDigits: 30, DigitTimeout: 5000, OverallTimeout: 4000, CompleteOnHash: new(false),
			}},
			body: valBody(valAct("sayAndCapture", `"promptMessage":"Enter your booking number\n"`, valVoice,
				`"minDigits":4`, `"maxDigits":30`, `"digitTimeout":5000`, `"overallTimeout":4000`, `"completeOnHash":false`)),
			want: []valWant{
				{-1016, "$.callflow[0].params.promptMessage"},
				{-1008, "$.callflow[0].params.maxDigits"},
				{-1006, "$.callflow[0].params.overallTimeout"},
			},
		},
		{
			name: "initial request without makeCall",
			ctx:  callflows.Initial,
			cf:   callflows.Callflow{&callflows.Say{Text: "Hi", VoiceProfile: "en_US"}, &callflows.Hangup{}, &callflows.Hangup{}},
			body: valBody(valAct("say", `"text":"Hi"`, `"voiceProfile":"en_US"`), valHangup, valHangup),
			want: []valWant{
				{-1013, "$.callflow[0].action"},
				{-1002, "$.callflow[0].params.voiceProfile"},
				{-1012, "$.callflow[1].action"},
			},
		},
		{
			name: "empty makeCall and too many",
			ctx:  callflows.Initial,
			cf:   callflows.Callflow{mc, mc, &callflows.MakeCall{}},
			body: valBody(valMakeCall, valMakeCall, valAct("makeCall", `"source":""`, `"destination":""`)),
			want: []valWant{
				{-1010, "$.callflow[2].action"},
				{-1017, "$.callflow[2].params.source"},
				{-1017, "$.callflow[2].params.destination"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typed := callflows.Validate(tt.cf, tt.ctx)
			checkValProblems(t, typed, tt.want)
			byHand := callflows.ValidateJSON([]byte(tt.body), tt.ctx)
			if typed.Error() != byHand.Error() {
				t.Errorf("Validate and ValidateJSON disagree:\ntyped:\n%v\nby hand:\n%v", typed, byHand)
			}
		})
	}
}

func TestValidateNilAction(t *testing.T) {
	ps := callflows.Validate(callflows.Callflow{&callflows.Hangup{}, nil}, callflows.Answer)
	if len(ps) != 1 || ps[0].Code != callflows.StatusInvalidJSON || ps[0].Path != "$.callflow" {
		t.Errorf("got %v, want one -1001 problem at $.callflow", ps)
	}
}

func TestProblemsErr(t *testing.T) {
	if err := callflows.ValidateJSON([]byte(valBody(valHangup)), callflows.Answer).Err(); err != nil {
		t.Errorf("Err() of no problems = %v, want nil", err)
	}
	ps := callflows.ValidateJSON([]byte(valBody(valSay(`"speed":3`), valAct("Hangup"))), callflows.Answer)
	want := `$.callflow[0].params.speed: speed 3 is not between 0.5 and 2 (8x8 status -1009)` + "\n" +
		`$.callflow[1].action: action "Hangup" should be one of: makeCall, say, sayAndCapture, playFile, hangup; did you mean "hangup"? (8x8 status -1007)`
	if err := ps.Err(); err == nil || err.Error() != want {
		t.Errorf("Err() = %v, want\n%s", err, want)
	}
}

// TestStatusCodes pins the constants to 8x8's Voice Status Codes table.
func TestStatusCodes(t *testing.T) {
	codes := map[int]int{
		callflows.StatusInvalidJSON:             -1001,
		callflows.StatusInvalidVoiceProfile:     -1002,
		callflows.StatusMaxDigitsRequired:       -1003,
		callflows.StatusOverallTimeoutRequired:  -1005,
		callflows.StatusOverallTimeoutTooShort:  -1006,
		callflows.StatusInvalidAction:           -1007,
		callflows.StatusCompleteOnHashMaxDigits: -1008,
		callflows.StatusInvalidEntry:            -1009,
		callflows.StatusTooManyActions:          -1010,
		callflows.StatusHangupMisuse:            -1012,
		callflows.StatusFirstNotMakeCall:        -1013,
		callflows.StatusInvalidCharacters:       -1016,
		callflows.StatusInvalidMSISDN:           -1017,
	}
	for got, want := range codes {
		if got != want {
			t.Errorf("status constant %d, want %d", got, want)
		}
	}
	if len(codes) != 13 {
		t.Errorf("status constants are not distinct: %d of 13", len(codes))
	}
}

func ExampleValidateJSON() {
	body := []byte(`{"callflow": [
		{"action": "makeCall", "params": {"source": "+6568888888", "destination": "+6598888888"}},
		{"action": "sayAndCapture", "params": {"promptMessage": "Press 1 to book a table",
			"voiceProfile": "en-US-BenjaminRUS", "digitTimeout": 10000, "overallTimeout": 5000}},
		{"action": "hangup"}
	]}`)
	for _, p := range callflows.ValidateJSON(body, callflows.Initial) {
		fmt.Println(p)
	}
	// Output:
	// $.callflow[1].action: sayAndCapture must be the last action, but 1 action follows it (8x8 status -1012)
	// $.callflow[1].params.overallTimeout: overallTimeout 5000 is shorter than digitTimeout 10000 (8x8 status -1006)
}
