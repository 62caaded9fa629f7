package engine_test

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/report"
	"github.com/ivrctl/ivrctl/engine/scenario"
)

// FuzzLint feeds arbitrary files to the engine as ivrctl lint and ivrctl
// serve read them: neither may panic, every diagnostic must point into the
// file and print, and a flow that loads must answer every step with valid
// JSON.
//
//	go test -run '^$' -fuzz FuzzLint -fuzztime 60s ./engine/
func FuzzLint(f *testing.F) {
	var seeds []string
	for _, pattern := range []string{"../flows/*.yaml", "../examples/*.yaml", "testdata/err/*.yaml", "testdata/warn/*.yaml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, m...)
	}
	if len(seeds) == 0 {
		f.Fatal("no seed files")
	}
	for _, path := range seeds {
		if strings.HasSuffix(path, scenario.Suffix) {
			continue // a scenario file, not a flow
		}
		src, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte(routingFlow))
	f.Fuzz(func(t *testing.T, src []byte) {
		// A slow input is a bug too: make it a crash the fuzzer saves.
		watchdog := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("input took over 10s: %q", src)) })
		defer watchdog.Stop()
		lines := yamlLines(src)
		lintFlow, lintDiags, _ := engine.Load("fuzz.yaml", engine.LoadOptions{Source: src, Env: fixtureEnv, Lint: true})
		checkDiagnostics(t, lintFlow, lintDiags, lines)
		if err := report.Print(io.Discard, lintDiags, map[string][]byte{"fuzz.yaml": src}, true); err != nil {
			t.Fatalf("Print: %v", err)
		}
		if err := report.JSON(io.Discard, lintDiags); err != nil {
			t.Fatalf("JSON: %v", err)
		}
		flow, diags, _ := engine.Load("fuzz.yaml", engine.LoadOptions{Source: src, Env: fixtureEnv})
		checkDiagnostics(t, flow, diags, lines)
		if flow == nil {
			return
		}
		check := func(n *engine.Node) {
			if n == nil {
				t.Fatal("nil node")
			}
			if (n.Kind() == engine.KindSchedule || n.Kind() == engine.KindSwitch) && n.Response() == nil {
				return // it passes the caller on and never answers
			}
			if !json.Valid(n.Response()) {
				t.Fatalf("node %q: invalid JSON response %q", n.ID(), n.Response())
			}
		}
		check(flow.Begin().Next)
		check(flow.Fallback())
		for _, n := range flow.Nodes() {
			check(n)
			for _, digits := range append(n.Keys(), "", "0", "#", "x") {
				s := flow.Next(n.ID(), digits)
				check(s.Next)
				if s.From != n {
					t.Fatalf("Next(%q, %q).From = %v", n.ID(), digits, s.From)
				}
			}
		}
	})
}

// checkDiagnostics fails t unless every diagnostic points into a file of
// lines lines, has a message and a rule, and the list is sorted; and unless
// a flow came back exactly when no diagnostic is an error.
func checkDiagnostics(t *testing.T, flow *engine.Flow, diags engine.Diagnostics, lines int) {
	t.Helper()
	for i, d := range diags {
		// lines+1 is the position just past a final line break: an
		// unexpected end of the file.
		if d.Pos.File != "fuzz.yaml" || d.Pos.Line < 1 || d.Pos.Line > lines+1 || d.Pos.Col < 0 {
			t.Errorf("diagnostic out of the file (%d lines): %s", lines, d)
		}
		if d.End != (engine.Pos{}) && (d.End.File != d.Pos.File || d.End.Line < d.Pos.Line || d.End.Line == d.Pos.Line && d.End.Col <= d.Pos.Col) {
			t.Errorf("diagnostic's range does not end after it starts: %s to %+v", d, d.End)
		}
		if _, ok := engine.LookupRule(d.Rule); !ok {
			t.Errorf("diagnostic of an unregistered rule: %s", d)
		}
		if d.Message == "" || d.Rule == "" {
			t.Errorf("diagnostic without message or rule: %#v", d)
		}
		if i > 0 && before(d.Pos, diags[i-1].Pos) {
			t.Errorf("diagnostics not sorted: %s before %s", diags[i-1], d)
		}
	}
	if flow == nil && !diags.HasErrors() {
		t.Fatalf("no flow and no error")
	}
	if flow != nil && diags.HasErrors() {
		t.Fatalf("a flow despite errors:\n%v", diags)
	}
}

// yamlLines counts the lines of src as yaml.v3 does, whose positions the
// diagnostics carry: "\r\n", "\r", "\n", NEL, LS and PS each end a line.
func yamlLines(src []byte) int {
	s := string(src)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	n := 1
	for _, r := range s {
		switch r {
		case '\n', '\r', '\u0085', '\u2028', '\u2029':
			n++
		}
	}
	if strings.HasSuffix(s, "\n") || strings.HasSuffix(s, "\r") {
		n-- // a final line break ends the last line; it starts none
	}
	return n
}

func TestYAMLLines(t *testing.T) {
	tests := []struct {
		src  string
		want int
	}{
		{"", 1}, {"a", 1}, {"a\n", 1}, {"a\nb", 2}, {"a\nb\n", 2},
		{"a\r\nb\r\n", 2}, {" \r\r0", 3}, {"a\u2028b\u0085c", 3},
	}
	for _, tt := range tests {
		if got := yamlLines([]byte(tt.src)); got != tt.want {
			t.Errorf("yamlLines(%q) = %d, want %d", tt.src, got, tt.want)
		}
	}
}
