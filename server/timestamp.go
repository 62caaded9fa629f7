package server

import (
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

// Timestamp is a zerolog hook that adds the time to each line, under
// zerolog.TimestampFieldName, in UTC with milliseconds:
// "2026-11-24T21:32:29.615Z". Several webhooks of one call arrive within a
// second, so seconds alone cannot order them; and the text is cheaper than
// zerolog's Timestamp, which formats the whole time for every line, as the
// date and time up to the second are formatted once a second.
//
//	logger := zerolog.New(w).Hook(server.Timestamp)
var Timestamp zerolog.Hook = timestampHook{}

type timestampHook struct{}

// Run implements zerolog.Hook.
func (timestampHook) Run(e *zerolog.Event, _ zerolog.Level, _ string) {
	var buf [40]byte
	e.RawJSON(zerolog.TimestampFieldName, appendTimestamp(buf[:0], clockNow()))
}

// clockBase is a reading of both clocks, taken at most a second ago.
var clockBase atomic.Pointer[time.Time]

// clockNow returns the current time, as time.Now does, for about half its
// cost: it reads only the monotonic clock, and adds what has elapsed to a
// reading of the wall clock taken anew each second. A step of the system's
// clock (a correction by NTP) so shows within a second; times stay ordered
// and durations between them exact, as with time.Now. A webhook reads the
// clock three times, and in a virtual machine a read of the wall clock
// costs as much as one of the monotonic clock.
func clockNow() time.Time {
	if base := clockBase.Load(); base != nil {
		if d := time.Since(*base); d >= 0 && d < time.Second {
			return base.Add(d)
		}
	}
	t := time.Now()
	clockBase.Store(&t)
	return t
}

// secondText is the formatted date and time of one second.
type secondText struct {
	unix int64
	text []byte // "2006-01-02T15:04:05."
}

// lastSecond is the second most recently formatted.
var lastSecond atomic.Pointer[secondText]

// appendTimestamp appends t to dst as a JSON string, in UTC with
// milliseconds.
func appendTimestamp(dst []byte, t time.Time) []byte {
	t = t.UTC()
	sec := lastSecond.Load()
	if sec == nil || sec.unix != t.Unix() {
		sec = &secondText{unix: t.Unix(), text: t.AppendFormat(nil, "2006-01-02T15:04:05.")}
		lastSecond.Store(sec)
	}
	ms := t.Nanosecond() / int(time.Millisecond)
	dst = append(dst, '"')
	dst = append(dst, sec.text...)
	return append(dst, byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z', '"')
}
