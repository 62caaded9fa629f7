// Package diff tells, in plain words, what changes for callers between two
// compiled versions of a flow: a prompt reworded (in any language the
// line speaks), a key that goes elsewhere or sets another language, hours
// that changed, a node no caller can reach any more. It reads the flows
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
	"github.com/ivrctl/ivrctl/engine/schedule"
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
	// OutcomeChanged: where a dial sends the caller when the bridged call
	// ends a given way (busy, no answer...), by a branch or by then.
	OutcomeChanged Kind = "outcome-changed"
	// ContinueChanged: where a message that continues goes on to.
	ContinueChanged Kind = "continue-changed"
	// HotkeyAdded, HotkeyRemoved and HotkeyChanged: what a hotkey does at
	// a menu (repeat, back, main menu, to a node); at every menu when the
	// Change names no node.
	HotkeyAdded   Kind = "hotkey-added"
	HotkeyRemoved Kind = "hotkey-removed"
	HotkeyChanged Kind = "hotkey-changed"
	// BudgetChanged: how many times a menu asks again after silence or a
	// wrong key, or what it says then.
	BudgetChanged Kind = "budget-changed"
	// RepromptChanged: the shorter prompt a menu asks again with.
	RepromptChanged Kind = "reprompt-changed"
	// ScheduleChanged: a schedule's hours, closed dates, special hours,
	// zone or calendar, one fact a change (see schedule.Changes).
	ScheduleChanged Kind = "schedule-changed"
	// SwitchChanged: the switch a switch node reads, or that switch's
	// default position.
	SwitchChanged Kind = "switch-changed"
	// KeyLangChanged: the language a menu's key sets the call in.
	KeyLangChanged Kind = "key-language-changed"
	// LangAdded and LangRemoved: a language the line speaks.
	LangAdded   Kind = "language-added"
	LangRemoved Kind = "language-removed"
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
	StartChanged, FallbackChanged, LangAdded, LangRemoved, NodeAdded, NodeRemoved, KindChanged, PromptChanged, VoiceChanged, DialChanged,
	KeyAdded, KeyRemoved, KeyRerouted, KeyLangChanged, ScheduleChanged, SwitchChanged, HotkeyAdded, HotkeyRemoved, HotkeyChanged, InvalidChanged, NoInputChanged,
	BudgetChanged, RepromptChanged, OutcomeChanged, ThenChanged, ContinueChanged, RouteChanged, SettingsChanged, NewUnreachable, NewDeadEnd,
}

// rerouted says, for each kind of edge that is not a key, the kind of
// change when it leads elsewhere and how a message says it. An edge of a
// kind not listed here is a RouteChanged.
var rerouted = map[engine.EdgeKind]struct {
	kind Kind
	what string
}{
	engine.EdgeInvalid:  {InvalidChanged, "a key the menu does not have now goes to"},
	engine.EdgeNoInput:  {NoInputChanged, "pressing nothing now goes to"},
	engine.EdgeThen:     {ThenChanged, "after the call ends, the caller now goes to"},
	engine.EdgeContinue: {ContinueChanged, "after the message, the caller now goes on to"},
}

// Change is one difference a caller would notice between two versions of a
// flow.
type Change struct {
	Kind Kind `json:"kind"`
	// Node is the ID of the node that changed; "" for a change to the
	// whole flow (start-changed, fallback-changed) or one made at every
	// menu (a default's hotkey or budget, "every menu: ...").
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
		if c.Kind == PromptChanged || c.Kind == RepromptChanged && c.Old != "" && c.New != "" {
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
	d.languages(before, after)
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
	d.groupEveryMenu(before, after)
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
	// otherLangs are the languages both flows speak besides the default
	// one, whose texts are compared too.
	otherLangs []string
}

// spoken compares what the two versions of node n say in one language:
// the text and the voice; who names the node and the language in the
// messages ("main", or "main (es)").
func (d *differ) spoken(n *engine.Node, who string, oa, na summary) {
	if oa.hasText && na.hasText && oa.text != na.text {
		what := "prompt"
		if n.Kind() == engine.KindSay {
			what = "message"
		}
		d.add(PromptChanged, n.ID(), oa.text, na.text, fmt.Sprintf("%s: %s changed", who, what))
	}
	if oa.voice != "" && na.voice != "" && oa.voice != na.voice {
		d.add(VoiceChanged, n.ID(), oa.voice, na.voice, fmt.Sprintf("%s: now speaks with voice %s (was %s)", who, na.voice, oa.voice))
	}
}

// languages reports the languages one flow speaks and the other does
// not, and notes those whose texts node compares besides the default
// language's.
func (d *differ) languages(before, after *engine.Flow) {
	ol, nl := before.Languages(), after.Languages()
	for _, tag := range nl {
		switch {
		case !slices.Contains(ol, tag):
			d.add(LangAdded, "", "", tag, fmt.Sprintf("+ language %s", tag))
		case tag != ol[0] || tag != nl[0]:
			d.otherLangs = append(d.otherLangs, tag)
		}
	}
	for _, tag := range ol {
		if !slices.Contains(nl, tag) {
			d.add(LangRemoved, "", tag, "", fmt.Sprintf("- language %s", tag))
		}
	}
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
	oa, na := summarize(o.Callflow()), summarize(n.Callflow())
	d.spoken(n, id, oa, na)
	for _, tag := range d.otherLangs {
		d.spoken(n, fmt.Sprintf("%s (%s)", id, tag), summarize(o.CallflowIn(tag)), summarize(n.CallflowIn(tag)))
	}
	if oa.dial != "" && na.dial != "" && oa.dial != na.dial {
		d.add(DialChanged, id, oa.dial, na.dial, fmt.Sprintf("%s: now dials %s (was %s)", id, na.dial, oa.dial))
	}
	if was, now := o.Schedule(), n.Schedule(); was != nil && now != nil {
		for _, c := range schedule.Changes(was, now) {
			old, new, _ := strings.Cut(c[strings.Index(c, ": ")+2:], " → ")
			d.add(ScheduleChanged, id, old, new, id+": "+c)
		}
	}
	d.switches(o, n)
	d.edges(o, n)
	d.hotkeys(o, n)
	d.budgets(o, n)
	d.outcomes(o, n)
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
		if e.Kind == engine.EdgeHotkey || e.Kind == engine.EdgeOutcome {
			continue // see hotkeys and outcomes
		}
		k := edgeKey{e.Kind, e.Label}
		newTo[k] = true
		ot, ok := oldTo[k]
		switch {
		case !ok && e.Kind == engine.EdgeKey:
			d.add(KeyAdded, id, "", e.To.ID(), fmt.Sprintf("%s: new key %s goes to %s", id, key(e), name(e.To)))
		case !ok:
		case ot.ID() == e.To.ID():
			d.keyLang(o, n, e, key(e))
		case e.Kind == engine.EdgeKey:
			d.keyLang(o, n, e, key(e))
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

// keyLang reports a key e of both versions of a menu that sets another
// language; shown is the key as messages write it.
func (d *differ) keyLang(o, n *engine.Node, e engine.Edge, shown string) {
	if e.Kind != engine.EdgeKey {
		return
	}
	was, _ := o.KeyLang(e.Label)
	now, _ := n.KeyLang(e.Label)
	if was == now {
		return
	}
	sets := func(tag string) string {
		if tag == "" {
			return "sets no language"
		}
		return "sets the language to " + tag
	}
	d.add(KeyLangChanged, n.ID(), was, now, fmt.Sprintf("%s: key %s now %s (was: %s)", n.ID(), shown, sets(now), sets(was)))
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

// summarize returns what a caller hears from callflow: its last words,
// after the recordings played before them ("♪ URL + words"), their
// voice, and the number it dials.
func summarize(callflow callflows.Callflow) summary {
	var s summary
	var audio []string
	for _, a := range callflow {
		switch a := a.(type) {
		case *callflows.SayAndCapture:
			s.text, s.hasText, s.voice = a.PromptMessage, true, a.VoiceProfile
		case *callflows.Say:
			s.text, s.hasText, s.voice = a.Text, true, a.VoiceProfile
		case *callflows.PlayFile:
			audio = append(audio, "♪ "+a.FileURL)
			s.hasText = true
		case *callflows.MakeCall:
			s.dial = a.Destination
		}
	}
	if len(audio) > 0 {
		s.text = strings.Join(append(audio, s.text), " + ")
	}
	return s
}

func addedMessage(n *engine.Node) string {
	s := summarize(n.Callflow())
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

// budgets compares the two versions of a menu's budgets and re-prompt.
func (d *differ) budgets(o, n *engine.Node) {
	id := n.ID()
	for _, b := range []struct {
		old, new engine.Retries
		after    string
	}{
		{o.NoInputRetries(), n.NoInputRetries(), "silence"},
		{o.InvalidRetries(), n.InvalidRetries(), "a wrong key"},
	} {
		if b.old.Count != b.new.Count {
			d.add(BudgetChanged, id, fmt.Sprint(b.old.Count), fmt.Sprint(b.new.Count),
				fmt.Sprintf("%s: now asks again %s after %s (was %s)", id, times(b.new.Count), b.after, times(b.old.Count)))
		}
		if ov, nv := strings.Join(b.old.Say, " / "), strings.Join(b.new.Say, " / "); ov != nv {
			msg := fmt.Sprintf("%s: what it says after %s changed: %s (was %s)", id, b.after, said(nv), said(ov))
			d.add(BudgetChanged, id, ov, nv, msg)
		}
	}
	or, nr := o.Reprompt(), n.Reprompt()
	switch {
	case or == nr:
	case or == "":
		d.add(RepromptChanged, id, "", nr, fmt.Sprintf("%s: now asks again with a shorter prompt: %q", id, nr))
	case nr == "":
		d.add(RepromptChanged, id, or, "", fmt.Sprintf("%s: no longer asks again with a shorter prompt (was %q)", id, or))
	default:
		d.add(RepromptChanged, id, or, nr, fmt.Sprintf("%s: shorter prompt changed", id))
	}
}

func times(n int) string {
	switch n {
	case 0:
		return "no times"
	case 1:
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

func said(s string) string {
	if s == "" {
		return "nothing"
	}
	return fmt.Sprintf("%q", s)
}

// outcomes compares where the two versions of a dial send the caller for
// each way the bridged call can end that a branch names in either: by its
// branch, or by then.
func (d *differ) outcomes(o, n *engine.Node) {
	ob, nb := branches(o), branches(n)
	for _, out := range callflows.TransferOutcomes {
		label := out.String()
		if _, ok := ob[label]; !ok {
			if _, ok := nb[label]; !ok {
				continue // then in both, told by ThenChanged
			}
		}
		ot, nt := cmp.Or(ob[label], target(o, engine.EdgeThen)), cmp.Or(nb[label], target(n, engine.EdgeThen))
		if id(ot) != id(nt) {
			d.add(OutcomeChanged, n.ID(), id(ot), id(nt), fmt.Sprintf("%s: when %s, the caller now goes to %s (was %s)",
				n.ID(), outcomeWords[out], name(nt), name(ot)))
		}
	}
}

// outcomeWords say how a bridged call ended, after "when".
var outcomeWords = map[callflows.TransferOutcome]string{
	callflows.TransferAnswered: "the call was answered",
	callflows.TransferBusy:     "the line is busy",
	callflows.TransferNoAnswer: "nobody answers",
	callflows.TransferFailed:   "the call fails",
}

// branches returns a dial's outcome branches by label.
func branches(n *engine.Node) map[string]*engine.Node {
	m := map[string]*engine.Node{}
	for _, e := range n.Edges() {
		if e.Kind == engine.EdgeOutcome {
			m[e.Label] = e.To
		}
	}
	return m
}

// hotkeys compares what each hotkey of the two versions of a menu does.
func (d *differ) hotkeys(o, n *engine.Node) {
	if o.Kind() != engine.KindMenu || n.Kind() != engine.KindMenu {
		return
	}
	id := n.ID()
	oh, nh := hotkeyMap(o), hotkeyMap(n)
	keys := n.Hotkeys()
	for _, k := range o.Hotkeys() {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		was, now := oh[k], nh[k]
		switch {
		case was == now:
		case was == "":
			d.add(HotkeyAdded, id, "", now, fmt.Sprintf("%s: new hotkey %s: %s", id, k, now))
		case now == "":
			d.add(HotkeyRemoved, id, was, "", fmt.Sprintf("%s: hotkey %s no longer does anything (was: %s)", id, k, was))
		default:
			d.add(HotkeyChanged, id, was, now, fmt.Sprintf("%s: hotkey %s now does: %s (was: %s)", id, k, now, was))
		}
	}
}

// everyMenu are the kinds of change a flow's defaults make at every menu.
var everyMenu = []Kind{HotkeyAdded, HotkeyRemoved, HotkeyChanged, BudgetChanged, RepromptChanged}

// groupEveryMenu tells once, as "every menu: ...", a change of everyMenu's
// kinds that every menu both flows have shares, as a change to the
// defaults makes: one line rather than one per menu.
func (d *differ) groupEveryMenu(before, after *engine.Flow) {
	menus := 0
	for _, n := range after.Nodes() {
		if o, ok := before.Node(n.ID()); ok && o.Kind() == engine.KindMenu && n.Kind() == engine.KindMenu {
			menus++
		}
	}
	if menus < 2 {
		return
	}
	type shared struct {
		kind          Kind
		old, new, msg string
	}
	count := map[shared]int{}
	key := func(c Change) (shared, bool) {
		rest, ok := strings.CutPrefix(c.Message, c.Node+": ")
		return shared{c.Kind, c.Old, c.New, rest}, ok && c.Node != "" && slices.Contains(everyMenu, c.Kind)
	}
	for _, c := range d.changes {
		if k, ok := key(c); ok {
			count[k]++
		}
	}
	out := d.changes[:0]
	told := map[shared]bool{}
	for _, c := range d.changes {
		k, ok := key(c)
		if !ok || count[k] < menus {
			out = append(out, c)
			continue
		}
		if !told[k] {
			told[k] = true
			out = append(out, Change{Kind: c.Kind, Old: c.Old, New: c.New, Message: "every menu: " + k.msg})
		}
	}
	d.changes = out
}

// hotkeyMap says what each hotkey of menu n does: repeat, back, main
// menu, or "to NODE".
func hotkeyMap(n *engine.Node) map[string]string {
	m := map[string]string{}
	for _, k := range n.Hotkeys() {
		switch action, _ := n.Hotkey(k); action {
		case "repeat", "back":
			m[k] = action
		case "main":
			m[k] = "main menu"
		default:
			for _, e := range n.Edges() {
				if e.Kind == engine.EdgeHotkey && e.Label == k {
					m[k] = "to " + name(e.To)
				}
			}
		}
	}
	return m
}

// switches tells a switch node that reads another switch, or whose
// switch is on by default where it was off (or the other way): callers
// take its other branch until an operator flips it.
func (d *differ) switches(o, n *engine.Node) {
	was, now := o.Switch(), n.Switch()
	if was == "" || now == "" {
		return
	}
	id := n.ID()
	if was != now {
		d.add(SwitchChanged, id, was, now, fmt.Sprintf("%s: now reads the switch %s (was %s)", id, now, was))
		return
	}
	if wasOn, nowOn := o.SwitchOn(nil), n.SwitchOn(nil); wasOn != nowOn {
		d.add(SwitchChanged, id, engine.SwitchLabel(wasOn), engine.SwitchLabel(nowOn), fmt.Sprintf("%s: the switch %s is now %s by default (was %s), unless an operator set it", id, now, engine.SwitchLabel(nowOn), engine.SwitchLabel(wasOn)))
	}
}
