package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine"
)

// TestMain lets the test binary be the bare server, as ivrload is, so that
// the tests can start it with startBare.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == bareCommand {
		os.Exit(runBare(os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// restaurant loads the shipped restaurant flow.
func restaurant(t *testing.T) *engine.Flow {
	t.Helper()
	flow, diags, err := engine.Load("../../flows/restaurant.yaml", engine.LoadOptions{})
	if err != nil || flow == nil {
		t.Fatalf("load restaurant flow: %v\n%v", err, diags)
	}
	return flow
}

// Real output of wrk 4.1.0 (Debian's package), captured on this machine.
func TestMakeMix(t *testing.T) {
	m := makeMix(restaurant(t), 500)
	if len(m.Bodies) != 500 {
		t.Fatalf("%d bodies, want 500", len(m.Bodies))
	}
	if _, err := placeholderAt(m.Bodies); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, b := range m.Bodies {
		b = bytes.Replace(b, []byte(idPlaceholder), strconv.AppendInt(nil, idBase+int64(i), 10), 1)
		ev, err := callflows.DecodeCallAction(b)
		if err != nil {
			t.Fatalf("body %s: %v", b, err)
		}
		if id := ev.Payload.EventID; seen[id] {
			t.Fatalf("eventId %q repeated", id)
		}
		seen[ev.Payload.EventID] = true
	}
	for _, o := range []engine.Outcome{engine.OutcomeStart, engine.OutcomeKey, engine.OutcomeInvalid, engine.OutcomeNoInput, engine.OutcomeThen} {
		if m.Outcomes[o] == 0 {
			t.Errorf("no webhook with outcome %s in %v", o, m)
		}
	}
	if _, err := placeholderAt([][]byte{[]byte(`{"eventId":"1"}`)}); err == nil {
		t.Error("placeholderAt of a body without the placeholder: no error")
	}
}

func TestEdits(t *testing.T) {
	flow := restaurant(t)
	src, err := os.ReadFile("../../flows/restaurant.yaml")
	if err != nil {
		t.Fatal(err)
	}
	valid, err := validEdit(src, flow, 7)
	if err != nil {
		t.Fatal(err)
	}
	f, diags, _ := engine.Load("valid.yaml", engine.LoadOptions{Source: valid})
	if f == nil {
		t.Fatalf("valid edit does not load:\n%v", diags)
	}
	if !bytes.Contains(f.Start().Response(), []byte("press 3. (edit 7)")) || f.Version() == flow.Version() {
		t.Errorf("valid edit answers %s", f.Start().Response())
	}
	broken, err := brokenEdit(src, flow, 8)
	if err != nil {
		t.Fatal(err)
	}
	if f, diags, _ := engine.Load("broken.yaml", engine.LoadOptions{Source: broken}); f != nil || !strings.Contains(diags.Error(), "no_such_node_8") {
		t.Errorf("broken edit loads, or not for its missing node:\n%v", diags)
	}
}

// vcaServer is an httptest server standing in for ivrctl: it counts the
// requests and remembers their eventIds, answers as answer says, and
// calls stop once it has answered stopAt requests.
type vcaServer struct {
	*httptest.Server
	requests atomic.Int64
	mu       sync.Mutex
	ids      []string
	stop     func()
	stopAt   int64
}

// stopAfter has the server call stop once it has answered n requests.
func (s *vcaServer) stopAfter(n int64, stop func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stop, s.stopAt = stop, n
}

func newVCAServer(t *testing.T, answer func(n int64, w http.ResponseWriter)) *vcaServer {
	s := &vcaServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.requests.Add(1)
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.URL.Path != webhookPath || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s with Content-Type %q", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		}
		ev, err := callflows.DecodeCallAction(body)
		if err != nil {
			t.Errorf("body %s: %v", body, err)
		} else {
			s.mu.Lock()
			s.ids = append(s.ids, ev.Payload.EventID)
			s.mu.Unlock()
		}
		answer(n, w)
		s.mu.Lock()
		if s.stop != nil && n >= s.stopAt {
			s.stop()
		}
		s.mu.Unlock()
	}))
	t.Cleanup(s.Close)
	return s
}

// distinctIDs checks that the server saw only filled-in, distinct eventIds.
func (s *vcaServer) distinctIDs(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]bool{}
	for _, id := range s.ids {
		if seen[id] || strings.Contains(id, "X") {
			t.Fatalf("eventId %q repeated or not filled in", id)
		}
		seen[id] = true
	}
}

func answerWith(body []byte) func(int64, http.ResponseWriter) {
	return func(_ int64, w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}
}

// eventNumbers returns the number each eventId the server saw ends in.
func (s *vcaServer) eventNumbers(t *testing.T) []int64 {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var ns []int64
	for _, id := range s.ids {
		n, err := strconv.ParseInt(id[strings.LastIndexByte(id, '-')+1:], 10, 64)
		if err != nil {
			t.Fatalf("eventId %q does not end in a number", id)
		}
		ns = append(ns, n)
	}
	return ns
}

// drive runs the Go driver against s until s has answered n requests,
// with fresh eventIds of run 3 unless fixed.
func drive(t *testing.T, s *vcaServer, bodies [][]byte, validate, fixed bool, n int64) *driverStats {
	t.Helper()
	// The timeout only keeps a broken driver from hanging the test.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s.stopAfter(s.requests.Load()+n, cancel)
	drv := &goDriver{URL: s.URL + webhookPath, Conns: 4, Bodies: bodies, Validate: validate, FreshIDs: !fixed, Run: 3}
	st, err := drv.run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Requests < n {
		t.Fatalf("%d requests answered, want %d at least (failures: %v)", st.Requests, n, st.FailureSamples)
	}
	return st
}

func TestGoDriver(t *testing.T) {
	flow := restaurant(t)
	bodies := makeMix(flow, 100).Bodies
	good := flow.Start().Response()

	t.Run("counts and times every request, each with a fresh eventId", func(t *testing.T) {
		t.Parallel()
		s := newVCAServer(t, answerWith(good))
		st := drive(t, s, bodies, true, false, 200)
		if st.Failures != 0 || st.Requests != s.requests.Load() {
			t.Errorf("%d requests, %d failures; the server answered %d (failures: %v)",
				st.Requests, st.Failures, s.requests.Load(), st.FailureSamples)
		}
		if int64(len(st.Latencies)) != st.Requests || !slices.IsSorted(st.Latencies) || st.Latencies[0] <= 0 {
			t.Errorf("%d latencies for %d requests, sorted %v", len(st.Latencies), st.Requests, slices.IsSorted(st.Latencies))
		}
		if p50, p99 := st.Percentile(50), st.Percentile(99); p50 <= 0 || p99 < p50 || st.RPS() <= 0 {
			t.Errorf("p50 %v, p99 %v, %.0f/s", p50, p99, st.RPS())
		}
		s.distinctIDs(t)
		for _, n := range s.eventNumbers(t) {
			if n < freshID(3, 0, 4, 0) || n >= freshID(4, 0, 4, 0) {
				t.Fatalf("eventId number %d is not a fresh ID of run 3", n)
			}
		}
	})
	t.Run("fixed eventIds end in the body's index", func(t *testing.T) {
		t.Parallel()
		s := newVCAServer(t, answerWith(good))
		drive(t, s, bodies, false, true, 200)
		for _, n := range s.eventNumbers(t) {
			if n < idBase || n >= idBase+int64(len(bodies)) {
				t.Fatalf("eventId number %d is not a body's index", n)
			}
		}
	})
	t.Run("a status other than 200 fails", func(t *testing.T) {
		t.Parallel()
		var errors atomic.Int64
		s := newVCAServer(t, func(n int64, w http.ResponseWriter) {
			if n%3 == 0 {
				errors.Add(1)
				http.Error(w, "boom", http.StatusInternalServerError)
				return
			}
			answerWith(good)(n, w)
		})
		st := drive(t, s, bodies, false, false, 30)
		if st.Failures == 0 || st.Failures != errors.Load() || !strings.Contains(st.FailureSamples[0], "status 500: boom") {
			t.Errorf("%d failures, %v; the server answered %d 500s", st.Failures, st.FailureSamples, errors.Load())
		}
	})
	t.Run("an invalid callflow fails with Validate", func(t *testing.T) {
		t.Parallel()
		s := newVCAServer(t, answerWith([]byte(`{"clientActionId":"x","callflow":[{"action":"shout","params":{}}]}`)))
		st := drive(t, s, bodies, true, false, 30)
		if st.Failures != st.Requests || !strings.Contains(st.FailureSamples[0], "invalid answer") {
			t.Errorf("%d failures of %d requests: %v", st.Failures, st.Requests, st.FailureSamples)
		}
		// Without Validate only the status counts.
		st = drive(t, s, bodies, false, false, 30)
		if st.Failures != 0 {
			t.Errorf("without validation: %d failures: %v", st.Failures, st.FailureSamples)
		}
	})
	t.Run("Connection: close reconnects", func(t *testing.T) {
		t.Parallel()
		s := newVCAServer(t, func(n int64, w http.ResponseWriter) {
			w.Header().Set("Connection", "close")
			answerWith(good)(n, w)
		})
		st := drive(t, s, bodies, true, false, 30)
		// 30 requests on 4 connections, each closed after one answer.
		if st.Failures != 0 || st.Requests != s.requests.Load() {
			t.Errorf("%d requests, %d failures (%v); the server answered %d", st.Requests, st.Failures, st.FailureSamples, s.requests.Load())
		}
	})
	t.Run("a dead server fails", func(t *testing.T) {
		t.Parallel()
		s := newVCAServer(t, answerWith(good))
		url := s.URL + webhookPath
		s.Close()
		// Ended before it starts, the run still posts once a connection.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		st, err := (&goDriver{URL: url, Conns: 2, Bodies: bodies[:1]}).run(ctx)
		if err != nil || st.Failures != 2 || st.Requests != 0 {
			t.Errorf("against a closed port: %v, %+v", err, st)
		}
	})
}

// thisProcess is the test process as a target's process: the CPU an
// httptest server uses is this process's.
func thisProcess(t *testing.T) *child {
	p, err := os.FindProcess(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	return &child{name: "test", cmd: &exec.Cmd{Process: p}, done: make(chan struct{})}
}

// needWrk returns wrk's path, or skips the test.
func needWrk(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("wrk")
	if err != nil {
		t.Skip("wrk is not installed")
	}
	return path
}

func TestWrkDriver(t *testing.T) {
	wrk := needWrk(t)
	flow := restaurant(t)
	bodies := makeMix(flow, 100).Bodies

	t.Run("fresh eventIds, figures from done()", func(t *testing.T) {
		s := newVCAServer(t, answerWith(flow.Start().Response()))
		w, err := newWrkDriver(wrk, t.TempDir(), bodies, 2, 4, true)
		if err != nil {
			t.Fatal(err)
		}
		w.runs = 5
		tg := target{name: "httptest", addr: strings.TrimPrefix(s.URL, "http://"), proc: thisProcess(t)}
		r, err := w.run(context.Background(), tg, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		// wrk counts the answers it read; the server may have answered a
		// few more as wrk stopped.
		if r.Requests == 0 || r.Requests > s.requests.Load() || r.Elapsed < time.Second || r.P50 <= 0 || r.P99 < r.P50 || r.CPU <= 0 {
			t.Errorf("result %+v; the server answered %d", r, s.requests.Load())
		}
		s.distinctIDs(t)
		for _, n := range s.eventNumbers(t) {
			if n < freshID(5, 0, 2, 0) || n >= freshID(6, 0, 2, 0) {
				t.Fatalf("eventId number %d is not a fresh ID of run 5", n)
			}
		}
	})
	t.Run("a status of 400 or more fails the run", func(t *testing.T) {
		s := newVCAServer(t, func(_ int64, w http.ResponseWriter) { http.Error(w, "boom", http.StatusBadGateway) })
		w, err := newWrkDriver(wrk, t.TempDir(), bodies, 1, 2, false)
		if err != nil {
			t.Fatal(err)
		}
		tg := target{name: "httptest", addr: strings.TrimPrefix(s.URL, "http://"), proc: thisProcess(t)}
		if _, err := w.run(context.Background(), tg, time.Second); err == nil || !strings.Contains(err.Error(), `"status":`) {
			t.Errorf("run against a server answering 502: %v", err)
		}
		for _, n := range s.eventNumbers(t) {
			if n < idBase || n >= idBase+int64(len(bodies)) {
				t.Fatalf("eventId number %d is not a body's index", n)
			}
		}
	})
}

// TestDriversOnBare starts the bare server as ivrload does and measures it
// with each load generator: every figure of a run is there.
func TestDriversOnBare(t *testing.T) {
	flow := restaurant(t)
	dir := t.TempDir()
	src, err := os.ReadFile("../../flows/restaurant.yaml")
	if err != nil {
		t.Fatal(err)
	}
	flowPath := filepath.Join(dir, "restaurant.yaml")
	if err := os.WriteFile(flowPath, src, 0o644); err != nil {
		t.Fatal(err)
	}
	bare, addr, err := startBare(context.Background(), flowPath, filepath.Join(dir, "bare.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bare.stop)
	tg := target{name: "bare", addr: addr, proc: bare}
	bodies := makeMix(flow, 200).Bodies

	drivers := map[string]driver{"go": &goRunner{conns: 4, bodies: bodies, fresh: true}}
	if wrk, err := exec.LookPath("wrk"); err == nil {
		if drivers["wrk"], err = newWrkDriver(wrk, dir, bodies, 1, 4, true); err != nil {
			t.Fatal(err)
		}
	}
	for name, drv := range drivers {
		t.Run(name, func(t *testing.T) {
			r, err := drv.run(context.Background(), tg, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if r.Server != "bare" || r.Requests == 0 || r.CPU <= 0 || r.CPUPerWebhook() <= 0 || math.IsInf(r.CPUPerWebhook(), 0) ||
				r.RPS() <= 0 || r.P50 <= 0 || r.P99 < r.P50 {
				t.Errorf("result %+v: %s", r, r)
			}
		})
	}
	bare.stop()
	if _, err := drivers["go"].run(context.Background(), tg, 100*time.Millisecond); err == nil {
		t.Error("a run against a stopped server: no error")
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 200; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	if p50, p99, p100 := percentile(ds, 50), percentile(ds, 99), percentile(ds, 100); p50 != 100*time.Millisecond || p99 != 198*time.Millisecond || p100 != 200*time.Millisecond {
		t.Errorf("p50 %v, p99 %v, p100 %v", p50, p99, p100)
	}
	if percentile(nil, 99) != 0 || percentile(ds[:1], 99) != time.Millisecond {
		t.Error("percentile of none or one")
	}
}

func TestResult(t *testing.T) {
	r := result{Server: "ivrctl", Requests: 200_000, Elapsed: 10 * time.Second, CPU: 3 * time.Second,
		P50: 450 * time.Microsecond, P99: 5200 * time.Microsecond}
	if r.CPUPerWebhook() != 15 || r.RPS() != 20_000 {
		t.Errorf("CPU per webhook %v µs, %v req/s; want 15 and 20000", r.CPUPerWebhook(), r.RPS())
	}
	want := "ivrctl     200000 requests  CPU   3.00s   15.00 µs/webhook    20000 req/s  p50    450µs  p99   5.20ms"
	if got := r.String(); got != want {
		t.Errorf("String() =\n%q, want\n%q", got, want)
	}
	// No requests cost nothing a webhook to no one: the ratio is +Inf.
	if !math.IsInf(result{CPU: time.Second}.CPUPerWebhook(), 1) {
		t.Error("CPU per webhook of no requests is not +Inf")
	}
}

func TestCompare(t *testing.T) {
	// run is a 10 s run of 100,000 requests at cpu seconds of CPU, so
	// 10*cpu µs a webhook, and tput times 10,000 req/s.
	run := func(cpu, tput float64) result {
		return result{Requests: int64(100_000 * tput), Elapsed: 10 * time.Second,
			CPU: time.Duration(cpu * tput * float64(time.Second))}
	}
	for _, c := range []struct {
		name                string
		ivrctl, bare, tputs []float64
		diff, ratio, tput   float64
		want                []string
	}{
		{"too few rounds", []float64{1.5, 1.6, 1.4}, []float64{1.2, 1.2, 1.0}, []float64{0.8, 0.9, 0.85},
			4, 4.0 / 3, 0.85, []string{
				"round 1                          3.00                1.250                    0.800",
				"median                           4.00                1.333                    0.850",
				"(too few rounds",
			}},
		// Differences 1..7 µs, shuffled; ratios (10+d)/10.
		{"seven rounds", []float64{1.3, 1.1, 1.7, 1.5, 1.2, 1.6, 1.4}, []float64{1, 1, 1, 1, 1, 1, 1}, []float64{1, 1, 1, 1, 1, 1, 1},
			4, 1.4, 1, []string{
				"median                           4.00                1.400                    1.000",
				"98.4% interval           1.00 to 7.00          1.100-1.700              1.000-1.000",
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var rounds []round
			for i := range c.ivrctl {
				rounds = append(rounds, round{"ivrctl": run(c.ivrctl[i], c.tputs[i]), "bare": run(c.bare[i], 1)})
			}
			cmp := compare(rounds, "ivrctl", "bare")
			if d, r, tp := median(cmp.Diff), median(cmp.Ratio), median(cmp.Throughput); math.Abs(d-c.diff) > 1e-9 || math.Abs(r-c.ratio) > 1e-9 || math.Abs(tp-c.tput) > 1e-9 {
				t.Errorf("medians %v µs, %v, %v; want %v, %v, %v", d, r, tp, c.diff, c.ratio, c.tput)
			}
			var out strings.Builder
			cmp.write(&out)
			if !strings.HasPrefix(out.String(), "\nivrctl vs bare: CPU per webhook\n") {
				t.Errorf("no title:\n%s", out.String())
			}
			for _, w := range c.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("lacks %q:\n%s", w, out.String())
				}
			}
			// A bare run costs 10*bare µs a webhook.
			out.Reset()
			writeServerMedian(&out, rounds, "bare")
			want := fmt.Sprintf("bare     CPU per webhook, median of %d runs: %.2f µs", len(rounds), 10*median(c.bare))
			if len(rounds) >= 6 {
				want += " (98.4% interval 10.00 to 10.00)"
			}
			if out.String() != want+"\n" {
				t.Errorf("writeServerMedian = %q, want %q", out.String(), want+"\n")
			}
		})
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 || !math.IsNaN(median(nil)) {
		t.Errorf("median of 4 = %v, of none %v", m, median(nil))
	}
}

func TestMedianInterval(t *testing.T) {
	// The coverage of [x(k), x(n+1-k)], from the binomial coefficients in
	// exact integers: 1 - 2*sum_{j<k} C(n,j) / 2^n.
	exact := func(n, k int) float64 {
		var below, c big.Int
		for j := range k {
			below.Add(&below, c.Binomial(int64(n), int64(j)))
		}
		f, _ := new(big.Rat).SetFrac(&below, new(big.Int).Lsh(big.NewInt(1), uint(n))).Float64()
		return 1 - 2*f
	}
	for n := 1; n <= 80; n++ {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = float64((i*83)%n + 1) // 1..n, shuffled: 83 is prime, above n
		}
		lo, hi, cover, ok := medianInterval(xs, 0.95)
		// The k chosen is the largest of coverage at least 0.95.
		k := 0
		for k+1 <= (n+1)/2 && exact(n, k+1) >= 0.95 {
			k++
		}
		if !ok {
			if k != 0 {
				t.Errorf("n=%d: no interval, want ranks %d and %d", n, k, n+1-k)
			}
			continue
		}
		if lo != float64(k) || hi != float64(n+1-k) || math.Abs(cover-exact(n, k)) > 1e-9 {
			t.Errorf("n=%d: [%v, %v] cover %v, want [%d, %d] cover %v", n, lo, hi, cover, k, n+1-k, exact(n, k))
		}
	}
	// With no confidence asked, the interval shrinks to the middle value(s).
	if lo, hi, _, _ := medianInterval([]float64{5, 1, 4, 2, 3}, 0); lo != 3 || hi != 3 {
		t.Errorf("interval of confidence 0: [%v, %v], want [3, 3]", lo, hi)
	}
	// Values from published tables of the sign test's intervals.
	for _, c := range []struct{ n, lo int }{{5, 0}, {6, 1}, {11, 2}, {20, 6}, {31, 10}} {
		xs := make([]float64, c.n)
		for i := range xs {
			xs[i] = float64(c.n - i)
		}
		lo, _, _, ok := medianInterval(xs, 0.95)
		if ok != (c.lo > 0) || ok && lo != float64(c.lo) {
			t.Errorf("n=%d: lower rank %v (ok %v), want %d", c.n, lo, ok, c.lo)
		}
	}
}

func TestLogParsing(t *testing.T) {
	log := []byte(`{"level":"warn","message":"webhooks are not authenticated"}
{"level":"info","addr":"127.0.0.1:43813","message":"serving"}
{"level":"info","trigger":"sighup","message":"flow reloaded"}
{"level":"error","trigger":"watch","message":"reload rejected"}
{"level":"error","trigger":"sighup","message":"reload rejected"}
not json
`)
	if addr := servingAddr(log); addr != "127.0.0.1:43813" {
		t.Errorf("servingAddr = %q", addr)
	}
	if addr := servingAddr(log[:40]); addr != "" {
		t.Errorf("servingAddr before the line = %q", addr)
	}
	c := countMessages(log)
	if c[msgReloaded] != 1 || c[msgRejected] != 2 || c[msgUnchanged] != 0 {
		t.Errorf("counts %v", c)
	}
	if got := fmtCount(c, msgRejected); got != `"reload rejected" 2 (sighup 1, watch 1)` {
		t.Errorf("fmtCount = %s", got)
	}

	path := filepath.Join(t.TempDir(), "serve.log")
	lines := `{"message":"vca","outcome":"key"}` + "\n" + `{"message":"vca","outcome":"duplicate"}` + "\n" + `{"message":"serving"}` + "\n"
	if err := os.WriteFile(path, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	if vca, dup, err := countVCALines(path); vca != 2 || dup != 1 || err != nil {
		t.Errorf("countVCALines = %d, %d, %v", vca, dup, err)
	}
}
