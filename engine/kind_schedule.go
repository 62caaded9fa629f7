package engine

import (
	"slices"
	"strings"
	"time"

	"github.com/ivrctl/ivrctl/engine/schedule"
)

// Rule IDs of the checks on schedules (see package schedule for each
// check).
const (
	// RuleSchedule reports a schedule that cannot work: an unknown zone,
	// unreadable days or hours, an empty range, branches that hold at the
	// same time, an impossible or repeated date, an unknown holiday
	// calendar, hours that are never open, or branches with no node.
	RuleSchedule = "schedule"
	// RuleScheduleOverlap reports two ranges of one branch that overlap:
	// the hours are their union, but one is likely a typo.
	RuleScheduleOverlap = "schedule-overlap"
)

// scheduleKind sends the caller on at once, by the time in the line's
// zone, to the node of the branch that holds: open, closed, holiday, or
// any branch the weekly hours name (morning, afternoon...). then catches
// every branch without a node of its own.
var scheduleKind = kindSpec{
	passes: true,
	keys:   []string{"schedule", "branches", "then", "lint"},
	build:  buildSchedule,
	link: func(c *compiler, d *NodeDecl, n *Node) []Edge {
		var possible []string
		if n.sched != nil {
			possible = n.sched.Branches()
		}
		var edges edgeList
		n.branches, edges = c.namedBranches(d, n, EdgeBranch, "schedule", RuleSchedule, possible, func(b *BranchDecl) bool {
			if n.sched == nil || slices.Contains(possible, b.Name.Value) {
				return false
			}
			e := c.errorf(b.Name.Range, RuleSchedule, "schedule %q never takes the branch %q; it takes %s", d.ID.Value, b.Name.Value, strings.Join(possible, ", "))
			e.Hint = "name a branch of its weekly hours, or closed or holiday"
			return true
		})
		return edges
	},
	pass: func(_ *Flow, n *Node, in Input, _ *Step) *Node {
		t := in.Time
		if t.IsZero() {
			t = time.Now()
		}
		if to, ok := n.branches[n.sched.Branch(t)]; ok {
			return to
		}
		return n.then
	},
	leave: leaveToFallback,
}

// buildSchedule compiles a schedule node's hours with package schedule,
// reporting its problems at the values they are about.
func buildSchedule(c *compiler, d *NodeDecl, n *Node) {
	sd := d.Schedule
	if sd == nil {
		return // not a mapping, reported by Parse
	}
	refs := []Range{sd.Range}
	field := func(s *Scalar) schedule.Field {
		if s == nil {
			return schedule.Field{}
		}
		refs = append(refs, s.Range)
		return schedule.Field{Value: s.Value, Ref: len(refs) - 1}
	}
	spec := schedule.Spec{Ref: 0, Zone: field(sd.Zone), Holidays: field(sd.Holidays)}
	for _, w := range sd.Weekly {
		spec.Weekly = append(spec.Weekly, schedule.Weekly{Branch: field(w[0]), Days: field(w[1]), Hours: field(w[2])})
	}
	for _, cl := range sd.Closed {
		spec.Closed = append(spec.Closed, schedule.Closure{Date: field(cl[0]), Name: field(cl[1])})
	}
	for _, sp := range sd.Special {
		spec.Special = append(spec.Special, schedule.Special{Date: field(sp[0]), Branch: field(sp[1]), Hours: field(sp[2])})
	}
	sched, problems := schedule.Compile(spec)
	for _, p := range problems {
		rule := RuleSchedule
		if p.Warning {
			rule = RuleScheduleOverlap
		}
		e := c.errorf(refs[p.Ref], rule, "%s", p.Message)
		e.Hint = p.Hint
		if p.Warning {
			e.Severity = SeverityWarning
		}
	}
	n.sched = sched
}
