package server

import (
	"fmt"
	"testing"
	"time"
)

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
	// The same eventId with other content is another event.
	other := fingerprint{clientActionID: "main_menu", digits: "2"}
	if _, ok := d.lookup("e1", other); ok {
		t.Fatal("an eventId with other digits was taken for a duplicate")
	}
	if got, dup := d.store("e1", other, b); dup || string(got) != "b" {
		t.Fatalf("store of other content = %q, %v; want b, false", got, dup)
	}
	// Past the window an event is forgotten.
	now = now.Add(time.Minute + time.Second)
	if _, ok := d.lookup("e1", other); ok {
		t.Fatal("found an event older than the window")
	}
	// The ring holds 3: the fourth new ID evicts the oldest.
	for i := 2; i <= 4; i++ {
		d.store(fmt.Sprintf("e%d", i), fp, a)
	}
	if _, ok := d.lookup("e1", other); ok {
		t.Error("e1 not evicted by e4")
	}
	for i := 2; i <= 4; i++ {
		if _, ok := d.lookup(fmt.Sprintf("e%d", i), fp); !ok {
			t.Errorf("e%d evicted too early", i)
		}
	}
	if len(d.byID) != 3 {
		t.Errorf("holds %d events, want 3", len(d.byID))
	}
}

// lookup returns the answer to the event id with fingerprint fp, if it was
// answered within the window, as store would find it.
func (d *dedupe) lookup(id string, fp fingerprint) ([]byte, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.find(id, fp, d.now())
}
