package engine

import (
	"fmt"
	"strings"

	"github.com/ivrctl/ivrctl/callflows"
)

// dialKind bridges the caller to another number (makeCall). When the
// bridged call ends, 8x8 posts a webhook whose sipCode and callStatus say
// how (see docs/transfers.md), and the caller goes on to the dial's branch
// for it (answered, busy, no_answer, failed), or to then, which catches
// every outcome without a branch.
var dialKind = kindSpec{
	keys: []string{"dial", "answered", "busy", "no_answer", "failed", "then", "lint"},
	build: func(c *compiler, d *NodeDecl, n *Node) {
		mc, set := c.makeCall(d)
		if d.Dial != nil { // else Parse reported it, and there is nothing to check
			n.callflow = callflows.Callflow{mc}
		}
		c.params[n] = paramRanges(set, 0)
	},
	link: func(c *compiler, d *NodeDecl, n *Node) []Edge {
		var edges edgeList
		n.outcomes = map[callflows.TransferOutcome]*Node{}
		for _, b := range d.Branches {
			o, _ := callflows.ParseTransferOutcome(b.Name.Value)
			if t := c.ref(b.Target, RuleRef, fmt.Sprintf("as %s of dial %q", b.Name.Value, d.ID.Value)); t != nil {
				n.outcomes[o] = t
				edges.add(EdgeOutcome, b.Name.Value, t)
			}
		}
		if d.Then != nil {
			n.then = c.ref(d.Then, RuleRef, fmt.Sprintf("as then of dial %q", d.ID.Value))
			edges.add(EdgeThen, "", n.then)
		} else if len(d.Branches) == 0 {
			c.errorf(d.ID.Range, RuleMissingKey, "dial node %q is missing required key %q: the node to go to when the bridged call ends", d.ID.Value, "then")
		} else if missing := missingOutcomes(d); len(missing) > 0 {
			c.errorf(d.ID.Range, RuleMissingKey, "dial node %q has no branch for %s, and no then to catch them: where does the caller go when the bridged call ends so?", d.ID.Value, strings.Join(missing, ", "))
		}
		return edges
	},
	pass: answers,
	leave: func(f *Flow, n *Node, _ State, in Input, s *Step) {
		o := in.Transfer
		if o == callflows.TransferNone {
			// A webhook that does not say how the call ended (a tool
			// stepping the flow): it ended as calls mostly do.
			o = callflows.TransferAnswered
		}
		if t, ok := n.outcomes[o]; ok {
			s.Outcome = transferOutcomes[o]
			f.enter(s, t, in)
			return
		}
		s.Outcome = OutcomeThen
		f.enter(s, n.then, in)
	},
}

// transferOutcomes are the step's outcomes by transfer outcome.
var transferOutcomes = map[callflows.TransferOutcome]Outcome{
	callflows.TransferAnswered: OutcomeAnswered,
	callflows.TransferBusy:     OutcomeBusy,
	callflows.TransferNoAnswer: OutcomeNoAnswer,
	callflows.TransferFailed:   OutcomeFailed,
}

// missingOutcomes returns the transfer outcomes dial node d has no branch
// for.
func missingOutcomes(d *NodeDecl) []string {
	var missing []string
	for _, o := range callflows.TransferOutcomes {
		found := false
		for _, b := range d.Branches {
			found = found || b.Name.Value == o.String()
		}
		if !found {
			missing = append(missing, o.String())
		}
	}
	return missing
}

// makeCall compiles a dial node and returns where its parameters were set.
func (c *compiler) makeCall(d *NodeDecl) (*callflows.MakeCall, map[string]Range) {
	mc := &callflows.MakeCall{}
	set := map[string]Range{}
	if d.Dial == nil { // not a mapping, reported by Parse
		return mc, set
	}
	from := d.Dial.From
	if from == nil {
		from = c.f.Number // the line's own number is the usual caller ID
	}
	for _, f := range []struct {
		s     *Scalar
		name  string
		param string
		dst   *string
	}{{d.Dial.To, "to", "destination", &mc.Destination}, {from, "from", "source", &mc.Source}} {
		if f.s == nil {
			set[f.param] = d.Dial.Range // where the missing key is reported
			d := c.errorf(d.Dial.Range, RuleMissingKey, "dial of node %q is missing required key %q", d.ID.Value, f.name)
			if f.name == "from" {
				d.Hint = "or set the flow's number, which dials from it by default"
			}
			continue
		}
		set[f.param] = f.s.Range
		reported, unset := len(c.diags), c.unsetUsed
		if *f.dst = strings.TrimSpace(c.expand(f.s)); *f.dst == "" && len(c.diags) == reported && c.unsetUsed == unset {
			c.errorf(f.s.Range, RuleEmpty, "dial %s of node %q is empty", f.name, d.ID.Value)
		}
	}
	return mc, set
}
