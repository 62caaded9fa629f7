package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const shopFlow = `version: 1
start: main
nodes:
  main:
    menu: Press 1 for sales, 2 for hours.
    keys:
      "1": sales
      "2": hours
  sales:
    dial:
      to: "+15550100"
      from: "+15550199"
    then: bye
  hours:
    say: We open at nine.
  bye:
    say: Goodbye.
`

const shopPass = `cases:
  - name: hours
    keys: ["2"]
    expect:
      hears: We open at nine.
`

// shopDir makes a temporary directory with flows/shop.yaml and, when
// scenarios is not empty, flows/shop.test.yaml, and moves into it.
func shopDir(t *testing.T, scenarios string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "flows"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, "flows", name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("shop.yaml", shopFlow)
	if scenarios != "" {
		write("shop.test.yaml", scenarios)
	}
	t.Chdir(dir)
}

func TestTestCommandShipped(t *testing.T) {
	code, stdout, stderr := runCLI(t, "test", "--min-coverage", "100", restaurant, "../../examples/clinic.test.yaml")
	if code != exitOK {
		t.Fatalf("exit code = %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"--- ../../flows/restaurant.test.yaml (../../flows/restaurant.yaml)\nok   hours\n",
		"coverage: nodes 13/13 (100%), edges 15/15 (100%)\n",
		"--- ../../examples/clinic.test.yaml (../../examples/clinic.yaml)\n",
		"coverage: nodes 14/14 (100%), edges 20/20 (100%)\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout = %q, want it to contain %q", stdout, want)
		}
	}
	if strings.Contains(stdout, "FAIL") || strings.Contains(stdout, "not covered") || stderr != "" {
		t.Errorf("stdout = %q, stderr = %q; want no failures and nothing uncovered", stdout, stderr)
	}
}

func TestTestCommandDiscovery(t *testing.T) {
	shopDir(t, shopPass)
	want := "--- flows/shop.test.yaml (flows/shop.yaml)\n" +
		"ok   hours\n" +
		"coverage: nodes 2/4 (50%), edges 1/5 (20%)\n" +
		"not covered: nodes sales, bye\n" +
		"not covered: edges main/1, invalid -> (built-in fallback), no-input -> (built-in fallback), sales/then -> bye\n"
	for _, tt := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"test"}, exitOK, ""},
		{[]string{"test", "flows/shop.yaml"}, exitOK, ""},
		{[]string{"test", "--min-coverage", "20"}, exitOK, ""},
		{[]string{"test", "--min-coverage", "20.1"}, exitProblems,
			"ivrctl test: flows/shop.test.yaml: coverage nodes 2/4 (50%), edges 1/5 (20%) is below --min-coverage 20.1%\n"},
	} {
		code, stdout, stderr := runCLI(t, tt.args...)
		if code != tt.code || stdout != want || stderr != tt.stderr {
			t.Errorf("%q: exit %d, want %d\nstdout:\n%s\nwant:\n%s\nstderr: %q, want %q", tt.args, code, tt.code, stdout, want, stderr, tt.stderr)
		}
	}
}

func TestTestCommandFailure(t *testing.T) {
	shopDir(t, `cases:
  - name: hours
    keys: ["2"]
    expect:
      hears: We open at nine.
  - name: sales
    keys: ["1"]
    expect:
      reaches: hours
`)
	code, stdout, stderr := runCLI(t, "test", "flows/shop.test.yaml")
	want := "--- flows/shop.test.yaml (flows/shop.yaml)\n" +
		"ok   hours\n" +
		"FAIL sales (flows/shop.test.yaml:9:7: expected to reach hours; the call went main -> sales -> bye)\n" +
		"coverage: nodes 4/4 (100%), edges 3/5 (60%)\n" +
		"not covered: edges invalid -> (built-in fallback), no-input -> (built-in fallback)\n"
	if code != exitProblems || stdout != want || stderr != "" {
		t.Errorf("exit %d, want 1\nstdout:\n%s\nwant:\n%s\nstderr: %q", code, stdout, want, stderr)
	}
}

func TestTestCommandErrors(t *testing.T) {
	shopDir(t, "cases:\n  - name: x\n    expect: {hangs_up: yes}\n")
	for name, content := range map[string]string{
		"other/x.test.yaml":    "flow: ../flows/shop.yaml\ncases:\n  - name: x\n    expect: {}\n",
		"other/keys.test.yaml": "flow: ../flows/shop.yaml\ncases:\n  - name: x\n    keys: [\"1\", l, abc]\n    expect: {hangs_up: true}\n",
	} {
		if err := os.MkdirAll("other", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"bad scenario file", []string{"test"}, exitProblems,
			"flows/shop.test.yaml:3:24: error: case \"x\" expect hangs_up must be true or false, got \"yes\" [type]\nivrctl test: flows/shop.test.yaml has errors\n"},
		{"nothing to check", []string{"test", "other/x.test.yaml"}, exitProblems,
			"other/x.test.yaml:4:13: error: case \"x\" expect checks nothing; give at least one of hears, reaches, ends_at, dials, hangs_up, outcomes, lang, retries [missing-key]\n"},
		{"keys 8x8 cannot send", []string{"test", "other/keys.test.yaml"}, exitProblems,
			"other/keys.test.yaml:4:17: error: case \"x\" keys: \"l\" is not a key 8x8 can send: use digits 0-9, * and #, or - for none [value]\n" +
				"other/keys.test.yaml:4:20: error: case \"x\" keys: \"abc\" is not a key 8x8 can send: use digits 0-9, * and #, or - for none [value]\n"},
		{"missing file", []string{"test", "flows/nope.yaml"}, exitFailure, "ivrctl test: open flows/nope.test.yaml: no such file or directory\n"},
		{"coverage out of range", []string{"test", "--min-coverage", "101"}, exitUsage, "ivrctl test: --min-coverage must be between 0 and 100, got 101\n"},
		{"unknown flag", []string{"test", "--bogus"}, exitUsage, "flag provided but not defined: -bogus"},
	} {
		code, stdout, stderr := runCLI(t, tt.args...)
		if code != tt.code || stdout != "" || !strings.HasPrefix(stderr, tt.stderr) {
			t.Errorf("%s: exit %d, want %d; stdout %q; stderr %q, want it to start with %q", tt.name, code, tt.code, stdout, stderr, tt.stderr)
		}
	}
}

func TestTestCommandNothingFound(t *testing.T) {
	shopDir(t, "")
	code, stdout, stderr := runCLI(t, "test")
	if want := "ivrctl test: no *.test.yaml files here or under flows/ or examples/\n"; code != exitUsage || stdout != "" || stderr != want {
		t.Errorf("exit %d, want 2; stdout %q; stderr %q, want %q", code, stdout, stderr, want)
	}
}

func TestTestCommandBrokenFlow(t *testing.T) {
	shopDir(t, shopPass)
	if err := os.WriteFile("flows/shop.yaml", []byte("start: nowhere\nnodes: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "test")
	if code != exitProblems || stdout != "" || !strings.Contains(stderr, "ivrctl test: flows/shop.yaml has errors\n") {
		t.Errorf("exit %d, want 1; stdout %q; stderr %q", code, stdout, stderr)
	}
}

// TestTestCommandHere: with no arguments, ivrctl test also plays the
// scenario files of the current directory, before those under flows/.
func TestTestCommandHere(t *testing.T) {
	shopDir(t, shopPass)
	for name, content := range map[string]string{"here.yaml": shopFlow, "here.test.yaml": shopPass} {
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr := runCLI(t, "test")
	if code != exitOK || stderr != "" ||
		!strings.HasPrefix(stdout, "--- here.test.yaml (here.yaml)\nok   hours\n") ||
		!strings.Contains(stdout, "\n--- flows/shop.test.yaml (flows/shop.yaml)\n") {
		t.Errorf("exit %d, stderr %q, stdout:\n%s\nwant here.test.yaml, then flows/shop.test.yaml", code, stderr, stdout)
	}
}

// TestTestCommandEnv: a case's env sets the ${NAME}s the flow reads for
// that call; other cases get the process environment.
func TestTestCommandEnv(t *testing.T) {
	shopDir(t, `cases:
  - name: default desk
    keys: ["1"]
    expect: {dials: "+15550100"}
  - name: night desk
    env: {SHOP_DESK: "+15550177"}
    keys: ["1"]
    expect: {dials: "+15550177"}
  - name: night desk again
    env: {SHOP_DESK: "+15550177"}
    keys: ["1"]
    expect: {hears: Goodbye}
  - name: broken desk
    env: {SHOP_DESK: "+15550188"}
    keys: ["1"]
    expect: {dials: "+15550100"}
`)
	t.Setenv("SHOP_DESK", "")
	os.Unsetenv("SHOP_DESK")
	flow := strings.Replace(shopFlow, "start: main\n", "start: main\nvars:\n  desk: ${SHOP_DESK:-+15550100}\n", 1)
	flow = strings.Replace(flow, `to: "+15550100"`, `to: "{{desk}}"`, 1)
	if err := os.WriteFile("flows/shop.yaml", []byte(flow), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "test")
	want := "--- flows/shop.test.yaml (flows/shop.yaml)\n" +
		"ok   default desk\n" +
		"ok   night desk\n" +
		"ok   night desk again\n" +
		"FAIL broken desk (flows/shop.test.yaml:16:14: expected to dial +15550100; dialled: +15550188)\n" +
		"coverage: nodes 3/4 (75%), edges 2/5 (40%)\n" +
		"not covered: nodes hours\n" +
		"not covered: edges main/2, invalid -> (built-in fallback), no-input -> (built-in fallback)\n"
	if code != exitProblems || stdout != want || stderr != "" {
		t.Errorf("exit %d, want 1\nstdout:\n%s\nwant:\n%s\nstderr: %q", code, stdout, want, stderr)
	}
	// An env that breaks the flow is reported with the case that sets it.
	if err := os.WriteFile("flows/shop.test.yaml", []byte("cases:\n  - name: no desk\n    env: {SHOP_DESK: \" \"}\n    keys: [\"1\"]\n    expect: {hangs_up: true}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runCLI(t, "test")
	if code != exitProblems || stdout != "" || !strings.HasSuffix(stderr, "ivrctl test: flows/shop.yaml has errors with the env of case \"no desk\" (flows/shop.test.yaml:2:11)\n") ||
		!strings.Contains(stderr, "error: dial to of node \"sales\" is empty") {
		t.Errorf("env that breaks the flow: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestTestCommandDirection: cases are inbound calls unless they say
// otherwise or --outbound is given.
func TestTestCommandDirection(t *testing.T) {
	shopDir(t, shopPass)
	for _, args := range [][]string{{"test"}, {"test", "--outbound"}} {
		if code, stdout, stderr := runCLI(t, args...); code != exitOK || !strings.Contains(stdout, "ok   hours\n") || stderr != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}
