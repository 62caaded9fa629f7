package server

import (
	"hash/maphash"
	"sync"
	"time"
)

// Defaults of the duplicate-delivery cache.
const (
	// DefaultDedupeSize is how many answered events are remembered, at
	// least. At 8x8's pace, a VCA every few seconds per call in progress,
	// it covers minutes of a busy line in a few megabytes.
	DefaultDedupeSize = 1 << 16
	// DefaultDedupeWindow is how long an answered event is remembered.
	DefaultDedupeWindow = 10 * time.Minute
)

// fingerprint is what an answer was made from. A delivery of an eventId
// already answered with another fingerprint is not the same event.
type fingerprint struct {
	eventType, callStatus, clientActionID, digits string
}

// answered is what the server answered to one event.
type answered struct {
	fingerprint uint64 // a hash of the fingerprint
	body        []byte // shared, never modified: a node's Response or a constant
	at          int64  // when, in Unix nanoseconds
}

// dedupe remembers the answers to recent events by eventId, so that an
// event 8x8 delivers twice gets the same answer and is counted once, even
// when the flow was reloaded in between. An entry older than window is
// ignored.
//
// Events are kept by a 64-bit hash of their eventId, in two generations:
// new ones go into the current map, and when it holds size events it
// becomes the previous one and the old previous one is dropped whole. So
// between size and 2*size recent events are remembered, and remembering one
// costs no more than a map insert: no per-event eviction. Two eventIds of
// one hash, and fingerprints too, would be needed for one event to be taken
// for another: about one chance in 10^9 among 2^17 events.
type dedupe struct {
	mu     sync.Mutex
	cur    map[uint64]answered
	prev   map[uint64]answered
	size   int
	window time.Duration
	seed   maphash.Seed
	now    func() time.Time
	turns  int // generations turned over, for tests
}

func newDedupe(size int, window time.Duration) *dedupe {
	return &dedupe{
		cur:    make(map[uint64]answered, size),
		size:   size,
		window: window,
		seed:   maphash.MakeSeed(),
		now:    time.Now,
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
	return maphash.String(d.seed, id), h.Sum64()
}

// find returns the answer to the event of key and fingerprint fp, if it
// was answered within the window.
func (d *dedupe) find(key, fp uint64, now int64) ([]byte, bool) {
	a, ok := d.cur[key]
	if !ok {
		a, ok = d.prev[key]
	}
	if !ok || a.fingerprint != fp || now-a.at > int64(d.window) {
		return nil, false
	}
	return a.body, true
}

// store remembers body as the answer to the event id with fingerprint fp,
// unless a delivery of the same event got there first: then it returns
// that answer and true, and the caller answers with it instead. This keeps
// two deliveries that race each other to one answer, counted once.
func (d *dedupe) store(id string, fp fingerprint, body []byte) ([]byte, bool) {
	key, fph := d.hashes(id, fp)
	now := d.now().UnixNano()
	d.mu.Lock()
	defer d.mu.Unlock()
	if first, ok := d.find(key, fph, now); ok {
		return first, true
	}
	if _, ok := d.cur[key]; !ok && len(d.cur) >= d.size {
		d.prev, d.cur = d.cur, make(map[uint64]answered, d.size)
		d.turns++
	}
	d.cur[key] = answered{fingerprint: fph, body: body, at: now}
	return body, false
}
