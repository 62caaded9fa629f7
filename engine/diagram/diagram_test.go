package diagram_test

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/diagram"
	"github.com/ivrctl/ivrctl/engine/internal/enginetest"
)

// TestDiagramGolden compares the Mermaid and DOT diagrams of the shipped
// flows with testdata/NAME.mmd and NAME.dot, exactly (go test
// -update rewrites them).
func TestDiagramGolden(t *testing.T) {
	flows := map[string]string{
		"restaurant": "../../flows/restaurant.yaml",
		"clinic":     "../../examples/clinic.yaml",
		// Budgets, inherited hotkeys, a message that continues, dial
		// outcomes.
		"line": "../scenario/testdata/line.yaml",
		// A recorded greeting, keys that set the language, a schedule.
		"hours": "../scenario/testdata/hours.yaml",
	}
	for name, path := range flows {
		flow := enginetest.Load(t, path)
		for ext, got := range map[string]string{".mmd": diagram.Mermaid(flow), ".dot": diagram.DOT(flow)} {
			t.Run(name+ext, func(t *testing.T) {
				enginetest.Golden(t, filepath.Join("testdata", name+ext), got)
			})
		}
	}
}

// tricky is a flow whose texts and IDs need escaping in both formats, and
// which leads to the built-in fallback.
const tricky = `version: 1
start: end
number: "+6568888888"
nodes:
  end:
    menu: "Say \"hi\" \\ <b>now</b> & press #\nor 1"
    keys:
      "#": my-leaf
      "10": my-leaf
      "2": dial
      "*": end
    on_no_input: my-leaf
  my-leaf:
    say: "Ünïcödé ☎ text that is long enough to be cut somewhere past forty runes"
  dial:
    dial: {to: "+6598888888"}
    then: my-leaf
`

func loadTricky(t *testing.T) *engine.Flow {
	t.Helper()
	return enginetest.LoadBytes(t, "tricky.yaml", tricky)
}

func TestMermaidEscaping(t *testing.T) {
	got := diagram.Mermaid(loadTricky(t))
	for _, want := range []string{
		// "end" is a Mermaid keyword and "my-leaf" holds a hyphen: both
		// are renamed, the labels keep the real IDs.
		`    n_end["end<br/>Say #quot;hi#quot; \ #lt;b#gt;now#lt;/b#gt; #amp; press #35; or 1"]`,
		`    n_my_leaf(["my-leaf<br/>Ünïcödé ☎ text that is long enough to b…"])`,
		`    dial{{"dial<br/>dial +6598888888"}}`,
		`    _fallback(["(fallback)<br/>`,
		`    _start --> n_end`,
		// Keys in keypad order: shorter first, digits before * before #.
		"    n_end -->|\"2\"| dial\n    n_end -->|\"*\"| n_end\n    n_end -->|\"#35;\"| n_my_leaf\n    n_end -->|\"10\"| n_my_leaf\n",
		`    n_end -.->|"invalid"| _fallback`,
		`    n_end -.->|"no input"| n_my_leaf`,
		`    dial -->|"then"| n_my_leaf`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Mermaid output lacks %q:\n%s", want, got)
		}
	}
	// Nothing of the texts may end a label early or break a line.
	for i, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		if i > 0 && (!strings.HasPrefix(line, "    ") || strings.Count(line, `"`)%2 != 0) {
			t.Errorf("line %d is broken: %q", i+1, line)
		}
	}
}

func TestDOTEscaping(t *testing.T) {
	got := diagram.DOT(loadTricky(t))
	for _, want := range []string{
		`  "end" [shape=box, label="end\nSay \"hi\" \\ <b>now</b> & press # or 1"];`,
		`  "my-leaf" [shape=box, style=rounded, label="my-leaf\nÜnïcödé ☎ text that is long enough to b…"];`,
		`  "(fallback)" [shape=box, style=rounded, label="(fallback)\n`,
		`  "end" -> "(fallback)" [label="invalid", style=dashed];`,
		`  "end" -> "my-leaf" [label="#"];`,
		`  "(start)" -> "end";`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("DOT output lacks %q:\n%s", want, got)
		}
	}
}

// TestDiagramExcerpt: long texts are cut to 40 characters, ellipsis
// included, on a rune boundary.
func TestDiagramExcerpt(t *testing.T) {
	got := diagram.Mermaid(loadTricky(t))
	_, rest, ok := strings.Cut(got, "n_my_leaf([\"my-leaf<br/>")
	if !ok {
		t.Fatalf("no my-leaf node in:\n%s", got)
	}
	text, _, _ := strings.Cut(rest, `"])`)
	if !utf8.ValidString(text) || utf8.RuneCountInString(text) != 40 || !strings.HasSuffix(text, "…") {
		t.Errorf("excerpt = %q (%d runes), want 40 valid runes ending in an ellipsis", text, utf8.RuneCountInString(text))
	}
}

// TestDOTRenders runs Graphviz's dot on the DOT diagrams, which must
// render to SVG without complaint.
func TestDOTRenders(t *testing.T) {
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Skip("graphviz's dot is not installed")
	}
	for name, flow := range map[string]*engine.Flow{
		"restaurant":  enginetest.Load(t, "../../flows/restaurant.yaml"),
		"clinic":      enginetest.Load(t, "../../examples/clinic.yaml"),
		"tricky":      loadTricky(t),
		"line":        enginetest.Load(t, "../scenario/testdata/line.yaml"),
		"own hotkeys": enginetest.LoadBytes(t, "own.yaml", ownHotkeys),
		"hours":       enginetest.Load(t, "../scenario/testdata/hours.yaml"),
	} {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			cmd := exec.CommandContext(t.Context(), dot, "-Tsvg")
			cmd.Stdin = strings.NewReader(diagram.DOT(flow))
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("dot -Tsvg: %v\n%s", err, stderr.String())
			}
			if stderr.Len() > 0 {
				t.Errorf("dot -Tsvg warned:\n%s", stderr.String())
			}
			if !bytes.Contains(stdout.Bytes(), []byte("<svg")) {
				t.Errorf("dot -Tsvg wrote no <svg:\n%s", stdout.String())
			}
		})
	}
}

// ownHotkeys has hotkeys in the defaults that one menu overrides and
// another switches off, and a menu with hotkeys of its own.
const ownHotkeys = `version: 1
start: main
defaults:
  hotkeys: {"9": repeat, "0": desk}
nodes:
  main:
    menu: Press 1 for sales.
    keys: {"1": sales}
    no_input: {retries: 1}
  sales:
    menu: Press 1 to order.
    keys: {"1": desk}
    hotkeys: {"0": "off", "*": back, "8": repeat, "9": main}
    invalid: {retries: 2, say: Sorry.}
  desk:
    dial: {to: "+15550100", from: "+15550199"}
    busy: closed
    then: closed
  closed:
    say: Goodbye.
`

// TestDiagramHotkeys: inherited hotkeys are drawn once, in a legend that
// names the menus without them; a menu's own hotkeys are dashed arrows;
// budgets are a note on the menu; a dial's outcomes are labelled.
func TestDiagramHotkeys(t *testing.T) {
	flow := enginetest.LoadBytes(t, "own.yaml", ownHotkeys)
	mmd, dot := diagram.Mermaid(flow), diagram.DOT(flow)
	for _, tt := range []struct {
		out, want string
	}{
		{mmd, `    main["main<br/>Press 1 for sales.<br/>silence ×1"]`},
		{mmd, `    sales["sales<br/>Press 1 to order.<br/>wrong key ×2"]`},
		{mmd, `    _hotkeys>"hotkeys of every menu<br/>9: repeat (not at sales)<br/>0: to desk (not at sales)"]`},
		{mmd, "    sales -->|\"1\"| desk\n    sales -.->|\"8 repeat\"| sales\n    sales -.->|\"9 main menu\"| main\n    sales -.->|\"* back\"| main\n"},
		{mmd, "    desk -->|\"busy\"| closed\n    desk -->|\"then\"| closed\n"},
		{mmd, `    _hotkeys -.->|"0"| desk`},
		{dot, `  "(hotkeys)" [shape=note, label="hotkeys of every menu\l9: repeat (not at sales)\l0: to desk (not at sales)\l"];`},
		{dot, `  "sales" -> "main" [label="* back", style=dashed];`},
		{dot, `  "(hotkeys)" -> "desk" [label="0", style=dashed];`},
		{dot, `  "main" [shape=box, label="main\nPress 1 for sales.\nsilence ×1"];`},
	} {
		if !strings.Contains(tt.out, tt.want) {
			t.Errorf("output lacks %q:\n%s", tt.want, tt.out)
		}
	}
	// The inherited repeat is not an arrow from main, whose own it is not.
	if strings.Contains(mmd, "main -.->|\"9") {
		t.Errorf("an inherited hotkey is drawn from a menu:\n%s", mmd)
	}
}

// TestDiagramHours: a prompt that starts with a recording shows its words
// and marks the audio; a key that sets the language says which; a
// schedule is a shape of its own with its zone, and its branches are
// arrows named after them.
func TestDiagramHours(t *testing.T) {
	flow := enginetest.Load(t, "../scenario/testdata/hours.yaml")
	mmd, dot := diagram.Mermaid(flow), diagram.DOT(flow)
	for _, tt := range []struct {
		out, want string
	}{
		{mmd, `    greeting(["greeting<br/>♪ greeting.mp3 + Thank you for calling."])`},
		{mmd, `    hours{"hours<br/>Pacific/Auckland"}`},
		{mmd, "    choose -->|\"1 (en)\"| hours\n    choose -->|\"2 (es)\"| hours\n"},
		{mmd, "    hours -->|\"open\"| open\n    hours -->|\"closed\"| closed\n    hours -->|\"holiday\"| holiday\n"},
		{dot, `  "hours" [shape=diamond, label="hours\nPacific/Auckland"];`},
		{dot, `  "greeting" [shape=box, style=rounded, label="greeting\n♪ greeting.mp3 + Thank you for calling."];`},
		{dot, `  "choose" -> "hours" [label="2 (es)"];`},
		{dot, `  "hours" -> "holiday" [label="holiday"];`},
	} {
		if !strings.Contains(tt.out, tt.want) {
			t.Errorf("output lacks %q:\n%s", tt.want, tt.out)
		}
	}
}
