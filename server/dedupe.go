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
	// it covers minutes of a busy line. An event takes about 150 bytes of
	// map, so a full cache holds 10 to 20 MB (a server has one for VCAs
	// and one for VSS, which holds far fewer).
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
	fingerprint uint64 // a hash of the event's fingerprint, as of its ID
	at          time.Time
	// body is the answer: a node's compiled response or a constant, shared
	// and never modified.
	body []byte
}

// dedupe remembers the answers to recent events by ID, so that an event
// 8x8 delivers twice gets the same answer and is counted once, even when
// the flow was reloaded in between. An answer older than window is
// ignored.
//
// Events are kept by a 64-bit hash of their ID, not the ID itself, which
// is a substring of the whole decoded webhook: keeping it would keep the
// webhook. For one event to be taken for another, two IDs would need the
// same hash and the same fingerprint hash too: about one chance in 10^9
// between two events of 2^17, and then only if the fingerprints collide.
//
// It keeps two generations of events, each a map: new events go into the
// current one; when it holds size events, or began longer than window
// ago, it becomes the previous one and the old previous one is dropped.
// So between size and 2*size recent events are remembered, and forgetting
// costs no per-event bookkeeping.
type dedupe struct {
	mu      sync.Mutex
	cur     map[uint64]answered
	prev    map[uint64]answered
	curFrom time.Time // when cur began
	size    int
	window  time.Duration
	seed    maphash.Seed
}

func newDedupe(size int, window time.Duration) *dedupe {
	return &dedupe{
		cur:    make(map[uint64]answered),
		prev:   make(map[uint64]answered),
		size:   size,
		window: window,
		seed:   maphash.MakeSeed(),
	}
}

// hash returns the hash of fp that the cache keeps. The fields are ended
// with a zero byte so that ("ab", "c") and ("a", "bc") differ.
func (d *dedupe) hash(fp fingerprint) uint64 {
	var h maphash.Hash
	h.SetSeed(d.seed)
	for _, s := range [...]string{fp.eventType, fp.callStatus, fp.clientActionID, fp.digits} {
		h.WriteString(s)
		h.WriteByte(0)
	}
	return h.Sum64()
}

// store remembers body as the answer, given at now, to the event id with
// fingerprint fp, unless a delivery of the same event got there first:
// then it returns that answer and true, and the caller answers with it
// instead. This keeps two deliveries that race each other to one answer,
// counted once.
func (d *dedupe) store(id string, fp fingerprint, body []byte, now time.Time) ([]byte, bool) {
	h := d.hash(fp)
	key := maphash.String(d.seed, id)
	d.mu.Lock()
	defer d.mu.Unlock()
	// The current generation holds the newest answer to id, if any: an
	// older one in the previous generation no longer counts.
	a, ok := d.cur[key]
	if !ok {
		a, ok = d.prev[key]
	}
	if ok && a.fingerprint == h && now.Sub(a.at) <= d.window {
		return a.body, true
	}
	if len(d.cur) >= d.size || now.Sub(d.curFrom) > d.window {
		// The previous generation goes whole: the current one holds size
		// newer events, or began a window ago and so everything before
		// it is stale.
		d.prev, d.cur = d.cur, d.prev
		clear(d.cur) // keeps its memory for the next generation
		d.curFrom = now
	}
	d.cur[key] = answered{fingerprint: h, at: now, body: body}
	return body, false
}
