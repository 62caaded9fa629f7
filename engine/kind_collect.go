package engine

import (
	"fmt"
	"regexp"
	"time"

	"github.com/ivrctl/ivrctl/engine/callstate"
)

// RuleCollect reports a collect node that cannot work: no value to save
// into, an unknown check, a pattern that does not compile.
const RuleCollect = "collect"

// OutcomeCollected: a collect node saved what the caller typed.
const OutcomeCollected Outcome = "collected"

// DefaultCollectMaxDigits is how many digits a collect node takes when it
// sets no max_digits.
const DefaultCollectMaxDigits = 16

// collectKind asks for a number (an order number, a date of birth, a PIN)
// and saves what the caller types as a value of the call, which texts then
// say as {{name}} and later nodes read. What is typed must pass the node's
// check; silence and input that fails are counted against the node's
// budgets as a menu's are. A value marked sensitive travels in the call
// state only encrypted, and is never logged.
var collectKind = kindSpec{
	keys: []string{"collect", "into", "check", "pattern", "voice", "speed", "capture", "reprompt",
		"no_input", "invalid", "on_invalid", "on_no_input", "sensitive", "then", "lint"},
	build: buildCollect,
	link: func(c *compiler, d *NodeDecl, n *Node) []Edge {
		var edges edgeList
		id := d.ID.Value
		if d.Then == nil {
			c.errorf(d.ID.Range, RuleMissingKey, "collect node %q is missing required key %q: the node to go to once the number is typed", id, "then")
		} else {
			n.then = c.ref(d.Then, RuleRef, fmt.Sprintf("as then of collect %q", id))
		}
		edges.add(EdgeThen, "", n.then)
		return c.linkGiveUps(d, n, edges)
	},
	pass:  answers,
	leave: leaveCollect,
}

// collect is what a compiled collect node holds beyond its answer.
type collect struct {
	into      string
	sensitive bool
	check     func(string) bool
}

func buildCollect(c *compiler, d *NodeDecl, n *Node) {
	m := &menu{hotkeys: map[string]*hotkey{}, engine: true}
	n.menu = m
	col := &collect{into: "", check: func(string) bool { return true }}
	n.collect = col
	if d.Into == nil {
		c.errorf(d.ID.Range, RuleMissingKey, "collect node %q is missing required key %q: the name the number is saved as", d.ID.Value, "into")
	} else if !valueName(d.Into.Value) {
		c.errorf(d.Into.Range, RuleCollect, "into %q is not a value name: use 1 to %d letters, digits and _", d.Into.Value, callstate.MaxVarNameLen)
	} else {
		col.into = d.Into.Value
	}
	n.sensitive = c.sensitive(d)
	col.sensitive = n.sensitive
	s := c.overlay(c.defaults, d.Voice, d.Speed, d.Capture)
	capt := s.capture
	if capt.maxDigits == 0 {
		capt.maxDigits = DefaultCollectMaxDigits
	}
	if capt.maxDigits > callstate.MaxValueLen {
		capt.maxDigits = callstate.MaxValueLen
	}
	if capt.completeOnHash == nil {
		// The caller ends a number with #, as phone lines ask.
		capt.completeOnHash = new(true)
	}
	c.refuseTries(d)
	capt.tries = 1 // the engine counts
	sc := sayAndCaptureOf(s, capt)
	min, max := capt.minDigits, capt.maxDigits
	checks := []func(string) bool{func(v string) bool { return len(v) >= min && len(v) <= max && digitsOnly(v) }}
	if k := d.Check; k != nil {
		switch k.Value {
		case "luhn":
			checks = append(checks, luhn)
		case "date":
			checks = append(checks, isDate)
		default:
			c.errorf(k.Range, RuleCollect, "unknown check %q: the checks are luhn (a card number) and date (YYYYMMDD or MMDDYYYY)", k.Value)
		}
	}
	if p := d.Pattern; p != nil {
		re, err := regexp.Compile(p.Value)
		if err != nil {
			c.errorf(p.Range, RuleCollect, "pattern %q does not compile: %v", p.Value, err)
		} else {
			checks = append(checks, re.MatchString)
		}
	}
	col.check = func(v string) bool {
		for _, ok := range checks {
			if !ok(v) {
				return false
			}
		}
		return true
	}
	c.asks(d, n, sc, s)
}

// leaveCollect saves what the caller typed and goes on, or counts silence
// and input that fails the check against the node's budgets.
func leaveCollect(f *Flow, n *Node, st State, in Input, s *Step) {
	d := in.Digits
	switch {
	case d == "":
		f.retry(n, st, in, s, true)
	case !n.collect.check(d):
		f.retry(n, st, in, s, false)
	default:
		s.Outcome = OutcomeCollected
		s.State.Vars = setValue(st.Vars, callstate.Var{Name: n.collect.into, Value: d, Sensitive: n.collect.sensitive})
		f.enter(s, n.then, in)
	}
}

// setValue returns vars with v set, replacing a value of the same name. It
// never writes into vars' array, which the state the step was given may
// share. Past callstate.MaxVars the oldest value is dropped.
func setValue(vars []callstate.Var, v callstate.Var) []callstate.Var {
	out := make([]callstate.Var, 0, len(vars)+1)
	for _, old := range vars {
		if old.Name != v.Name {
			out = append(out, old)
		}
	}
	if len(out) >= callstate.MaxVars {
		out = out[1:]
	}
	return append(out, v)
}

// digitsOnly reports whether v is made of 0-9 only.
func digitsOnly(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

// luhn reports whether v passes the Luhn check of card numbers.
func luhn(v string) bool {
	if len(v) < 2 || !digitsOnly(v) {
		return false
	}
	sum := 0
	for i := range len(v) {
		d := int(v[len(v)-1-i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// isDate reports whether v is a real date, YYYYMMDD or MMDDYYYY.
func isDate(v string) bool {
	if len(v) != 8 || !digitsOnly(v) {
		return false
	}
	for _, layout := range []string{"20060102", "01022006"} {
		if t, err := time.Parse(layout, v); err == nil && t.Year() >= 1900 {
			return true
		}
	}
	return false
}
