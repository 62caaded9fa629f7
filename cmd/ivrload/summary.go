package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"time"
)

// The targets of ivrctl against the bare server, on the medians of the
// per-round ratios.
const (
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

// verdict is the outcome of a benchmark against the targets.
type verdict struct {
	// Throughput and P99 are the medians of the per-round ratios.
	Throughput, P99 float64
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
	fmt.Fprintf(w, "target            %10s   %11s\n", fmt.Sprintf(">= %.2f", minThroughputRatio), fmt.Sprintf("<= %.2f", maxP99Ratio))
	if v.Pass {
		fmt.Fprintln(w, "PASS")
	} else {
		fmt.Fprint(w, "FAIL:")
		for _, r := range v.Reasons {
			fmt.Fprint(w, " ", r, ";")
		}
		fmt.Fprintln(w)
	}
	return v
}
