// Package enginetest holds what the tests of the engine's tool packages
// (diagram, diff) share: loading a flow that must load, and comparing an
// output with its golden file.
package enginetest

import (
	"flag"
	"os"
	"testing"

	"github.com/ivrctl/ivrctl/engine"
)

var update = flag.Bool("update", false, "rewrite the golden files from the current output")

// noEnv is an environment with nothing set, so that a flow loads the same
// whatever the environment of the test: ${NAME} takes its default.
func noEnv(string) (string, bool) { return "", false }

// Load loads the flow file at path, failing t unless it loads.
func Load(t testing.TB, path string) *engine.Flow {
	t.Helper()
	flow, diags, err := engine.Load(path, engine.LoadOptions{Env: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	if flow == nil {
		t.Fatalf("%s does not load:\n%v", path, diags.Error())
	}
	return flow
}

// LoadBytes loads a flow from src, named name, failing t unless it loads.
func LoadBytes(t testing.TB, name, src string) *engine.Flow {
	t.Helper()
	flow, diags, _ := engine.Load(name, engine.LoadOptions{Source: []byte(src), Env: noEnv})
	if flow == nil {
		t.Fatalf("%s does not load:\n%v", name, diags.Error())
	}
	return flow
}

// Golden compares got with the golden file at path, or with -update
// rewrites the file with it.
func Golden(t testing.TB, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s; if the change is intended, run go test -update and review the diff.\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
