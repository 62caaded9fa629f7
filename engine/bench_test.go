package engine_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/engine"
)

// generatedFlow writes a flow of n nodes: a binary tree of menus whose
// bottom row are say nodes (n even, so that every node is reachable), each menu with two keys and a prompt that
// names them, and a var used by every say text. With state, every menu
// has silence and wrong-key budgets and the hotkeys repeat, back and main,
// so that the call state, back edges and budget messages are compiled too.
func generatedFlow(n int, state bool) []byte {
	var b strings.Builder
	b.WriteString("version: 1\nname: Generated\nstart: n0\nfallback: n0_bye\n")
	if state {
		b.WriteString("defaults:\n  voice: en-US-BenjaminRUS\n  capture: {max_digits: 1, digit_timeout: 5s, overall_timeout: 15s}\n")
		b.WriteString("  no_input: {retries: 2, say: [\"I did not hear you.\", \"Are you there?\"]}\n")
		b.WriteString("  invalid: {retries: 1, say: \"Sorry, that is not an option.\"}\n")
		b.WriteString("  hotkeys: {\"9\": repeat, \"*\": back, \"0\": main}\n")
	} else {
		b.WriteString("defaults:\n  voice: en-US-BenjaminRUS\n  capture: {max_digits: 1, digit_timeout: 5s, overall_timeout: 15s, tries: 2}\n")
	}
	b.WriteString("  on_invalid: n0_bye\nvars:\n  shop: Generated Shop\nnodes:\n")
	b.WriteString("  n0_bye:\n    say: Thank you for calling {{shop}}.\n")
	for i := 0; i < n-1; i++ {
		left, right := 2*i+1, 2*i+2
		if right < n-1 {
			fmt.Fprintf(&b, "  n%d:\n    menu: For option %d press 1, for option %d press 2.\n    keys: {\"1\": n%d, \"2\": n%d}\n",
				i, left, right, left, right)
		} else {
			fmt.Fprintf(&b, "  n%d:\n    say: You reached leaf %d of {{shop}}, goodbye.\n", i, i)
		}
	}
	return []byte(b.String())
}

// BenchmarkLint loads (parses, checks, compiles and validates) generated
// flows of growing size; ns/op divided by the node count stays flat when
// lint is linear in the size of the flow.
//
//	go test -run '^$' -bench Lint -benchmem ./engine/
func BenchmarkLint(b *testing.B) {
	for _, tt := range []struct {
		n     int
		state bool
	}{{1_000, false}, {10_000, false}, {50_000, false}, {1_000, true}, {10_000, true}, {50_000, true}} {
		n, src := tt.n, generatedFlow(tt.n, tt.state)
		b.Run(fmt.Sprintf("nodes=%d/state=%v", n, tt.state), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				flow, diags, _ := engine.Load("generated.yaml", engine.LoadOptions{Source: src, Env: noEnv})
				if flow == nil || len(diags) > 0 {
					b.Fatalf("generated flow does not load cleanly:\n%v", diags)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/node")
		})
	}
}

// TestGeneratedFlow keeps the benchmark honest: the generated flow loads
// with no diagnostic and has the size asked for.
func TestGeneratedFlow(t *testing.T) {
	for _, state := range []bool{false, true} {
		flow, diags, _ := engine.Load("generated.yaml", engine.LoadOptions{Source: generatedFlow(100, state), Env: noEnv})
		if flow == nil || len(diags) > 0 {
			t.Fatalf("generated flow (state %v) does not load cleanly:\n%v", state, diags)
		}
		if got := len(flow.Nodes()); got != 100 {
			t.Errorf("generated flow has %d nodes, want 100", got)
		}
	}
}
