package callflows_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/callflows"
)

func TestActionNames(t *testing.T) {
	tests := []struct {
		a    callflows.Action
		want string
	}{
		{&callflows.MakeCall{}, "makeCall"},
		{&callflows.Say{}, "say"},
		{&callflows.SayAndCapture{}, "sayAndCapture"},
		{&callflows.PlayFile{}, "playFile"},
		{&callflows.Hangup{}, "hangup"},
	}
	for _, tt := range tests {
		if got := tt.a.ActionName(); got != tt.want {
			t.Errorf("%T.ActionName() = %q, want %q", tt.a, got, tt.want)
		}
	}
}

// TestMarshalActions pins the JSON 8x8 expects for each action: names as
// 8x8 spells them, no params for hangup, zero values left out unless a
// pointer says they were set.
func TestMarshalActions(t *testing.T) {
	tests := []struct {
		name string
		a    callflows.Action
		want string
	}{
		{
			"makeCall",
			&callflows.MakeCall{Source: "+6568888888", Destination: "+6598888888"},
			`{"action":"makeCall","params":{"source":"+6568888888","destination":"+6598888888"}}`,
		},
		{
			"makeCall recording on",
			&callflows.MakeCall{Source: "+6568888888", Destination: "+6598888888", CallRecording: new(true)},
			`{"action":"makeCall","params":{"source":"+6568888888","destination":"+6598888888","callRecording":true}}`,
		},
		{
			"makeCall recording explicitly off",
			&callflows.MakeCall{Source: "+6568888888", Destination: "+6598888888", CallRecording: new(false)},
			`{"action":"makeCall","params":{"source":"+6568888888","destination":"+6598888888","callRecording":false}}`,
		},
		{
			"makeCall empty keeps its required fields",
			&callflows.MakeCall{},
			`{"action":"makeCall","params":{"source":"","destination":""}}`,
		},
		{
			"say as in the seed",
			&callflows.Say{Text: "Invalid input, please call again.", VoiceProfile: "en-US-BenjaminRUS", Speed: 1},
			`{"action":"say","params":{"text":"Invalid input, please call again.","voiceProfile":"en-US-BenjaminRUS","speed":1}}`,
		},
		{
			"say with repetition and fractional speed",
			&callflows.Say{Text: "Hi", VoiceProfile: "en-GB-Emma", Repetition: 3, Speed: 0.5},
			`{"action":"say","params":{"text":"Hi","voiceProfile":"en-GB-Emma","repetition":3,"speed":0.5}}`,
		},
		{
			"say zero speed and repetition left out",
			&callflows.Say{Text: "Hi", VoiceProfile: "en-GB-Emma"},
			`{"action":"say","params":{"text":"Hi","voiceProfile":"en-GB-Emma"}}`,
		},
		{
			"sayAndCapture as in the seed",
			&callflows.SayAndCapture{
				PromptMessage: "Press 1.", VoiceProfile: "en-US-BenjaminRUS", Speed: 1,
				MinDigits: 1, MaxDigits: 1, DigitTimeout: 10000, OverallTimeout: 10000, NoOfTries: 2,
			},
			`{"action":"sayAndCapture","params":{"promptMessage":"Press 1.","voiceProfile":"en-US-BenjaminRUS","speed":1,"minDigits":1,"maxDigits":1,"digitTimeout":10000,"overallTimeout":10000,"noOfTries":2}}`,
		},
		{
			"sayAndCapture every field, completeOnHash false is sent",
			&callflows.SayAndCapture{
				PromptMessage: "Press 1 ... press 2 ...", VoiceProfile: "en-US-BenjaminRUS", Speed: 1.5,
				MinDigits: 1, MaxDigits: 4, DigitTimeout: 5000, OverallTimeout: 15000,
				CompleteOnHash: new(false), NoOfTries: 2,
				SuccessMessage: "Thanks", FailureMessage: "Invalid input, please try again", Repetition: 2,
			},
			`{"action":"sayAndCapture","params":{"promptMessage":"Press 1 ... press 2 ...","voiceProfile":"en-US-BenjaminRUS","speed":1.5,"minDigits":1,"maxDigits":4,"digitTimeout":5000,"overallTimeout":15000,"completeOnHash":false,"noOfTries":2,"successMessage":"Thanks","failureMessage":"Invalid input, please try again","repetition":2}}`,
		},
		{
			"sayAndCapture completeOnHash true",
			&callflows.SayAndCapture{PromptMessage: "P", VoiceProfile: "V", CompleteOnHash: new(true)},
			`{"action":"sayAndCapture","params":{"promptMessage":"P","voiceProfile":"V","completeOnHash":true}}`,
		},
		{
			"sayAndCapture unset completeOnHash left out",
			&callflows.SayAndCapture{PromptMessage: "P", VoiceProfile: "V"},
			`{"action":"sayAndCapture","params":{"promptMessage":"P","voiceProfile":"V"}}`,
		},
		{
			"playFile",
			&callflows.PlayFile{FileURL: "https://example.com/hold.mp3", Repetition: 2},
			`{"action":"playFile","params":{"fileUrl":"https://example.com/hold.mp3","repetition":2}}`,
		},
		{
			"playFile without repetition",
			&callflows.PlayFile{FileURL: "https://example.com/a.wav"},
			`{"action":"playFile","params":{"fileUrl":"https://example.com/a.wav"}}`,
		},
		{
			"hangup has no params",
			&callflows.Hangup{},
			`{"action":"hangup"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(callflows.Callflow{tt.a})
			if err != nil {
				t.Fatal(err)
			}
			if want := "[" + tt.want + "]"; string(got) != want {
				t.Errorf("Marshal:\n got %s\nwant %s", got, want)
			}
			// Strict decoding gives back the same action.
			var back callflows.Callflow
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatalf("Unmarshal(%s): %v", got, err)
			}
			if len(back) != 1 || !reflect.DeepEqual(back[0], tt.a) {
				t.Errorf("round trip gave %#v, want %#v", back, tt.a)
			}
		})
	}
}

func TestMarshalResponse(t *testing.T) {
	tests := []struct {
		name string
		r    callflows.Response
		want string
	}{
		{
			"menu with clientActionId",
			callflows.Response{ClientActionID: "reservations", Callflow: callflows.Callflow{
				&callflows.SayAndCapture{PromptMessage: "P", VoiceProfile: "V", MinDigits: 1, MaxDigits: 1},
			}},
			`{"clientActionId":"reservations","callflow":[{"action":"sayAndCapture","params":{"promptMessage":"P","voiceProfile":"V","minDigits":1,"maxDigits":1}}]}`,
		},
		{
			"say and hangup without clientActionId",
			callflows.Response{Callflow: callflows.Callflow{
				&callflows.Say{Text: "Bye", VoiceProfile: "V", Speed: 1}, &callflows.Hangup{},
			}},
			`{"callflow":[{"action":"say","params":{"text":"Bye","voiceProfile":"V","speed":1}},{"action":"hangup"}]}`,
		},
		{
			"outbound call: makeCall first",
			callflows.Response{Callflow: callflows.Callflow{
				&callflows.MakeCall{Source: "+6568888888", Destination: "+6591234567"},
				&callflows.SayAndCapture{PromptMessage: "P", VoiceProfile: "V"},
			}},
			`{"callflow":[{"action":"makeCall","params":{"source":"+6568888888","destination":"+6591234567"}},{"action":"sayAndCapture","params":{"promptMessage":"P","voiceProfile":"V"}}]}`,
		},
		{
			"nil callflow is an empty list, not null",
			callflows.Response{},
			`{"callflow":[]}`,
		},
	}
	for _, tt := range tests {
		got, err := json.Marshal(tt.r)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if string(got) != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

func TestMarshalNilAction(t *testing.T) {
	_, err := json.Marshal(callflows.Callflow{&callflows.Hangup{}, nil})
	if err == nil || !strings.Contains(err.Error(), "callflow[1]: nil action") {
		t.Errorf("err = %v, want one naming callflow[1]: nil action", err)
	}
}

// TestMarshalHTMLEscaping: the encoder that marshals a Callflow decides
// whether <, > and & are escaped; either way 8x8 reads the same text.
func TestMarshalHTMLEscaping(t *testing.T) {
	cf := callflows.Callflow{&callflows.Say{Text: "Fish & chips <today>", VoiceProfile: "V"}}
	escaped, err := json.Marshal(cf)
	if err != nil {
		t.Fatal(err)
	}
	if want := `[{"action":"say","params":{"text":"Fish \u0026 chips \u003ctoday\u003e","voiceProfile":"V"}}]`; string(escaped) != want {
		t.Errorf("json.Marshal:\n got %s\nwant %s", escaped, want)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(cf); err != nil {
		t.Fatal(err)
	}
	if want := `[{"action":"say","params":{"text":"Fish & chips <today>","voiceProfile":"V"}}]` + "\n"; buf.String() != want {
		t.Errorf("Encoder with SetEscapeHTML(false):\n got %s\nwant %s", buf.String(), want)
	}
}

// TestCallflowRoundTrip: a callflow of every action type survives
// Marshal and Unmarshal unchanged.
func TestCallflowRoundTrip(t *testing.T) {
	cf := callflows.Callflow{
		&callflows.MakeCall{Source: "+6568888888", Destination: "+6598888888", CallRecording: new(false)},
		&callflows.PlayFile{FileURL: "https://example.com/welcome.mp3", Repetition: 1},
		&callflows.Say{Text: "Welcome", VoiceProfile: "en-US-BenjaminRUS", Repetition: 2, Speed: 1.25},
		&callflows.SayAndCapture{
			PromptMessage: "Press 1", VoiceProfile: "en-US-BenjaminRUS", Speed: 1,
			MinDigits: 1, MaxDigits: 3, DigitTimeout: 5000, OverallTimeout: 15000,
			CompleteOnHash: new(true), NoOfTries: 3, SuccessMessage: "OK", FailureMessage: "Sorry", Repetition: 1,
		},
		&callflows.Hangup{},
	}
	data, err := json.Marshal(callflows.Response{ClientActionID: "main_menu", Callflow: cf})
	if err != nil {
		t.Fatal(err)
	}
	var back callflows.Response
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.ClientActionID != "main_menu" || !reflect.DeepEqual(back.Callflow, cf) {
		t.Errorf("round trip of %s gave %+v", data, back)
	}
	again, err := json.Marshal(back)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, data) {
		t.Errorf("second marshal differs:\n%s\n%s", again, data)
	}
}

func TestUnmarshalCallflow(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    callflows.Callflow
		wantErr string
	}{
		{
			name: "hangup without params, with {} and with null",
			in:   `[{"action":"hangup"},{"action":"hangup","params":{}},{"action":"hangup","params":null}]`,
			want: callflows.Callflow{&callflows.Hangup{}, &callflows.Hangup{}, &callflows.Hangup{}},
		},
		{
			name: "seed's say",
			in:   `[{"action":"say","params":{"text":"Hi","voiceProfile":"en-US-BenjaminRUS","speed":1}}]`,
			want: callflows.Callflow{&callflows.Say{Text: "Hi", VoiceProfile: "en-US-BenjaminRUS", Speed: 1}},
		},
		{
			name: "empty",
			in:   `[]`,
			want: callflows.Callflow{},
		},
		{
			name:    "unknown action",
			in:      `[{"action":"say","params":{"text":"Hi","voiceProfile":"V"}},{"action":"transfer","params":{}}]`,
			wantErr: `callflow[1]: unknown action "transfer"`,
		},
		{
			name:    "action names are case-sensitive",
			in:      `[{"action":"sayandcapture","params":{}}]`,
			wantErr: `callflow[0]: unknown action "sayandcapture"`,
		},
		{
			name:    "legacy say&capture",
			in:      `[{"action":"say&capture"}]`,
			wantErr: `callflow[0]: unknown action "say&capture"`,
		},
		{
			name:    "missing action",
			in:      `[{"params":{"text":"Hi"}}]`,
			wantErr: `callflow[0]: unknown action ""`,
		},
		{
			name:    "param of the wrong type",
			in:      `[{"action":"sayAndCapture","params":{"promptMessage":"P","voiceProfile":"V","maxDigits":"1"}}]`,
			wantErr: `callflow[0] sayAndCapture params: json: cannot unmarshal string into Go struct field SayAndCapture.maxDigits of type int`,
		},
		{
			name:    "not a list",
			in:      `{"action":"hangup"}`,
			wantErr: `json: cannot unmarshal object into Go value of type []callflows.wireAction`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got callflows.Callflow
			err := json.Unmarshal([]byte(tt.in), &got)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}
