package switches

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultPoll is how often File.Watch looks at the file when no event
// says it changed: the longest a flip takes to reach a server whose file
// system sends no events for it (another host writing a shared volume).
// On one host, an event brings it in milliseconds.
const DefaultPoll = time.Second

// Suffix ends the name of the file beside a flow that holds its switches:
// flows/hotel.yaml keeps them in flows/hotel.switches.json.
const Suffix = ".switches.json"

// PathFor returns the store file of the flow file flow: beside it, with
// its extension replaced by Suffix.
func PathFor(flow string) string {
	return strings.TrimSuffix(flow, filepath.Ext(flow)) + Suffix
}

// File is a Store in a JSON file, written whole and atomically (a
// temporary file renamed over it), under an exclusive lock on the file
// beside it named .lock, so that the CLI and servers can flip switches at
// the same time without losing one. A missing file is an empty store.
type File struct {
	path string
	// Poll is how often Watch looks at the file without an event; zero
	// is DefaultPoll.
	Poll time.Duration
	// noEvents makes Watch poll only, as on a file system that sends no
	// events for another host's writes; for tests.
	noEvents bool
	// mu serialises this process's writes, which flock alone does not
	// (its lock belongs to an open file, and each Set opens its own).
	mu sync.Mutex
}

// NewFile returns the store in the file path (see PathFor).
func NewFile(path string) *File { return &File{path: path} }

// Path returns the store's file.
func (f *File) Path() string { return f.path }

// Delay is the longest a change takes to reach Watch: its Poll.
func (f *File) Delay() time.Duration {
	if f.Poll > 0 {
		return f.Poll
	}
	return DefaultPoll
}

// Load reads the file; a missing one is the zero State.
func (f *File) Load(context.Context) (State, error) {
	src, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return State{}, nil
	}
	if err != nil {
		return State{}, fmt.Errorf("read switches: %w", err)
	}
	var st State
	if err := json.Unmarshal(src, &st); err != nil {
		return State{}, fmt.Errorf("read switches from %s: %w", f.path, err)
	}
	return st, nil
}

// Set records the flip fl in the file, under its lock.
func (f *File) Set(ctx context.Context, fl Flip) (State, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l, err := os.OpenFile(f.path+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return State{}, fmt.Errorf("lock switches: %w", err)
	}
	defer l.Close()
	if err := lock(l); err != nil {
		return State{}, fmt.Errorf("lock switches: %w", err)
	}
	defer unlock(l) //nolint:errcheck // closing the file releases it too
	st, err := f.Load(ctx)
	if err != nil {
		return State{}, err
	}
	st = record(st, clean(fl))
	if err := writeAtomic(f.path, st); err != nil {
		return State{}, err
	}
	return st, nil
}

// writeAtomic writes st to path through a temporary file in its folder,
// synced and renamed over it: a reader sees the old file or the new one,
// never a part of either.
func writeAtomic(path string, st State) error {
	src, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("write switches: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write switches: %w", err)
	}
	_, err = tmp.Write(append(src, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write switches: %w", err)
	}
	return nil
}

// Watch calls fn with the file's state now, then whenever the file is
// replaced or changes: at once on an event of its folder, and otherwise
// within Poll. A file it cannot read or parse is skipped.
func (f *File) Watch(ctx context.Context, fn func(State)) error {
	var events <-chan fsnotify.Event
	if w, err := fsnotify.NewWatcher(); err == nil && !f.noEvents {
		defer w.Close()
		if w.Add(filepath.Dir(f.path)) == nil {
			events = w.Events
		}
	}
	abs, _ := filepath.Abs(f.path)
	tick := time.NewTicker(f.Delay())
	defer tick.Stop()
	var seen fs.FileInfo
	look := func() {
		fi, err := os.Stat(f.path)
		if err != nil {
			fi = nil
		}
		if seen != nil && fi != nil && os.SameFile(seen, fi) && seen.ModTime().Equal(fi.ModTime()) && seen.Size() == fi.Size() {
			return
		}
		if st, err := f.Load(ctx); err == nil && (fi != nil || seen != nil) {
			fn(st)
		}
		seen = fi
	}
	if st, err := f.Load(ctx); err == nil {
		fn(st)
	}
	seen, _ = os.Stat(f.path)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			look()
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			if p, _ := filepath.Abs(ev.Name); p == abs {
				look()
			}
		}
	}
}
