package engine

import (
	"fmt"
	"strings"
)

// kindSpec is everything particular to one kind of node, kept together in
// the kind's own file (kind_menu.go, kind_say.go, ...): the YAML keys it
// takes, how it compiles, how a caller passes through it or leaves it.
// The tools do not switch on kinds: they read a node's edges, which the
// kind's link builds. Adding a kind is a file with its spec, a line in
// kindSpecs, and its docs.
type kindSpec struct {
	// keys are the YAML keys a node of the kind may have, its own kind key
	// first.
	keys []string
	// passes marks a kind whose nodes always send the caller on and never
	// answer a webhook themselves (a schedule, a branch): they have no
	// answer of their own.
	passes bool
	// build compiles the node's answer from its declaration, unlinked.
	build func(c *compiler, d *NodeDecl, n *Node)
	// link resolves the node's references to other nodes and returns its
	// edges, in the order Node.Edges lists them.
	link func(c *compiler, d *NodeDecl, n *Node) []Edge
	// pass is called when a caller enters n. It returns the node they go on
	// to at once (after adding to what they hear), or nil when n answers
	// them itself.
	pass func(f *Flow, n *Node, in Input, s *Step) *Node
	// leave is called with the webhook that answers n: it sets s's Outcome
	// and moves the caller on (Flow.enter) or keeps them (Step.stay).
	leave func(f *Flow, n *Node, st State, in Input, s *Step)
}

// kindSpecs are the specs by Kind; filled in init, because the specs'
// functions step through the flow, which reads this table.
var kindSpecs [kindCount]*kindSpec

func init() {
	kindSpecs = [kindCount]*kindSpec{
		KindInvalid:  &invalidKind,
		KindMenu:     &menuKind,
		KindSay:      &sayKind,
		KindDial:     &dialKind,
		KindSchedule: &scheduleKind,
		KindCollect:  &collectKind,
		KindSet:      &setKind,
		KindBranch:   &branchKind,
		KindSwitch:   &switchKind,
		KindRequest:  &requestKind,
	}
}

func (k Kind) spec() *kindSpec { return kindSpecs[k] }

// answers is kindSpec.pass for a kind whose nodes always answer.
func answers(*Flow, *Node, Input, *Step) *Node { return nil }

// invalidKind compiles a node whose kind is missing (reported by Parse)
// to nothing, so that the rest of the flow can still be checked.
var invalidKind = kindSpec{
	build: func(*compiler, *NodeDecl, *Node) {},
	link:  func(*compiler, *NodeDecl, *Node) []Edge { return nil },
	pass:  answers,
	leave: leaveToFallback,
}

// leaveToFallback is kindSpec.leave for a node whose webhook should not
// come: one that hung up.
func leaveToFallback(f *Flow, _ *Node, _ State, in Input, s *Step) {
	s.Outcome = OutcomeLeaf
	f.enter(s, f.fallback, in)
}

// edgeList gathers a node's edges, leaving out links that are not set, as
// in a flow with errors.
type edgeList []Edge

func (l *edgeList) add(kind EdgeKind, label string, to *Node) {
	if to != nil {
		*l = append(*l, Edge{Kind: kind, Label: label, To: to})
	}
}

// namedBranches links the named branches of node d (a schedule's, a
// request's): each to its node, then for the rest, and reports a name in
// possible that has no node when there is no then. kind is what d is, as
// messages say it; bad reports a branch name d cannot take, true when it
// did.
func (c *compiler) namedBranches(d *NodeDecl, n *Node, edge EdgeKind, kind, rule string, possible []string, bad func(*BranchDecl) bool) (map[string]*Node, edgeList) {
	var edges edgeList
	targets := map[string]*Node{}
	for _, b := range d.Branches {
		if bad != nil && bad(b) {
			continue
		}
		if t := c.ref(b.Target, RuleRef, fmt.Sprintf("for %s of %s %q", b.Name.Value, kind, d.ID.Value)); t != nil {
			targets[b.Name.Value] = t
			edges.add(edge, b.Name.Value, t)
		}
	}
	if d.Then != nil {
		n.then = c.ref(d.Then, RuleRef, fmt.Sprintf("as then of %s %q", kind, d.ID.Value))
		edges.add(EdgeThen, "", n.then)
		return targets, edges
	}
	var missing []string
	for _, name := range possible {
		if _, ok := targets[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		r := d.BranchesRange
		if r.Pos.Line == 0 {
			r = d.ID.Range
		}
		c.errorf(r, rule, "%s %q has no node for %s, and no then to catch them", kind, d.ID.Value, strings.Join(missing, ", "))
	}
	return targets, edges
}
