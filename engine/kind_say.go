package engine

import (
	"strconv"
)

// sayKind is a message. With no then it is a leaf: it speaks its text and
// hangs up. With then it continues: its text is spoken and the caller goes
// on to the then node in the same answer (a banner, an apology,
// "connecting you").
var sayKind = kindSpec{
	keys: []string{"say", "voice", "speed", "then", "lint"},
	build: func(c *compiler, d *NodeDecl, n *Node) {
		s := c.overlay(c.defaults, d.Voice, d.Speed, nil)
		c.setNode(n, c.say(d.Text, d, d.Kind.String(), s, d.Then == nil))
	},
	link: func(c *compiler, d *NodeDecl, n *Node) []Edge {
		var edges edgeList
		if d.Then != nil {
			n.then = c.ref(d.Then, RuleRef, "as then of message "+strconv.Quote(d.ID.Value))
			edges.add(EdgeContinue, "", n.then)
		}
		return edges
	},
	pass: func(f *Flow, n *Node, _ Input, s *Step) *Node {
		if n.then == nil {
			return nil
		}
		s.say = append(s.say, n.bodies[s.lang])
		return n.then
	},
	leave: leaveToFallback,
}
