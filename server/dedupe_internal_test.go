package server

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

var dedupeEpoch = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// sameBytes reports whether a and b are the very same bytes, not only
// equal ones: a duplicate gets what the first delivery got.
func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func TestDedupe(t *testing.T) {
	fp := fingerprint{eventType: "CALL_ACTION", clientActionID: "main_menu", digits: "1"}
	first, later := []byte("first"), []byte("later")
	tests := []struct {
		name string
		id   string
		fp   fingerprint
		at   time.Duration // after the first delivery
		dup  bool
	}{
		{"same event", "e1", fp, 0, true},
		{"same event at the end of the window", "e1", fp, time.Minute, true},
		{"same event past the window", "e1", fp, time.Minute + time.Nanosecond, false},
		{"another event", "e2", fp, 0, false},
		{"other digits", "e1", fingerprint{eventType: "CALL_ACTION", clientActionID: "main_menu", digits: "2"}, 0, false},
		{"other node", "e1", fingerprint{eventType: "CALL_ACTION", clientActionID: "main_menu1"}, 0, false},
		{"fields run together otherwise", "e1", fingerprint{eventType: "CALL_ACTION", callStatus: "main_menu", digits: "1"}, 0, false},
		{"other event type", "e1", fingerprint{eventType: "CALL_STATUS", clientActionID: "main_menu", digits: "1"}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDedupe(3, time.Minute)
			if got, dup := d.store("e1", fp, first, dedupeEpoch); dup || !sameBytes(got, first) {
				t.Fatalf("first delivery = %q, %v; want its own answer", got, dup)
			}
			got, dup := d.store(tt.id, tt.fp, later, dedupeEpoch.Add(tt.at))
			want := later
			if tt.dup {
				want = first
			}
			if dup != tt.dup || !sameBytes(got, want) {
				t.Errorf("second delivery = %q, duplicate %v; want %q, %v", got, dup, want, tt.dup)
			}
		})
	}
}

// TestDedupeNewestAnswerWins: an ID reused by another event is answered,
// from then on, as that event; the first answer is not given again, also
// when the two sit in different generations.
func TestDedupeNewestAnswerWins(t *testing.T) {
	// With 2 others, the current generation is full when the ID comes again.
	for _, others := range []int{0, 1, 2} {
		t.Run(fmt.Sprintf("%d others between", others), func(t *testing.T) {
			d := newDedupe(3, time.Hour)
			one, two := fingerprint{digits: "1"}, fingerprint{digits: "2"}
			a, b, c := []byte("a"), []byte("b"), []byte("c")
			d.store("e", one, a, dedupeEpoch)
			for i := range others {
				d.store(fmt.Sprint("other", i), one, c, dedupeEpoch)
			}
			if _, dup := d.store("e", two, b, dedupeEpoch); dup {
				t.Fatal("other content taken for a duplicate")
			}
			if got, dup := d.store("e", two, c, dedupeEpoch); !dup || !sameBytes(got, b) {
				t.Errorf("the new event again = %q, %v; want b, true", got, dup)
			}
			if got, dup := d.store("e", one, c, dedupeEpoch); dup {
				t.Errorf("the first event again was answered %q as a duplicate; the newer one hides it", got)
			}
		})
	}
}

// TestDedupeBounded: the cache remembers the last size events at least,
// and never more than 2*size, whose answers stay their own.
func TestDedupeBounded(t *testing.T) {
	const size = 100
	d := newDedupe(size, time.Hour)
	answers := [][]byte{[]byte("zero"), []byte("one"), []byte("two")}
	id := func(i int) string { return fmt.Sprintf("77e6a667-133a-11ef-9dd4-%012d", i) }
	fp := fingerprint{digits: "1"}
	const n = 10*size + 37
	for i := range n {
		if _, dup := d.store(id(i), fp, answers[i%3], dedupeEpoch); dup {
			t.Fatalf("event %d taken for a duplicate", i)
		}
		if held := len(d.cur) + len(d.prev); held > 2*size {
			t.Fatalf("after %d events the cache holds %d, want at most %d", i+1, held, 2*size)
		}
	}
	for i := n - size; i < n; i++ {
		if got, dup := d.store(id(i), fp, nil, dedupeEpoch); !dup || !sameBytes(got, answers[i%3]) {
			t.Fatalf("event %d, among the last %d: %q, %v; want %q", i, size, got, dup, answers[i%3])
		}
	}
	if _, dup := d.store(id(0), fp, nil, dedupeEpoch); dup {
		t.Error("the first of 1037 events is still remembered by a cache of 100")
	}
}

// TestDedupeForgetsOldGenerations: events older than the window do not
// stay in memory on a quiet line, where the size is never reached.
func TestDedupeForgetsOldGenerations(t *testing.T) {
	d := newDedupe(1000, time.Minute)
	for i := range 10 {
		d.store(fmt.Sprint("early", i), fingerprint{}, emptyObject, dedupeEpoch)
	}
	later := dedupeEpoch.Add(90 * time.Second)
	d.store("late1", fingerprint{}, emptyObject, later)
	d.store("late2", fingerprint{}, emptyObject, later.Add(90*time.Second))
	if held := len(d.cur) + len(d.prev); held != 2 {
		t.Errorf("the cache holds %d events, want the 2 of the last window", held)
	}
	if _, dup := d.store("late1", fingerprint{}, nil, later.Add(time.Minute)); !dup {
		t.Error("an event within the window was forgotten with the old generation")
	}
}

// TestDedupeRacing: deliveries of one event that race each other all get
// the answer of the one that got there first, and only it is new.
func TestDedupeRacing(t *testing.T) {
	d := newDedupe(DefaultDedupeSize, DefaultDedupeWindow)
	const n = 16
	answers := make([][]byte, n)
	dups := make([]bool, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			answers[i], dups[i] = d.store("e", fingerprint{digits: "1"}, fmt.Appendf(nil, "answer %d", i), dedupeEpoch)
		})
	}
	wg.Wait()
	firsts := 0
	for i := range n {
		if !dups[i] {
			firsts++
		}
		if !sameBytes(answers[i], answers[0]) {
			t.Errorf("delivery %d got %q, delivery 0 %q", i, answers[i], answers[0])
		}
	}
	if firsts != 1 {
		t.Errorf("%d deliveries were taken for the first, want 1", firsts)
	}
}

// BenchmarkDedupe measures remembering a new event in a cache of the
// default size that has turned over: what every VCA costs.
func BenchmarkDedupe(b *testing.B) {
	d := newDedupe(DefaultDedupeSize, DefaultDedupeWindow)
	id := []byte("77e6a667-133a-11ef-9dd4-000000000000")
	fp := fingerprint{eventType: "CALL_ACTION", callStatus: "ACTION_COMPLETED", clientActionID: "reservations", digits: "2"}
	answer := []byte("{}")
	n := 0
	next := func() string {
		n++
		for i, v := len(id)-1, n; i >= len(id)-12; i-- {
			id[i] = "0123456789abcdef"[v&15]
			v >>= 4
		}
		return string(id)
	}
	for range 3 * DefaultDedupeSize {
		d.store(next(), fp, answer, dedupeEpoch)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, dup := d.store(next(), fp, answer, dedupeEpoch); dup {
			b.Fatal("a new event taken for a duplicate")
		}
	}
}
