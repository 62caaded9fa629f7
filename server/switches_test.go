package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/server"
	"github.com/ivrctl/ivrctl/server/logtest"
	"github.com/ivrctl/ivrctl/server/switches"
)

const (
	adminToken = "s3cret-admin-token"
	outageText = "There is a planned outage in your area until 4 PM."
)

// switchServer serves testdata/switch_line.yaml over loopback with the
// switches in the file store at path, read before it serves, as ivrctl
// serve does.
func switchServer(t *testing.T, path, token string) (*httptest.Server, *server.Server, *logtest.Buffer) {
	t.Helper()
	flow, diags, err := engine.Load("testdata/switch_line.yaml", engine.LoadOptions{Env: noEnv})
	if err != nil || flow == nil || len(diags) > 0 {
		t.Fatalf("switch_line.yaml: %v %v", err, diags)
	}
	log := &logtest.Buffer{}
	var store switches.Store
	if path != "" {
		f := switches.NewFile(path)
		f.Poll = 50 * time.Millisecond
		store = f
	}
	srv := server.New(flow, server.Options{Logger: zerolog.New(log), Switches: store, AdminToken: token})
	if err := srv.LoadSwitches(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.WatchSwitches(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	ts := httptest.NewServer(srv.Routes())
	t.Cleanup(ts.Close)
	return ts, srv, log
}

// admin makes an admin request with the token auth ("" sends none).
func admin(t *testing.T, ts *httptest.Server, method, path, auth, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

// ring posts a new inbound call's first VCA and reports whether its
// answer plays the outage banner; err is set for an answer that failed.
func ring(client *http.Client, url string) (banner bool, err error) {
	// Each call has its own eventId: a repeated one is a duplicate
	// delivery, answered as it was the first time.
	id := fmt.Sprintf("00000000-0000-4000-8000-%012d", rings.Add(1))
	body := vca("", "", obj{"callStatus": callflows.StatusCallReceived, "eventId": id, "callId": id})
	resp, err := client.Post(url+"/webhooks/vca", "application/json", bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return false, err
	}
	var r callflows.Response
	if resp.StatusCode != http.StatusOK {
		return false, &answerError{resp.StatusCode, string(data)}
	}
	if err := json.Unmarshal(data, &r); err != nil || !strings.Contains(string(data), "Press 1 to hear this again.") {
		return false, &answerError{resp.StatusCode, string(data)}
	}
	return strings.Contains(string(data), outageText), nil
}

// rings numbers the calls ring places.
var rings atomic.Int64

type answerError struct {
	status int
	body   string
}

func (e *answerError) Error() string { return http.StatusText(e.status) + ": " + e.body }

// TestAdminAuth: the admin routes are served only with a token and a
// store, and only to a request that carries the token.
func TestAdminAuth(t *testing.T) {
	path := filepath.Join(t.TempDir(), "line.switches.json")
	tests := []struct {
		name, token, store, auth string
		want                     int
	}{
		{"no token: no routes", "", path, "Bearer " + adminToken, http.StatusNotFound},
		{"no store: no routes", adminToken, "", "Bearer " + adminToken, http.StatusNotFound},
		{"no header", adminToken, path, "", http.StatusUnauthorized},
		{"wrong token", adminToken, path, "Bearer nope", http.StatusUnauthorized},
		{"token as Basic", adminToken, path, "Basic " + adminToken, http.StatusUnauthorized},
		{"token prefix", adminToken, path, "Bearer " + adminToken[:5], http.StatusUnauthorized},
		{"token", adminToken, path, "Bearer " + adminToken, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, _, _ := switchServer(t, tt.store, tt.token)
			for _, req := range [][2]string{{http.MethodGet, "/admin/switches"}, {http.MethodPut, "/admin/switches/outage_banner"}} {
				body := ""
				if req[0] == http.MethodPut {
					body = `{"on": false, "by": "test"}`
				}
				if got, data := admin(t, ts, req[0], req[1], tt.auth, body); got != tt.want {
					t.Errorf("%s %s: status %d, want %d: %s", req[0], req[1], got, tt.want, data)
				}
			}
		})
	}
}

// TestAdminSetSwitch: the endpoint refuses a bad flip with its reason,
// and shows a good one, with who made it, in its positions and history,
// in the log and in /metrics.
func TestAdminSetSwitch(t *testing.T) {
	ts, _, log := switchServer(t, filepath.Join(t.TempDir(), "line.switches.json"), adminToken)
	auth := "Bearer " + adminToken
	for _, tt := range []struct {
		name, path, body string
		want             int
		says             string
	}{
		{"unknown switch", "/admin/switches/holiday_mode", `{"on": true}`, http.StatusNotFound, `no switch \"holiday_mode\"; it has [outage_banner]`},
		{"bad name", "/admin/switches/Outage", `{"on": true}`, http.StatusNotFound, "no switch"},
		{"not JSON", "/admin/switches/outage_banner", `on`, http.StatusBadRequest, "must be JSON"},
		{"no on", "/admin/switches/outage_banner", `{"by": "alice"}`, http.StatusBadRequest, "must say on"},
		{"on not a bool", "/admin/switches/outage_banner", `{"on": "yes"}`, http.StatusBadRequest, "must be JSON"},
		{"unknown field", "/admin/switches/outage_banner", `{"on": true, "who": "x"}`, http.StatusBadRequest, "unknown field"},
		{"too large", "/admin/switches/outage_banner", `{"on": true, "by": "` + strings.Repeat("a", 5000) + `"}`, http.StatusRequestEntityTooLarge, "too large"},
		{"flip", "/admin/switches/outage_banner", `{"on": true, "by": "alice"}`, http.StatusOK, `{"name":"outage_banner","on":true,"default":false,"set":true}`},
	} {
		got, data := admin(t, ts, http.MethodPut, tt.path, auth, tt.body)
		if got != tt.want || !strings.Contains(string(data), tt.says) {
			t.Errorf("%s: status %d %s, want %d with %q", tt.name, got, data, tt.want, tt.says)
		}
	}
	_, data := admin(t, ts, http.MethodGet, "/admin/switches", auth, "")
	var view struct {
		Seq      uint64
		Switches []struct {
			Name         string
			On, Set, Def bool
		}
		History []switches.Flip
	}
	if err := json.Unmarshal(data, &view); err != nil {
		t.Fatal(err)
	}
	if view.Seq != 1 || len(view.Switches) != 1 || !view.Switches[0].On || !view.Switches[0].Set ||
		len(view.History) != 1 || view.History[0].By != "alice" || view.History[0].At.IsZero() {
		t.Errorf("GET /admin/switches = %s", data)
	}
	lines := takeLog(t, log)
	flipped := 0
	for _, l := range lines {
		if l["message"] == "switch flipped" {
			flipped++
			checkFields(t, l, obj{"switch": "outage_banner", "on": true, "by": "alice"})
			if at, _ := l["at"].(string); at == "" {
				t.Errorf("the flip's line says not when: %v", l)
			}
		}
	}
	if flipped != 1 {
		t.Errorf("%d lines say the switch flipped, want 1:\n%v", flipped, lines)
	}
	_, metrics := admin(t, ts, http.MethodGet, "/metrics", "", "")
	if !strings.Contains(string(metrics), `ivrctl_switch{name="outage_banner"} 1`) {
		t.Errorf("/metrics does not show the switch on")
	}
}

// TestSwitchFlipUnderLoad: callers ring without pause while the switch is
// flipped on through the admin endpoint, then off through another store
// on the file, as ivrctl switch set does. Every call that rang after the
// endpoint acknowledged the flip hears the banner; once the server has
// seen the file's change, every later call does not; no call fails.
func TestSwitchFlipUnderLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "line.switches.json")
	ts, _, _ := switchServer(t, path, adminToken)
	// phase says what a call that rings now must hear: 0 either (before
	// a flip is acknowledged), 1 the banner, 2 no banner.
	var phase atomic.Int32
	var calls, wrong, failed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				p := phase.Load()
				banner, err := ring(ts.Client(), ts.URL)
				calls.Add(1)
				// A call during which the phase changed may hear either.
				same := phase.Load() == p
				switch {
				case err != nil:
					failed.Add(1)
					t.Error(err)
				case same && (p == 1 && !banner || p == 2 && banner):
					wrong.Add(1)
				}
			}
		}()
	}
	// Let the callers get going before the flip.
	waitCalls := func(n int64) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for calls.Load() < n {
			if time.Now().After(deadline) {
				t.Fatal("the callers do not get answers")
			}
			time.Sleep(time.Millisecond)
		}
	}
	waitCalls(200)
	if got, data := admin(t, ts, http.MethodPut, "/admin/switches/outage_banner", "Bearer "+adminToken, `{"on": true, "by": "load test"}`); got != http.StatusOK {
		t.Fatalf("flip on: %d %s", got, data)
	}
	phase.Store(1)
	waitCalls(calls.Load() + 400)

	// Off, from another process's store: the server sees it through its
	// watch. Poll until a call hears no banner, within a deadline; calls
	// meanwhile may hear either.
	phase.Store(0)
	flippedAt := time.Now()
	if _, err := switches.NewFile(path).Set(t.Context(), switches.Flip{Name: "outage_banner", On: false, By: "cli"}); err != nil {
		t.Fatal(err)
	}
	deadline := flippedAt.Add(10 * time.Second)
	for {
		banner, err := ring(ts.Client(), ts.URL)
		if err != nil {
			t.Fatal(err)
		}
		if !banner {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server did not see the flip made through the file")
		}
	}
	t.Logf("a flip through the file reached the server in %v (poll 50ms)", time.Since(flippedAt).Round(time.Millisecond))
	phase.Store(2)
	waitCalls(calls.Load() + 400)
	close(stop)
	wg.Wait()
	t.Logf("%d calls", calls.Load())
	if wrong.Load() != 0 || failed.Load() != 0 {
		t.Errorf("%d calls took the old branch after the flip, %d failed", wrong.Load(), failed.Load())
	}
}

// TestSwitchSurvivesRestart: a position set through the endpoint is the
// one a new server on the same store serves from its first call.
func TestSwitchSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "line.switches.json")
	ts, _, _ := switchServer(t, path, adminToken)
	if got, data := admin(t, ts, http.MethodPut, "/admin/switches/outage_banner", "Bearer "+adminToken, `{"on": true}`); got != http.StatusOK {
		t.Fatalf("flip on: %d %s", got, data)
	}
	ts.Close()
	again, _, log := switchServer(t, path, adminToken)
	if banner, err := ring(again.Client(), again.URL); err != nil || !banner {
		t.Errorf("after a restart the first call hears the banner: %v, %v", banner, err)
	}
	for _, l := range takeLog(t, log) {
		if l["message"] == "switches loaded" {
			checkFields(t, l, obj{"switches": obj{"outage_banner": true}, "seq": float64(1)})
			return
		}
	}
	t.Error("the restarted server does not log the switches it loaded")
}
