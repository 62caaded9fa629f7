package engine

import (
	"fmt"

	"github.com/ivrctl/ivrctl/engine/callstate"
)

// setKind sets values of the call and sends the caller on at once to its
// then node: a flag a later branch reads, a value a text says.
var setKind = kindSpec{
	passes: true,
	keys:   []string{"set", "then", "lint"},
	build: func(c *compiler, d *NodeDecl, n *Node) {
		for _, kv := range d.Sets {
			name := kv.Name.Value
			switch {
			case !valueName(name):
				c.errorf(kv.Name.Range, RuleVar, "%q is not a value name: use 1 to %d letters, digits and _", name, callstate.MaxVarNameLen)
				continue
			case name == VarCaller || name == VarDialled:
				c.errorf(kv.Name.Range, RuleVar, "%q is the call's own value and cannot be set", name)
				continue
			}
			v := c.expand(kv.Value)
			if len(v) > callstate.MaxValueLen {
				c.errorf(kv.Value.Range, RuleValue, "the value of %s is %d bytes, at most %d travel with a call", name, len(v), callstate.MaxValueLen)
				continue
			}
			n.sets = append(n.sets, callstate.Var{Name: name, Value: v})
		}
	},
	link: func(c *compiler, d *NodeDecl, n *Node) []Edge {
		var edges edgeList
		if d.Then == nil {
			c.errorf(d.ID.Range, RuleMissingKey, "set node %q is missing required key %q: the node to go on to", d.ID.Value, "then")
			return nil
		}
		n.then = c.ref(d.Then, RuleRef, fmt.Sprintf("as then of set %q", d.ID.Value))
		edges.add(EdgeContinue, "", n.then)
		return edges
	},
	pass: func(_ *Flow, n *Node, _ Input, s *Step) *Node {
		for _, v := range n.sets {
			s.State.Vars = setValue(s.State.Vars, v)
		}
		return n.then
	},
	leave: leaveToFallback,
}
