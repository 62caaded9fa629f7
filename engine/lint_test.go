package engine_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/engine"
)

// update rewrites the expected files under testdata from what the code does
// now: go test ./engine -update. Review the diff before committing it.
var update = flag.Bool("update", false, "rewrite testdata/err/*.out and testdata/golden/* from the current output")

// fixtureEnv is the environment every fixture is loaded with: only IVR_SET
// is set, so that fixtures never depend on the real environment.
func fixtureEnv(name string) (string, bool) {
	if name == "IVR_SET" {
		return "+6500000000", true
	}
	return "", false
}

// fixtureVoices are the speech profiles every fixture is checked against,
// as with ivrctl lint --voices.
var fixtureVoices = []string{"en-US-BenjaminRUS", "en-GB-Emma", "en-US-JennyNeural", "es-MX-DaliaNeural",
	"fr-FR-DeniseNeural", "de-DE-KatjaNeural", "it-IT-ElsaNeural", "pt-BR-FranciscaNeural"}

// noEnv is an environment with nothing set.
func noEnv(string) (string, bool) { return "", false }

// TestErrFixtures loads each testdata/err/NAME.yaml, a flow broken in one
// way (many_errors.yaml in many), and compares its diagnostics with
// NAME.out, one d.String() a line, as ivrctl lint prints them.
func TestErrFixtures(t *testing.T) {
	for _, path := range fixtures(t, "testdata/err", 40) {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		t.Run(name, func(t *testing.T) {
			flow, diags, err := engine.Load(path, engine.LoadOptions{Env: fixtureEnv, Voices: fixtureVoices})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if flow != nil {
				t.Errorf("Load returned a flow for a broken file")
			}
			if !diags.HasErrors() || diags.Err() == nil {
				t.Errorf("Load reported no error")
			}
			var got bytes.Buffer
			for i, d := range diags {
				got.WriteString(d.String())
				got.WriteByte('\n')
				if !strings.HasPrefix(d.String(), path+":") {
					t.Errorf("diagnostic %q does not start with the path %s", d, path)
				}
				if i > 0 && before(d.Pos, diags[i-1].Pos) {
					t.Errorf("diagnostics not sorted: %q before %q", diags[i-1], d)
				}
			}
			if want := compareOut(t, path, got.String()); want != "" && diags.Error() != strings.TrimSuffix(want, "\n") {
				t.Errorf("Diagnostics.Error() = %q, want the .out lines", diags.Error())
			}
		})
	}
}

// fixtures returns the NAME.yaml files of dir, failing t when there are
// fewer than min (a glob gone wrong) or when an NAME.out has no NAME.yaml
// beside it (left behind by a renamed or deleted fixture).
func fixtures(t *testing.T, dir string, min int) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < min {
		t.Fatalf("found %d fixtures in %s, want at least %d", len(files), dir, min)
	}
	outs, err := filepath.Glob(filepath.Join(dir, "*.out"))
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range outs {
		if _, err := os.Stat(strings.TrimSuffix(out, ".out") + ".yaml"); err != nil {
			t.Errorf("%s has no .yaml beside it", out)
		}
	}
	return files
}

// compareOut compares got, the diagnostics of the fixture path, with its
// NAME.out, or writes it there with -update. It returns the .out's text.
func compareOut(t *testing.T, path, got string) string {
	t.Helper()
	outPath := strings.TrimSuffix(path, ".yaml") + ".out"
	if *update {
		if err := os.WriteFile(outPath, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return ""
	}
	want, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("diagnostics of %s:\n%s\nwant (%s):\n%s", path, got, outPath, want)
	}
	return string(want)
}

func before(a, b engine.Pos) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return a.Col < b.Col
}

// TestLoadMissingFile: a file that cannot be read is an error of the tool,
// not a diagnostic.
func TestLoadMissingFile(t *testing.T) {
	flow, diags, err := engine.Load("testdata/err/no-such-file.yaml", engine.LoadOptions{Env: noEnv})
	if err == nil || !os.IsNotExist(err) {
		t.Errorf("err = %v, want a not-exist error", err)
	}
	if flow != nil || diags != nil {
		t.Errorf("flow, diags = %v, %v; want nil, nil", flow, diags)
	}
}

func TestDiagnosticString(t *testing.T) {
	tests := []struct {
		d    engine.Diagnostic
		want string
	}{
		{
			engine.Diagnostic{Range: engine.Range{Pos: engine.Pos{File: "f.yaml", Line: 3, Col: 7}}, Rule: "start", Message: `unknown node "mian" as start`, Hint: `did you mean "main"?`},
			`f.yaml:3:7: error: unknown node "mian" as start; did you mean "main"? [start]`,
		},
		{
			engine.Diagnostic{Range: engine.Range{Pos: engine.Pos{File: "f.yaml", Line: 3}}, Rule: "syntax", Message: "invalid YAML: x"},
			`f.yaml:3: error: invalid YAML: x [syntax]`,
		},
		{
			engine.Diagnostic{Range: engine.Range{Pos: engine.Pos{File: "f.yaml"}}, Severity: engine.SeverityWarning, Rule: "r", Message: "m"},
			`f.yaml: warning: m [r]`,
		},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestDiagnosticsSortAndErr(t *testing.T) {
	mk := func(line, col int, msg string) *engine.Diagnostic {
		return &engine.Diagnostic{Range: engine.Range{Pos: engine.Pos{File: "f", Line: line, Col: col}}, Rule: "r", Message: msg}
	}
	ds := engine.Diagnostics{mk(3, 1, "c"), mk(1, 5, "b"), mk(1, 5, "a"), mk(3, 1, "c"), mk(1, 2, "z")}
	ds.Sort()
	var got []string
	for _, d := range ds {
		got = append(got, d.String())
	}
	want := []string{"f:1:2: error: z [r]", "f:1:5: error: a [r]", "f:1:5: error: b [r]", "f:3:1: error: c [r]"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sorted:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	var none engine.Diagnostics
	if none.Err() != nil || none.HasErrors() {
		t.Errorf("empty Diagnostics: Err() = %v, HasErrors() = %v; want nil, false", none.Err(), none.HasErrors())
	}
	warn := engine.Diagnostics{{Severity: engine.SeverityWarning, Rule: "r", Message: "m"}}
	if warn.Err() != nil || warn.HasErrors() {
		t.Errorf("warnings only: Err() = %v, HasErrors() = %v; want nil, false", warn.Err(), warn.HasErrors())
	}
	mixed := append(engine.Diagnostics{{Severity: engine.SeverityError}}, warn[0], &engine.Diagnostic{Severity: engine.SeverityError})
	if n := mixed.Errors(); n != 2 || warn.Errors() != 0 {
		t.Errorf("Errors() = %d of two errors and a warning, %d of a warning; want 2, 0", n, warn.Errors())
	}
}
