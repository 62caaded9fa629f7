package engine_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/callstate"
)

const orderFlow = `
start: ask
defaults:
  invalid:
    retries: 1
    say: That is not an order number.
  on_invalid: bye
  on_no_input: bye
nodes:
  ask:
    collect: Please enter your order number, then press pound.
    into: order
    capture: {min_digits: 4, max_digits: 8}
    pattern: "^[1-9]"
    then: mark
  mark:
    set: {source: phone}
    then: confirm
  confirm:
    menu: You entered {{order | digits}}, from {{caller}} by {{source}}. Press 1 if that is right, 2 to try again.
    keys: {"1": pin, "2": ask}
  pin:
    collect: Enter your PIN.
    into: pin
    sensitive: true
    capture: {min_digits: 4, max_digits: 4}
    then: done
  done:
    say: Thank you. We will call you about order {{order | last 2}}.
  bye:
    say: Goodbye.
`

func TestCollectReadBack(t *testing.T) {
	c := newCall(t, orderFlow)
	c.expect("ask", engine.OutcomeStart, "Please enter your order number, then press pound.")
	c.press("12").expect("ask", engine.OutcomeInvalidRetry, "That is not an order number.", "Please enter your order number, then press pound.")
	c.send(engine.Input{Digits: "0304"}) // fails the pattern: the budget is spent
	c.expect("bye", engine.OutcomeInvalid, "Goodbye.", "hangup")

	c = newCall(t, orderFlow)
	c.send(engine.Input{Digits: "1304", From: "+15550100"})
	c.expect("confirm", engine.OutcomeCollected, "You entered 1 3 0 4, from +15550100 by phone. Press 1 if that is right, 2 to try again.")
	c.send(engine.Input{Digits: "2", From: "+15550100"}).expect("ask", engine.OutcomeKey, "Please enter your order number, then press pound.")
	c.send(engine.Input{Digits: "98765", From: "+15550100"})
	c.expect("confirm", engine.OutcomeCollected, "You entered 9 8 7 6 5, from +15550100 by phone. Press 1 if that is right, 2 to try again.")
	c.press("1").press("4321").expect("done", engine.OutcomeCollected, "Thank you. We will call you about order 6 5.", "hangup")
}

// TestCollectSensitive: a PIN travels only encrypted, and a flow that
// carries one cannot answer without a key.
func TestCollectSensitive(t *testing.T) {
	c := newCall(t, orderFlow)
	c.press("1304").press("1").press("4321")
	st, err := c.keys.Decode(c.id)
	if err != nil {
		t.Fatal(err)
	}
	var pin string
	for _, v := range st.Vars {
		if v.Name == "pin" {
			pin = v.Value
		}
	}
	if pin != "4321" {
		t.Fatalf("the PIN in the state is %q, want 4321", pin)
	}
	_, enc, _ := strings.Cut(c.id, ".")
	bin, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(bin), "4321") || strings.Contains(c.id, "4321") {
		t.Errorf("the PIN is readable in the clientActionId %q", c.id)
	}
	if !c.flow.CarriesSensitive() {
		t.Error("CarriesSensitive is false for a flow with a sensitive collect")
	}

	flow := mustLoad(t, orderFlow)
	_, step := flow.Answer(nil, callstate.Keys{}, "pin", engine.Input{Digits: "4321"})
	if step.Outcome != engine.OutcomeBadState || !errors.Is(step.StateErr, callstate.ErrNoKey) {
		t.Errorf("a PIN without a key: %s %v, want the fallback for want of a key", step.Outcome, step.StateErr)
	}
}

const routeFlow = `
start: ask
nodes:
  ask:
    collect: Enter your amount in dollars, then press pound.
    into: amount
    then: route
  route:
    branch: amount
    cases:
      - {equals: "0", to: nothing}
      - {above: 1000, to: large}
      - {matches: "^9", to: nines}
    then: small
  nothing:
    say: Nothing to pay.
  large:
    say: A large amount, {{amount}} dollars.
  nines:
    say: Nines.
  small:
    say: You pay {{amount}} dollars.
`

func TestBranchOnValue(t *testing.T) {
	for _, tt := range []struct{ typed, node, says string }{
		{"0", "nothing", "Nothing to pay."},
		{"2500", "large", "A large amount, 2500 dollars."},
		{"1000", "small", "You pay 1000 dollars."},
		{"95", "nines", "Nines."},
		{"12", "small", "You pay 12 dollars."},
	} {
		c := newCall(t, routeFlow)
		c.press(tt.typed).expect(tt.node, engine.OutcomeCollected, tt.says, "hangup")
	}
}
