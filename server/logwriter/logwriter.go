// Package logwriter buffers the log lines of ivrctl serve, so that a
// webhook's line costs a copy rather than a system call while 8x8 waits
// for the answer.
//
// It earns its keep: BenchmarkVCALogFile (package server) logging every
// webhook to a file on ext4 took about 9.8 µs of CPU a webhook writing
// each line straight to the *os.File, against about 5 µs through a
// Writer, so a system call a line would nearly double what a webhook
// costs. It is a plain bufio.Writer under a mutex, flushed by a ticker:
// the hand-made writer it replaced, which handed full buffers to a
// goroutine of its own so that no webhook made the system call, measured
// within noise of it (1 million webhooks a run, 4 runs each, alternated:
// 4.86 µs against 5.00 µs, +2.8%, with runs of the same variant 15%
// apart on a shared machine), under the 3% that would justify its 200
// lines.
package logwriter

import (
	"bufio"
	"io"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// DefaultFlush is how long a line may wait in a Writer's buffer.
const DefaultFlush = 100 * time.Millisecond

// bufferSize is the buffer of a Writer: a few hundred webhook lines.
const bufferSize = 64 << 10

// Writer buffers log lines for a slow writer (a file, a pipe, a terminal).
// A line is written whole, never split or interleaved with another, and
// lines reach the writer in the order they were written: when the buffer
// is full, at the latest a flush period after they were written, and at
// once for a line at warn level or above, so that trouble is seen without
// delay. If the process dies without Close, the lines of the last flush
// period are lost. After the first error of the writer, every write
// returns it.
//
// It implements zerolog.LevelWriter.
type Writer struct {
	out io.Writer
	// mu guards buf; a line that does not fit in what is left of it
	// flushes it first, so that no line is split.
	mu     sync.Mutex
	buf    *bufio.Writer
	closed bool          // every line is written through
	stop   chan struct{} // closed by Close
	done   chan struct{} // closed when the periodic flush has stopped
	once   sync.Once
}

// New returns a Writer writing to out, flushing every flush (DefaultFlush
// when 0). Close it to write what it holds.
func New(out io.Writer, flush time.Duration) *Writer {
	if flush <= 0 {
		flush = DefaultFlush
	}
	w := &Writer{
		out:  out,
		buf:  bufio.NewWriterSize(out, bufferSize),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	go w.flushEvery(flush)
	return w
}

func (w *Writer) flushEvery(d time.Duration) {
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
func (w *Writer) Out() io.Writer { return w.out }

// Write implements io.Writer: p is one log line, kept whole.
func (w *Writer) Write(p []byte) (int, error) {
	return w.write(p, false)
}

// WriteLevel implements zerolog.LevelWriter: lines at warn level and
// above are written through at once, with the lines before them.
func (w *Writer) WriteLevel(level zerolog.Level, p []byte) (int, error) {
	return w.write(p, level >= zerolog.WarnLevel && level != zerolog.NoLevel)
}

func (w *Writer) write(p []byte, now bool) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(p) > w.buf.Available() && w.buf.Buffered() > 0 {
		if err := w.buf.Flush(); err != nil {
			return 0, err
		}
	}
	// Into an empty buffer, bufio writes a line longer than the buffer
	// straight through, whole.
	n, err := w.buf.Write(p)
	if err == nil && (now || w.closed) {
		err = w.buf.Flush()
	}
	return n, err
}

// Flush writes the lines held to the writer.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Flush()
}

// Close stops the periodic flush and writes the lines held. Lines written
// after Close are written through at once.
func (w *Writer) Close() error {
	w.once.Do(func() {
		close(w.stop)
		<-w.done
	})
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	return w.buf.Flush()
}
