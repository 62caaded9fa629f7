package engine

import "strings"

// Rule IDs of the checks on the shape of a flow's graph.
const (
	// RuleUnreachable reports a node no caller can get to from start.
	RuleUnreachable = "unreachable"
	// RuleNoExit reports a node from which no say node can be reached,
	// so that a caller there can only hang up.
	RuleNoExit = "no-exit"
	// RuleLoop reports nodes that never ask the caller anything (dials,
	// messages that continue) going round in a cycle: an endless chain.
	RuleLoop = "loop"
)

// checkGraph reports unreachable nodes and nodes with no way to a say
// node, each in time linear in nodes and edges. It runs on a flow with no
// errors, so with no loop of dials, which would also have no way out.
func (c *compiler) checkGraph() {
	flow, g := c.flow, c.graph()
	if flow.start == nil {
		return
	}
	unreachable, noExit := g.deadSpots(flow)
	for i, n := range flow.order {
		if unreachable[i] {
			c.warnf(c.nodeRange(n), RuleUnreachable, "node %q is unreachable: no key, on_invalid, on_no_input or then leads to it from start %q", n.id, flow.start.id)
		}
	}
	for i, n := range flow.order {
		if noExit[i] {
			c.warnf(c.nodeRange(n), RuleNoExit, "no say node can be reached from %s %q: a caller there can only hang up", n.kind, n.id)
		}
	}
}

// checkLoops reports each loop of nodes that never ask the caller
// anything, at the node of the loop the file lists first.
func (c *compiler) checkLoops() {
	g := c.graph()
	for _, cycle := range g.silentCycles() {
		n := g.nodes[cycle[0]]
		ids := make([]string, 0, len(cycle)+1)
		for _, i := range cycle {
			ids = append(ids, g.nodes[i].id)
		}
		ids = append(ids, n.id)
		d := c.errorf(c.nodeRange(n), RuleLoop, "a loop of nodes that never ask the caller anything: %s", strings.Join(ids, " -> "))
		d.Hint = "let one of them go on to a menu or a say node"
	}
}
