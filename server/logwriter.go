package server

import (
	"io"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// DefaultLogFlush is how long a log line may wait in a LogWriter's buffer.
const DefaultLogFlush = 100 * time.Millisecond

// logBufferSize is the buffer of a LogWriter: a few hundred webhook lines.
const logBufferSize = 64 << 10

// LogWriter buffers log lines for a slow writer (a file, a pipe, a
// terminal), so that a webhook's line costs a copy rather than a system
// call while 8x8 waits for the answer. A line is written whole, never split
// or interleaved with another. Lines reach the writer when the buffer is
// full, at the latest flush after they were written, and at once for a
// line at warn level or above, so that trouble is seen without delay. If
// the process dies without Close, the lines of the last flush period are
// lost.
//
// It implements zerolog.LevelWriter.
type LogWriter struct {
	mu    sync.Mutex
	out   io.Writer
	buf   []byte
	err   error // the first error of out, returned by every later Write
	shut  bool  // closed: every line is written through
	stop  chan struct{}
	done  chan struct{}
	close sync.Once
}

// NewLogWriter returns a LogWriter writing to out, flushing every flush
// (DefaultLogFlush when 0). Close it to write what it holds.
func NewLogWriter(out io.Writer, flush time.Duration) *LogWriter {
	if flush <= 0 {
		flush = DefaultLogFlush
	}
	w := &LogWriter{
		out:  out,
		buf:  make([]byte, 0, logBufferSize),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	go w.flushEvery(flush)
	return w
}

func (w *LogWriter) flushEvery(d time.Duration) {
	defer close(w.done)
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
			_ = w.Flush()
		}
	}
}

// Out returns the writer w writes to.
func (w *LogWriter) Out() io.Writer { return w.out }

// Write implements io.Writer: p is one log line, kept whole.
func (w *LogWriter) Write(p []byte) (int, error) {
	return w.write(p, false)
}

// WriteLevel implements zerolog.LevelWriter: lines at warn level and
// above are written through at once.
func (w *LogWriter) WriteLevel(level zerolog.Level, p []byte) (int, error) {
	return w.write(p, level >= zerolog.WarnLevel && level != zerolog.NoLevel)
}

func (w *LogWriter) write(p []byte, now bool) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return 0, w.err
	}
	if len(w.buf)+len(p) > cap(w.buf) {
		if err := w.flushLocked(); err != nil {
			return 0, err
		}
	}
	if len(p) > cap(w.buf) {
		// A line longer than the buffer goes out by itself.
		if _, err := w.out.Write(p); err != nil {
			w.err = err
			return 0, err
		}
		return len(p), nil
	}
	w.buf = append(w.buf, p...)
	if now || w.shut {
		if err := w.flushLocked(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush writes the lines held to the writer.
func (w *LogWriter) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flushLocked()
}

func (w *LogWriter) flushLocked() error {
	if w.err != nil || len(w.buf) == 0 {
		return w.err
	}
	_, err := w.out.Write(w.buf)
	w.buf = w.buf[:0]
	if err != nil {
		w.err = err
	}
	return err
}

// Close stops the periodic flush and writes the lines held. Lines written
// after Close are written through at once.
func (w *LogWriter) Close() error {
	w.close.Do(func() {
		close(w.stop)
		<-w.done
	})
	w.mu.Lock()
	defer w.mu.Unlock()
	w.shut = true
	return w.flushLocked()
}
