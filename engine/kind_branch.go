package engine

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/ivrctl/ivrctl/engine/internal/yamlwalk"
)

// RuleBranch reports a branch node that cannot work: a value no node
// sets, a case with no test or no node, a number or pattern that does not
// parse.
const RuleBranch = "branch"

// branchKind sends the caller on at once by a value of the call: the first
// case whose test holds (equals a text, above or below a number, matches
// a pattern) takes them to its node; then catches the rest, and a value
// not set yet.
var branchKind = kindSpec{
	passes: true,
	keys:   []string{"branch", "cases", "then", "lint"},
	build:  buildBranch,
	link: func(c *compiler, d *NodeDecl, n *Node) []Edge {
		var edges edgeList
		for i, cd := range d.Cases {
			if cd.To == nil {
				c.errorf(cd.Range, RuleBranch, "case %d of branch %q has no node to go to: give to: NODE", i+1, d.ID.Value)
				continue
			}
			if i < len(n.cases) {
				n.cases[i].to = c.ref(cd.To, RuleRef, fmt.Sprintf("for case %d of branch %q", i+1, d.ID.Value))
				edges.add(EdgeCase, n.cases[i].label, n.cases[i].to)
			}
		}
		if d.Then == nil {
			c.errorf(d.ID.Range, RuleMissingKey, "branch node %q is missing required key %q: where the caller goes when no case holds", d.ID.Value, "then")
		} else {
			n.then = c.ref(d.Then, RuleRef, fmt.Sprintf("as then of branch %q", d.ID.Value))
			edges.add(EdgeThen, "", n.then)
		}
		return edges
	},
	pass: func(f *Flow, n *Node, in Input, s *Step) *Node {
		v, ok := f.lookup(n.branchOn, &s.State, &in)
		if ok {
			for _, bc := range n.cases {
				if bc.to != nil && bc.test(v) {
					return bc.to
				}
			}
		}
		return n.then
	},
	leave: leaveToFallback,
}

// branchCase is one compiled case of a branch node.
type branchCase struct {
	test  func(string) bool
	label string // as its edge shows it: "= shipped", "> 100", "~ ^9"
	to    *Node
}

func buildBranch(c *compiler, d *NodeDecl, n *Node) {
	if on := d.BranchOn; on != nil {
		if !c.runtime[on.Value] {
			e := c.errorf(on.Range, RuleBranch, "branch %q looks at %q, which no node sets and no call has", d.ID.Value, on.Value)
			e.Hint = yamlwalk.Suggest(on.Value, c.runtimeList())
		}
		n.branchOn = on.Value
	}
	for i, cd := range d.Cases {
		bc := branchCase{test: func(string) bool { return false }}
		if cd.Op == nil || cd.Value == nil {
			c.errorf(cd.Range, RuleBranch, "case %d of branch %q tests nothing: give one of equals, above, below or matches", i+1, d.ID.Value)
			n.cases = append(n.cases, bc)
			continue
		}
		want := c.expand(cd.Value)
		switch cd.Op.Value {
		case "equals":
			bc.test, bc.label = func(v string) bool { return v == want }, "= "+want
		case "above", "below":
			x, err := strconv.ParseFloat(want, 64)
			if err != nil {
				c.errorf(cd.Value.Range, RuleBranch, "%s takes a number, got %q", cd.Op.Value, want)
				break
			}
			above := cd.Op.Value == "above"
			bc.test = func(v string) bool {
				y, err := strconv.ParseFloat(v, 64)
				return err == nil && (above && y > x || !above && y < x)
			}
			bc.label = map[bool]string{true: "> ", false: "< "}[above] + want
		case "matches":
			re, err := regexp.Compile(want)
			if err != nil {
				c.errorf(cd.Value.Range, RuleBranch, "pattern %q does not compile: %v", want, err)
				break
			}
			bc.test, bc.label = re.MatchString, "~ "+want
		}
		n.cases = append(n.cases, bc)
	}
}

// lookup returns the value name has in a call, and whether it is set.
func (f *Flow) lookup(name string, st *State, in *Input) (string, bool) {
	switch name {
	case VarCaller:
		return in.From, in.From != ""
	case VarDialled:
		return in.To, in.To != ""
	case VarLang:
		if l := f.langIndex(st.Lang); l > 0 {
			return f.langs[l], true
		}
		return f.langs[0], f.langs[0] != ""
	case VarToday, VarNow:
		t := in.Time
		if t.IsZero() {
			t = time.Now()
		}
		t = t.In(f.zone)
		if name == VarToday {
			return t.Format("20060102"), true
		}
		return t.Format("15:04"), true
	}
	for _, v := range st.Vars {
		if v.Name == name {
			return v.Value, true
		}
	}
	return "", false
}
