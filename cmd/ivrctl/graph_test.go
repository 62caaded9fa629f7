package main

import (
	"os"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/diagram"
)

// TestGraph: ivrctl graph prints exactly what the engine draws, in either
// format.
func TestGraph(t *testing.T) {
	flow, diags, err := engine.Load(restaurant, engine.LoadOptions{})
	if flow == nil {
		t.Fatalf("%s does not load: %v %v", restaurant, err, diags)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"graph", restaurant}, diagram.Mermaid(flow)},
		{[]string{"graph", "--format", "mermaid", restaurant}, diagram.Mermaid(flow)},
		{[]string{"graph", restaurant, "--format", "dot"}, diagram.DOT(flow)},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != exitOK || stderr != "" {
				t.Fatalf("exit code %d, stderr %q", code, stderr)
			}
			if stdout != tt.want {
				t.Errorf("stdout:\n%s\nwant:\n%s", stdout, tt.want)
			}
		})
	}
}

func TestGraphErrors(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"unknown format", []string{"graph", "--format", "svg", restaurant}, exitUsage, `unknown format "svg"`},
		{"no file", []string{"graph"}, exitUsage, "give exactly one flow file"},
		{"two files", []string{"graph", restaurant, restaurant}, exitUsage, "give exactly one flow file"},
		{"unknown flag", []string{"graph", "--bogus", restaurant}, exitUsage, "flag provided but not defined: -bogus"},
		{"-h", []string{"graph", "-h"}, exitOK, "Usage: ivrctl graph [--format mermaid|dot] [--warnings] FILE"},
		{"flow with errors", []string{"graph", "testdata/broken.yaml"}, exitProblems, `testdata/broken.yaml:2:8: error: unknown node "mian" as start`},
		{"missing file", []string{"graph", "testdata/nonexistent.yaml"}, exitFailure, "ivrctl graph: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tt.stderr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
		})
	}
	if code, stdout, _ := runCLI(t, "help"); code != exitOK || !strings.Contains(stdout, "ivrctl graph [--format mermaid|dot] [--warnings] FILE") {
		t.Errorf("usage text does not list graph:\n%s", stdout)
	}
}

// TestREADMEDiagram: the README's Mermaid diagram is what ivrctl graph
// draws of the restaurant flow now. If this fails after a change to the
// flow or the diagrams, paste the output of
// go run ./cmd/ivrctl graph flows/restaurant.yaml into the README.
func TestREADMEDiagram(t *testing.T) {
	// The flow's defaults, whatever this environment sets: ${NAME:-default}
	// takes the default when NAME is empty.
	t.Setenv("IVR_FRONT_DESK", "")
	t.Setenv("IVR_VIRTUAL_NUMBER", "")
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "\n```mermaid\n")
	if !ok {
		t.Fatal("README.md has no ```mermaid block")
	}
	block, _, ok := strings.Cut(rest, "\n```\n")
	if !ok {
		t.Fatal("README.md's ```mermaid block is not closed")
	}
	code, stdout, stderr := runCLI(t, "graph", restaurant)
	if code != exitOK {
		t.Fatalf("ivrctl graph: exit code %d, stderr %q", code, stderr)
	}
	if block+"\n" != stdout {
		t.Errorf("README.md's mermaid block is out of date; replace it with the output of go run ./cmd/ivrctl graph flows/restaurant.yaml:\n%s", stdout)
	}
}
