package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Time limits of the children's start and stop.
const (
	// startTimeout bounds how long a server may take to start listening.
	startTimeout = 30 * time.Second
	// stopTimeout is how long a server is given to stop after SIGTERM
	// before it is killed.
	stopTimeout = 5 * time.Second
)

// child is a server ivrload started.
type child struct {
	name string
	cmd  *exec.Cmd
	// done is closed when the process has exited; err is then what Wait
	// returned.
	done chan struct{}
	err  error
}

// startChild starts cmd as a server named name (see setProcAttrs). With
// ignoreHUP it starts it with SIGHUP ignored (see startIgnoringHangup).
func startChild(name string, cmd *exec.Cmd, ignoreHUP bool) (*child, error) {
	setProcAttrs(cmd)
	var err error
	if ignoreHUP {
		err = startIgnoringHangup(cmd)
	} else {
		err = cmd.Start()
	}
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// exited reports whether the process has exited.
func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// pid returns the process ID.
func (c *child) pid() int { return c.cmd.Process.Pid }

// stop ends the child and its process group: SIGTERM, then SIGKILL if it
// has not exited within stopTimeout.
func (c *child) stop() {
	if c == nil || c.exited() {
		return
	}
	_ = signalGroup(c.cmd.Process, syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(stopTimeout):
		_ = signalGroup(c.cmd.Process, syscall.SIGKILL)
		<-c.done
	}
}

// moduleRoot returns the directory of the main module ivrload is run in.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the ivrctl module: run from its checkout, or give --ivrctl")
	}
	return filepath.Dir(gomod), nil
}

// buildIvrctl builds ./cmd/ivrctl of the module ivrload is run in into
// dir and returns the binary's path.
func buildIvrctl(ctx context.Context, dir string, stderr io.Writer) (string, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "ivrctl")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/ivrctl")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/ivrctl in %s: %w", root, err)
	}
	return bin, nil
}

// startServe starts `ivrctl serve --addr 127.0.0.1:0 flowPath` with its
// log (stdout and stderr) going to logPath, and returns it and the
// address it serves on, read from its "serving" log line, once its
// /readyz answers. The process starts with SIGHUP ignored: see
// startIgnoringHangup.
func startServe(ctx context.Context, ivrctl, flowPath, logPath string) (*child, string, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, "", err
	}
	defer logf.Close() // the child has its own descriptor
	cmd := exec.Command(ivrctl, "serve", "--addr", "127.0.0.1:0", flowPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	c, err := startChild("ivrctl serve", cmd, true)
	if err != nil {
		return nil, "", err
	}
	addr, err := waitServing(ctx, c, logPath)
	if err == nil {
		err = checkReady(ctx, addr)
	}
	if err != nil {
		c.stop()
		return nil, "", err
	}
	return c, addr, nil
}

// waitServing polls the log of serve until it says where it serves.
func waitServing(ctx context.Context, c *child, logPath string) (string, error) {
	deadline := time.After(startTimeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		data, err := os.ReadFile(logPath)
		if err != nil {
			return "", err
		}
		if addr := servingAddr(data); addr != "" {
			return addr, nil
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-c.done:
			data, _ := os.ReadFile(logPath)
			return "", fmt.Errorf("%s exited (%v) before serving; its log (%s):\n%s", c.name, c.err, logPath, data)
		case <-deadline:
			return "", fmt.Errorf("%s did not log \"serving\" within %v; its log (%s):\n%s", c.name, startTimeout, logPath, data)
		case <-tick.C:
		}
	}
}

// servingAddr returns the addr of the first log line whose message is
// "serving", or "" when there is none yet.
func servingAddr(log []byte) string {
	for line := range bytes.Lines(log) {
		var l struct {
			Message string `json:"message"`
			Addr    string `json:"addr"`
		}
		if json.Unmarshal(line, &l) == nil && l.Message == "serving" && l.Addr != "" {
			return l.Addr
		}
	}
	return ""
}

// checkReady requires GET /readyz of the server at addr to answer 200.
func checkReady(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/readyz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("GET /readyz: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /readyz: status %d: %s", resp.StatusCode, body)
	}
	return nil
}

// startBare re-executes ivrload as the bare server of flowPath, with its
// stderr going to logPath, and returns it and the address it printed.
func startBare(ctx context.Context, flowPath, logPath string) (*child, string, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, "", err
	}
	defer logf.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, "", err
	}
	defer pr.Close()
	cmd := exec.Command(self, bareCommand, "--addr", "127.0.0.1:0", "--flow", flowPath)
	cmd.Stdout, cmd.Stderr = pw, logf
	c, err := startChild("bare server", cmd, false)
	pw.Close()
	if err != nil {
		return nil, "", err
	}
	line := make(chan string, 1)
	go func() {
		// The bare server prints its address and nothing more; once it
		// is read, the pipe can close.
		s, _ := bufio.NewReader(pr).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	fail := func(err error) (*child, string, error) {
		c.stop()
		data, _ := os.ReadFile(logPath)
		return nil, "", fmt.Errorf("%w; its log (%s):\n%s", err, logPath, data)
	}
	select {
	case addr := <-line:
		if addr == "" {
			<-c.done
			return fail(fmt.Errorf("bare server exited (%v) before serving", c.err))
		}
		return c, addr, nil
	case <-ctx.Done():
		return fail(ctx.Err())
	case <-time.After(startTimeout):
		return fail(fmt.Errorf("bare server printed no address within %v", startTimeout))
	}
}
