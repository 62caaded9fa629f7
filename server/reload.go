package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/diff"
)

// WatchDebounce is how long Watch waits after the last change it sees in
// the flow file's folder before it reloads: an editor's save is often a
// burst of events (write a temporary file, rename it over the old one,
// change its mode), and the file is read once, whole.
const WatchDebounce = 100 * time.Millisecond

// Reload is what a reload did.
type Reload string

// The results of a reload.
const (
	// ReloadAccepted: the file loaded with no errors and a new flow is
	// being served.
	ReloadAccepted Reload = reloadAccepted
	// ReloadRejected: the file could not be read or has errors; the flow
	// that was being served still is.
	ReloadRejected Reload = reloadRejected
	// ReloadUnchanged: the file holds the flow being served, byte for
	// byte; nothing was done.
	ReloadUnchanged Reload = reloadUnchanged
)

// Reload reads the flow file at path and, if it loads with no errors and
// differs from the flow being served, swaps it in: webhooks already being
// answered finish with the old flow, later ones get the new. A file with
// errors changes nothing; the error holds its diagnostics. Every
// diagnostic and the result are logged, and counted in the metrics.
// Reloads are serialised.
func (s *Server) Reload(path string) (Reload, error) {
	return s.reload(path, "call")
}

// reload is Reload, saying in the log what triggered it: "sighup",
// "watch" or "call". A watch that finds nothing changed logs only at debug
// level, since other files of the folder trigger it too.
func (s *Server) reload(path, trigger string) (Reload, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.flow.Load()
	src, err := os.ReadFile(path)
	if err != nil {
		s.metrics.reloads.WithLabelValues(reloadRejected).Inc()
		s.log.Error().Err(err).Str("file", path).Str("trigger", trigger).
			Str("flow_version", old.Version()).Msg("reload rejected")
		return ReloadRejected, err
	}
	version := engine.ContentVersion(src)
	if version == old.Version() {
		s.metrics.reloads.WithLabelValues(reloadUnchanged).Inc()
		e := s.log.Info()
		if trigger == "watch" {
			e = s.log.Debug()
		}
		e.Str("file", path).Str("trigger", trigger).Str("flow_version", old.Version()).Msg("flow unchanged")
		return ReloadUnchanged, nil
	}
	flow, diags := engine.LoadBytes(path, src, nil)
	LogDiagnostics(s.log, diags)
	if flow == nil {
		s.metrics.reloads.WithLabelValues(reloadRejected).Inc()
		s.log.Error().Str("file", path).Str("trigger", trigger).
			Int("errors", diags.Errors()).
			Str("rejected_version", version).
			Str("flow_version", old.Version()).
			Msg("reload rejected")
		return ReloadRejected, diags.Err()
	}
	s.setFlow(flow)
	s.metrics.reloads.WithLabelValues(reloadAccepted).Inc()
	var changes []string
	for _, c := range diff.Compare(old, flow) {
		changes = append(changes, c.Message)
	}
	s.log.Info().Str("file", path).Str("trigger", trigger).
		Str("old_version", old.Version()).
		Str("flow_version", flow.Version()).
		Int("nodes", len(flow.Nodes())).
		Strs("changes", changes).
		Msg("flow reloaded")
	return ReloadAccepted, nil
}

// LogDiagnostics logs each diagnostic of a flow file as a line of its own,
// at the level of its severity, as a reload does: ivrctl serve logs those
// of the first load with it.
func LogDiagnostics(log zerolog.Logger, diags engine.Diagnostics) {
	for _, d := range diags {
		e := log.Warn()
		if d.Severity == engine.SeverityError {
			e = log.Error()
		}
		e.Str("file", d.Pos.File).Int("line", d.Pos.Line).Int("col", d.Pos.Col).
			Str("severity", d.Severity.String()).Str("rule", d.Rule).
			Str("diagnostic", d.String()).
			Msg("flow diagnostic")
	}
}

// Watch reloads the flow file at path whenever it changes on disk and
// whenever a value arrives on hup (SIGHUP, for ivrctl serve), until ctx
// ends; then it returns nil. It watches the file's folder, not the file,
// so that an editor that saves by writing a new file and renaming it over
// the old one is followed, as is a symbolic link swapped to a new target
// (a Kubernetes ConfigMap). Changes are debounced by WatchDebounce. If the
// folder cannot be watched, Watch logs why and goes on with hup alone.
func (s *Server) Watch(ctx context.Context, path string, hup <-chan os.Signal) error {
	return s.watch(ctx, path, hup, true)
}

// ReloadOnSignal is Watch without the watching of the file: it reloads the
// flow file at path whenever a value arrives on hup, until ctx ends.
func (s *Server) ReloadOnSignal(ctx context.Context, path string, hup <-chan os.Signal) error {
	return s.watch(ctx, path, hup, false)
}

// watch reloads path on hup and, when files is set, on changes to it.
func (s *Server) watch(ctx context.Context, path string, hup <-chan os.Signal, files bool) error {
	// A nil channel is never ready: without a watcher, only hup and ctx
	// wake the loop.
	var events <-chan fsnotify.Event
	var errs <-chan error
	if files {
		w, err := newWatcher(path)
		if err != nil {
			s.log.Warn().Err(err).Str("file", path).Msg("cannot watch the flow file; reload it with SIGHUP")
		} else {
			defer w.Close()
			events, errs = w.Events, w.Errors
		}
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
			s.reload(path, "sighup")
		case _, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			if timer == nil {
				timer = time.NewTimer(WatchDebounce)
			} else {
				timer.Reset(WatchDebounce)
			}
			debounce = timer.C
		case <-debounce:
			debounce = nil
			s.reload(path, "watch")
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			s.log.Warn().Err(err).Str("file", path).Msg("watching the flow file")
		}
	}
}

// newWatcher watches the folders of path and, when path is a symbolic
// link, of the file it links to.
func newWatcher(path string) (*fsnotify.Watcher, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	dirs := []string{filepath.Dir(abs)}
	if real, err := filepath.EvalSymlinks(abs); err == nil && filepath.Dir(real) != dirs[0] {
		dirs = append(dirs, filepath.Dir(real))
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
	return w, nil
}
