//go:build !linux

package main

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// errNoProc is cpuTime's answer off Linux.
var errNoProc = errors.New("CPU times are read from /proc, on Linux only")

// setProcAttrs does nothing off Linux: the children are stopped one by one.
func setProcAttrs(*exec.Cmd) {}

// startIgnoringHangup starts cmd; off Linux there is no SIGHUP to ignore.
func startIgnoringHangup(cmd *exec.Cmd) error { return cmd.Start() }

// signalGroup sends sig to p itself, or kills it where signals cannot be
// sent.
func signalGroup(p *os.Process, sig syscall.Signal) error {
	if err := p.Signal(sig); err != nil {
		return p.Kill()
	}
	return nil
}

// cpuTime is not known off Linux.
func cpuTime(int) (time.Duration, error) { return 0, errNoProc }
