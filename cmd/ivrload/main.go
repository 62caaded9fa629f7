// Command ivrload measures what a webhook costs `ivrctl serve`: the CPU
// time its process spends per webhook, beside that of a bare net/http
// server that reads each webhook's body and answers fixed bytes, the
// least any Go webhook server spends. Run it from the module root:
//
//	go run ./cmd/ivrload                        # 5 rounds of 10s, wrk, 32 connections
//	go run ./cmd/ivrload --rounds 11 --duration 10s
//	go run ./cmd/ivrload --baseline-ivrctl /tmp/ivrctl-before.bin   # before and after
//	go run ./cmd/ivrload --driver go            # a net/http client instead of wrk
//	go run ./cmd/ivrload --reloads 100          # reload the flow under load
//
// It builds ivrctl into a temporary directory (or takes --ivrctl), starts
// `ivrctl serve` on a copy of --flow (flows/restaurant.yaml) with its
// request log going to a file there, as in production, and starts itself
// again as the bare server, whose one handler answers the start node's
// callflow, the exact bytes ivrctl answers a new call with. With
// --baseline-ivrctl it also serves the same flow with that binary, say a
// build of an earlier commit, under the name "baseline". All get the
// same webhooks over loopback: --bodies 8x8 Voice Call Action bodies from
// calls played through the flow (new calls, keys, wrong keys, silence,
// ended bridged calls), which the load generator rotates through. Each
// request gets an eventId of its own, so that ivrctl answers every one
// afresh rather than from its cache of answered events (--repeat-ids
// sends the same --bodies eventIds over and over instead, to measure
// that cache).
//
// The load generator is wrk (Debian package wrk), with a generated Lua
// script that also writes wrk's figures as JSON when it is done; with
// --driver go or when wrk is not on PATH, goroutines posting through a
// net/http client. The generator's own cost does not enter the main
// figure: a server's CPU time is read from its process's counters
// (utime+stime of /proc/PID/stat, which Linux keeps to the nanosecond and
// shows in 10 ms ticks: a 10 s run at one core reads to 0.1%) before
// and after each run, and divided by the requests answered.
//
// The machine may be shared and noisy, so only figures measured side by
// side count: each of --rounds rounds runs every server in turn, after a
// warm-up each, starting with a different one every round. It prints each
// run (requests, the server's CPU seconds and µs per webhook, requests
// per second, p50 and p99 latency), then, for ivrctl against the bare
// server (and the baseline against both), each round's difference and
// ratio of CPU per webhook, with the ratio of throughputs beside them;
// then their medians and, with 6 rounds or more, an interval of 95%
// confidence for each median, from the ranks of the rounds alone (no
// assumption on how the noise is distributed). There is no target to
// pass: any failed request fails the run, and the exit code is 0 for a
// run that measured, 1 on failure or error, 2 for bad flags.
//
// With --reloads N it measures nothing against the bare server: it drives
// ivrctl with the Go driver, checking every answer (status 200 and a
// callflow 8x8 accepts), while it rewrites the flow file N times, a valid
// edit and a broken one in turn, each followed by SIGHUP; then it requires
// zero failed answers and counts the "flow reloaded" and "reload rejected"
// lines of serve's log, failing unless there is at least one of each.
//
// Children are stopped on exit and on Ctrl-C; the temporary directory
// (binary, flow copy, logs, Lua script) is removed unless --keep.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/ivrctl/ivrctl/engine"
)

// defaultFlow is the flow served unless --flow says otherwise.
const defaultFlow = "flows/restaurant.yaml"

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == bareCommand {
		os.Exit(runBare(os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
}

// config is what the flags ask for.
type config struct {
	flow      string
	ivrctl    string
	baseline  string
	driver    string
	rounds    int
	duration  time.Duration
	warmup    time.Duration
	conns     int
	threads   int
	bodies    int
	reloads   int
	repeatIDs bool
	keep      bool
}

// errFailed is a run that failed a check it printed.
var errFailed = errors.New("FAIL")

// Main runs ivrload with args (without the program name) and returns the
// exit code. SIGINT and SIGTERM stop it, and its servers, early.
func Main(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, stdout, stderr); err != nil {
		switch {
		case ctx.Err() != nil:
			// The children were stopped; what failed is only the signal.
			fmt.Fprintln(stderr, "ivrload: interrupted")
		case !errors.Is(err, errFailed):
			fmt.Fprintln(stderr, "ivrload:", err)
		}
		return exitFailure
	}
	return exitOK
}

// parseConfig parses and checks the flags.
func parseConfig(args []string, stderr io.Writer) (*config, error) {
	var c config
	fs := flag.NewFlagSet("ivrload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./cmd/ivrload [flags]   (from the module root)")
		fs.PrintDefaults()
	}
	fs.StringVar(&c.flow, "flow", defaultFlow, "flow file to serve (a copy is served)")
	fs.StringVar(&c.ivrctl, "ivrctl", "", "prebuilt ivrctl binary (default: go build ./cmd/ivrctl)")
	fs.StringVar(&c.baseline, "baseline-ivrctl", "", "a second ivrctl binary (say, an earlier commit's) to measure beside --ivrctl, as \"baseline\"")
	fs.StringVar(&c.driver, "driver", "wrk", "load generator: wrk or go (go when wrk is not on PATH)")
	fs.IntVar(&c.rounds, "rounds", 5, "rounds of bare and ivrctl runs")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "length of each measured run (whole seconds for wrk)")
	fs.DurationVar(&c.warmup, "warmup", time.Second, "warm-up before each measured run (whole seconds for wrk)")
	fs.IntVar(&c.conns, "conns", 32, "keep-alive connections")
	fs.IntVar(&c.threads, "threads", 2, "wrk threads")
	fs.IntVar(&c.bodies, "bodies", 2000, "distinct webhook bodies to rotate through")
	fs.IntVar(&c.reloads, "reloads", 0, "reload the flow N times under load instead of benchmarking")
	fs.BoolVar(&c.repeatIDs, "repeat-ids", false, "send the --bodies eventIds over and over (ivrctl then answers repeats from its duplicate cache) instead of a fresh eventId per request")
	fs.BoolVar(&c.keep, "keep", false, "keep the temporary directory (logs, flow copy, script)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	var problem string
	switch {
	case fs.NArg() > 0:
		problem = fmt.Sprintf("unexpected argument %q", fs.Arg(0))
	case c.driver != "wrk" && c.driver != "go":
		problem = fmt.Sprintf("--driver %q: want wrk or go", c.driver)
	case c.rounds < 1:
		problem = "--rounds must be at least 1"
	case c.duration <= 0 || c.warmup < 0:
		problem = "--duration must be positive and --warmup not negative"
	case c.conns < 1 || c.threads < 1:
		problem = "--conns and --threads must be at least 1"
	case c.bodies < 1:
		problem = "--bodies must be at least 1"
	case c.reloads < 0:
		problem = "--reloads must not be negative"
	case c.reloads > 0 && c.baseline != "":
		problem = "--reloads and --baseline-ivrctl do not go together"
	}
	if problem != "" {
		fmt.Fprintln(stderr, "ivrload:", problem)
		fs.Usage()
		return nil, errors.New(problem)
	}
	return &c, nil
}

// run does what cfg asks, cleaning up after itself however it ends.
func run(ctx context.Context, cfg *config, stdout, stderr io.Writer) (err error) {
	src, err := os.ReadFile(cfg.flow)
	if err != nil {
		return err
	}
	flow, diags, _ := engine.Load(cfg.flow, engine.LoadOptions{Source: src})
	if flow == nil {
		return fmt.Errorf("%s has errors:\n%v", cfg.flow, diags)
	}

	dir, err := os.MkdirTemp("", "ivrload-")
	if err != nil {
		return err
	}
	defer func() {
		if !cfg.keep {
			os.RemoveAll(dir)
		}
	}()
	if cfg.keep {
		fmt.Fprintln(stdout, "temporary directory:", dir)
	}
	flowCopy := filepath.Join(dir, filepath.Base(cfg.flow))
	if err := os.WriteFile(flowCopy, src, 0o644); err != nil {
		return err
	}

	ivrctl := cfg.ivrctl
	if ivrctl == "" {
		fmt.Fprintln(stdout, "building ivrctl ...")
		if ivrctl, err = buildIvrctl(ctx, dir, stderr); err != nil {
			return err
		}
	}

	m := makeMix(flow, cfg.bodies)
	fmt.Fprintln(stdout, "webhooks:", m)

	logPath := filepath.Join(dir, "serve.log")
	serve, serveAddr, err := startServe(ctx, ivrctl, flowCopy, logPath)
	if err != nil {
		return err
	}
	defer serve.stop()
	fmt.Fprintf(stdout, "ivrctl serve %s on %s (pid %d), request log %s\n", filepath.Base(flowCopy), serveAddr, serve.pid(), logPath)

	if cfg.reloads > 0 {
		return runReloads(ctx, cfg, reloadTarget{
			serve: serve, addr: serveAddr, flowPath: flowCopy, logPath: logPath,
			src: src, flow: flow,
		}, m, stdout)
	}

	bare, bareAddr, err := startBare(ctx, flowCopy, filepath.Join(dir, "bare.log"))
	if err != nil {
		return err
	}
	defer bare.stop()
	fmt.Fprintf(stdout, "bare server on %s (pid %d)\n", bareAddr, bare.pid())
	targets := []target{{name: "bare", addr: bareAddr, proc: bare}, {name: "ivrctl", addr: serveAddr, proc: serve}}
	logs := map[string]string{"ivrctl": logPath}
	comparisons := [][2]string{{"ivrctl", "bare"}}

	if cfg.baseline != "" {
		logs["baseline"] = filepath.Join(dir, "baseline.log")
		base, baseAddr, err := startServe(ctx, cfg.baseline, flowCopy, logs["baseline"])
		if err != nil {
			return fmt.Errorf("--baseline-ivrctl: %w", err)
		}
		defer base.stop()
		fmt.Fprintf(stdout, "baseline %s serve on %s (pid %d), request log %s\n", cfg.baseline, baseAddr, base.pid(), logs["baseline"])
		targets = append(targets, target{name: "baseline", addr: baseAddr, proc: base})
		comparisons = [][2]string{{"baseline", "bare"}, {"ivrctl", "bare"}, {"ivrctl", "baseline"}}
	}

	drv, err := newDriver(cfg, dir, m, stdout)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "server CPU: utime+stime of /proc/PID/stat, 10 ms ticks")
	rounds, err := runRounds(ctx, cfg, drv, targets, stdout)
	if err != nil {
		return err
	}
	for _, c := range comparisons {
		compare(rounds, c[0], c[1]).write(stdout)
	}
	fmt.Fprintln(stdout)
	for _, t := range targets {
		writeServerMedian(stdout, rounds, t.name)
	}
	for _, t := range targets[1:] {
		vca, dup, err := countVCALines(logs[t.name])
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s log: %d webhooks logged, %d of them answered from the duplicate cache\n", t.name, vca, dup)
	}
	return nil
}

// runRounds runs cfg.rounds rounds of drv against every target, a warm-up
// and a measured run each, starting each round one target further on, so
// that each comes first, and last, as often as the others.
func runRounds(ctx context.Context, cfg *config, drv driver, targets []target, stdout io.Writer) ([]round, error) {
	var rounds []round
	for i := range cfg.rounds {
		rd := round{}
		for j := range targets {
			t := targets[(i+j)%len(targets)]
			if cfg.warmup > 0 {
				if _, err := drv.run(ctx, t, cfg.warmup); err != nil {
					return nil, fmt.Errorf("round %d, %s warm-up: %w", i+1, t.name, err)
				}
			}
			res, err := drv.run(ctx, t, cfg.duration)
			if err == nil && res.Requests == 0 {
				err = errors.New("no request was answered")
			}
			if err != nil {
				return nil, fmt.Errorf("round %d, %s: %w", i+1, t.name, err)
			}
			fmt.Fprintf(stdout, "round %-3d %s\n", i+1, res)
			rd[t.name] = res
		}
		rounds = append(rounds, rd)
	}
	return rounds, nil
}

// countVCALines counts the webhook lines of serve's log, and those of
// webhooks answered from its duplicate cache (outcome "duplicate").
func countVCALines(path string) (vca, duplicate int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if bytes.Contains(line, []byte(`"message":"vca"`)) {
			vca++
			if bytes.Contains(line, []byte(`"outcome":"duplicate"`)) {
				duplicate++
			}
		}
	}
	return vca, duplicate, sc.Err()
}
