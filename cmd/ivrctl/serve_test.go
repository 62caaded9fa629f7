package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/callflows/carrier"
	"github.com/ivrctl/ivrctl/server/logtest"
	"github.com/ivrctl/ivrctl/server/logwriter"
)

// clearServeEnv keeps the developer's own settings out of a test of
// serve: carrier's webhooks are for sub-account account_x and carry no
// Authorization header.
func clearServeEnv(t *testing.T) {
	t.Setenv(envWebhookAuth, "")
	t.Setenv(envSubAccount, "")
	t.Setenv(envStateKey, testStateKey)
}

// testStateKey signs the call state in tests, as a live line's would.
const testStateKey = "dGVzdC1zdGF0ZS1rZXktMDEyMzQ1Njc"

// TestServeStateKey: without IVRCTL_STATE_KEY serve warns that the state
// is not signed; with a key that is no key it refuses to start.
func TestServeStateKey(t *testing.T) {
	clearServeEnv(t)
	t.Setenv(envStateKey, "")
	_, logs, stop := startServe(t, restaurant)
	if code := stop(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !slices.Contains(logs.messages(), "call state is not signed") {
		t.Errorf("no warning of an unsigned state: %v", logs.messages())
	}

	t.Setenv(envStateKey, "short")
	var stderr bytes.Buffer
	if code := run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0", restaurant}, io.Discard, &stderr); code != exitUsage {
		t.Errorf("serve with a bad key: exit %d, want %d", code, exitUsage)
	}
	if !strings.Contains(stderr.String(), envStateKey) {
		t.Errorf("the refusal does not name %s: %s", envStateKey, stderr.String())
	}
}

// startServe runs ivrctl serve in-process with args, and returns its base
// URL, its log and a function that stops it and returns its exit code.
func startServe(t *testing.T, args ...string) (string, *logLines, func() int) {
	t.Helper()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), io.Discard, pw)
		pw.Close()
	}()
	logs := newLogLines(t, pr)
	base := logs.waitAddr(t)
	stopped := false
	stop := func() int {
		if stopped {
			return -1
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			logs.waitEOF(t)
			return code
		case <-time.After(15 * time.Second):
			t.Fatal("serve did not stop")
			return -1
		}
	}
	t.Cleanup(func() { stop() })
	return base, logs, stop
}

// postStatus posts a VCA answering main_menu with key 3, with the
// Authorization header auth when it is not "", and returns the status.
func postStatus(t *testing.T, base, auth string) int {
	t.Helper()
	header := http.Header{}
	if auth != "" {
		header.Set("Authorization", auth)
	}
	body := carrier.Event{ClientActionID: "main_menu", Digits: "3"}.Body()
	status, _, err := carrier.PostHeader(t.Context(), nil, base+"/webhooks/vca", body, header)
	if err != nil {
		t.Fatal(err)
	}
	return status
}

func TestServeAuthHeader(t *testing.T) {
	clearServeEnv(t)
	const secret = "Bearer 8x8-says-hello"
	t.Setenv(envWebhookAuth, secret)
	base, logs, stop := startServe(t, restaurant)
	for _, tt := range []struct {
		auth string
		want int
	}{{"", 401}, {"Bearer wrong", 401}, {secret, 200}} {
		if got := postStatus(t, base, tt.auth); got != tt.want {
			t.Errorf("Authorization %q: %d, want %d", tt.auth, got, tt.want)
		}
	}
	stop()
	msgs := strings.Join(logs.messages(), ",")
	if strings.Contains(msgs, "not authenticated") {
		t.Errorf("warned of no authentication with %s set: %s", envWebhookAuth, msgs)
	}
	if want := "loading flow,serving,webhook refused,webhook refused,vca,shutting down,stopped"; msgs != want {
		t.Errorf("log messages %s, want %s", msgs, want)
	}
	if all := logs.all(); strings.Contains(all, "8x8-says-hello") || strings.Contains(all, "Bearer wrong") {
		t.Error("an Authorization value is in the log")
	}
}

func TestServeAllow(t *testing.T) {
	clearServeEnv(t)
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"--allow", "8x8"}, http.StatusForbidden}, // loopback is not 8x8
		{[]string{"--allow", "10.0.0.0/8, 127.0.0.1"}, http.StatusOK},
		// Only a trusted proxy's X-Forwarded-For is believed; none is sent here.
		{[]string{"--allow", "8x8", "--trusted-proxies", "127.0.0.1"}, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			base, _, _ := startServe(t, append(tt.args, restaurant)...)
			if got := postStatus(t, base, ""); got != tt.want {
				t.Errorf("status %d, want %d", got, tt.want)
			}
		})
	}
}

func TestServeFlagErrors(t *testing.T) {
	clearServeEnv(t)
	for _, tt := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"--allow", "10.0.0.300", restaurant}, `--allow: bad address "10.0.0.300"`},
		{[]string{"--trusted-proxies", "nope", restaurant}, "--trusted-proxies:"},
		{[]string{"--log-format", "xml", restaurant}, `unknown --log-format "xml"`},
		{[]string{"--log-level", "loud", restaurant}, `unknown --log-level "loud"`},
	} {
		code, stdout, stderr := runCLI(t, append([]string{"serve", "--addr", "127.0.0.1:0"}, tt.args...)...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, tt.stderr) {
			t.Errorf("serve %v: exit %d, stderr %q; want %d and %q", tt.args, code, stderr, exitUsage, tt.stderr)
		}
	}
}

func TestServeLogFormatAndLevel(t *testing.T) {
	clearServeEnv(t)
	t.Run("console", func(t *testing.T) {
		var buf bytes.Buffer
		log, err := newLogger(&buf, "console", "info")
		if err != nil {
			t.Fatal(err)
		}
		log.Info().Str("node", "main_menu").Msg("vca")
		got := buf.String()
		if strings.HasPrefix(got, "{") || !strings.Contains(got, "INF") || !strings.Contains(got, "vca") ||
			!strings.Contains(got, "node=main_menu") || strings.Contains(got, "\x1b[") {
			t.Errorf("console line to a buffer = %q, want a plain line for people", got)
		}
	})
	// Console lines are for people, written as they come; buffered in a
	// logwriter.Writer, even warnings would wait for its flush, since zerolog's
	// ConsoleWriter does not pass their level on.
	t.Run("console-unbuffered", func(t *testing.T) {
		var buf logtest.Buffer // safe to read while the periodic flush writes
		lw := logwriter.New(&buf, time.Hour)
		defer lw.Close()
		log, err := newLogger(lw, "console", "info")
		if err != nil {
			t.Fatal(err)
		}
		log.Warn().Msg("reload rejected")
		log.Info().Msg("vca")
		if got := buf.String(); !strings.Contains(got, "reload rejected") || !strings.Contains(got, "vca") {
			t.Errorf("console log before any flush: %q, want both lines", got)
		}
	})
	t.Run("warn", func(t *testing.T) {
		var buf bytes.Buffer
		log, err := newLogger(&buf, "json", "WARN")
		if err != nil {
			t.Fatal(err)
		}
		log.Info().Msg("vca")
		log.Warn().Msg("vca rejected")
		if got := buf.String(); strings.Contains(got, `"vca"`) || !strings.Contains(got, `"vca rejected"`) {
			t.Errorf("at warn, the log says %s; want only the warning", got)
		}
		// Each line has its time, in UTC to the millisecond.
		var line struct{ Time string }
		if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(line.Time) {
			t.Errorf("time %q, want UTC with milliseconds", line.Time)
		}
	})
}

// copyFlow copies the restaurant flow into a temporary folder.
func copyFlow(t *testing.T) (path, src string) {
	t.Helper()
	data, err := os.ReadFile(restaurant)
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "restaurant.yaml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, string(data)
}

// startProcess runs ivrctl serve as a real process (this test binary as
// ivrctl), and returns it, its log and its base URL.
func startProcess(t *testing.T, args ...string) (*exec.Cmd, *logLines, string) {
	t.Helper()
	cmd, logs := startChild(t, "", nil, args...)
	return cmd, logs, logs.waitAddr(t)
}

// TestServeWatch: ivrctl serve is watching its file by the time it says
// it is serving: a save right after that line is picked up.
func TestServeWatch(t *testing.T) {
	clearServeEnv(t)
	path, src := copyFlow(t)
	_, logs, _ := startServe(t, path)
	if err := os.WriteFile(path, []byte(strings.Replace(src, "Welcome to ABC", "Welcome back to ABC", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	logs.waitCount(t, "flow reloaded", 1)
	if l := logs.withMessage("flow reloaded"); l[0]["trigger"] != "watch" {
		t.Errorf("reloaded by %v, want watch", l[0]["trigger"])
	}
}

// TestServeSIGHUP: a real ivrctl serve reloads its file on SIGHUP, keeps
// its flow when the file is broken, and serves the new flow when it is
// valid.
func TestServeSIGHUP(t *testing.T) {
	path, src := copyFlow(t)
	cmd, logs, base := startProcess(t, "--no-watch", path)
	hearsWelcome := func(want string) {
		t.Helper()
		r, err := (&carrier.Caller{BaseURL: base}).Ring(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Callflow[0].(*callflows.SayAndCapture).PromptMessage; !strings.Contains(got, want) {
			t.Errorf("the caller hears %s, want %q", got, want)
		}
	}
	hup := func(wantMsg string) {
		t.Helper()
		n := logs.count(wantMsg)
		if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		logs.waitCount(t, wantMsg, n+1)
	}

	if err := os.WriteFile(path, []byte(strings.Replace(src, `"3": hours`, `"3": hourz`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	hup("reload rejected")
	hearsWelcome("Welcome to ABC Restaurant")

	if err := os.WriteFile(path, []byte(strings.Replace(src, "Welcome to ABC", "Welcome back to ABC", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	// With --no-watch the edit waits for the signal: no watcher runs (the
	// serving line says so, and no reload below is the watcher's).
	hearsWelcome("Welcome to ABC Restaurant")
	if l := logs.withMessage("serving"); len(l) != 1 || l[0]["watch"] != false {
		t.Errorf("serving line %v, want watch false", l)
	}
	hup("flow reloaded")
	hearsWelcome("Welcome back to ABC Restaurant")
	if logs.count("flow diagnostic") != 1 {
		t.Errorf("%d diagnostics logged, want the one of the broken file", logs.count("flow diagnostic"))
	}
	for _, msg := range []string{"reload rejected", "flow reloaded"} {
		for _, l := range logs.withMessage(msg) {
			if l["trigger"] != "sighup" {
				t.Errorf("%s by %v, want sighup", msg, l["trigger"])
			}
		}
	}
}

// startInFlight sends the head of a VCA whose body of n bytes is still to
// come, and returns once the handler has started reading the body: then
// the request is in flight. It asks for 100 Continue, which net/http
// sends when the handler first reads. The reader returned reads the
// answer.
func startInFlight(t *testing.T, conn net.Conn, n int) *bufio.Reader {
	t.Helper()
	head := "POST /webhooks/vca HTTP/1.1\r\nHost: ivrctl\r\nContent-Type: application/json\r\n" +
		"Expect: 100-continue\r\nContent-Length: " + strconv.Itoa(n) + "\r\n\r\n"
	if _, err := conn.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusContinue {
		t.Fatalf("answer to a request expecting 100-continue: %v %v", resp, err)
	}
	return br
}

// TestServeShutdownFinishesInFlight: a webhook whose body is still
// arriving when SIGTERM comes is answered; new connections are refused
// meanwhile; the process then exits 0.
func TestServeShutdownFinishesInFlight(t *testing.T) {
	cmd, logs, base := startProcess(t, restaurant)
	addr := strings.TrimPrefix(base, "http://")
	body := carrier.Event{ClientActionID: "main_menu", Digits: "3"}.Body()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := startInFlight(t, conn, len(body))
	half := len(body) / 2
	if _, err := conn.Write(body[:half]); err != nil {
		t.Fatal(err)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	logs.waitCount(t, "shutting down", 1)
	// The listener closes as Shutdown starts.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("new connections are still accepted after SIGTERM")
		}
	}

	if _, err := conn.Write(body[half:]); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("the in-flight webhook got no answer: %v", err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("in-flight webhook: %d %s", resp.StatusCode, answer)
	}
	if r, err := carrier.DecodeResponse(answer); err != nil || r.ClientActionID != "hours" {
		t.Errorf("in-flight webhook answered %s (%v), want hours", answer, err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Errorf("exit: %v, want 0", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not exit after the in-flight webhook")
	}
	logs.waitEOF(t)
	if got := strings.Join(logs.messages(), ","); !strings.HasSuffix(got, "shutting down,vca,stopped") {
		t.Errorf("log messages %s, want the vca answered after shutting down", got)
	}
}

// TestServeSecondSignalForcesExit: while shutdown waits for a webhook that
// never finishes, a second SIGTERM ends the process at once.
func TestServeSecondSignalForcesExit(t *testing.T) {
	cmd, logs, base := startProcess(t, restaurant)
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Headers and half a body: a request in flight that holds shutdown.
	startInFlight(t, conn, 100)
	if _, err := conn.Write([]byte(`{"payload":`)); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	logs.waitCount(t, "shutting down", 1)
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	// Had serve exited by itself meanwhile, the signal would fail, or its
	// exit would not be SIGTERM's.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select { // well before the 10 s a graceful shutdown would wait
	case err := <-waited:
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
			t.Errorf("after a second SIGTERM: %v, want killed by SIGTERM", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a second SIGTERM did not end the process")
	}
}

// TestServeRefusesSensitiveWithoutKey: a flow that collects a PIN is not
// served without IVRCTL_STATE_KEY, and serve says why.
func TestServeRefusesSensitiveWithoutKey(t *testing.T) {
	clearServeEnv(t)
	t.Setenv(envStateKey, "")
	path := filepath.Join(t.TempDir(), "pin.yaml")
	flow := "start: pin\nnodes:\n  pin:\n    collect: Enter your PIN.\n    into: pin\n    sensitive: true\n    then: bye\n  bye:\n    say: Bye.\n"
	if err := os.WriteFile(path, []byte(flow), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if code := run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json", path}, io.Discard, &stderr); code != exitFailure {
		t.Fatalf("serve of a flow with a PIN and no key: exit %d, want %d\n%s", code, exitFailure, stderr.String())
	}
	if !strings.Contains(stderr.String(), "IVRCTL_STATE_KEY") || !strings.Contains(stderr.String(), "sensitive") {
		t.Errorf("serve does not say why:\n%s", stderr.String())
	}
}
