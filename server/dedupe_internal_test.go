package server

import (
	"fmt"
	"testing"
	"time"
)

// lookup returns the answer to the event id with fingerprint fp, if it was
// answered within the window, as store would find it.
func (d *dedupe) lookup(id string, fp fingerprint) ([]byte, bool) {
	key, fph := d.hashes(id, fp)
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.find(key, fph, d.now().UnixNano())
}

func TestDedupe(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	d := newDedupe(3, time.Minute)
	d.now = func() time.Time { return now }
	fp := fingerprint{clientActionID: "main_menu", digits: "1"}
	a, b := []byte("a"), []byte("b")

	if _, ok := d.lookup("e1", fp); ok {
		t.Fatal("found an event never stored")
	}
	if got, dup := d.store("e1", fp, a); dup || string(got) != "a" {
		t.Fatalf("first store = %q, %v; want a, false", got, dup)
	}
	if got, ok := d.lookup("e1", fp); !ok || string(got) != "a" {
		t.Fatalf("lookup after store = %q, %v", got, ok)
	}
	// A racing second delivery keeps the first answer.
	if got, dup := d.store("e1", fp, b); !dup || string(got) != "a" {
		t.Fatalf("second store = %q, %v; want a, true", got, dup)
	}
	// The same eventId with other content is another event, and so is one
	// whose fields run into each other differently.
	for _, other := range []fingerprint{
		{clientActionID: "main_menu", digits: "2"},
		{clientActionID: "main_menu1"},
		{callStatus: "main_menu", digits: "1"},
	} {
		if _, ok := d.lookup("e1", other); ok {
			t.Fatalf("%+v was taken for a duplicate of %+v", other, fp)
		}
	}
	other := fingerprint{clientActionID: "main_menu", digits: "2"}
	if got, dup := d.store("e1", other, b); dup || string(got) != "b" {
		t.Fatalf("store of other content = %q, %v; want b, false", got, dup)
	}
	// Past the window an event is forgotten.
	now = now.Add(time.Minute + time.Second)
	if _, ok := d.lookup("e1", other); ok {
		t.Fatal("found an event older than the window")
	}
}

// TestDedupeGenerations: the cache keeps between size and 2*size events,
// dropping the oldest generation whole.
func TestDedupeGenerations(t *testing.T) {
	d := newDedupe(3, time.Hour)
	fp := fingerprint{digits: "1"}
	store := func(i int) { d.store(fmt.Sprintf("e%d", i), fp, []byte("x")) }
	has := func(i int) bool { _, ok := d.lookup(fmt.Sprintf("e%d", i), fp); return ok }
	for i := 1; i <= 4; i++ { // e4 starts a new generation
		store(i)
	}
	for i := 1; i <= 4; i++ {
		if !has(i) {
			t.Errorf("e%d forgotten with 4 events in a cache of 3", i)
		}
	}
	for i := 5; i <= 7; i++ { // e7 starts another: e1-e3 go
		store(i)
	}
	if d.turns != 2 {
		t.Errorf("%d generations turned over, want 2", d.turns)
	}
	for i := 1; i <= 7; i++ {
		if want := i >= 4; has(i) != want {
			t.Errorf("e%d remembered = %v, want %v", i, has(i), want)
		}
	}
}
