package engine

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/ivrctl/ivrctl/engine/internal/yamlwalk"
)

// Rule IDs of the checks on switches.
const (
	// RuleSwitch reports a switch that cannot work: a bad name or
	// default, a switch node that reads a switch the flow does not
	// declare, or one with no node for on or off.
	RuleSwitch = "switch"
	// RuleSwitchUnused reports a switch declared and read by no switch
	// node: flipping it would change nothing.
	RuleSwitchUnused = "switch-unused"
)

// switchName is what a switch may be called: it is a metric label, a
// file key and a URL path segment, so short and plain.
var switchName = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// ValidSwitchName reports whether name can name a switch: 1 to 32 of
// a-z, 0-9 and _.
func ValidSwitchName(name string) bool { return switchName.MatchString(name) }

// Switch is one switch a flow declares: a name an operator flips on or
// off without touching the flow, and the position it has until they do.
type Switch struct {
	Name    string
	Default bool
}

// Switches are positions of switches by name, true for on: what an
// operator set, over the flow's defaults.
type Switches map[string]bool

// Switches returns the switches the flow declares, in the file's order.
func (f *Flow) Switches() []Switch { return append([]Switch(nil), f.switches...) }

// SwitchOn returns the position of the flow's switch name: set's, or the
// flow's default when set does not say. A switch the flow does not
// declare is off.
func (f *Flow) SwitchOn(name string, set Switches) bool {
	if on, ok := set[name]; ok {
		return on
	}
	for _, s := range f.switches {
		if s.Name == name {
			return s.Default
		}
	}
	return false
}

// Switch returns the name of the switch a switch node reads; "" for a
// node of another kind.
func (n *Node) Switch() string {
	if n.sw == nil {
		return ""
	}
	return n.sw.name
}

// SwitchOn returns the position of a switch node's switch in set, or its
// default when set does not say: the branch, on or off, a caller takes.
func (n *Node) SwitchOn(set Switches) bool {
	if on, ok := set[n.sw.name]; ok {
		return on
	}
	return n.sw.def
}

// switchNode is a switch node's switch, its default and its two nodes.
type switchNode struct {
	name    string
	def     bool
	on, off *Node
}

// switchKind sends the caller on at once to the on or the off node, by
// the position of its switch in the webhook's Input, or the flow's
// default for it.
var switchKind = kindSpec{
	passes: true,
	keys:   []string{"switch", "on", "off", "lint"},
	build: func(c *compiler, d *NodeDecl, n *Node) {
		n.sw = &switchNode{}
		if d.Switch == nil {
			return // not a scalar, reported by Parse
		}
		n.sw.name = d.Switch.Value
		for _, s := range c.flow.switches {
			if s.Name == d.Switch.Value {
				n.sw.def = s.Default
				return
			}
		}
		var names []string
		for _, s := range c.flow.switches {
			names = append(names, s.Name)
		}
		e := c.errorf(d.Switch.Range, RuleSwitch, "switch node %q reads the switch %q, which the flow does not declare", d.ID.Value, d.Switch.Value)
		if e.Hint = yamlwalk.Suggest(d.Switch.Value, names); e.Hint == "" {
			e.Hint = fmt.Sprintf("declare it with its default at the top of the file: switches: {%s: off}", d.Switch.Value)
		}
	},
	link: func(c *compiler, d *NodeDecl, n *Node) []Edge {
		var edges edgeList
		for _, b := range d.Branches {
			t := c.ref(b.Target, RuleRef, fmt.Sprintf("for %s of switch node %q", b.Name.Value, d.ID.Value))
			if b.Name.Value == "on" {
				n.sw.on = t
			} else {
				n.sw.off = t
			}
		}
		// on before off, whatever the file's order, so that tools list
		// them alike.
		edges.add(EdgeSwitch, "on", n.sw.on)
		edges.add(EdgeSwitch, "off", n.sw.off)
		for _, b := range []string{"on", "off"} {
			if !declares(d, b) {
				c.errorf(d.ID.Range, RuleSwitch, "switch node %q has no node for %s; give both on and off", d.ID.Value, b)
			}
		}
		return edges
	},
	pass: func(_ *Flow, n *Node, in Input, _ *Step) *Node {
		if n.SwitchOn(in.Switches) {
			return n.sw.on
		}
		return n.sw.off
	},
	leave: leaveToFallback,
}

// declares reports whether d has a branch named name.
func declares(d *NodeDecl, name string) bool {
	for _, b := range d.Branches {
		if b.Name.Value == name {
			return true
		}
	}
	return false
}

// switches parses the top-level switches mapping: names and defaults.
func (p *parser) switches(f *File, n *yaml.Node) {
	p.mapping(n, "switches", nil, func(key *Scalar, v *yaml.Node) {
		if s := p.scalar(v, fmt.Sprintf("switch %q", key.Value)); s != nil {
			f.Switches = append(f.Switches, &SwitchDecl{Name: key, Default: s})
		}
	})
}

// SwitchDecl is one entry of the switches mapping: a switch and its
// default position, on or off.
type SwitchDecl struct {
	Name    *Scalar
	Default *Scalar
}

// SwitchLabel is the label of a switch node's edge for a position, and
// how the tools write a position: on or off.
func SwitchLabel(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// ParseSwitchPosition reads a switch position as the flow, the CLI and
// the admin endpoint write it: on or off (true and false too, which is
// what YAML 1.1 tools may turn them into).
func ParseSwitchPosition(s string) (on, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "on", "true":
		return true, true
	case "off", "false":
		return false, true
	}
	return false, false
}

// declareSwitches checks the declared switches, records them in the flow
// before nodes are built, and warns about one no switch node reads.
func (c *compiler) declareSwitches() {
	read := map[string]bool{}
	for _, d := range c.f.Nodes {
		if d.Kind == KindSwitch && d.Switch != nil {
			read[d.Switch.Value] = true
		}
	}
	seen := map[string]bool{}
	for _, s := range c.f.Switches {
		name := s.Name.Value
		if !ValidSwitchName(name) {
			c.errorf(s.Name.Range, RuleSwitch, "invalid switch name %q: use 1 to 32 of a-z, 0-9 and _", name)
			continue
		}
		on, ok := ParseSwitchPosition(s.Default.Value)
		if !ok {
			e := c.errorf(s.Default.Range, RuleSwitch, "switch %q has the default %q; a switch is on or off", name, s.Default.Value)
			e.Hint = "write " + name + ": off (or on) for the position it has until an operator flips it"
		}
		if seen[name] {
			continue // a duplicate key, which Parse reports
		}
		seen[name] = true
		c.flow.switches = append(c.flow.switches, Switch{Name: name, Default: on})
		if !read[name] {
			c.warnf(s.Name.Range, RuleSwitchUnused, "switch %q is declared but no switch node reads it, so flipping it changes nothing", name)
		}
	}
}
