package engine

import (
	"fmt"
	"slices"

	"github.com/ivrctl/ivrctl/engine/internal/yamlwalk"
)

// Rule IDs of the checks of lint mappings, where a flow file silences
// warnings: lint: {ignore: [RULE...]} at the top of the file silences them
// in all of it, and in a node, for that node.
const (
	// RuleIgnore reports an ignore entry that names no rule, or a rule
	// whose problems are errors: an error stops the flow from loading, so
	// it cannot be silenced.
	RuleIgnore = "ignore"
	// RuleUnusedIgnore reports an ignore entry that silenced nothing, so
	// that entries left over from a fixed warning do not pile up.
	RuleUnusedIgnore = "unused-ignore"
)

// ignoreScope is what one lint mapping silences: the rules named in it,
// in the part of the file it covers.
type ignoreScope struct {
	node    string // "" for the whole file
	r       Range  // the node's range; zero for the whole file
	entries []*ignoreEntry
}

type ignoreEntry struct {
	name *Scalar
	used bool
}

// applyIgnores checks the flow's lint mappings and drops the warnings
// they silence, each by the innermost mapping that names its rule. When
// every check ran (the flow has no errors), an entry that silenced
// nothing is reported.
func (c *compiler) applyIgnores() {
	var file *ignoreScope
	if c.f.Lint != nil {
		file = &ignoreScope{entries: c.ignoreEntries(c.f.Lint)}
	}
	var nodes []*ignoreScope // in file order, so by position
	for _, d := range c.f.Nodes {
		if d.Lint != nil {
			nodes = append(nodes, &ignoreScope{node: d.ID.Value, r: d.Range, entries: c.ignoreEntries(d.Lint)})
		}
	}
	if file == nil && nodes == nil {
		return
	}
	kept := c.diags[:0]
	for _, d := range c.diags {
		if d.Severity == SeverityWarning && (scopeAt(nodes, d.Pos).silences(d) || file.silences(d)) {
			continue
		}
		kept = append(kept, d)
	}
	c.diags = kept
	if c.parseErrs || c.diags.HasErrors() {
		return // the checks that warn did not run: an entry may be needed yet
	}
	for _, s := range append(nodes, file) {
		if s == nil {
			continue
		}
		for _, e := range s.entries {
			if e.used {
				continue
			}
			where := "in this file"
			if s.node != "" {
				where = fmt.Sprintf("in node %q", s.node)
			}
			d := c.warnf(e.name.Range, RuleUnusedIgnore, "ignore %s silences nothing %s", e.name.Value, where)
			d.Hint = "remove it"
		}
	}
}

// ignoreEntries checks the rule names of a lint mapping and returns those
// that can silence something.
func (c *compiler) ignoreEntries(l *Lint) []*ignoreEntry {
	var entries []*ignoreEntry
	for _, name := range l.Ignore {
		rule, ok := LookupRule(name.Value)
		switch {
		case !ok:
			d := c.errorf(name.Range, RuleIgnore, "unknown rule %q in ignore", name.Value)
			d.Hint = yamlwalk.Suggest(name.Value, ruleNames())
		case rule.Severity != SeverityWarning:
			c.errorf(name.Range, RuleIgnore, "rule %s reports errors, which stop the flow from loading; only warnings can be silenced", name.Value)
		default:
			entries = append(entries, &ignoreEntry{name: name})
		}
	}
	return entries
}

// silences reports whether s names d's rule, and marks the entry used.
func (s *ignoreScope) silences(d *Diagnostic) bool {
	if s == nil {
		return false
	}
	for _, e := range s.entries {
		if e.name.Value == d.Rule {
			e.used = true
			return true
		}
	}
	return false
}

// scopeAt returns the node scope whose range holds p, or nil. scopes are
// in file order and do not overlap, so a binary search finds it.
func scopeAt(scopes []*ignoreScope, p Pos) *ignoreScope {
	i, found := slices.BinarySearchFunc(scopes, p, func(s *ignoreScope, p Pos) int { return comparePos(s.r.Pos, p) })
	if found {
		return scopes[i]
	}
	if i == 0 {
		return nil
	}
	if s := scopes[i-1]; comparePos(p, s.r.End) < 0 {
		return s
	}
	return nil
}

// comparePos orders positions in one file by line, then column.
func comparePos(a, b Pos) int {
	if a.Line != b.Line {
		return a.Line - b.Line
	}
	return a.Col - b.Col
}
