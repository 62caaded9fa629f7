package engine

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
