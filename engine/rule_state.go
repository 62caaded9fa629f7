package engine

import (
	"maps"
	"slices"

	"fmt"
	"github.com/ivrctl/ivrctl/callflows"
	"strconv"
	"strings"

	"github.com/ivrctl/ivrctl/engine/callstate"
)

// RuleStateSize reports a flow whose call state could make a
// clientActionId longer than its budget (state_budget, 256 characters by
// default). 8x8 documents no limit; the budget keeps the state well inside
// what any proxy or log on the way keeps whole.
const RuleStateSize = "state-size"

// checkStateSize works out the longest clientActionId the flow can
// produce and reports it when it is over the budget, naming what takes the
// room.
func (c *compiler) checkStateSize() {
	budget, r := callstate.DefaultBudget, c.f.Range
	if s := c.f.StateBudget; s != nil {
		r = s.Range
		n, err := strconv.Atoi(s.Value)
		if err != nil || n < 16 || n > callstate.MaxLen {
			c.errorf(s.Range, RuleValue, "state_budget must be a whole number of characters from 16 to %d, got %q", callstate.MaxLen, s.Value)
			return
		}
		budget = n
	}
	l := c.stateLimits()
	worst := callstate.WorstCase(l)
	if worst <= budget {
		return
	}
	// What each part adds: the worst case without it.
	var parts []string
	without := func(what string, f func(*callstate.Limits)) {
		m := l
		f(&m)
		if d := worst - callstate.WorstCase(m); d > 0 {
			parts = append(parts, fmt.Sprintf("%s takes %d", what, d))
		}
	}
	without(fmt.Sprintf("the way back (%d menus of up to %d characters)", l.Back, l.BackNodeLen), func(m *callstate.Limits) { m.Back = 0 })
	without(fmt.Sprintf("the language (up to %d characters)", l.LangLen), func(m *callstate.Limits) { m.LangLen = 0 })
	without(fmt.Sprintf("the node ID (up to %d characters)", l.NodeLen), func(m *callstate.Limits) { m.NodeLen = 1 })
	without(fmt.Sprintf("the %d values a call collects", len(l.Vars)), func(m *callstate.Limits) { m.Vars = nil })
	d := c.errorf(r, RuleStateSize, "a call's state could take %d characters of its clientActionId, over the budget of %d; %s", worst, budget, strings.Join(parts, ", "))
	d.Hint = "shorten the IDs of menus, or raise state_budget (8x8 documents no limit)"
}

// stateLimits returns the largest state the flow can carry.
func (c *compiler) stateLimits() callstate.Limits {
	var l callstate.Limits
	menus := 0
	for _, n := range c.flow.order {
		l.NodeLen = max(l.NodeLen, len(n.id))
		if n.menu == nil {
			continue
		}
		menus++
		l.Stateful = l.Stateful || n.menu.engine
		l.BackNodeLen = max(l.BackNodeLen, len(n.id))
	}
	vars := map[string]callstate.VarLimit{}
	grow := func(name string, n int, sensitive bool) {
		v := vars[name]
		v.NameLen, v.ValueLen, v.Sensitive = len(name), max(v.ValueLen, n), v.Sensitive || sensitive
		vars[name] = v
	}
	for _, n := range c.flow.order {
		if col := n.collect; col != nil && col.into != "" {
			sc, _ := n.callflow.Last().(*callflows.SayAndCapture)
			if sc != nil {
				grow(col.into, sc.MaxDigits, col.sensitive)
			}
		}
		for _, v := range n.sets {
			grow(v.Name, len(v.Value), false)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(vars)) {
		l.Vars = append(l.Vars, vars[name])
	}
	if c.flow.back {
		l.Back = min(callstate.MaxBack, max(menus-1, 0))
	}
	if len(c.flow.langs) > 1 {
		for _, t := range c.flow.langs {
			l.LangLen = max(l.LangLen, len(t))
		}
	}
	return l
}
