package server_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/callflows/carrier"
	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/server"
)

// scrape gets /metrics and returns each sample by its series, written as
// the exposition format writes it: name{label="value",...}.
func scrape(t *testing.T, base string) map[string]float64 {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	samples := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if i < 0 || err != nil {
			t.Fatalf("bad sample line %q", line)
		}
		samples[line[:i]] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return samples
}

// TestMetricsAfterWalk walks the restaurant menu over HTTP, with a wrong
// key, a duplicate delivery, a stale clientActionId, an ignored event and
// session summaries, and checks every counter it should have moved, by
// exact value.
func TestMetricsAfterWalk(t *testing.T) {
	ts, srv := newServer(t, server.Options{})
	if id := srv.Flow().Fallback().ID(); id != "invalid_input" {
		t.Fatalf("the restaurant's fallback is %q; this test counts on invalid_input", id)
	}
	ctx := t.Context()
	c := &carrier.Caller{BaseURL: ts.URL}
	mustPress := func(f func(context.Context) error) {
		t.Helper()
		if err := f(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// main_menu -> 1 reservations -> 7 (no such key: invalid_input).
	mustPress(func(ctx context.Context) error { _, err := c.Ring(ctx); return err })
	mustPress(func(ctx context.Context) error { _, err := c.Press(ctx, "1"); return err })
	mustPress(func(ctx context.Context) error { _, err := c.Press(ctx, "7"); return err })
	// A second call: main_menu -> 3 hours; its key 3 delivered twice.
	dup := carrier.Event{EventID: "dup-1", CallID: "c2", SessionID: "s2", ClientActionID: "main_menu", Digits: "3"}.Body()
	for range 2 {
		if status, body, err := carrier.Post(ctx, nil, ts.URL+"/webhooks/vca", dup); err != nil || status != http.StatusOK {
			t.Fatalf("duplicate delivery: %d %s %v", status, body, err)
		}
	}
	// A node the flow does not have, a call status event, a bad body.
	mustPress(func(ctx context.Context) error { _, err := c.PressAt(ctx, "no_such_node", "1"); return err })
	status := carrier.Event{EventType: "CALL_STATUS", EventID: "st-1"}.Body()
	for _, b := range [][]byte{status, []byte("not json")} {
		if _, _, err := carrier.Post(ctx, nil, ts.URL+"/webhooks/vca", b); err != nil {
			t.Fatal(err)
		}
	}
	// Two summaries, one of them delivered twice.
	completed := fixture(t, "vss_completed.json")
	for _, b := range [][]byte{completed, completed, fixture(t, "vss_error.json")} {
		if status, body, err := carrier.Post(ctx, nil, ts.URL+"/webhooks/vss", b); err != nil || status != http.StatusOK {
			t.Fatalf("vss: %d %s %v", status, body, err)
		}
	}

	got := scrape(t, ts.URL)
	flow := srv.Flow()
	want := map[string]float64{
		`ivrctl_webhooks_total{event_type="CALL_ACTION",outcome="start",webhook="vca"}`:        1,
		`ivrctl_webhooks_total{event_type="CALL_ACTION",outcome="key",webhook="vca"}`:          2,
		`ivrctl_webhooks_total{event_type="CALL_ACTION",outcome="invalid_key",webhook="vca"}`:  1,
		`ivrctl_webhooks_total{event_type="CALL_ACTION",outcome="unknown_node",webhook="vca"}`: 1,
		`ivrctl_webhooks_total{event_type="CALL_STATUS",outcome="ignored",webhook="vca"}`:      1,
		`ivrctl_webhooks_total{event_type="",outcome="bad_request",webhook="vca"}`:             1,
		`ivrctl_webhooks_total{event_type="",outcome="accepted",webhook="vss"}`:                2,
		`ivrctl_webhook_duplicates_total{webhook="vca"}`:                                       1,
		`ivrctl_webhook_duplicates_total{webhook="vss"}`:                                       1,
		`ivrctl_node_visits_total{node="main_menu"}`:                                           1,
		`ivrctl_node_visits_total{node="reservations"}`:                                        1,
		// once for the wrong key, once as the flow's fallback
		`ivrctl_node_visits_total{node="invalid_input"}`:                                2,
		`ivrctl_node_visits_total{node="hours"}`:                                        1,
		`ivrctl_invalid_keys_total{node="reservations"}`:                                1,
		`ivrctl_fallbacks_total{reason="unknown_node"}`:                                 1,
		`ivrctl_sessions_total{status="COMPLETED"}`:                                     1,
		`ivrctl_sessions_total{status="ERROR"}`:                                         1,
		`ivrctl_webhook_duration_seconds_count{webhook="vca"}`:                          7,
		`ivrctl_webhook_duration_seconds_count{webhook="vss"}`:                          2,
		`ivrctl_reloads_total{result="accepted"}`:                                       0,
		`ivrctl_reloads_total{result="rejected"}`:                                       0,
		`ivrctl_flow_info{flow="` + flow.Name() + `",version="` + flow.Version() + `"}`: 1,
	}
	for series, w := range want {
		if g, ok := got[series]; !ok || g != w {
			t.Errorf("%s = %v (present: %v), want %v", series, g, ok, w)
		}
	}
	// Nothing else of ours counted: no other outcome, node or label value.
	// (Every node shows, at zero until visited.)
	for _, series := range []string{
		`ivrctl_node_visits_total{node="booked_today"}`,
		`ivrctl_invalid_keys_total{node="main_menu"}`,
		`ivrctl_node_visits_total{node="` + flow.Fallback().ID() + `"}`,
	} {
		if _, ok := got[series]; !ok {
			t.Errorf("%s: no series; every node's should show from the start", series)
		}
	}
	for series := range got {
		if strings.HasPrefix(series, "ivrctl_") && !strings.Contains(series, "_bucket{") &&
			!strings.Contains(series, "_sum{") && !strings.Contains(series, "_count{") {
			if _, ok := want[series]; !ok && got[series] != 0 {
				t.Errorf("unexpected series %s = %v", series, got[series])
			}
		}
	}
	if got[`process_start_time_seconds`] == 0 || got[`go_goroutines`] == 0 {
		t.Error("Go and process collectors missing")
	}
}

// TestMetricsEmptyEventType: a VCA with no eventType is answered as a
// CALL_ACTION, and counted under the event type it came with, "".
func TestMetricsEmptyEventType(t *testing.T) {
	ts, _ := newServer(t, server.Options{})
	b := patch(vca("main_menu", "1", nil), obj{"eventType": deleted{}}, nil)
	if status, body, err := carrier.Post(t.Context(), nil, ts.URL+"/webhooks/vca", b); err != nil || status != http.StatusOK {
		t.Fatalf("post: %d %s %v", status, body, err)
	}
	got := scrape(t, ts.URL)
	for series, w := range map[string]float64{
		`ivrctl_webhooks_total{event_type="",outcome="key",webhook="vca"}`:            1,
		`ivrctl_webhooks_total{event_type="CALL_ACTION",outcome="key",webhook="vca"}`: 0,
		`ivrctl_node_visits_total{node="reservations"}`:                               1,
	} {
		if got[series] != w {
			t.Errorf("%s = %v, want %v", series, got[series], w)
		}
	}
}

// gatedLog is a log writer whose first vca line waits until gate opens,
// with reached closed once it waits.
type gatedLog struct {
	once          sync.Once
	reached, gate chan struct{}
}

func (l *gatedLog) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte(`"message":"vca"`)) {
		l.once.Do(func() {
			close(l.reached)
			<-l.gate
		})
	}
	return len(p), nil
}

// TestMetricsFlowReplacedMidWebhook: a webhook answered from a flow that
// SetFlow replaces before the webhook is counted is counted all the same,
// under its nodes' labels, though the current flow's nodes are others.
// The webhook's line is logged before it is counted, so a log writer that
// waits holds the webhook between its answer and its count.
func TestMetricsFlowReplacedMidWebhook(t *testing.T) {
	old, cur := loadFlow(t), loadFlow(t)
	if old.Fallback() == cur.Fallback() {
		t.Fatal("two loads of the flow share their nodes; this test needs them apart")
	}
	log := &gatedLog{reached: make(chan struct{}), gate: make(chan struct{})}
	srv := server.New(old, server.Options{Logger: zerolog.New(log)})
	ts := httptest.NewServer(srv.Routes())
	t.Cleanup(ts.Close)

	// reservations -> 7, no such key: invalid_key, to the fallback.
	body := carrier.Event{EventID: "e1", ClientActionID: "reservations", Digits: "7"}.Body()
	answered := make(chan *httptest.ResponseRecorder)
	go func() {
		rec := httptest.NewRecorder()
		srv.Routes().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/webhooks/vca", bytes.NewReader(body)))
		answered <- rec
	}()
	select {
	case <-log.reached:
	case <-time.After(10 * time.Second):
		close(log.gate)
		t.Fatal("the webhook never logged its line")
	}
	srv.SetFlow(cur)
	close(log.gate)
	if rec := <-answered; rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), old.Fallback().Response()) {
		t.Fatalf("answer %d %s, want the old flow's fallback", rec.Code, rec.Body)
	}

	got := scrape(t, ts.URL)
	fallback := `ivrctl_node_visits_total{node="` + old.Fallback().ID() + `"}`
	for series, w := range map[string]float64{
		`ivrctl_webhooks_total{event_type="CALL_ACTION",outcome="invalid_key",webhook="vca"}`: 1,
		fallback: 1,
		`ivrctl_invalid_keys_total{node="reservations"}`: 1,
	} {
		if g, ok := got[series]; !ok || g != w {
			t.Errorf("%s = %v (present: %v), want %v", series, g, ok, w)
		}
	}
}

// TestMetricsBuiltInFallbackShows: the built-in fallback of a flow that
// names none is not among the flow's nodes, and its series shows from the
// start too, at zero.
func TestMetricsBuiltInFallbackShows(t *testing.T) {
	src, err := os.ReadFile(flowPath)
	if err != nil {
		t.Fatal(err)
	}
	const named = "\nfallback: invalid_input"
	if !bytes.Contains(src, []byte(named)) {
		t.Fatalf("the restaurant flow no longer has %q", named)
	}
	flow, diags, _ := engine.Load(flowPath, engine.LoadOptions{Source: bytes.Replace(src, []byte(named), []byte("\n#"), 1), Env: noEnv})
	if flow == nil || flow.Fallback().ID() != "" {
		t.Fatalf("the flow without its fallback line does not load with the built-in one:\n%v", diags)
	}
	ts := httptest.NewServer(server.New(flow, server.Options{Logger: zerolog.New(io.Discard)}).Routes())
	t.Cleanup(ts.Close)
	if g, ok := scrape(t, ts.URL)[`ivrctl_node_visits_total{node="(fallback)"}`]; !ok || g != 0 {
		t.Errorf("the built-in fallback's visits = %v (present: %v), want 0", g, ok)
	}
}

// TestMetricsBoundedLabels: label values a stranger controls (event types,
// session statuses) fold into "other", so a flood of made-up values cannot
// grow the metrics without bound.
func TestMetricsBoundedLabels(t *testing.T) {
	ts, _ := newServer(t, server.Options{})
	for i, typ := range []string{"MADE_UP_1", "MADE_UP_2"} {
		b := carrier.Event{EventType: typ, EventID: "e" + strconv.Itoa(i)}.Body()
		if status, _, err := carrier.Post(t.Context(), nil, ts.URL+"/webhooks/vca", b); err != nil || status != http.StatusOK {
			t.Fatalf("post: %d %v", status, err)
		}
	}
	vss := bytes.Replace(fixture(t, "vss_completed.json"), []byte(`"COMPLETED"`), []byte(`"WHATEVER"`), 1)
	if status, _, err := carrier.Post(t.Context(), nil, ts.URL+"/webhooks/vss", vss); err != nil || status != http.StatusOK {
		t.Fatalf("post vss: %d %v", status, err)
	}
	got := scrape(t, ts.URL)
	for series, w := range map[string]float64{
		`ivrctl_webhooks_total{event_type="other",outcome="ignored",webhook="vca"}`: 2,
		`ivrctl_sessions_total{status="other"}`:                                     1,
	} {
		if got[series] != w {
			t.Errorf("%s = %v, want %v", series, got[series], w)
		}
	}
	for series := range got {
		if strings.Contains(series, "MADE_UP") || strings.Contains(series, "WHATEVER") {
			t.Errorf("a stranger's value became a label: %s", series)
		}
	}
}

// TestMetricsRouteNotGuarded: /metrics, like the health checks, is not
// behind the webhooks' Authorization header.
func TestMetricsRouteNotGuarded(t *testing.T) {
	ts := httptest.NewServer(server.New(loadFlow(t), server.Options{Access: server.Access{AuthHeader: "Basic c2VjcmV0"}}).Routes())
	t.Cleanup(ts.Close)
	if got := scrape(t, ts.URL); len(got) == 0 {
		t.Error("no samples")
	}
	status, _, err := carrier.Post(t.Context(), nil, ts.URL+"/webhooks/vca", vca("main_menu", "1", nil))
	if err != nil || status != http.StatusUnauthorized {
		t.Errorf("webhook without the header: %d %v, want 401", status, err)
	}
	if got := scrape(t, ts.URL); got[`ivrctl_webhooks_total{event_type="",outcome="unauthorized",webhook="vca"}`] != 1 {
		t.Error("the refused webhook was not counted as unauthorized")
	}
}
