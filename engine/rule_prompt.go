package engine

import (
	"strings"

	"github.com/ivrctl/ivrctl/callflows"
)

// Rule IDs of the checks of what a caller hears against what a menu does.
const (
	// RulePromptKey reports a prompt that tells the caller to press a key
	// the menu does not have.
	RulePromptKey = "prompt-key"
	// RuleUnmentionedKey reports a key that the menu's prompt never
	// mentions, which no caller will know to press.
	RuleUnmentionedKey = "unmentioned-key"
)

// word is a run of letters and digits, or a single * or #, in a prompt.
type word struct {
	text       string // lower case
	start, end int    // byte offsets in the prompt
}

// promptWords splits a prompt into words.
func promptWords(s string) []word {
	var ws []word
	for i := 0; i < len(s); {
		ch := s[i]
		switch {
		case ch == '*' || ch == '#':
			ws = append(ws, word{string(ch), i, i + 1})
			i++
		case isAlnum(ch):
			j := i
			for j < len(s) && isAlnum(s[j]) {
				j++
			}
			ws = append(ws, word{strings.ToLower(s[i:j]), i, j})
			i = j
		default:
			i++
		}
	}
	return ws
}

func isAlnum(ch byte) bool {
	return '0' <= ch && ch <= '9' || 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z'
}

// keyOf returns the DTMF key a word names: digits, or star, asterisk,
// pound, hash and the symbols themselves.
func keyOf(w string) (string, bool) {
	switch w {
	case "*", "star", "asterisk":
		return "*", true
	case "#", "pound", "hash":
		return "#", true
	}
	if w == "" {
		return "", false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return "", false
		}
	}
	return w, true
}

// mention is a key a prompt tells the caller to press, and the words that
// say so.
type mention struct {
	key        string
	start, end int
}

// keyMentions finds where a prompt tells the caller to press a key:
// "press 1", "press the star key", "enter 2", "dial 0", "press 1 or 2" and
// "3 for ...". A number after "dial" that is longer than the menu captures
// (maxDigits) is a phone number ("hang up and dial 999"), not a key.
func keyMentions(s string, maxDigits int) []mention {
	ws := promptWords(s)
	var ms []mention
	seen := make(map[int]bool) // by the key word's index
	add := func(from, i int) {
		if seen[i] {
			return
		}
		seen[i] = true
		k, _ := keyOf(ws[i].text)
		ms = append(ms, mention{k, ws[from].start, ws[i].end})
	}
	// next says that word i is followed by word j with only spaces
	// between: "999. For" is two sentences, not "999 for".
	next := func(i, j int) bool {
		return j < len(ws) && strings.TrimSpace(s[ws[i].end:ws[j].start]) == ""
	}
	isKey := func(i int) bool {
		if i >= len(ws) {
			return false
		}
		_, ok := keyOf(ws[i].text)
		return ok
	}
	for i, w := range ws {
		switch w.text {
		case "press", "enter", "dial":
			j := i + 1
			if next(i, j) && ws[j].text == "the" {
				j++
			}
			if !next(j-1, j) || !isKey(j) {
				continue
			}
			if k, _ := keyOf(ws[j].text); w.text == "dial" && k != "*" && k != "#" && len(k) > maxDigits {
				continue
			}
			add(i, j)
			for next(j, j+1) && ws[j+1].text == "or" && next(j+1, j+2) && isKey(j+2) {
				j += 2
				add(j, j)
			}
		case "for":
			if i > 0 && next(i-1, i) && isKey(i-1) && !seen[i-1] {
				add(i-1, i-1)
				ms[len(ms)-1].end = w.end
			}
		}
	}
	return ms
}

// checkPrompts compares what each menu's prompt tells the caller to press
// with the keys the menu has. The prompt is read as written, before
// {{var}} expansion, so that every mention has its place in the file.
func (c *compiler) checkPrompts() {
	for _, d := range c.f.Nodes {
		if d.Kind != KindMenu || d.Text == nil || len(d.Keys) == 0 {
			continue
		}
		n := c.nodes[d.ID.Value]
		maxDigits := 1
		for _, k := range d.Keys {
			maxDigits = max(maxDigits, len(k.Key.Value))
		}
		if n != nil && len(n.callflow) == 1 {
			if sc, ok := n.callflow[0].(*callflows.SayAndCapture); ok {
				maxDigits = max(maxDigits, sc.MaxDigits)
			}
		}
		has := make(map[string]bool, len(d.Keys))
		for _, k := range d.Keys {
			has[k.Key.Value] = true
		}
		mentioned := make(map[string]bool)
		for _, m := range keyMentions(d.Text.Value, maxDigits) {
			mentioned[m.key] = true
			if !has[m.key] {
				c.warnf(d.Text.sub(m.start, m.end), RulePromptKey, "the prompt says %q but menu %q has no key %s", d.Text.Value[m.start:m.end], d.ID.Value, m.key)
			}
		}
		for _, k := range d.Keys {
			if !mentioned[k.Key.Value] && callflows.IsDTMF(k.Key.Value) {
				c.warnf(k.Key.Range, RuleUnmentionedKey, "key %s of menu %q is not mentioned in its prompt, so no caller will know to press it", k.Key.Value, d.ID.Value)
			}
		}
	}
}
