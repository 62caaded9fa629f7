package engine_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/callstate"
)

// bilingualFlow chooses a language at its first menu; everything after
// is in it: menus, re-prompts, budget messages, messages that continue,
// and the fallback.
const bilingualFlow = `
languages:
  en: en-US-JennyNeural
  es: {voice: es-MX-DaliaNeural, words: [escoja]}
start: greeting
fallback: oops
defaults:
  no_input:
    retries: 1
    say: {en: I did not hear anything., es: No escuché nada.}
  invalid:
    retries: 1
    say:
      - {en: Sorry., es: Perdón.}
  on_invalid: oops
nodes:
  greeting:
    say:
      en: [{play: "https://example.com/greeting.mp3"}, Thank you for calling.]
      es: [{play: "https://example.com/greeting.mp3"}, Gracias por llamar.]
    then: choose
  choose:
    menu:
      en: For English, press 1. Para español, oprima 2.
      es: Para español, oprima 2. For English, press 1.
    keys:
      "1": {to: banner, lang: en}
      "2": {to: banner, lang: es}
    on_no_input: banner
  banner:
    say: {en: Our hours have changed., es: Nuestro horario cambió.}
    then: main
  main:
    menu:
      en: [{play: "https://example.com/chime.wav"}, For hours press 1.]
      es: [{play: "https://example.com/chime.wav"}, Para el horario escoja 1.]
    reprompt: {en: Press 1., es: Oprima 1.}
    keys: {"1": hours}
  hours:
    say: {en: We are open 9 to 5., es: Abrimos de 9 a 5.}
  oops:
    say: {en: Something went wrong., es: Algo salió mal.}
`

// heard returns what the last answer says, with the voice of each
// spoken action and the audio played: "(voice) text" or "play URL".
func (c *call) heard() []string {
	var out []string
	for _, a := range c.last.Callflow {
		switch a := a.(type) {
		case *callflows.Say:
			out = append(out, fmt.Sprintf("(%s) %s", a.VoiceProfile, a.Text))
		case *callflows.SayAndCapture:
			out = append(out, fmt.Sprintf("(%s) %s?", a.VoiceProfile, a.PromptMessage))
		case *callflows.PlayFile:
			out = append(out, "play "+a.FileURL)
		default:
			out = append(out, a.ActionName())
		}
	}
	return out
}

func (c *call) hears(want ...string) {
	c.t.Helper()
	if got := c.heard(); strings.Join(got, "|") != strings.Join(want, "|") {
		c.t.Fatalf("at %s the caller hears\n%q\nwant\n%q", c.step.Next.ID(), got, want)
	}
}

const (
	en = "(en-US-JennyNeural) "
	es = "(es-MX-DaliaNeural) "
)

// TestLanguageChosenThenEverythingInIt walks a call in each language:
// after the key that chooses it, every answer is in that language and
// its voice.
func TestLanguageChosenThenEverythingInIt(t *testing.T) {
	for _, tt := range []struct {
		key, lang string
		v         string
		banner    string
		prompt    string
		short     string
		silence   string
		sorry     string
		hours     string
		oops      string
	}{
		{"1", "en", en, "Our hours have changed.", "For hours press 1.", "Press 1.", "I did not hear anything.", "Sorry.", "We are open 9 to 5.", "Something went wrong."},
		{"2", "es", es, "Nuestro horario cambió.", "Para el horario escoja 1.", "Oprima 1.", "No escuché nada.", "Perdón.", "Abrimos de 9 a 5.", "Algo salió mal."},
	} {
		t.Run("key "+tt.key, func(t *testing.T) {
			c := newCall(t, bilingualFlow)
			c.hears("play https://example.com/greeting.mp3", en+"Thank you for calling.", en+"For English, press 1. Para español, oprima 2.?")
			c.press(tt.key)
			c.hears(tt.v+tt.banner, "play https://example.com/chime.wav", tt.v+tt.prompt+"?")
			if c.step.Lang() != tt.lang {
				t.Fatalf("Lang() = %q, want %q", c.step.Lang(), tt.lang)
			}
			c.send(engine.Input{})
			c.hears(tt.v+tt.silence, tt.v+tt.short+"?")
			c.press("7")
			c.hears(tt.v+tt.sorry, tt.v+tt.short+"?")
			c.press("1")
			c.hears(tt.v+tt.hours, "hangup")
			// A webhook after the hang-up: the fallback, in the language.
			c.press("1")
			c.hears(tt.v+tt.oops, "hangup")
		})
	}
}

// TestLanguageBuiltInFallback: a flow with languages and no fallback of
// its own says the built-in one in the voice of the caller's language.
func TestLanguageBuiltInFallback(t *testing.T) {
	src := strings.Replace(bilingualFlow, "fallback: oops\n", "", 1)
	src = strings.Replace(src, "  on_invalid: oops\n", "", 1)
	c := newCall(t, src)
	c.press("2")
	c.press("1") // hours, which hangs up
	c.press("1")
	c.hears(es+engine.DefaultFallbackText, "hangup")
	if c.last.ClientActionID != "" {
		t.Errorf("the fallback carries the state %q; it ends the call", c.last.ClientActionID)
	}
}

// TestLanguageStartInput: Input.Lang starts a call in a language, as sim
// --lang and test cases do.
func TestLanguageStartInput(t *testing.T) {
	flow := mustLoad(t, bilingualFlow)
	body, s := flow.Answer(nil, callstate.Keys{}, "", engine.Input{Start: true, Lang: "es"})
	if s.Lang() != "es" || !strings.Contains(string(body), "Gracias por llamar.") {
		t.Fatalf("Answer in es = %s (lang %q)", body, s.Lang())
	}
}

// TestLanguageVariantsValid: every node's answer in every language, its
// re-prompt and its messages, passes 8x8's rules.
func TestLanguageVariantsValid(t *testing.T) {
	flow := mustLoad(t, bilingualFlow)
	for _, tag := range flow.Languages() {
		for _, n := range flow.Nodes() {
			cf := n.CallflowIn(tag)
			if len(cf) == 0 {
				t.Fatalf("node %s has no callflow in %q", n.ID(), tag)
			}
			b, err := callflows.Marshal(callflows.Response{ClientActionID: n.ID(), Callflow: cf})
			if err != nil {
				t.Fatal(err)
			}
			if p := callflows.ValidateJSON(b, callflows.Answer); len(p) > 0 {
				t.Errorf("node %s in %s: %s: %v", n.ID(), tag, b, p)
			}
		}
	}
	if n, _ := flow.Node("choose"); n != nil {
		if l, ok := n.KeyLang("2"); !ok || l != "es" {
			t.Errorf("KeyLang(2) = %q, %v", l, ok)
		}
		if _, ok := n.KeyLang("3"); ok {
			t.Error("KeyLang(3) found a language")
		}
	}
}

// TestTextForms compiles each form a text takes to the actions a caller
// hears.
func TestTextForms(t *testing.T) {
	for _, tt := range []struct {
		name, say string
		want      []string
	}{
		{"scalar", `Hello.`, []string{"(en-US-BenjaminRUS) Hello.", "hangup"}},
		{"folded", ">\n      Hello\n      there.", []string{"(en-US-BenjaminRUS) Hello there.", "hangup"}},
		{"audio", `{play: "https://example.com/a.mp3"}`, []string{"play https://example.com/a.mp3", "hangup"}},
		{"sequence", "\n      - play: https://example.com/a.wav\n      - Hello.\n      - play: http://example.com/b.MP3?v=2",
			[]string{"play https://example.com/a.wav", "(en-US-BenjaminRUS) Hello.", "play http://example.com/b.MP3?v=2", "hangup"}},
		{"var in URL", `[{play: "{{base}}/a.mp3"}, Hi.]`, []string{"play https://cdn.example.com/a.mp3", "(en-US-BenjaminRUS) Hi.", "hangup"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := "start: main\nvars: {base: \"https://cdn.example.com\"}\nnodes:\n  main:\n    say: " + tt.say + "\n"
			c := newCall(t, src)
			c.hears(tt.want...)
		})
	}
}

// TestPromptForms: a menu's prompt plays its audio first and speaks its
// last words while it listens.
func TestPromptForms(t *testing.T) {
	src := `start: main
nodes:
  main:
    menu: [{play: "https://example.com/a.mp3"}, Welcome., Press 1.]
    reprompt: [{play: "https://example.com/b.mp3"}, Press 1 now.]
    no_input: {retries: 1, say: [[{play: "https://example.com/c.mp3"}, Hello.]]}
    keys: {"1": bye}
  bye:
    say: Bye.
`
	c := newCall(t, src)
	v := "(en-US-BenjaminRUS) "
	c.hears("play https://example.com/a.mp3", v+"Welcome.", v+"Press 1.?")
	c.send(engine.Input{})
	c.hears("play https://example.com/c.mp3", v+"Hello.", "play https://example.com/b.mp3", v+"Press 1 now.?")
}

// TestTextErrors: what cannot be said is reported at its place.
func TestTextErrors(t *testing.T) {
	for _, tt := range []struct {
		name, src, want string
	}{
		{"prompt ends with audio", "start: m\nnodes:\n  m:\n    menu: [Press 1., {play: \"https://example.com/a.mp3\"}]\n    keys: {\"1\": m}\n",
			`f.yaml:4:29: error: the menu of menu "m" ends with audio`},
		{"not http", "start: m\nnodes:\n  m:\n    say: [{play: \"ftp://example.com/a.mp3\"}]\n",
			`f.yaml:4:18: error: fileUrl "ftp://example.com/a.mp3" is not an http or https URL`},
		{"not mp3 in es", "languages: {en: en-US-JennyNeural, es: es-MX-DaliaNeural}\nstart: m\nnodes:\n  m:\n    say: {en: Hi., es: [{play: \"https://example.com/a.ogg\"}]}\n",
			`f.yaml:5:32: error: fileUrl "https://example.com/a.ogg" does not name an .mp3 or .wav file`},
		{"empty URL", "start: m\nnodes:\n  m:\n    say: [{play: \"\"}, Hi.]\n", `f.yaml:4:18: error: node "m" plays audio with an empty URL`},
		{"play missing", "start: m\nnodes:\n  m:\n    say: [Hi., {plya: x}]\n", `f.yaml:4:17: error: unknown key "plya"`},
		{"empty list", "start: m\nnodes:\n  m:\n    say: []\n", `f.yaml:4:10: error: node "m" has an empty say text`},
		{"empty mapping", "start: m\nnodes:\n  m:\n    say: {}\n", `f.yaml:4:10: error: node "m" has an empty say text`},
		{"undeclared", "start: m\nnodes:\n  m:\n    say: {en: Hi.}\n", `f.yaml:4:11: error: a text is given in "en", but the flow declares no languages`},
		{"unknown tag", "languages: {en: en-US-JennyNeural, es: es-MX-DaliaNeural}\nstart: m\nnodes:\n  m:\n    say: {en: Hi., sp: Hola.}\n",
			`f.yaml:5:20: error: unknown language "sp": the flow declares en, es`},
		{"key lang", "languages: {en: en-US-JennyNeural}\nstart: m\nnodes:\n  m:\n    menu: Press 1.\n    keys: {\"1\": {to: m, lang: fr}}\n",
			`f.yaml:6:31: error: key "1" of menu "m" sets the language "fr", which the flow does not declare`},
		{"node voice", "languages: {en: en-US-JennyNeural}\nstart: m\nnodes:\n  m:\n    say: Hi.\n    voice: en-GB-Emma\n",
			`f.yaml:6:12: error: a flow with languages speaks each text with its language's voice`},
		{"no voice", "languages: {en: {words: [press]}}\nstart: m\nnodes:\n  m:\n    say: Hi.\n", `f.yaml:1:13: error: language "en" has no voice`},
		{"bad tag", "languages: {English: en-US-JennyNeural}\nstart: m\nnodes:\n  m:\n    say: Hi.\n", `f.yaml:1:13: error: "English" is not a language tag`},
		{"pinned undeclared", "languages: {en: en-US-JennyNeural}\nstart: m\nnodes:\n  m:\n    say: [{say: Hola., lang: es}]\n",
			`f.yaml:5:30: error: unknown language "es": the flow declares en`},
		{"pinned without languages", "start: m\nnodes:\n  m:\n    say: [{say: Hola., lang: es}]\n",
			`f.yaml:4:30: error: words are given in "es", but the flow declares no languages`},
		{"audio and words", "start: m\nnodes:\n  m:\n    say: [{play: \"https://example.com/a.mp3\", say: Hi.}]\n",
			`f.yaml:4:11: error: node "m" say entry is both audio and words`},
		{"bad voice", "languages: {en: en-US-JennyNeural, es: Dalia}\nstart: m\nnodes:\n  m:\n    say: {en: Hi., es: Hola.}\n",
			`f.yaml:1:40: error: voiceProfile "Dalia" is not a speech profile code`},
		{"key without to", "start: m\nnodes:\n  m:\n    menu: Press 1.\n    keys: {\"1\": {lang: en}}\n", `f.yaml:5:17: error: node "m" key "1" is missing required key "to"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, diags, _ := engine.Load("f.yaml", engine.LoadOptions{Source: []byte(tt.src), Env: noEnv})
			if !strings.Contains(diags.Error(), tt.want) {
				t.Errorf("diagnostics:\n%s\nwant one starting %s", diags.Error(), tt.want)
			}
		})
	}
}

// BenchmarkAnswerLanguage answers a key at a menu in the default
// language, whose answer is precompiled, and in another, put together
// from parts, with a state sealed by a key (MAC) and without one
// (checksum):
//
//	go test -run '^$' -bench AnswerLanguage -benchmem ./engine/
func BenchmarkAnswerLanguage(b *testing.B) {
	flow, diags, err := engine.Load("b.yaml", engine.LoadOptions{Source: []byte(bilingualFlow), Env: noEnv})
	if err != nil || flow == nil {
		b.Fatal(err, diags)
	}
	sealed, err := callstate.ParseKeys("MDEyMzQ1Njc4OWFiY2RlZg")
	if err != nil {
		b.Fatal(err)
	}
	for _, k := range []struct {
		name string
		keys callstate.Keys
	}{{"mac", sealed}, {"checksum", callstate.Keys{}}} {
		for _, lang := range []string{"en", "es"} {
			// The clientActionId of the main menu in the language.
			key := map[string]string{"en": "1", "es": "2"}[lang]
			_, s := flow.Answer(nil, k.keys, "", engine.Input{Start: true})
			body, s := flow.Answer(nil, k.keys, s.Next.ID(), engine.Input{Digits: key})
			id := string(body[len(`{"clientActionId":"`):])
			id = id[:strings.IndexByte(id, '"')]
			b.Run("state="+k.name+"/lang="+lang, func(b *testing.B) {
				b.ReportAllocs()
				var dst []byte
				for b.Loop() {
					dst, s = flow.Answer(dst[:0], k.keys, id, engine.Input{Digits: "1"})
				}
				if s.Next.ID() != "hours" || s.Lang() != lang {
					b.Fatalf("at %s in %q", s.Next.ID(), s.Lang())
				}
			})
		}
	}
}

// TestLanguageDefaultIsBare: a call in the default language, chosen by a
// key or by Input.Lang, keeps a bare state, so that its answers are the
// precompiled ones.
func TestLanguageDefaultIsBare(t *testing.T) {
	flow := mustLoad(t, bilingualFlow)
	_, s := flow.Answer(nil, callstate.Keys{}, "", engine.Input{Start: true, Lang: "en"})
	if s.Lang() != "en" || !s.State.Bare() {
		t.Errorf("a call started in en: Lang() = %q, state %+v; want the default, bare", s.Lang(), s.State)
	}
	c := newCall(t, bilingualFlow)
	c.press("1")
	if c.step.Lang() != "en" || !c.step.State.Bare() || c.last.ClientActionID != "main" {
		t.Errorf("en chosen by a key: Lang() = %q, clientActionId %q; want the default, bare", c.step.Lang(), c.last.ClientActionID)
	}
	if l := newCall(t, lineFlow).step.Lang(); l != "" {
		t.Errorf("a flow without languages: Lang() = %q, want \"\"", l)
	}
}

// TestLanguagePinnedWords: words pinned to a language are spoken by its
// voice whatever the caller's language, as a menu that asks for the
// language says each choice in its own; lint reads each part in its
// language and warns about nothing.
func TestLanguagePinnedWords(t *testing.T) {
	src := `languages: {en: en-US-JennyNeural, es: es-MX-DaliaNeural}
start: choose
fallback: bye
nodes:
  choose:
    menu:
      - {say: "For English, press 1.", lang: en}
      - {say: "Para español, oprima 2.", lang: es}
    keys: {"1": {to: bye, lang: en}, "2": {to: bye, lang: es}}
  bye:
    say: {en: Bye., es: Adiós.}
`
	_, diags, _ := engine.Load("f.yaml", engine.LoadOptions{Source: []byte(src), Env: noEnv})
	if len(diags) > 0 {
		t.Fatalf("diagnostics:\n%s", diags.Error())
	}
	for _, lang := range []string{"", "es"} {
		c := &call{t: t, flow: mustLoad(t, src)}
		c.send(engine.Input{Start: true, Lang: lang})
		c.hears(en+"For English, press 1.", es+"Para español, oprima 2.?")
	}
}
