package server

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// lookup returns the answer to the event id with fingerprint fp, if it was
// answered within the window before now, as store would find it.
func (d *dedupe) lookup(id string, fp fingerprint, now time.Time) ([]byte, bool) {
	key, fph := d.hashes(id, fp)
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.find(key, fph, now.UnixNano())
}

func TestDedupe(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	d := newDedupe(3, time.Minute)
	fp := fingerprint{clientActionID: "main_menu", digits: "1"}
	a, b := []byte("a"), []byte("b")

	if _, ok := d.lookup("e1", fp, now); ok {
		t.Fatal("found an event never stored")
	}
	if got, dup := d.store("e1", fp, a, now); dup || string(got) != "a" {
		t.Fatalf("first store = %q, %v; want a, false", got, dup)
	}
	if got, ok := d.lookup("e1", fp, now); !ok || string(got) != "a" {
		t.Fatalf("lookup after store = %q, %v", got, ok)
	}
	// A racing second delivery keeps the first answer.
	if got, dup := d.store("e1", fp, b, now); !dup || string(got) != "a" {
		t.Fatalf("second store = %q, %v; want a, true", got, dup)
	}
	// The same eventId with other content is another event, and so is one
	// whose fields run into each other differently.
	for _, other := range []fingerprint{
		{clientActionID: "main_menu", digits: "2"},
		{clientActionID: "main_menu1"},
		{callStatus: "main_menu", digits: "1"},
	} {
		if _, ok := d.lookup("e1", other, now); ok {
			t.Fatalf("%+v was taken for a duplicate of %+v", other, fp)
		}
	}
	other := fingerprint{clientActionID: "main_menu", digits: "2"}
	if got, dup := d.store("e1", other, b, now); dup || string(got) != "b" {
		t.Fatalf("store of other content = %q, %v; want b, false", got, dup)
	}
	// Up to the window an event is remembered; past it, forgotten.
	if _, ok := d.lookup("e1", other, now.Add(time.Minute)); !ok {
		t.Fatal("forgot an event at the end of the window")
	}
	if _, ok := d.lookup("e1", other, now.Add(time.Minute+time.Nanosecond)); ok {
		t.Fatal("found an event older than the window")
	}
}

// TestDedupeGenerations: the cache keeps between size and 2*size events,
// dropping the oldest generation whole, and each remembered event keeps
// its own answer across the turns.
func TestDedupeGenerations(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	d := newDedupe(3, time.Hour)
	fp := fingerprint{digits: "1"}
	// Three answers, shared between events as node responses are.
	answers := [][]byte{[]byte("zero"), []byte("one"), []byte("two")}
	answer := func(i int) []byte { return answers[i%len(answers)] }
	store := func(i int) { d.store(fmt.Sprintf("e%d", i), fp, answer(i), now) }
	check := func(i int, want bool) {
		t.Helper()
		got, ok := d.lookup(fmt.Sprintf("e%d", i), fp, now)
		switch {
		case ok != want:
			t.Errorf("e%d remembered = %v, want %v", i, ok, want)
		case ok && &got[0] != &answer(i)[0]:
			t.Errorf("e%d answered %q, want %q", i, got, answer(i))
		}
	}
	for i := 1; i <= 4; i++ { // e4 starts a new generation
		store(i)
	}
	for i := 1; i <= 4; i++ {
		check(i, true)
	}
	for i := 5; i <= 7; i++ { // e7 starts another: e1-e3 go
		store(i)
	}
	if d.turns != 2 {
		t.Errorf("%d generations turned over, want 2", d.turns)
	}
	for i := 1; i <= 7; i++ {
		check(i, i >= 4)
	}
	if n := len(d.cur.bodies) + len(d.prev.bodies); n > 2*len(answers) {
		t.Errorf("the generations hold %d answers, want at most %d: shared answers are kept once", n, 2*len(answers))
	}
}

// TestDedupeTurnOverOnStoredKey: an event stored again with other content
// when the current generation is full turns it over, and the new answer
// hides the old one, now in the previous generation.
func TestDedupeTurnOverOnStoredKey(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	d := newDedupe(3, time.Hour)
	first, second := fingerprint{digits: "1"}, fingerprint{digits: "2"}
	for _, id := range []string{"e1", "e2", "e3"} {
		d.store(id, first, []byte("a"), now)
	}
	if got, dup := d.store("e2", second, []byte("b"), now); dup || string(got) != "b" {
		t.Fatalf("store of other content = %q, %v; want b, false", got, dup)
	}
	if d.turns != 1 {
		t.Errorf("%d generations turned over, want 1", d.turns)
	}
	if got, ok := d.lookup("e2", second, now); !ok || string(got) != "b" {
		t.Errorf("e2's new content: %q, %v; want b", got, ok)
	}
	if got, ok := d.lookup("e2", first, now); ok {
		t.Errorf("e2's old content is still answered, with %q", got)
	}
	for _, id := range []string{"e1", "e3"} {
		if got, ok := d.lookup(id, first, now); !ok || string(got) != "a" {
			t.Errorf("%s: %q, %v; want a", id, got, ok)
		}
	}
}

// TestDedupeFilter: a new event is rarely looked up in the previous
// generation's large table, and an event there is always found. The size
// is a power of two, so that the filter has 8 bits an event, as at
// DefaultDedupeSize, and no more: about one new event in 20 gets past it
// with two bits an event, more than one in 10 with one.
func TestDedupeFilter(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	const size = 8192
	d := newDedupe(size, time.Hour)
	id := func(i int) string { return fmt.Sprintf("77e6a667-133a-11ef-9dd4-%012d", i) }
	for i := range size + 1 { // the last one turns the generations over
		d.store(id(i), fingerprint{}, emptyObject, now)
	}
	d.prev.probes = 0
	for i := size + 1; i < 2*size; i++ {
		if _, dup := d.store(id(i), fingerprint{}, emptyObject, now); dup {
			t.Fatalf("event %d taken for a duplicate", i)
		}
	}
	if bits := 64 * len(d.prev.filter); bits != 8*size {
		t.Fatalf("the filter has %d bits for %d events, want 8 an event", bits, size)
	}
	if d.prev.probes > size*8/100 {
		t.Errorf("%d of %d new events looked up in the previous generation's large table, want at most 8%%", d.prev.probes, size-1)
	}
	for i := range size {
		if _, ok := d.lookup(id(i), fingerprint{}, now); !ok {
			t.Fatalf("event %d of the previous generation not found", i)
		}
	}
}

// TestDedupeHoldsNoPointers: the cache's events must stay free of
// pointers, or every garbage collection scans the whole cache.
func TestDedupeHoldsNoPointers(t *testing.T) {
	if typ := reflect.TypeOf(newGeneration(0).events.slots).Elem(); !pointerFree(typ) {
		t.Errorf("the cache's events hold pointers in %v", typ)
	}
}

// pointerFree reports whether values of typ hold no pointers.
func pointerFree(typ reflect.Type) bool {
	switch typ.Kind() {
	case reflect.Struct:
		for i := range typ.NumField() {
			if !pointerFree(typ.Field(i).Type) {
				return false
			}
		}
		return true
	case reflect.Array:
		return pointerFree(typ.Elem())
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return true
	}
	return false
}

// BenchmarkDedupe measures remembering a new event in a cache of the
// default size that has turned over: what every VCA costs.
func BenchmarkDedupe(b *testing.B) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
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
		d.store(next(), fp, answer, now)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, dup := d.store(next(), fp, answer, now); dup {
			b.Fatal("a new event taken for a duplicate")
		}
	}
}

// TestTable: events put are got back, through collisions, the wrap at
// the end of the slots and growth; the table is never more than half full,
// and a reset empties it but keeps its slots.
func TestTable(t *testing.T) {
	var tb table
	if _, ok := tb.get(1); ok {
		t.Fatal("an empty table found a key")
	}
	// Keys whose home is the last slot of the first array, so that their
	// probes wrap to the start; then keys sharing their home with others.
	var keys []uint64
	for i := range 8 {
		keys = append(keys, ^uint64(0)-uint64(i))
	}
	for i := range 2000 {
		keys = append(keys, uint64(i%50+1)<<58|uint64(i+1))
	}
	for i, k := range keys {
		tb.put(k, answered{fingerprint: k, body: uint32(i)})
		if 2*tb.len() > len(tb.slots) {
			t.Fatalf("%d events in %d slots", tb.len(), len(tb.slots))
		}
	}
	if tb.len() != len(keys) {
		t.Fatalf("len = %d, want %d", tb.len(), len(keys))
	}
	for i, k := range keys {
		if a, ok := tb.get(k); !ok || a.fingerprint != k || a.body != uint32(i) {
			t.Fatalf("get(%#x) = %+v, %v; want body %d", k, a, ok, i)
		}
	}
	// Putting a key again replaces its event.
	tb.put(keys[3], answered{body: 7})
	if a, _ := tb.get(keys[3]); a.body != 7 || tb.len() != len(keys) {
		t.Errorf("after a second put: %+v, len %d", a, tb.len())
	}
	for _, k := range []uint64{2, 1 << 58, ^uint64(0) - 8} {
		if _, ok := tb.get(k); ok {
			t.Errorf("found %#x, never put", k)
		}
	}
	slots := len(tb.slots)
	tb.reset()
	if tb.len() != 0 || len(tb.slots) != slots {
		t.Fatalf("after reset: len %d, %d slots; want 0, %d", tb.len(), len(tb.slots), slots)
	}
	// The table is empty, not only counted so: after a reset and one put,
	// only that key is there.
	tb.put(keys[1], answered{body: 1})
	for i, k := range keys {
		if _, ok := tb.get(k); ok != (i == 1) {
			t.Fatalf("after a reset and a put of %#x, get(%#x) found = %v", keys[1], k, ok)
		}
	}
	if tb.len() != 1 {
		t.Errorf("after a reset and a put, len = %d, want 1", tb.len())
	}
}

// TestDedupeRecent: events move from a generation's small table to its
// large one without being lost, and an event stored again with other
// content, once its first answer has moved, is answered with the new one
// before and after the new one moves too.
func TestDedupeRecent(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	d := newDedupe(10*recentEvents, time.Hour)
	first, second := fingerprint{digits: "1"}, fingerprint{digits: "2"}
	a, b := []byte("a"), []byte("b")
	d.store("e", first, a, now)
	fill := func(from, n int) {
		for i := from; i < from+n; i++ {
			if _, dup := d.store(fmt.Sprintf("other-%d", i), first, b, now); dup {
				t.Fatalf("other-%d taken for a duplicate", i)
			}
		}
	}
	fill(0, recentEvents) // e moves to the large table
	if d.cur.events.len() == 0 {
		t.Fatal("no event moved to the large table")
	}
	if got, ok := d.lookup("e", first, now); !ok || string(got) != "a" {
		t.Fatalf("after moving: %q, %v; want a", got, ok)
	}
	if _, dup := d.store("e", second, b, now); dup {
		t.Fatal("other content taken for a duplicate")
	}
	next := recentEvents
	for _, moved := range []bool{false, true} {
		if got, ok := d.lookup("e", second, now); !ok || string(got) != "b" {
			t.Errorf("moved %v: second content %q, %v; want b", moved, got, ok)
		}
		if _, ok := d.lookup("e", first, now); ok {
			t.Errorf("moved %v: the first content is still answered", moved)
		}
		fill(next, recentEvents)
		next += recentEvents
	}
	for i := range next {
		if _, ok := d.lookup(fmt.Sprintf("other-%d", i), first, now); !ok {
			t.Fatalf("other-%d lost", i)
		}
	}
}
