package server

import (
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"
)

// MaxLogValue is the most bytes of a value a stranger controls (a callId,
// a path, a method, digits, an error quoting the body) that a log line
// holds. 8x8's IDs are UUIDs of 36 bytes; anything much longer is not
// 8x8's, and logging it whole would let one request write a megabyte.
const MaxLogValue = 128

// cutMark ends a value cut to MaxLogValue bytes; the line also says
// truncated: true.
const cutMark = "…"

// logStr adds key: val to e, val cut to MaxLogValue bytes on a rune
// boundary and with invalid UTF-8 replaced (zerolog would escape each bad
// byte as six), and sets *cut when it changed val.
func logStr(e *zerolog.Event, key, val string, cut *bool) *zerolog.Event {
	if len(val) <= MaxLogValue && utf8.ValidString(val) {
		return e.Str(key, val) // nearly every value: no copy
	}
	*cut = true
	return e.Str(key, clip(val))
}

// clip returns s cut to MaxLogValue bytes at most, on a rune boundary,
// with invalid UTF-8 replaced by U+FFFD, and cutMark after it when it was
// cut.
func clip(s string) string {
	long := len(s) > MaxLogValue
	if long {
		// Replacing first could make s three times longer; look at a
		// little more than is kept, so that a rune cut at the edge is
		// told from a bad one.
		s = s[:min(len(s), MaxLogValue+utf8.UTFMax)]
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= MaxLogValue {
		if long {
			return s + cutMark
		}
		return s
	}
	n := MaxLogValue
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + cutMark
}

// markCut adds truncated: true to a line whose values were cut.
func markCut(e *zerolog.Event, cut bool) *zerolog.Event {
	if cut {
		return e.Bool("truncated", true)
	}
	return e
}

// Defaults of the log lines of refused requests: a client that sends
// nothing but refused requests gets refusedBurst lines an interval, and
// the rest is counted in one line.
const (
	refusedBurst    = 20
	refusedInterval = time.Second
)

// logLimiter lets through the first burst log lines of refused requests
// in each interval and counts the rest, so that what a flood of refused
// requests writes to the log is bounded by time, not by the flood: the log
// bytes of a refused request tend to zero as the flood grows. What it
// held back is reported in one line, an interval after the first line it
// held back.
type logLimiter struct {
	log      zerolog.Logger
	burst    int
	interval time.Duration

	mu      sync.Mutex
	start   time.Time   // of the current interval
	logged  int         // lines let through in it
	dropped int         // lines held back and not reported yet
	report  *time.Timer // set while dropped lines wait for their report
}

func newLogLimiter(log zerolog.Logger, burst int, interval time.Duration) *logLimiter {
	return &logLimiter{log: log, burst: burst, interval: interval}
}

// allow reports whether a refused request's line may be logged now.
func (l *logLimiter) allow() bool {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.start) >= l.interval {
		l.start, l.logged = now, 0
	}
	if l.logged < l.burst {
		l.logged++
		return true
	}
	l.dropped++
	if l.report == nil {
		l.report = time.AfterFunc(l.start.Add(l.interval).Sub(now), l.flush)
	}
	return false
}

// flush logs how many lines were held back since the last report.
func (l *logLimiter) flush() {
	l.mu.Lock()
	n := l.dropped
	l.dropped, l.report = 0, nil
	l.mu.Unlock()
	if n > 0 {
		l.log.Warn().Int("count", n).Dur("interval", l.interval).Msg("requests refused, not logged")
	}
}

// refusal returns the warning event for the line of a refused request, or
// nil (which zerolog's methods take) when the limiter holds it back.
func (s *Server) refusal() *zerolog.Event {
	if !s.refused.allow() {
		return nil
	}
	return s.log.Warn()
}
