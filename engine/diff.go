package engine

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/ivrctl/ivrctl/callflows"
)

// ChangeKind says what a Change does to callers.
type ChangeKind string

// Kinds of Change, in the order Diff lists a node's changes.
const (
	ChangeStart    ChangeKind = "start-changed"    // calls start at another node
	ChangeFallback ChangeKind = "fallback-changed" // another node is the fallback
	ChangeAdded    ChangeKind = "node-added"
	ChangeRemoved  ChangeKind = "node-removed"
	ChangeKindOf   ChangeKind = "kind-changed"   // a menu became a say node, say
	ChangePrompt   ChangeKind = "prompt-changed" // a menu's prompt or a say node's text
	ChangeVoice    ChangeKind = "voice-changed"
	ChangeDial     ChangeKind = "dial-changed" // the number a dial node calls
	ChangeKeyAdded ChangeKind = "key-added"
	ChangeKeyGone  ChangeKind = "key-removed"
	ChangeKeyRoute ChangeKind = "key-rerouted"
	ChangeInvalid  ChangeKind = "invalid-changed"  // where an invalid key goes
	ChangeNoInput  ChangeKind = "no-input-changed" // where pressing nothing goes
	ChangeThen     ChangeKind = "then-changed"     // where a dial goes after the call
	// ChangeSettings: the node's callflow differs in a way none of the
	// kinds above tells (speed, capture settings, caller ID).
	ChangeSettings ChangeKind = "settings-changed"
	// ChangeUnreachable: a node no caller can get to in the new flow that
	// one could in the old, or a new node no caller can get to.
	ChangeUnreachable ChangeKind = "new-unreachable"
	// ChangeDeadEnd: a node with no way to a say node in the new flow that
	// had one in the old, or a new node with none.
	ChangeDeadEnd ChangeKind = "new-dead-end"
)

var changeRank = map[ChangeKind]int{}

func init() {
	for i, k := range []ChangeKind{ChangeStart, ChangeFallback, ChangeAdded, ChangeRemoved, ChangeKindOf, ChangePrompt, ChangeVoice, ChangeDial,
		ChangeKeyAdded, ChangeKeyGone, ChangeKeyRoute, ChangeInvalid, ChangeNoInput, ChangeThen, ChangeSettings, ChangeUnreachable, ChangeDeadEnd} {
		changeRank[k] = i
	}
}

// Change is one difference a caller would notice between two versions of a
// flow.
type Change struct {
	Kind ChangeKind `json:"kind"`
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

// Changes are the changes between two flows, as Diff orders them.
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
		if c.Kind == ChangePrompt {
			fmt.Fprintf(&b, "  - %s\n  + %s\n", c.Old, c.New)
		}
	}
	return b.String()
}

// Diff compares what callers hear and do in two compiled versions of a
// flow. Only compiled data counts, so a file reformatted or reworded with
// the same meaning (a default moved into a node, say) gives no changes.
// The changes are ordered by node, as the new flow lists them, then the
// removed nodes as the old flow lists them, then by kind; changes to the
// whole flow come first. The result is never nil.
func Diff(old, new *Flow) Changes {
	d := &differ{changes: Changes{}}
	if id(old.start) != id(new.start) {
		d.add(ChangeStart, "", id(old.start), id(new.start), fmt.Sprintf("calls now start at %s (was %s)", name(new.start), name(old.start)))
	}
	if id(old.fallback) != id(new.fallback) {
		d.add(ChangeFallback, "", id(old.fallback), id(new.fallback), fmt.Sprintf("the fallback is now %s (was %s)", name(new.fallback), name(old.fallback)))
	}
	for _, n := range new.order {
		o, ok := old.nodes[n.id]
		if !ok {
			d.add(ChangeAdded, n.id, "", n.kind.String(), addedMessage(n))
			continue
		}
		d.node(o, n)
	}
	for _, o := range old.order {
		if _, ok := new.nodes[o.id]; !ok {
			d.add(ChangeRemoved, o.id, o.kind.String(), "", fmt.Sprintf("- node %s (%s)", o.id, o.kind))
		}
	}
	oldUnreach, oldNoExit := graphProblems(old)
	newUnreach, newNoExit := graphProblems(new)
	for _, n := range new.order {
		_, existed := old.nodes[n.id]
		now := "now "
		if !existed {
			now = ""
		}
		if newUnreach[n.id] && !oldUnreach[n.id] {
			d.add(ChangeUnreachable, n.id, "", "", fmt.Sprintf("! %s is %sunreachable", n.id, now))
		}
		if newNoExit[n.id] && !oldNoExit[n.id] {
			d.add(ChangeDeadEnd, n.id, "", "", fmt.Sprintf("! %s %shas no way out", n.id, now))
		}
	}

	rank := map[string]int{"": 0}
	for _, n := range new.order {
		rank[n.id] = len(rank)
	}
	for _, o := range old.order {
		if _, ok := rank[o.id]; !ok {
			rank[o.id] = len(rank)
		}
	}
	slices.SortStableFunc(d.changes, func(a, b Change) int {
		return cmp.Or(cmp.Compare(rank[a.Node], rank[b.Node]), cmp.Compare(changeRank[a.Kind], changeRank[b.Kind]))
	})
	return d.changes
}

type differ struct {
	changes Changes
}

func (d *differ) add(kind ChangeKind, node, old, new, msg string) {
	d.changes = append(d.changes, Change{Kind: kind, Node: node, Old: old, New: new, Message: msg})
}

// node compares the two versions of a node kept under the same ID.
func (d *differ) node(o, n *Node) {
	before := len(d.changes)
	if o.kind != n.kind {
		d.add(ChangeKindOf, n.id, o.kind.String(), n.kind.String(), fmt.Sprintf("%s: now a %s node (was a %s node)", n.id, n.kind, o.kind))
	}
	oa, na := summarize(o), summarize(n)
	if oa.hasText && na.hasText && oa.text != na.text {
		what := "prompt"
		if n.kind == KindSay {
			what = "message"
		}
		d.add(ChangePrompt, n.id, oa.text, na.text, fmt.Sprintf("%s: %s changed", n.id, what))
	}
	if oa.voice != "" && na.voice != "" && oa.voice != na.voice {
		d.add(ChangeVoice, n.id, oa.voice, na.voice, fmt.Sprintf("%s: now speaks with voice %s (was %s)", n.id, na.voice, oa.voice))
	}
	if o.kind == KindDial && n.kind == KindDial && oa.dial != na.dial {
		d.add(ChangeDial, n.id, oa.dial, na.dial, fmt.Sprintf("%s: now dials %s (was %s)", n.id, na.dial, oa.dial))
	}
	for _, k := range n.keyOrder {
		nt := n.keys[k]
		ot, ok := o.keys[k]
		switch {
		case !ok:
			d.add(ChangeKeyAdded, n.id, "", id(nt), fmt.Sprintf("%s: new key %s goes to %s", n.id, k, name(nt)))
		case id(ot) != id(nt):
			d.add(ChangeKeyRoute, n.id, id(ot), id(nt), fmt.Sprintf("%s: key %s now goes to %s (was %s)", n.id, k, name(nt), name(ot)))
		}
	}
	for _, k := range o.keyOrder {
		if _, ok := n.keys[k]; !ok {
			ot := o.keys[k]
			d.add(ChangeKeyGone, n.id, id(ot), "", fmt.Sprintf("%s: key %s no longer does anything (went to %s)", n.id, k, name(ot)))
		}
	}
	for _, e := range []struct {
		kind   ChangeKind
		what   string
		o, n   *Node
		active bool
	}{
		{ChangeInvalid, "a key the menu does not have now goes to", o.onInvalid, n.onInvalid, n.kind == KindMenu},
		{ChangeNoInput, "pressing nothing now goes to", o.onNoInput, n.onNoInput, n.kind == KindMenu},
		{ChangeThen, "after the call ends, the caller now goes to", o.then, n.then, n.kind == KindDial},
	} {
		if e.active && e.o != nil && e.n != nil && id(e.o) != id(e.n) {
			d.add(e.kind, n.id, id(e.o), id(e.n), fmt.Sprintf("%s: %s %s (was %s)", n.id, e.what, name(e.n), name(e.o)))
		}
	}
	if len(d.changes) == before && o.kind == n.kind && !bytes.Equal(o.response, n.response) {
		d.add(ChangeSettings, n.id, "", "", fmt.Sprintf("%s: other settings changed (speed, capture or caller ID)", n.id))
	}
}

// summary is what a caller hears from a node's callflow.
type summary struct {
	text    string
	hasText bool
	voice   string
	dial    string
}

func summarize(n *Node) summary {
	var s summary
	for _, a := range n.callflow {
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

func addedMessage(n *Node) string {
	s := summarize(n)
	switch {
	case n.kind == KindDial:
		return fmt.Sprintf("+ node %s (dial): calls %s, then goes to %s", n.id, s.dial, name(n.then))
	case s.hasText:
		return fmt.Sprintf("+ node %s (%s): %q", n.id, n.kind, s.text)
	}
	return fmt.Sprintf("+ node %s (%s)", n.id, n.kind)
}

func id(n *Node) string {
	if n == nil {
		return ""
	}
	return n.id
}

// name is how a message names a node.
func name(n *Node) string {
	switch {
	case n == nil:
		return "nothing"
	case n.id == "":
		return "the built-in fallback"
	}
	return n.id
}

// graphProblems returns the IDs of the flow's nodes that checkGraph would
// warn about: unreachable ones and those with no way to a say node.
func graphProblems(flow *Flow) (unreachable, noExit map[string]bool) {
	unreachable, noExit = map[string]bool{}, map[string]bool{}
	if flow.start == nil {
		return unreachable, noExit
	}
	u, x := newGraph(flow).deadSpots(flow)
	for i, n := range flow.order {
		unreachable[n.id], noExit[n.id] = u[i], x[i]
	}
	return unreachable, noExit
}
