package server

import (
	"hash/maphash"
	"math/bits"
	"sync"
	"time"
)

// Defaults of the duplicate-delivery cache.
const (
	// DefaultDedupeSize is how many answered events are remembered, at
	// least. At 8x8's pace, a VCA every few seconds per call in progress,
	// it covers minutes of a busy line, in at most 8.375 MiB (8.78 MB) per
	// cache (a server has one for VCAs and one for VSS): in each of two
	// generations, a large table of 2^17 slots of 32 bytes (4 MiB), a
	// small one of 4096 slots (128 KiB) and a filter of 64 KiB.
	DefaultDedupeSize = 1 << 16
	// DefaultDedupeWindow is how long an answered event is remembered.
	DefaultDedupeWindow = 10 * time.Minute
)

// fingerprint is what an answer was made from. A delivery of an eventId
// already answered with another fingerprint is not the same event.
type fingerprint struct {
	eventType, callStatus, clientActionID, digits string
}

// answered is what the server answered to one event. It holds no pointers,
// so that the garbage collector never scans the cache's tables: a full cache
// is megabytes, which every collection would otherwise mark again.
type answered struct {
	fingerprint uint64 // a hash of the fingerprint
	at          int64  // when, in Unix nanoseconds
	body        uint32 // the answer's index in its generation's bodies
}

// dedupe remembers the answers to recent events by eventId, so that an
// event 8x8 delivers twice gets the same answer and is counted once, even
// when the flow was reloaded in between. An entry older than window is
// ignored.
//
// Events are kept by a 64-bit hash of their eventId, in two generations:
// new ones go into the current one, and when it holds size events it
// becomes the previous one and the old previous one is emptied to become
// the current one. So between size and 2*size recent events are
// remembered, and remembering one costs no more than a table insert: no
// per-event eviction, and no allocation once both generations have grown.
// Two eventIds of one hash, and fingerprints too, would be needed for one
// event to be taken for another: about one chance in 10^9 among 2^17
// events.
type dedupe struct {
	mu     sync.Mutex
	cur    *generation
	prev   *generation
	size   int
	window int64 // in nanoseconds
	seed   maphash.Seed
	turns  int // generations turned over, for tests
}

// generation is one generation of a dedupe's events.
//
// Under load, a table of tens of thousands of events is mostly out of the
// processor's caches, and nearly every event is new: were it looked up in
// both generations' tables and then put in one, each webhook would wait on
// memory. So each generation has a Bloom filter of its events, 8 bits an
// event, small enough to stay in cache: it tells, but for about one event
// in 20, that an event is not in the generation, and the tables are only
// read when it might be. And a new event goes first into a small table,
// recent, that stays in cache too; when that holds recentEvents events,
// they move into the large one together, where the processor can wait on
// several slots at once rather than on each in turn.
type generation struct {
	recent table    // the newest events, up to recentEvents
	events table    // the others
	filter []uint64 // the Bloom filter: two bits of a word an event
	// bodies are the answers given to the generation's events, each once.
	// They are node responses and constants, shared and never modified, so
	// there are no more of them than nodes in the flows served meanwhile.
	bodies [][]byte
	index  map[*byte]uint32 // bodies by the address of their first byte
	probes int              // reads of events, for tests
}

// recentEvents is how many events a generation keeps in its small table:
// 2048 events in 4096 slots, 128 KiB.
const recentEvents = 2048

// newGeneration returns an empty generation. Its tables grow as events
// come, and keep their memory when the generation is reset, so they are
// allocated while the first two generations fill and not again.
func newGeneration(size int) *generation {
	words := 1
	for words*64 < 8*size {
		words *= 2
	}
	return &generation{
		filter: make([]uint64, words),
		index:  make(map[*byte]uint32),
	}
}

// table holds a generation's events by key, in one array of slots with
// open addressing and linear probing, never more than half full. A Go map
// of tens of thousands of events, mostly out of the processor's caches,
// reads a control word and then a slot for each new event: two misses.
// Here the slot where the search for a new event ends is where it goes.
type table struct {
	slots []slot // a power of two of them, or none
	n     int    // the events held
	shift uint   // 64 - log2(len(slots)): a key's home slot is key >> shift
}

// slot is an event of a table, or none when key is 0. Keys are never 0:
// see dedupe.hashes.
type slot struct {
	key uint64
	a   answered
}

// minSlots is the size of a table's first array.
const minSlots = 64

// search returns the slot of key, and true, or the empty slot where key
// would go, and false. The table must have slots.
func (t *table) search(key uint64) (*slot, bool) {
	mask := len(t.slots) - 1
	for i := int(key >> t.shift); ; i = (i + 1) & mask {
		s := &t.slots[i]
		switch s.key {
		case key:
			return s, true
		case 0:
			return s, false
		}
	}
}

// get returns the event of key.
func (t *table) get(key uint64) (answered, bool) {
	if t.n == 0 {
		return answered{}, false
	}
	if s, ok := t.search(key); ok {
		return s.a, true
	}
	return answered{}, false
}

// put sets the event of key to a.
func (t *table) put(key uint64, a answered) {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	s, ok := t.search(key)
	if !ok {
		s.key = key
		t.n++
	}
	s.a = a
}

// grow doubles the slots, or makes the first ones.
func (t *table) grow() {
	old := t.slots
	size := max(minSlots, 2*len(old))
	t.slots = make([]slot, size)
	t.shift = uint(64 - bits.TrailingZeros(uint(size)))
	t.n = 0
	t.putAll(old)
}

// putAll puts the events of slots, another table's, in t.
func (t *table) putAll(slots []slot) {
	for i := range slots {
		if s := &slots[i]; s.key != 0 {
			t.put(s.key, s.a)
		}
	}
}

// len returns how many events t holds.
func (t *table) len() int { return t.n }

// reset empties t, keeping its slots.
func (t *table) reset() {
	clear(t.slots)
	t.n = 0
}

// filterBits returns the word of g.filter for key, and its two bits there.
func (g *generation) filterBits(key uint64) (*uint64, uint64) {
	word := &g.filter[(key>>12)&uint64(len(g.filter)-1)]
	return word, 1<<(key&63) | 1<<((key>>6)&63)
}

// mightHold reports whether key may be in g; false is certain.
func (g *generation) mightHold(key uint64) bool {
	word, bits := g.filterBits(key)
	return *word&bits == bits
}

// get returns the event of key in g.
func (g *generation) get(key uint64) (answered, bool) {
	if !g.mightHold(key) {
		return answered{}, false
	}
	if a, ok := g.recent.get(key); ok {
		return a, true
	}
	g.probes++
	return g.events.get(key)
}

// len returns how many events g holds. An event put again while it was in
// events, with another fingerprint, is counted twice until it moves there.
func (g *generation) len() int { return g.recent.len() + g.events.len() }

// put remembers the event of key. If key is in events already, the event
// put in recent replaces it: get finds it first, and it replaces the old one
// when it moves.
func (g *generation) put(key uint64, a answered) {
	if g.recent.len() == recentEvents {
		g.events.putAll(g.recent.slots)
		g.recent.reset()
	}
	g.recent.put(key, a)
	word, bits := g.filterBits(key)
	*word |= bits
}

// intern returns the index of body in g.bodies, adding it if needed.
func (g *generation) intern(body []byte) uint32 {
	var p *byte // nil for an empty body
	if len(body) > 0 {
		p = &body[0]
	}
	if i, ok := g.index[p]; ok && len(g.bodies[i]) == len(body) {
		return i
	}
	i := uint32(len(g.bodies))
	g.bodies = append(g.bodies, body)
	g.index[p] = i
	return i
}

// reset empties g, keeping its memory for the next generation.
func (g *generation) reset() {
	g.recent.reset()
	g.events.reset()
	clear(g.filter)
	clear(g.index)
	clear(g.bodies)
	g.bodies = g.bodies[:0]
}

func newDedupe(size int, window time.Duration) *dedupe {
	return &dedupe{
		cur:    newGeneration(size),
		prev:   newGeneration(size),
		size:   size,
		window: int64(window),
		seed:   maphash.MakeSeed(),
	}
}

// hashes returns the keys of an event in the cache: its eventId's hash and
// its fingerprint's.
func (d *dedupe) hashes(id string, fp fingerprint) (uint64, uint64) {
	var h maphash.Hash
	h.SetSeed(d.seed)
	for _, s := range [...]string{fp.eventType, fp.callStatus, fp.clientActionID, fp.digits} {
		h.WriteString(s)
		h.WriteByte(0)
	}
	key := maphash.String(d.seed, id)
	if key == 0 {
		key = 1 // 0 marks an empty slot
	}
	return key, h.Sum64()
}

// find returns the answer to the event of key and fingerprint fp, if it
// was answered within the window before now. Only the newest answer to key
// counts: the current generation is searched first, and an event of key
// there, with another fingerprint or too old, hides one in the previous
// generation.
func (d *dedupe) find(key, fp uint64, now int64) (body []byte, found bool) {
	g := d.cur
	a, ok := g.get(key)
	if !ok {
		g = d.prev
		if a, ok = g.get(key); !ok {
			return nil, false
		}
	}
	if a.fingerprint != fp || now-a.at > d.window {
		return nil, false
	}
	return g.bodies[a.body], true
}

// store remembers body as the answer, given at now, to the event id with
// fingerprint fp, unless a delivery of the same event got there first:
// then it returns that answer and true, and the caller answers with it
// instead. This keeps two deliveries that race each other to one answer,
// counted once.
func (d *dedupe) store(id string, fp fingerprint, body []byte, now time.Time) ([]byte, bool) {
	key, fph := d.hashes(id, fp)
	at := now.UnixNano()
	d.mu.Lock()
	defer d.mu.Unlock()
	if first, found := d.find(key, fph, at); found {
		return first, true
	}
	// An event of key already in the current generation, with another
	// fingerprint or too old, may turn it over too: its event there goes
	// to the previous generation with the others, where the new one, put
	// in the current generation, hides it.
	if d.cur.len() >= d.size {
		d.prev, d.cur = d.cur, d.prev
		d.cur.reset()
		d.turns++
	}
	d.cur.put(key, answered{fingerprint: fph, at: at, body: d.cur.intern(body)})
	return body, false
}
