// Command ivrload measures `ivrctl serve` against the ceiling of this
// machine: a bare net/http server that reads each webhook's body and
// answers fixed bytes. Run it from the module root:
//
//	go run ./cmd/ivrload                        # 5 rounds of 10s, wrk, 32 connections
//	go run ./cmd/ivrload --rounds 3 --duration 5s
//	go run ./cmd/ivrload --driver go            # the built-in Go load generator
//	go run ./cmd/ivrload --reloads 100          # reload the flow under load
//
// It builds ivrctl into a temporary directory (or takes --ivrctl), starts
// `ivrctl serve` on a copy of --flow (flows/restaurant.yaml) with its
// request log going to a file there, as in production, and starts itself
// again as the bare server, whose one handler answers the start node's
// callflow, the exact bytes ivrctl answers a new call with. Both get the
// same webhooks over loopback: --bodies 8x8 Voice Call Action bodies from
// calls played through the flow (new calls, keys, wrong keys, silence,
// ended bridged calls), which the load generator rotates through. Each
// request gets an eventId of its own, so that ivrctl answers every one
// afresh rather than from its cache of answered events (--repeat-ids
// sends the same --bodies eventIds over and over instead, to measure
// that cache).
//
// The load generator is wrk (Debian package wrk: wrk -t2 -c32 --latency
// with a generated Lua script) or, with --driver go or when wrk is not on
// PATH, a Go generator of keep-alive connections writing raw HTTP/1.1.
// The machine is shared and noisy, so only ratios measured side by side
// count: each of --rounds rounds runs the bare server and ivrctl back to
// back, after a warm-up each, swapping which goes first every round. It
// prints each run (requests per second, p50 and p99 latency, the CPU the
// server and the load generator used), then each round's ivrctl/bare
// throughput and p99 ratios, their medians and PASS or FAIL against the
// targets: at least 0.85 of the throughput with at most 1.5 times the p99.
// With 6 rounds or more it also prints an interval of 95% confidence for
// each median, from the ranks of the rounds alone (no assumption on how
// the noise is distributed), and says whether a target lies inside one:
// then the verdict is within the machine's noise, and more rounds would
// narrow the interval. Any failed request fails the run. The exit code is 0 on PASS, 1 on FAIL
// or error, 2 for bad flags.
//
// With --reloads N it measures nothing against the bare server: it drives
// ivrctl with the Go generator, checking every answer (status 200 and a
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

// errFailed is a run that measured what it should but missed a target or
// saw failed requests; it has printed why.
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
	if err := checkReady(ctx, serveAddr); err != nil {
		return err
	}
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

	drv, err := newDriver(cfg, dir, m, stdout)
	if err != nil {
		return err
	}
	targets := map[string]target{
		"bare":   {name: "bare", addr: bareAddr, proc: bare},
		"ivrctl": {name: "ivrctl", addr: serveAddr, proc: serve},
	}
	var rounds []round
	for i := range cfg.rounds {
		order := []string{"bare", "ivrctl"}
		if i%2 == 1 {
			order[0], order[1] = order[1], order[0]
		}
		var rd round
		for _, name := range order {
			t := targets[name]
			if cfg.warmup > 0 {
				if _, err := drv.run(ctx, t, cfg.warmup); err != nil {
					return fmt.Errorf("round %d, %s warm-up: %w", i+1, name, err)
				}
			}
			res, err := drv.run(ctx, t, cfg.duration)
			if err != nil {
				return fmt.Errorf("round %d, %s: %w", i+1, name, err)
			}
			fmt.Fprintf(stdout, "round %d  %s\n", i+1, res)
			if name == "bare" {
				rd.Bare = res
			} else {
				rd.Ivrctl = res
			}
		}
		rounds = append(rounds, rd)
	}
	v := writeSummary(stdout, rounds)
	vca, dup, err := countVCALines(logPath)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "serve log: %d webhooks logged, %d of them answered from the duplicate cache\n", vca, dup)
	if !v.Pass {
		return errFailed
	}
	return nil
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
