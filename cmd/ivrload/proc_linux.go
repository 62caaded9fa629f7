package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is the unit of the CPU times in /proc/PID/stat (USER_HZ),
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// setProcAttrs puts a child server in a process group of its own, so that
// it can be stopped with everything it started and a Ctrl-C at the
// terminal reaches only ivrload, which stops it in order; and has the
// kernel send it SIGTERM should ivrload die without stopping it.
func setProcAttrs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// startIgnoringHangup starts cmd with SIGHUP ignored, so that a SIGHUP
// stops a child only if it asks for SIGHUP itself (a Go program does so
// with signal.Notify, which takes an inherited ignore back), rather than
// killing one that does not handle it yet.
func startIgnoringHangup(cmd *exec.Cmd) error {
	signal.Ignore(syscall.SIGHUP)
	defer signal.Reset(syscall.SIGHUP)
	return cmd.Start()
}

// signalGroup sends sig to the process group of p (see setProcAttrs).
func signalGroup(p *os.Process, sig syscall.Signal) error {
	return syscall.Kill(-p.Pid, sig)
}

// cpuTime returns the CPU time (user and system) the process pid has used,
// all its threads, living or gone. Linux counts it to the nanosecond and
// shows it in clock ticks, truncated, so the difference of two readings is
// off by less than a tick (10 ms) either way: 0.1% of a 10 s run at one
// core.
func cpuTime(pid int) (time.Duration, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name, field 2, is in parentheses and may hold spaces;
	// utime and stime are fields 14 and 15.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: bad utime or stime", pid)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}
