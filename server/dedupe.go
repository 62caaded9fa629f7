package server

import (
	"sync"
	"time"
)

// Defaults of the duplicate-delivery cache.
const (
	// DefaultDedupeSize is how many answered events are remembered. At
	// 8x8's pace, a VCA every few seconds per call in progress, it covers
	// minutes of a busy line in a few megabytes.
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
	fingerprint fingerprint
	body        []byte // shared, never modified: a node's Response or a constant
	at          time.Time
}

// dedupe remembers the answers to recent events by eventId, so that an
// event 8x8 delivers twice gets the same answer and is counted once, even
// when the flow was reloaded in between. It holds at most size events, and
// forgets the oldest first; an entry older than window is ignored.
type dedupe struct {
	mu     sync.Mutex
	byID   map[string]answered
	order  []string // a ring of the IDs in byID, oldest at next
	next   int
	window time.Duration
	now    func() time.Time
}

func newDedupe(size int, window time.Duration) *dedupe {
	return &dedupe{
		byID:   make(map[string]answered, size),
		order:  make([]string, size),
		window: window,
		now:    time.Now,
	}
}

func (d *dedupe) find(id string, fp fingerprint, now time.Time) ([]byte, bool) {
	a, ok := d.byID[id]
	if !ok || a.fingerprint != fp || now.Sub(a.at) > d.window {
		return nil, false
	}
	return a.body, true
}

// store remembers body as the answer to the event id with fingerprint fp,
// unless a delivery of the same event got there first: then it returns
// that answer and true, and the caller answers with it instead. This keeps
// two deliveries that race each other to one answer, counted once.
func (d *dedupe) store(id string, fp fingerprint, body []byte) ([]byte, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	if first, ok := d.find(id, fp, now); ok {
		return first, true
	}
	if _, ok := d.byID[id]; !ok {
		// A new ID takes the oldest slot of the ring; a known one (same
		// eventId, other content, or expired) is overwritten in place.
		if old := d.order[d.next]; old != "" {
			delete(d.byID, old)
		}
		d.order[d.next] = id
		d.next = (d.next + 1) % len(d.order)
	}
	d.byID[id] = answered{fingerprint: fp, body: body, at: now}
	return body, false
}
