package engine_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/scenario"
)

const tinyFlow = "start: main\nnodes:\n  main:\n    say: Hello.\n"

func TestVersion(t *testing.T) {
	src := []byte(tinyFlow)
	load := func(path string, src []byte) *engine.Flow {
		t.Helper()
		flow, diags, _ := engine.Load(path, engine.LoadOptions{Source: src, Env: noEnv})
		if flow == nil {
			t.Fatalf("diagnostics:\n%v", diags)
		}
		return flow
	}
	v := load("a.yaml", src).Version()
	if !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(v) {
		t.Errorf("Version() = %q, want 12 hex digits", v)
	}
	tests := []struct {
		name string
		path string
		src  []byte
		same bool
	}{
		{"same bytes", "a.yaml", []byte(tinyFlow), true},
		{"same bytes, other path", "dir/b.yaml", []byte(tinyFlow), true},
		{"one byte changed", "a.yaml", []byte("start: main\nnodes:\n  main:\n    say: Hello!\n"), false},
		{"a comment added", "a.yaml", []byte(tinyFlow + "# note\n"), false},
		{"trailing newline dropped", "a.yaml", []byte(tinyFlow[:len(tinyFlow)-1]), false},
	}
	for _, tt := range tests {
		got := load(tt.path, tt.src).Version()
		if (got == v) != tt.same {
			t.Errorf("%s: Version() = %q, first %q; want same = %v", tt.name, got, v, tt.same)
		}
	}

	// Load reads the same bytes from the file, so it agrees with Load given them.
	flow := loadRestaurant(t)
	src, err := os.ReadFile(restaurantPath)
	if err != nil {
		t.Fatal(err)
	}
	if got := load(restaurantPath, src).Version(); got != flow.Version() {
		t.Errorf("Load of the bytes: version %q; of the file: %q", got, flow.Version())
	}
}

func TestNameAndPath(t *testing.T) {
	tests := []struct {
		path, src, want string
	}{
		{"flows/tiny.yaml", "name: Corner Bikes\n" + tinyFlow, "Corner Bikes"},
		{"flows/tiny.yaml", "name: '  Spaced  '\n" + tinyFlow, "Spaced"},
		{"flows/tiny.yaml", tinyFlow, "tiny.yaml"},
		{"flows/tiny.yaml", "name: ''\n" + tinyFlow, "tiny.yaml"},
		{"flows/tiny.yaml", "name:\n" + tinyFlow, "tiny.yaml"},
		{"tiny.yml", tinyFlow, "tiny.yml"},
	}
	for _, tt := range tests {
		flow, diags, _ := engine.Load(tt.path, engine.LoadOptions{Source: []byte(tt.src), Env: noEnv})
		if flow == nil {
			t.Fatalf("%q: diagnostics:\n%v", tt.src, diags)
		}
		if got := flow.Name(); got != tt.want {
			t.Errorf("%q: Name() = %q, want %q", tt.src, got, tt.want)
		}
		if got := flow.Path(); got != tt.path {
			t.Errorf("Path() = %q, want %q", got, tt.path)
		}
	}
	if got := loadRestaurant(t).Name(); got != "ABC Restaurant" {
		t.Errorf("restaurant Name() = %q, want ABC Restaurant", got)
	}
}

// TestShippedFlows: every flow ivrctl ships loads with no diagnostic at
// all, not even a warning, with nothing set in the environment.
func TestShippedFlows(t *testing.T) {
	flows, err := filepath.Glob("../flows/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(flows) == 0 {
		t.Fatal("no flows in ../flows")
	}
	var examples []string
	for _, pattern := range []string{"../examples/*.yaml", "../examples/*/*.yaml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		examples = append(examples, m...)
	}
	for _, path := range append(flows, examples...) {
		if ok, _ := filepath.Match("*"+scenario.Suffix, filepath.Base(path)); ok {
			continue // a scenario file, not a flow
		}
		t.Run(path, func(t *testing.T) {
			flow, diags, err := engine.Load(path, engine.LoadOptions{Env: noEnv})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range diags {
				t.Errorf("%s", d)
			}
			if flow == nil {
				t.Fatal("no flow")
			}
			if flow.Start() == nil || flow.Fallback() == nil || len(flow.Fallback().Response()) == 0 {
				t.Errorf("flow has no start or no fallback response")
			}
			for _, n := range append(flow.Nodes(), flow.Fallback()) {
				if n.Kind() == engine.KindSchedule || n.Kind() == engine.KindSwitch {
					continue // it sends the caller on, and never answers
				}
				if len(n.Response()) == 0 {
					t.Errorf("node %s has no response", n.ID())
				}
				// The bytes served, not only the typed actions, pass every
				// rule of 8x8's.
				for _, p := range callflows.ValidateJSON(n.Response(), callflows.Answer) {
					t.Errorf("node %q: %v", n.ID(), p)
				}
			}
			// The outbound call of ivrctl call: makeCall, then the start node.
			if flow.Number() != "" {
				opening, err := flow.Opening(time.Now())
				if err != nil {
					t.Fatal(err)
				}
				initial := append(callflows.Callflow{&callflows.MakeCall{Source: flow.Number(), Destination: "+6591234567"}}, opening...)
				for _, p := range callflows.Validate(initial, callflows.Initial) {
					t.Errorf("initial request: %v", p)
				}
			}
		})
	}
}
