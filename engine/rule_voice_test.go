package engine_test

import (
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine"
)

const numberFlow = `version: 1
number: "{{vn}}"
start: main
fallback: bye
defaults:
  voice: en-US-BenjaminRUS
vars:
  vn: ${VN:-+6568888888}
nodes:
  main:
    menu: Press 1 to talk, press 2 to hear us.
    voice: en-GB-Emma
    keys: {"1": talk, "2": hear}
  talk:
    dial: {to: "+6598888888"}
    then: bye
  hear:
    say: Hello.
    voice: en-GB-Emmma
  bye:
    say: Bye.
`

func TestNumberIsDialDefault(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{name: "default", want: "+6568888888"},
		{name: "from environment", env: map[string]string{"VN": "+6561234567"}, want: "+6561234567"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			flow, diags, _ := engine.Load("number.yaml", engine.LoadOptions{Source: []byte(numberFlow), Env: func(k string) (string, bool) {
				v, ok := tt.env[k]
				return v, ok
			}})
			if flow == nil {
				t.Fatalf("flow does not load:\n%v", diags)
			}
			if got := flow.Number(); got != tt.want {
				t.Errorf("Number() = %q, want %q", got, tt.want)
			}
			talk, _ := flow.Node("talk")
			mc := talk.Callflow()[0].(*callflows.MakeCall)
			if mc.Source != tt.want || mc.Destination != "+6598888888" {
				t.Errorf("dial makeCall = %+v, want source %s destination +6598888888", mc, tt.want)
			}
		})
	}
}

func TestNoNumber(t *testing.T) {
	flow, diags, _ := engine.Load("plain.yaml", engine.LoadOptions{Source: []byte("start: bye\nnodes:\n  bye:\n    say: Bye.\n"), Env: noEnv})
	if flow == nil {
		t.Fatalf("flow does not load:\n%v", diags)
	}
	if got := flow.Number(); got != "" {
		t.Errorf("Number() = %q, want \"\" for a flow without number", got)
	}
}

func TestCheckVoices(t *testing.T) {
	tests := []struct {
		name  string
		known []string
		want  []string
	}{
		{name: "all known", known: []string{"en-US-BenjaminRUS", "en-GB-Emma", "en-GB-Emmma"}},
		{
			name:  "one missing, close to a known one",
			known: []string{"en-US-BenjaminRUS", "en-GB-Emma"},
			want: []string{
				`number.yaml:19:12: error: voice "en-GB-Emmma" is not one of the sub-account's speech profiles; did you mean "en-GB-Emma"? [voice]`,
			},
		},
		{
			name:  "defaults voice missing: every node using it, once at defaults",
			known: []string{"en-GB-Emma", "en-GB-Emmma"},
			want: []string{
				`number.yaml:6:10: error: voice "en-US-BenjaminRUS" is not one of the sub-account's speech profiles [voice]`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got, _ := engine.Load("number.yaml", engine.LoadOptions{Source: []byte(numberFlow), Env: noEnv, Voices: tt.known})
			var lines []string
			for _, d := range got {
				lines = append(lines, d.String())
			}
			if strings.Join(lines, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Load with Voices:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
