package callflows

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Action names as 8x8 spells them; they are case-sensitive.
const (
	ActionMakeCall      = "makeCall"
	ActionSay           = "say"
	ActionSayAndCapture = "sayAndCapture"
	ActionPlayFile      = "playFile"
	ActionHangup        = "hangup"
)

// Action is one step of a callflow. The set is closed: it is implemented
// only by *MakeCall, *Say, *SayAndCapture, *PlayFile and *Hangup.
type Action interface {
	// ActionName is the value of the action's "action" field.
	ActionName() string
	isAction()
}

// MakeCall places a call. As the first action of a Send Callflow request it
// places the outbound call; in a VCA answer it dials a second party and
// bridges it to the call in progress.
type MakeCall struct {
	Source        string `json:"source"`
	Destination   string `json:"destination"`
	CallRecording *bool  `json:"callRecording,omitempty"`
}

// Say speaks a text with a text-to-speech voice.
type Say struct {
	Text         string  `json:"text"`
	VoiceProfile string  `json:"voiceProfile"`
	Repetition   int     `json:"repetition,omitempty"`
	Speed        float64 `json:"speed,omitempty"`
}

// SayAndCapture speaks a prompt and captures DTMF digits; the digits come
// back in the next VCA webhook. Timeouts are in milliseconds.
type SayAndCapture struct {
	PromptMessage  string  `json:"promptMessage"`
	VoiceProfile   string  `json:"voiceProfile"`
	Speed          float64 `json:"speed,omitempty"`
	MinDigits      int     `json:"minDigits,omitempty"`
	MaxDigits      int     `json:"maxDigits,omitempty"`
	DigitTimeout   int     `json:"digitTimeout,omitempty"`
	OverallTimeout int     `json:"overallTimeout,omitempty"`
	CompleteOnHash *bool   `json:"completeOnHash,omitempty"`
	NoOfTries      int     `json:"noOfTries,omitempty"`
	SuccessMessage string  `json:"successMessage,omitempty"`
	FailureMessage string  `json:"failureMessage,omitempty"`
	Repetition     int     `json:"repetition,omitempty"`
}

// PlayFile plays an audio file (.mp3 or .wav) fetched from a public URL.
type PlayFile struct {
	FileURL    string `json:"fileUrl"`
	Repetition int    `json:"repetition,omitempty"`
}

// Hangup ends the call and every leg bridged to it; it has no parameters.
type Hangup struct{}

// ActionName implements Action.
func (*MakeCall) ActionName() string { return ActionMakeCall }

// ActionName implements Action.
func (*Say) ActionName() string { return ActionSay }

// ActionName implements Action.
func (*SayAndCapture) ActionName() string { return ActionSayAndCapture }

// ActionName implements Action.
func (*PlayFile) ActionName() string { return ActionPlayFile }

// ActionName implements Action.
func (*Hangup) ActionName() string { return ActionHangup }

func (*MakeCall) isAction()      {}
func (*Say) isAction()           {}
func (*SayAndCapture) isAction() {}
func (*PlayFile) isAction()      {}
func (*Hangup) isAction()        {}

// Callflow is an ordered list of actions. It encodes as 8x8's
// [{"action": NAME, "params": {...}}, ...]; hangup carries no params.
type Callflow []Action

// Last returns the callflow's last action, which says what happens after
// it: a sayAndCapture waits for keys, a makeCall for the bridged call to
// end, a hangup ends the call. It is nil for an empty callflow.
func (c Callflow) Last() Action {
	if len(c) == 0 {
		return nil
	}
	return c[len(c)-1]
}

// wireAction is the envelope of one action on the wire.
type wireAction struct {
	Action string          `json:"action"`
	Params json.RawMessage `json:"params,omitempty"`
}

// MarshalJSON implements json.Marshaler.
func (c Callflow) MarshalJSON() ([]byte, error) {
	wire := make([]wireAction, len(c))
	for i, a := range c {
		if a == nil {
			return nil, fmt.Errorf("callflow[%d]: nil action", i)
		}
		wire[i].Action = a.ActionName()
		if _, ok := a.(*Hangup); ok {
			continue
		}
		params, err := Marshal(a)
		if err != nil {
			return nil, fmt.Errorf("callflow[%d] %s: %w", i, a.ActionName(), err)
		}
		wire[i].Params = params
	}
	return Marshal(wire)
}

// Marshal is json.Marshal without the escaping of <, > and & into \u003c
// and the like: the JSON says what 8x8 will speak as it is written. Inside
// Callflow.MarshalJSON it leaves the escaping to the encoder that called it,
// since encoding/json escapes a Marshaler's output only when that encoder
// escapes HTML.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// UnmarshalJSON implements json.Unmarshaler. It is strict: an unknown
// action name or a parameter of the wrong type is an error, because a
// callflow is something we write or check, not something 8x8 sends us.
func (c *Callflow) UnmarshalJSON(data []byte) error {
	var wire []wireAction
	if err := json.Unmarshal(data, &wire); err != nil {
		return err
	}
	out := make(Callflow, len(wire))
	for i, w := range wire {
		a, err := newAction(w.Action)
		if err != nil {
			return fmt.Errorf("callflow[%d]: %w", i, err)
		}
		if len(w.Params) > 0 && string(w.Params) != "null" {
			if err := json.Unmarshal(w.Params, a); err != nil {
				return fmt.Errorf("callflow[%d] %s params: %w", i, w.Action, err)
			}
		}
		out[i] = a
	}
	*c = out
	return nil
}

func newAction(name string) (Action, error) {
	switch name {
	case ActionMakeCall:
		return &MakeCall{}, nil
	case ActionSay:
		return &Say{}, nil
	case ActionSayAndCapture:
		return &SayAndCapture{}, nil
	case ActionPlayFile:
		return &PlayFile{}, nil
	case ActionHangup:
		return &Hangup{}, nil
	}
	return nil, fmt.Errorf("unknown action %q", name)
}

// Response is the body a VCA webhook is answered with. 8x8 echoes
// ClientActionID on the next VCA of the call, so it carries where the
// caller is.
type Response struct {
	ClientActionID string   `json:"clientActionId,omitempty"`
	Callflow       Callflow `json:"callflow"`
}
