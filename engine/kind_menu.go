package engine

import (
	"fmt"
	"strconv"
	"time"

	"github.com/ivrctl/ivrctl/callflows"
)

// Rule IDs of the checks on menus' budgets and hotkeys.
const (
	// RuleBudget reports a no_input or invalid budget that cannot work.
	RuleBudget = "budget"
	// RuleHotkey reports a hotkey that is not a key, names no action or
	// node, or clashes with a menu's own key.
	RuleHotkey = "hotkey"
)

// Hotkey actions, as a flow names them; anything else is a node ID.
const (
	hotRepeat = "repeat"
	hotBack   = "back"
	hotMain   = "main"
	hotOff    = "off"
)

// menuKind speaks a prompt and captures keys (one sayAndCapture). The
// caller's answer goes to one of its keys or hotkeys; silence and wrong
// keys are counted against the menu's budgets, asked again with a message,
// and sent on to on_no_input or on_invalid once a budget is spent.
var menuKind = kindSpec{
	keys: []string{"menu", "keys", "voice", "speed", "capture", "on_invalid", "on_no_input",
		"no_input", "invalid", "reprompt", "hotkeys", "sensitive", "lint"},
	build: buildMenu,
	link:  linkMenu,
	pass:  answers,
	leave: leaveMenu,
}

// menu is what a compiled menu node holds beyond its answer.
type menu struct {
	noInput, invalid budget
	// engine is set when the menu has budgets: the engine counts, and 8x8
	// is told to capture once (noOfTries 1).
	engine bool
	// hotkeys are the menu's hotkeys, inherited and its own, by key; order
	// lists them as the defaults then the menu list them.
	hotkeys map[string]*hotkey
	order   []string
	// rebodies is the re-prompt's answer by language; nil without one.
	rebodies [][]byte
	// reprompts are the re-prompt's callflows by language.
	reprompts []rendition
	// langs are the languages the menu's keys set, by key, as indexes in
	// the flow's languages.
	langs map[string]int
}

// budget is how many times a menu forgives silence or a wrong key, and
// what it says each time: say[i][lang] is the JSON of the i-th message.
type budget struct {
	retries int
	say     [][][]byte
	// msgs are the messages' callflows, say[i][lang]'s source.
	msgs [][]rendition
}

// hotkey is what a hotkey of a menu does.
type hotkey struct {
	action string // hotRepeat, hotBack, hotMain, or "" to go to to
	to     *Node
	// target is the node ID a go-to hotkey names, resolved in link.
	target *Scalar
	// inherited is set for a hotkey from the defaults.
	inherited bool
}

func buildMenu(c *compiler, d *NodeDecl, n *Node) {
	m := &menu{hotkeys: map[string]*hotkey{}}
	n.menu = m
	c.menuHotkeys(d, m)
	dflt := c.f.Defaults
	m.engine = dflt != nil && (dflt.NoInput != nil || dflt.Invalid != nil) || d.NoInput != nil || d.Invalid != nil
	sc, s := c.sayAndCapture(d, m)
	c.keyLangs(d, m)
	n.sensitive = c.sensitive(d)
	c.asks(d, n, sc, s)
}

// sensitive reads a menu's or collect node's sensitive flag.
func (c *compiler) sensitive(d *NodeDecl) bool {
	b := d.Sensitive
	if b == nil {
		return false
	}
	switch b.Value {
	case "true":
		return true
	case "false":
	default:
		c.errorf(b.Range, RuleValue, "sensitive must be true or false, got %q", b.Value)
	}
	return false
}

// asks compiles what a menu or collect node n asks with: its budgets over
// the defaults', its re-prompt, and its prompt, around the capture sc.
func (c *compiler) asks(d *NodeDecl, n *Node, sc *callflows.SayAndCapture, s settings) {
	m := n.menu
	var noInput, invalid *Budget
	if dflt := c.f.Defaults; dflt != nil {
		noInput, invalid = dflt.NoInput, dflt.Invalid
	}
	m.noInput = c.budget(d, s, noInput, d.NoInput)
	m.invalid = c.budget(d, s, invalid, d.Invalid)
	if d.Reprompt != nil {
		m.reprompts = c.prompt(d.Reprompt, d, "reprompt", sc, s)
	}
	c.setNode(n, c.prompt(d.Text, d, d.Kind.String(), sc, s))
}

// budget compiles a menu's no_input or invalid budget: the menu's own
// fields (own) over the defaults' (dflt). s are the menu's settings, whose
// voice says the messages.
func (c *compiler) budget(d *NodeDecl, s settings, dflt, own *Budget) budget {
	var b budget
	var retries *Scalar
	var say []*Text
	for _, src := range []*Budget{dflt, own} {
		if src == nil {
			continue
		}
		if src.Retries != nil {
			retries = src.Retries
		}
		if len(src.Say) > 0 {
			say = src.Say
		}
	}
	if retries != nil {
		n, err := strconv.Atoi(retries.Value)
		if err != nil || n < 0 || n > maxRetries {
			c.errorf(retries.Range, RuleBudget, "retries must be a whole number from 0 to %d, got %q", maxRetries, retries.Value)
		} else {
			b.retries = n
		}
	}
	for _, t := range say {
		b.msgs = append(b.msgs, c.say(t, d, "message", s, false))
	}
	return b
}

// maxRetries bounds a budget: the counts travel in the call state as one
// byte each, and a caller asked ten times has long given up.
const maxRetries = 9

// menuHotkeys compiles the hotkeys of menu d: the defaults', then its
// own, where "off" removes one. A menu key that is also an inherited
// hotkey is an error unless the menu's own hotkeys say which wins.
func (c *compiler) menuHotkeys(d *NodeDecl, m *menu) {
	set := func(h *HotkeyDecl, inherited bool) {
		k, a := h.Key.Value, h.Action.Value
		if !callflows.IsDTMF(k) {
			c.errorf(h.Key.Range, RuleHotkey, "hotkey %q is not a DTMF key: use digits 0-9, * and #", k)
			return
		}
		if _, ok := m.hotkeys[k]; !ok {
			m.order = append(m.order, k)
		}
		switch a {
		case hotOff:
			delete(m.hotkeys, k)
		case hotRepeat, hotBack, hotMain:
			m.hotkeys[k] = &hotkey{action: a, inherited: inherited}
		case "":
			c.errorf(h.Action.Range, RuleHotkey, "hotkey %q does nothing: give repeat, back, main, off or a node ID", k)
		default:
			m.hotkeys[k] = &hotkey{target: h.Action, inherited: inherited}
		}
	}
	if dh := c.f.Defaults; dh != nil && dh.Hotkeys != nil {
		for _, h := range dh.Hotkeys.Keys {
			set(h, true)
		}
	}
	own := map[string]bool{}
	if d.Hotkeys != nil {
		for _, h := range d.Hotkeys.Keys {
			own[h.Key.Value] = true
			set(h, false)
		}
	}
	for _, k := range d.Keys {
		if _, clash := m.hotkeys[k.Key.Value]; !clash {
			continue
		}
		if own[k.Key.Value] {
			c.errorf(k.Key.Range, RuleHotkey, "key %q of menu %q is also one of its hotkeys; a key does one thing", k.Key.Value, d.ID.Value)
			continue
		}
		e := c.errorf(k.Key.Range, RuleHotkey, "key %q of menu %q clashes with the hotkey %q of the defaults", k.Key.Value, d.ID.Value, k.Key.Value)
		e.Hint = fmt.Sprintf("to let the menu's key win, switch the hotkey off here: hotkeys: {%q: off}", k.Key.Value)
	}
	// order keeps only the hotkeys still set, as Edges lists them.
	kept := m.order[:0]
	for _, k := range m.order {
		if _, ok := m.hotkeys[k]; ok {
			kept = append(kept, k)
		}
	}
	m.order = kept
}

func (c *compiler) sayAndCapture(d *NodeDecl, m *menu) (*callflows.SayAndCapture, settings) {
	s := c.overlay(c.defaults, d.Voice, d.Speed, d.Capture)
	capt := s.capture
	if len(d.Keys) == 0 && !d.keysReported {
		r := d.KeysRange
		if r.Pos.Line == 0 {
			r = d.ID.Range
		}
		c.errorf(r, RuleNoKeys, "menu %q has no keys; every caller would end at on_invalid", d.ID.Value)
	}
	longest := 0
	for _, k := range d.Keys {
		if !callflows.IsDTMF(k.Key.Value) {
			c.errorf(k.Key.Range, RuleDTMF, "key %q of menu %q is not a DTMF key: use digits 0-9, * and #", k.Key.Value, d.ID.Value)
			continue
		}
		longest = max(longest, len(k.Key.Value))
	}
	for k := range m.hotkeys {
		longest = max(longest, len(k))
	}
	if capt.maxDigits == 0 { // not set: enough for the longest key
		capt.maxDigits = max(longest, capt.minDigits)
		if d.KeysRange.Pos.Line > 0 {
			s = s.with("maxDigits", d.KeysRange)
		}
	}
	// min_digits > max_digits, and the timeouts, are 8x8's rules, which
	// callflows.Validate checks on the compiled node.
	if capt.minDigits <= capt.maxDigits {
		captures := fmt.Sprintf("%d to %d", capt.minDigits, capt.maxDigits)
		if capt.minDigits == capt.maxDigits {
			captures = fmt.Sprintf("exactly %d", capt.minDigits)
		}
		for _, k := range d.Keys {
			if n := len(k.Key.Value); callflows.IsDTMF(k.Key.Value) && (n > capt.maxDigits || n < capt.minDigits) {
				c.errorf(k.Key.Range, RuleCapture, "key %q of menu %q has %s, but the menu captures %s", k.Key.Value, d.ID.Value, plural(n, "digit"), captures)
			}
		}
	}
	if m.engine {
		// 8x8's own retries cannot tell silence from a wrong key, so the
		// engine counts and 8x8 captures once.
		c.refuseTries(d)
		capt.tries = 1
		s = s.with("noOfTries", rangeOr(d.Capture.triesOrNil(), d.ID.Range))
	}
	return sayAndCaptureOf(s, capt), s
}

// refuseTries reports a capture.tries set on node d, whose budgets the
// engine counts.
func (c *compiler) refuseTries(d *NodeDecl) {
	if d.Capture != nil && d.Capture.Tries != nil {
		e := c.errorf(d.Capture.Tries.Range, RuleBudget, "%s %q counts retries with no_input and invalid, so capture.tries cannot be set", d.Kind, d.ID.Value)
		e.Hint = "8x8's tries cannot tell silence from a wrong key; use no_input.retries"
	}
}

// sayAndCaptureOf returns the sayAndCapture of the settings s with the
// capture capt; its prompt is set per language by prompt.
func sayAndCaptureOf(s settings, capt capture) *callflows.SayAndCapture {
	return &callflows.SayAndCapture{
		VoiceProfile:   s.voice,
		Speed:          s.speed,
		MinDigits:      capt.minDigits,
		MaxDigits:      capt.maxDigits,
		DigitTimeout:   int(capt.digitTimeout / time.Millisecond),
		OverallTimeout: int(capt.overallTimeout / time.Millisecond),
		CompleteOnHash: capt.completeOnHash,
		NoOfTries:      capt.tries,
	}
}

// triesOrNil returns c's tries, or nil when c is nil.
func (c *Capture) triesOrNil() *Scalar {
	if c == nil {
		return nil
	}
	return c.Tries
}

// linkMenu resolves a menu's keys, hotkeys, on_invalid and on_no_input,
// and returns its edges: its keys, its hotkeys (back's are added once
// every menu is linked, see backEdges), where a wrong key goes, where
// silence goes.
func linkMenu(c *compiler, d *NodeDecl, n *Node) []Edge {
	id := d.ID.Value
	var edges edgeList
	n.keys = make(map[string]*Node, len(d.Keys))
	for _, k := range d.Keys {
		if t := c.ref(k.Target, RuleRef, fmt.Sprintf("for key %q of menu %q", k.Key.Value, id)); t != nil {
			n.keys[k.Key.Value] = t
			n.keyOrder = append(n.keyOrder, k.Key.Value)
			edges.add(EdgeKey, k.Key.Value, t)
		}
	}
	for _, k := range n.menu.order {
		h := n.menu.hotkeys[k]
		switch {
		case h.target != nil:
			h.to = c.ref(h.target, RuleRef, fmt.Sprintf("for hotkey %q of menu %q", k, id))
		case h.action == hotRepeat:
			h.to = n
		case h.action == hotMain:
			h.to = c.flow.main
		case h.action == hotBack:
			c.flow.back = true
			continue
		}
		if h.to != nil {
			edges = append(edges, Edge{Kind: EdgeHotkey, Label: k, To: h.to, Inherited: h.inherited})
		}
	}
	return c.linkGiveUps(d, n, edges)
}

// linkGiveUps resolves where a menu or collect node d sends a caller once
// its wrong-input and silence budgets are spent, and returns edges with
// those two edges added.
func (c *compiler) linkGiveUps(d *NodeDecl, n *Node, edges edgeList) []Edge {
	n.onInvalid = c.links.onInvalid
	if d.OnInvalid != nil {
		n.onInvalid = c.ref(d.OnInvalid, RuleRef, fmt.Sprintf("as on_invalid of %s %q", d.Kind, d.ID.Value))
	}
	// A caller who pressed nothing goes where an invalid key goes unless
	// told otherwise, at the node or in the defaults.
	switch {
	case d.OnNoInput != nil:
		n.onNoInput = c.ref(d.OnNoInput, RuleRef, fmt.Sprintf("as on_no_input of %s %q", d.Kind, d.ID.Value))
	case c.defaults.onNoInput != nil:
		n.onNoInput = c.links.onNoInput
	default:
		n.onNoInput = n.onInvalid
	}
	edges.add(EdgeInvalid, "", n.onInvalid)
	edges.add(EdgeNoInput, "", n.onNoInput)
	return edges
}

// leaveMenu moves a caller on from menu n by what they pressed: one of its
// keys, one of its hotkeys, a wrong key, or nothing.
func leaveMenu(f *Flow, n *Node, st State, in Input, s *Step) {
	m, d := n.menu, in.Digits
	if t, ok := n.keys[d]; ok && d != "" {
		s.Outcome = OutcomeKey
		if l, ok := m.langs[d]; ok {
			s.setLang(f, l)
		}
		f.forward(s, n, t, in)
		return
	}
	if h, ok := m.hotkeys[d]; ok && d != "" {
		switch h.action {
		case hotRepeat:
			s.Outcome = OutcomeRepeat
			s.stay(n, st)
		case hotMain:
			s.Outcome = OutcomeMain
			s.State.Back = nil
			f.enter(s, f.main, in)
		case hotBack:
			s.Outcome = OutcomeBack
			f.back1(s, n, st, in)
		default:
			s.Outcome = OutcomeHotkey
			f.forward(s, n, h.to, in)
		}
		return
	}
	f.retry(n, st, in, s, d == "")
}

// retry counts silence (or a wrong entry) at the menu or collect node n
// against its budget: while the budget lasts the caller hears its next
// message and the node again (its re-prompt, when it has one); once spent
// they go on to on_no_input (or on_invalid).
func (f *Flow) retry(n *Node, st State, in Input, s *Step, silence bool) {
	m := n.menu
	b, count, giveUp := &m.invalid, st.Invalid, n.onInvalid
	s.Outcome = OutcomeInvalid
	if silence {
		b, count, giveUp = &m.noInput, st.NoInput, n.onNoInput
		s.Outcome = OutcomeNoInput
	}
	if int(count) < b.retries {
		s.stay(n, st)
		if silence {
			s.State.NoInput++
			s.Outcome = OutcomeNoInputRetry
		} else {
			s.State.Invalid++
			s.Outcome = OutcomeInvalidRetry
		}
		if len(b.say) > 0 {
			s.say = append(s.say, b.say[min(int(count), len(b.say)-1)][s.lang])
		}
		s.reprompt = m.rebodies != nil
		return
	}
	f.enter(s, giveUp, in)
}

// forward takes a caller from menu n to t by a key: n is where "back"
// returns them.
func (f *Flow) forward(s *Step, n, t *Node, in Input) {
	if f.back {
		s.State.Back = push(s.State.Back, n.id)
	}
	f.enter(s, t, in)
}

// back1 takes a caller at menu n back to the menu they came from; one at
// the first menu hears it again. A menu a reload removed sends them to the
// main menu.
func (f *Flow) back1(s *Step, n *Node, st State, in Input) {
	if len(st.Back) == 0 {
		s.stay(n, st)
		return
	}
	to, ok := f.nodes[st.Back[len(st.Back)-1]]
	s.State.Back = st.Back[:len(st.Back)-1]
	if !ok {
		s.State.Back = nil
		to = f.main
	}
	f.enter(s, to, in)
}
