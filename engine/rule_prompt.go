package engine

import (
	"strings"
	"unicode"
	"unicode/utf8"

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
	// RuleHashKey reports a key with # on a menu that completes on hash,
	// which no caller can press.
	RuleHashKey = "hash-key"
)

// word is a run of letters and digits, or a single * or #, in a prompt.
type word struct {
	text       string // lower case
	start, end int    // byte offsets in the prompt
}

// promptWords splits a prompt into words: runs of letters (in any
// script: "drücken", "opción") and digits.
func promptWords(s string) []word {
	var ws []word
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '*' || r == '#':
			ws = append(ws, word{string(r), i, i + 1})
			i++
		case isAlnum(r):
			j := i
			for j < len(s) {
				r, n := utf8.DecodeRuneInString(s[j:])
				if !isAlnum(r) {
					break
				}
				j += n
			}
			ws = append(ws, word{strings.ToLower(s[i:j]), i, j})
			i = j
		default:
			i += n
		}
	}
	return ws
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// keyOf returns the DTMF key a word names in the language of lex: digits,
// the symbols * and #, their names (star, pound, ...), and, when words is
// set, a digit said as a word (one, two, ...).
func (lex *lexicon) keyOf(w string, words bool) (string, bool) {
	switch {
	case w == "*" || lex.star[w]:
		return "*", true
	case w == "#" || lex.pound[w]:
		return "#", true
	}
	if d, ok := lex.numbers[w]; ok && words {
		return d, true
	}
	if !isDigits(w) {
		return "", false
	}
	return w, true
}

func isDigits(w string) bool {
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}

// mention is a key a prompt tells the caller to press, and the words that
// say so. A soft mention is a key inside a range that may not be about
// keys at all ("rate your call from 1 to 5", but also "open 9 to 5"): it
// counts as mentioning the key, but is not reported when the menu has no
// such key.
type mention struct {
	key        string
	start, end int
	soft       bool
}

// keyMentions finds where a prompt tells the caller to press a key, read
// with the words of its language, lex (the English ones below; see
// lexicons). Only two forms name keys:
//
//   - a press word (see lexicon.press), then a key: "press 1", "press the
//     star key", "press one", "enter 2", "dial 0", "select option 3",
//     "press 1 or 2", and a range, "press 1 to 5";
//   - a key that starts a clause, then "for" or "to" and words that are
//     not a number: "3 for hours", "2 to go back", ", or 9 for help".
//
// So prices, quantities and times are not keys: "feeds 10 for 99
// dollars" (10 does not start a clause), "open 9 to 5" (a number follows),
// "enter 4 digits" (a unit follows). A range of single digits elsewhere,
// "rate your call from 1 to 5", is a soft mention of each key in it. A
// number after "dial" that is longer than the menu captures (maxDigits)
// is a phone number ("hang up and dial 999"), not a key.
func keyMentions(s string, maxDigits int, lex *lexicon) []mention {
	ws := promptWords(s)
	var ms []mention
	seen := make(map[int]bool) // by the key word's index
	add := func(from, i int, words bool) {
		if seen[i] {
			return
		}
		seen[i] = true
		k, _ := lex.keyOf(ws[i].text, words)
		ms = append(ms, mention{key: k, start: ws[from].start, end: ws[i].end})
	}
	// next says that word i is followed by word j with only spaces
	// between: "999. For" is two sentences, not "999 for".
	next := func(i, j int) bool {
		return j < len(ws) && strings.TrimSpace(s[ws[i].end:ws[j].start]) == ""
	}
	is := func(i int, set map[string]bool) bool { return i < len(ws) && set[ws[i].text] }
	isKey := func(i int, words bool) bool {
		if i >= len(ws) {
			return false
		}
		_, ok := lex.keyOf(ws[i].text, words)
		return ok && !(next(i, i+1) && is(i+1, lex.units))
	}
	isDigit := func(i int) bool { return i < len(ws) && len(ws[i].text) == 1 && isDigits(ws[i].text) }
	// rangeEnd returns the index of the word that ends a range of keys
	// starting at word i ("1 to 5", "1-5"), or 0.
	rangeEnd := func(i int) int {
		if !isDigit(i) || i+1 >= len(ws) {
			return 0
		}
		j := i + 1
		switch gap := strings.TrimSpace(s[ws[i].end:ws[j].start]); {
		case gap == "" && lex.ranges[ws[j].text]:
			if j++; !next(j-1, j) {
				return 0
			}
		case gap != "-":
			return 0
		}
		if !isDigit(j) || ws[j].text <= ws[i].text {
			return 0
		}
		return j
	}
	addRange := func(from, i, j int, soft bool) {
		seen[i], seen[j] = true, true
		for d := ws[i].text[0]; d <= ws[j].text[0]; d++ {
			ms = append(ms, mention{key: string(d), start: ws[from].start, end: ws[j].end, soft: soft})
		}
	}
	// clauseStart says that word i starts a clause: it is the first word,
	// or only punctuation and blanks, or "or" or "and", come before it.
	clauseStart := func(i int) bool {
		if i == 0 {
			return strings.Trim(s[:ws[0].start], " \t\n,.;:!?()\"'") == ""
		}
		gap := s[ws[i-1].end:ws[i].start]
		if w := ws[i-1].text; lex.joins[w] && strings.TrimSpace(gap) == "" {
			return true
		}
		return strings.ContainsAny(gap, ",.;:!?") && strings.Trim(gap, " \t\n,.;:!?()\"'") == ""
	}
	for i, w := range ws {
		switch {
		case lex.press[w.text]:
			j := i + 1
			for next(j-1, j) && lex.fillers[ws[j].text] && j < i+4 { // "appuyez sur la touche 1"
				j++
			}
			if !next(j-1, j) || !isKey(j, true) {
				continue
			}
			if k, _ := lex.keyOf(ws[j].text, true); w.text == "dial" && k != "*" && k != "#" && len(k) > maxDigits {
				continue
			}
			if e := rangeEnd(j); e > 0 {
				addRange(i, j, e, false)
				continue
			}
			add(i, j, true)
			for next(j, j+1) && lex.ors[ws[j+1].text] && next(j+1, j+2) && isKey(j+2, true) {
				j += 2
				add(j, j, true)
			}
		case lex.clauses[w.text] && i > 0 && next(i-1, i) && !seen[i-1] && isKey(i-1, false) && clauseStart(i-1):
			if i+1 < len(ws) && next(i, i+1) && (isDigits(ws[i+1].text) || lex.numbers[ws[i+1].text] != "") {
				continue // "9 to 5", "2 for 1": numbers, not a key
			}
			if i+1 < len(ws) && strings.ContainsAny(s[ws[i].end:ws[i+1].start], "$€£") {
				continue // "1 for $5"
			}
			add(i-1, i-1, false)
			ms[len(ms)-1].end = w.end
		}
	}
	for i := range ws {
		if e := rangeEnd(i); e > 0 && !seen[i] {
			addRange(i, i, e, true)
		}
	}
	return ms
}

// checkPrompts compares what each menu's prompt tells the caller to press
// with the keys the menu has, in each language with the words of that
// language (see lexicon). The prompt is read as written, before {{var}}
// expansion, so that every mention has its place in the file. A key
// counts as mentioned when the prompt mentions it in any language: a
// menu that chooses the language says each key in its own.
func (c *compiler) checkPrompts() {
	for _, d := range c.f.Nodes {
		if d.Kind != KindMenu || d.Text == nil || len(d.Keys) == 0 {
			continue
		}
		maxDigits := 1
		for _, k := range d.Keys {
			maxDigits = max(maxDigits, len(k.Key.Value))
		}
		sc := c.capture(d.ID.Value)
		if sc != nil {
			maxDigits = max(maxDigits, sc.MaxDigits)
		}
		hashEnds := completesOnHash(sc)
		has := make(map[string]bool, len(d.Keys))
		for _, k := range d.Keys {
			has[k.Key.Value] = true
		}
		if n := c.nodes[d.ID.Value]; n != nil && n.menu != nil {
			for k := range n.menu.hotkeys { // "to go back press star"
				has[k] = true
			}
		}
		mentioned := make(map[string]bool)
		read := false
		for _, v := range d.Text.Variants {
			lex := c.lexiconOf(v)
			if lex == nil {
				continue // a language whose words ivrctl does not know
			}
			read = true
			for _, seg := range v.Segments {
				if seg.Speech == nil {
					continue
				}
				t, lex := seg.Speech, lex
				if seg.Lang != nil {
					if lex = c.lexiconOf(&Variant{Lang: seg.Lang}); lex == nil {
						continue
					}
				}
				for _, m := range keyMentions(t.Value, maxDigits, lex) {
					mentioned[m.key] = true
					// With complete_on_hash, "press pound" tells the caller how to
					// end the entry, not a key of the menu.
					if !has[m.key] && !m.soft && !(hashEnds && m.key == "#") {
						c.warnf(t.sub(m.start, m.end), RulePromptKey, "the prompt says %q but menu %q has no key %s", t.Value[m.start:m.end], d.ID.Value, m.key)
					}
				}
			}
		}
		if !read {
			continue
		}
		for _, k := range d.Keys {
			// A key with # on such a menu is reported by checkHashKeys.
			if !mentioned[k.Key.Value] && callflows.IsDTMF(k.Key.Value) && !(hashEnds && strings.Contains(k.Key.Value, "#")) {
				c.warnf(k.Key.Range, RuleUnmentionedKey, "key %s of menu %q is not mentioned in its prompt, so no caller will know to press it", k.Key.Value, d.ID.Value)
			}
		}
	}
}

// lexiconOf returns the words the variant v of a prompt is read with: its
// language's, or for a variant heard in every language, those of all of
// them. Nil when ivrctl knows no words for its language.
func (c *compiler) lexiconOf(v *Variant) *lexicon {
	if v.Lang != nil {
		if i := c.langIndex(v.Lang.Value); i >= 0 {
			return c.langs[i].lex
		}
		return nil
	}
	var all *lexicon
	for _, l := range c.langs {
		all = all.union(l.lex)
	}
	return all
}

// capture returns the compiled capture of the menu id, or nil.
func (c *compiler) capture(id string) *callflows.SayAndCapture {
	n := c.nodes[id]
	if n == nil || len(n.callflow) == 0 {
		return nil
	}
	sc, _ := n.callflow[len(n.callflow)-1].(*callflows.SayAndCapture)
	return sc
}

// completesOnHash reports whether the capture sc ends the caller's entry
// at #, which 8x8 then does not send as a digit.
func completesOnHash(sc *callflows.SayAndCapture) bool {
	return sc != nil && sc.CompleteOnHash != nil && *sc.CompleteOnHash
}

// checkHashKeys reports the keys with a # of menus that complete on hash:
// 8x8 takes # as the end of the entry there and never sends it, so no
// caller can press such a key.
func (c *compiler) checkHashKeys() {
	for _, d := range c.f.Nodes {
		if d.Kind != KindMenu || !completesOnHash(c.capture(d.ID.Value)) {
			continue
		}
		for _, k := range d.Keys {
			if strings.Contains(k.Key.Value, "#") && callflows.IsDTMF(k.Key.Value) {
				w := c.warnf(k.Key.Range, RuleHashKey, "key %s of menu %q can never be pressed: with complete_on_hash: true, # ends the caller's entry and 8x8 does not send it", k.Key.Value, d.ID.Value)
				w.Hint = "use another key, or set complete_on_hash: false"
			}
		}
	}
}
