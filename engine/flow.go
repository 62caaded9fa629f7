package engine

import (
	"slices"

	"github.com/ivrctl/ivrctl/callflows"
)

// Flow is a compiled phone menu. Everything that can be decided when the
// file is loaded has been: every node holds the exact bytes of its callflow
// response and its key table. A Flow never changes after Compile, so it is
// shared across goroutines without locks.
type Flow struct {
	name     string
	number   string
	path     string
	version  string
	start    *Node
	fallback *Node
	nodes    map[string]*Node
	order    []*Node
}

// Name returns the flow's name, from its name key or else its file name.
func (f *Flow) Name() string { return f.name }

// Number returns the line's own phone number, from its number key: the
// caller ID of outbound calls and of dial nodes that set no from. It is ""
// when the flow sets none.
func (f *Flow) Number() string { return f.number }

// Path returns the file the flow was loaded from.
func (f *Flow) Path() string { return f.path }

// Version returns a short hash of the flow file's content, which tells two
// loaded versions of a flow apart in logs.
func (f *Flow) Version() string { return f.version }

// Start returns the node every call starts at.
func (f *Flow) Start() *Node { return f.start }

// Fallback returns the node that answers when the caller's place in the
// menu cannot be told: a say node, so the call ends with a message rather
// than silence.
func (f *Flow) Fallback() *Node { return f.fallback }

// Node returns the node with the given ID.
func (f *Flow) Node(id string) (*Node, bool) {
	n, ok := f.nodes[id]
	return n, ok
}

// Nodes returns the flow's nodes in the order the file lists them.
func (f *Flow) Nodes() []*Node { return slices.Clone(f.order) }

// Outcome says why Next chose the node it chose.
type Outcome string

// Outcomes of Next, as they appear in logs.
const (
	// OutcomeStart: a new inbound call, answered with the start node.
	OutcomeStart Outcome = "start"
	// OutcomeKey: the caller pressed one of the menu's keys.
	OutcomeKey Outcome = "key"
	// OutcomeInvalid: the caller pressed a key the menu does not have.
	OutcomeInvalid Outcome = "invalid_key"
	// OutcomeNoInput: the capture ended with no key pressed.
	OutcomeNoInput Outcome = "no_input"
	// OutcomeThen: a bridged call ended and the dial node goes on.
	OutcomeThen Outcome = "then"
	// OutcomeLeaf: a webhook arrived for a node that had already hung up.
	OutcomeLeaf Outcome = "leaf"
	// OutcomeUnknownNode: the clientActionId names no node of this flow,
	// as when a reload removed the node a call was in.
	OutcomeUnknownNode Outcome = "unknown_node"
)

// Step is one move through the flow.
type Step struct {
	// From is the node the webhook answered; nil when it is unknown.
	From *Node
	// Next is the node to answer with; never nil.
	Next    *Node
	Outcome Outcome
}

// Begin is the step that answers a new inbound call: the start node itself.
func (f *Flow) Begin() Step { return Step{Next: f.start, Outcome: OutcomeStart} }

// Next returns where a caller goes from the node clientActionID after
// entering digits ("" for none). An empty clientActionID is the start node,
// whose prompt the outbound call played. Next is a pure function of its
// arguments and never fails: a caller it cannot place gets the fallback.
func (f *Flow) Next(clientActionID, digits string) Step {
	from := f.start
	if clientActionID != "" {
		var ok bool
		if from, ok = f.nodes[clientActionID]; !ok {
			return Step{Next: f.fallback, Outcome: OutcomeUnknownNode}
		}
	}
	switch from.kind {
	case KindMenu:
		if digits == "" {
			return Step{From: from, Next: from.onNoInput, Outcome: OutcomeNoInput}
		}
		if next, ok := from.keys[digits]; ok {
			return Step{From: from, Next: next, Outcome: OutcomeKey}
		}
		return Step{From: from, Next: from.onInvalid, Outcome: OutcomeInvalid}
	case KindDial:
		return Step{From: from, Next: from.then, Outcome: OutcomeThen}
	}
	return Step{From: from, Next: f.fallback, Outcome: OutcomeLeaf}
}

// Node is a compiled node of a flow.
type Node struct {
	id        string
	kind      Kind
	pos       Pos
	callflow  callflows.Callflow
	response  []byte
	keys      map[string]*Node
	keyOrder  []string
	onInvalid *Node
	onNoInput *Node
	then      *Node
	edges     []Edge // keys, on_invalid, on_no_input and then, as Edges lists them
	sensitive bool
}

// ID returns the node's ID, which is also the clientActionId of its
// response. The built-in fallback has the ID "".
func (n *Node) ID() string { return n.id }

// Kind returns the node's kind.
func (n *Node) Kind() Kind { return n.kind }

// Pos returns where the node is defined.
func (n *Node) Pos() Pos { return n.pos }

// Response returns the JSON body that answers a VCA webhook with this node.
// The bytes are shared and must not be modified.
func (n *Node) Response() []byte { return n.response }

// Callflow returns the node's actions, as marshalled in Response.
func (n *Node) Callflow() callflows.Callflow { return slices.Clone(n.callflow) }

// Keys returns the menu's keys in the order the file lists them.
func (n *Node) Keys() []string { return slices.Clone(n.keyOrder) }

// Target returns the node a key of the menu leads to.
func (n *Node) Target(key string) (*Node, bool) {
	t, ok := n.keys[key]
	return t, ok
}

// OnInvalid returns where a menu sends a key it does not have.
func (n *Node) OnInvalid() *Node { return n.onInvalid }

// OnNoInput returns where a menu sends a caller who pressed nothing.
func (n *Node) OnNoInput() *Node { return n.onNoInput }

// Then returns where a dial node goes when the bridged call ends.
func (n *Node) Then() *Node { return n.then }

// Sensitive reports whether the menu is marked sensitive: the keys a
// caller presses at it must not be logged or counted by value.
func (n *Node) Sensitive() bool { return n.sensitive }
