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
}

// Edges returns the ways a caller leaves the node: a menu's keys in the
// order the file lists them, then where a wrong key goes, then where
// silence goes; a dial node's then. A say node, which hangs up, has none.
// Two edges may lead to the same node. The edges are worked out once, when
// the flow is compiled.
func (n *Node) Edges() []Edge { return slices.Clone(n.edges) }

// linkEdges returns the edges of n, whose links are resolved, in the
// order Edges promises. A link that is not set, as in a flow with errors,
// is no edge.
func linkEdges(n *Node) []Edge {
	var edges []Edge
	add := func(kind EdgeKind, label string, to *Node) {
		if to != nil {
			edges = append(edges, Edge{Kind: kind, Label: label, To: to})
		}
	}
	for _, k := range n.keyOrder {
		add(EdgeKey, k, n.keys[k])
	}
	add(EdgeInvalid, "", n.onInvalid)
	add(EdgeNoInput, "", n.onNoInput)
	add(EdgeThen, "", n.then)
	return edges
}
