package main

// Tests of ivrctl serve against what a stranger, or a careless start, can
// do to it (issue 14, part 1), run over real connections to a started
// server.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/callflows/carrier"
	"github.com/ivrctl/ivrctl/server"
	"github.com/ivrctl/ivrctl/server/reload"
)

// startChild runs ivrctl serve as a real process through bash, so that
// shell is set up first (a ulimit, say), with the environment env added,
// and returns it and its log.
func startChild(t *testing.T, shell string, env []string, args ...string) (*exec.Cmd, *logLines) {
	t.Helper()
	argv := append([]string{"-c", shell + `exec "$0" "$@"`, os.Args[0], "serve", "--addr", "127.0.0.1:0"}, args...)
	cmd := exec.Command("bash", argv...)
	cmd.Env = append(os.Environ(), append([]string{"IVRCTL_TEST_MAIN=1", envWebhookAuth + "=", envSubAccount + "="}, env...)...)
	// An os.Pipe rather than cmd.StderrPipe: Wait closes the latter when
	// the process exits, possibly before its last lines are read, and the
	// tests wait for the process and then read its last lines. The read end
	// of this one ends when the child, the only writer left, exits.
	stderr, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = w
	err = cmd.Start()
	w.Close()
	if err != nil {
		stderr.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); stderr.Close() })
	return cmd, newLogLines(t, stderr)
}

// procStatus returns a figure of /proc/PID/status in kB, such as VmRSS.
func procStatus(t *testing.T, pid int, field string) int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				t.Fatal(err)
			}
			return kb
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// TestServeHeaderMemoryBounded: many connections each sending a megabyte
// of headers that never end cannot grow the process by much. Before the
// header limit, 200 such connections grew it by hundreds of megabytes.
func TestServeHeaderMemoryBounded(t *testing.T) {
	const (
		conns     = 200
		perConn   = 1 << 20
		maxGrowMB = 64
	)
	cmd, _, base := startProcess(t, restaurant)
	addr := strings.TrimPrefix(base, "http://")
	before := procStatus(t, cmd.Process.Pid, "VmRSS")

	line := "X-Filler: " + strings.Repeat("a", 1000) + "\r\n"
	var opened []net.Conn
	defer func() {
		for _, c := range opened {
			c.Close()
		}
	}()
	var wg sync.WaitGroup
	for range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		opened = append(opened, c)
		wg.Go(func() {
			// Errors are expected: the server cuts a request whose
			// headers are too large.
			w := bufio.NewWriterSize(c, 64<<10)
			_, _ = io.WriteString(w, "POST /webhooks/vca HTTP/1.1\r\nHost: ivrctl\r\n")
			for n := 0; n < perConn; n += len(line) {
				if _, err := io.WriteString(w, line); err != nil {
					return
				}
			}
			_ = w.Flush()
		})
	}
	wg.Wait()
	// Finish each request and read its answer: by then the server has read
	// every header it was going to keep, all connections having sent
	// theirs before any request ended.
	for _, c := range opened {
		_, _ = io.WriteString(c, "\r\n")
		_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
		_, _ = http.ReadResponse(bufio.NewReader(c), nil)
	}
	peak := procStatus(t, cmd.Process.Pid, "VmHWM")
	t.Logf("resident before %d MB, peak after %d MB", before/1024, peak/1024)
	if grow := (peak - before) / 1024; grow > maxGrowMB {
		t.Errorf("resident memory grew from %d MB to a peak of %d MB with %d connections of %d MB of headers; want at most %d MB more",
			before/1024, peak/1024, conns, perConn>>20, maxGrowMB)
	}
	// The server still answers.
	if got := postStatus(t, base, ""); got != http.StatusOK {
		t.Errorf("a webhook after the flood: %d, want 200", got)
	}
}

// TestServeKeepsRoomFor8x8: with the process allowed 256 open files and
// 260 connections of strangers held open (idle, or refused with 401), a
// webhook with the right Authorization is still answered, well before
// strangers' connections would time out by themselves.
func TestServeKeepsRoomFor8x8(t *testing.T) {
	const secret = "Bearer 8x8-says-hello"
	for _, mode := range []string{"idle", "refused"} {
		t.Run(mode, func(t *testing.T) {
			_, logs := startChild(t, "ulimit -n 256 && ", []string{envWebhookAuth + "=" + secret}, restaurant)
			base := logs.waitAddr(t)
			addr := strings.TrimPrefix(base, "http://")
			var held []net.Conn
			defer func() {
				for _, c := range held {
					c.Close()
				}
			}()
			for range 260 {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					t.Fatal(err)
				}
				held = append(held, c)
				if mode == "refused" {
					body := carrier.Event{ClientActionID: "main_menu", Digits: "1"}.Body()
					req := fmt.Sprintf("POST /webhooks/vca HTTP/1.1\r\nHost: ivrctl\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
					if _, err := io.WriteString(c, req); err != nil {
						t.Fatal(err)
					}
				}
			}
			// Shorter than ReadHeaderTimeout, after which the server
			// would drop idle strangers by itself, and than the 2 minutes
			// a refused client's keep-alive connection used to be kept.
			client := &http.Client{Timeout: server.ReadHeaderTimeout - time.Second}
			header := http.Header{"Authorization": {secret}}
			body := carrier.Event{ClientActionID: "main_menu", Digits: "3"}.Body()
			status, answer, err := carrier.PostHeader(t.Context(), client, base+"/webhooks/vca", body, header)
			if err != nil || status != http.StatusOK {
				t.Fatalf("8x8's webhook with %d strangers' connections held: %d %s %v, want 200", len(held), status, answer, err)
			}
			if r, err := carrier.DecodeResponse(answer); err != nil || r.ClientActionID != "hours" {
				t.Errorf("answered %s (%v), want hours", answer, err)
			}
		})
	}
}

// TestServeRefusalClosesConnection: a 401 closes its connection, so that
// a refused client keeps no descriptor of the server's.
func TestServeRefusalClosesConnection(t *testing.T) {
	clearServeEnv(t)
	t.Setenv(envWebhookAuth, "Bearer x")
	base, _, _ := startServe(t, restaurant)
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "POST /webhooks/vca HTTP/1.1\r\nHost: ivrctl\r\nContent-Length: 2\r\n\r\n{}"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !resp.Close {
		t.Errorf("status %d, Connection %q; want 401 and close", resp.StatusCode, resp.Header.Get("Connection"))
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("X-Content-Type-Options %q, want nosniff", resp.Header.Get("X-Content-Type-Options"))
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := br.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("after the 401: read %d bytes, %v; want the connection closed", n, err)
	}
}

// TestServeDebugAddr: pprof is served on loopback only, unless forced, and
// never shows the command line, which may hold --auth-header.
func TestServeDebugAddr(t *testing.T) {
	clearServeEnv(t)
	const secret = "Bearer debug-secret-42"
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:6060"} {
		// Stopped before it starts: a serve that took the address would
		// exit 0 at once rather than run on.
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		var stdout, stderrBuf strings.Builder
		code := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--debug-addr", addr, restaurant}, &stdout, &stderrBuf)
		stderr := stderrBuf.String()
		if code != exitUsage || !strings.Contains(stderr, "not a loopback address") || !strings.Contains(stderr, "--debug-addr-any") {
			t.Errorf("--debug-addr %s: exit %d, stderr %q; want %d and a refusal", addr, code, stderr, exitUsage)
		}
	}
	for _, args := range [][]string{
		{"--debug-addr", "127.0.0.1:0"},
		{"--debug-addr", "0.0.0.0:0", "--debug-addr-any"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, logs, _ := startServe(t, append(args, "--auth-header", secret, restaurant)...)
			logs.waitCount(t, "serving pprof", 1)
			_, port, _ := net.SplitHostPort(logs.withMessage("serving pprof")[0]["addr"].(string))
			debug := "http://127.0.0.1:" + port
			for path, want := range map[string]int{"/debug/pprof/": 200, "/debug/pprof/cmdline": 404} {
				resp, err := http.Get(debug + path)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != want || strings.Contains(string(body), "debug-secret-42") {
					t.Errorf("GET %s: %d, want %d, and no secret in %.200q", path, resp.StatusCode, want, body)
				}
			}
		})
	}
}

// bigFlow writes a flow of n nodes: a tree of menus of nine keys each,
// with say nodes for leaves, every key mentioned in its prompt.
func bigFlow(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("version: 1\nname: Big line\nstart: n0\nnodes:\n")
	for i := range n {
		first := 9*i + 1
		if first >= n {
			fmt.Fprintf(&b, "  n%d:\n    say: Goodbye from %d.\n", i, i)
			continue
		}
		var prompt, keys strings.Builder
		for k := 1; k <= 9 && first+k-1 < n; k++ {
			fmt.Fprintf(&prompt, " press %d for %d,", k, first+k-1)
			fmt.Fprintf(&keys, "      \"%d\": n%d\n", k, first+k-1)
		}
		fmt.Fprintf(&b, "  n%d:\n    menu: Menu %d,%s thanks.\n    keys:\n%s", i, i, strings.TrimSuffix(prompt.String(), ","), keys.String())
	}
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestServeSIGHUPWhileLoading: a SIGHUP while a large flow loads neither
// kills the process nor is lost: the flow is reloaded once it is served.
func TestServeSIGHUPWhileLoading(t *testing.T) {
	path := bigFlow(t, 20000)
	cmd, logs := startChild(t, "", nil, "--no-watch", path)
	logs.waitCount(t, "loading flow", 1)
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	select {
	case <-logs.addr:
	case <-logs.eof:
		_ = cmd.Wait()
		t.Fatalf("serve ended with %v after a SIGHUP while loading; log:\n%s", cmd.ProcessState, logs.all())
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not start")
	}
	logs.waitCount(t, "flow unchanged", 1)
	if l := logs.withMessage("flow unchanged")[0]; l["trigger"] != "sighup" {
		t.Errorf("reloaded by %v, want sighup", l["trigger"])
	}
}

// pinFlow is a line whose PIN menu is sensitive: its key is the PIN.
const pinFlow = `version: 1
name: PIN line
start: pin
nodes:
  pin:
    menu: Please enter your PIN.
    sensitive: true
    keys:
      "4711": ok
  ok:
    say: Thank you.
`

// TestServeSensitiveKeysNotLogged: the keys of a sensitive menu appear in
// no warning at start-up and in no change of a reload.
func TestServeSensitiveKeysNotLogged(t *testing.T) {
	clearServeEnv(t)
	path := filepath.Join(t.TempDir(), "pin.yaml")
	if err := os.WriteFile(path, []byte(pinFlow), 0o644); err != nil {
		t.Fatal(err)
	}
	_, logs, _ := startServe(t, path)
	// The menu's key is not in its prompt: lint warns, quoting it.
	if n := logs.count("flow diagnostic"); n != 1 {
		t.Fatalf("%d diagnostics at start-up, want the unmentioned key's; log:\n%s", n, logs.all())
	}
	if err := os.WriteFile(path, []byte(strings.Replace(pinFlow, "4711", "8015", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	logs.waitCount(t, "flow reloaded", 1)
	all := logs.all()
	for _, pin := range []string{"4711", "8015"} {
		if strings.Contains(all, pin) {
			t.Errorf("the log shows the PIN %s:\n%s", pin, all)
		}
	}
	changes := fmt.Sprint(logs.withMessage("flow reloaded")[0]["changes"])
	if !strings.Contains(changes, "pin: new key (not shown: the menu is sensitive) goes to ok") || !strings.Contains(changes, "pin: key (not shown: the menu is sensitive) no longer does anything") {
		t.Errorf("changes %s, want the keys' changes without the keys", changes)
	}
}

// readLogFile parses the JSON lines of a log file written so far.
func readLogFile(t *testing.T, path string) *logLines {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l := newLogLines(t, f)
	<-l.eof
	return l
}

// waitLogFile waits until the log file at path has n lines of message msg.
func waitLogFile(t *testing.T, path, msg string, n int) *logLines {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		l := readLogFile(t, path)
		if l.count(msg) >= n {
			return l
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %d %q lines in %s:\n%s", n, msg, path, l.all())
		}
	}
}

// TestServeWatchIgnoresOwnLog: serve writing its log into the flow's own
// folder does not reload the flow on each line: after a broken save, the
// file is rejected once, not again on every log write or on an event
// that leaves it as it was, and a valid save is still picked up.
func TestServeWatchIgnoresOwnLog(t *testing.T) {
	clearServeEnv(t)
	path, src := copyFlow(t)
	logPath := filepath.Join(filepath.Dir(path), "serve.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", path}, io.Discard, logFile) }()
	defer func() { cancel(); <-done }()
	serving := waitLogFile(t, logPath, "serving", 1)
	base := "http://" + serving.withMessage("serving")[0]["addr"].(string)

	if err := os.WriteFile(path, []byte(strings.Replace(src, `"3": hours`, `"3": hourz`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	waitLogFile(t, logPath, "reload rejected", 1)
	// Each round writes to the log (a webhook's line, and a 404's, which
	// is written at once), and once touches the flow file's mode alone.
	// Rounds are spaced by more than the watcher's debounce, so that a
	// watcher taking these for changes would reload on each: there is
	// no event to await for a reload that must not happen.
	for i := range 4 {
		if got := postStatus(t, base, ""); got != http.StatusOK {
			t.Fatalf("webhook: %d", got)
		}
		if resp, err := http.Get(base + "/nothing-here"); err == nil {
			resp.Body.Close()
		}
		if i == 1 {
			if err := os.Chmod(path, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(3 * reload.Debounce)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(src, "Welcome to ABC", "Welcome back to ABC", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	l := waitLogFile(t, logPath, "flow reloaded", 1)
	if n := l.count("reload rejected"); n != 1 {
		t.Errorf("the broken file was rejected %d times, want once", n)
	}
	if n := l.count("flow unchanged"); n != 0 {
		t.Errorf("%d reloads found the file unchanged, want none: it was not read again", n)
	}
}

// TestServeSIGTERMDrainsKeepAlive: clients sending webhooks on keep-alive
// connections when SIGTERM comes see no error, apart from a refusal of a
// new connection once the server has stopped taking them.
func TestServeSIGTERMDrainsKeepAlive(t *testing.T) {
	const clients = 16
	cmd, logs, base := startProcess(t, restaurant)
	body := carrier.Event{ClientActionID: "main_menu", Digits: "3"}.Body()
	var started sync.WaitGroup
	started.Add(clients)
	var bad atomic.Int32
	errs := make(chan error, clients)
	var ok atomic.Int64
	for i := range clients {
		go func() {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			defer client.CloseIdleConnections()
			first := true
			for {
				status, answer, err := carrier.Post(context.Background(), client, base+"/webhooks/vca", body)
				if err != nil {
					var op *net.OpError
					if !errors.As(err, &op) || op.Op != "dial" {
						bad.Add(1)
						errs <- fmt.Errorf("client %d: %w", i, err)
					} else {
						errs <- nil
					}
					if first {
						started.Done()
					}
					return
				}
				if status != http.StatusOK {
					bad.Add(1)
					errs <- fmt.Errorf("client %d: status %d %s", i, status, answer)
					if first {
						started.Done()
					}
					return
				}
				ok.Add(1)
				if first {
					first = false
					started.Done()
				}
			}
		}()
	}
	started.Wait()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for range clients {
		select {
		case err := <-errs:
			if err != nil {
				t.Error(err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("clients still running 30 s after SIGTERM")
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("serve exited with %v, want 0", err)
	}
	logs.waitEOF(t)
	t.Logf("%d webhooks answered, %d clients saw an error", ok.Load(), bad.Load())
}
