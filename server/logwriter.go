package server

import (
	"io"
	"sync"
	"sync/atomic"
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
// or interleaved with another, and lines reach the writer in the order they
// were written. Lines reach the writer when the buffer is full, at the
// latest flush after they were written, and at once for a line at warn
// level or above, so that trouble is seen without delay. If the process
// dies without Close, the lines of the last flush period are lost.
//
// A full buffer is written by a goroutine of its own while the next one
// fills: a webhook that fills the buffer does not make the system call,
// and the webhooks logging meanwhile do not wait for it.
//
// It implements zerolog.LevelWriter.
type LogWriter struct {
	// mu guards buf and shut. Every send on pending is made under it, so
	// the batches reach the writing goroutine in the order their lines
	// were written.
	mu   sync.Mutex
	out  io.Writer
	buf  []byte
	shut bool // closed: every line is written through
	// err is the first error of out, returned by every later Write.
	err atomic.Pointer[error]

	free    chan []byte   // empty buffers
	pending chan logBatch // batches for the writing goroutine, in order
	written chan struct{} // closed when the writing goroutine has ended
	stop    chan struct{} // closed to stop the periodic flush
	stopped chan struct{} // closed when the periodic flush has stopped
	close   sync.Once
}

// logBatch is lines for the writing goroutine to write.
type logBatch struct {
	lines  []byte
	pooled bool          // lines is a buffer of free, to go back there
	done   chan struct{} // closed once lines are written, when not nil
}

// logBuffers is how many buffers a LogWriter has: one filling and, when
// the writer is slow, two waiting to be written; then a line waits for a
// buffer to be free.
const logBuffers = 3

// NewLogWriter returns a LogWriter writing to out, flushing every flush
// (DefaultLogFlush when 0). Close it to write what it holds.
func NewLogWriter(out io.Writer, flush time.Duration) *LogWriter {
	if flush <= 0 {
		flush = DefaultLogFlush
	}
	w := &LogWriter{
		out:     out,
		buf:     make([]byte, 0, logBufferSize),
		free:    make(chan []byte, logBuffers),
		pending: make(chan logBatch, logBuffers),
		written: make(chan struct{}),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	for range logBuffers - 1 {
		w.free <- make([]byte, 0, logBufferSize)
	}
	go w.writeBatches()
	go w.flushEvery(flush)
	return w
}

// writeBatches writes the batches handed to it, in order, until pending
// is closed.
func (w *LogWriter) writeBatches() {
	defer close(w.written)
	for b := range w.pending {
		if len(b.lines) > 0 && w.failed() == nil {
			if _, err := w.out.Write(b.lines); err != nil {
				w.err.CompareAndSwap(nil, &err)
			}
		}
		if b.pooled {
			w.free <- b.lines[:0]
		}
		if b.done != nil {
			close(b.done)
		}
	}
}

// failed returns the first error of the writer, if any.
func (w *LogWriter) failed() error {
	if err := w.err.Load(); err != nil {
		return *err
	}
	return nil
}

func (w *LogWriter) flushEvery(d time.Duration) {
	defer close(w.stopped)
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
			w.mu.Lock()
			if !w.shut && len(w.buf) > 0 {
				w.handOffLocked(nil)
			}
			w.mu.Unlock()
		}
	}
}

// handOffLocked hands the lines held to the writing goroutine, closing
// done once they are written, and takes a free buffer for the next lines.
func (w *LogWriter) handOffLocked(done chan struct{}) {
	w.pending <- logBatch{lines: w.buf, pooled: true, done: done}
	w.buf = <-w.free
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
	if err := w.failed(); err != nil {
		return 0, err
	}
	w.mu.Lock()
	if w.shut {
		// The writing goroutine has ended: write in line, in order.
		defer w.mu.Unlock()
		if _, err := w.out.Write(p); err != nil {
			w.err.CompareAndSwap(nil, &err)
			return 0, err
		}
		return len(p), nil
	}
	if len(w.buf)+len(p) > cap(w.buf) {
		w.handOffLocked(nil)
	}
	var done chan struct{}
	switch {
	case len(p) > cap(w.buf):
		// A line longer than the buffer goes out by itself, after the
		// lines before it, and is written before Write returns: p is the
		// caller's, which io.Writer forbids keeping after Write returns.
		done = make(chan struct{})
		w.pending <- logBatch{lines: p, done: done}
	case now:
		w.buf = append(w.buf, p...)
		done = make(chan struct{})
		w.handOffLocked(done)
	default:
		w.buf = append(w.buf, p...)
	}
	w.mu.Unlock()
	if done != nil {
		<-done
		if err := w.failed(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush writes the lines held to the writer, and returns once they are
// written.
func (w *LogWriter) Flush() error {
	w.mu.Lock()
	if w.shut {
		w.mu.Unlock()
		return w.failed()
	}
	done := make(chan struct{})
	w.handOffLocked(done)
	w.mu.Unlock()
	<-done
	return w.failed()
}

// Close stops the periodic flush and writes the lines held. Lines written
// after Close are written through at once.
func (w *LogWriter) Close() error {
	w.close.Do(func() {
		close(w.stop)
		<-w.stopped
		w.mu.Lock()
		defer w.mu.Unlock()
		w.pending <- logBatch{lines: w.buf}
		close(w.pending)
		<-w.written
		w.buf, w.shut = nil, true
	})
	return w.failed()
}
