package engine_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/engine"
)

// TestWarnFixtures lints each testdata/warn/NAME.yaml, a flow that loads
// but has likely mistakes, and compares its diagnostics with NAME.out (go
// test -update rewrites them). Every diagnostic must be a warning and the
// flow must be returned. Without an unset ${NAME}, Load agrees with Lint.
func TestWarnFixtures(t *testing.T) {
	for _, path := range fixtures(t, "testdata/warn", 10) {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		t.Run(name, func(t *testing.T) {
			flow, diags, err := engine.Load(path, engine.LoadOptions{Env: fixtureEnv, Lint: true, Voices: fixtureVoices})
			if err != nil {
				t.Fatalf("Lint: %v", err)
			}
			if flow == nil {
				t.Errorf("Lint returned no flow")
			}
			if diags.Err() != nil {
				t.Errorf("Err() = %v, want nil for warnings", diags.Err())
			}
			env := false
			var got bytes.Buffer
			for _, d := range diags {
				got.WriteString(d.String())
				got.WriteByte('\n')
				if d.Severity != engine.SeverityWarning {
					t.Errorf("not a warning: %s", d)
				}
				env = env || d.Rule == engine.RuleEnv
			}
			if !env {
				loaded, ldiags, err := engine.Load(path, engine.LoadOptions{Env: fixtureEnv, Voices: fixtureVoices})
				if err != nil || loaded == nil || ldiags.Error() != diags.Error() {
					t.Errorf("Load = %v, %v, %v; want the flow and Lint's diagnostics", loaded, ldiags, err)
				}
			}
			compareOut(t, path, got.String())
		})
	}
}

// TestLintEnv: the same unset ${NAME} stops Load but is a warning in Lint,
// where the value is empty.
func TestLintEnv(t *testing.T) {
	src := []byte("start: main\nvars:\n  who: ${IVR_UNSET}\nnodes:\n  main:\n    say: Hello {{who}}.\n")
	flow, diags, _ := engine.Load("f.yaml", engine.LoadOptions{Source: src, Env: noEnv})
	if flow != nil || !diags.HasErrors() {
		t.Errorf("Load = %v, %v; want no flow and an error", flow, diags)
	}
	flow, diags, _ = engine.Load("f.yaml", engine.LoadOptions{Source: src, Env: noEnv, Lint: true})
	want := "f.yaml:3:8: warning: environment variable IVR_UNSET is not set and has no default; set it, or give a default as ${IVR_UNSET:-value} [env]"
	if flow == nil || diags.Error() != want {
		t.Fatalf("Load with Lint = %v,\n%v\nwant a flow and\n%s", flow, diags, want)
	}
	if got := flow.Start().Callflow()[0]; !strings.Contains(fmt.Sprint(got), "Hello .") {
		t.Errorf("start says %v, want the var expanded as empty", got)
	}
	if _, _, err := engine.Load("testdata/warn/no-such-file.yaml", engine.LoadOptions{Env: noEnv, Lint: true}); !os.IsNotExist(err) {
		t.Errorf("Lint of a missing file: err = %v, want a not-exist error", err)
	}
}

// chainFlow writes a flow of n dial nodes, each going on to the next, the
// last to a say node, or back to the first when loop is set.
func chainFlow(n int, loop bool) []byte {
	var b strings.Builder
	b.WriteString("start: d0\nnumber: \"+6568888888\"\nnodes:\n")
	for i := range n {
		next := fmt.Sprintf("d%d", i+1)
		if i == n-1 {
			next = "bye"
			if loop {
				next = "d0"
			}
		}
		fmt.Fprintf(&b, "  d%d:\n    dial: {to: \"+6598888888\"}\n    then: %s\n", i, next)
	}
	b.WriteString("  bye:\n    say: Goodbye.\n")
	return []byte(b.String())
}

// TestGraphLongChain: the graph checks walk a chain of 10,000 nodes
// without recursion, and name a loop that long in one diagnostic.
func TestGraphLongChain(t *testing.T) {
	const n = 10_000
	flow, diags, _ := engine.Load("chain.yaml", engine.LoadOptions{Source: chainFlow(n, false), Env: noEnv})
	if flow == nil || len(diags) > 0 {
		t.Fatalf("chain does not load cleanly:\n%v", diags)
	}
	flow, diags, _ = engine.Load("chain.yaml", engine.LoadOptions{Source: chainFlow(n, true), Env: noEnv})
	if flow != nil {
		t.Fatal("a loop of dials loaded")
	}
	var loops, others int
	for _, d := range diags {
		if d.Rule == engine.RuleLoop {
			loops++
			if !strings.Contains(d.Message, ": d0 -> d1 -> ") || !strings.HasSuffix(d.Message, fmt.Sprintf(" -> d%d -> d0", n-1)) {
				t.Errorf("loop message %.80q... does not name the cycle from d0", d.Message)
			}
		} else {
			others++
		}
	}
	if loops != 1 || others != 0 {
		t.Errorf("got %d loop and %d other diagnostics, want 1 and 0", loops, others)
	}
}

// BenchmarkGraphChain lints a loop-free chain of dials, the deepest graph
// there is; ns/node stays flat when the graph checks are linear.
func BenchmarkGraphChain(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		src := chainFlow(n, false)
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			for b.Loop() {
				if flow, diags, _ := engine.Load("chain.yaml", engine.LoadOptions{Source: src, Env: noEnv, Lint: true}); flow == nil || len(diags) > 0 {
					b.Fatalf("chain does not lint cleanly:\n%v", diags)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/node")
		})
	}
}
