package switches_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/server/switches"
)

func TestPathFor(t *testing.T) {
	for flow, want := range map[string]string{
		"flows/hotel.yaml": "flows/hotel.switches.json",
		"hotel.yml":        "hotel.switches.json",
		"/srv/line":        "/srv/line.switches.json",
	} {
		if got := switches.PathFor(flow); got != want {
			t.Errorf("PathFor(%q) = %q, want %q", flow, got, want)
		}
	}
}

// TestFileSetLoad: a missing file is an empty store; each flip is kept,
// with its author and time, and another store on the same file reads it.
func TestFileSetLoad(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hotel.switches.json")
	s := switches.NewFile(path)
	st, err := s.Load(ctx)
	if err != nil || st.Seq != 0 || len(st.Positions) != 0 {
		t.Fatalf("empty store: %+v, %v", st, err)
	}
	at := time.Date(2026, 12, 4, 21, 0, 0, 0, time.UTC)
	if _, err := s.Set(ctx, switches.Flip{Name: "outage_banner", On: true, By: "alice", At: at}); err != nil {
		t.Fatal(err)
	}
	st, err = s.Set(ctx, switches.Flip{Name: "holiday_mode", On: false, By: strings.Repeat("b", 100)})
	if err != nil {
		t.Fatal(err)
	}
	again, err := switches.NewFile(path).Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range []switches.State{st, again} {
		if got.Seq != 2 || !got.Positions["outage_banner"] || got.Positions["holiday_mode"] || len(got.History) != 2 {
			t.Fatalf("state %+v", got)
		}
		if h := got.History[0]; h.By != "alice" || !h.At.Equal(at) {
			t.Errorf("first flip %+v", h)
		}
		if h := got.History[1]; len(h.By) != switches.MaxBy || h.At.IsZero() {
			t.Errorf("second flip's author is not cut, or it has no time: %+v", h)
		}
	}
	ents, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// TestFileHistoryBound: the history keeps the newest MaxHistory flips.
func TestFileHistoryBound(t *testing.T) {
	ctx := context.Background()
	s := switches.NewFile(filepath.Join(t.TempDir(), "f.switches.json"))
	var st switches.State
	var err error
	for i := range switches.MaxHistory + 5 {
		if st, err = s.Set(ctx, switches.Flip{Name: "s", On: i%2 == 0, By: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if len(st.History) != switches.MaxHistory || st.History[0].By != "5" || st.Seq != switches.MaxHistory+5 {
		t.Errorf("history of %d from %q, seq %d", len(st.History), st.History[0].By, st.Seq)
	}
}

// TestFileConcurrentSets: stores on one file, as the CLI and servers are,
// flipping at once lose no flip, and every read sees a whole file.
func TestFileConcurrentSets(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "f.switches.json")
	const writers, each = 4, 10
	var wg sync.WaitGroup
	stop := make(chan struct{})
	readErr := make(chan error, 1)
	go func() {
		r := switches.NewFile(path)
		for {
			select {
			case <-stop:
				close(readErr)
				return
			default:
			}
			if _, err := r.Load(ctx); err != nil {
				readErr <- err
				return
			}
		}
	}()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := switches.NewFile(path)
			for i := range each {
				if _, err := s.Set(ctx, switches.Flip{Name: "s", On: i%2 == 0, By: fmt.Sprint(w)}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	if err := <-readErr; err != nil {
		t.Errorf("a read saw a partial file: %v", err)
	}
	st, err := switches.NewFile(path).Load(ctx)
	if err != nil || st.Seq != writers*each || len(st.History) != writers*each {
		t.Errorf("seq %d, %d flips, %v; want %d", st.Seq, len(st.History), err, writers*each)
	}
}

// TestFileWatch: Watch hands over the state at once, then a flip made
// through another store on the file, and then the file written by hand,
// as another host on a shared volume would.
func TestFileWatch(t *testing.T) {
	for _, events := range []bool{true, false} {
		t.Run(fmt.Sprintf("events=%v", events), func(t *testing.T) { testFileWatch(t, events) })
	}
}

// testFileWatch is TestFileWatch with fsnotify's events, or with polling
// only, as on a shared volume another host writes.
func testFileWatch(t *testing.T, events bool) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	path := filepath.Join(t.TempDir(), "f.switches.json")
	w := switches.NewFile(path)
	w.Poll = 20 * time.Millisecond
	if !events {
		switches.PollOnly(w)
	}
	got := make(chan switches.State, 16)
	done := make(chan error)
	go func() { done <- w.Watch(ctx, func(st switches.State) { got <- st }) }()
	wait := func(ok func(switches.State) bool) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case st := <-got:
				if ok(st) {
					return
				}
			case <-deadline:
				t.Fatal("Watch did not report the change")
			}
		}
	}
	wait(func(st switches.State) bool { return st.Seq == 0 })
	if _, err := switches.NewFile(path).Set(ctx, switches.Flip{Name: "outage_banner", On: true, By: "cli"}); err != nil {
		t.Fatal(err)
	}
	wait(func(st switches.State) bool { return st.Seq == 1 && st.Positions["outage_banner"] })
	src, _ := json.Marshal(switches.State{Seq: 2, Positions: map[string]bool{"outage_banner": false}})
	tmp := path + ".new"
	if err := os.WriteFile(tmp, src, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	wait(func(st switches.State) bool { return st.Seq == 2 && !st.Positions["outage_banner"] })
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Watch returned %v", err)
	}
}
