package engine

import (
	"slices"
	"strings"

	"github.com/ivrctl/ivrctl/callflows"
)

// Retries is how many times a menu forgives silence or a wrong key, and
// what it says each time, in the flow's default language: what sim, test,
// graph and diff show of a menu's budget.
type Retries struct {
	// Count is how many times the menu asks again; 0 moves on at once.
	Count int
	// Say are the messages said each time, in turn; the last one is said
	// again when there are fewer messages than retries.
	Say []string
}

// NoInputRetries returns menu n's budget for silence; zero for a node that
// is not a menu.
func (n *Node) NoInputRetries() Retries {
	if n.menu == nil {
		return Retries{}
	}
	return n.menu.noInput.info()
}

// InvalidRetries returns menu n's budget for wrong keys; zero for a node
// that is not a menu.
func (n *Node) InvalidRetries() Retries {
	if n.menu == nil {
		return Retries{}
	}
	return n.menu.invalid.info()
}

func (b *budget) info() Retries {
	r := Retries{Count: b.retries}
	for _, m := range b.msgs {
		r.Say = append(r.Say, spoken(m))
	}
	return r
}

// Reprompt returns the shorter prompt menu n asks again with, in the
// flow's default language; "" when it has none.
func (n *Node) Reprompt() string {
	if n.menu == nil {
		return ""
	}
	return spoken(n.menu.reprompts)
}

// spoken returns the words of rs' default language, its texts joined by
// spaces (recorded audio has none).
func spoken(rs []rendition) string {
	if len(rs) == 0 {
		return ""
	}
	var words []string
	for _, a := range rs[0].cf {
		switch a := a.(type) {
		case *callflows.Say:
			words = append(words, a.Text)
		case *callflows.SayAndCapture:
			words = append(words, a.PromptMessage)
		}
	}
	return strings.Join(words, " ")
}

// Hotkey returns what the hotkey key of menu n does: "repeat", "back",
// "main", or "" for one that goes to a node (its EdgeHotkey says which);
// ok is false when n has no such hotkey.
func (n *Node) Hotkey(key string) (action string, ok bool) {
	if n.menu == nil {
		return "", false
	}
	h, ok := n.menu.hotkeys[key]
	if !ok {
		return "", false
	}
	return h.action, true
}

// Hotkeys returns the keys of menu n's hotkeys, inherited and its own, in
// the order the defaults then the menu list them; none for other kinds.
func (n *Node) Hotkeys() []string {
	if n.menu == nil {
		return nil
	}
	return slices.Clone(n.menu.order)
}
