// Package diff tells, in plain words, what changes for callers between two
// compiled versions of a flow: a prompt reworded, a key that goes
// elsewhere, a node no caller can reach any more. It reads the flows
// through the engine's public API, and what connects to what through the
// nodes' edges (engine.Node.Edges), so a file reformatted or reworded with
// the same meaning gives no changes.
package diff

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine"
)

// Kind says what a Change does to callers. Its value is the name the JSON
// output gives it.
type Kind string

// Kinds of Change, in the order Compare lists a node's changes.
const (
	StartChanged    Kind = "start-changed"    // calls start at another node
	FallbackChanged Kind = "fallback-changed" // another node is the fallback
	NodeAdded       Kind = "node-added"
	NodeRemoved     Kind = "node-removed"
	KindChanged     Kind = "kind-changed"   // a menu became a say node, say
	PromptChanged   Kind = "prompt-changed" // a menu's prompt or a say node's text
	VoiceChanged    Kind = "voice-changed"
	DialChanged     Kind = "dial-changed" // the number a dial node calls
	KeyAdded        Kind = "key-added"
	KeyRemoved      Kind = "key-removed"
	KeyRerouted     Kind = "key-rerouted"
	InvalidChanged  Kind = "invalid-changed"  // where an invalid key goes
	NoInputChanged  Kind = "no-input-changed" // where pressing nothing goes
	ThenChanged     Kind = "then-changed"     // where a dial goes after the call
	// RouteChanged: another way out of a node (an edge of a kind the
	// kinds above do not name) leads elsewhere.
	RouteChanged Kind = "route-changed"
	// SettingsChanged: the node's callflow differs in a way none of the
	// kinds above tells (speed, capture settings, caller ID).
	SettingsChanged Kind = "settings-changed"
	// NewUnreachable: a node no caller can get to in the new flow that
	// one could in the old, or a new node no caller can get to.
	NewUnreachable Kind = "new-unreachable"
	// NewDeadEnd: a node with no way to a say node in the new flow that
	// had one in the old, or a new node with none.
	NewDeadEnd Kind = "new-dead-end"
)

// kindOrder is the order of the kinds of a node's changes.
var kindOrder = []Kind{
	StartChanged, FallbackChanged, NodeAdded, NodeRemoved, KindChanged, PromptChanged, VoiceChanged, DialChanged,
	KeyAdded, KeyRemoved, KeyRerouted, InvalidChanged, NoInputChanged, ThenChanged, RouteChanged, SettingsChanged, NewUnreachable, NewDeadEnd,
}

// rerouted says, for each kind of edge that is not a key, the kind of
// change when it leads elsewhere and how a message says it. An edge of a
// kind not listed here is a RouteChanged.
var rerouted = map[engine.EdgeKind]struct {
	kind Kind
	what string
}{
	engine.EdgeInvalid: {InvalidChanged, "a key the menu does not have now goes to"},
	engine.EdgeNoInput: {NoInputChanged, "pressing nothing now goes to"},
	engine.EdgeThen:    {ThenChanged, "after the call ends, the caller now goes to"},
}

// Change is one difference a caller would notice between two versions of a
// flow.
type Change struct {
	Kind Kind `json:"kind"`
	// Node is the ID of the node that changed; "" for a change to the
	// whole flow (start-changed, fallback-changed).
	Node string `json:"node"`
	// Old and New are the values before and after: a text, a voice, a
	// number, a node ID or a node kind, as Kind says; "" when there is none.
	Old string `json:"old"`
	New string `json:"new"`
	// Message says the change in plain words, on one line.
	Message string `json:"message"`
}

// Changes are the changes between two flows, as Compare orders them.
type Changes []Change

// Text renders the changes in plain words, a change a line; a changed
// text adds its old and new lines below. No changes is "no changes for
// callers".
func (cs Changes) Text() string {
	if len(cs) == 0 {
		return "no changes for callers\n"
	}
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(c.Message)
		b.WriteByte('\n')
		if c.Kind == PromptChanged {
			fmt.Fprintf(&b, "  - %s\n  + %s\n", c.Old, c.New)
		}
	}
	return b.String()
}

// Compare tells what callers hear and do differently in the compiled flow
// after from the flow before. Only compiled data counts, so a file
// reformatted or reworded with the same meaning (a default moved into a
// node, say) gives no changes. The changes are ordered by node, as after
// lists them, then the removed nodes as before lists them, then by kind;
// changes to the whole flow come first. The result is never nil.
func Compare(before, after *engine.Flow) Changes {
	d := &differ{changes: Changes{}}
	if id(before.Start()) != id(after.Start()) {
		d.add(StartChanged, "", id(before.Start()), id(after.Start()), fmt.Sprintf("calls now start at %s (was %s)", name(after.Start()), name(before.Start())))
	}
	if id(before.Fallback()) != id(after.Fallback()) {
		d.add(FallbackChanged, "", id(before.Fallback()), id(after.Fallback()), fmt.Sprintf("the fallback is now %s (was %s)", name(after.Fallback()), name(before.Fallback())))
	}
	for _, n := range after.Nodes() {
		o, ok := before.Node(n.ID())
		if !ok {
			d.add(NodeAdded, n.ID(), "", n.Kind().String(), addedMessage(n))
			continue
		}
		d.node(o, n)
	}
	for _, o := range before.Nodes() {
		if _, ok := after.Node(o.ID()); !ok {
			d.add(NodeRemoved, o.ID(), o.Kind().String(), "", fmt.Sprintf("- node %s (%s)", o.ID(), o.Kind()))
		}
	}
	d.deadSpots(before, after)

	rank := map[string]int{"": 0}
	for _, f := range []*engine.Flow{after, before} {
		for _, n := range f.Nodes() {
			if _, ok := rank[n.ID()]; !ok {
				rank[n.ID()] = len(rank)
			}
		}
	}
	slices.SortStableFunc(d.changes, func(a, b Change) int {
		return cmp.Or(cmp.Compare(rank[a.Node], rank[b.Node]), cmp.Compare(slices.Index(kindOrder, a.Kind), slices.Index(kindOrder, b.Kind)))
	})
	return d.changes
}

type differ struct {
	changes Changes
}

func (d *differ) add(kind Kind, node, old, new, msg string) {
	d.changes = append(d.changes, Change{Kind: kind, Node: node, Old: old, New: new, Message: msg})
}

// node compares the two versions of a node kept under the same ID.
func (d *differ) node(o, n *engine.Node) {
	before := len(d.changes)
	id := n.ID()
	if o.Kind() != n.Kind() {
		d.add(KindChanged, id, o.Kind().String(), n.Kind().String(), fmt.Sprintf("%s: now a %s node (was a %s node)", id, n.Kind(), o.Kind()))
	}
	oa, na := summarize(o), summarize(n)
	if oa.hasText && na.hasText && oa.text != na.text {
		what := "prompt"
		if n.Kind() == engine.KindSay {
			what = "message"
		}
		d.add(PromptChanged, id, oa.text, na.text, fmt.Sprintf("%s: %s changed", id, what))
	}
	if oa.voice != "" && na.voice != "" && oa.voice != na.voice {
		d.add(VoiceChanged, id, oa.voice, na.voice, fmt.Sprintf("%s: now speaks with voice %s (was %s)", id, na.voice, oa.voice))
	}
	if oa.dial != "" && na.dial != "" && oa.dial != na.dial {
		d.add(DialChanged, id, oa.dial, na.dial, fmt.Sprintf("%s: now dials %s (was %s)", id, na.dial, oa.dial))
	}
	d.edges(o, n)
	if len(d.changes) == before && o.Kind() == n.Kind() && !bytes.Equal(o.Response(), n.Response()) {
		d.add(SettingsChanged, id, "", "", fmt.Sprintf("%s: other settings changed (speed, capture or caller ID)", id))
	}
}

// edgeKey is an edge as the two versions of a node are matched: by kind
// and label.
type edgeKey struct {
	kind  engine.EdgeKind
	label string
}

// edges compares where the two versions of a node lead. A key may be
// added or removed; the other edges count only where both versions have
// them, as a node that changed kind has said so already.
func (d *differ) edges(o, n *engine.Node) {
	id := n.ID()
	// The keys of a menu marked sensitive (a PIN) are never written out,
	// here as in the server's log: a diff is read in CI logs and reload
	// lines.
	key := func(e engine.Edge) string {
		if o.Sensitive() || n.Sensitive() {
			return "(not shown: the menu is sensitive)"
		}
		return e.Label
	}
	oldTo := map[edgeKey]*engine.Node{}
	for _, e := range o.Edges() {
		oldTo[edgeKey{e.Kind, e.Label}] = e.To
	}
	newTo := map[edgeKey]bool{}
	for _, e := range n.Edges() {
		k := edgeKey{e.Kind, e.Label}
		newTo[k] = true
		ot, ok := oldTo[k]
		switch {
		case !ok && e.Kind == engine.EdgeKey:
			d.add(KeyAdded, id, "", e.To.ID(), fmt.Sprintf("%s: new key %s goes to %s", id, key(e), name(e.To)))
		case !ok || ot.ID() == e.To.ID():
		case e.Kind == engine.EdgeKey:
			d.add(KeyRerouted, id, ot.ID(), e.To.ID(), fmt.Sprintf("%s: key %s now goes to %s (was %s)", id, key(e), name(e.To), name(ot)))
		default:
			r, ok := rerouted[e.Kind]
			if !ok {
				r.kind, r.what = RouteChanged, strings.TrimSpace(e.Kind.String()+" "+e.Label)+" now goes to"
			}
			d.add(r.kind, id, ot.ID(), e.To.ID(), fmt.Sprintf("%s: %s %s (was %s)", id, r.what, name(e.To), name(ot)))
		}
	}
	for _, e := range o.Edges() {
		if e.Kind == engine.EdgeKey && !newTo[edgeKey{e.Kind, e.Label}] {
			d.add(KeyRemoved, id, e.To.ID(), "", fmt.Sprintf("%s: key %s no longer does anything (went to %s)", id, key(e), name(e.To)))
		}
	}
}

// deadSpots reports the nodes of after that lint would warn about, as
// unreachable or with no way out, and that it would not have in before.
func (d *differ) deadSpots(before, after *engine.Flow) {
	oldUnreach, oldNoExit := deadIDs(before)
	newUnreach, newNoExit := deadIDs(after)
	for _, n := range after.Nodes() {
		now := "now "
		if _, existed := before.Node(n.ID()); !existed {
			now = ""
		}
		if newUnreach[n.ID()] && !oldUnreach[n.ID()] {
			d.add(NewUnreachable, n.ID(), "", "", fmt.Sprintf("! %s is %sunreachable", n.ID(), now))
		}
		if newNoExit[n.ID()] && !oldNoExit[n.ID()] {
			d.add(NewDeadEnd, n.ID(), "", "", fmt.Sprintf("! %s %shas no way out", n.ID(), now))
		}
	}
}

// deadIDs returns the IDs of f's dead spots (see engine.Flow.DeadSpots).
func deadIDs(f *engine.Flow) (unreachable, noExit map[string]bool) {
	set := func(nodes []*engine.Node) map[string]bool {
		m := make(map[string]bool, len(nodes))
		for _, n := range nodes {
			m[n.ID()] = true
		}
		return m
	}
	u, x := f.DeadSpots()
	return set(u), set(x)
}

// summary is what a caller hears from a node's callflow.
type summary struct {
	text    string
	hasText bool
	voice   string
	dial    string
}

func summarize(n *engine.Node) summary {
	var s summary
	for _, a := range n.Callflow() {
		switch a := a.(type) {
		case *callflows.SayAndCapture:
			s.text, s.hasText, s.voice = a.PromptMessage, true, a.VoiceProfile
		case *callflows.Say:
			s.text, s.hasText, s.voice = a.Text, true, a.VoiceProfile
		case *callflows.PlayFile:
			s.text, s.hasText = a.FileURL, true
		case *callflows.MakeCall:
			s.dial = a.Destination
		}
	}
	return s
}

func addedMessage(n *engine.Node) string {
	s := summarize(n)
	switch {
	case s.dial != "":
		return fmt.Sprintf("+ node %s (%s): calls %s, then goes to %s", n.ID(), n.Kind(), s.dial, name(target(n, engine.EdgeThen)))
	case s.hasText:
		return fmt.Sprintf("+ node %s (%s): %q", n.ID(), n.Kind(), s.text)
	}
	return fmt.Sprintf("+ node %s (%s)", n.ID(), n.Kind())
}

// target returns where the edge of the given kind leads from n, or nil
// when n has none.
func target(n *engine.Node, kind engine.EdgeKind) *engine.Node {
	for _, e := range n.Edges() {
		if e.Kind == kind {
			return e.To
		}
	}
	return nil
}

func id(n *engine.Node) string {
	if n == nil {
		return ""
	}
	return n.ID()
}

// name is how a message names a node.
func name(n *engine.Node) string {
	switch {
	case n == nil:
		return "nothing"
	case n.ID() == "":
		return "the built-in fallback"
	}
	return n.ID()
}
