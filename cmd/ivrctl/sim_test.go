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
			golden := filepath.Join("testdata", "sim", tc.name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(stdout), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if stdout != string(want) {
				t.Errorf("transcript:\n%s\nwant (%s):\n%s", stdout, golden, want)
			}
		})
	}
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
		if !strings.HasPrefix(string(data), "(outbound call: the caller answers)\n[main_menu] (en-US-BenjaminRUS) Welcome to ABC Restaurant") {
			t.Errorf("%s.txt does not start with the answered outbound call and the main menu:\n%s", tc.name, data)
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
		_, local, _ := runCLI(t, "sim", "--inbound", "--keys", tc.keys, restaurant)
		if remote != local {
			t.Errorf("%s: --url transcript:\n%s\nwant the in-process --inbound one:\n%s", tc.name, remote, local)
		}
		// The outbound golden transcript differs only in its first line.
		golden, err := os.ReadFile(filepath.Join("testdata", "sim", tc.name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		_, g, _ := strings.Cut(string(golden), "\n")
		first, r, _ := strings.Cut(remote, "\n")
		if first != "(inbound call: the line answers)" || r != g {
			t.Errorf("%s: --url transcript:\n%s\nwant the inbound start, then the rest of %s.txt:\n%s", tc.name, remote, tc.name, g)
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
	bakery, _ := loadFlow("test", "../../examples/bakery.yaml", io.Discard)
	rest, _ := loadFlow("test", restaurant, io.Discard)
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
