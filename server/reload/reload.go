// Package reload keeps the flow a server answers with in step with its
// file, as caddy reloads its config apart from its apps: it reads the file
// aside, loads and validates it fully, and only then swaps it in through
// the server's public API. A file with errors is refused and the running
// flow stays; a file that holds the flow being served is a no-op. Every
// reload is logged, with what changed in plain words, and counted.
//
// A Loader reloads on demand (Reload), on a signal (SIGHUP for ivrctl
// serve) and, with Watch, whenever the file changes on disk: events of
// other files in its folder (the server's own log, say) are ignored, and a
// file whose identity, size and time have not changed since it was last
// read is not read again. The keys of menus marked sensitive appear in
// none of the lines it logs.
package reload

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/diff"
)

// Debounce is how long Watch waits after the last change it sees in the
// flow file's folder before it reloads: an editor's save is often a burst
// of events (write a temporary file, rename it over the old one, change
// its mode), and the file is read once, whole.
const Debounce = 100 * time.Millisecond

// Result is what a reload did.
type Result string

// The results of a reload, as the result label of ivrctl_reloads_total
// says them.
const (
	// Accepted: the file loaded with no errors and a new flow is being
	// served.
	Accepted Result = "accepted"
	// Rejected: the file could not be read or has errors; the flow that
	// was being served still is.
	Rejected Result = "rejected"
	// Unchanged: the file holds the flow being served, byte for byte;
	// nothing was done.
	Unchanged Result = "unchanged"
)

// Target is what a Loader reloads: the flow being served, and where
// reloads are counted. *server.Server is one.
type Target interface {
	Flow() *engine.Flow
	// SetFlow swaps a new flow in, atomically.
	SetFlow(*engine.Flow)
	// CountReload counts a reload by its result: accepted, rejected or
	// unchanged.
	CountReload(result string)
}

// Checker is a Target that can refuse a flow that loads with no errors
// but that it cannot serve (*server.Server refuses one that collects
// sensitive values when no state key is set).
type Checker interface {
	CheckFlow(*engine.Flow) error
}

// Loader reloads one flow file into a Target. Its reloads are serialised.
type Loader struct {
	path   string
	target Target
	log    zerolog.Logger
	mu     sync.Mutex
	// seen is the file as the last reload found it, so that a watch
	// event that did not change it does not read it again. Under mu.
	seen os.FileInfo
}

// New returns a Loader of the flow file at path into target, logging to
// log.
func New(path string, target Target, log zerolog.Logger) *Loader {
	return &Loader{path: path, target: target, log: log}
}

// Reload reads the flow file and, if it loads with no errors and differs
// from the flow being served, swaps it in: webhooks already being answered
// finish with the old flow, later ones get the new. A file with errors
// changes nothing; the error holds its diagnostics. Every diagnostic and
// the result are logged, and counted.
func (l *Loader) Reload() (Result, error) {
	return l.reload("call")
}

// reload is Reload, saying in the log what triggered it: "sighup",
// "watch" or "call". A watch that finds nothing changed logs only at debug
// level, since other files of the folder trigger it too.
func (l *Loader) reload(trigger string) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.target.Flow()
	// The file's identity, size and time, taken before it is read: should
	// it change while it is read, the next event finds it changed.
	info, statErr := os.Stat(l.path)
	if trigger == "watch" && statErr == nil && sameFile(l.seen, info) {
		return Unchanged, nil
	}
	l.seen = info
	src, err := os.ReadFile(l.path)
	if err != nil {
		l.target.CountReload(string(Rejected))
		l.log.Error().Err(err).Str("file", l.path).Str("trigger", trigger).
			Str("flow_version", old.Version()).Msg("reload rejected")
		return Rejected, err
	}
	version := engine.ContentVersion(src)
	if version == old.Version() {
		l.target.CountReload(string(Unchanged))
		e := l.log.Info()
		if trigger == "watch" {
			e = l.log.Debug()
		}
		e.Str("file", l.path).Str("trigger", trigger).Str("flow_version", old.Version()).Msg("flow unchanged")
		return Unchanged, nil
	}
	flow, diags, _ := engine.Load(l.path, engine.LoadOptions{Source: src})
	LogDiagnostics(l.log, diags)
	if c, ok := l.target.(Checker); ok && flow != nil {
		if err := c.CheckFlow(flow); err != nil {
			l.target.CountReload(string(Rejected))
			l.log.Error().Err(err).Str("file", l.path).Str("trigger", trigger).
				Str("rejected_version", version).
				Str("flow_version", old.Version()).
				Msg("reload rejected")
			return Rejected, err
		}
	}
	if flow == nil {
		l.target.CountReload(string(Rejected))
		l.log.Error().Str("file", l.path).Str("trigger", trigger).
			Int("errors", diags.Errors()).
			Str("rejected_version", version).
			Str("flow_version", old.Version()).
			Msg("reload rejected")
		return Rejected, diags.Err()
	}
	l.target.SetFlow(flow)
	l.target.CountReload(string(Accepted))
	var changes []string
	for _, c := range diff.Compare(old, flow) {
		changes = append(changes, c.Message)
	}
	l.log.Info().Str("file", l.path).Str("trigger", trigger).
		Str("old_version", old.Version()).
		Str("flow_version", flow.Version()).
		Int("nodes", len(flow.Nodes())).
		Strs("changes", changes).
		Msg("flow reloaded")
	return Accepted, nil
}

// LogDiagnostics logs each diagnostic of a flow file as a line of its
// own, at the level of its severity, as a reload does: ivrctl serve logs
// those of the first load with it. A diagnostic about a menu marked
// sensitive is logged without its words, which may quote the menu's keys
// (a PIN): where it is, its rule, and that ivrctl lint tells it.
func LogDiagnostics(log zerolog.Logger, diags engine.Diagnostics) {
	for _, d := range diags {
		e := log.Warn()
		if d.Severity == engine.SeverityError {
			e = log.Error()
		}
		text := d.String()
		if d.Sensitive {
			text = fmt.Sprintf("%s: %s: a finding about a sensitive menu, not logged; ivrctl lint %s tells it [%s]",
				d.Pos, d.Severity, d.Pos.File, d.Rule)
		}
		e.Str("file", d.Pos.File).Int("line", d.Pos.Line).Int("col", d.Pos.Col).
			Str("severity", d.Severity.String()).Str("rule", d.Rule).
			Str("diagnostic", text).
			Msg("flow diagnostic")
	}
}

// sameFile reports whether the file described by b is the one described
// by a, unchanged: the same file, of the same size and time.
func sameFile(a, b os.FileInfo) bool {
	return a != nil && b != nil && os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

// Watch reloads the flow file whenever it changes on disk and whenever a
// value arrives on hup (SIGHUP, for ivrctl serve), until ctx ends; then it
// returns nil. It watches the file's folder, not the file, so that an
// editor that saves by writing a new file and renaming it over the old one
// is followed, as is a symbolic link swapped to a new target (a Kubernetes
// ConfigMap). Only events of the flow file, of the file it links to and
// of a ConfigMap's ..data link count; a watched event finding the file as
// it was read last is not read again (SIGHUP always reads it). Changes are
// debounced by Debounce.
//
// Once the folder is watched, Watch calls ready, if not nil, so that a
// caller knows a change from then on is seen. If the folder cannot be
// watched, Watch logs why, calls ready all the same and goes on with hup
// alone.
func (l *Loader) Watch(ctx context.Context, hup <-chan os.Signal, ready func()) error {
	w, err := newWatcher(l.path)
	if err != nil {
		l.log.Warn().Err(err).Str("file", l.path).Msg("cannot watch the flow file; reload it with SIGHUP")
		w = nil
	} else {
		defer w.Close()
	}
	if ready != nil {
		ready()
	}
	return l.loop(ctx, hup, w)
}

// ReloadOnSignal is Watch without the watching of the file: it reloads the
// flow file whenever a value arrives on hup, until ctx ends.
func (l *Loader) ReloadOnSignal(ctx context.Context, hup <-chan os.Signal) error {
	return l.loop(ctx, hup, nil)
}

// loop reloads on hup and on the events of w, if not nil, until ctx ends.
func (l *Loader) loop(ctx context.Context, hup <-chan os.Signal, w *watcher) error {
	// A nil channel is never ready: without a watcher, only hup and ctx
	// wake the loop.
	var events <-chan fsnotify.Event
	var errs <-chan error
	if w != nil {
		events, errs = w.Events, w.Errors
	}
	var debounce <-chan time.Time
	var timer *time.Timer
	for {
		select {
		case <-ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			return nil
		case <-hup:
			l.reload("sighup")
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			if !w.names[ev.Name] {
				continue // another file of the folder: the server's log, say
			}
			if timer == nil {
				timer = time.NewTimer(Debounce)
			} else {
				timer.Reset(Debounce)
			}
			debounce = timer.C
		case <-debounce:
			debounce = nil
			l.reload("watch")
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			l.log.Warn().Err(err).Str("file", l.path).Msg("watching the flow file")
		}
	}
}

// watcher watches the folders of the flow file, and tells which of their
// files are the flow's.
type watcher struct {
	*fsnotify.Watcher
	// names are the paths, as the events name them, whose changes may
	// change the flow: the file, the file a symbolic link points to, and
	// the ..data link of a Kubernetes ConfigMap, whose swap replaces every
	// file of the map at once. Other files of the folders (the server's
	// own log, an editor's swap file) are not the flow's.
	names map[string]bool
}

// newWatcher watches the folders of path and, when path is a symbolic
// link, of the file it links to.
func newWatcher(path string) (*watcher, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	dirs := []string{filepath.Dir(abs)}
	names := map[string]bool{abs: true, filepath.Join(dirs[0], "..data"): true}
	if real, err := filepath.EvalSymlinks(abs); err == nil && real != abs {
		names[real] = true
		if filepath.Dir(real) != dirs[0] {
			dirs = append(dirs, filepath.Dir(real))
		}
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	for _, d := range dirs {
		if err := w.Add(d); err != nil {
			return nil, errors.Join(fmt.Errorf("watch %s: %w", d, err), w.Close())
		}
	}
	return &watcher{Watcher: w, names: names}, nil
}
