package server_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/callflows/carrier"
	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/server"
	"github.com/ivrctl/ivrctl/server/logtest"
)

// mustLoadBytes compiles a flow written in a test.
func mustLoadBytes(t *testing.T, name, src string) *engine.Flow {
	t.Helper()
	flow, diags, _ := engine.Load(name, engine.LoadOptions{Source: []byte(src), Env: noEnv})
	if flow == nil {
		t.Fatalf("%s does not load:\n%v", name, diags)
	}
	return flow
}

func postOK(t *testing.T, url string, body []byte) []byte {
	t.Helper()
	status, got, err := carrier.Post(t.Context(), nil, url, body)
	if err != nil || status != http.StatusOK {
		t.Fatalf("POST %s: %d %s %v", url, status, got, err)
	}
	return got
}

// TestDuplicateDeliveryAcrossReload: an event delivered again gets the
// answer it got the first time, even when the flow changed in between;
// a new event gets the new flow's answer.
func TestDuplicateDeliveryAcrossReload(t *testing.T) {
	ts, srv := newServer(t, server.Options{})
	url := ts.URL + "/webhooks/vca"
	event := carrier.Event{EventID: "e-1", CallID: "c", SessionID: "s", ClientActionID: "main_menu", Digits: "1"}
	first := postOK(t, url, event.Body())
	reservations, _ := srv.Flow().Node("reservations")
	if !bytes.Equal(first, reservations.Response()) {
		t.Fatalf("first delivery answered %s", first)
	}

	srv.SetFlow(mustLoadBytes(t, "new.yaml", `start: main_menu
nodes:
  main_menu:
    menu: Press 1 for the new menu.
    keys: {"1": elsewhere}
  elsewhere:
    say: This is the new flow.
`))
	if again := postOK(t, url, event.Body()); !bytes.Equal(again, first) {
		t.Errorf("second delivery answered %s, want the first answer %s", again, first)
	}
	event.EventID = "e-2"
	if fresh := postOK(t, url, event.Body()); !strings.Contains(string(fresh), "This is the new flow.") {
		t.Errorf("a new event answered %s, want the new flow's", fresh)
	}
}

// TestDuplicateDeliveriesRacing: deliveries of one event that arrive
// together all get one answer, and the event is counted once.
func TestDuplicateDeliveriesRacing(t *testing.T) {
	ts, _ := newServer(t, server.Options{})
	body := carrier.Event{EventID: "race", CallID: "c", SessionID: "s", ClientActionID: "main_menu", Digits: "3"}.Body()
	const n = 16
	answers := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			status, got, err := carrier.Post(t.Context(), nil, ts.URL+"/webhooks/vca", body)
			if err != nil || status != http.StatusOK {
				t.Errorf("delivery %d: %d %v", i, status, err)
			}
			answers[i] = got
		})
	}
	wg.Wait()
	for i := 1; i < n; i++ {
		if !bytes.Equal(answers[i], answers[0]) {
			t.Errorf("delivery %d answered %s, delivery 0 %s", i, answers[i], answers[0])
		}
	}
	got := scrape(t, ts.URL)
	if c := got[`ivrctl_webhooks_total{event_type="CALL_ACTION",outcome="key",webhook="vca"}`]; c != 1 {
		t.Errorf("counted %v times, want once", c)
	}
	if c := got[`ivrctl_webhook_duplicates_total{webhook="vca"}`]; c != n-1 {
		t.Errorf("duplicates = %v, want %d", c, n-1)
	}
	if c := got[`ivrctl_node_visits_total{node="hours"}`]; c != 1 {
		t.Errorf("hours visited %v times, want once", c)
	}
}

// TestDedupeOff: with DedupeSize < 0 every delivery is answered and
// counted anew.
func TestDedupeOff(t *testing.T) {
	ts, _ := newServer(t, server.Options{DedupeSize: -1})
	body := carrier.Event{EventID: "same", ClientActionID: "main_menu", Digits: "3"}.Body()
	postOK(t, ts.URL+"/webhooks/vca", body)
	postOK(t, ts.URL+"/webhooks/vca", body)
	if c := scrape(t, ts.URL)[`ivrctl_node_visits_total{node="hours"}`]; c != 2 {
		t.Errorf("hours visited %v times, want 2 with dedupe off", c)
	}
}

const pinFlow = `start: pin
nodes:
  pin:
    menu: Enter your 4 digit PIN.
    sensitive: true
    capture: {max_digits: 4}
    keys: {"1234": ok}
    on_invalid: menu
  menu:
    menu: Press 1 to hear the PIN menu again.
    keys: {"1": pin}
  ok:
    say: Thank you.
`

// TestSensitiveDigitsRedacted: keys pressed at a sensitive menu are not
// in the log, before and after a reload that removes the menu; other
// menus' keys are.
func TestSensitiveDigitsRedacted(t *testing.T) {
	log := &logtest.Buffer{}
	srv := server.New(mustLoadBytes(t, "pin.yaml", pinFlow), server.Options{Logger: zerolog.New(log)})
	ts := httptest.NewServer(srv.Routes())
	t.Cleanup(ts.Close)
	url := ts.URL + "/webhooks/vca"

	dtmfLogged := func(cid, digits string) any {
		t.Helper()
		postOK(t, url, carrier.Event{ClientActionID: cid, Digits: digits}.Body())
		lines := takeLog(t, log)
		if len(lines) != 1 {
			t.Fatalf("%d log lines, want 1", len(lines))
		}
		return lines[0]["dtmf"]
	}
	if got := dtmfLogged("pin", "1234"); got != "[redacted]" {
		t.Errorf("right PIN logged as %v", got)
	}
	if got := dtmfLogged("pin", "9876"); got != "[redacted]" {
		t.Errorf("wrong PIN logged as %v", got)
	}
	if got := dtmfLogged("menu", "1"); got != "1" {
		t.Errorf("a plain menu's key logged as %v, want 1", got)
	}
	srv.SetFlow(mustLoadBytes(t, "nopin.yaml", "start: menu\nnodes:\n  menu:\n    menu: Press 1.\n    keys: {\"1\": bye}\n  bye:\n    say: Bye.\n"))
	if got := dtmfLogged("pin", "1234"); got != "[redacted]" {
		t.Errorf("a PIN sent to the removed menu logged as %v", got)
	}
	if got := dtmfLogged("gone", "55"); got != "55" {
		t.Errorf("keys for a node that was never sensitive logged as %v, want 55", got)
	}
	if strings.Contains(log.String(), "1234") {
		t.Error("the PIN is somewhere in the log")
	}
}

// TestSubAccount: with SubAccountID set, webhooks for another sub-account
// (or none) are refused with 403, and the server's own are answered.
func TestSubAccount(t *testing.T) {
	ts, _ := newServer(t, server.Options{SubAccountID: "account_x"}) // carrier's bodies say account_x
	vss := fixture(t, "vss_completed.json")
	tests := []struct {
		name, path string
		body       []byte
		want       int
	}{
		{"vca ours", "/webhooks/vca", vca("main_menu", "1", nil), http.StatusOK},
		{"vca other", "/webhooks/vca", vca("main_menu", "1", obj{"subAccountId": "someone_else"}), http.StatusForbidden},
		{"vca none", "/webhooks/vca", vca("main_menu", "1", obj{"subAccountId": nil}), http.StatusForbidden},
		{"vss ours", "/webhooks/vss", patch(vss, nil, obj{"subAccountId": "account_x"}), http.StatusOK},
		{"vss other", "/webhooks/vss", patch(vss, nil, obj{"subAccountId": "someone_else"}), http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, err := carrier.Post(t.Context(), nil, ts.URL+tt.path, tt.body)
			if err != nil || status != tt.want {
				t.Fatalf("status %d %s %v, want %d", status, body, err, tt.want)
			}
			if status == http.StatusForbidden && !strings.Contains(string(body), "another sub-account") {
				t.Errorf("body %s does not say why", body)
			}
		})
	}
}

// TestAccessWired: the access guard stands in front of both webhooks and
// of nothing else.
func TestAccessWired(t *testing.T) {
	const secret = "Basic aXZyY3RsOnMzY3JldA=="
	ts, _ := newServer(t, server.Options{Access: server.Access{AuthHeader: secret}})
	post := func(path, auth string, body []byte) int {
		t.Helper()
		header := http.Header{}
		if auth != "" {
			header.Set("Authorization", auth)
		}
		status, _, err := carrier.PostHeader(t.Context(), nil, ts.URL+path, body, header)
		if err != nil {
			t.Fatal(err)
		}
		return status
	}
	vss := fixture(t, "vss_completed.json")
	for _, tt := range []struct {
		path, auth string
		body       []byte
		want       int
	}{
		{"/webhooks/vca", "", vca("main_menu", "1", nil), http.StatusUnauthorized},
		{"/webhooks/vca", "Basic d3Jvbmc=", vca("main_menu", "1", nil), http.StatusUnauthorized},
		{"/webhooks/vca", secret, vca("main_menu", "1", nil), http.StatusOK},
		{"/webhooks/vss", "", vss, http.StatusUnauthorized},
		{"/webhooks/vss", secret, vss, http.StatusOK},
	} {
		if got := post(tt.path, tt.auth, tt.body); got != tt.want {
			t.Errorf("POST %s with %q: %d, want %d", tt.path, tt.auth, got, tt.want)
		}
	}
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s without the header: %d, want 200", path, resp.StatusCode)
		}
	}
}

// TestRequestID: a request ID passed by a proxy in front is the one
// logged; without one, each request gets its own.
func TestRequestID(t *testing.T) {
	d := newDirect(t, 0)
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/webhooks/vca", bytes.NewReader(vca("main_menu", "1", nil)))
	req.Header.Set("X-Request-Id", "proxy-42")
	d.srv.Routes().ServeHTTP(httptest.NewRecorder(), req)
	lines := takeLog(t, d.log)
	if len(lines) != 1 || lines[0]["request_id"] != "proxy-42" {
		t.Fatalf("log %v, want request_id proxy-42", lines)
	}
	// The other lines carry the caller's ID too: a session summary, and a
	// request refused before any handler.
	for _, path := range []string{"/webhooks/vss", "/no/such/route"} {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, path,
			strings.NewReader(`{"payload":{"sessionId":"s-1","sessionStatus":"COMPLETED"}}`))
		req.Header.Set("X-Request-Id", "proxy-43")
		d.srv.Routes().ServeHTTP(httptest.NewRecorder(), req)
		if lines := takeLog(t, d.log); len(lines) != 1 || lines[0]["request_id"] != "proxy-43" {
			t.Errorf("%s: log %v, want request_id proxy-43", path, lines)
		}
	}
	_, a := d.do(t, http.MethodPost, "/webhooks/vca", vca("main_menu", "2", nil))
	_, b := d.do(t, http.MethodPost, "/webhooks/vca", vca("main_menu", "3", nil))
	if a["request_id"] == b["request_id"] {
		t.Errorf("two requests share the ID %v", a["request_id"])
	}

	// An ID no proxy would send is a stranger's: replaced, never logged.
	for _, id := range []string{
		strings.Repeat("x", 65),
		"proxy-42\x1b[31m",
		"proxy-\u00e9",
		"proxy-42\x00",
	} {
		for _, path := range []string{"/webhooks/vca", "/no/such/route"} {
			req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, path, bytes.NewReader(vca("main_menu", "1", nil)))
			req.Header["X-Request-Id"] = []string{id}
			d.srv.Routes().ServeHTTP(httptest.NewRecorder(), req)
			lines := takeLog(t, d.log)
			if len(lines) != 1 {
				t.Fatalf("%s: %d log lines, want 1", path, len(lines))
			}
			got, _ := lines[0]["request_id"].(string)
			if got == "" || got == id || strings.Contains(got, "proxy") || strings.Contains(got, "xxx") {
				t.Errorf("%s with X-Request-Id %q: logged request_id %q, want one made by the server", path, id, got)
			}
		}
	}
	// The longest a proxy may send is kept.
	id := strings.Repeat("p", 64)
	req = httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/webhooks/vca", bytes.NewReader(vca("main_menu", "1", nil)))
	req.Header.Set("X-Request-Id", id)
	d.srv.Routes().ServeHTTP(httptest.NewRecorder(), req)
	if lines := takeLog(t, d.log); len(lines) != 1 || lines[0]["request_id"] != id {
		t.Errorf("log %v, want the 64-byte request_id", lines)
	}
}
