package main

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// target is a server under load.
type target struct {
	// name is "bare" or "ivrctl".
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
			script, err := writeWrkScript(dir, m.Bodies)
			if err != nil {
				return nil, err
			}
			threads := min(cfg.threads, cfg.conns)
			fmt.Fprintf(stdout, "driver: %s -t%d -c%d -d%s --latency -s %s\n", path, threads, cfg.conns, wrkSeconds(cfg.duration), script)
			return &wrkDriver{path: path, script: script, threads: threads, conns: cfg.conns, fresh: !cfg.repeatIDs}, nil
		}
		fmt.Fprintln(stdout, "wrk is not on PATH (Debian: apt-get install wrk); using the Go driver")
	}
	fmt.Fprintf(stdout, "driver: Go, %d keep-alive connections\n", cfg.conns)
	return &goRunner{conns: cfg.conns, bodies: m.Bodies, fresh: !cfg.repeatIDs, requests: map[string][][]byte{}}, nil
}

// cpuMeter measures the CPU time a process uses over a run.
type cpuMeter struct {
	read  func() (time.Duration, error)
	start time.Duration
	ok    bool
}

// startCPU starts measuring with read.
func startCPU(read func() (time.Duration, error)) *cpuMeter {
	m := &cpuMeter{read: read}
	m.start, m.ok = m.tryRead()
	return m
}

func (m *cpuMeter) tryRead() (time.Duration, bool) {
	t, err := m.read()
	return t, err == nil
}

// cores returns the CPU used since startCPU over elapsed, in cores, or -1
// when it cannot be read.
func (m *cpuMeter) cores(elapsed time.Duration) float64 {
	end, ok := m.tryRead()
	if !ok || !m.ok || elapsed <= 0 {
		return -1
	}
	return float64(end-m.start) / float64(elapsed)
}

// procCPU reads the CPU time of a child server.
func procCPU(c *child) func() (time.Duration, error) {
	return func() (time.Duration, error) { return cpuTime(c.pid()) }
}

// wrkDriver runs wrk with the generated script.
type wrkDriver struct {
	path, script   string
	threads, conns int
	// fresh gives every request an eventId of its own.
	fresh bool
	// runs counts the runs, which number the fresh eventIds.
	runs int
}

func (w *wrkDriver) run(ctx context.Context, t target, d time.Duration) (result, error) {
	ids := "fixed"
	if w.fresh {
		ids = "fresh"
	}
	if w.runs >= idMaxRuns {
		return result{}, fmt.Errorf("eventIds run out after %d runs", idMaxRuns)
	}
	cmd := exec.CommandContext(ctx, w.path,
		"-t"+strconv.Itoa(w.threads), "-c"+strconv.Itoa(w.conns), "-d"+wrkSeconds(d), "--latency",
		"-s", w.script, "http://"+t.addr, "--", strconv.Itoa(w.threads), strconv.Itoa(w.runs), ids)
	w.runs++
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	server := startCPU(procCPU(t.proc))
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	serverCores := server.cores(elapsed)
	if err != nil {
		return result{}, fmt.Errorf("%s: %w\n%s", cmd, err, out.String())
	}
	if t.proc.exited() {
		return result{}, fmt.Errorf("%s server exited (%v) during the run", t.name, t.proc.err)
	}
	wr, err := parseWrk(out.String())
	if err != nil {
		return result{}, fmt.Errorf("%w; wrk printed:\n%s", err, out.String())
	}
	if wr.Failures() > 0 {
		return result{}, fmt.Errorf("%d requests to %s failed (%d socket errors, %d non-2xx); wrk printed:\n%s",
			wr.Failures(), t.name, wr.SocketErrors, wr.Non2xx, out.String())
	}
	driverCores := -1.0
	if st := cmd.ProcessState; st != nil {
		driverCores = float64(st.UserTime()+st.SystemTime()) / float64(elapsed)
	}
	return result{
		Server: t.name, Requests: wr.Requests, Elapsed: wr.Duration, RPS: wr.RPS,
		P50: wr.P50, P99: wr.P99, ServerCPU: serverCores, DriverCPU: driverCores,
	}, nil
}

// goRunner runs the Go driver.
type goRunner struct {
	conns  int
	bodies [][]byte
	// fresh gives every request an eventId of its own.
	fresh bool
	// runs counts the runs, which number the fresh eventIds.
	runs int
	// requests are the bodies formatted as requests, by address.
	requests map[string][][]byte
}

// requestsFor returns the requests of the bodies to addr.
func (g *goRunner) requestsFor(addr string) [][]byte {
	reqs, ok := g.requests[addr]
	if !ok {
		bodies := g.bodies
		if !g.fresh {
			bodies = fixedIDs(bodies)
		}
		for _, b := range bodies {
			reqs = append(reqs, formatRequest(addr, b))
		}
		g.requests[addr] = reqs
	}
	return reqs
}

func (g *goRunner) run(ctx context.Context, t target, d time.Duration) (result, error) {
	drv := &goDriver{Addr: t.addr, Conns: g.conns, Requests: g.requestsFor(t.addr), FreshIDs: g.fresh, Run: g.runs}
	g.runs++
	rctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	server := startCPU(procCPU(t.proc))
	self := startCPU(selfCPUTime)
	st, err := drv.run(rctx)
	if err != nil {
		return result{}, err
	}
	serverCores, selfCores := server.cores(st.Elapsed), self.cores(st.Elapsed)
	if err := ctx.Err(); err != nil {
		return result{}, err
	}
	if t.proc.exited() {
		return result{}, fmt.Errorf("%s server exited (%v) during the run", t.name, t.proc.err)
	}
	if st.Failures > 0 {
		return result{}, fmt.Errorf("%d of %d requests to %s failed, first: %s",
			st.Failures, st.Requests, t.name, strings.Join(st.FailureSamples, "; "))
	}
	if st.Requests == 0 {
		return result{}, fmt.Errorf("no request to %s was answered", t.name)
	}
	return result{
		Server: t.name, Requests: st.Requests, Elapsed: st.Elapsed, RPS: st.RPS(),
		P50: st.Percentile(50), P99: st.Percentile(99), ServerCPU: serverCores, DriverCPU: selfCores,
	}, nil
}
