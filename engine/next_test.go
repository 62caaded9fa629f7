package engine_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine"
)

// mustLoad compiles src, failing the test on any diagnostic at all.
func mustLoad(t testing.TB, src string) *engine.Flow {
	t.Helper()
	flow, diags, _ := engine.Load("test.yaml", engine.LoadOptions{Source: []byte(src), Env: noEnv})
	// Warnings are allowed: these flows exercise routing, not prompts, and
	// some hold nodes reached only through Next's clientActionId.
	if diags.HasErrors() || flow == nil {
		t.Fatalf("flow has diagnostics:\n%v\n%s", diags, src)
	}
	return flow
}

// stepIDs reduces a step to comparable strings; From is "<nil>" when Next
// could not place the caller.
type stepIDs struct {
	From, Next string
	Outcome    engine.Outcome
}

func idsOf(t *testing.T, s engine.Step) stepIDs {
	t.Helper()
	if s.Next == nil {
		t.Fatalf("step %+v has a nil Next", s)
	}
	from := "<nil>"
	if s.From != nil {
		from = s.From.ID()
	}
	return stepIDs{From: from, Next: s.Next.ID(), Outcome: s.Outcome}
}

func TestNextRestaurant(t *testing.T) {
	flow := loadRestaurant(t)
	tests := []struct {
		node, digits string
		want         stepIDs
	}{
		// The first VCA of an outbound call carries no clientActionId: the
		// start node's prompt was played by the Send Callflow request.
		{"", "1", stepIDs{"main_menu", "reservations", engine.OutcomeKey}},
		{"", "2", stepIDs{"main_menu", "connect_call", engine.OutcomeKey}},
		{"", "3", stepIDs{"main_menu", "hours", engine.OutcomeKey}},
		{"", "4", stepIDs{"main_menu", "invalid_input", engine.OutcomeInvalid}},
		{"", "", stepIDs{"main_menu", "invalid_input", engine.OutcomeNoInput}},

		{"main_menu", "1", stepIDs{"main_menu", "reservations", engine.OutcomeKey}},
		{"main_menu", "2", stepIDs{"main_menu", "connect_call", engine.OutcomeKey}},
		{"main_menu", "3", stepIDs{"main_menu", "hours", engine.OutcomeKey}},
		{"main_menu", "0", stepIDs{"main_menu", "invalid_input", engine.OutcomeInvalid}},
		{"main_menu", "9", stepIDs{"main_menu", "invalid_input", engine.OutcomeInvalid}},
		{"main_menu", "*", stepIDs{"main_menu", "invalid_input", engine.OutcomeInvalid}},
		{"main_menu", "#", stepIDs{"main_menu", "invalid_input", engine.OutcomeInvalid}},
		{"main_menu", "11", stepIDs{"main_menu", "invalid_input", engine.OutcomeInvalid}},
		{"main_menu", "1#", stepIDs{"main_menu", "invalid_input", engine.OutcomeInvalid}},
		{"main_menu", "abc", stepIDs{"main_menu", "invalid_input", engine.OutcomeInvalid}},
		{"main_menu", "", stepIDs{"main_menu", "invalid_input", engine.OutcomeNoInput}},

		{"reservations", "1", stepIDs{"reservations", "book_table", engine.OutcomeKey}},
		{"reservations", "2", stepIDs{"reservations", "reschedule_table", engine.OutcomeKey}},
		{"reservations", "3", stepIDs{"reservations", "main_menu", engine.OutcomeKey}},
		{"reservations", "4", stepIDs{"reservations", "invalid_input", engine.OutcomeInvalid}},
		{"reservations", "", stepIDs{"reservations", "invalid_input", engine.OutcomeNoInput}},

		{"book_table", "1", stepIDs{"book_table", "booked_today", engine.OutcomeKey}},
		{"book_table", "2", stepIDs{"book_table", "booked_tomorrow", engine.OutcomeKey}},
		{"book_table", "3", stepIDs{"book_table", "invalid_input", engine.OutcomeInvalid}},
		{"book_table", "", stepIDs{"book_table", "invalid_input", engine.OutcomeNoInput}},

		{"reschedule_table", "1", stepIDs{"reschedule_table", "kept_reservation", engine.OutcomeKey}},
		{"reschedule_table", "2", stepIDs{"reschedule_table", "moved_to_tomorrow", engine.OutcomeKey}},
		{"reschedule_table", "3", stepIDs{"reschedule_table", "invalid_input", engine.OutcomeInvalid}},
		{"reschedule_table", "", stepIDs{"reschedule_table", "invalid_input", engine.OutcomeNoInput}},

		{"connect_call", "1", stepIDs{"connect_call", "post_call", engine.OutcomeKey}},
		{"connect_call", "2", stepIDs{"connect_call", "main_menu", engine.OutcomeKey}},
		{"connect_call", "3", stepIDs{"connect_call", "invalid_input", engine.OutcomeInvalid}},
		{"connect_call", "", stepIDs{"connect_call", "invalid_input", engine.OutcomeNoInput}},

		// The VCA after a bridged call ends goes on to then, digits or not.
		{"post_call", "", stepIDs{"post_call", "goodbye", engine.OutcomeThen}},
		{"post_call", "1", stepIDs{"post_call", "goodbye", engine.OutcomeThen}},

		// A webhook for a node that already hung up: fallback, never silence.
		{"hours", "", stepIDs{"hours", "invalid_input", engine.OutcomeLeaf}},
		{"goodbye", "1", stepIDs{"goodbye", "invalid_input", engine.OutcomeLeaf}},
		{"booked_today", "", stepIDs{"booked_today", "invalid_input", engine.OutcomeLeaf}},
		{"invalid_input", "", stepIDs{"invalid_input", "invalid_input", engine.OutcomeLeaf}},

		// An ID this flow does not have, as after a reload or from the
		// seed's sample backend.
		{"ivr-1-stage-2", "1", stepIDs{"<nil>", "invalid_input", engine.OutcomeUnknownNode}},
		{"Main_Menu", "1", stepIDs{"<nil>", "invalid_input", engine.OutcomeUnknownNode}},
		{" main_menu", "1", stepIDs{"<nil>", "invalid_input", engine.OutcomeUnknownNode}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s", tt.node, tt.digits), func(t *testing.T) {
			if got := idsOf(t, flow.Next(tt.node, tt.digits)); got != tt.want {
				t.Errorf("Next(%q, %q) = %+v, want %+v", tt.node, tt.digits, got, tt.want)
			}
		})
	}
}

// TestNextEveryKey walks every key of every menu of the restaurant flow:
// Next must agree with the menu's key table, whatever the table holds.
func TestNextEveryKey(t *testing.T) {
	flow := loadRestaurant(t)
	wantKeys := map[string]string{
		"main_menu":        "1 2 3",
		"reservations":     "1 2 3",
		"book_table":       "1 2",
		"reschedule_table": "1 2",
		"connect_call":     "1 2",
	}
	menus := 0
	for _, n := range flow.Nodes() {
		if n.Kind() != engine.KindMenu {
			if len(n.Keys()) != 0 {
				t.Errorf("%s node %s has keys %v", n.Kind(), n.ID(), n.Keys())
			}
			continue
		}
		menus++
		if got := strings.Join(n.Keys(), " "); got != wantKeys[n.ID()] {
			t.Errorf("menu %s keys = %q, want %q", n.ID(), got, wantKeys[n.ID()])
		}
		for _, k := range n.Keys() {
			target, ok := n.Target(k)
			if !ok || target == nil {
				t.Fatalf("menu %s key %s has no target", n.ID(), k)
			}
			got := idsOf(t, flow.Next(n.ID(), k))
			if want := (stepIDs{n.ID(), target.ID(), engine.OutcomeKey}); got != want {
				t.Errorf("Next(%q, %q) = %+v, want %+v", n.ID(), k, got, want)
			}
		}
		if _, ok := n.Target("7"); ok {
			t.Errorf("menu %s has a target for key 7", n.ID())
		}
	}
	if menus != len(wantKeys) {
		t.Errorf("restaurant has %d menus, want %d", menus, len(wantKeys))
	}
}

func TestBegin(t *testing.T) {
	flow := loadRestaurant(t)
	s := flow.Begin()
	if s.From != nil || s.Next != flow.Start() || s.Outcome != engine.OutcomeStart {
		t.Errorf("Begin() = %+v, want {From: nil, Next: start, Outcome: start}", s)
	}
	if got := flow.Start().ID(); got != "main_menu" {
		t.Errorf("Start().ID() = %q, want main_menu", got)
	}
	if got := idsOf(t, s); got != (stepIDs{"<nil>", "main_menu", engine.OutcomeStart}) {
		t.Errorf("Begin() = %+v", got)
	}
}

// routingFlow exercises the routing settings: defaults for invalid and no
// input, node-level overrides, multi-digit keys and the * and # keys.
const routingFlow = `
version: 1
start: main
fallback: oops
defaults:
  on_invalid: bad_key
  on_no_input: silence
nodes:
  main:
    menu: Enter 1, 12, star, hash or 0.
    keys:
      "1": one
      "12": twelve
      "*": main
      "#": hash
      "0": own_invalid
  own_invalid:
    menu: Press 1.
    on_invalid: own_bad_key
    keys:
      "1": one
  own_no_input:
    menu: Press 1.
    on_no_input: own_silence
    keys:
      "1": one
  one:
    say: One.
  twelve:
    say: Twelve.
  hash:
    say: Hash.
  bad_key:
    say: Bad key.
  silence:
    say: Silence.
  own_bad_key:
    say: Own bad key.
  own_silence:
    say: Own silence.
  oops:
    say: Oops.
`

func TestNextRouting(t *testing.T) {
	flow := mustLoad(t, routingFlow)
	tests := []struct {
		node, digits string
		want         stepIDs
	}{
		{"main", "1", stepIDs{"main", "one", engine.OutcomeKey}},
		{"main", "12", stepIDs{"main", "twelve", engine.OutcomeKey}},
		{"main", "*", stepIDs{"main", "main", engine.OutcomeKey}},
		{"main", "#", stepIDs{"main", "hash", engine.OutcomeKey}},
		{"main", "0", stepIDs{"main", "own_invalid", engine.OutcomeKey}},
		{"main", "2", stepIDs{"main", "bad_key", engine.OutcomeInvalid}},
		{"main", "120", stepIDs{"main", "bad_key", engine.OutcomeInvalid}},
		{"main", "1*", stepIDs{"main", "bad_key", engine.OutcomeInvalid}},
		// No input is not an invalid key: defaults.on_no_input.
		{"main", "", stepIDs{"main", "silence", engine.OutcomeNoInput}},
		{"", "", stepIDs{"main", "silence", engine.OutcomeNoInput}},
		// A node's on_invalid overrides defaults.on_invalid, but not
		// defaults.on_no_input.
		{"own_invalid", "9", stepIDs{"own_invalid", "own_bad_key", engine.OutcomeInvalid}},
		{"own_invalid", "", stepIDs{"own_invalid", "silence", engine.OutcomeNoInput}},
		{"own_invalid", "1", stepIDs{"own_invalid", "one", engine.OutcomeKey}},
		// A node's on_no_input overrides defaults.on_no_input only.
		{"own_no_input", "", stepIDs{"own_no_input", "own_silence", engine.OutcomeNoInput}},
		{"own_no_input", "9", stepIDs{"own_no_input", "bad_key", engine.OutcomeInvalid}},
		// The named fallback answers leaves and unknown nodes.
		{"one", "", stepIDs{"one", "oops", engine.OutcomeLeaf}},
		{"gone", "1", stepIDs{"<nil>", "oops", engine.OutcomeUnknownNode}},
	}
	for _, tt := range tests {
		if got := idsOf(t, flow.Next(tt.node, tt.digits)); got != tt.want {
			t.Errorf("Next(%q, %q) = %+v, want %+v", tt.node, tt.digits, got, tt.want)
		}
	}
	main, _ := flow.Node("main")
	if got := strings.Join(main.Keys(), " "); got != "1 12 * # 0" {
		t.Errorf("main keys = %q, want file order 1 12 * # 0", got)
	}
	if got := edgeTo(main, engine.EdgeInvalid); got != "bad_key" {
		t.Errorf("main's invalid edge goes to %s, want bad_key", got)
	}
	if got := edgeTo(main, engine.EdgeNoInput); got != "silence" {
		t.Errorf("main's no-input edge goes to %s, want silence", got)
	}
}

// TestNoInputFollowsOnInvalid: with no on_no_input anywhere, a caller who
// pressed nothing goes where an invalid key goes, the node's own on_invalid
// included.
func TestNoInputFollowsOnInvalid(t *testing.T) {
	flow := mustLoad(t, `
start: main
defaults:
  on_invalid: bad_key
nodes:
  main:
    menu: Press 1.
    keys: {"1": own}
  own:
    menu: Press 1.
    on_invalid: own_bad_key
    keys: {"1": main}
  bad_key:
    say: Bad key.
  own_bad_key:
    say: Own bad key.
`)
	tests := []struct {
		node, digits string
		want         stepIDs
	}{
		{"main", "", stepIDs{"main", "bad_key", engine.OutcomeNoInput}},
		{"main", "5", stepIDs{"main", "bad_key", engine.OutcomeInvalid}},
		{"own", "", stepIDs{"own", "own_bad_key", engine.OutcomeNoInput}},
		{"own", "5", stepIDs{"own", "own_bad_key", engine.OutcomeInvalid}},
	}
	for _, tt := range tests {
		if got := idsOf(t, flow.Next(tt.node, tt.digits)); got != tt.want {
			t.Errorf("Next(%q, %q) = %+v, want %+v", tt.node, tt.digits, got, tt.want)
		}
	}
}

// TestBuiltinFallback: a flow that names no fallback and no on_invalid
// still never leaves a caller in silence.
func TestBuiltinFallback(t *testing.T) {
	tests := []struct {
		name, defaults, wantVoice string
	}{
		{"builtin voice", "", engine.DefaultVoice},
		{"flow voice", "defaults:\n  voice: en-GB-LibbyNeural\n  speed: 1.5\n", "en-GB-LibbyNeural"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flow := mustLoad(t, "start: main\n"+tt.defaults+"nodes:\n  main:\n    menu: Press 1.\n    keys: {\"1\": bye}\n  bye:\n    say: Bye.\n")
			fb := flow.Fallback()
			if fb == nil || fb.ID() != "" || fb.Kind() != engine.KindSay {
				t.Fatalf("Fallback() = %+v, want the built-in say node with ID \"\"", fb)
			}
			speed := "1"
			if tt.defaults != "" {
				speed = "1.5"
			}
			want := `{"callflow":[{"action":"say","params":{"text":"` + engine.DefaultFallbackText +
				`","voiceProfile":"` + tt.wantVoice + `","speed":` + speed + `}},{"action":"hangup"}]}`
			if got := string(fb.Response()); got != want {
				t.Errorf("fallback response:\n got %s\nwant %s", got, want)
			}
			for _, c := range []struct {
				node, digits string
				want         stepIDs
			}{
				{"main", "9", stepIDs{"main", "", engine.OutcomeInvalid}},
				{"main", "", stepIDs{"main", "", engine.OutcomeNoInput}},
				{"bye", "", stepIDs{"bye", "", engine.OutcomeLeaf}},
				{"nope", "", stepIDs{"<nil>", "", engine.OutcomeUnknownNode}},
			} {
				s := flow.Next(c.node, c.digits)
				if got := idsOf(t, s); got != c.want || s.Next != fb {
					t.Errorf("Next(%q, %q) = %+v, want %+v to the built-in fallback", c.node, c.digits, got, c.want)
				}
			}
		})
	}
	if engine.DefaultFallbackText != "Sorry, something went wrong. Please call again later." {
		t.Errorf("DefaultFallbackText = %q", engine.DefaultFallbackText)
	}
}

// captureOf returns the sayAndCapture of a menu node.
func captureOf(t *testing.T, flow *engine.Flow, id string) *callflows.SayAndCapture {
	t.Helper()
	n, ok := flow.Node(id)
	if !ok {
		t.Fatalf("no node %q", id)
	}
	cf := n.Callflow()
	if len(cf) != 1 {
		t.Fatalf("menu %s compiles to %d actions, want 1", id, len(cf))
	}
	sc, ok := cf[0].(*callflows.SayAndCapture)
	if !ok {
		t.Fatalf("menu %s compiles to %T, want *callflows.SayAndCapture", id, cf[0])
	}
	return sc
}

func TestCaptureSettings(t *testing.T) {
	flow := mustLoad(t, `
start: one_digit
defaults:
  capture:
    digit_timeout: 5s
    overall_timeout: 15s
    tries: 3
nodes:
  one_digit:
    menu: Press star or hash.
    keys: {"*": two_digits, "#": three_digits}
  two_digits:
    menu: Enter 1 or 12.
    keys: {"1": one_digit, "12": one_digit}
  three_digits:
    menu: Enter 123.
    keys: {"123": one_digit, "4": one_digit}
  min_two:
    menu: Enter two digits.
    capture: {min_digits: 2}
    keys: {"12": one_digit}
  explicit:
    menu: Enter up to four digits.
    voice: en-GB-RyanNeural
    speed: 0.9
    capture:
      max_digits: 4
      digit_timeout: 1500ms
      overall_timeout: 1m
      tries: 1
      complete_on_hash: false
    keys: {"12": one_digit}
  on_hash:
    menu: Enter digits then hash.
    capture: {complete_on_hash: true}
    keys: {"1": one_digit}
`)
	tests := []struct {
		node                                string
		min, max, digitMS, overallMS, tries int
		voice                               string
		speed                               float64
		completeOnHash                      *bool
		wantJSON                            string
	}{
		{"one_digit", 1, 1, 5000, 15000, 3, engine.DefaultVoice, 1, nil,
			`{"promptMessage":"Press star or hash.","voiceProfile":"en-US-BenjaminRUS","speed":1,"minDigits":1,"maxDigits":1,"digitTimeout":5000,"overallTimeout":15000,"noOfTries":3}`},
		{"two_digits", 1, 2, 5000, 15000, 3, engine.DefaultVoice, 1, nil, ""},
		{"three_digits", 1, 3, 5000, 15000, 3, engine.DefaultVoice, 1, nil, ""},
		{"min_two", 2, 2, 5000, 15000, 3, engine.DefaultVoice, 1, nil, ""},
		{"explicit", 1, 4, 1500, 60000, 1, "en-GB-RyanNeural", 0.9, new(false),
			`{"promptMessage":"Enter up to four digits.","voiceProfile":"en-GB-RyanNeural","speed":0.9,"minDigits":1,"maxDigits":4,"digitTimeout":1500,"overallTimeout":60000,"completeOnHash":false,"noOfTries":1}`},
		{"on_hash", 1, 1, 5000, 15000, 3, engine.DefaultVoice, 1, new(true), ""},
	}
	for _, tt := range tests {
		sc := captureOf(t, flow, tt.node)
		if sc.MinDigits != tt.min || sc.MaxDigits != tt.max || sc.DigitTimeout != tt.digitMS ||
			sc.OverallTimeout != tt.overallMS || sc.NoOfTries != tt.tries || sc.VoiceProfile != tt.voice || sc.Speed != tt.speed {
			t.Errorf("%s: got min %d max %d digit %d overall %d tries %d voice %s speed %v; want %d %d %d %d %d %s %v",
				tt.node, sc.MinDigits, sc.MaxDigits, sc.DigitTimeout, sc.OverallTimeout, sc.NoOfTries, sc.VoiceProfile, sc.Speed,
				tt.min, tt.max, tt.digitMS, tt.overallMS, tt.tries, tt.voice, tt.speed)
		}
		switch {
		case tt.completeOnHash == nil && sc.CompleteOnHash != nil:
			t.Errorf("%s: completeOnHash = %v, want unset", tt.node, *sc.CompleteOnHash)
		case tt.completeOnHash != nil && (sc.CompleteOnHash == nil || *sc.CompleteOnHash != *tt.completeOnHash):
			t.Errorf("%s: completeOnHash = %v, want %v", tt.node, sc.CompleteOnHash, *tt.completeOnHash)
		}
		if tt.wantJSON != "" {
			n, _ := flow.Node(tt.node)
			var resp struct {
				ClientActionID string
				Callflow       []struct {
					Action string
					Params json.RawMessage
				}
			}
			if err := json.Unmarshal(n.Response(), &resp); err != nil {
				t.Fatal(err)
			}
			if resp.ClientActionID != tt.node || len(resp.Callflow) != 1 || resp.Callflow[0].Action != "sayAndCapture" {
				t.Errorf("%s: response %s", tt.node, n.Response())
			} else if got := string(resp.Callflow[0].Params); got != tt.wantJSON {
				t.Errorf("%s params:\n got %s\nwant %s", tt.node, got, tt.wantJSON)
			}
		}
	}
}

// TestFoldedText: a folded YAML block is said as one line, runs of white
// space made single spaces.
func TestFoldedText(t *testing.T) {
	flow := mustLoad(t, "start: main\nnodes:\n  main:\n    say: >\n      Hello   there,\n      caller.\n\n      Goodbye.\n")
	n, _ := flow.Node("main")
	want := `{"clientActionId":"main","callflow":[{"action":"say","params":{"text":"Hello there, caller. Goodbye.","voiceProfile":"en-US-BenjaminRUS","speed":1}},{"action":"hangup"}]}`
	if got := string(n.Response()); got != want {
		t.Errorf("response:\n got %s\nwant %s", got, want)
	}
}

// TestResponseNotHTMLEscaped: prompts go to 8x8 as written, not with <, >
// and & turned into \u003c escapes.
func TestResponseNotHTMLEscaped(t *testing.T) {
	flow := mustLoad(t, "start: main\nnodes:\n  main:\n    say: Fish & chips <today>.\n")
	n, _ := flow.Node("main")
	if got := string(n.Response()); !strings.Contains(got, `"text":"Fish & chips <today>."`) {
		t.Errorf("response %s does not hold the text as written", got)
	}
}

// TestFlowAccessorsCopy: what a Flow hands out cannot change it.
func TestFlowAccessorsCopy(t *testing.T) {
	flow := loadRestaurant(t)
	nodes := flow.Nodes()
	nodes[0] = nil
	if flow.Nodes()[0] == nil {
		t.Error("Nodes() shares its slice with the flow")
	}
	main, _ := flow.Node("main_menu")
	keys := main.Keys()
	keys[0] = "9"
	if main.Keys()[0] != "1" {
		t.Error("Keys() shares its slice with the node")
	}
	cf := main.Callflow()
	cf[0] = &callflows.Hangup{}
	if _, ok := main.Callflow()[0].(*callflows.SayAndCapture); !ok {
		t.Error("Callflow() shares its slice with the node")
	}
	if _, ok := flow.Node("nope"); ok {
		t.Error(`Node("nope") found a node`)
	}
	post, _ := flow.Node("post_call")
	if post.Kind() != engine.KindDial || edgeTo(post, engine.EdgeThen) != "goodbye" {
		t.Errorf("post_call: kind %s, then %s", post.Kind(), edgeTo(post, engine.EdgeThen))
	}
	src, err := os.ReadFile(restaurantPath)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(src), "\n  post_call:")
	if i < 0 {
		t.Fatal("post_call not found in the file")
	}
	line := strings.Count(string(src[:i]), "\n") + 2
	if got, want := post.Pos(), (engine.Pos{File: restaurantPath, Line: line, Col: 3}); got != want {
		t.Errorf("post_call Pos() = %v, want %v", got, want)
	}
}

// TestNextConcurrent steps through one Flow from many goroutines; run with
// -race, it proves a compiled Flow needs no lock.
func TestNextConcurrent(t *testing.T) {
	flow := loadRestaurant(t)
	type call struct {
		node, digits, want string
	}
	calls := []call{
		{"", "1", "reservations"}, {"main_menu", "2", "connect_call"}, {"main_menu", "3", "hours"},
		{"reservations", "1", "book_table"}, {"reservations", "3", "main_menu"},
		{"book_table", "2", "booked_tomorrow"}, {"connect_call", "1", "post_call"},
		{"post_call", "", "goodbye"}, {"main_menu", "", "invalid_input"}, {"nope", "1", "invalid_input"},
	}
	want := make(map[string]string)
	for _, n := range flow.Nodes() {
		want[n.ID()] = string(n.Response())
	}
	const goroutines, rounds = 32, 500
	var wg sync.WaitGroup
	errs := make(chan string, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				c := calls[(g+r)%len(calls)]
				s := flow.Next(c.node, c.digits)
				if s.Next.ID() != c.want || string(s.Next.Response()) != want[c.want] {
					errs <- fmt.Sprintf("Next(%q, %q) = %s, want %s", c.node, c.digits, s.Next.ID(), c.want)
					return
				}
				_ = flow.Begin()
				_ = flow.Nodes()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestSensitive: a menu marked sensitive says so; others, and the file's
// default, do not.
func TestSensitive(t *testing.T) {
	flow := mustLoad(t, `start: pin
nodes:
  pin:
    menu: Enter your PIN.
    sensitive: true
    keys: {"1234": ok}
  open:
    menu: Press 1.
    sensitive: false
    keys: {"1": pin}
  plain:
    menu: Press 1.
    keys: {"1": open}
  ok:
    say: Thank you.
`)
	for id, want := range map[string]bool{"pin": true, "open": false, "plain": false, "ok": false} {
		n, _ := flow.Node(id)
		if got := n.Sensitive(); got != want {
			t.Errorf("node %q: Sensitive() = %v, want %v", id, got, want)
		}
	}
}

// edgeTo returns the ID of the node n's first edge of kind k leads to, ""
// without one.
func edgeTo(n *engine.Node, k engine.EdgeKind) string {
	for _, e := range n.Edges() {
		if e.Kind == k {
			return e.To.ID()
		}
	}
	return ""
}
