package engine_test

import (
	"fmt"
	"os"

	"github.com/ivrctl/ivrctl/engine"
)

func ExampleLoad() {
	src := []byte(`
version: 1
name: Tiny Shop
start: main
nodes:
  main:
    menu: Press 1 for our opening hours.
    keys:
      "1": hours
  hours:
    say: We are open from 9 to 5.
`)
	env := func(string) (string, bool) { return "", false } // nothing set
	flow, diags, _ := engine.Load("tiny.yaml", engine.LoadOptions{Source: src, Env: env})
	if diags.HasErrors() {
		fmt.Fprintln(os.Stderr, diags)
		return
	}
	fmt.Println(flow.Name())

	// The caller pressed 1 at the main menu.
	step := flow.Next("main", "1")
	fmt.Println(step.From.ID(), "->", step.Next.ID(), step.Outcome)
	fmt.Println(string(step.Next.Response()))

	// The caller pressed a key the menu does not have.
	step = flow.Next("main", "9")
	fmt.Println(step.Outcome, string(step.Next.Response()))
	// Output:
	// Tiny Shop
	// main -> hours key
	// {"clientActionId":"hours","callflow":[{"action":"say","params":{"text":"We are open from 9 to 5.","voiceProfile":"en-US-BenjaminRUS","speed":1}},{"action":"hangup"}]}
	// invalid_key {"callflow":[{"action":"say","params":{"text":"Sorry, something went wrong. Please call again later.","voiceProfile":"en-US-BenjaminRUS","speed":1}},{"action":"hangup"}]}
}

// A flow is linted the way CI does it: for a machine that is not the one
// it runs on, so an unset ${NAME} warns instead of stopping the flow, and
// a node can silence a warning it means.
func ExampleLoad_lint() {
	src := []byte(`
version: 1
start: main
vars:
  desk: ${FRONT_DESK}
nodes:
  main:
    menu: For English, press 1. Pour le français, appuyez sur le deux.
    keys: {"1": english, "2": french}
    lint: {ignore: [unmentioned-key]}
  english:
    dial: {to: "{{desk}}", from: "+6568888888"}
    then: bye
  french:
    say: Au revoir.
  bye:
    say: Goodbye.
`)
	env := func(string) (string, bool) { return "", false } // nothing set
	flow, diags, _ := engine.Load("bilingual.yaml", engine.LoadOptions{Source: src, Env: env, Lint: true})
	fmt.Println(flow != nil)
	for _, d := range diags {
		fmt.Println(d)
	}
	// Output:
	// true
	// bilingual.yaml:5:9: warning: environment variable FRONT_DESK is not set and has no default; set it, or give a default as ${FRONT_DESK:-value} [env]
}
