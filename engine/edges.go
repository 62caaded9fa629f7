package engine

import "slices"

// EdgeKind says what takes a caller along an Edge: a key, a wrong key,
// silence, the end of a bridged call. Tools read a flow through its
// edges, and switch on edge kinds, not on node kinds, for what connects to
// what; a new way of leaving a node is a new kind here, which the tools
// show (a diagram draws it as a solid arrow with its Label, say) before
// they learn to show it better.
type EdgeKind uint8

// Kinds of Edge, in the order Node.Edges lists a node's edges.
const (
	// EdgeKey: the caller pressed one of a menu's keys, the Edge's Label
	// (from keys).
	EdgeKey EdgeKind = iota + 1
	// EdgeInvalid: the caller pressed a key the menu does not have (from
	// on_invalid, the defaults, or the fallback).
	EdgeInvalid
	// EdgeNoInput: the caller pressed nothing (from on_no_input, the
	// defaults, or where a wrong key goes).
	EdgeNoInput
	// EdgeThen: the bridged call of a dial node ended (from then).
	EdgeThen
	// EdgeHotkey: the caller pressed a hotkey of a menu, the Edge's Label:
	// repeat (to the menu itself), main, back (one edge to each menu that
	// leads to this one) or a node to go to.
	EdgeHotkey
	// EdgeContinue: a message goes on to its then node in the same answer.
	EdgeContinue
	// EdgeOutcome: the bridged call of a dial node ended so, the Edge's
	// Label: answered, busy, no_answer or failed.
	EdgeOutcome
	// EdgeBranch: a schedule's branch, the Edge's Label (open, closed,
	// holiday, ...), held at the time the caller came.
	EdgeBranch
	// EdgeCase: a case of a branch node held, the Edge's Label ("=
	// shipped", "> 100", "~ ^9").
	EdgeCase
	// EdgeSwitch: a switch node's on or off, the Edge's Label, by the
	// position its switch held when the caller came.
	EdgeSwitch
	// EdgeResult: a request node's result, the Edge's Label (ok,
	// client_error, server_error, timeout, error).
	EdgeResult
)

// String returns the kind's name as logs and tests print it: key,
// invalid, no-input or then.
func (k EdgeKind) String() string {
	switch k {
	case EdgeKey:
		return "key"
	case EdgeInvalid:
		return "invalid"
	case EdgeNoInput:
		return "no-input"
	case EdgeThen:
		return "then"
	case EdgeHotkey:
		return "hotkey"
	case EdgeContinue:
		return "continue"
	case EdgeOutcome:
		return "outcome"
	case EdgeBranch:
		return "branch"
	case EdgeCase:
		return "case"
	case EdgeSwitch:
		return "switch"
	case EdgeResult:
		return "result"
	}
	return "unknown"
}

// Edge is one way a caller leaves a node for another.
type Edge struct {
	Kind EdgeKind
	// Label tells apart edges of one kind from one node: the key for an
	// EdgeKey. It is "" for a kind a node has at most once.
	Label string
	// To is the node the caller goes to; never nil.
	To *Node
	// Inherited marks an edge declared once for every menu (a hotkey of
	// the defaults) rather than at this node.
	Inherited bool
}

// Edges returns the ways a caller leaves the node: a menu's keys in the
// order the file lists them, then where a wrong key goes, then where
// silence goes; a dial node's then. A say node, which hangs up, has none.
// Two edges may lead to the same node. The edges are worked out once, when
// the flow is compiled.
func (n *Node) Edges() []Edge { return slices.Clone(n.edges) }

// passes reports whether an edge of the kind takes the caller on at once,
// in the same answer, rather than after they answer.
func (k EdgeKind) passes() bool {
	return k == EdgeContinue || k == EdgeBranch || k == EdgeCase || k == EdgeSwitch || k == EdgeResult
}
