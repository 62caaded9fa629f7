package engine_test

import (
	"strconv"
	"testing"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/callstate"
)

// FuzzSavePath saves an arbitrary path of an arbitrary JSON answer: loading
// and answering never panic, and the answer that says the saved value
// passes 8x8's rules whatever the API sent.
//
//	go test -run '^$' -fuzz FuzzSavePath -fuzztime 60s ./engine/
func FuzzSavePath(f *testing.F) {
	for _, seed := range []struct{ path, body string }{
		{"status", `{"status": "shipped"}`},
		{"orders.0.status", `{"orders": [{"status": "late\n\u0000"}]}`},
		{"a.b.c", `{"a": {"b": {"c": 12.5e3}}}`},
		{"ok", `{"ok": true}`},
		{"x", `not json`},
		{"list.99", `{"list": []}`},
		{"deep", `{"deep": {"nested": "object"}}`},
	} {
		f.Add(seed.path, seed.body)
	}
	keys, err := callstate.ParseKeys("ZnV6ei1zYXZlLXBhdGgta2V5LTAxMg")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, path, body string) {
		src := "start: ask\nnodes:\n  ask:\n    menu: Press 1.\n    keys: {\"1\": lookup}\n" +
			"  lookup:\n    request: {url: \"https://api.example.com/x\", save: {v: " + strconv.Quote(path) + "}}\n" +
			"    ok: tell\n    then: bye\n  tell:\n    say: \"It is {{v}}.\"\n  bye:\n    say: Bye.\n"
		flow, _, _ := engine.Load("fuzz.yaml", engine.LoadOptions{Source: []byte(src), Env: noEnv})
		if flow == nil {
			return
		}
		_, step := flow.Answer(nil, keys, "ask", engine.Input{Digits: "1"})
		if step.Request() == nil {
			t.Fatal("the lookup asked nothing")
		}
		answer, _ := flow.Resume(nil, keys, step, engine.Response{Status: 200, Body: []byte(body)}, engine.Input{})
		if problems := callflows.ValidateJSON(answer, callflows.Answer); len(problems) > 0 {
			t.Fatalf("path %q, body %q: answer %s breaks 8x8's rules: %v", path, body, answer, problems)
		}
	})
}
