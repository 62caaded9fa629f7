package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/callflows/carrier"
	"github.com/ivrctl/ivrctl/engine"
)

// webhookPath is where both servers are posted to.
const webhookPath = "/webhooks/vca"

// Every eventId of a generated body ends in idPlaceholder, which the load
// generators replace with idDigits digits: a number of their own for each
// request (see freshID), or idBase plus the body's index. The digits are
// a 14-digit number, as Lua writes a number exactly up to 14 digits.
const (
	idDigits      = 14
	idPlaceholder = "XXXXXXXXXXXXXX"
	// idBase is the smallest number written in place of idPlaceholder.
	idBase = 10_000_000_000_000
	// idRunSpan is how many request numbers each run of a load generator
	// has; idMaxRuns runs fit in 14 digits.
	idRunSpan = 10_000_000_000
	idMaxRuns = 999
)

// freshID is the number of the k-th request of connection (or wrk thread)
// conn of n in load run run: unique across runs, connections and requests
// as long as run < idMaxRuns and k*n < idRunSpan.
func freshID(run, conn, n int, k int64) int64 {
	return idBase + int64(run)*idRunSpan + k*int64(n) + int64(conn)
}

// placeholderAt returns the offset of idPlaceholder in each body, or an
// error for a body that does not hold it exactly once.
func placeholderAt(bodies [][]byte) ([]int, error) {
	at := make([]int, len(bodies))
	for i, b := range bodies {
		at[i] = bytes.Index(b, []byte(idPlaceholder))
		if at[i] < 0 || bytes.Count(b, []byte(idPlaceholder)) != 1 {
			return nil, fmt.Errorf("body %s does not hold the eventId placeholder once", clip(b))
		}
	}
	return at, nil
}

// maxStepsPerCall bounds a generated call, so that a flow with loops (the
// restaurant's "return to main menu") still gives many distinct calls.
const maxStepsPerCall = 8

// mix is the set of VCA bodies a load run rotates through, and what each
// body asks of the flow, for the report.
type mix struct {
	// Bodies are the webhook bodies, each with its own eventId, which ends
	// in idPlaceholder.
	Bodies [][]byte
	// Calls is how many calls the bodies come from.
	Calls int
	// Outcomes counts the bodies by the outcome ivrctl gives them (start,
	// key, invalid_key, no_input, then).
	Outcomes map[engine.Outcome]int
}

// String summarizes the mix in one line.
func (m *mix) String() string {
	var parts []string
	for o, n := range m.Outcomes {
		parts = append(parts, fmt.Sprintf("%s %d", o, n))
	}
	sort.Strings(parts)
	return fmt.Sprintf("%d webhooks from %d calls (%s)", len(m.Bodies), m.Calls, strings.Join(parts, ", "))
}

// makeMix plays calls through flow until it has n webhook bodies: each
// call rings (an inbound CALL_RECEIVED with no clientActionId) or, one in
// five, answers an outbound call's start menu; then at each menu the caller
// mostly presses one of its keys, sometimes a key it does not have or
// nothing; a dial node's bridged call ends; a say node hangs up and ends
// the call. The digits move between the three shapes 8x8 sends them in.
// Every body has a distinct eventId, ending in idPlaceholder. The walk is seeded, so the same flow
// always gives the same bodies.
func makeMix(flow *engine.Flow, n int) *mix {
	rng := rand.New(rand.NewPCG(8, 8))
	m := &mix{Outcomes: map[engine.Outcome]int{}}
	for call := 0; len(m.Bodies) < n; call++ {
		m.Calls++
		callID := fmt.Sprintf("ivrload-call-%06d", call)
		ev := carrier.Event{
			CallID:    callID,
			SessionID: fmt.Sprintf("ivrload-session-%06d", call),
			Shape:     carrier.Shapes[call%len(carrier.Shapes)],
		}
		events := 0
		post := func(e carrier.Event, o engine.Outcome) {
			events++
			e.EventID = fmt.Sprintf("%s-event-%d-%s", callID, events, idPlaceholder)
			m.Bodies = append(m.Bodies, e.Body())
			m.Outcomes[o]++
		}

		node := flow.Start()
		if call%5 == 4 {
			// An outbound call: 8x8 played the start menu itself and posts
			// the caller's answer to it with no clientActionId.
			ev.Direction = callflows.DirectionOutbound
			digits := pick(rng, node)
			step := flow.Next("", digits)
			e := ev
			e.Digits = digits
			post(e, step.Outcome)
			node = step.Next
		} else {
			ev.Direction = callflows.DirectionInbound
			e := ev
			e.CallStatus = callflows.StatusCallReceived
			post(e, engine.OutcomeStart)
		}
		for steps := 0; steps < maxStepsPerCall && len(m.Bodies) < n && node != nil; steps++ {
			var digits string
			if node.Kind() == engine.KindMenu {
				digits = pick(rng, node)
			} else if node.Kind() != engine.KindDial {
				break // a say node hung up: the call is over
			}
			// (At a dial node, the bridged call ended: 8x8 posts for it
			// with no digits.)
			step := flow.Next(node.ID(), digits)
			e := ev
			e.ClientActionID = node.ID()
			e.Digits = digits
			post(e, step.Outcome)
			node = step.Next
		}
	}
	return m
}

// pick chooses what a caller presses at a menu: one of its keys eight
// times in ten, else a key it does not have or nothing.
func pick(rng *rand.Rand, menu *engine.Node) string {
	keys := menu.Keys()
	switch r := rng.IntN(10); {
	case r < 8 && len(keys) > 0:
		return keys[rng.IntN(len(keys))]
	case r == 9:
		return "" // no input: the tries ran out
	default:
		for _, k := range []string{"9", "0", "*", "#", "8", "7"} {
			if _, ok := menu.Target(k); !ok {
				return k
			}
		}
		return ""
	}
}
