package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"time"
)

// intervalConfidence is the least coverage of the medians' intervals.
const intervalConfidence = 0.95

// result is one measured run against one server.
type result struct {
	// Server is the target's name.
	Server string
	// Requests were answered in Elapsed.
	Requests int64
	Elapsed  time.Duration
	// P50 and P99 are latency percentiles.
	P50, P99 time.Duration
	// CPU is the CPU time (user and system) the server used in the run.
	CPU time.Duration
}

// RPS is the answered requests per second.
func (r result) RPS() float64 { return ratio(float64(r.Requests), r.Elapsed.Seconds()) }

// CPUPerWebhook is the server's CPU time per answered request, in µs: the
// main figure, the cost of a webhook.
func (r result) CPUPerWebhook() float64 {
	return ratio(float64(r.CPU)/float64(time.Microsecond), float64(r.Requests))
}

// String is the run's line of the report.
func (r result) String() string {
	return fmt.Sprintf("%-8s %8d requests  CPU %6.2fs  %6.2f µs/webhook  %7.0f req/s  p50 %8s  p99 %8s",
		r.Server, r.Requests, r.CPU.Seconds(), r.CPUPerWebhook(), r.RPS(), fmtLatency(r.P50), fmtLatency(r.P99))
}

// fmtLatency formats a latency in microseconds or milliseconds.
func fmtLatency(d time.Duration) string {
	if d < time.Millisecond {
		return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond))
	}
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}

// round is one run of each server, back to back, by server name.
type round map[string]result

// ratio is a/b, +Inf when b is not positive.
func ratio(a, b float64) float64 {
	if b <= 0 {
		return math.Inf(1)
	}
	return a / b
}

// median returns the median of xs (the mean of the middle two for an even
// count); NaN for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// medianInterval returns a confidence interval for the median of the
// population xs are drawn from, of coverage at least conf, with no
// assumption on its distribution: [x(k), x(n+1-k)] of the sorted xs, for
// the largest k whose coverage, 1 - 2*P(Binomial(n, 1/2) < k), is still at
// least conf. cover is that coverage; ok is false when xs are too few for
// any k (fewer than 6 for 95%).
func medianInterval(xs []float64, conf float64) (lo, hi, cover float64, ok bool) {
	n := len(xs)
	// below is P(Binomial(n, 1/2) < k) for the k tried, 0 for k = 1.
	below, k := 0.0, 0
	for j := 0; 2*j < n; j++ {
		tail := below + binomialHalf(n, j)
		if 1-2*tail < conf {
			break
		}
		below, k = tail, j+1
	}
	if k == 0 {
		return math.NaN(), math.NaN(), 0, false
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[k-1], s[n-k], 1 - 2*below, true
}

// binomialHalf is P(Binomial(n, 1/2) = j).
func binomialHalf(n, j int) float64 {
	lg := func(x int) float64 { v, _ := math.Lgamma(float64(x + 1)); return v }
	return math.Exp(lg(n) - lg(j) - lg(n-j) - float64(n)*math.Ln2)
}

// stat is a median over rounds with its interval.
type stat struct {
	Median float64
	// Lo and Hi bound the median with Cover (at least intervalConfidence)
	// confidence; HasInterval is false when the rounds are too few.
	Lo, Hi, Cover float64
	HasInterval   bool
}

// summarize takes the median of xs and its interval.
func summarize(xs []float64) stat {
	s := stat{Median: median(xs)}
	s.Lo, s.Hi, s.Cover, s.HasInterval = medianInterval(xs, intervalConfidence)
	return s
}

// writeServerMedian prints the median over rounds of the CPU per webhook
// of the server named name, and its interval, on one line.
func writeServerMedian(w io.Writer, rounds []round, name string) {
	var xs []float64
	for _, r := range rounds {
		xs = append(xs, r[name].CPUPerWebhook())
	}
	s := summarize(xs)
	fmt.Fprintf(w, "%-8s CPU per webhook, median of %d runs: %.2f µs", name, len(xs), s.Median)
	if s.HasInterval {
		fmt.Fprintf(w, " (%.1f%% interval %.2f to %.2f)", 100*s.Cover, s.Lo, s.Hi)
	}
	fmt.Fprintln(w)
}

// comparison is server A against server B over the rounds.
type comparison struct {
	A, B string
	// Diff is A's CPU per webhook minus B's, in µs; Ratio is A's over B's;
	// Throughput is A's requests per second over B's. Each holds one value
	// a round.
	Diff, Ratio, Throughput []float64
}

// compare compares a with b round by round.
func compare(rounds []round, a, b string) comparison {
	c := comparison{A: a, B: b}
	for _, r := range rounds {
		ra, rb := r[a], r[b]
		c.Diff = append(c.Diff, ra.CPUPerWebhook()-rb.CPUPerWebhook())
		c.Ratio = append(c.Ratio, ratio(ra.CPUPerWebhook(), rb.CPUPerWebhook()))
		c.Throughput = append(c.Throughput, ratio(ra.RPS(), rb.RPS()))
	}
	return c
}

// write prints the comparison: a line a round, the medians, and their
// intervals when the rounds are enough (6 at least).
func (c comparison) write(w io.Writer) {
	fmt.Fprintf(w, "\n%s vs %s: CPU per webhook\n", c.A, c.B)
	diff, rat, tput := c.A+"-"+c.B+" µs", c.A+"/"+c.B, "req/s "+c.A+"/"+c.B
	fmt.Fprintf(w, "%-16s %20s %20s %24s\n", "", diff, rat, tput)
	for i := range c.Diff {
		fmt.Fprintf(w, "%-16s %20.2f %20.3f %24.3f\n", fmt.Sprintf("round %d", i+1), c.Diff[i], c.Ratio[i], c.Throughput[i])
	}
	d, r, t := summarize(c.Diff), summarize(c.Ratio), summarize(c.Throughput)
	fmt.Fprintf(w, "%-16s %20.2f %20.3f %24.3f\n", "median", d.Median, r.Median, t.Median)
	if !d.HasInterval {
		fmt.Fprintln(w, "(too few rounds for a 95% interval of the medians: 6 at least)")
		return
	}
	fmt.Fprintf(w, "%-16s %20s %20s %24s\n", fmt.Sprintf("%.1f%% interval", 100*d.Cover),
		fmt.Sprintf("%.2f to %.2f", d.Lo, d.Hi), fmt.Sprintf("%.3f-%.3f", r.Lo, r.Hi), fmt.Sprintf("%.3f-%.3f", t.Lo, t.Hi))
}
