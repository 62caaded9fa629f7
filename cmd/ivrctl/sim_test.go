package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/sim/*.txt from the current output")

// simCases are calls through the restaurant flow: the golden transcript
// testdata/sim/NAME.txt and the --keys that play it.
var simCases = []struct {
	name, keys string
	vcas       int // VCA webhooks the call posts to a server, ring included
}{
	{"hours", "3", 2},
	{"book_today", "1,1,1", 4},
	{"reschedule_tomorrow", "1,2,2", 4},
	{"back_to_main_then_hours", "1,3,3", 4},
	{"connect_now", "2,1", 4},
	{"invalid_key", "9", 2},
	{"no_input", "-", 2},
	{"keys_run_out", "1", 2},
}

func TestSimGolden(t *testing.T) {
	for _, tc := range simCases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "sim", "--keys", tc.keys, restaurant)
			if code != exitOK || stderr != "" {
				t.Fatalf("exit code %d, stderr %q; want 0 and nothing", code, stderr)
			}
			simGolden(t, filepath.Join("testdata", "sim", tc.name+".txt"), stdout)
		})
	}
}

// simGolden compares the transcript got with the golden file, which go
// test -update rewrites first, and returns the golden transcript.
func simGolden(t *testing.T, golden, got string) string {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("transcript:\n%s\nwant (%s):\n%s", got, golden, want)
	}
	return string(want)
}

// TestSimGoldenContent pins what the golden files must say, so that a
// careless -update cannot bless a wrong transcript.
func TestSimGoldenContent(t *testing.T) {
	want := map[string][]string{
		"hours":                   {"[hours] (en-US-BenjaminRUS) Our restaurant hours", "[hours] hangup\n(the call ends)\n"},
		"book_today":              {"> 1\n[book_table]", "> 1\n[booked_today] (en-US-BenjaminRUS) We have booked your table for today"},
		"reschedule_tomorrow":     {"[reschedule_table]", "> 2\n[moved_to_tomorrow]"},
		"back_to_main_then_hours": {"> 3\n[main_menu]", "> 3\n[hours]"},
		"connect_now":             {"[post_call] dial +6598888888\n(the bridged call ends)\n[goodbye]"},
		"invalid_key":             {"> 9\n[invalid_input] (en-US-BenjaminRUS) Invalid input"},
		"no_input":                {"> -\n[invalid_input]"},
		"keys_run_out":            {"> 1\n[reservations]", "main menu.\n(no more keys: the caller hangs up)\n"},
	}
	for _, tc := range simCases {
		data, err := os.ReadFile(filepath.Join("testdata", "sim", tc.name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(data), "(inbound call: the line answers)\n[main_menu] (en-US-BenjaminRUS) Welcome to ABC Restaurant") {
			t.Errorf("%s.txt does not start with the answered inbound call and the main menu:\n%s", tc.name, data)
		}
		for _, w := range want[tc.name] {
			if !strings.Contains(string(data), w) {
				t.Errorf("%s.txt does not contain %q:\n%s", tc.name, w, data)
			}
		}
	}
}

func TestSimURL(t *testing.T) {
	base, logs, stop := startServe(t, restaurant)

	wantVCAs := 0
	for _, tc := range simCases {
		code, remote, stderr := runCLI(t, "sim", "--url", base, "--keys", tc.keys, restaurant)
		if code != exitOK || stderr != "" {
			t.Fatalf("%s: --url: exit code %d, stderr %q; want 0 and nothing", tc.name, code, stderr)
		}
		wantVCAs += tc.vcas
		// Inbound, the default, is what a server plays.
		golden, err := os.ReadFile(filepath.Join("testdata", "sim", tc.name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		if remote != string(golden) {
			t.Errorf("%s: --url transcript:\n%s\nwant %s.txt:\n%s", tc.name, remote, tc.name, golden)
		}
	}

	if code := stop(); code != exitOK {
		t.Errorf("serve exit code = %d, want 0", code)
	}
	logs.mu.Lock()
	defer logs.mu.Unlock()
	vcas, vsss := 0, 0
	for _, m := range logs.lines {
		switch m["message"] {
		case "vca":
			vcas++
			if m["status"] != float64(200) {
				t.Errorf("vca log line %v, want status 200", m)
			}
		case "vss":
			vsss++
			if m["status"] != float64(200) || m["session_status"] != "COMPLETED" || !strings.HasPrefix(fmt.Sprint(m["session_id"]), "sim-") {
				t.Errorf("vss log line %v, want status 200 for a COMPLETED sim- session", m)
			}
		}
	}
	if vcas != wantVCAs || vsss != len(simCases) {
		t.Errorf("server logged %d vca and %d vss lines, want %d and %d", vcas, vsss, wantVCAs, len(simCases))
	}
}

func setStdin(t *testing.T, r io.Reader) {
	t.Helper()
	old := stdin
	stdin = r
	t.Cleanup(func() { stdin = old })
}

func TestSimPipedStdin(t *testing.T) {
	tests := []struct {
		name, input, golden string
		hangsUp             bool
	}{
		{"book today", "1\n1\n1\n", "book_today", false},
		{"no input", "-\n", "no_input", false},
		{"empty line is no input", "\n", "no_input", false},
		{"EOF hangs up", "1\n", "keys_run_out", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setStdin(t, strings.NewReader(tt.input))
			code, stdout, stderr := runCLI(t, "sim", restaurant)
			if code != exitOK || stderr != "" {
				t.Fatalf("exit code %d, stderr %q; want 0 and nothing", code, stderr)
			}
			golden, err := os.ReadFile(filepath.Join("testdata", "sim", tt.golden+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			want := strings.ReplaceAll(string(golden), "\n> ", "\nkeys> ")
			if tt.input == "\n" {
				want = strings.ReplaceAll(want, "keys> -\n", "keys> \n")
			}
			if tt.hangsUp {
				want = strings.ReplaceAll(want, "(no more keys: the caller hangs up)", "keys> \n(end of input: the caller hangs up)")
			}
			if stdout != want {
				t.Errorf("transcript:\n%s\nwant:\n%s", stdout, want)
			}
		})
	}
}

// TestSimInteractive types keys line by line, each only once sim has
// prompted for it, as a person at a terminal does.
func TestSimInteractive(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	setStdin(t, inR)
	done := make(chan int, 1)
	go func() {
		done <- run(t.Context(), []string{"sim", restaurant}, outW, io.Discard)
		outW.Close()
	}()
	// Everything sim prints arrives on output, byte by byte.
	output := make(chan byte)
	go func() {
		defer close(output)
		r := bufio.NewReader(outR)
		for {
			b, err := r.ReadByte()
			if err != nil {
				return
			}
			output <- b
		}
	}()
	var transcript strings.Builder
	// readUntil reads the output up to the next suffix, or to its end
	// when suffix is "".
	readUntil := func(suffix string) {
		t.Helper()
		from := transcript.Len()
		for {
			if suffix != "" && strings.HasSuffix(transcript.String()[from:], suffix) {
				return
			}
			select {
			case b, ok := <-output:
				if !ok {
					if suffix != "" {
						t.Fatalf("output ended before %q:\n%s", suffix, transcript.String())
					}
					return
				}
				transcript.WriteByte(b)
			case <-time.After(10 * time.Second):
				t.Fatalf("no %q after:\n%s", suffix, transcript.String())
			}
		}
	}
	for _, key := range []string{"1", "3", "3"} {
		readUntil("keys> ")
		wrote := make(chan error, 1)
		go func() {
			_, err := io.WriteString(inW, key+"\n")
			wrote <- err
		}()
		// sim echoes the line, since a pipe is not a terminal.
		readUntil(key + "\n")
		if err := <-wrote; err != nil {
			t.Fatal(err)
		}
	}
	readUntil("")
	if code := <-done; code != exitOK {
		t.Errorf("exit code = %d, want 0", code)
	}
	golden, err := os.ReadFile(filepath.Join("testdata", "sim", "back_to_main_then_hours.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.ReplaceAll(string(golden), "\n> ", "\nkeys> "); transcript.String() != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", transcript.String(), want)
	}
}

func TestSimErrors(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no file", []string{"sim"}, exitUsage, "give exactly one flow file"},
		{"two files", []string{"sim", restaurant, restaurant}, exitUsage, "give exactly one flow file"},
		{"broken flow", []string{"sim", "--keys", "1", "testdata/broken.yaml"}, exitProblems, "has errors"},
		{"no server", []string{"sim", "--url", "http://127.0.0.1:1", "--keys", "3", restaurant}, exitFailure, "ivrctl sim: "},
		{"help", []string{"sim", "-h"}, exitOK, "Usage: ivrctl " + simSynopsis},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit code %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.stderr)
			}
		})
	}
}

// TestSimURLOtherFlow: sim --url says so when the server serves another
// flow than the file named, and still plays the call.
func TestSimURLOtherFlow(t *testing.T) {
	base, _, stop := startServe(t, "../../examples/bakery.yaml")
	defer stop()
	bakery, _ := loadFlow("test", "../../examples/bakery.yaml", loadOptions{}, io.Discard)
	rest, _ := loadFlow("test", restaurant, loadOptions{}, io.Discard)
	if bakery == nil || rest == nil {
		t.Fatal("the shipped flows do not load")
	}
	code, stdout, stderr := runCLI(t, "sim", "--url", base, "--keys", "1", restaurant)
	want := fmt.Sprintf("ivrctl sim: warning: %s serves %q (version %s), not %s (version %s); the call plays the server's flow\n",
		base, "Rosa's Bakery", bakery.Version(), restaurant, rest.Version())
	if code != exitOK || stderr != want {
		t.Errorf("sim --url against another flow: exit %d, stderr\n%q\nwant 0 and\n%q", code, stderr, want)
	}
	if !strings.Contains(stdout, "[hours] (en-US-BenjaminRUS) We are open") {
		t.Errorf("sim --url did not play the served flow:\n%s", stdout)
	}
	// The same file the server serves: no warning.
	if code, _, stderr := runCLI(t, "sim", "--url", base, "--keys", "1", "../../examples/bakery.yaml"); code != exitOK || stderr != "" {
		t.Errorf("sim --url against the served flow: exit %d, stderr %q; want 0 and nothing", code, stderr)
	}
}

// TestSimDirection: sim plays an inbound call by default, as ivrctl test
// does; --outbound plays the call ivrctl call places, and cannot be
// played against a server.
func TestSimDirection(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "sim", "hours.txt"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(golden), "\n")
	for _, tt := range []struct {
		args  []string
		first string
	}{
		{[]string{"sim", "--keys", "3", restaurant}, "(inbound call: the line answers)"},
		{[]string{"sim", "--inbound", "--keys", "3", restaurant}, "(inbound call: the line answers)"},
		{[]string{"sim", "--outbound", "--keys", "3", restaurant}, "(outbound call: the caller answers)"},
		{[]string{"sim", "--inbound=false", "--keys", "3", restaurant}, "(outbound call: the caller answers)"},
	} {
		code, stdout, stderr := runCLI(t, tt.args...)
		if code != exitOK || stderr != "" || stdout != tt.first+"\n"+rest {
			t.Errorf("%q: exit %d, stderr %q, stdout:\n%s\nwant 0, nothing, and %q then the rest of hours.txt", tt.args, code, stderr, stdout, tt.first)
		}
	}
	code, _, stderr := runCLI(t, "sim", "--outbound", "--url", "http://127.0.0.1:1", "--keys", "3", restaurant)
	if code != exitUsage || !strings.Contains(stderr, "ivrctl sim: --url plays an inbound call") {
		t.Errorf("--outbound --url: exit %d, stderr %q; want 2 and why", code, stderr)
	}
}

// TestSimBadKeys: a key 8x8 could never send is refused: in --keys before
// the call, at the prompt by asking again.
func TestSimBadKeys(t *testing.T) {
	for _, keys := range []string{"l", "1,abc", "3,#x"} {
		code, stdout, stderr := runCLI(t, "sim", "--keys", keys, restaurant)
		bad := keys[strings.LastIndex(keys, ",")+1:]
		want := fmt.Sprintf("ivrctl sim: --keys: %q is not a key 8x8 can send: use digits 0-9, * and #, or - for none\n", bad)
		if code != exitUsage || stdout != "" || stderr != want {
			t.Errorf("--keys %s: exit %d, stdout %q, stderr %q; want 2, nothing, %q", keys, code, stdout, stderr, want)
		}
	}
	setStdin(t, strings.NewReader("l\nabc\n3\n"))
	code, stdout, stderr := runCLI(t, "sim", restaurant)
	golden, err := os.ReadFile(filepath.Join("testdata", "sim", "hours.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(string(golden), "\n> 3\n", "\n"+
		"keys> l\n(\"l\" is not a key 8x8 can send: use digits 0-9, * and #, or - for none)\n"+
		"keys> abc\n(\"abc\" is not a key 8x8 can send: use digits 0-9, * and #, or - for none)\n"+
		"keys> 3\n", 1)
	if code != exitOK || stderr != "" || stdout != want {
		t.Errorf("bad keys at the prompt: exit %d, stderr %q, transcript:\n%s\nwant:\n%s", code, stderr, stdout, want)
	}
}

// TestLoadedFlowWarnings: sim, test and graph print a flow's warnings as
// one line that counts them and names the command that shows them, or in
// full with --warnings; errors always in full.
func TestLoadedFlowWarnings(t *testing.T) {
	dir := t.TempDir()
	flow := filepath.Join(dir, "warns.yaml")
	src := "start: main\nnodes:\n  main:\n    menu: Press 1 for sales, press 2 for support, press 3 for hours.\n    keys: {\"1\": bye}\n  bye:\n    say: Bye.\n  old:\n    say: Gone.\n"
	if err := os.WriteFile(flow, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "warns.test.yaml"), []byte("cases:\n  - name: bye\n    keys: [\"1\"]\n    expect: {ends_at: bye}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, full, _ := runCLI(t, "lint", "--format", "json", flow)
	if n := strings.Count(full, `"severity": "warning"`); n != 3 {
		t.Fatalf("lint finds %d warnings in the fixture, want 3:\n%s", n, full)
	}
	for _, cmd := range [][]string{{"sim", "--keys", "1"}, {"test"}, {"graph"}} {
		name := cmd[0]
		code, _, stderr := runCLI(t, append(cmd, flow)...)
		want := fmt.Sprintf("ivrctl %s: %s has 3 warnings; ivrctl lint %s shows them\n", name, flow, flow)
		if code != exitOK || stderr != want {
			t.Errorf("%s: exit %d, stderr %q; want 0 and %q", name, code, stderr, want)
		}
		code, _, stderr = runCLI(t, append(cmd, "--warnings", flow)...)
		if lines := strings.Count(stderr, "\n"); code != exitOK || lines != 3 || strings.Count(stderr, ": warning: ") != 3 {
			t.Errorf("%s --warnings: exit %d, stderr:\n%s\nwant 0 and the 3 warnings", name, code, stderr)
		}
	}
	// Errors print in full (and the warnings of a flow with errors are
	// not looked for).
	broken := filepath.Join(dir, "broken.yaml")
	if err := os.WriteFile(broken, []byte(src+"  bad:\n    say: \"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "graph", broken)
	want := fmt.Sprintf("%s:11:10: error: node \"bad\" has an empty say text [empty-text]\nivrctl graph: %s has errors\n", broken, broken)
	if code != exitProblems || stderr != want {
		t.Errorf("graph of a broken flow: exit %d, stderr\n%s\nwant 1 and\n%s", code, stderr, want)
	}
}
