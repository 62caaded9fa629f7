package engine

import (
	"strconv"

	"github.com/ivrctl/ivrctl/callflows"
)

// sayKind is a message. With no then it is a leaf: it speaks its text and
// hangs up. With then it continues: its text is spoken and the caller goes
// on to the then node in the same answer (a banner, an apology,
// "connecting you").
var sayKind = kindSpec{
	keys: []string{"say", "voice", "speed", "then", "lint"},
	build: func(c *compiler, d *NodeDecl, n *Node) {
		s := c.overlay(c.defaults, d.Voice, d.Speed, nil)
		say := &callflows.Say{Text: c.text(d), VoiceProfile: s.voice, Speed: s.speed}
		n.callflow = callflows.Callflow{say}
		if d.Then == nil {
			n.callflow = append(n.callflow, &callflows.Hangup{})
		}
		s = s.with("text", rangeOr(d.Text, d.ID.Range))
		c.params[n] = paramRanges(s.set)
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
