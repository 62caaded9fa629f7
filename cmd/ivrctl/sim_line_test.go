package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lineFlow has budgets, hotkeys, a sub-menu with two parents, a message
// that continues and a transfer chain.
const lineFlow = "../../engine/scenario/testdata/line.yaml"

// lineCases are calls through lineFlow: the golden transcript
// testdata/sim/line_NAME.txt, the --keys that play it, and what the
// transcript must say (so that a careless -update cannot bless a wrong
// one).
var lineCases = []struct {
	name, keys string
	says       []string
}{
	{"budgets", "-,7,-,-", []string{
		"[welcome] (en-US-BenjaminRUS) Welcome to the clinic.\n[main_menu] (en-US-BenjaminRUS) For appointments press 1",
		"> -\n(no input, asking again (1 of 2))\n[main_menu] (en-US-BenjaminRUS) I did not hear anything.\n[main_menu] (en-US-BenjaminRUS) Press 1 or 2.\n",
		"> 7\n(a key the menu does not have, asking again (1 of 1))\n[main_menu] (en-US-BenjaminRUS) Sorry, that is not an option.\n",
		"> -\n(no input, asking again (2 of 2))\n[main_menu] (en-US-BenjaminRUS) Are you still there?\n",
		"> -\n(no input 3 times: on to goodbye)\n[goodbye]",
	}},
	{"hotkeys", "1,2,9,*,*,*,#", []string{
		"> 9\n(the menu again)\n[hours]",
		"> *\n(back to appointments)\n[appointments]",
		"> *\n(back to main_menu)\n[main_menu]",
		"> *\n(back: this is the first menu, so again)\n[main_menu]",
		"> #\n(to the main menu, main_menu)\n[main_menu]",
		"(no more keys: the caller hangs up)\n",
	}},
	{"shared_submenu", "2,2,*", []string{"> 2\n[hours]", "> *\n(back to billing)\n[billing]"}},
	{"transfer_chain", "0,busy,no-answer", []string{
		"> 0\n(hotkey: on to operator)\n[operator] dial +15550100\n",
		"> busy\n(the bridged call ends: busy)\n(busy branch: on to manager)\n[manager] dial +15550101\n",
		"> no-answer\n(the bridged call ends: no answer)\n[sorry] (en-US-BenjaminRUS) Nobody could take your call.\n",
	}},
	{"transfer_answered", "0", []string{"[operator] dial +15550100\n(the bridged call ends)\n[goodbye]"}},
	{"transfer_failed", "0,no_answer,failed", []string{"> failed\n(the bridged call ends: failed)\n(failed branch: on to sorry)\n[sorry]"}},
	{"wrong_key_spent", "7,7,answered", []string{"> 7\n(a wrong key 2 times: on to operator)\n[operator]", "> answered\n(the bridged call ends: answered)\n[goodbye]"}},
}

// TestSimLine plays lineCases in-process, then against a server serving
// lineFlow over HTTP: the transcripts, reasons included, are the same.
func TestSimLine(t *testing.T) {
	base, _, _ := startServe(t, lineFlow)
	for _, tc := range lineCases {
		t.Run(tc.name, func(t *testing.T) {
			golden := filepath.Join("testdata", "sim", "line_"+tc.name+".txt")
			code, local, stderr := runCLI(t, "sim", "--keys", tc.keys, lineFlow)
			if code != exitOK || stderr != "" {
				t.Fatalf("exit code %d, stderr %q; want 0 and nothing", code, stderr)
			}
			want := simGolden(t, golden, local)
			for _, s := range tc.says {
				if !strings.Contains(want, s) {
					t.Errorf("%s does not contain %q:\n%s", golden, s, want)
				}
			}
			code, remote, stderr := runCLI(t, "sim", "--url", base, "--keys", tc.keys, lineFlow)
			if code != exitOK || stderr != "" || remote != want {
				t.Errorf("--url: exit %d, stderr %q, transcript:\n%s\nwant %s:\n%s", code, stderr, remote, golden, want)
			}
		})
	}
}

// TestSimLineStdin: at a dial, sim asks how the bridged call ends, and
// refuses what does not say it; at a menu, an outcome is not a key.
func TestSimLineStdin(t *testing.T) {
	setStdin(t, strings.NewReader("busy\n0\n1\nbusy\n\n"))
	code, stdout, stderr := runCLI(t, "sim", lineFlow)
	want := "keys> busy\n(\"busy\" ends a transfer, but this is a menu: press keys)\n" +
		"keys> 0\n(hotkey: on to operator)\n[operator] dial +15550100\n" +
		"transfer> 1\n(\"1\" does not end a transfer: use answered, busy, no-answer or failed, or nothing for answered)\n" +
		"transfer> busy\n(the bridged call ends: busy)\n(busy branch: on to manager)\n[manager] dial +15550101\n" +
		"transfer> \n(the bridged call ends)\n(answered branch: on to goodbye)\n[goodbye] (en-US-BenjaminRUS) Goodbye.\n[goodbye] hangup\n(the call ends)\n"
	if code != exitOK || stderr != "" || !strings.HasSuffix(stdout, want) {
		t.Errorf("exit %d, stderr %q, transcript:\n%s\nwant it to end with:\n%s", code, stderr, stdout, want)
	}
}

func TestSimLineErrors(t *testing.T) {
	for _, tt := range []struct {
		name   string
		env    string
		args   []string
		code   int
		stderr string
	}{
		{"outcome at a menu", "", []string{"sim", "--keys", "busy", lineFlow}, exitFailure,
			"ivrctl sim: busy ends a transfer, but the call is at the menu main_menu: give the keys pressed there\n"},
		{"bad time", "", []string{"sim", "--at", "tomorrow", "--keys", "-", lineFlow}, exitUsage,
			"ivrctl sim: --at: \"tomorrow\" is not a time: use RFC 3339 (2026-12-24T18:30:00+01:00) or \"2006-01-02 15:04\"\n"},
		{"language the flow lacks", "", []string{"sim", "--lang", "fr", "--keys", "-", lineFlow}, exitUsage,
			"ivrctl sim: --lang: the flow declares no languages, so a call cannot start in \"fr\"\n"},
		{"--at with --url", "", []string{"sim", "--url", "http://127.0.0.1:1", "--at", "2026-12-24 18:00", lineFlow}, exitUsage,
			"ivrctl sim: --at and --lang are for the in-process simulation"},
		{"bad state key", "c2hvcnQ", []string{"sim", "--keys", "-", lineFlow}, exitUsage,
			"ivrctl sim: callstate: key 1 of IVRCTL_STATE_KEY is 5 bytes, at least 16 are needed\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("IVRCTL_STATE_KEY", tt.env)
			code, _, stderr := runCLI(t, tt.args...)
			if code != tt.code || !strings.HasPrefix(stderr, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.stderr)
			}
		})
	}
}

// TestSimLineTimeAndKey: a call placed at a given time, with its state
// signed by IVRCTL_STATE_KEY, plays as any other: the time and the key
// change what travels, not what the caller hears.
func TestSimLineTimeAndKey(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("testdata", "sim", "line_budgets.txt"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("IVRCTL_STATE_KEY", "MDEyMzQ1Njc4OWFiY2RlZg")
	for _, at := range []string{"2026-12-24 18:00", "2026-12-24T18:00:00+01:00"} {
		code, stdout, stderr := runCLI(t, "sim", "--at", at, "--keys", "-,7,-,-", lineFlow)
		if code != exitOK || stderr != "" || stdout != string(want) {
			t.Errorf("--at %q: exit %d, stderr %q, transcript:\n%s\nwant:\n%s", at, code, stderr, stdout, want)
		}
	}
}

// TestTestLine: ivrctl test plays line.test.yaml through the real step,
// with and without IVRCTL_STATE_KEY, at full coverage of every edge.
func TestTestLine(t *testing.T) {
	for _, key := range []string{"", "MDEyMzQ1Njc4OWFiY2RlZg"} {
		t.Setenv("IVRCTL_STATE_KEY", key)
		code, stdout, stderr := runCLI(t, "test", "--min-coverage", "100", "../../engine/scenario/testdata/line.test.yaml")
		if code != exitOK || stderr != "" || !strings.HasSuffix(stdout, "ok   back from billing\ncoverage: nodes 10/10 (100%), edges 23/23 (100%)\n") {
			t.Errorf("key %q: exit %d, stderr %q, stdout:\n%s", key, code, stderr, stdout)
		}
	}
}
