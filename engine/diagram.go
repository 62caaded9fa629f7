package engine

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ivrctl/ivrctl/callflows"
)

// excerptRunes is how many characters of a prompt, text or number a
// diagram shows at most, ellipsis included.
const excerptRunes = 40

// diagram is a flow as boxes and arrows, shared by Mermaid and DOT: the
// nodes in file order (the built-in fallback last, when something leads to
// it) and, node by node, its edges in a fixed order.
type diagram struct {
	start *Node
	nodes []*Node
	edges []diagramEdge
}

// diagramEdge is one arrow. Dashed arrows are where a menu goes on a wrong
// key or none.
type diagramEdge struct {
	from, to *Node
	label    string
	dashed   bool
}

func newDiagram(f *Flow) *diagram {
	d := &diagram{start: f.start, nodes: slices.Clone(f.order)}
	usesFallback := f.start != nil && f.start.id == ""
	add := func(from, to *Node, label string, dashed bool) {
		if to == nil {
			return
		}
		if to.id == "" {
			usesFallback = true
		}
		d.edges = append(d.edges, diagramEdge{from: from, to: to, label: label, dashed: dashed})
	}
	for _, n := range f.order {
		switch n.kind {
		case KindMenu:
			keys := slices.Clone(n.keyOrder)
			slices.SortFunc(keys, compareKeys)
			for _, k := range keys {
				add(n, n.keys[k], k, false)
			}
			if n.onInvalid == n.onNoInput {
				add(n, n.onInvalid, "invalid / no input", true)
			} else {
				add(n, n.onInvalid, "invalid", true)
				add(n, n.onNoInput, "no input", true)
			}
		case KindDial:
			add(n, n.then, "then", false)
		}
	}
	if usesFallback && f.fallback != nil && f.fallback.id == "" {
		d.nodes = append(d.nodes, f.fallback)
	}
	return d
}

// compareKeys orders menu keys as a keypad reads them: shorter keys first,
// then digit by digit with 0-9 before * before #.
func compareKeys(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	rank := func(c byte) int {
		switch c {
		case '*':
			return 256
		case '#':
			return 257
		}
		return int(c)
	}
	for i := range len(a) {
		if ra, rb := rank(a[i]), rank(b[i]); ra != rb {
			return ra - rb
		}
	}
	return 0
}

// diagramTitle is the first line of a node's label: its ID, or
// "(fallback)" for the built-in fallback.
func diagramTitle(n *Node) string {
	if n.id == "" {
		return "(fallback)"
	}
	return n.id
}

// diagramDetail is the second line of a node's label: an excerpt of what a
// menu or say node speaks, or the number a dial node rings.
func diagramDetail(n *Node) string {
	if len(n.callflow) == 0 {
		return ""
	}
	switch a := n.callflow[0].(type) {
	case *callflows.SayAndCapture:
		return excerpt(a.PromptMessage)
	case *callflows.Say:
		return excerpt(a.Text)
	case *callflows.MakeCall:
		return "dial " + excerpt(a.Destination)
	}
	return ""
}

// excerpt returns s on one line, its runs of white space made single
// spaces, cut to excerptRunes characters with an ellipsis on a rune
// boundary.
func excerpt(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= excerptRunes {
		return s
	}
	runes := []rune(s)[:excerptRunes-1]
	return strings.TrimRight(string(runes), " ") + "…"
}

// Mermaid returns the flow as a Mermaid flowchart, for a README or any
// Markdown that renders Mermaid. Menus are rectangles with their ID and the
// start of their prompt, say nodes stadiums with the start of their text,
// dial nodes hexagons with the number they ring. Solid arrows are keys
// (sorted as on a keypad) and then edges; dashed arrows are where a menu
// sends a wrong key or no key. A circle marks the start. The output is the
// same for the same flow, so it can be checked in and compared.
func (f *Flow) Mermaid() string {
	d := newDiagram(f)
	ids := mermaidIDs(d)
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	if d.start != nil {
		fmt.Fprintf(&b, "    %s((\"start\"))\n", ids[nil])
	}
	for _, n := range d.nodes {
		label := mermaidEscape(diagramTitle(n))
		if detail := diagramDetail(n); detail != "" {
			label += "<br/>" + mermaidEscape(detail)
		}
		open, closing := "[", "]"
		switch {
		case n.kind == KindSay:
			open, closing = "([", "])"
		case n.kind == KindDial:
			open, closing = "{{", "}}"
		}
		fmt.Fprintf(&b, "    %s%s\"%s\"%s\n", ids[n], open, label, closing)
	}
	if d.start != nil {
		fmt.Fprintf(&b, "    %s --> %s\n", ids[nil], ids[d.start])
	}
	for _, e := range d.edges {
		arrow := "-->"
		if e.dashed {
			arrow = "-.->"
		}
		fmt.Fprintf(&b, "    %s %s|\"%s\"| %s\n", ids[e.from], arrow, mermaidEscape(e.label), ids[e.to])
	}
	return b.String()
}

// mermaidSafeID matches the node IDs Mermaid takes as they are; a node ID
// that starts with a hyphen or holds one is renamed.
var mermaidSafeID = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// mermaidKeywords are words Mermaid's flowchart grammar reads as keywords
// wherever they stand, so a node cannot be called that.
var mermaidKeywords = []string{"end", "graph", "flowchart", "subgraph", "style", "class", "classdef", "click", "linkstyle", "direction", "default", "call", "href", "callback", "interpolate", "accTitle", "accDescr"}

// mermaidIDs gives every node of d, and the start marker (under the key
// nil), a Mermaid identifier: the node's own ID where Mermaid takes it,
// else a made-up one that no other node has.
func mermaidIDs(d *diagram) map[*Node]string {
	ids := make(map[*Node]string, len(d.nodes)+1)
	taken := make(map[string]bool, len(d.nodes)+1)
	var rename []*Node
	for _, n := range d.nodes {
		if n.id != "" && mermaidSafeID.MatchString(n.id) && !slices.ContainsFunc(mermaidKeywords, func(k string) bool { return strings.EqualFold(k, n.id) }) {
			ids[n] = n.id
			taken[n.id] = true
		} else {
			rename = append(rename, n)
		}
	}
	unique := func(base string) string {
		for taken[base] {
			base += "_"
		}
		taken[base] = true
		return base
	}
	ids[nil] = unique("_start")
	for _, n := range rename {
		if n.id == "" {
			ids[n] = unique("_fallback")
		} else {
			ids[n] = unique("n_" + strings.ReplaceAll(n.id, "-", "_"))
		}
	}
	return ids
}

// mermaidEscape makes s safe inside a double-quoted Mermaid label, with
// Mermaid's #name; entity codes.
var mermaidEscape = strings.NewReplacer(
	`#`, "#35;",
	`"`, "#quot;",
	`<`, "#lt;",
	`>`, "#gt;",
	`&`, "#amp;",
	"\n", " ",
	"\r", " ",
).Replace

// DOT returns the flow as a Graphviz digraph (render it with dot -Tsvg).
// It draws what Mermaid draws: menus as boxes, say nodes as rounded boxes,
// dial nodes as hexagons, key and then edges solid, wrong-key and no-key
// edges dashed, and a circle at the start. The output is deterministic.
func (f *Flow) DOT() string {
	d := newDiagram(f)
	id := func(n *Node) string {
		if n.id == "" {
			return dotQuote("(fallback)")
		}
		return dotQuote(n.id)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", dotQuote(f.name))
	b.WriteString("  node [fontname=\"Helvetica\", fontsize=10];\n")
	b.WriteString("  edge [fontname=\"Helvetica\", fontsize=10];\n")
	if d.start != nil {
		b.WriteString("  \"(start)\" [label=\"start\", shape=circle];\n")
	}
	for _, n := range d.nodes {
		label := dotEscape(diagramTitle(n))
		if detail := diagramDetail(n); detail != "" {
			label += `\n` + dotEscape(detail)
		}
		attrs := "shape=box"
		switch n.kind {
		case KindSay:
			attrs = "shape=box, style=rounded"
		case KindDial:
			attrs = "shape=hexagon"
		}
		fmt.Fprintf(&b, "  %s [%s, label=\"%s\"];\n", id(n), attrs, label)
	}
	if d.start != nil {
		fmt.Fprintf(&b, "  \"(start)\" -> %s;\n", id(d.start))
	}
	for _, e := range d.edges {
		style := ""
		if e.dashed {
			style = ", style=dashed"
		}
		fmt.Fprintf(&b, "  %s -> %s [label=%s%s];\n", id(e.from), id(e.to), dotQuote(e.label), style)
	}
	b.WriteString("}\n")
	return b.String()
}

// dotEscape makes s safe inside a double-quoted DOT string. Backslashes
// are doubled so that none starts one of Graphviz's label escapes.
var dotEscape = strings.NewReplacer(
	`\`, `\\`,
	`"`, `\"`,
	"\n", `\n`,
	"\r", "",
).Replace

// dotQuote returns s as a double-quoted DOT ID.
func dotQuote(s string) string { return `"` + dotEscape(s) + `"` }
