package engine

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine/internal/yamlwalk"
)

// RuleAudio reports a text whose recorded audio cannot be where it is: a
// menu prompt that ends with audio, which 8x8 cannot listen during.
const RuleAudio = "audio"

// Text is what a caller hears: words spoken by a voice, recorded audio,
// or a sequence of both; the same in every language, or given per
// language. It is written as a string, a list of segments (a string is
// speech, {play: URL} is audio), or a mapping of language tags to either.
type Text struct {
	Range
	// Variants are the text by language, in the order the file lists
	// them; one variant without Lang for a text that is the same in every
	// language.
	Variants []*Variant
}

// Variant is a text in one language: its segments in the order a caller
// hears them.
type Variant struct {
	// Lang is the language tag the variant is given for; nil for every
	// language.
	Lang *Scalar
	Range
	Segments []*Segment

	// reported is set when Parse reported a segment it dropped, so that
	// the variant is not reported empty too.
	reported bool
}

// Segment is one piece of a text: words to speak or audio to play.
type Segment struct {
	// Speech is the words; nil for audio.
	Speech *Scalar
	// Lang pins words to a language, spoken by its voice whatever the
	// caller's language ({say: Para español oprima 2., lang: es}, in a menu
	// that asks for the language); nil for the caller's language.
	Lang *Scalar
	// Play is the http(s) URL of an .mp3 or .wav file; nil for speech.
	Play *Scalar
}

// scalarText returns the text made of the one scalar s, spoken in every
// language.
func scalarText(s *Scalar) *Text {
	return &Text{Range: s.Range, Variants: []*Variant{{Range: s.Range, Segments: []*Segment{{Speech: s}}}}}
}

// segmentKeys are the keys of a segment given as a mapping: audio
// ({play: URL}), or words in a given language ({say: TEXT, lang: TAG}).
var segmentKeys = []string{"play", "say", "lang"}

// text parses a text value, described as what (see Text).
func (p *parser) text(n *yaml.Node, what string) *Text {
	r := yamlwalk.Resolve(n)
	t := &Text{Range: p.rng(r)}
	if r.Kind != yaml.MappingNode || isSegment(p.w, r) {
		v := &Variant{Range: t.Range}
		v.Segments, v.reported = p.segments(n, what)
		t.Variants = []*Variant{v}
		return t
	}
	p.mapping(n, what, nil, func(tag *Scalar, v *yaml.Node) {
		tv := &Variant{Lang: tag, Range: p.rng(yamlwalk.Resolve(v))}
		tv.Segments, tv.reported = p.segments(v, fmt.Sprintf("%s in %s", what, tag.Value))
		t.Variants = append(t.Variants, tv)
	})
	return t
}

// texts parses a text or a list of them, as the say of a budget takes.
// A list whose entries are all strings is a list of messages, as it was
// before texts could be sequences; a sequence of segments is written as a
// list inside the list.
func (p *parser) texts(n *yaml.Node, what string) []*Text {
	r := yamlwalk.Resolve(n)
	if r.Kind != yaml.SequenceNode {
		return []*Text{p.text(n, what)}
	}
	var out []*Text
	for _, item := range r.Content {
		out = append(out, p.text(item, what+" entry"))
	}
	return out
}

// isSegment reports whether the mapping m is one segment ({play: URL},
// {say: TEXT, lang: TAG}) rather than a text by language: no language is
// called play or say.
func isSegment(w *yamlwalk.Walker, m *yaml.Node) bool {
	for _, pair := range w.Pairs(m) {
		if pair.Key.Value == "play" || pair.Key.Value == "say" {
			return true
		}
	}
	return false
}

// segments parses one variant of a text: a segment or a list of them. It
// returns whether it reported one it dropped.
func (p *parser) segments(n *yaml.Node, what string) (out []*Segment, reported bool) {
	r := yamlwalk.Resolve(n)
	items := []*yaml.Node{n}
	if r.Kind == yaml.SequenceNode {
		items, what = r.Content, what+" entry"
	}
	for _, item := range items {
		if s := p.segment(item, what); s != nil {
			out = append(out, s)
		} else {
			reported = true
		}
	}
	return out, reported
}

// segment parses a string (speech), a {play: URL} mapping (audio) or a
// {say: TEXT, lang: TAG} mapping (words in a given language).
func (p *parser) segment(n *yaml.Node, what string) *Segment {
	if yamlwalk.Resolve(n).Kind != yaml.MappingNode {
		if s := p.scalar(n, what); s != nil {
			return &Segment{Speech: s}
		}
		return nil
	}
	seg := &Segment{}
	fields := map[string]**Scalar{"play": &seg.Play, "say": &seg.Speech, "lang": &seg.Lang}
	ok := p.mapping(n, what, segmentKeys, func(key *Scalar, v *yaml.Node) {
		*fields[key.Value] = p.scalar(v, what+"."+key.Value)
	})
	r := p.rng(yamlwalk.Resolve(n))
	switch {
	case !ok:
		return nil
	case seg.Play != nil && (seg.Speech != nil || seg.Lang != nil):
		p.errorf(r, RuleAudio, "%s is both audio and words: give play, or say and lang", what)
		return nil
	case seg.Play == nil && seg.Speech == nil:
		// A mapping with other keys only was reported as such.
		if len(p.w.Pairs(n)) == 0 || seg.Lang != nil {
			d := p.errorf(r, RuleMissingKey, "%s is a mapping without play or say", what)
			d.Hint = "audio is written {play: https://example.com/greeting.mp3}; words in a language {say: Para español oprima 2., lang: es}"
		}
		return nil
	}
	return seg
}

// rendition is a text, or a node's answer, compiled in one language: its
// actions, and where the file sets each of their parameters (by JSON path,
// $.callflow[0].params.text), for 8x8's rules to point at.
type rendition struct {
	cf callflows.Callflow
	at map[string]Range
}

// heard compiles the text t of node d in every language of the flow: the
// say and playFile actions a caller hears, by language. what names the
// text in messages; s are the node's settings, whose speed (and, in a flow
// without languages, voice) speak it. A language the text lacks hears
// the default language's variant (lint warns, see checkTexts).
func (c *compiler) heard(t *Text, d *NodeDecl, what string, s settings) []rendition {
	out := make([]rendition, len(c.langs))
	for i := range c.langs {
		voice, voiceAt := c.voiceIn(i, s)
		r := rendition{at: map[string]Range{}}
		v := c.variantOf(t, i)
		if v == nil || len(v.Segments) == 0 {
			r.cf = callflows.Callflow{&callflows.Say{VoiceProfile: voice, Speed: s.speed}}
			if t != nil {
				r.at["$.callflow[0].params.text"] = t.Range
			}
			switch {
			case v != nil && !v.reported:
				c.errorOnce(v.Range, RuleEmpty, "node %q has an empty %s text", d.ID.Value, what)
			case v == nil && t != nil: // an empty mapping of languages
				c.errorOnce(t.Range, RuleEmpty, "node %q has an empty %s text", d.ID.Value, what)
			}
			out[i] = r
			continue
		}
		for j, seg := range v.Segments {
			p := "$.callflow[" + strconv.Itoa(j) + "].params."
			if seg.Play != nil {
				r.cf = append(r.cf, &callflows.PlayFile{FileURL: c.audioURL(seg.Play, d)})
				r.at[p+"fileUrl"] = seg.Play.Range
				continue
			}
			by, byAt := voice, voiceAt // words pinned to a language: its voice
			if seg.Lang != nil {
				if l := c.langIndex(seg.Lang.Value); l >= 0 {
					by, byAt = c.voiceIn(l, s)
				}
			}
			r.cf = append(r.cf, &callflows.Say{Text: c.speech(seg.Speech, d, what), VoiceProfile: by, Speed: s.speed})
			r.at[p+"text"] = seg.Speech.Range
			if byAt.Pos.Line > 0 {
				r.at[p+"voiceProfile"] = byAt
			}
			if sp, ok := s.set["speed"]; ok {
				r.at[p+"speed"] = sp
			}
		}
		out[i] = r
	}
	return out
}

// prompt compiles a menu's prompt t in every language: what comes before
// its last segment, then sc, whose promptMessage is the last segment's
// words, spoken while 8x8 listens for keys. A prompt that ends with audio
// is an error: sayAndCapture needs words.
func (c *compiler) prompt(t *Text, d *NodeDecl, what string, sc *callflows.SayAndCapture, s settings) []rendition {
	out := c.heard(t, d, what, s)
	for i, r := range out {
		last := len(r.cf) - 1
		p := *sc
		if say, ok := r.cf[last].(*callflows.Say); ok {
			p.PromptMessage, p.VoiceProfile = say.Text, say.VoiceProfile
		} else if v := c.variantOf(t, i); v != nil {
			seg := v.Segments[len(v.Segments)-1].Play
			e := c.errorOnce(seg.Range, RuleAudio, "the %s of menu %q ends with audio; 8x8 listens for keys while it speaks words, so end it with words", what, d.ID.Value)
			if e != nil {
				e.Hint = "add the words to say last, such as: - Press 1 for sales."
			}
		}
		// The capture's settings are the last action's; the segments keep
		// their places, and the last one's words are its promptMessage.
		at := paramRanges(s.set, last)
		lastText := "$.callflow[" + strconv.Itoa(last) + "].params.text"
		for k, rg := range r.at {
			if k == lastText {
				k = "$.callflow[" + strconv.Itoa(last) + "].params.promptMessage"
			}
			at[k] = rg
		}
		r.cf[last] = &p
		out[i] = rendition{cf: r.cf, at: at}
	}
	return out
}

// speech returns the words of a speech segment expanded, with runs of
// white space (as a folded YAML block leaves them) made single spaces,
// and reports words that are empty.
func (c *compiler) speech(t *Scalar, d *NodeDecl, what string) string {
	fold := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	c.speaking = true
	defer func() { c.speaking = false }()
	text := c.expandOnce(t, fold, "node %q has an empty %s text", d.ID.Value, what)
	c.checkFilledLength(t, text)
	return text
}

// checkFilledLength reports a text whose values could make it longer than
// 8x8 takes once they are filled in: each hole counts as the longest a value
// can be said, so that no answer served can break the rule.
func (c *compiler) checkFilledLength(t *Scalar, text string) {
	holes := 0
	for _, r := range text {
		if isHole(r) {
			holes++
		}
	}
	if holes == 0 {
		return
	}
	if n := utf8.RuneCountInString(text) - holes + holes*maxValueSpoken; n > callflows.MaxTextLength {
		d := c.errorf(t.Range, RuleCallflow, "this text could be %d characters long with its values filled in, over the %d 8x8 takes", n, callflows.MaxTextLength)
		d.Hint = fmt.Sprintf("each value counts as %d characters, the longest one is said; shorten the text", maxValueSpoken)
	}
}

// audioURL returns the expanded URL of an audio segment; 8x8's rules for
// it (http or https, .mp3 or .wav) are checked with the rest of the
// answer, by callflows.Validate.
func (c *compiler) audioURL(t *Scalar, d *NodeDecl) string {
	return c.expandOnce(t, strings.TrimSpace, "node %q plays audio with an empty URL", d.ID.Value)
}

// expandOnce returns the segment t expanded and cleaned by clean, and
// reports one that comes out empty with the message format, unless an
// unknown {{var}} or an unset ${NAME} made it so. Each segment is
// expanded once, so that a text heard in several languages or menus is
// reported once.
func (c *compiler) expandOnce(t *Scalar, clean func(string) string, format string, args ...any) string {
	if s, ok := c.spoken[t]; ok {
		return s
	}
	reported, unset := len(c.diags), c.unsetUsed
	s := clean(c.expand(t))
	if s == "" && len(c.diags) == reported && c.unsetUsed == unset {
		c.errorf(t.Range, RuleEmpty, format, args...)
	}
	c.spoken[t] = s
	return s
}

// errorOnce reports an error at r unless the same one was reported there;
// it returns nil then.
func (c *compiler) errorOnce(r Range, rule, format string, args ...any) *Diagnostic {
	key := r.Pos.String() + "\x00" + rule + "\x00" + fmt.Sprintf(format, args...)
	if c.validated[key] {
		return nil
	}
	c.validated[key] = true
	return c.errorf(r, rule, format, args...)
}

// say compiles a text of node d that is said (not a prompt): see heard.
// With hangup, the call ends after it.
func (c *compiler) say(t *Text, d *NodeDecl, what string, s settings, hangup bool) []rendition {
	out := c.heard(t, d, what, s)
	if hangup {
		for i := range out {
			out[i].cf = append(out[i].cf, &callflows.Hangup{})
		}
	}
	return out
}

// callflowsOf returns the callflows of renditions, by language.
func callflowsOf(rs []rendition) []callflows.Callflow {
	out := make([]callflows.Callflow, len(rs))
	for i, r := range rs {
		out[i] = r.cf
	}
	return out
}

// setNode makes the renditions of n's answer, by language, its callflows;
// the default language's is the one validate checks with its positions.
func (c *compiler) setNode(n *Node, rs []rendition) {
	n.callflow = rs[0].cf
	n.flows = callflowsOf(rs)
	c.params[n] = rs[0].at
	c.renditions[n] = rs
}
