package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// The targets of ivrctl against the bare server, on the medians of the
// per-round ratios.
const (
	// intervalConfidence is the least coverage of the medians' intervals.
	intervalConfidence = 0.95
	// minThroughputRatio is the least ivrctl/bare requests per second.
	minThroughputRatio = 0.85
	// maxP99Ratio is the most ivrctl/bare p99 latency.
	maxP99Ratio = 1.5
)

// result is one measured run against one server.
type result struct {
	// Server is "bare" or "ivrctl".
	Server string
	// Requests were answered in Elapsed.
	Requests int64
	Elapsed  time.Duration
	// RPS is requests per second.
	RPS float64
	// P50 and P99 are latency percentiles.
	P50, P99 time.Duration
	// ServerCPU and DriverCPU are the CPU the server and the load
	// generator used, in cores (1 = one core busy all the run); negative
	// when not known.
	ServerCPU, DriverCPU float64
}

// String is the run's line of the report.
func (r result) String() string {
	return fmt.Sprintf("%-6s %8.0f req/s  p50 %8s  p99 %8s  %8d requests in %5.2fs  cpu: server %s, driver %s",
		r.Server, r.RPS, fmtLatency(r.P50), fmtLatency(r.P99), r.Requests, r.Elapsed.Seconds(),
		fmtCPU(r.ServerCPU), fmtCPU(r.DriverCPU))
}

// fmtLatency formats a latency in microseconds or milliseconds.
func fmtLatency(d time.Duration) string {
	if d < time.Millisecond {
		return fmt.Sprintf("%.0fus", float64(d)/float64(time.Microsecond))
	}
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}

// fmtCPU formats a CPU use in cores as a percentage of one core.
func fmtCPU(cores float64) string {
	if cores < 0 {
		return "?"
	}
	return fmt.Sprintf("%3.0f%%", cores*100)
}

// round is one bare run and one ivrctl run, back to back.
type round struct {
	Bare, Ivrctl result
}

// ThroughputRatio is ivrctl's requests per second over the bare server's.
func (r round) ThroughputRatio() float64 { return ratio(r.Ivrctl.RPS, r.Bare.RPS) }

// P99Ratio is ivrctl's p99 latency over the bare server's.
func (r round) P99Ratio() float64 { return ratio(float64(r.Ivrctl.P99), float64(r.Bare.P99)) }

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

// verdict is the outcome of a benchmark against the targets.
type verdict struct {
	// Throughput and P99 are the medians of the per-round ratios.
	Throughput, P99 float64
	// ThroughputLo and ThroughputHi bound the throughput median with 95%
	// confidence (see medianInterval), and so do P99Lo and P99Hi the p99
	// median; HasInterval is false when the rounds are too few for one.
	ThroughputLo, ThroughputHi, P99Lo, P99Hi float64
	HasInterval                              bool
	// Cover is the intervals' exact coverage, 0.95 or a little more.
	Cover float64
	// Pass says both targets are met; Reasons say which are not.
	Pass    bool
	Reasons []string
}

// judge takes the median of each ratio over rounds and checks it against
// the targets.
func judge(rounds []round) verdict {
	var tput, p99 []float64
	for _, r := range rounds {
		tput = append(tput, r.ThroughputRatio())
		p99 = append(p99, r.P99Ratio())
	}
	v := verdict{Throughput: median(tput), P99: median(p99)}
	v.ThroughputLo, v.ThroughputHi, v.Cover, v.HasInterval = medianInterval(tput, intervalConfidence)
	v.P99Lo, v.P99Hi, _, _ = medianInterval(p99, intervalConfidence)
	// Written so that NaN (no rounds) fails.
	if !(v.Throughput >= minThroughputRatio) {
		v.Reasons = append(v.Reasons, fmt.Sprintf("throughput ratio %.3f < %.2f", v.Throughput, minThroughputRatio))
	}
	if !(v.P99 <= maxP99Ratio) {
		v.Reasons = append(v.Reasons, fmt.Sprintf("p99 ratio %.3f > %.2f", v.P99, maxP99Ratio))
	}
	v.Pass = len(v.Reasons) == 0
	return v
}

// writeSummary prints the per-round ratios, their medians and the verdict,
// and returns the verdict.
func writeSummary(w io.Writer, rounds []round) verdict {
	fmt.Fprintln(w, "\nivrctl / bare     throughput   p99 latency")
	for i, r := range rounds {
		fmt.Fprintf(w, "round %-11d %10.3f   %11.3f\n", i+1, r.ThroughputRatio(), r.P99Ratio())
	}
	v := judge(rounds)
	fmt.Fprintf(w, "median            %10.3f   %11.3f\n", v.Throughput, v.P99)
	if v.HasInterval {
		fmt.Fprintf(w, "%.1f%% interval   %10s   %11s\n", 100*v.Cover,
			fmt.Sprintf("%.3f-%.3f", v.ThroughputLo, v.ThroughputHi), fmt.Sprintf("%.3f-%.3f", v.P99Lo, v.P99Hi))
	}
	fmt.Fprintf(w, "target            %10s   %11s\n", fmt.Sprintf(">= %.2f", minThroughputRatio), fmt.Sprintf("<= %.2f", maxP99Ratio))
	if v.Pass {
		fmt.Fprint(w, "PASS")
	} else {
		fmt.Fprint(w, "FAIL:")
		for _, r := range v.Reasons {
			fmt.Fprint(w, " ", r, ";")
		}
	}
	fmt.Fprintln(w, certainty(v))
	return v
}

// certainty qualifies a verdict by the medians' intervals: a target inside
// an interval is within the machine's noise, and more rounds would be
// needed to tell which side of it the median is.
func certainty(v verdict) string {
	if !v.HasInterval {
		return " (too few rounds for a confidence interval: 6 at least)"
	}
	var noisy []string
	if v.ThroughputLo < minThroughputRatio && minThroughputRatio <= v.ThroughputHi {
		noisy = append(noisy, "throughput")
	}
	if v.P99Lo <= maxP99Ratio && maxP99Ratio < v.P99Hi {
		noisy = append(noisy, "p99")
	}
	if len(noisy) == 0 {
		return " (each target is outside its median's interval)"
	}
	return fmt.Sprintf(" (within the noise: the %s target is inside its median's interval)", strings.Join(noisy, " and "))
}
