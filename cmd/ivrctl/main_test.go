package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/callflows/carrier"
)

const restaurant = "../../flows/restaurant.yaml"

// TestMain lets a test run this test binary as the ivrctl command itself,
// so that signals are tested on a real process.
func TestMain(m *testing.M) {
	if os.Getenv("IVRCTL_TEST_MAIN") == "1" {
		os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(t.Context(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string // substring expected on stdout
		stderr   string // substring expected on stderr
		noStdout bool
	}{
		{name: "no args", args: nil, code: exitUsage, stderr: "Usage:", noStdout: true},
		{name: "help", args: []string{"help"}, code: exitOK, stdout: "ivrctl serve [--addr HOST:PORT] FILE"},
		{name: "unknown command", args: []string{"frobnicate"}, code: exitUsage, stderr: `unknown command "frobnicate"`, noStdout: true},
		{name: "lint without files", args: []string{"lint"}, code: exitUsage, stderr: "no flow file given", noStdout: true},
		{name: "lint unknown flag", args: []string{"lint", "--bogus", restaurant}, code: exitUsage, stderr: "flag provided but not defined: -bogus", noStdout: true},
		{name: "lint -h", args: []string{"lint", "-h"}, code: exitOK, stderr: "Usage: ivrctl lint [--voices FILE] FILE...", noStdout: true},
		{name: "serve without file", args: []string{"serve"}, code: exitUsage, stderr: "give exactly one flow file", noStdout: true},
		{name: "serve two files", args: []string{"serve", restaurant, restaurant}, code: exitUsage, stderr: "give exactly one flow file", noStdout: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			if !strings.Contains(stdout, tt.stdout) {
				t.Errorf("stdout = %q, want it to contain %q", stdout, tt.stdout)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tt.stderr)
			}
			if tt.noStdout && stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
		})
	}
}

func TestLint(t *testing.T) {
	brokenOut := strings.Join([]string{
		`testdata/broken.yaml:2:8: error: unknown node "mian" as start; did you mean "main"? [start]`,
		`start: mian`,
		`       ^~~~`,
		`testdata/broken.yaml:8:7: error: key "x" of menu "main" is not a DTMF key: use digits 0-9, * and # [dtmf-key]`,
		`      "x": nowhere`,
		`      ^~~`,
		`testdata/broken.yaml:8:12: error: unknown node "nowhere" for key "x" of menu "main" [undefined-node]`,
		`      "x": nowhere`,
		`           ^~~~~~~`,
		`testdata/broken.yaml:10:10: error: node "hours" has an empty say text [empty-text]`,
		`    say: ""`,
		`         ^~`,
	}, "\n") + "\n"
	tests := []struct {
		name   string
		files  []string
		code   int
		stdout string
		stderr string
	}{
		{name: "clean", files: []string{restaurant}, code: exitOK},
		{name: "problems", files: []string{"testdata/broken.yaml"}, code: exitProblems, stdout: brokenOut},
		{name: "clean and broken", files: []string{restaurant, "testdata/broken.yaml"}, code: exitProblems, stdout: brokenOut},
		{name: "missing file", files: []string{"testdata/nope.yaml"}, code: exitFailure,
			stderr: "ivrctl lint: open testdata/nope.yaml: no such file or directory\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"lint"}, tt.files...)...)
			if code != tt.code {
				t.Errorf("exit code = %d, want %d", code, tt.code)
			}
			if stdout != tt.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", stdout, tt.stdout)
			}
			if stderr != tt.stderr {
				t.Errorf("stderr = %q, want %q", stderr, tt.stderr)
			}
		})
	}
}

func TestServeRefusesBrokenFlow(t *testing.T) {
	code, stdout, stderr := runCLI(t, "serve", "--addr", "127.0.0.1:0", "testdata/broken.yaml")
	if code != exitProblems {
		t.Errorf("exit code = %d, want %d", code, exitProblems)
	}
	if stdout != "" {
		t.Errorf("stdout = %q, want nothing", stdout)
	}
	for _, want := range []string{
		`"diagnostic":"testdata/broken.yaml:2:8: error: unknown node \"mian\" as start; did you mean \"main\"? [start]"`,
		`"line":2,"col":8,`,
		`"message":"flow diagnostic"`,
		`"message":"flow has errors; not serving it"`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not contain %q:\n%s", want, stderr)
		}
	}
}

func TestServeBadAddress(t *testing.T) {
	code, _, stderr := runCLI(t, "serve", "--addr", "127.0.0.1:notaport", restaurant)
	if code != exitFailure {
		t.Errorf("exit code = %d, want %d", code, exitFailure)
	}
	if !strings.Contains(stderr, `"message":"cannot listen"`) {
		t.Errorf("stderr = %s, want a cannot listen line", stderr)
	}
}

// logLines collects the JSON log lines a server writes and hands out the
// address of its "serving" line.
type logLines struct {
	mu    sync.Mutex
	lines []map[string]any
	raw   strings.Builder
	addr  chan string
	eof   chan struct{} // closed when the server's output ends
}

func newLogLines(t *testing.T, r io.Reader) *logLines {
	l := &logLines{addr: make(chan string, 1), eof: make(chan struct{})}
	go func() {
		defer close(l.eof)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			l.mu.Lock()
			l.raw.Write(sc.Bytes())
			l.raw.WriteByte('\n')
			l.mu.Unlock()
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				continue // a diagnostic line, not a log line
			}
			l.mu.Lock()
			l.lines = append(l.lines, m)
			l.mu.Unlock()
			if m["message"] == "serving" {
				l.addr <- m["addr"].(string)
			}
		}
	}()
	return l
}

func (l *logLines) waitAddr(t *testing.T) string {
	t.Helper()
	select {
	case a := <-l.addr:
		return "http://" + a
	case <-time.After(20 * time.Second):
		t.Fatal("server did not log its address")
		return ""
	}
}

// all returns everything the server wrote.
func (l *logLines) all() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.raw.String()
}

// count returns how many lines have the message msg.
func (l *logLines) count(msg string) int { return len(l.withMessage(msg)) }

// withMessage returns the lines that have the message msg.
func (l *logLines) withMessage(msg string) []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, m := range l.lines {
		if m["message"] == msg {
			out = append(out, m)
		}
	}
	return out
}

// waitCount waits until n lines have the message msg.
func (l *logLines) waitCount(t *testing.T, msg string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for l.count(msg) < n {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %d %q lines; log:\n%s", n, msg, l.all())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitEOF waits until the server's output has ended and been read.
func (l *logLines) waitEOF(t *testing.T) {
	t.Helper()
	select {
	case <-l.eof:
	case <-time.After(10 * time.Second):
		t.Fatal("the server's output did not end")
	}
}

func (l *logLines) messages() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, m := range l.lines {
		out = append(out, fmt.Sprint(m["message"]))
	}
	return out
}

// walk plays the restaurant's "hours" path against base and checks the
// answers.
func walk(t *testing.T, base string) {
	t.Helper()
	c := &carrier.Caller{BaseURL: base}
	r, err := c.Ring(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if r.ClientActionID != "main_menu" {
		t.Fatalf("ring answered %q, want main_menu", r.ClientActionID)
	}
	r, err = c.Press(t.Context(), "3")
	if err != nil {
		t.Fatal(err)
	}
	if r.ClientActionID != "hours" || len(r.Callflow) != 2 {
		t.Fatalf("key 3 answered %+v, want hours: say then hangup", r)
	}
}

func TestServeInProcess(t *testing.T) {
	clearServeEnv(t)
	base, logs, stop := startServe(t, restaurant)
	walk(t, base)
	if code := stop(); code != exitOK {
		t.Errorf("exit code = %d, want 0", code)
	}
	got := strings.Join(logs.messages(), ",")
	if want := "loading flow,webhooks are not authenticated,serving,vca,vca,shutting down,stopped"; got != want {
		t.Errorf("log messages = %s, want %s", got, want)
	}
}

// TestServeSignals runs ivrctl serve as a real process and stops it with
// SIGTERM and SIGINT: it must finish cleanly with exit code 0.
func TestServeSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "serve", "--addr", "127.0.0.1:0", restaurant)
			cmd.Env = append(os.Environ(), "IVRCTL_TEST_MAIN=1")
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cmd.Process.Kill() })
			logs := newLogLines(t, stderr)
			base := logs.waitAddr(t)
			walk(t, base)

			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			waited := make(chan error, 1)
			go func() { waited <- cmd.Wait() }()
			select {
			case err := <-waited:
				if err != nil {
					t.Fatalf("ivrctl serve exited with %v after %v, want exit 0", err, sig)
				}
			case <-time.After(15 * time.Second):
				t.Fatalf("ivrctl serve did not stop after %v", sig)
			}
			if _, err := http.Get(base + "/healthz"); err == nil {
				t.Error("server still answers after exit")
			}
		})
	}
}
