package engine_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/engine"
)

// loadEdgesFlow compiles src, which must load.
func loadEdgesFlow(t *testing.T, src string) *engine.Flow {
	t.Helper()
	flow, diags, _ := engine.Load("edges.yaml", engine.LoadOptions{Source: []byte(src), Env: noEnv})
	if flow == nil {
		t.Fatalf("flow does not load:\n%v", diags)
	}
	return flow
}

// loadEdgesFile loads the flow file at path, which must load.
func loadEdgesFile(t *testing.T, path string) *engine.Flow {
	t.Helper()
	flow, diags, err := engine.Load(path, engine.LoadOptions{Env: noEnv})
	if err != nil || flow == nil {
		t.Fatalf("%s does not load: %v\n%v", path, err, diags)
	}
	return flow
}

// edgeStrings returns n's edges as "kind label -> to", the built-in
// fallback as "(fallback)".
func edgeStrings(n *engine.Node) []string {
	out := []string{}
	for _, e := range n.Edges() {
		to := e.To.ID()
		if to == "" {
			to = "(fallback)"
		}
		out = append(out, strings.TrimSpace(e.Kind.String()+" "+e.Label)+" -> "+to)
	}
	return out
}

func TestEdges(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want map[string][]string // by node ID
	}{{
		name: "keys in file order, then a wrong key, then silence",
		src: `version: 1
start: main
nodes:
  main:
    menu: Press 2, 1 or hash.
    keys:
      "2": hours
      "1": main
      "#": hours
    on_no_input: hours
  hours:
    say: We are open.
`,
		want: map[string][]string{
			"main":  {"key 2 -> hours", "key 1 -> main", "key # -> hours", "invalid -> (fallback)", "no-input -> hours"},
			"hours": {},
		},
	}, {
		name: "silence goes where a wrong key goes unless told",
		src: `version: 1
start: main
nodes:
  main:
    menu: Press 1.
    keys:
      "1": bye
    on_invalid: main
  bye:
    say: Bye.
`,
		want: map[string][]string{
			"main": {"key 1 -> bye", "invalid -> main", "no-input -> main"},
		},
	}, {
		name: "defaults",
		src: `version: 1
start: main
defaults:
  on_invalid: sorry
  on_no_input: main
nodes:
  main:
    menu: Press 1.
    keys:
      "1": sorry
  sorry:
    say: Sorry.
`,
		want: map[string][]string{
			"main":  {"key 1 -> sorry", "invalid -> sorry", "no-input -> main"},
			"sorry": {},
		},
	}, {
		name: "a dial goes on when the call ends",
		src: `version: 1
start: transfer
number: "+6568888888"
nodes:
  transfer:
    dial: {to: "+6598888888"}
    then: bye
  bye:
    say: Bye.
`,
		want: map[string][]string{
			"transfer": {"then -> bye"},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flow := loadEdgesFlow(t, tt.src)
			for id, want := range tt.want {
				n, ok := flow.Node(id)
				if !ok {
					t.Fatalf("no node %q", id)
				}
				if got := edgeStrings(n); !slices.Equal(got, want) {
					t.Errorf("%s: Edges() = %q, want %q", id, got, want)
				}
			}
		})
	}
}

// TestEdgesAgreeWithNext: following an edge is what Next does with the
// input the edge stands for, for every edge of the shipped flows.
func TestEdgesAgreeWithNext(t *testing.T) {
	for _, path := range []string{"../flows/restaurant.yaml", "../examples/clinic.yaml"} {
		flow := loadEdgesFile(t, path)
		for _, n := range flow.Nodes() {
			for _, e := range n.Edges() {
				var step engine.Step
				switch e.Kind {
				case engine.EdgeKey:
					step = flow.Next(n.ID(), e.Label)
				case engine.EdgeInvalid:
					step = flow.Next(n.ID(), "no such key")
				case engine.EdgeNoInput, engine.EdgeThen:
					step = flow.Next(n.ID(), "")
				default:
					t.Fatalf("%s: edge of unknown kind %v", n.ID(), e.Kind)
				}
				if step.Next != e.To {
					t.Errorf("%s: %v edge %q leads to %q, Next to %q", n.ID(), e.Kind, e.Label, e.To.ID(), step.Next.ID())
				}
			}
		}
	}
}

// TestEdgesIsACopy: a caller cannot change a compiled flow through the
// slice Edges returns.
func TestEdgesIsACopy(t *testing.T) {
	flow := loadEdgesFlow(t, "version: 1\nstart: main\nnodes:\n  main:\n    menu: Press 1.\n    keys:\n      \"1\": main\n")
	main, _ := flow.Node("main")
	main.Edges()[0].To = nil
	if e := main.Edges(); e[0].To != main {
		t.Errorf("Edges()[0] = %+v after changing a copy", e[0])
	}
}

func TestEdgeKindString(t *testing.T) {
	for k, want := range map[engine.EdgeKind]string{
		engine.EdgeKey: "key", engine.EdgeInvalid: "invalid", engine.EdgeNoInput: "no-input", engine.EdgeThen: "then", 0: "unknown",
	} {
		if got := k.String(); got != want {
			t.Errorf("EdgeKind(%d).String() = %q, want %q", k, got, want)
		}
	}
}

// TestDeadSpots: DeadSpots finds the nodes the warn fixtures are about.
func TestDeadSpots(t *testing.T) {
	tests := []struct {
		path                string
		unreachable, noExit []string
	}{
		{"../flows/restaurant.yaml", nil, nil},
		{"testdata/warn/unreachable.yaml", []string{"old_menu", "orphan"}, nil},
		{"testdata/warn/unreachable_chain.yaml", []string{"transfer", "bye"}, nil},
		{"testdata/warn/no_exit.yaml", nil, []string{"main", "more"}},
	}
	ids := func(nodes []*engine.Node) []string {
		var out []string
		for _, n := range nodes {
			out = append(out, n.ID())
		}
		return out
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			unreachable, noExit := loadEdgesFile(t, tt.path).DeadSpots()
			if got := ids(unreachable); !slices.Equal(got, tt.unreachable) {
				t.Errorf("unreachable = %q, want %q", got, tt.unreachable)
			}
			if got := ids(noExit); !slices.Equal(got, tt.noExit) {
				t.Errorf("no exit = %q, want %q", got, tt.noExit)
			}
		})
	}
}
