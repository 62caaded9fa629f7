package logwriter_test

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/server/logwriter"
)

// sink records each Write it gets.
type sink struct {
	mu     sync.Mutex
	writes []string
	fail   error
}

func (s *sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return 0, s.fail
	}
	s.writes = append(s.writes, string(p))
	return len(p), nil
}

// got returns how many writes the sink got, and all they wrote.
func (s *sink) got() (int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.writes), strings.Join(s.writes, "")
}

func TestWriter(t *testing.T) {
	out := &sink{}
	w := logwriter.New(out, time.Hour) // no periodic flush in this test
	log := zerolog.New(w)
	for i := range 100 {
		log.Info().Int("i", i).Msg("vca")
	}
	if n, _ := out.got(); n != 0 {
		t.Fatalf("%d writes before any flush, want the lines held", n)
	}
	// A warning goes out at once, with the lines before it, in order.
	log.Warn().Msg("trouble")
	n, all := out.got()
	if n != 1 || strings.Count(all, "\n") != 101 || !strings.HasPrefix(all, `{"level":"info","i":0,`) ||
		!strings.HasSuffix(all, `"message":"trouble"}`+"\n") {
		t.Fatalf("after a warning: %d writes, %d lines; want 1 write of 101 lines ending with it", n, strings.Count(all, "\n"))
	}
	// Flush writes what is held.
	log.Info().Msg("held")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, all := out.got(); !strings.HasSuffix(all, `"message":"held"}`+"\n") {
		t.Error("Flush did not write the held line")
	}
	// Close writes what is held, and lines after it go through.
	log.Info().Msg("last")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, all := out.got(); !strings.HasSuffix(all, `"message":"last"}`+"\n") {
		t.Error("Close did not write the held line")
	}
	log.Info().Msg("after")
	if _, all := out.got(); !strings.HasSuffix(all, `"message":"after"}`+"\n") {
		t.Error("a line after Close was held")
	}
}

func TestWriterFlushesPeriodically(t *testing.T) {
	out := &sink{}
	w := logwriter.New(out, 10*time.Millisecond)
	defer w.Close()
	log := zerolog.New(w)
	log.Info().Msg("vca")
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, all := out.got(); strings.Contains(all, `"vca"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the line was never flushed")
		}
	}
}

// TestWriterWholeLines: lines written from many goroutines, filling the
// buffer many times over, some longer than the buffer, reach the writer
// whole: each write is whole lines, and every line arrives.
func TestWriterWholeLines(t *testing.T) {
	out := &sink{}
	w := logwriter.New(out, time.Millisecond)
	log := zerolog.New(w)
	long := strings.Repeat("x", 100<<10) // longer than the buffer
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				if i%100 == 0 {
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
	out.mu.Lock()
	defer out.mu.Unlock()
	lines := 0
	for _, p := range out.writes {
		if !strings.HasPrefix(p, `{"level":"info",`) || !strings.HasSuffix(p, "}\n") {
			t.Fatalf("a write of %d bytes is not whole lines: %.40q ... %.40q", len(p), p, p[max(0, len(p)-40):])
		}
		lines += strings.Count(p, "\n")
	}
	if lines != 8*500 {
		t.Fatalf("%d lines, want %d", lines, 8*500)
	}
}

func TestWriterError(t *testing.T) {
	boom := errors.New("disk full")
	w := logwriter.New(&sink{fail: boom}, time.Hour)
	if _, err := w.WriteLevel(zerolog.ErrorLevel, []byte("x\n")); !errors.Is(err, boom) {
		t.Errorf("write through a failing writer: %v, want %v", err, boom)
	}
	if _, err := w.Write(bytes.Repeat([]byte("y"), 100<<10)); !errors.Is(err, boom) {
		t.Errorf("a later write: %v, want the first error", err)
	}
	if err := w.Close(); !errors.Is(err, boom) {
		t.Errorf("Close: %v", err)
	}
}
