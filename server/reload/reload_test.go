package reload_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/callflows/carrier"
	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/server"
	"github.com/ivrctl/ivrctl/server/logtest"
	"github.com/ivrctl/ivrctl/server/reload"
)

// flowPath is the restaurant flow as shipped.
const flowPath = "../../flows/restaurant.yaml"

func noEnv(string) (string, bool) { return "", false }

type obj = map[string]any

// checkFields checks the fields of a log line against want.
func checkFields(t *testing.T, line obj, want obj) {
	t.Helper()
	for k, w := range want {
		if got := line[k]; !reflect.DeepEqual(got, w) {
			t.Errorf("log %s = %#v, want %#v", k, got, w)
		}
	}
}

// metric returns the value of a series, as /metrics shows it, or "" if it
// has none.
func metric(t *testing.T, base, series string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	text, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(text)) {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// liveFlow is a flow file in a temporary folder, served by a server that
// logs to a buffer, with its Loader, as ivrctl serve runs them.
type liveFlow struct {
	path   string
	srv    *server.Server
	loader *reload.Loader
	ts     *httptest.Server
	log    *logtest.Buffer
	src    string // the restaurant flow as shipped
}

func newLiveFlow(t *testing.T) *liveFlow {
	t.Helper()
	src, err := os.ReadFile(flowPath)
	if err != nil {
		t.Fatal(err)
	}
	l := &liveFlow{path: filepath.Join(t.TempDir(), "restaurant.yaml"), log: &logtest.Buffer{}, src: string(src)}
	l.write(t, l.src)
	flow, diags, err := engine.Load(l.path, engine.LoadOptions{Env: noEnv})
	if err != nil || flow == nil {
		t.Fatalf("load: %v %v", err, diags)
	}
	log := zerolog.New(l.log).Level(zerolog.DebugLevel)
	l.srv = server.New(flow, server.Options{Logger: log})
	l.loader = reload.New(l.path, l.srv, log)
	l.ts = httptest.NewServer(l.srv.Routes())
	t.Cleanup(l.ts.Close)
	return l
}

// write writes the flow file in place.
func (l *liveFlow) write(t *testing.T, src string) {
	t.Helper()
	if err := os.WriteFile(l.path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// replace saves the flow file as many editors do: a new file renamed over
// the old one.
func (l *liveFlow) replace(t *testing.T, src string) {
	t.Helper()
	tmp := l.path + ".swp"
	if err := os.WriteFile(tmp, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, l.path); err != nil {
		t.Fatal(err)
	}
}

// hears rings the server and returns the start menu's prompt.
func (l *liveFlow) hears(t *testing.T) string {
	t.Helper()
	c := &carrier.Caller{BaseURL: l.ts.URL}
	r, err := c.Ring(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return string(mustJSON(t, r.Callflow[0]))
}

// readyVersion returns the version /readyz reports.
func (l *liveFlow) readyVersion(t *testing.T) string {
	t.Helper()
	resp, err := http.Get(l.ts.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct{ Version string }
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r.Version
}

// messages returns the messages of the log lines written since the last
// call, and the lines.
func (l *liveFlow) messages(t *testing.T) ([]string, []obj) {
	t.Helper()
	lines, err := l.log.Take()
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, line := range lines {
		msgs = append(msgs, line["message"].(string))
	}
	return msgs, lines
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const newWelcome = "Welcome to ABC Restaurant, now open on Mondays"

// edited is the restaurant flow with the main menu's first words changed.
func (l *liveFlow) edited(t *testing.T) string {
	t.Helper()
	s := strings.Replace(l.src, "Welcome to ABC Restaurant", newWelcome, 1)
	if s == l.src {
		t.Fatal("the restaurant flow no longer says Welcome to ABC Restaurant")
	}
	return s
}

// broken is the restaurant flow with a key leading nowhere.
func (l *liveFlow) broken(t *testing.T) string {
	t.Helper()
	s := strings.Replace(l.src, `"3": hours`, `"3": hourz`, 1)
	if s == l.src {
		t.Fatal(`the restaurant flow no longer has "3": hours`)
	}
	return s
}

func TestReload(t *testing.T) {
	l := newLiveFlow(t)
	v0 := l.readyVersion(t)
	if strings.Contains(l.hears(t), newWelcome) {
		t.Fatal("new text before any reload")
	}
	l.messages(t)

	// A valid change is swapped in: the next call hears it.
	l.write(t, l.edited(t))
	if got, err := l.loader.Reload(); got != reload.Accepted || err != nil {
		t.Fatalf("Reload of a valid change = %v, %v", got, err)
	}
	if !strings.Contains(l.hears(t), newWelcome) {
		t.Error("the next call does not hear the new prompt")
	}
	v1 := l.readyVersion(t)
	if v1 == v0 || v1 != l.srv.Flow().Version() {
		t.Errorf("/readyz version %s after reload, was %s; flow says %s", v1, v0, l.srv.Flow().Version())
	}
	msgs, lines := l.messages(t)
	if got := strings.Join(msgs, ","); got != "flow reloaded,vca" {
		t.Errorf("log after a reload: %s", got)
	}
	checkFields(t, lines[0], obj{"old_version": v0, "flow_version": v1, "trigger": "call",
		"changes": []any{"main_menu: prompt changed"}})

	// A broken file is rejected: the running flow stays, and every
	// diagnostic is logged with its position.
	l.write(t, l.broken(t))
	got, err := l.loader.Reload()
	if got != reload.Rejected || err == nil || !strings.Contains(err.Error(), `unknown node "hourz"`) {
		t.Fatalf("Reload of a broken file = %v, %v", got, err)
	}
	if l.readyVersion(t) != v1 || !strings.Contains(l.hears(t), newWelcome) {
		t.Error("a rejected reload changed the flow served")
	}
	msgs, lines = l.messages(t)
	if got := strings.Join(msgs, ","); got != "flow diagnostic,reload rejected,vca" {
		t.Errorf("log after a rejected reload: %s", got)
	}
	checkFields(t, lines[0], obj{"level": "error", "file": l.path, "rule": "undefined-node", "severity": "error"})
	if line, _ := lines[0]["line"].(float64); line < 1 {
		t.Errorf("diagnostic without a line: %v", lines[0])
	}
	checkFields(t, lines[1], obj{"level": "error", "errors": float64(1), "flow_version": v1})

	// The same bytes again are a no-op.
	l.write(t, l.edited(t))
	if got, err := l.loader.Reload(); got != reload.Unchanged || err != nil {
		t.Errorf("Reload of the served file = %v, %v", got, err)
	}
	// A file that is gone is rejected too.
	if got, err := reload.New(l.path+".gone", l.srv, zerolog.Nop()).Reload(); got != reload.Rejected || !os.IsNotExist(err) {
		t.Errorf("Reload of a missing file = %v, %v", got, err)
	}
	for result, want := range map[reload.Result]string{reload.Accepted: "1", reload.Rejected: "2", reload.Unchanged: "1"} {
		if got := metric(t, l.ts.URL, `ivrctl_reloads_total{result="`+string(result)+`"}`); got != want {
			t.Errorf("reloads %s = %v, want %v", result, got, want)
		}
	}
	if old := metric(t, l.ts.URL, `ivrctl_flow_info{flow="ABC Restaurant",version="`+v0+`"}`); old != "" && old != "0" ||
		metric(t, l.ts.URL, `ivrctl_flow_info{flow="ABC Restaurant",version="`+v1+`"}`) != "1" {
		t.Errorf("ivrctl_flow_info does not show only %s", v1)
	}
}

// TestReloadMidCall: a caller whose menu a reload removed hears the
// fallback, with a 200, never an error.
func TestReloadMidCall(t *testing.T) {
	l := newLiveFlow(t)
	c := &carrier.Caller{BaseURL: l.ts.URL}
	if _, err := c.Ring(t.Context()); err != nil {
		t.Fatal(err)
	}
	if r, err := c.Press(t.Context(), "1"); err != nil || r.ClientActionID != "reservations" {
		t.Fatalf("press 1: %+v %v", r, err)
	}
	// The new flow has no reservations menu.
	src := strings.Replace(l.src, `"1": reservations`, `"1": hours`, 1)
	node := regexp.MustCompile(`(?m)^  reservations:\n(    .*\n|\s*\n)*`)
	if !node.MatchString(src) {
		t.Fatal("no reservations node in the restaurant flow")
	}
	src = node.ReplaceAllString(src, "")
	l.write(t, src)
	if got, err := l.loader.Reload(); got != reload.Accepted {
		t.Fatalf("Reload = %v, %v", got, err)
	}
	r, err := c.Press(t.Context(), "1")
	if err != nil {
		t.Fatal(err)
	}
	if want := l.srv.Flow().Fallback().ID(); r.ClientActionID != want {
		t.Errorf("a caller in a removed menu got %q, want the fallback %q", r.ClientActionID, want)
	}
}

// waitFor polls until cond holds, failing after a few seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// watch runs loader.Watch until the test ends, and returns once it
// watches the folder.
func watch(t *testing.T, loader *reload.Loader, hup <-chan os.Signal) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	ready := make(chan struct{})
	done := make(chan error)
	go func() { done <- loader.Watch(ctx, hup, func() { close(ready) }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch: %v", err)
		}
	})
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("Watch returned %v before it was ready", err)
	}
}

// TestWatch: with Watch running, saving the file in place or by
// rename-and-replace swaps the new flow in, a broken save keeps the old
// one, and a signal on hup reloads.
func TestWatch(t *testing.T) {
	l := newLiveFlow(t)
	hup := make(chan os.Signal, 1)
	watch(t, l.loader, hup)
	v0 := l.srv.Flow().Version()

	l.replace(t, l.edited(t))
	waitFor(t, "a rename-and-replace save to be reloaded", func() bool { return l.srv.Flow().Version() != v0 })
	if !strings.Contains(l.hears(t), newWelcome) {
		t.Error("the next call does not hear the saved prompt")
	}
	v1 := l.srv.Flow().Version()

	l.write(t, l.broken(t))
	waitFor(t, "the broken save to be rejected", func() bool { return strings.Contains(l.log.String(), "reload rejected") })
	if l.srv.Flow().Version() != v1 {
		t.Error("a broken save replaced the flow")
	}

	l.write(t, l.src)
	waitFor(t, "an in-place save to be reloaded", func() bool { return l.srv.Flow().Version() == v0 })

	// The watcher may log the end of that save meanwhile (the swap comes
	// before its line, and a save in place is several events): only the
	// lines of the signal's reload count.
	hup <- syscall.SIGHUP
	waitFor(t, "SIGHUP to reload", func() bool { return strings.Contains(l.log.String(), `"trigger":"sighup"`) })
	_, lines := l.messages(t)
	var msgs []string
	for _, line := range lines {
		if line["trigger"] == "sighup" {
			msgs = append(msgs, line["message"].(string))
		}
	}
	if got := strings.Join(msgs, ","); got != "flow unchanged" {
		t.Errorf("log of SIGHUP with the file unchanged: %s", got)
	}
}

// TestReloadUnderLoad reloads the flow file 100 times, a valid edit and a
// broken file in turn, while callers post webhooks over HTTP: no request
// may fail, every answer must be a valid callflow of the old or the new
// flow, and every reload must be counted as what it was.
func TestReloadUnderLoad(t *testing.T) {
	l := newLiveFlow(t)
	valid := []string{l.src, l.edited(t)}
	broken := l.broken(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()

	var answered, failed atomic.Int64
	// progress has a value when a webhook was answered since the last
	// reload took it.
	progress := make(chan struct{}, 1)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			c := &carrier.Caller{BaseURL: l.ts.URL, Client: l.ts.Client()}
			keys := []string{"1", "2", "3", "7", ""}
			for i := 0; ctx.Err() == nil; i++ {
				var err error
				if c.Last == nil || len(c.Last.Callflow) != 1 {
					_, err = c.Ring(ctx) // a new call after one that ended
				} else {
					_, err = c.Press(ctx, keys[i%len(keys)])
				}
				if err != nil && ctx.Err() == nil {
					failed.Add(1)
					t.Errorf("webhook during reloads: %v", err) // Caller checks status and 8x8's rules
					return
				}
				answered.Add(1)
				select {
				case progress <- struct{}{}:
				default:
				}
			}
		})
	}
	for i := range 100 {
		if i%2 == 0 {
			l.replace(t, valid[(i/2+1)%2])
			if got, err := l.loader.Reload(); got != reload.Accepted {
				t.Fatalf("reload %d of a valid file: %v %v", i, got, err)
			}
		} else {
			l.replace(t, broken)
			if got, _ := l.loader.Reload(); got != reload.Rejected {
				t.Fatalf("reload %d of a broken file: %v", i, got)
			}
		}
		select { // let a webhook through between reloads
		case <-progress:
		case <-time.After(10 * time.Second):
			t.Fatal("no webhook answered between two reloads")
		}
	}
	cancel()
	wg.Wait()
	if failed.Load() != 0 || answered.Load() < 100 {
		t.Errorf("%d webhooks answered, %d failed during 100 reloads", answered.Load(), failed.Load())
	}
	if a, r := metric(t, l.ts.URL, `ivrctl_reloads_total{result="accepted"}`), metric(t, l.ts.URL, `ivrctl_reloads_total{result="rejected"}`); a != "50" || r != "50" {
		t.Errorf("reloads counted: %v accepted, %v rejected; want 50 and 50", a, r)
	}
}

// TestWatchSymlinkSwap follows a flow file mounted as Kubernetes mounts a
// ConfigMap: flow.yaml links to ..data/flow.yaml, and an update points
// ..data, itself a link, at a new folder.
func TestWatchSymlinkSwap(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(flowPath)
	if err != nil {
		t.Fatal(err)
	}
	version := func(name, text string) {
		t.Helper()
		if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name, "flow.yaml"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	version("v1", string(src))
	version("v2", strings.Replace(string(src), "Welcome to ABC Restaurant", newWelcome, 1))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink("v1", filepath.Join(dir, "..data")))
	must(os.Symlink(filepath.Join("..data", "flow.yaml"), filepath.Join(dir, "flow.yaml")))
	path := filepath.Join(dir, "flow.yaml")
	flow, diags, err := engine.Load(path, engine.LoadOptions{Env: noEnv})
	if err != nil || flow == nil {
		t.Fatalf("load: %v %v", err, diags)
	}
	srv := server.New(flow, server.Options{Logger: zerolog.Nop()})
	watch(t, reload.New(path, srv, zerolog.Nop()), nil)

	// The swap, as the kubelet does it: a new link renamed over ..data.
	must(os.Symlink("v2", filepath.Join(dir, "..data_tmp")))
	must(os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")))
	v0 := flow.Version()
	waitFor(t, "the swapped ConfigMap to be reloaded", func() bool { return srv.Flow().Version() != v0 })
	n, _ := srv.Flow().Node("main_menu")
	if !strings.Contains(string(n.Response()), newWelcome) {
		t.Errorf("after the swap main_menu says %s", n.Response())
	}
}

// TestReloadRefusesSensitiveWithoutKey: a change that makes the flow
// collect a sensitive value, on a server without a state key, is rejected
// with the reason, and the running flow stays.
func TestReloadRefusesSensitiveWithoutKey(t *testing.T) {
	l := newLiveFlow(t)
	before := l.srv.Flow().Version()
	l.write(t, "start: pin\nnodes:\n  pin:\n    collect: Enter your PIN.\n    into: pin\n    sensitive: true\n    then: bye\n  bye:\n    say: Bye.\n")
	got, err := l.loader.Reload()
	if got != reload.Rejected || err == nil || !strings.Contains(err.Error(), "IVRCTL_STATE_KEY") {
		t.Fatalf("Reload = %v, %v; want rejected for want of a state key", got, err)
	}
	if l.srv.Flow().Version() != before {
		t.Error("the rejected flow is served")
	}
	msgs, _ := l.messages(t)
	if !slices.Contains(msgs, "reload rejected") {
		t.Errorf("log after the rejection: %v", msgs)
	}
}
