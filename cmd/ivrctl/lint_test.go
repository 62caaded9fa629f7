package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/report"
)

// lintFlows are flow files written for the lint tests, each with mistakes
// on tokens of a different kind.
var lintFlows = map[string]string{
	// Plain value, quoted key, plain value in a flow mapping, quoted value.
	"kinds.yaml": "version: 1\n" +
		"start: mian   # typo\n" +
		"nodes:\n" +
		"  main:\n" +
		"    menu: Press 1.\n" +
		"    keys: {\"1\": nowhere, \"x\": main}\n" +
		"  hours:\n" +
		"    say: \"\"\n",
	// An unknown key after a tab.
	"tab.yaml": "version: 1\n" +
		"start: main\n" +
		"nodes:\n" +
		"  main:\n" +
		"    say: Hi.\n" +
		"    vocie:\tamy\n",
	// A YAML syntax error.
	"syntax.yaml": "version: 1\n" +
		"start: main\n" +
		"nodes:\n" +
		"  main:\n" +
		"    say: Hello\n" +
		"   keys: broken\n",
	// A bilingual menu whose node silences unmentioned-key: clean, even
	// with --strict.
	"silenced.yaml": "version: 1\n" +
		"start: main\n" +
		"nodes:\n" +
		"  main:\n" +
		"    menu: For English, press 1. Pour le français, appuyez sur le deux.\n" +
		"    keys: {\"1\": bye, \"2\": bye}\n" +
		"    lint: {ignore: unmentioned-key}\n" +
		"  bye:\n" +
		"    say: Bye.\n",
	// An ignore that silences nothing: a warning.
	"stale.yaml": "version: 1\n" +
		"lint: {ignore: [unreachable]}\n" +
		"start: main\n" +
		"nodes:\n" +
		"  main:\n" +
		"    say: Hi.\n",
	"clean.yaml": "version: 1\n" +
		"start: main\n" +
		"nodes:\n" +
		"  main:\n" +
		"    say: Hi.\n",
}

// writeLintFlows writes lintFlows to a temporary directory and returns it.
func writeLintFlows(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range lintFlows {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const lintKindsOut = `kinds.yaml:2:8: error: unknown node "mian" as start; did you mean "main"? [start]
start: mian   # typo
       ^~~~
kinds.yaml:6:17: error: unknown node "nowhere" for key "1" of menu "main" [undefined-node]
    keys: {"1": nowhere, "x": main}
                ^~~~~~~
kinds.yaml:6:26: error: key "x" of menu "main" is not a DTMF key: use digits 0-9, * and # [dtmf-key]
    keys: {"1": nowhere, "x": main}
                         ^~~
kinds.yaml:8:10: error: node "hours" has an empty say text [empty-text]
    say: ""
         ^~
`

func TestLintOutput(t *testing.T) {
	dir := writeLintFlows(t)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{name: "plain, quoted and flow tokens", args: []string{"kinds.yaml"}, code: exitProblems, stdout: lintKindsOut},
		{name: "key after a tab", args: []string{"tab.yaml"}, code: exitProblems,
			stdout: `tab.yaml:6:5: error: unknown key "vocie" in node "main"; allowed keys: say, voice, speed, then, lint; did you mean "voice"? [unknown-key]
    vocie:	amy
    ^~~~~
`},
		{name: "syntax error", args: []string{"syntax.yaml"}, code: exitProblems,
			stdout: `syntax.yaml:6:4: error: invalid YAML: did not find expected key [syntax]
   keys: broken
   ^~~~
`},
		{name: "clean", args: []string{"clean.yaml"}, code: exitOK},
		{name: "clean with strict", args: []string{"--strict", "clean.yaml"}, code: exitOK},
		{name: "every file, each sorted", args: []string{"syntax.yaml", "clean.yaml", "kinds.yaml"}, code: exitProblems,
			stdout: `syntax.yaml:6:4: error: invalid YAML: did not find expected key [syntax]
   keys: broken
   ^~~~
` + lintKindsOut},
		{name: "unreadable file wins over problems", args: []string{"kinds.yaml", "nope.yaml"}, code: exitFailure,
			stdout: lintKindsOut, stderr: "ivrctl lint: open DIR/nope.yaml: no such file or directory\n"},
		{name: "json", args: []string{"--format", "json", "kinds.yaml", "clean.yaml"}, code: exitProblems,
			stdout: `[
  {
    "file": "kinds.yaml",
    "line": 2,
    "column": 8,
    "end_line": 2,
    "end_column": 12,
    "severity": "error",
    "rule": "start",
    "message": "unknown node \"mian\" as start",
    "hint": "did you mean \"main\"?"
  },
  {
    "file": "kinds.yaml",
    "line": 6,
    "column": 17,
    "end_line": 6,
    "end_column": 24,
    "severity": "error",
    "rule": "undefined-node",
    "message": "unknown node \"nowhere\" for key \"1\" of menu \"main\""
  },
  {
    "file": "kinds.yaml",
    "line": 6,
    "column": 26,
    "end_line": 6,
    "end_column": 29,
    "severity": "error",
    "rule": "dtmf-key",
    "message": "key \"x\" of menu \"main\" is not a DTMF key: use digits 0-9, * and #"
  },
  {
    "file": "kinds.yaml",
    "line": 8,
    "column": 10,
    "end_line": 8,
    "end_column": 12,
    "severity": "error",
    "rule": "empty-text",
    "message": "node \"hours\" has an empty say text"
  }
]
`},
		{name: "silenced, strict", args: []string{"--strict", "silenced.yaml"}, code: exitOK},
		{name: "stale ignore", args: []string{"stale.yaml"}, code: exitOK, stdout: staleOut},
		{name: "stale ignore, strict", args: []string{"--strict", "stale.yaml"}, code: exitProblems, stdout: staleOut},
		{name: "rules", args: []string{"--rules"}, code: exitOK, stdout: rulesOut()},
		{name: "rules as json", args: []string{"--rules", "--format", "json"}, code: exitOK, stdout: rulesJSON()},
		{name: "rules and a file", args: []string{"--rules", "clean.yaml"}, code: exitUsage,
			stderr: "ivrctl lint: --rules takes no flow file"},
		{name: "json clean", args: []string{"--format=json", "clean.yaml"}, code: exitOK, stdout: "[]\n"},
		{name: "json ignores color", args: []string{"--format=json", "--color=always", "clean.yaml"}, code: exitOK, stdout: "[]\n"},
		{name: "color never", args: []string{"--color", "never", "syntax.yaml"}, code: exitProblems,
			stdout: `syntax.yaml:6:4: error: invalid YAML: did not find expected key [syntax]
   keys: broken
   ^~~~
`},
		{name: "color always", args: []string{"syntax.yaml", "--color", "always"}, code: exitProblems,
			stdout: "\x1b[1msyntax.yaml:6:4:\x1b[0m \x1b[31merror\x1b[0m: invalid YAML: did not find expected key \x1b[90m[syntax]\x1b[0m\n" +
				"   keys: broken\n" +
				"   \x1b[32m^~~~\x1b[0m\n"},
		{name: "unknown format", args: []string{"--format", "sarif", "clean.yaml"}, code: exitUsage,
			stderr: `ivrctl lint: unknown format "sarif": use text or json`},
		{name: "unknown color", args: []string{"--color", "sometimes", "clean.yaml"}, code: exitUsage,
			stderr: `ivrctl lint: unknown color mode "sometimes": use auto, always or never`},
		{name: "missing voices file", args: []string{"--voices", "nope.txt", "clean.yaml"}, code: exitFailure,
			stderr: "ivrctl lint: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"lint"}
			for _, a := range tt.args {
				if strings.HasSuffix(a, ".yaml") || strings.HasSuffix(a, ".txt") {
					a = filepath.Join(dir, a)
				}
				args = append(args, a)
			}
			code, stdout, stderr := runCLI(t, args...)
			stdout = strings.ReplaceAll(stdout, dir+string(filepath.Separator), "")
			stderr = strings.ReplaceAll(stderr, dir, "DIR")
			if code != tt.code {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			if stdout != tt.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", stdout, tt.stdout)
			}
			// A usage error goes on with the usage; compare its first line.
			if tt.code == exitUsage || tt.code == exitFailure && tt.stdout == "" {
				if !strings.HasPrefix(stderr, tt.stderr) {
					t.Errorf("stderr = %q, want it to start with %q", stderr, tt.stderr)
				}
			} else if stderr != tt.stderr {
				t.Errorf("stderr = %q, want %q", stderr, tt.stderr)
			}
		})
	}
}

const staleOut = `stale.yaml:2:17: warning: ignore unreachable silences nothing in this file; remove it [unused-ignore]
lint: {ignore: [unreachable]}
                ^~~~~~~~~~~
`

// rulesOut is what lint --rules prints: every rule, each on a line that
// starts with its name and severity.
func rulesOut() string {
	var b strings.Builder
	if err := report.Rules(&b, engine.Rules()); err != nil {
		panic(err)
	}
	return b.String()
}

func rulesJSON() string {
	var b strings.Builder
	if err := report.RulesJSON(&b, engine.Rules()); err != nil {
		panic(err)
	}
	return b.String()
}

// TestLintRulesList checks the text form of lint --rules line by line
// against the registry, so that a broken table shows here.
func TestLintRulesList(t *testing.T) {
	code, stdout, _ := runCLI(t, "lint", "--rules")
	if code != exitOK {
		t.Fatalf("exit code %d", code)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	rules := engine.Rules()
	if len(lines) != len(rules) {
		t.Fatalf("%d lines for %d rules:\n%s", len(lines), len(rules), stdout)
	}
	for i, r := range rules {
		if f := strings.Fields(lines[i]); len(f) < 3 || f[0] != r.Name || f[1] != r.Severity.String() || !strings.HasSuffix(lines[i], "  "+r.Description) {
			t.Errorf("line %q, want %s, %s and %q", lines[i], r.Name, r.Severity, r.Description)
		}
	}
}

func TestExitCode(t *testing.T) {
	errorDiag := &engine.Diagnostic{Severity: engine.SeverityError, Rule: "r", Message: "bad"}
	warning := &engine.Diagnostic{Severity: engine.SeverityWarning, Rule: "r", Message: "odd"}
	tests := []struct {
		name   string
		diags  engine.Diagnostics
		strict bool
		want   int
	}{
		{"none", nil, false, exitOK},
		{"none, strict", nil, true, exitOK},
		{"warning", engine.Diagnostics{warning}, false, exitOK},
		{"warning, strict", engine.Diagnostics{warning}, true, exitProblems},
		{"error", engine.Diagnostics{errorDiag}, false, exitProblems},
		{"error and warning, strict", engine.Diagnostics{warning, errorDiag}, true, exitProblems},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.diags, tt.strict); got != tt.want {
				t.Errorf("exitCode = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestUseColor(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	unset := func(string) string { return "" }
	noColor := func(k string) string {
		if k == "NO_COLOR" {
			return "1"
		}
		return ""
	}
	tests := []struct {
		name   string
		mode   string
		file   bool // write to the pipe rather than a buffer
		getenv func(string) string
		want   bool
	}{
		{"always", "always", false, unset, true},
		{"always beats NO_COLOR", "always", true, noColor, true},
		{"never", "never", true, unset, false},
		{"auto, not a file", "auto", false, unset, false},
		{"auto, a pipe", "auto", true, unset, false},
		{"auto, NO_COLOR", "auto", true, noColor, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out interface{ Write([]byte) (int, error) } = &strings.Builder{}
			if tt.file {
				out = w
			}
			got, err := useColor(tt.mode, out, tt.getenv)
			if err != nil || got != tt.want {
				t.Errorf("useColor(%q) = %v, %v; want %v, nil", tt.mode, got, err, tt.want)
			}
		})
	}
	if _, err := useColor("sometimes", w, unset); err == nil {
		t.Error("useColor(sometimes) error = nil, want one")
	}
}

// TestLintWarnings runs lint on flows whose only problems are warnings:
// they pass, unless --strict, and an unset ${NAME} is one of them, since
// the machine lint runs on is not the one the flow is served from.
func TestLintWarnings(t *testing.T) {
	dir := t.TempDir()
	src := "version: 1\n" +
		"start: main\n" +
		"vars:\n" +
		"  desk: ${IVRCTL_TEST_UNSET_DESK}\n" +
		"nodes:\n" +
		"  main:\n" +
		"    menu: Press 1 for hours.\n" +
		"    keys: {\"1\": hours, \"2\": desk}\n" +
		"  hours:\n" +
		"    say: We open at 9.\n" +
		"  desk:\n" +
		"    dial: {to: \"{{desk}}\", from: \"+6568888888\"}\n" +
		"    then: hours\n" +
		"  old:\n" +
		"    say: Gone.\n"
	path := filepath.Join(dir, "warn.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	want := path + `:4:9: warning: environment variable IVRCTL_TEST_UNSET_DESK is not set and has no default; set it, or give a default as ${IVRCTL_TEST_UNSET_DESK:-value} [env]
  desk: ${IVRCTL_TEST_UNSET_DESK}
        ^~~~~~~~~~~~~~~~~~~~~~~~~
` + path + `:8:24: warning: key 2 of menu "main" is not mentioned in its prompt, so no caller will know to press it [unmentioned-key]
    keys: {"1": hours, "2": desk}
                       ^~~
` + path + `:14:3: warning: node "old" is unreachable: no key, on_invalid, on_no_input or then leads to it from start "main" [unreachable]
  old:
  ^~~
`
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"lint", "--color", "never", path}, exitOK},
		{[]string{"lint", "--color", "never", "--strict", path}, exitProblems},
	} {
		code, stdout, stderr := runCLI(t, tt.args...)
		if code != tt.code {
			t.Errorf("%v: exit code = %d, want %d", tt.args, code, tt.code)
		}
		if stdout != want {
			t.Errorf("%v: stdout:\n%s\nwant:\n%s", tt.args, stdout, want)
		}
		if stderr != "" {
			t.Errorf("%v: stderr = %q, want nothing", tt.args, stderr)
		}
	}
	// Serving the same file is another matter: the number would be empty.
	code, _, stderr := runCLI(t, "serve", "--addr", "127.0.0.1:0", path)
	if code != exitProblems || !strings.Contains(stderr, "error: environment variable IVRCTL_TEST_UNSET_DESK is not set") {
		t.Errorf("serve: exit code = %d, stderr:\n%s\nwant %d and the env error", code, stderr, exitProblems)
	}
}
