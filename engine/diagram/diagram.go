// Package diagram draws a compiled flow as boxes and arrows: a Mermaid
// flowchart for Markdown, or a Graphviz digraph. It reads the flow through
// its public API, and what connects to what through the nodes' edges
// (engine.Node.Edges): a node's kind only chooses the shape of its box.
package diagram

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine"
)

// excerptRunes is how many characters of a prompt, text or number a
// diagram shows at most, ellipsis included.
const excerptRunes = 40

// diagram is a flow as boxes and arrows, shared by Mermaid and DOT: the
// nodes in file order (the built-in fallback last, when something leads to
// it) and, node by node, its arrows in a fixed order; then the hotkeys
// every menu inherits, drawn once as a legend rather than as arrows from
// every menu.
type diagram struct {
	start  *engine.Node
	nodes  []*engine.Node
	edges  []arrow
	legend []hotkey
}

// arrow is one edge as drawn. Dashed arrows are where a menu goes on a
// wrong key or none, or by one of its own hotkeys. An arrow with a nil
// from starts at the legend.
type arrow struct {
	from, to *engine.Node
	label    string
	dashed   bool
}

// hotkey is an inherited hotkey as the legend shows it.
type hotkey struct {
	key, does string
	// to is where a hotkey that goes to a node goes, nil for the others.
	to *engine.Node
	// except are the menus that do not have it (switched off or
	// overridden there).
	except []string
}

func newDiagram(f *engine.Flow) *diagram {
	d := &diagram{start: f.Start(), nodes: f.Nodes()}
	usesFallback := d.start != nil && d.start.ID() == ""
	for _, n := range d.nodes {
		for _, a := range arrows(n) {
			usesFallback = usesFallback || a.to.ID() == ""
			d.edges = append(d.edges, a)
		}
	}
	d.legend = legend(d.nodes)
	for _, h := range d.legend {
		if h.to != nil {
			usesFallback = usesFallback || h.to.ID() == ""
			d.edges = append(d.edges, arrow{to: h.to, label: h.key, dashed: true})
		}
	}
	if fb := f.Fallback(); usesFallback && fb != nil && fb.ID() == "" {
		d.nodes = append(d.nodes, fb)
	}
	return d
}

// legend returns the hotkeys the menus inherit, in the order the menus
// first have them, with the menus that switch each off or override it.
func legend(nodes []*engine.Node) []hotkey {
	var out []hotkey
	seen := map[string]bool{}
	for _, n := range nodes {
		for _, e := range n.Edges() {
			if e.Kind == engine.EdgeHotkey && e.Inherited && !seen[e.Label] {
				seen[e.Label] = true
				h := hotkey{key: e.Label}
				h.does, h.to = hotkeyDoes(n, e)
				out = append(out, h)
			}
		}
	}
	for i, h := range out {
		for _, n := range nodes {
			_, has := n.Hotkey(h.key)
			own := slices.ContainsFunc(n.Edges(), func(e engine.Edge) bool {
				return e.Kind == engine.EdgeHotkey && e.Label == h.key && !e.Inherited
			})
			if n.Kind() == engine.KindMenu && (!has || own) {
				out[i].except = append(out[i].except, n.ID())
			}
		}
	}
	return out
}

// hotkeyDoes says what hotkey edge e of menu n does, and where it goes
// when that is one node wherever it is pressed.
func hotkeyDoes(n *engine.Node, e engine.Edge) (string, *engine.Node) {
	switch action, _ := n.Hotkey(e.Label); action {
	case "repeat":
		return "repeat", nil
	case "back":
		return "back", nil
	case "main":
		return "main menu", e.To
	}
	return "to " + diagramTitle(e.To), e.To
}

// legendLines are the lines of the legend's box.
func (d *diagram) legendLines() []string {
	lines := []string{"hotkeys of every menu"}
	for _, h := range d.legend {
		l := h.key + ": " + h.does
		if len(h.except) > 0 {
			l += " (not at " + excerpt(strings.Join(h.except, ", ")) + ")"
		}
		lines = append(lines, l)
	}
	return lines
}

// edgeRank orders a node's arrows: keys, its own hotkeys, a wrong key,
// silence, a schedule's branches, a bridged call's outcomes, then, a
// message that continues.
var edgeRank = map[engine.EdgeKind]int{
	engine.EdgeKey: 1, engine.EdgeHotkey: 2, engine.EdgeInvalid: 3, engine.EdgeNoInput: 4,
	engine.EdgeBranch: 5, engine.EdgeSwitch: 5, engine.EdgeOutcome: 6, engine.EdgeThen: 7, engine.EdgeContinue: 8,
}

// arrows returns the edges of n as drawn: keys sorted as on a keypad,
// then the others in the order of edgeRank, where a wrong key and silence
// that lead to the same node are one arrow. Inherited hotkeys are left to
// the legend.
func arrows(n *engine.Node) []arrow {
	edges := slices.DeleteFunc(n.Edges(), func(e engine.Edge) bool { return e.Kind == engine.EdgeHotkey && e.Inherited })
	slices.SortStableFunc(edges, func(a, b engine.Edge) int {
		if a.Kind == b.Kind && (a.Kind == engine.EdgeKey || a.Kind == engine.EdgeHotkey) {
			return compareKeys(a.Label, b.Label)
		}
		return cmp.Compare(edgeRank[a.Kind], edgeRank[b.Kind])
	})
	var out []arrow
	for i, e := range edges {
		a := arrow{from: n, to: e.To, label: e.Label}
		switch e.Kind {
		case engine.EdgeKey:
			if lang, ok := n.KeyLang(e.Label); ok {
				a.label += " (" + lang + ")"
			}
		case engine.EdgeInvalid:
			a.label, a.dashed = "invalid", true
			if i+1 < len(edges) && edges[i+1].Kind == engine.EdgeNoInput && edges[i+1].To == e.To {
				a.label = "invalid / no input"
			}
		case engine.EdgeNoInput:
			if i > 0 && edges[i-1].Kind == engine.EdgeInvalid && edges[i-1].To == e.To {
				continue // drawn with the wrong key's arrow
			}
			a.label, a.dashed = "no input", true
		case engine.EdgeHotkey:
			does, _ := hotkeyDoes(n, e)
			a.label, a.dashed = e.Label+" "+strings.TrimPrefix(does, "to "+diagramTitle(e.To)), true
		case engine.EdgeOutcome:
			a.label = strings.ReplaceAll(e.Label, "_", " ")
		case engine.EdgeThen:
			a.label = "then"
		}
		if a.label == "" {
			a.label = e.Kind.String()
		}
		a.label = strings.TrimSpace(a.label)
		out = append(out, a)
	}
	return out
}

// budgetNote is the note a menu's box carries about its budgets: how
// many times it asks again after silence and after a wrong key, and
// whether it asks again shorter; "" when it has none.
func budgetNote(n *engine.Node) string {
	var parts []string
	if r := n.NoInputRetries(); r.Count > 0 {
		parts = append(parts, fmt.Sprintf("silence ×%d", r.Count))
	}
	if r := n.InvalidRetries(); r.Count > 0 {
		parts = append(parts, fmt.Sprintf("wrong key ×%d", r.Count))
	}
	if n.Reprompt() != "" {
		parts = append(parts, "shorter re-prompt")
	}
	return strings.Join(parts, ", ")
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
func diagramTitle(n *engine.Node) string {
	if n.ID() == "" {
		return "(fallback)"
	}
	return n.ID()
}

// diagramDetail is the second line of a node's label: an excerpt of what a
// menu or say node speaks, in the flow's first language, marked "♪
// greeting.mp3 + ..." when it starts with a recording; the number a dial
// node rings; a schedule's zone.
func diagramDetail(n *engine.Node) string {
	if s := n.Schedule(); s != nil {
		return s.Location().String()
	}
	if name := n.Switch(); name != "" {
		return "switch " + name
	}
	var audio, words string
	for _, a := range n.Callflow() {
		switch a := a.(type) {
		case *callflows.MakeCall:
			return "dial " + excerpt(a.Destination)
		case *callflows.PlayFile:
			if audio == "" {
				audio = a.FileURL[strings.LastIndex(a.FileURL, "/")+1:]
			}
		// The words are the last spoken: a menu's prompt comes after
		// the recordings it plays.
		case *callflows.SayAndCapture:
			words = a.PromptMessage
		case *callflows.Say:
			words = a.Text
		}
	}
	switch {
	case audio == "":
		return excerpt(words)
	case words == "":
		return excerpt("♪ " + audio)
	}
	return excerpt("♪ " + audio + " + " + words)
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

// Mermaid returns f as a Mermaid flowchart, for a README or any
// Markdown that renders Mermaid. Menus are rectangles with their ID and the
// start of their prompt, say nodes stadiums with the start of their text,
// dial nodes hexagons with the number they ring, schedules rhombi with
// their zone; a menu with budgets has
// a third line ("silence ×2, wrong key ×1"). Solid arrows are keys (sorted
// as on a keypad), a dial's outcomes and then, and messages that
// continue, and a schedule's branches, labelled with their names; a key
// that sets the language shows it ("2 (es)"); dashed arrows are where a menu sends a wrong key or no key,
// and its own hotkeys. The hotkeys every menu inherits are one legend box,
// with a dashed arrow to where one goes. A circle marks the start. The output is the
// same for the same flow, so it can be checked in and compared.
func Mermaid(f *engine.Flow) string {
	d := newDiagram(f)
	ids, legendID := mermaidIDs(d)
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	if d.start != nil {
		fmt.Fprintf(&b, "    %s((\"start\"))\n", ids[nil])
	}
	for _, n := range d.nodes {
		label := mermaidEscape(diagramTitle(n))
		for _, l := range []string{diagramDetail(n), budgetNote(n)} {
			if l != "" {
				label += "<br/>" + mermaidEscape(l)
			}
		}
		open, closing := "[", "]"
		switch n.Kind() {
		case engine.KindSay:
			open, closing = "([", "])"
		case engine.KindDial:
			open, closing = "{{", "}}"
		case engine.KindSchedule, engine.KindSwitch:
			open, closing = "{", "}"
		}
		fmt.Fprintf(&b, "    %s%s\"%s\"%s\n", ids[n], open, label, closing)
	}
	if len(d.legend) > 0 {
		lines := d.legendLines()
		for i, l := range lines {
			lines[i] = mermaidEscape(l)
		}
		fmt.Fprintf(&b, "    %s>\"%s\"]\n", legendID, strings.Join(lines, "<br/>"))
	}
	if d.start != nil {
		fmt.Fprintf(&b, "    %s --> %s\n", ids[nil], ids[d.start])
	}
	for _, e := range d.edges {
		arrow := "-->"
		if e.dashed {
			arrow = "-.->"
		}
		from := ids[e.from]
		if e.from == nil {
			from = legendID
		}
		fmt.Fprintf(&b, "    %s %s|\"%s\"| %s\n", from, arrow, mermaidEscape(e.label), ids[e.to])
	}
	return b.String()
}

// mermaidSafeID matches the node IDs Mermaid takes as they are; a node ID
// that starts with a hyphen or holds one is renamed.
var mermaidSafeID = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// mermaidKeywords are words Mermaid's flowchart grammar reads as keywords
// wherever they stand, so a node cannot be called that.
var mermaidKeywords = []string{"end", "graph", "flowchart", "subgraph", "style", "class", "classdef", "click", "linkstyle", "direction", "default", "call", "href", "callback", "interpolate", "accTitle", "accDescr"}

// mermaidIDs gives every node of d, the start marker (under the key nil)
// and the legend a Mermaid identifier: the node's own ID where Mermaid
// takes it, else a made-up one that no other node has.
func mermaidIDs(d *diagram) (ids map[*engine.Node]string, legend string) {
	ids = make(map[*engine.Node]string, len(d.nodes)+1)
	taken := make(map[string]bool, len(d.nodes)+1)
	var rename []*engine.Node
	for _, n := range d.nodes {
		if id := n.ID(); id != "" && mermaidSafeID.MatchString(id) && !slices.ContainsFunc(mermaidKeywords, func(k string) bool { return strings.EqualFold(k, id) }) {
			ids[n] = id
			taken[id] = true
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
		if n.ID() == "" {
			ids[n] = unique("_fallback")
		} else {
			ids[n] = unique("n_" + strings.ReplaceAll(n.ID(), "-", "_"))
		}
	}
	return ids, unique("_hotkeys")
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

// DOT returns f as a Graphviz digraph (render it with dot -Tsvg).
// It draws what Mermaid draws: menus as boxes, say nodes as rounded boxes,
// dial nodes as hexagons, schedules as diamonds, key, branch, outcome,
// then and continue edges solid,
// wrong-key, no-key and a menu's own hotkey edges dashed, the inherited
// hotkeys as a note, and a circle at the start. The output is deterministic.
func DOT(f *engine.Flow) string {
	d := newDiagram(f)
	id := func(n *engine.Node) string { return dotQuote(diagramTitle(n)) }
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", dotQuote(f.Name()))
	b.WriteString("  node [fontname=\"Helvetica\", fontsize=10];\n")
	b.WriteString("  edge [fontname=\"Helvetica\", fontsize=10];\n")
	if d.start != nil {
		b.WriteString("  \"(start)\" [label=\"start\", shape=circle];\n")
	}
	for _, n := range d.nodes {
		label := dotEscape(diagramTitle(n))
		for _, l := range []string{diagramDetail(n), budgetNote(n)} {
			if l != "" {
				label += `\n` + dotEscape(l)
			}
		}
		attrs := "shape=box"
		switch n.Kind() {
		case engine.KindSay:
			attrs = "shape=box, style=rounded"
		case engine.KindDial:
			attrs = "shape=hexagon"
		case engine.KindSchedule, engine.KindSwitch:
			attrs = "shape=diamond"
		}
		fmt.Fprintf(&b, "  %s [%s, label=\"%s\"];\n", id(n), attrs, label)
	}
	if len(d.legend) > 0 {
		lines := d.legendLines()
		for i, l := range lines {
			lines[i] = dotEscape(l)
		}
		// \l ends a line aligned left, as a note reads.
		fmt.Fprintf(&b, "  \"(hotkeys)\" [shape=note, label=\"%s\\l\"];\n", strings.Join(lines, `\l`))
	}
	if d.start != nil {
		fmt.Fprintf(&b, "  \"(start)\" -> %s;\n", id(d.start))
	}
	for _, e := range d.edges {
		style := ""
		if e.dashed {
			style = ", style=dashed"
		}
		from := `"(hotkeys)"`
		if e.from != nil {
			from = id(e.from)
		}
		fmt.Fprintf(&b, "  %s -> %s [label=%s%s];\n", from, id(e.to), dotQuote(e.label), style)
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
