package server_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/server"
)

// slowSink records each Write it gets.
type slowSink struct {
	mu     sync.Mutex
	writes []string
	fail   error
}

func (s *slowSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return 0, s.fail
	}
	s.writes = append(s.writes, string(p))
	return len(p), nil
}

func (s *slowSink) got() (int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.writes), strings.Join(s.writes, "")
}

func TestLogWriter(t *testing.T) {
	sink := &slowSink{}
	w := server.NewLogWriter(sink, time.Hour) // no periodic flush in this test
	log := zerolog.New(w)
	for i := range 100 {
		log.Info().Int("i", i).Msg("vca")
	}
	if n, _ := sink.got(); n != 0 {
		t.Fatalf("%d writes before any flush, want the lines held", n)
	}
	// A warning goes out at once, with the lines before it, in order.
	log.Warn().Msg("trouble")
	n, all := sink.got()
	if n != 1 || strings.Count(all, "\n") != 101 || !strings.HasSuffix(all, `"message":"trouble"}`+"\n") {
		t.Fatalf("after a warning: %d writes, %d lines; want 1 write of 101 lines ending with it", n, strings.Count(all, "\n"))
	}
	// Close writes what is held, and lines after it go through.
	log.Info().Msg("last")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, all := sink.got(); !strings.HasSuffix(all, `"message":"last"}`+"\n") {
		t.Error("Close did not write the held line")
	}
	log.Info().Msg("after")
	if _, all := sink.got(); !strings.HasSuffix(all, `"message":"after"}`+"\n") {
		t.Error("a line after Close was held")
	}
}

func TestLogWriterFlushesPeriodically(t *testing.T) {
	sink := &slowSink{}
	w := server.NewLogWriter(sink, 10*time.Millisecond)
	defer w.Close()
	log := zerolog.New(w)
	log.Info().Msg("vca")
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, all := sink.got(); strings.Contains(all, `"vca"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the line was never flushed")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestLogWriterWholeLines: lines written from many goroutines, filling the
// buffer many times over, each arrive whole.
func TestLogWriterWholeLines(t *testing.T) {
	var out bytes.Buffer
	w := server.NewLogWriter(&out, time.Millisecond)
	log := zerolog.New(w)
	long := strings.Repeat("x", 100<<10) // longer than the buffer
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				if g == 0 && i%100 == 0 {
					log.Info().Str("long", long).Msg("long")
				} else {
					log.Info().Int("g", g).Int("i", i).Msg("vca")
				}
			}
		})
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 8*500 {
		t.Fatalf("%d lines, want %d", len(lines), 8*500)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, `{"level":"info",`) || !strings.HasSuffix(l, `}`) {
			t.Fatalf("broken line %.80q", l)
		}
	}
}

func TestLogWriterError(t *testing.T) {
	boom := errors.New("disk full")
	sink := &slowSink{fail: boom}
	w := server.NewLogWriter(sink, time.Hour)
	if _, err := w.WriteLevel(zerolog.ErrorLevel, []byte("x\n")); !errors.Is(err, boom) {
		t.Errorf("write through a failing writer: %v, want %v", err, boom)
	}
	if _, err := w.Write([]byte("y\n")); !errors.Is(err, boom) {
		t.Errorf("a later write: %v, want the first error", err)
	}
	if err := w.Close(); !errors.Is(err, boom) {
		t.Errorf("Close: %v", err)
	}
}

// gateSink is a writer whose writes wait until its gate opens.
type gateSink struct {
	gate chan struct{}
	out  bytes.Buffer // written under the gate's order: one writer
}

func (s *gateSink) Write(p []byte) (int, error) {
	<-s.gate
	return s.out.Write(p)
}

// TestLogWriterDoesNotWaitForTheWriter: a line that fills the buffer is
// handed to the writing goroutine; the webhook logging it does not wait
// for a slow writer. And the lines arrive in order.
func TestLogWriterDoesNotWaitForTheWriter(t *testing.T) {
	sink := &gateSink{gate: make(chan struct{})}
	w := server.NewLogWriter(sink, time.Hour)
	log := zerolog.New(w)
	line := 0
	logged := make(chan struct{})
	go func() {
		defer close(logged)
		// Nearly two buffers of lines (1000 of 128 to 130 bytes, 127
		// KiB), while the writer is stuck: the first buffer, 504 lines,
		// is handed off, and the second fills.
		for range 1000 {
			log.Info().Int("n", line).Str("pad", strings.Repeat("x", 80)).Msg("vca")
			line++
		}
	}()
	select {
	case <-logged:
	case <-time.After(10 * time.Second):
		close(sink.gate)
		t.Fatal("logging waited for the writer to finish a write")
	}
	close(sink.gate)
	for range 3000 { // several buffers more, the writer now free
		log.Info().Int("n", line).Str("pad", strings.Repeat("x", 80)).Msg("vca")
		line++
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(sink.out.String(), "\n"), "\n")
	if len(lines) != line {
		t.Fatalf("%d lines written, want %d", len(lines), line)
	}
	for i, l := range lines {
		if want := fmt.Sprintf(`{"level":"info","n":%d,`, i); !strings.HasPrefix(l, want) {
			t.Fatalf("line %d is %.40q, want it to start %q", i, l, want)
		}
	}
}

// TestLogWriterLongLine: a line longer than the buffer is written before
// Write returns, since Write must not keep p (io.Writer): the caller may
// reuse it at once.
func TestLogWriterLongLine(t *testing.T) {
	sink := &gateSink{gate: make(chan struct{})}
	w := server.NewLogWriter(sink, time.Hour)
	p := append(bytes.Repeat([]byte("x"), 100<<10-1), '\n')
	want := string(p)
	returned := make(chan error)
	go func() {
		_, err := w.Write(p)
		returned <- err
	}()
	select {
	case <-returned:
		close(sink.gate)
		t.Fatal("Write of a line longer than the buffer returned before the line was written")
	case <-time.After(100 * time.Millisecond):
	}
	close(sink.gate)
	if err := <-returned; err != nil {
		t.Fatal(err)
	}
	clear(p) // the caller's to reuse now
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := sink.out.String(); got != want {
		t.Errorf("wrote %d bytes, %.20q..., want the %d of the line", len(got), got, len(want))
	}
}

// TestLogWriterFlush: Flush returns once the lines held are written, and
// after Close it writes nothing more.
func TestLogWriterFlush(t *testing.T) {
	sink := &slowSink{}
	w := server.NewLogWriter(sink, time.Hour)
	log := zerolog.New(w)
	log.Info().Msg("held")
	if n, _ := sink.got(); n != 0 {
		t.Fatalf("%d writes before Flush, want the line held", n)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, all := sink.got(); !strings.Contains(all, `"message":"held"`) {
		t.Fatalf("Flush returned before the line was written: %q", all)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	before, _ := sink.got()
	err := w.Flush()
	if after, _ := sink.got(); err != nil || after != before {
		t.Errorf("Flush after Close: %v, and %d writes more", err, after-before)
	}
}
