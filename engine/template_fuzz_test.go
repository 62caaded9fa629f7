package engine_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/callstate"
)

// FuzzTemplate puts an arbitrary text with templates in a flow and an
// arbitrary value in a call: loading never panics, and a flow that loads
// answers with JSON that passes 8x8's rules whatever the value holds
// (quotes, control characters, bytes that are not UTF-8, hole runes).
//
//	go test -run '^$' -fuzz FuzzTemplate -fuzztime 60s ./engine/
func FuzzTemplate(f *testing.F) {
	for _, seed := range []struct{ text, value string }{
		{"You entered {{order | digits}}.", "1304"},
		{"Card ending {{order | last 4}}, {{caller}}.", "4111111111111111"},
		{"{{order | money EUR}} on {{order | date}} at {{order | time}}", "45.20"},
		{"{{order}}", "\"quoted\" \\ back\x01slash"},
		{"{{ order | last 0 }} {{nope}}", "\xff\xfe"},
		{"{{order | money}}", "\U000F0000"},
	} {
		f.Add(seed.text, seed.value)
	}
	keys, err := callstate.ParseKeys("ZnV6ei10ZW1wbGF0ZS1rZXktMDEyMw")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text, value string) {
		src := "start: ask\nnodes:\n  ask:\n    collect: Enter it.\n    into: order\n    then: mark\n" +
			"  mark:\n    set: {note: " + strconv.Quote(value) + "}\n    then: say\n" +
			"  say:\n    say: " + strconv.Quote(text) + "\n"
		flow, _, _ := engine.Load("fuzz.yaml", engine.LoadOptions{Source: []byte(src), Env: noEnv})
		if flow == nil {
			return
		}
		st := engine.State{Node: "ask"}
		id, err := keys.Encode(st)
		if err != nil {
			t.Fatal(err)
		}
		body, step := flow.Answer(nil, keys, id, engine.Input{Digits: "1234", From: value})
		if problems := callflows.ValidateJSON(body, callflows.Answer); len(problems) > 0 {
			t.Fatalf("text %q, value %q: answer %s breaks 8x8's rules: %v", text, value, body, problems)
		}
		var r callflows.Response
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatalf("answer %s: %v", body, err)
		}
		if step.Next.ID() == "say" {
			if say, ok := r.Callflow[0].(*callflows.Say); ok && strings.ContainsRune(say.Text, 0xF0000) {
				t.Fatalf("a hole rune reached the caller: %q", say.Text)
			}
		}
	})
}
