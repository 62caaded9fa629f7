package main

import (
	"bytes"
	"context"
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
const (
	// wrk -t2 -c32 -d2s --latency -s vca.lua against the bare server.
	wrkOK = `Running 2s test @ http://127.0.0.1:34117
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.03ms    1.84ms  24.08ms   91.11%
    Req/Sec    27.19k     4.99k   41.82k    68.29%
  Latency Distribution
     50%  438.00us
     75%    1.08ms
     90%    2.58ms
     99%    9.16ms
  111091 requests in 2.10s, 49.48MB read
Requests/sec:  52968.02
Transfer/sec:     23.59MB
`
	// wrk -t2 -c8 -d1s --latency against a path ivrctl serve answers 404.
	wrkNon2xx = `Running 1s test @ http://127.0.0.1:43659/nope
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   496.73us    1.06ms  14.90ms   91.37%
    Req/Sec    23.04k     7.77k   45.63k    76.19%
  Latency Distribution
     50%  131.00us
     75%  393.00us
     90%    1.35ms
     99%    5.16ms
  48073 requests in 1.10s, 6.42MB read
  Non-2xx or 3xx responses: 48073
Requests/sec:  43701.81
Transfer/sec:      5.83MB
`
	// wrk -t1 -c4 -d1s --latency against a server that closes every
	// connection unanswered.
	wrkSocketErrors = `Running 1s test @ http://127.0.0.1:38999/
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     0.00us    0.00us   0.00us    -nan%
    Req/Sec     0.00      0.00     0.00      -nan%
  Latency Distribution
     50%    0.00us
     75%    0.00us
     90%    0.00us
     99%    0.00us
  0 requests in 1.10s, 0.00B read
  Socket errors: connect 0, read 14241, write 0, timeout 0
Requests/sec:      0.00
Transfer/sec:       0.00B
`
)

func TestParseWrk(t *testing.T) {
	for _, tc := range []struct {
		name string
		out  string
		want wrkResult
	}{
		{"ok", wrkOK, wrkResult{Requests: 111091, Duration: 2100 * time.Millisecond, RPS: 52968.02,
			P50: 438 * time.Microsecond, P99: 9160 * time.Microsecond}},
		{"non-2xx", wrkNon2xx, wrkResult{Requests: 48073, Duration: 1100 * time.Millisecond, RPS: 43701.81,
			P50: 131 * time.Microsecond, P99: 5160 * time.Microsecond, Non2xx: 48073}},
		{"socket errors", wrkSocketErrors, wrkResult{Duration: 1100 * time.Millisecond, SocketErrors: 14241}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseWrk(tc.out)
			if err != nil {
				t.Fatal(err)
			}
			// Durations parse through float64: compare to the microsecond.
			got.Duration = got.Duration.Round(time.Microsecond)
			got.P50, got.P99 = got.P50.Round(time.Microsecond), got.P99.Round(time.Microsecond)
			if *got != tc.want {
				t.Errorf("parseWrk =\n%+v, want\n%+v", *got, tc.want)
			}
			if (got.Failures() > 0) != (tc.name != "ok") {
				t.Errorf("Failures() = %d", got.Failures())
			}
		})
	}
	// Without --latency there are no percentiles to report.
	noLatency := strings.Replace(wrkOK, "     99%    9.16ms\n", "", 1)
	if _, err := parseWrk(noLatency); err == nil {
		t.Error("parseWrk without a 99% line: no error")
	}
	if _, err := parseWrk("unable to connect to 127.0.0.1:1 Connection refused\n"); err == nil {
		t.Error("parseWrk of a failed start: no error")
	}
}

func TestParseWrkDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"438.00us": 438 * time.Microsecond,
		"9.16ms":   9160 * time.Microsecond,
		"2.10s":    2100 * time.Millisecond,
		"1.50m":    90 * time.Second,
		"1.00h":    time.Hour,
	} {
		got, err := parseWrkDuration(in)
		if err != nil || got.Round(time.Microsecond) != want {
			t.Errorf("parseWrkDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "ms", "1.2", "1.2ns", "-1ms", "abcus"} {
		if got, err := parseWrkDuration(in); err == nil {
			t.Errorf("parseWrkDuration(%q) = %v, want an error", in, got)
		}
	}
}

func TestMakeMix(t *testing.T) {
	m := makeMix(restaurant(t), 500)
	if len(m.Bodies) != 500 {
		t.Fatalf("%d bodies, want 500", len(m.Bodies))
	}
	seen := map[string]bool{}
	for _, b := range fixedIDs(m.Bodies) {
		ev, err := callflows.DecodeCallAction(b)
		if err != nil {
			t.Fatalf("body %s: %v", b, err)
		}
		if id := ev.Payload.EventID; seen[id] || strings.Contains(id, "X") {
			t.Fatalf("eventId %q repeated or not filled in", id)
		}
		seen[ev.Payload.EventID] = true
	}
	for _, o := range []engine.Outcome{engine.OutcomeStart, engine.OutcomeKey, engine.OutcomeInvalid, engine.OutcomeNoInput, engine.OutcomeThen} {
		if m.Outcomes[o] == 0 {
			t.Errorf("no webhook with outcome %s in %v", o, m)
		}
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
// requests and remembers their eventIds, and answers as answer says.
type vcaServer struct {
	*httptest.Server
	requests atomic.Int64
	mu       sync.Mutex
	ids      []string
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

// drive runs the Go driver against s for d.
func drive(t *testing.T, s *vcaServer, bodies [][]byte, validate bool, d time.Duration) *driverStats {
	t.Helper()
	addr := strings.TrimPrefix(s.URL, "http://")
	var reqs [][]byte
	for _, b := range bodies {
		reqs = append(reqs, formatRequest(addr, b))
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	drv := &goDriver{Addr: addr, Conns: 4, Requests: reqs, Validate: validate, FreshIDs: true}
	st, err := drv.run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Requests == 0 {
		t.Fatal("no requests answered")
	}
	return st
}

func TestGoDriver(t *testing.T) {
	flow := restaurant(t)
	bodies := makeMix(flow, 100).Bodies
	good := flow.Start().Response()

	t.Run("counts and times every request", func(t *testing.T) {
		t.Parallel()
		s := newVCAServer(t, answerWith(good))
		st := drive(t, s, bodies, true, 150*time.Millisecond)
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
		st := drive(t, s, bodies, false, 100*time.Millisecond)
		if st.Failures == 0 || st.Failures != errors.Load() || !strings.Contains(st.FailureSamples[0], "status 500: boom") {
			t.Errorf("%d failures, %v; the server answered %d 500s", st.Failures, st.FailureSamples, errors.Load())
		}
	})
	t.Run("an invalid callflow fails with --validate", func(t *testing.T) {
		t.Parallel()
		s := newVCAServer(t, answerWith([]byte(`{"clientActionId":"x","callflow":[{"action":"shout","params":{}}]}`)))
		st := drive(t, s, bodies, true, 100*time.Millisecond)
		if st.Failures != st.Requests || !strings.Contains(st.FailureSamples[0], "invalid answer") {
			t.Errorf("%d failures of %d requests: %v", st.Failures, st.Requests, st.FailureSamples)
		}
		// Without --validate only the status counts.
		st = drive(t, s, bodies, false, 50*time.Millisecond)
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
		st := drive(t, s, bodies, true, 100*time.Millisecond)
		if st.Failures != 0 || st.Requests < 10 || st.Requests != s.requests.Load() {
			t.Errorf("%d requests, %d failures (%v); the server answered %d", st.Requests, st.Failures, st.FailureSamples, s.requests.Load())
		}
	})
	t.Run("a dead server fails", func(t *testing.T) {
		t.Parallel()
		s := newVCAServer(t, answerWith(good))
		addr := strings.TrimPrefix(s.URL, "http://")
		s.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		st, err := (&goDriver{Addr: addr, Conns: 2, Requests: [][]byte{formatRequest(addr, bodies[0])}}).run(ctx)
		if err != nil || st.Failures == 0 || st.Requests != 0 {
			t.Errorf("against a closed port: %v, %+v", err, st)
		}
	})
	t.Run("wrk script", func(t *testing.T) {
		t.Parallel()
		wrk, err := exec.LookPath("wrk")
		if err != nil {
			t.Skip("wrk is not installed")
		}
		s := newVCAServer(t, answerWith(good))
		script, err := writeWrkScript(t.TempDir(), bodies)
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(wrk, "-t2", "-c4", "-d1s", "--latency", "-s", script, s.URL, "--", "2", "5", "fresh").CombinedOutput()
		if err != nil {
			t.Fatalf("wrk: %v\n%s", err, out)
		}
		r, err := parseWrk(string(out))
		if err != nil {
			t.Fatal(err)
		}
		if r.Failures() != 0 || r.Requests == 0 || s.requests.Load() < r.Requests {
			t.Errorf("wrk: %+v; the server answered %d:\n%s", *r, s.requests.Load(), out)
		}
		s.distinctIDs(t)
		// The digits are fresh IDs of run 5, not the bodies' indexes.
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, id := range s.ids {
			n, err := strconv.ParseInt(id[strings.LastIndexByte(id, '-')+1:], 10, 64)
			if err != nil || n < freshID(5, 0, 2, 0) || n >= freshID(6, 0, 2, 0) {
				t.Fatalf("eventId %q is not a fresh ID of run 5", id)
			}
		}
	})
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

func TestSummary(t *testing.T) {
	run := func(rps float64, p99ms int) result {
		return result{RPS: rps, P99: time.Duration(p99ms) * time.Millisecond}
	}
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median of 3 = %v", m)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median of 4 = %v", m)
	}
	if !math.IsNaN(median(nil)) || judge(nil).Pass {
		t.Error("no rounds pass")
	}

	// Throughput ratios 0.9, 0.8, 0.86 and p99 ratios 1.2, 1.6, 1.4: the
	// medians 0.86 and 1.4 pass, though one round misses each target.
	rounds := []round{
		{Bare: run(1000, 10), Ivrctl: run(900, 12)},
		{Bare: run(1000, 10), Ivrctl: run(800, 16)},
		{Bare: run(1000, 10), Ivrctl: run(860, 14)},
	}
	var out strings.Builder
	v := writeSummary(&out, rounds)
	if !v.Pass || math.Abs(v.Throughput-0.86) > 1e-9 || math.Abs(v.P99-1.4) > 1e-9 {
		t.Errorf("verdict %+v", v)
	}
	if !strings.Contains(out.String(), "round 2                0.800         1.600") || !strings.Contains(out.String(), "\nPASS (") {
		t.Errorf("summary:\n%s", out.String())
	}

	rounds[2] = round{Bare: run(1000, 10), Ivrctl: run(840, 16)}
	out.Reset()
	v = writeSummary(&out, rounds)
	if v.Pass || len(v.Reasons) != 2 || !strings.Contains(out.String(), "FAIL: throughput ratio 0.840 < 0.85; p99 ratio 1.600 > 1.50;") {
		t.Errorf("verdict %+v, summary:\n%s", v, out.String())
	}
	// A bare run with no throughput or latency cannot make ivrctl pass.
	if r := (round{Ivrctl: run(1, 1)}); !math.IsInf(r.ThroughputRatio(), 1) || !math.IsInf(r.P99Ratio(), 1) {
		t.Errorf("ratios over zero: %v, %v", r.ThroughputRatio(), r.P99Ratio())
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

func TestSummaryInterval(t *testing.T) {
	// rounds makes rounds of the throughput ratios tputs, each with the p99
	// ratio of the same index in p99s, or 1.2.
	rounds := func(tputs []float64, p99s ...float64) []round {
		var rs []round
		for i, x := range tputs {
			p99 := 1.2
			if i < len(p99s) {
				p99 = p99s[i]
			}
			rs = append(rs, round{
				Bare:   result{RPS: 1000, P99: 10 * time.Millisecond},
				Ivrctl: result{RPS: 1000 * x, P99: time.Duration(p99 * float64(10*time.Millisecond))},
			})
		}
		return rs
	}
	for _, c := range []struct {
		tputs, p99s []float64
		want        []string
	}{
		{[]float64{0.9, 0.86, 0.8}, nil, []string{"PASS (too few rounds"}},
		// Sorted: 0.80 0.82 0.84 0.845 0.86 0.87 0.88; median 0.845, interval
		// ranks 1 and 7 (98.4%).
		{[]float64{0.88, 0.80, 0.845, 0.87, 0.82, 0.86, 0.84}, nil, []string{
			"98.4% interval   0.800-0.880   1.200-1.200",
			"FAIL: throughput ratio 0.845 < 0.85; (within the noise: the throughput target is inside its median's interval)",
		}},
		{[]float64{0.90, 0.91, 0.92, 0.93, 0.94, 0.95}, nil, []string{
			"96.9% interval   0.900-0.950",
			"PASS (each target is outside its median's interval)",
		}},
		{[]float64{0.70, 0.71, 0.72, 0.73, 0.74, 0.75}, nil, []string{"FAIL: throughput ratio 0.725 < 0.85; (each target is outside"}},
		// p99 ratios 1.3 to 1.8, median 1.45: a pass within the noise.
		{[]float64{0.90, 0.91, 0.92, 0.93, 0.94, 0.95}, []float64{1.3, 1.4, 1.45, 1.45, 1.6, 1.8}, []string{
			"PASS (within the noise: the p99 target is inside its median's interval)",
		}},
	} {
		var out strings.Builder
		writeSummary(&out, rounds(c.tputs, c.p99s...))
		for _, w := range c.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%v: summary lacks %q:\n%s", c.tputs, w, out.String())
			}
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
