package engine

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine/internal/yamlwalk"
)

// Rule IDs of the checks on a flow's languages.
const (
	// RuleLanguage reports a language that cannot be: a tag that is not a
	// language tag or that the flow does not declare, a language without
	// a voice, a voice set where each language's voice speaks.
	RuleLanguage = "language"
	// RuleLanguageMissing reports a text that lacks one of the flow's
	// languages: callers in it hear the default language's words.
	RuleLanguageMissing = "language-missing"
	// RuleLanguageUnused reports a language no key chooses, which no
	// caller can hear.
	RuleLanguageUnused = "language-unused"
	// RuleFallbackLanguage reports a flow with languages that leaves its
	// fallback to the built-in one, which speaks English.
	RuleFallbackLanguage = "fallback-language"
)

// Language is one language a flow speaks, from its languages mapping.
type Language struct {
	Tag *Scalar
	Range
	// Voice is the speech profile every text in the language is spoken
	// with.
	Voice *Scalar
	// Words are how the language's prompts ask for a key ("oprima"),
	// beyond the words ivrctl knows for it.
	Words []*Scalar
}

var (
	languageKeys = []string{"voice", "words"}
	// keyKeys are the keys of a menu key given as a mapping.
	keyKeys = []string{"to", "lang"}
	// langTag is a language tag as BCP 47 writes the usual ones: en,
	// es-MX, zh-Hant-TW.
	langTag = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
)

// languages parses the languages mapping: a tag to a voice, or to a
// mapping of voice and words.
func (p *parser) languages(f *File, n *yaml.Node) {
	f.LanguagesRange = p.rng(yamlwalk.Resolve(n))
	p.mapping(n, "languages", nil, func(tag *Scalar, v *yaml.Node) {
		l := &Language{Tag: tag, Range: p.rng(yamlwalk.Resolve(v))}
		what := fmt.Sprintf("language %q", tag.Value)
		p.shortOrLong(v, what, languageKeys, func(s *Scalar) { l.Voice = s }, func(key *Scalar, v *yaml.Node) {
			switch key.Value {
			case "voice":
				l.Voice = p.scalar(v, what+".voice")
			case "words":
				l.Words = p.scalars(v, what+".words")
			}
		})
		f.Languages = append(f.Languages, l)
	})
}

// shortOrLong parses a value, described as what, that is written short,
// as a single value handed to short (nil when it is not one, which is
// reported), or long, as a mapping of the keys allowed, handed to long.
// It returns whether the value is a mapping.
func (p *parser) shortOrLong(n *yaml.Node, what string, allowed []string, short func(*Scalar), long func(key *Scalar, v *yaml.Node)) bool {
	if yamlwalk.Resolve(n).Kind != yaml.MappingNode {
		short(p.scalar(n, what))
		return false
	}
	p.mapping(n, what, allowed, long)
	return true
}

// key parses one key of a menu: a node ID, or a mapping of to and lang.
func (p *parser) key(nd *NodeDecl, k *Scalar, t *yaml.Node, what string) {
	field := fmt.Sprintf("%s key %q", what, k.Value)
	kd := &KeyDecl{Key: k}
	long := p.shortOrLong(t, field, keyKeys, func(s *Scalar) { kd.Target = s }, func(key *Scalar, v *yaml.Node) {
		switch key.Value {
		case "to":
			kd.Target = p.scalar(v, field+".to")
		case "lang":
			kd.Lang = p.scalar(v, field+".lang")
		}
	})
	if kd.Target == nil {
		if long {
			p.errorf(p.rng(yamlwalk.Resolve(t)), RuleMissingKey, "%s is missing required key %q: the node the key leads to", field, "to")
		}
		nd.keysReported = true
		return
	}
	nd.Keys = append(nd.Keys, kd)
}

// lang is one of a flow's languages, compiled.
type lang struct {
	tag string
	// voice speaks every text in the language; "" in a flow without
	// languages, where each node's voice does.
	voice   string
	voiceAt Range
	// lex is how its prompts ask for keys; nil when ivrctl knows no words
	// for it and the flow gives none.
	lex *lexicon
}

// compileLanguages reads the flow's languages; a flow without them has
// one, "", in which every node speaks with its own voice.
func (c *compiler) compileLanguages() {
	if len(c.f.Languages) == 0 {
		c.langs = []lang{{lex: lexiconFor("en", nil)}}
		return
	}
	for _, l := range c.f.Languages {
		if !langTag.MatchString(l.Tag.Value) {
			d := c.errorf(l.Tag.Range, RuleLanguage, "%q is not a language tag", l.Tag.Value)
			d.Hint = "write a tag such as en, es or fr-CA"
		}
		cl := lang{tag: l.Tag.Value}
		if l.Voice != nil {
			cl.voice, cl.voiceAt = strings.TrimSpace(c.expand(l.Voice)), l.Voice.Range
		}
		if cl.voice == "" {
			d := c.errorf(rangeOr(l.Voice, l.Tag.Range), RuleLanguage, "language %q has no voice", l.Tag.Value)
			d.Hint = fmt.Sprintf("%s: {voice: a speech profile such as es-MX-DaliaNeural}", l.Tag.Value)
		}
		var words []string
		for _, w := range l.Words {
			words = append(words, strings.ToLower(strings.TrimSpace(w.Value)))
		}
		cl.lex = lexiconFor(l.Tag.Value, words)
		c.langs = append(c.langs, cl)
	}
	// Each language's voice speaks its texts: a voice set elsewhere would
	// speak nothing, or every language with one voice.
	voices := []*Scalar{}
	if d := c.f.Defaults; d != nil && d.Voice != nil {
		voices = append(voices, d.Voice)
	}
	for _, d := range c.f.Nodes {
		if d.Voice != nil {
			voices = append(voices, d.Voice)
		}
	}
	for _, v := range voices {
		d := c.errorf(v.Range, RuleLanguage, "a flow with languages speaks each text with its language's voice; this voice would not be used")
		d.Hint = "set the voice of each language under languages"
	}
}

// langTags returns the tags of the flow's languages.
func (c *compiler) langTags() []string {
	tags := make([]string, len(c.langs))
	for i, l := range c.langs {
		tags[i] = l.tag
	}
	return tags
}

// voiceIn returns the voice that speaks in the language i for a node
// with settings s, and where it is set.
func (c *compiler) voiceIn(i int, s settings) (string, Range) {
	if l := c.langs[i]; l.voice != "" {
		return l.voice, l.voiceAt
	}
	return s.voice, s.set["voiceProfile"]
}

// variantOf returns the variant of t heard in the language i: its own,
// the one for every language, or else the default language's (or the
// first) so that a caller hears something. Nil for a nil t.
func (c *compiler) variantOf(t *Text, i int) *Variant {
	if t == nil || len(t.Variants) == 0 {
		return nil
	}
	for _, v := range t.Variants {
		if v.Lang == nil || v.Lang.Value == c.langs[i].tag {
			return v
		}
	}
	if i != 0 {
		if v := c.variantOf(t, 0); v != nil {
			return v
		}
	}
	return t.Variants[0]
}

// texts returns every text of the file: the defaults' messages, then
// each node's.
func (f *File) texts() []*Text {
	var ts []*Text
	add := func(t ...*Text) {
		for _, x := range t {
			if x != nil {
				ts = append(ts, x)
			}
		}
	}
	budgets := func(bs ...*Budget) {
		for _, b := range bs {
			if b != nil {
				add(b.Say...)
			}
		}
	}
	if d := f.Defaults; d != nil {
		budgets(d.NoInput, d.Invalid)
	}
	for _, d := range f.Nodes {
		add(d.Text, d.Reprompt)
		budgets(d.NoInput, d.Invalid)
	}
	return ts
}

// checkTexts checks every text against the flow's languages: a text
// given by language in a flow without languages, a tag the flow does not
// declare, and (a warning) a language a text lacks.
func (c *compiler) checkTexts() {
	tags := c.langTags()
	for _, t := range c.f.texts() {
		has := map[string]bool{}
		whole := false
		for _, v := range t.Variants {
			// Words pinned to a language are the same for every caller.
			pinned := true
			for _, seg := range v.Segments {
				if seg.Lang != nil {
					c.checkTag(seg.Lang, "words are given")
				}
				pinned = pinned && (seg.Speech == nil || seg.Lang != nil)
			}
			if v.Lang == nil {
				whole = whole || !pinned
				continue
			}
			has[v.Lang.Value] = true
			c.checkTag(v.Lang, "a text is given")
		}
		if len(c.f.Languages) < 2 || len(has) == 0 && !whole {
			continue
		}
		if whole {
			w := c.warnf(t.Range, RuleLanguageMissing, "this text is the same in every language: %s would hear it in their voice", strings.Join(tags[1:], ", "))
			w.Hint = fmt.Sprintf("give it per language: {%s: ..., %s: ...}, or ignore %s where the words are the same", tags[0], tags[1], RuleLanguageMissing)
			continue
		}
		var missing []string
		for _, tag := range tags {
			if !has[tag] {
				missing = append(missing, tag)
			}
		}
		if len(missing) > 0 {
			w := c.warnf(t.Range, RuleLanguageMissing, "this text has no %s: callers in it hear %s", strings.Join(missing, ", "), c.variantOf(t, c.langIndex(missing[0])).langName(tags[0]))
			w.Hint = "add " + strings.Join(missing, ", ")
		}
	}
	c.checkLangKeys()
}

// checkTag reports a language tag in a text that the flow does not
// declare; what says what is given in it.
func (c *compiler) checkTag(tag *Scalar, what string) {
	tags := c.langTags()
	switch {
	case len(c.f.Languages) == 0:
		d := c.errorf(tag.Range, RuleLanguage, "%s in %q, but the flow declares no languages", what, tag.Value)
		d.Hint = fmt.Sprintf("declare them at the top: languages: {%s: {voice: ...}}", tag.Value)
	case !slices.Contains(tags, tag.Value):
		d := c.errorf(tag.Range, RuleLanguage, "unknown language %q: the flow declares %s", tag.Value, strings.Join(tags, ", "))
		d.Hint = yamlwalk.Suggest(tag.Value, tags)
	}
}

// langName names the language of v for a message.
func (v *Variant) langName(dflt string) string {
	if v.Lang == nil {
		return dflt
	}
	return v.Lang.Value
}

// langIndex returns the index of the language tag, -1 when the flow has
// none such.
func (c *compiler) langIndex(tag string) int {
	return slices.IndexFunc(c.langs, func(l lang) bool { return l.tag == tag })
}

// checkLangKeys checks the keys that choose a language, and warns about
// a language none chooses, and about the built-in fallback, which speaks
// English, in a flow with languages.
func (c *compiler) checkLangKeys() {
	tags := c.langTags()
	chosen := map[string]bool{}
	for _, d := range c.f.Nodes {
		for _, k := range d.Keys {
			if k.Lang == nil {
				continue
			}
			if c.langIndex(k.Lang.Value) < 0 || len(c.f.Languages) == 0 {
				msg := "key %q of menu %q sets the language %q, which the flow does not declare"
				d := c.errorf(k.Lang.Range, RuleLanguage, msg, k.Key.Value, d.ID.Value, k.Lang.Value)
				d.Hint = yamlwalk.Suggest(k.Lang.Value, tags)
				if len(c.f.Languages) == 0 {
					d.Hint = fmt.Sprintf("declare it at the top: languages: {%s: {voice: ...}}", k.Lang.Value)
				}
				continue
			}
			chosen[k.Lang.Value] = true
		}
	}
	if len(c.f.Languages) < 2 {
		return
	}
	for _, l := range c.f.Languages[1:] {
		if !chosen[l.Tag.Value] {
			w := c.warnf(l.Tag.Range, RuleLanguageUnused, "no key chooses the language %q, so no caller hears it", l.Tag.Value)
			w.Hint = fmt.Sprintf("let a menu key choose it: \"N\": {to: NODE, lang: %s}", l.Tag.Value)
		}
	}
	if c.f.Fallback == nil {
		w := c.warnf(c.f.LanguagesRange, RuleFallbackLanguage, "the built-in fallback says %q in English, in every language", DefaultFallbackText)
		w.Hint = "add a say node with the message in each language, and name it as fallback"
	}
}

// keyLangs compiles the languages the keys of menu d set.
func (c *compiler) keyLangs(d *NodeDecl, m *menu) {
	for _, k := range d.Keys {
		if k.Lang == nil {
			continue
		}
		if i := c.langIndex(k.Lang.Value); i >= 0 && len(c.f.Languages) > 0 {
			if m.langs == nil {
				m.langs = map[string]int{}
			}
			m.langs[k.Key.Value] = i
		}
	}
}

// setLang sets the call's language to the flow's language i. The default
// language is carried as "", so that a call in it keeps a bare state.
func (s *Step) setLang(f *Flow, i int) {
	s.lang, s.tag = i, f.langs[i]
	s.State.Lang = ""
	if i > 0 {
		s.State.Lang = f.langs[i]
	}
}

// KeyLang returns the language tag a key of the menu sets, and whether it
// sets one.
func (n *Node) KeyLang(key string) (string, bool) {
	if n.menu == nil || n.menu.langs == nil {
		return "", false
	}
	i, ok := n.menu.langs[key]
	if !ok {
		return "", false
	}
	return n.langs[i], true
}

// CallflowIn returns the node's actions in the language tag ("" for the
// default), as a caller in that language hears them; nil for a language
// the flow does not have.
func (n *Node) CallflowIn(tag string) callflows.Callflow {
	i := slices.Index(n.langs, tag)
	if tag == "" {
		i = 0
	}
	if i < 0 {
		return nil
	}
	if n.flows == nil {
		return n.Callflow()
	}
	return slices.Clone(n.flows[i])
}
