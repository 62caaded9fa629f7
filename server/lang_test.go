package server_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/callflows/carrier"
	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/server"
)

// bilingual is a line that asks for the language first; every answer
// after is in the one chosen.
const bilingual = `
languages:
  en: en-US-JennyNeural
  es: es-MX-DaliaNeural
start: choose
fallback: oops
defaults:
  invalid:
    retries: 1
    say: {en: Sorry., es: Perdón.}
  on_invalid: oops
nodes:
  choose:
    menu:
      en: [{play: "https://example.com/chime.mp3"}, For English press 1. Para español oprima 2.]
      es: [{play: "https://example.com/chime.mp3"}, Para español oprima 2. For English press 1.]
    keys:
      "1": {to: banner, lang: en}
      "2": {to: banner, lang: es}
  banner:
    say: {en: Our hours have changed., es: Nuestro horario cambió.}
    then: main
  main:
    menu: {en: For hours press 1., es: Para el horario oprima 1.}
    keys: {"1": hours}
  hours:
    say: {en: We are open 9 to 5., es: Abrimos de 9 a 5.}
  oops:
    say: {en: Something went wrong., es: Algo salió mal.}
`

// TestWalkLanguage: over HTTP, a caller who chooses Spanish hears every
// later answer (a message that continues, a menu, an apology, a leaf,
// the fallback) in Spanish and its voice, and one who chooses English in
// English.
func TestWalkLanguage(t *testing.T) {
	flow, diags, err := engine.Load("bilingual.yaml", engine.LoadOptions{Source: []byte(bilingual), Env: noEnv})
	if err != nil || flow == nil {
		t.Fatalf("Load: %v\n%v", err, diags)
	}
	srv := server.New(flow, server.Options{Logger: zerolog.New(io.Discard)})
	ts := httptest.NewServer(srv.Routes())
	t.Cleanup(ts.Close)
	for _, tt := range []struct {
		key, voice string
		want       [][]string // what each answer says, after the key
	}{
		{"2", "es-MX-DaliaNeural", [][]string{
			{"Nuestro horario cambió.", "Para el horario oprima 1."},
			{"Perdón.", "Para el horario oprima 1."},
			{"Abrimos de 9 a 5.", "hangup"},
			{"Algo salió mal.", "hangup"},
		}},
		{"1", "en-US-JennyNeural", [][]string{
			{"Our hours have changed.", "For hours press 1."},
			{"Sorry.", "For hours press 1."},
			{"We are open 9 to 5.", "hangup"},
			{"Something went wrong.", "hangup"},
		}},
	} {
		t.Run(tt.voice, func(t *testing.T) {
			c, _ := newCaller(ts, carrier.EventDataObject, "lang-"+tt.key)
			r, err := c.Ring(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if got := spoken(t, r, "en-US-JennyNeural"); strings.Join(got, "|") != "play https://example.com/chime.mp3|For English press 1. Para español oprima 2." {
				t.Fatalf("the line answers %q", got)
			}
			for i, digits := range []string{tt.key, "7", "1", "1"} {
				r, err := c.Press(t.Context(), digits)
				if err != nil {
					t.Fatal(err)
				}
				if got := spoken(t, r, tt.voice); strings.Join(got, "|") != strings.Join(tt.want[i], "|") {
					t.Fatalf("press %q: the caller hears %q, want %q", digits, got, tt.want[i])
				}
			}
		})
	}
}

// spoken returns what an answer says, failing t for words spoken with
// any voice but voice, or an answer that breaks 8x8's rules.
func spoken(t *testing.T, r *callflows.Response, voice string) []string {
	t.Helper()
	var out []string
	for _, a := range r.Callflow {
		v := voice
		switch a := a.(type) {
		case *callflows.Say:
			out, v = append(out, a.Text), a.VoiceProfile
		case *callflows.SayAndCapture:
			out, v = append(out, a.PromptMessage), a.VoiceProfile
		case *callflows.PlayFile:
			out = append(out, "play "+a.FileURL)
		default:
			out = append(out, a.ActionName())
		}
		if v != voice {
			t.Errorf("%s is spoken by %s, want %s", out[len(out)-1], v, voice)
		}
	}
	b, err := callflows.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if p := callflows.ValidateJSON(b, callflows.Answer); len(p) > 0 {
		t.Errorf("answer %s breaks 8x8's rules: %v", b, p)
	}
	return out
}
