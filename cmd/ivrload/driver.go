package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ivrctl/ivrctl/callflows"
)

// requestTimeout bounds one request of the Go driver, from writing it to
// reading the last byte of its answer.
const requestTimeout = 10 * time.Second

// maxFailureSamples is how many failures a run describes in full.
const maxFailureSamples = 5

// goDriver is the built-in load generator: Conns keep-alive connections,
// each a goroutine writing pre-formatted requests on a raw net.Conn and
// reading the answers with a bufio.Reader, one request at a time, as wrk
// does. It does no more work per request than HTTP/1.1 needs, so that it
// leaves the CPU to the server under test.
type goDriver struct {
	// Addr is the server, as host:port.
	Addr string
	// Conns is the number of connections.
	Conns int
	// Requests are complete HTTP/1.1 requests (see formatRequest); each
	// connection rotates through them from its own offset.
	Requests [][]byte
	// Validate checks every answer: status 200 and a callflow that passes
	// callflows.ValidateJSON as an answer to a VCA. Without it only the
	// status is checked.
	Validate bool
	// FreshIDs gives every request an eventId of its own: each request
	// holds idPlaceholder, which is replaced by freshID(Run, ...) in a copy
	// of the request. Without it the requests are sent as they are.
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

// connStats is what one connection's goroutine measured.
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

// run drives the server until ctx ends and returns what it measured.
func (d *goDriver) run(ctx context.Context) (*driverStats, error) {
	if len(d.Requests) == 0 || d.Conns <= 0 {
		return nil, errors.New("no requests or no connections")
	}
	var idAt []int
	if d.FreshIDs {
		var err error
		if idAt, err = placeholderAt(d.Requests); err != nil {
			return nil, err
		}
		if d.Run < 0 || d.Run >= idMaxRuns {
			return nil, fmt.Errorf("run %d: eventIds run out after %d runs", d.Run, idMaxRuns)
		}
	}
	all := make([]*connStats, d.Conns)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range d.Conns {
		cs := &connStats{latencies: make([]time.Duration, 0, 1<<14)}
		all[i] = cs
		wg.Go(func() { d.conn(ctx, i, idAt, cs) })
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

// conn is the loop of connection number id: it sends the requests from
// its own offset on (with fresh eventIds written at idAt when it is not
// nil), reconnecting after an error or a Connection: close, until ctx ends. The
// request in flight when ctx ends is finished and counted; when ctx has a
// deadline, it gets at most a second past it.
func (d *goDriver) conn(ctx context.Context, id int, idAt []int, cs *connStats) {
	var (
		c       net.Conn
		r       *bufio.Reader
		body    []byte
		err     error
		scratch []byte // a request with its eventId filled in
		sent    int64
		digits  [20]byte
	)
	next := id * len(d.Requests) / d.Conns
	defer func() {
		if c != nil {
			c.Close()
		}
	}()
	for ctx.Err() == nil {
		if c == nil {
			// Not DialContext: a connect cut short by the end of the run
			// would look like a failure.
			c, err = net.DialTimeout("tcp", d.Addr, requestTimeout)
			if err != nil {
				cs.fail("connect: %v", err)
				c = nil
				time.Sleep(10 * time.Millisecond)
				continue
			}
			if ctx.Err() != nil {
				break
			}
			if r == nil {
				r = bufio.NewReaderSize(c, 16<<10)
			} else {
				r.Reset(c)
			}
		}
		req := d.Requests[next]
		if idAt != nil {
			scratch = append(scratch[:0], req...)
			n := strconv.AppendInt(digits[:0], freshID(d.Run, id, d.Conns, sent), 10)
			copy(scratch[idAt[next]:idAt[next]+idDigits], n)
			req = scratch
			sent++
		}
		next = (next + 1) % len(d.Requests)

		t0 := time.Now()
		deadline := t0.Add(requestTimeout)
		if dl, ok := ctx.Deadline(); ok && dl.Add(time.Second).Before(deadline) {
			// Do not wait long past the end of the run for an answer.
			deadline = dl.Add(time.Second)
		}
		_ = c.SetDeadline(deadline)
		var (
			status int
			keep   bool
		)
		if _, err = c.Write(req); err == nil {
			status, body, keep, err = readResponse(r, body[:0], d.Validate)
		}
		took := time.Since(t0)
		if err != nil {
			// Even past the end of the run: a request that fails then
			// failed.
			cs.fail("%s: %v", d.Addr, err)
			c.Close()
			c = nil
			continue
		}
		cs.requests++
		cs.latencies = append(cs.latencies, took)
		switch {
		case status != 200:
			cs.fail("status %d: %s", status, clip(body))
		case d.Validate:
			if problems := callflows.ValidateJSON(body, callflows.Answer); len(problems) > 0 {
				cs.fail("invalid answer %s: %v", clip(body), problems)
			}
		}
		if !keep {
			c.Close()
			c = nil
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

// readResponse reads one HTTP/1.1 response with a Content-Length body from
// r. It returns the status, the body (appended to buf) when keepBody or the
// status is not 200, and whether the connection stays open.
func readResponse(r *bufio.Reader, buf []byte, keepBody bool) (status int, body []byte, keep bool, err error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return 0, buf, false, err
	}
	// HTTP/1.1 200 OK
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return 0, buf, false, fmt.Errorf("bad status line %q", line)
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, buf, false, fmt.Errorf("bad status line %q", line)
	}
	keep = line[7] == '1'
	length := -1
	for {
		line, err = r.ReadSlice('\n')
		if err != nil {
			return status, buf, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return status, buf, false, fmt.Errorf("bad header line %q", line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			length, err = strconv.Atoi(string(value))
			if err != nil || length < 0 {
				return status, buf, false, fmt.Errorf("bad Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Connection")):
			if bytes.EqualFold(value, []byte("close")) {
				keep = false
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return status, buf, false, fmt.Errorf("unsupported Transfer-Encoding %q", value)
		}
	}
	if length < 0 {
		return status, buf, false, errors.New("answer without Content-Length")
	}
	if !keepBody && status == 200 {
		_, err = r.Discard(length)
		return status, buf, keep, err
	}
	buf = slices.Grow(buf[:0], length)[:length]
	_, err = io.ReadFull(r, buf)
	return status, buf, keep, err
}
