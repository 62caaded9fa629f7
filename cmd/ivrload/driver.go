package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ivrctl/ivrctl/callflows"
)

// requestTimeout bounds one request of the Go driver, from sending it to
// reading the last byte of its answer.
const requestTimeout = 10 * time.Second

// maxFailureSamples is how many failures a run describes in full.
const maxFailureSamples = 5

// goDriver is the load generator used when wrk is not there and for
// --reloads, which checks every answer: Conns goroutines, each posting one
// webhook at a time through a net/http client that keeps Conns connections
// alive. It costs more CPU per request than wrk, which matters little: the
// figure that counts is the server's CPU per webhook.
type goDriver struct {
	// URL is where the webhooks are posted.
	URL string
	// Conns is the number of concurrent requests and kept connections.
	Conns int
	// Bodies are the webhook bodies, each holding idPlaceholder once; each
	// goroutine rotates through them from its own offset.
	Bodies [][]byte
	// Validate checks every answer: status 200 and a callflow that passes
	// callflows.ValidateJSON as an answer to a VCA. Without it only the
	// status is checked.
	Validate bool
	// FreshIDs gives every request an eventId of its own,
	// freshID(Run, ...). Without it each body's eventId ends in its index
	// (fixedIDs), the same each time it is sent.
	FreshIDs bool
	// Run numbers the run for FreshIDs; no two runs may share one.
	Run int
}

// driverStats is what a run of the Go driver measured.
type driverStats struct {
	// Requests counts the answers read, good or bad.
	Requests int64
	// Failures counts the requests that failed: a status other than 200,
	// an invalid answer (with Validate), or a connection error.
	Failures int64
	// FailureSamples describe the first few failures.
	FailureSamples []string
	// Latencies are the latencies of every answered request, sorted.
	Latencies []time.Duration
	// Elapsed is how long the run took.
	Elapsed time.Duration
}

// RPS returns the answered requests per second.
func (s *driverStats) RPS() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Requests) / s.Elapsed.Seconds()
}

// Percentile returns the p-th percentile (0 < p <= 100) of the latencies,
// by the nearest-rank method, or 0 when there are none.
func (s *driverStats) Percentile(p float64) time.Duration {
	return percentile(s.Latencies, p)
}

// percentile returns the p-th percentile of sorted by nearest rank.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(float64(len(sorted))*p/100+0.999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

// connStats is what one goroutine measured.
type connStats struct {
	requests  int64
	failures  int64
	samples   []string
	latencies []time.Duration
}

func (c *connStats) fail(format string, args ...any) {
	c.failures++
	if len(c.samples) < maxFailureSamples {
		c.samples = append(c.samples, fmt.Sprintf(format, args...))
	}
}

// run drives the server until ctx ends and returns what it measured. The
// requests in flight when ctx ends are finished and counted, and each
// goroutine posts at least once, however soon ctx ends.
func (d *goDriver) run(ctx context.Context) (*driverStats, error) {
	if len(d.Bodies) == 0 || d.Conns <= 0 {
		return nil, errors.New("no bodies or no connections")
	}
	idAt, err := placeholderAt(d.Bodies)
	if err != nil {
		return nil, err
	}
	if d.FreshIDs && (d.Run < 0 || d.Run >= idMaxRuns) {
		return nil, fmt.Errorf("run %d: eventIds run out after %d runs", d.Run, idMaxRuns)
	}
	transport := &http.Transport{MaxIdleConnsPerHost: d.Conns, DisableCompression: true}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: requestTimeout}
	all := make([]*connStats, d.Conns)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range d.Conns {
		cs := &connStats{latencies: make([]time.Duration, 0, 1<<14)}
		all[i] = cs
		wg.Go(func() { d.conn(ctx, client, i, idAt, cs) })
	}
	wg.Wait()
	st := &driverStats{Elapsed: time.Since(start)}
	for _, cs := range all {
		st.Requests += cs.requests
		st.Failures += cs.failures
		st.Latencies = append(st.Latencies, cs.latencies...)
		for _, s := range cs.samples {
			if len(st.FailureSamples) < maxFailureSamples {
				st.FailureSamples = append(st.FailureSamples, s)
			}
		}
	}
	slices.Sort(st.Latencies)
	return st, nil
}

// conn is the loop of goroutine number id: it posts the bodies from its
// own offset on, with the eventId's digits written at idAt, until ctx
// ends, and at least once.
func (d *goDriver) conn(ctx context.Context, client *http.Client, id int, idAt []int, cs *connStats) {
	var (
		body   []byte
		sent   int64
		digits []byte
	)
	next := id * len(d.Bodies) / d.Conns
	for first := true; first || ctx.Err() == nil; first = false {
		i := next
		next = (next + 1) % len(d.Bodies)
		if d.FreshIDs {
			digits = strconv.AppendInt(digits[:0], freshID(d.Run, id, d.Conns, sent), 10)
			sent++
		} else {
			digits = strconv.AppendInt(digits[:0], idBase+int64(i), 10)
		}
		body = append(body[:0], d.Bodies[i]...)
		copy(body[idAt[i]:], digits)

		t0 := time.Now()
		// Not ctx: a request cut short by the end of the run would look
		// like a failure.
		resp, err := client.Post(d.URL, "application/json", bytes.NewReader(body))
		var answer []byte
		if err == nil {
			answer, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		took := time.Since(t0)
		if err != nil {
			cs.fail("%s: %v", d.URL, err)
			continue
		}
		cs.requests++
		cs.latencies = append(cs.latencies, took)
		switch {
		case resp.StatusCode != http.StatusOK:
			cs.fail("status %d: %s", resp.StatusCode, clip(answer))
		case d.Validate:
			if problems := callflows.ValidateJSON(answer, callflows.Answer); len(problems) > 0 {
				cs.fail("invalid answer %s: %v", clip(answer), problems)
			}
		}
	}
}

// clip shortens a body for a failure message.
func clip(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "..."
	}
	return string(b)
}
