package engine

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ivrctl/ivrctl/callflows"

	"github.com/ivrctl/ivrctl/engine/callstate"
)

// State is what the next webhook of a call needs, carried in the
// clientActionId of each answer (see package callstate).
type State = callstate.State

// Input is what one webhook tells the step, besides the call's state.
type Input struct {
	// Start is set for the first webhook of an inbound call: the call
	// rang, and the start node answers it.
	Start bool
	// Digits are the keys the caller pressed; "" for none.
	Digits string
	// Time is when the webhook arrived; schedules read it.
	Time time.Time
	// From and To are the call's numbers: the caller's and the one dialled.
	From, To string
	// Outbound is set for a call the line placed.
	Outbound bool
	// Transfer is how the bridged call of a dial node ended (see
	// callflows.CallActionPayload.TransferOutcome); a dial node that gets
	// TransferNone goes on to its then node.
	Transfer callflows.TransferOutcome
	// Lang is the language a call starts in, for sim --lang and test
	// cases; read only when the call has no state yet (Start, or an empty
	// clientActionId). "" is the flow's default.
	Lang string
	// Switches are the positions an operator set the flow's switches to;
	// a switch not in it is at the flow's default (see Flow.SwitchOn).
	// The server shares one among concurrent webhooks: read only.
	Switches Switches
}

// Outcome says why the step chose the node it chose.
type Outcome string

// Outcomes of a step, as they appear in logs and metrics.
const (
	// OutcomeStart: a new inbound call, answered with the start node.
	OutcomeStart Outcome = "start"
	// OutcomeKey: the caller pressed one of the menu's keys.
	OutcomeKey Outcome = "key"
	// OutcomeHotkey: the caller pressed a hotkey that goes to a node.
	OutcomeHotkey Outcome = "hotkey"
	// OutcomeRepeat: the caller asked to hear the menu again.
	OutcomeRepeat Outcome = "repeat"
	// OutcomeBack: the caller went back to the menu they came from.
	OutcomeBack Outcome = "back"
	// OutcomeMain: the caller went to the main menu.
	OutcomeMain Outcome = "main"
	// OutcomeInvalid: the caller pressed a key the menu does not have, and
	// the menu's wrong-key budget is spent (or it has none).
	OutcomeInvalid Outcome = "invalid_key"
	// OutcomeInvalidRetry: a wrong key the menu forgives: it apologizes
	// and asks again.
	OutcomeInvalidRetry Outcome = "invalid_key_retry"
	// OutcomeNoInput: the capture ended with no key pressed, and the menu's
	// silence budget is spent (or it has none).
	OutcomeNoInput Outcome = "no_input"
	// OutcomeNoInputRetry: silence the menu forgives: it asks again.
	OutcomeNoInputRetry Outcome = "no_input_retry"
	// OutcomeThen: a bridged call ended and the dial node goes on to its
	// then node, which catches every outcome it has no branch for.
	OutcomeThen Outcome = "then"
	// OutcomeAnswered, OutcomeBusy, OutcomeNoAnswer and OutcomeFailed: a
	// bridged call ended so, and the dial node took its branch for it.
	OutcomeAnswered Outcome = "answered"
	OutcomeBusy     Outcome = "busy"
	OutcomeNoAnswer Outcome = "no_answer"
	OutcomeFailed   Outcome = "failed"
	// OutcomeLeaf: a webhook arrived for a node that had already hung up.
	OutcomeLeaf Outcome = "leaf"
	// OutcomeUnknownNode: the clientActionId names no node of this flow,
	// as when a reload removed the node a call was in.
	OutcomeUnknownNode Outcome = "unknown_node"
	// OutcomeBadState: the clientActionId's state is cut, corrupt, forged
	// or signed with a key no longer listed (Step.StateErr says which).
	OutcomeBadState Outcome = "bad_state"
)

// Outcomes lists every Outcome, for metrics to show at zero.
var Outcomes = []Outcome{
	OutcomeStart, OutcomeKey, OutcomeHotkey, OutcomeRepeat, OutcomeBack, OutcomeMain,
	OutcomeInvalid, OutcomeInvalidRetry, OutcomeNoInput, OutcomeNoInputRetry, OutcomeThen,
	OutcomeAnswered, OutcomeBusy, OutcomeNoAnswer, OutcomeFailed, OutcomeCollected,
	OutcomeLeaf, OutcomeUnknownNode, OutcomeBadState,
}

// maxPass bounds the nodes a caller passes through without an answer of
// their own (messages that continue, schedules) in one step. Compile
// refuses a loop of them, so only a flow far deeper than any phone line
// reaches it; the caller then gets the fallback.
const maxPass = 16

// Step is one move through the flow: where the caller was, where they
// are now, why, and what to answer.
type Step struct {
	// From is the node the webhook answered; nil when it is unknown.
	From *Node
	// Next is the node to answer with; never nil.
	Next    *Node
	Outcome Outcome
	// State is the call's new state; State.Node is Next's ID.
	State State
	// StateErr is why the state in the clientActionId was refused, with
	// OutcomeBadState; nil otherwise.
	StateErr error

	// lang is the index of the call's language in the flow's languages,
	// and tag its tag.
	lang int
	tag  string
	// say holds the messages spoken before Next's own actions, as JSON
	// action lists: continuing messages, an apology, ...
	say [][]byte
	// reprompt answers a menu with its shorter re-prompt.
	reprompt bool
	// request is what a request node the caller reached asks the server to
	// do before the call can go on (see Request and Resume); response is
	// its answer, being fed back by Resume; result is the result the last
	// request node went on by.
	request  *Request
	response *pendingResponse
	result   string
	// sayBuf is say's first room, so that a message or two costs no
	// allocation of their own.
	sayBuf [2][]byte
	// passed are the nodes the caller went through on the way to Next.
	passed []*Node
}

// Passed returns the nodes the caller went through, in order, on the way
// to Next without an answer of their own (messages that continue,
// schedules): test coverage reads the edges a step took from them.
func (s *Step) Passed() []*Node { return slices.Clone(s.passed) }

// pendingResponse is a response being fed back to its request node.
type pendingResponse struct {
	node *Node
	resp Response
}

// Request returns what the step waits on: the request a request node asks
// the server to make before the call can go on; nil when the step has its
// answer. The server makes it and calls Resume with the response.
func (s *Step) Request() *Request { return s.request }

// Result returns the result the last request node the step passed went on
// by (ok, client_error, ...), for the log; "" when it passed none.
func (s *Step) Result() string { return s.result }

// Lang returns the call's language tag, the flow's default language's
// when the caller chose none; "" in a flow that declares no languages.
// (State.Lang carries the default language as "", so that a call in it
// keeps a bare state.)
func (s *Step) Lang() string { return s.tag }

// Begin is the step that answers a new inbound call.
func (f *Flow) Begin() Step { return f.Step(State{}, Input{Start: true}) }

// Next returns where a caller goes from the node clientActionID, read as
// a bare node ID (a state with nothing else in it), after entering digits
// ("" for none). It is Step for a call that carries no state, as in tests
// and tools that walk a flow one node at a time.
func (f *Flow) Next(clientActionID, digits string) Step {
	return f.Step(State{Node: clientActionID}, Input{Digits: digits})
}

// Step is the flow's one move: from the call's state and what the webhook
// brings, the node to answer with and the call's new state. It is a pure
// function of its arguments and never fails: a caller it cannot place gets
// the fallback. An empty st.Node is the start node, whose prompt the
// outbound call played.
func (f *Flow) Step(st State, in Input) Step {
	var s Step
	f.step(&s, st, in)
	return s
}

// steps pools the Steps Answer works in: a Step is a few hundred bytes,
// and one passed to a kind's functions, which are called through the kind
// table, would otherwise be allocated for every webhook.
var steps = sync.Pool{New: func() any { return new(Step) }}

// step is Step, into the zero Step s.
func (f *Flow) step(s *Step, st State, in Input) {
	*s = Step{State: State{Lang: st.Lang, Back: st.Back, Vars: st.Vars}}
	s.say = s.sayBuf[:0]
	s.lang = f.langIndex(st.Lang)
	if s.lang <= 0 {
		// The default language is carried as "", so that a call in it
		// keeps a bare state and its precompiled answers. A language the
		// flow no longer has (a reload dropped it) is the default one,
		// rather than the fallback.
		s.lang, s.State.Lang = 0, ""
	}
	s.tag = f.langs[s.lang]
	if in.Start {
		s.Outcome = OutcomeStart
		f.enter(s, f.start, in)
		return
	}
	var from *Node
	if st.Node != "" {
		var ok bool
		if from, ok = f.nodes[st.Node]; !ok {
			// The fallback, in the caller's language.
			lang := s.lang
			*s = f.fail(OutcomeUnknownNode, nil)
			s.setLang(f, lang)
			return
		}
	} else {
		// The first webhook of an outbound call, whose opening (see
		// Opening) the Send Callflow request played: the caller answers
		// the node it ended at.
		b := f.Step(State{Lang: st.Lang}, Input{Start: true, Time: in.Time})
		from, st = b.Next, b.State
		s.State = State{Lang: st.Lang, Back: st.Back, Vars: st.Vars}
	}
	s.From = from
	from.kind.spec().leave(f, from, st, in, s)
}

// Fail returns the step that answers a webhook whose state could not be
// read (OutcomeBadState, with why) with the fallback.
func (f *Flow) Fail(err error) Step { return f.fail(OutcomeBadState, err) }

func (f *Flow) fail(o Outcome, err error) Step {
	s := Step{Next: f.fallback, Outcome: o, StateErr: err, tag: f.langs[0]}
	s.State.Node = f.fallback.id
	return s
}

// enter takes the caller into n: through the nodes that pass them on
// (messages that continue, schedules), which add to what they hear, to
// the node that answers. Retry counts start again at every node entered.
func (f *Flow) enter(s *Step, n *Node, in Input) {
	s.State.NoInput, s.State.Invalid = 0, 0
	for range maxPass {
		next := n.kind.spec().pass(f, n, in, s)
		if next == nil {
			s.Next = n
			s.State.Node = n.id
			if n.kind == KindMenu && f.back {
				s.State.Back = arrive(s.State.Back, n.id)
			}
			return
		}
		s.passed = append(s.passed, n)
		n = next
	}
	*s = f.fail(OutcomeLeaf, nil)
}

// stay answers with the menu n again, keeping the call's counts.
func (s *Step) stay(n *Node, st State) {
	s.Next = n
	s.State.Node = n.id
	s.State.NoInput, s.State.Invalid = st.NoInput, st.Invalid
}

// arrive returns the back stack of a caller arriving at menu id: a menu
// already in it is where they came from, so the stack is cut there.
func arrive(back []string, id string) []string {
	for i, b := range back {
		if b == id {
			return back[:i]
		}
	}
	return back
}

// push returns back with the menu id on top, the oldest dropped beyond
// callstate.MaxBack. It never writes into back's array, which the state
// the step was given may share.
func push(back []string, id string) []string {
	out := make([]string, 0, min(len(back)+1, callstate.MaxBack))
	if len(back) >= callstate.MaxBack {
		back = back[len(back)-callstate.MaxBack+1:]
	}
	out = append(out, back...)
	return append(out, id)
}

// Answer answers one webhook: it opens the call's state from
// clientActionID with keys, takes the Step, and appends to dst the JSON
// answer, whose clientActionId carries the new state sealed with keys. A
// state that cannot be opened is answered with the fallback, and the Step
// says why (OutcomeBadState, StateErr). The answer is the next node's
// precompiled response when the state is the bare node ID, the language
// the default and nothing is said first: a flow with no state to carry
// answers exactly as its responses; otherwise it is put together from
// parts compiled and checked against 8x8's rules when the flow was loaded.
// With a nil dst, the precompiled response itself may be returned: it is
// shared, and must not be modified.
func (f *Flow) Answer(dst []byte, keys callstate.Keys, clientActionID string, in Input) ([]byte, Step) {
	s := steps.Get().(*Step)
	defer steps.Put(s)
	if clientActionID == "" {
		f.step(s, State{Lang: in.Lang}, in)
	} else if st, err := keys.Decode(clientActionID); err != nil {
		*s = f.Fail(err)
		if !strings.Contains(clientActionID, ".") {
			// Not a state at all: a node ID this flow cannot have.
			*s = f.fail(OutcomeUnknownNode, nil)
		}
	} else {
		f.step(s, st, in)
	}
	return f.finish(dst, keys, s, &in)
}

// finish renders the answer of the pooled step s and returns it with a
// copy of s, or no answer and the step, when it waits on a request.
func (f *Flow) finish(dst []byte, keys callstate.Keys, s *Step, in *Input) ([]byte, Step) {
	out := *s
	out.sayBuf = [2][]byte{}
	if s.request != nil {
		// The messages said so far go with the step, to Resume.
		out.say = slices.Clone(s.say)
		return nil, out
	}
	body := f.render(dst, keys, s, in)
	out = *s
	// The messages are in s, which goes back to the pool: the answer
	// has them, and the Step handed out does not.
	out.say, out.sayBuf = nil, [2][]byte{}
	return body, out
}

// maxRequests bounds the requests one webhook makes, so that a flow of
// requests one after another cannot keep 8x8 waiting.
const MaxRequests = 3

// Resume feeds the response to the request step s waits on back to the
// step, which goes on by its result (saving what the request node names),
// and returns the answer, as Answer does; or no answer and a step that
// waits on another request. A step that waits on nothing is answered as
// it is.
func (f *Flow) Resume(dst []byte, keys callstate.Keys, s Step, resp Response, in Input) ([]byte, Step) {
	sp := steps.Get().(*Step)
	defer steps.Put(sp)
	*sp = s
	sp.say = append(sp.sayBuf[:0], s.say...)
	if req := s.request; req != nil {
		sp.request = nil
		sp.response = &pendingResponse{node: req.Node, resp: resp}
		f.enter(sp, req.Node, in)
	}
	return f.finish(dst, keys, sp, &in)
}

// render appends the answer of step s to dst (see Answer).
func (f *Flow) render(dst []byte, keys callstate.Keys, s *Step, in *Input) []byte {
	if s.Next.id == "" && s.lang != 0 {
		// The built-in fallback in the call's language: it carries no
		// state, and ends the call.
		dst = append(dst, `{"callflow":[`...)
		dst = append(dst, s.Next.body(s.lang, false)...)
		return append(dst, "]}"...)
	}
	if s.Next.id == "" || s.State.Bare() && s.lang == 0 && len(s.say) == 0 && !s.reprompt && !s.Next.dynamic {
		// The built-in fallback's ID, "", is no state: it ends the call.
		if dst == nil {
			return s.Next.response
		}
		return append(dst, s.Next.response...)
	}
	if dst == nil {
		n := len(`{"clientActionId":"","callflow":[]}`) + callstate.Size(s.State) + len(s.Next.body(s.lang, s.reprompt))
		for _, m := range s.say {
			n += len(m) + 1
		}
		dst = make([]byte, 0, n)
	}
	start := len(dst)
	dst = append(dst, `{"clientActionId":"`...)
	dst, err := keys.AppendEncode(dst, s.State)
	if err != nil {
		// A state the keys cannot carry (a sensitive value and no key):
		// the caller hears the fallback rather than nothing.
		*s = f.fail(OutcomeBadState, err)
		return append(dst[:start], s.Next.response...)
	}
	dst = append(dst, `","callflow":[`...)
	for _, m := range s.say {
		dst = f.appendPart(dst, m, s, in)
		dst = append(dst, ',')
	}
	dst = f.appendPart(dst, s.Next.body(s.lang, s.reprompt), s, in)
	return append(dst, "]}"...)
}

// appendPart appends a part of an answer, with the call's values filled in
// when the flow's texts use any.
func (f *Flow) appendPart(dst, part []byte, s *Step, in *Input) []byte {
	if len(f.holes) == 0 {
		return append(dst, part...)
	}
	return f.appendFilled(dst, part, &s.State, in, s.tag)
}

// Opening returns what a call hears first at time t, as the callflow of an
// outbound call's Send Callflow request: the start node's answer, after
// the messages and schedules on the way to it.
func (f *Flow) Opening(t time.Time) (callflows.Callflow, error) {
	body, _ := f.Answer(nil, callstate.Keys{}, "", Input{Start: true, Time: t, Outbound: true})
	var r callflows.Response
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, err
	}
	return r.Callflow, nil
}
