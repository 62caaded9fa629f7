package main

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"
)

// target is a server under load.
type target struct {
	// name is "bare", "ivrctl" or "baseline".
	name string
	// addr is where it listens, as host:port.
	addr string
	// proc is its process, whose CPU time is measured.
	proc *child
}

// driver is a load generator.
type driver interface {
	// run loads t for d and returns what it measured. Any failed request
	// is an error.
	run(ctx context.Context, t target, d time.Duration) (result, error)
}

// newDriver returns the load generator cfg asks for: wrk, unless --driver
// go or wrk is not on PATH.
func newDriver(cfg *config, dir string, m *mix, stdout io.Writer) (driver, error) {
	if cfg.driver == "wrk" {
		path, err := exec.LookPath("wrk")
		if err == nil {
			w, err := newWrkDriver(path, dir, m.Bodies, cfg.threads, cfg.conns, !cfg.repeatIDs)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(stdout, "driver: %s %s\n", path, strings.Join(w.args("ADDR", cfg.duration), " "))
			return w, nil
		}
		fmt.Fprintln(stdout, "wrk is not on PATH (Debian: apt-get install wrk); using the Go driver")
	}
	fmt.Fprintf(stdout, "driver: Go net/http client, %d connections\n", cfg.conns)
	return &goRunner{conns: cfg.conns, bodies: m.Bodies, fresh: !cfg.repeatIDs}, nil
}

// measureCPU runs load and returns the CPU time (user and system) t's
// server process used meanwhile, read from its own counters (see cpuTime).
// It fails if load does, or if the server exited.
func measureCPU(t target, load func() error) (time.Duration, error) {
	before, err := cpuTime(t.proc.pid())
	if err != nil {
		return 0, err
	}
	if err := load(); err != nil {
		return 0, err
	}
	after, err := cpuTime(t.proc.pid())
	if t.proc.exited() {
		return 0, fmt.Errorf("%s server exited (%v) during the run", t.name, t.proc.err)
	}
	if err != nil {
		return 0, err
	}
	return after - before, nil
}

// goRunner runs the Go driver.
type goRunner struct {
	conns  int
	bodies [][]byte
	// fresh gives every request an eventId of its own.
	fresh bool
	// runs counts the runs, which number the fresh eventIds.
	runs int
}

func (g *goRunner) run(ctx context.Context, t target, d time.Duration) (result, error) {
	drv := &goDriver{URL: "http://" + t.addr + webhookPath, Conns: g.conns, Bodies: g.bodies, FreshIDs: g.fresh, Run: g.runs}
	g.runs++
	rctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var st *driverStats
	cpu, err := measureCPU(t, func() (err error) {
		st, err = drv.run(rctx)
		return err
	})
	if err != nil {
		return result{}, err
	}
	if err := ctx.Err(); err != nil {
		return result{}, err
	}
	if st.Failures > 0 {
		return result{}, fmt.Errorf("%d of %d requests to %s failed, first: %s",
			st.Failures, st.Requests, t.name, strings.Join(st.FailureSamples, "; "))
	}
	return result{
		Server: t.name, Requests: st.Requests, Elapsed: st.Elapsed,
		P50: st.Percentile(50), P99: st.Percentile(99), CPU: cpu,
	}, nil
}
