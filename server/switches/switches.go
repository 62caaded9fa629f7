// Package switches keeps the positions operators set a flow's switches to
// (see engine.Switch), apart from the flow, so that a switch is flipped
// without touching the flow file: by ivrctl switch set, or the server's
// admin endpoint. A position survives a restart, and every replica that
// serves the flow sees it within a stated delay.
//
// A Store is where the positions live. File, the embedded default, keeps
// them in a JSON file beside the flow (FLOW.switches.json), which the CLI
// and every server on the same host or shared volume read and write. A
// database store (the call records database of later issues) implements
// the same interface: Load reads one row per switch and the recent flips,
// Set writes a flip and the new position in one transaction that also
// bumps a sequence, and Watch polls the sequence (or LISTENs for it).
package switches

import (
	"context"
	"time"

	"github.com/ivrctl/ivrctl/engine"
)

// MaxHistory is how many flips a store keeps, the newest: enough to tell
// who flipped what this week, bounded so that the file stays small.
const MaxHistory = 100

// MaxBy bounds the length of who flipped a switch, as a store keeps it.
const MaxBy = 64

// Flip is one change of a switch's position: which, to what, by whom and
// when.
type Flip struct {
	Name string    `json:"name"`
	On   bool      `json:"on"`
	By   string    `json:"by"`
	At   time.Time `json:"at"`
}

// State is what a store holds: the positions set, and the flips that set
// them.
type State struct {
	// Seq counts the flips the store has taken, across every process that
	// writes it: a server keeps the state with the highest Seq it has
	// seen, so that a watch that read the store just before a flip cannot
	// undo it.
	Seq uint64 `json:"seq"`
	// Positions are the switches set, by name; a switch not in it is at
	// the flow's default.
	Positions engine.Switches `json:"positions"`
	// History are the last flips, oldest first, at most MaxHistory.
	History []Flip `json:"history"`
}

// Store is where the positions of one flow's switches live. Its methods
// are safe for concurrent use, by several goroutines and, for a shared
// store, by several processes.
type Store interface {
	// Load reads the state. A store that holds nothing yet is the zero
	// State, not an error.
	Load(ctx context.Context) (State, error)
	// Set records f (its At set by the store when zero, its By cut to
	// MaxBy) and returns the state with it, which the store holds once
	// Set returns.
	Set(ctx context.Context, f Flip) (State, error)
	// Watch calls fn with the state whenever it may have changed,
	// whoever changed it, until ctx ends, and returns nil then; fn sees a
	// change within the store's Delay. A state it cannot read is skipped
	// (and seen again at the next change).
	Watch(ctx context.Context, fn func(State)) error
	// Delay is the longest a change takes to reach Watch's fn.
	Delay() time.Duration
}

// record returns st with f applied: the position set, the flip added to
// the history (the oldest dropped beyond MaxHistory), the sequence bumped.
func record(st State, f Flip) State {
	pos := engine.Switches{}
	for k, v := range st.Positions {
		pos[k] = v
	}
	pos[f.Name] = f.On
	h := append(st.History, f)
	if len(h) > MaxHistory {
		h = h[len(h)-MaxHistory:]
	}
	return State{Seq: st.Seq + 1, Positions: pos, History: append([]Flip(nil), h...)}
}

// clean fills in f's time and bounds its author.
func clean(f Flip) Flip {
	if f.At.IsZero() {
		f.At = time.Now()
	}
	f.At = f.At.UTC().Round(0)
	if r := []rune(f.By); len(r) > MaxBy {
		f.By = string(r[:MaxBy])
	}
	return f
}
