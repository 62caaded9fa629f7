package engine_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/callstate"
)

// lineFlow uses budgets, hotkeys, a sub-menu shared by two menus, a
// message that continues and a dial with branches.
const lineFlow = `
start: welcome
defaults:
  no_input:
    retries: 2
    say: ["I did not hear anything.", "Are you still there?"]
  invalid:
    retries: 1
    say: "Sorry, that is not an option."
  hotkeys:
    "9": repeat
    "*": back
    "#": main
    "0": operator
  on_no_input: goodbye
  on_invalid: operator
main: main_menu
nodes:
  welcome:
    say: Welcome to the clinic.
    then: main_menu
  main_menu:
    menu: For appointments press 1, for billing press 2.
    reprompt: Press 1 or 2.
    keys: {"1": appointments, "2": billing}
  appointments:
    menu: To book press 1, for our hours press 2.
    keys: {"1": booking, "2": hours}
  billing:
    menu: To pay press 1, for our hours press 2.
    keys: {"1": booking, "2": hours}
  hours:
    menu: We are open 9 to 5. Press 1 to book.
    keys: {"1": booking}
  booking:
    say: Booking is online.
  operator:
    dial: {to: "+15550100", from: "+15550199"}
    busy: manager
    no_answer: manager
    then: goodbye
  manager:
    dial: {to: "+15550101", from: "+15550199"}
    answered: goodbye
    failed: sorry
    then: sorry
  sorry:
    say: Nobody could take your call.
  goodbye:
    say: Goodbye.
`

// call is one simulated call through Flow.Answer: it keeps the
// clientActionId the last answer carried, as 8x8 does.
type call struct {
	t    *testing.T
	flow *engine.Flow
	keys callstate.Keys
	id   string
	last callflows.Response
	step engine.Step
}

func (c *call) send(in engine.Input) *call {
	c.t.Helper()
	body, step := c.flow.Answer(nil, c.keys, c.id, in)
	if problems := callflows.ValidateJSON(body, callflows.Answer); len(problems) > 0 {
		c.t.Fatalf("answer %s breaks 8x8's rules: %v", body, problems)
	}
	c.last = callflows.Response{}
	if err := json.Unmarshal(body, &c.last); err != nil {
		c.t.Fatalf("answer %s: %v", body, err)
	}
	if !strings.HasPrefix(c.last.ClientActionID, step.Next.ID()) {
		c.t.Fatalf("clientActionId %q does not start with the node %q", c.last.ClientActionID, step.Next.ID())
	}
	c.id, c.step = c.last.ClientActionID, step
	return c
}

func (c *call) press(digits string) *call { return c.send(engine.Input{Digits: digits}) }

// says returns what the last answer says, each action's text (say and
// sayAndCapture) or name.
func (c *call) says() []string {
	var out []string
	for _, a := range c.last.Callflow {
		switch a := a.(type) {
		case *callflows.Say:
			out = append(out, a.Text)
		case *callflows.SayAndCapture:
			out = append(out, a.PromptMessage)
		default:
			out = append(out, a.ActionName())
		}
	}
	return out
}

func (c *call) expect(node string, outcome engine.Outcome, says ...string) {
	c.t.Helper()
	if c.step.Next.ID() != node || c.step.Outcome != outcome {
		c.t.Fatalf("at %s (%s), want %s (%s)", c.step.Next.ID(), c.step.Outcome, node, outcome)
	}
	if got := c.says(); strings.Join(got, "|") != strings.Join(says, "|") {
		c.t.Fatalf("at %s the answer says %q, want %q", node, got, says)
	}
}

func newCall(t *testing.T, src string) *call {
	keys, err := callstate.ParseKeys("MDEyMzQ1Njc4OWFiY2RlZg")
	if err != nil {
		t.Fatal(err)
	}
	c := &call{t: t, flow: mustLoad(t, src), keys: keys}
	return c.send(engine.Input{Start: true})
}

const (
	mainPrompt  = "For appointments press 1, for billing press 2."
	mainShort   = "Press 1 or 2."
	hoursPrompt = "We are open 9 to 5. Press 1 to book."
)

func TestStepContinueMessage(t *testing.T) {
	c := newCall(t, lineFlow)
	c.expect("main_menu", engine.OutcomeStart, "Welcome to the clinic.", mainPrompt)
	if c.id != "main_menu" {
		t.Errorf("clientActionId %q; a call with nothing to carry has the bare node ID", c.id)
	}
}

func TestStepSilenceBudget(t *testing.T) {
	c := newCall(t, lineFlow)
	c.press("").expect("main_menu", engine.OutcomeNoInputRetry, "I did not hear anything.", mainShort)
	c.press("").expect("main_menu", engine.OutcomeNoInputRetry, "Are you still there?", mainShort)
	c.press("").expect("goodbye", engine.OutcomeNoInput, "Goodbye.", "hangup")
}

func TestStepWrongKeyBudget(t *testing.T) {
	c := newCall(t, lineFlow)
	c.press("7").expect("main_menu", engine.OutcomeInvalidRetry, "Sorry, that is not an option.", mainShort)
	// Silence has its own budget: the wrong key spent none of it.
	c.press("").expect("main_menu", engine.OutcomeNoInputRetry, "I did not hear anything.", mainShort)
	c.press("7").expect("operator", engine.OutcomeInvalid, "makeCall")
}

func TestStepRepeatSpendsNothing(t *testing.T) {
	c := newCall(t, lineFlow)
	c.press("7").expect("main_menu", engine.OutcomeInvalidRetry, "Sorry, that is not an option.", mainShort)
	for range 3 {
		c.press("9").expect("main_menu", engine.OutcomeRepeat, mainPrompt)
	}
	// The one wrong key forgiven is still spent.
	c.press("7").expect("operator", engine.OutcomeInvalid, "makeCall")
}

func TestStepBackToEachParent(t *testing.T) {
	c := newCall(t, lineFlow)
	c.press("1").expect("appointments", engine.OutcomeKey, "To book press 1, for our hours press 2.")
	c.press("2").expect("hours", engine.OutcomeKey, hoursPrompt)
	c.press("*").expect("appointments", engine.OutcomeBack, "To book press 1, for our hours press 2.")
	c.press("*").expect("main_menu", engine.OutcomeBack, mainPrompt)
	c.press("2").expect("billing", engine.OutcomeKey, "To pay press 1, for our hours press 2.")
	c.press("2").expect("hours", engine.OutcomeKey, hoursPrompt)
	c.press("*").expect("billing", engine.OutcomeBack, "To pay press 1, for our hours press 2.")
	// Back at the first menu asks it again.
	c.press("*").expect("main_menu", engine.OutcomeBack, mainPrompt)
	c.press("*").expect("main_menu", engine.OutcomeBack, mainPrompt)
}

func TestStepMainAndGoto(t *testing.T) {
	c := newCall(t, lineFlow)
	c.press("1").press("2").expect("hours", engine.OutcomeKey, hoursPrompt)
	c.press("#").expect("main_menu", engine.OutcomeMain, mainPrompt)
	if c.id != "main_menu" {
		t.Errorf("main left state %q; it clears the way back", c.id)
	}
	c.press("0").expect("operator", engine.OutcomeHotkey, "makeCall")
}

func TestStepTransferOutcomes(t *testing.T) {
	for _, tt := range []struct {
		first, second callflows.TransferOutcome
		node          string
		outcome       engine.Outcome
	}{
		{callflows.TransferAnswered, 0, "goodbye", engine.OutcomeThen},
		{callflows.TransferFailed, 0, "goodbye", engine.OutcomeThen},
		{callflows.TransferBusy, callflows.TransferAnswered, "goodbye", engine.OutcomeAnswered},
		{callflows.TransferNoAnswer, callflows.TransferFailed, "sorry", engine.OutcomeFailed},
		{callflows.TransferBusy, callflows.TransferBusy, "sorry", engine.OutcomeThen},
	} {
		c := newCall(t, lineFlow)
		c.press("0").send(engine.Input{Transfer: tt.first})
		if tt.second != 0 {
			c.expect("manager", transferOutcome(tt.first), "makeCall")
			c.send(engine.Input{Transfer: tt.second})
		}
		if c.step.Next.ID() != tt.node || c.step.Outcome != tt.outcome {
			t.Errorf("%v then %v: at %s (%s), want %s (%s)", tt.first, tt.second, c.step.Next.ID(), c.step.Outcome, tt.node, tt.outcome)
		}
	}
}

func transferOutcome(o callflows.TransferOutcome) engine.Outcome {
	return engine.Outcome(o.String())
}

// TestStepBadState: a state cut, flipped, forged or from a rotated-out
// key gets the fallback, with the reason.
func TestStepBadState(t *testing.T) {
	c := newCall(t, lineFlow)
	c.press("1").press("2") // hours, with a back stack
	good := c.id
	if !strings.Contains(good, ".") {
		t.Fatalf("clientActionId %q carries no state", good)
	}
	other, _ := callstate.ParseKeys("b3RoZXIta2V5LTAxMjM0NTY3ODk")
	forged, err := other.Encode(engine.State{Node: "hours", Back: []string{"main_menu"}})
	if err != nil {
		t.Fatal(err)
	}
	flipped := []byte(good)
	flipped[len(flipped)-3] ^= 1
	for _, tt := range []struct {
		name, id string
		want     error
	}{
		{"cut", good[:len(good)-5], callstate.ErrTruncated},
		{"flipped", string(flipped), callstate.ErrForged},
		{"other key", forged, callstate.ErrUnknownKey},
	} {
		_, step := c.flow.Answer(nil, c.keys, tt.id, engine.Input{Digits: "1"})
		if step.Outcome != engine.OutcomeBadState || step.Next != c.flow.Fallback() {
			t.Errorf("%s: outcome %s at %s, want the fallback", tt.name, step.Outcome, step.Next.ID())
		}
		if !errors.Is(step.StateErr, tt.want) && tt.name != "flipped" {
			t.Errorf("%s: error %v, want %v", tt.name, step.StateErr, tt.want)
		}
		if step.StateErr == nil {
			t.Errorf("%s: no reason given", tt.name)
		}
	}
}

const hoursFlow = `
start: hours
nodes:
  hours:
    schedule:
      zone: America/New_York
      weekly:
        open:
          mon-fri: "08:00-17:00"
          fri: "22:00-02:00"
      closed:
        2026-12-25: Christmas Day
      special:
        2026-12-24: {open: "08:00-12:00"}
    branches: {open: welcome, closed: night, holiday: holiday}
  welcome:
    say: We are open.
    then: main
  main:
    menu: Press 1 for sales.
    keys: {"1": night}
  night:
    say: We are closed.
  holiday:
    say: Happy holidays.
`

func TestStepSchedule(t *testing.T) {
	flow := mustLoad(t, hoursFlow)
	for _, tt := range []struct {
		at, node string
	}{
		{"2026-12-02T14:00:00Z", "main"},  // Wednesday 09:00 in New York
		{"2026-12-02T23:00:00Z", "night"}, // Wednesday 18:00
		{"2026-12-05T05:30:00Z", "main"},  // Saturday 00:30: Friday's night range
		{"2026-12-05T07:30:00Z", "night"}, // Saturday 02:30: past it
		{"2026-12-25T15:00:00Z", "holiday"},
		{"2026-12-24T18:00:00Z", "night"}, // Christmas Eve 13:00: special hours end at noon
		{"2026-12-24T14:00:00Z", "main"},
	} {
		at, err := time.Parse(time.RFC3339, tt.at)
		if err != nil {
			t.Fatal(err)
		}
		_, step := flow.Answer(nil, callstate.Keys{}, "", engine.Input{Start: true, Time: at})
		if step.Next.ID() != tt.node {
			t.Errorf("at %s: %s, want %s", tt.at, step.Next.ID(), tt.node)
		}
	}
}
