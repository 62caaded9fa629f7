package server_test

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/callflows/carrier"
	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/callstate"
	"github.com/ivrctl/ivrctl/server"
	"github.com/ivrctl/ivrctl/server/business"
	"github.com/ivrctl/ivrctl/server/logtest"
)

// shopAPI is the business's own API on loopback: it checks every
// request's signature, and answers order numbers by their first digit.
type shopAPI struct {
	secret    []byte
	badSig    atomic.Int32
	requests  atomic.Int32
	slowUntil chan struct{} // orders 7...: answered once closed
}

func (s *shopAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ts, sig := r.Header.Get(business.TimestampHeader), strings.TrimPrefix(r.Header.Get(business.SignatureHeader), "v1=")
	if !hmac.Equal([]byte(sig), []byte(business.Sign(s.secret, ts, nil))) || r.Header.Get("Authorization") != "Bearer test-token" {
		s.badSig.Add(1)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if r.URL.Path == "/api/customers" {
		http.Error(w, `{"error": "unknown caller"}`, http.StatusNotFound)
		return
	}
	s.requests.Add(1)
	order := strings.TrimPrefix(r.URL.Path, "/api/orders/")
	switch order[0] {
	case '1':
		json.NewEncoder(w).Encode(map[string]string{"status": "shipped", "eta": "20261224"})
	case '2':
		json.NewEncoder(w).Encode(map[string]string{"status": "delivered"})
	case '4':
		http.Error(w, `{"error": "not found"}`, http.StatusNotFound)
	case '5':
		http.Error(w, "down", http.StatusInternalServerError)
	case '7':
		select {
		case <-s.slowUntil:
		case <-r.Context().Done():
		}
	}
}

// TestRequestOverHTTP walks examples/orders.yaml against a started server
// whose request node asks a business API on loopback: every branch, the
// read-back texts exact, the answer's latency bounded by the deadline, and
// a failing endpoint skipped once its circuit opens.
func TestRequestOverHTTP(t *testing.T) {
	secret := []byte("shared-with-the-shop")
	api := &shopAPI{secret: secret, slowUntil: make(chan struct{})}
	shop := httptest.NewServer(api)
	t.Cleanup(shop.Close)
	t.Cleanup(func() { close(api.slowUntil) })
	flow := loadWithAPI(t, "../examples/orders.yaml", "ORDERS_API", shop.URL)
	keys, _ := callstate.ParseKeys("cmVxdWVzdC10ZXN0LWtleS0wMTIzNDU2")
	log := &logtest.Buffer{}
	srv := server.New(flow, server.Options{Logger: zerolog.New(log), StateKeys: keys, Business: business.New(secret)})
	ts := httptest.NewServer(srv.Routes())
	t.Cleanup(ts.Close)

	ask := func(order string) (string, time.Duration) {
		t.Helper()
		c := &carrier.Caller{BaseURL: ts.URL, CallID: "call-" + order}
		ctx := context.Background()
		if _, err := c.Ring(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Press(ctx, order); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		r, err := c.Press(ctx, "1")
		if err != nil {
			t.Fatal(err)
		}
		switch a := r.Callflow[0].(type) {
		case *callflows.Say:
			return a.Text, time.Since(start)
		case *callflows.SayAndCapture:
			return a.PromptMessage, time.Since(start)
		}
		t.Fatalf("answer %+v", r.Callflow)
		return "", 0
	}
	for _, tt := range []struct{ order, says string }{
		{"1234", "Order 1 2 3 4 is on its way. It arrives on December 24, 2026. Goodbye."},
		{"2345", "Order 2 3 4 5 was delivered. Goodbye."},
		{"4321", "We could not find order 4 3 2 1. Please check the number and call again."},
		{"5555", "We cannot look up orders right now. To have us call you back, press 1."},
	} {
		if says, _ := ask(tt.order); says != tt.says {
			t.Errorf("order %s: says %q, want %q", tt.order, says, tt.says)
		}
	}
	if n := api.badSig.Load(); n != 0 {
		t.Errorf("%d requests came without a good signature", n)
	}

	// Slow beyond the deadline (2 s): the caller hears the failure branch
	// once the deadline passes, not when the API answers.
	says, took := ask("7777")
	if !strings.HasPrefix(says, "We cannot look up orders right now.") || took > 2*time.Second+time.Second {
		t.Errorf("a slow API: says %q after %v, want the failure within the 2 s deadline", says, took)
	}
	if !strings.Contains(log.String(), `"result":"timeout"`) {
		t.Errorf("the timeout is not logged:\n%s", log.String())
	}

	// Connection refused: a flow pointed at a closed port.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	srv.SetFlow(loadWithAPI(t, "../examples/orders.yaml", "ORDERS_API", closed))
	for i := range business.DefaultFailures {
		if says, _ := ask(fmt.Sprint(1000 + i)); !strings.HasPrefix(says, "We cannot look up orders") {
			t.Errorf("connection refused: says %q", says)
		}
	}
	if !strings.Contains(log.String(), `"result":"error"`) {
		t.Errorf("connection refused is not logged as an error")
	}
	// The lookup failed DefaultFailures times in a row: its circuit is
	// open, so even against the shop, which answers, it is not tried and
	// the caller hears the failure branch at once.
	srv.SetFlow(flow)
	before := api.requests.Load()
	if says, _ := ask("1234"); !strings.HasPrefix(says, "We cannot look up orders") {
		t.Errorf("an open circuit: says %q, want the failure branch at once", says)
	}
	if n := api.requests.Load() - before; n != 0 {
		t.Errorf("%d requests went to a request node whose circuit is open", n)
	}
	if strings.Contains(log.String(), "test-token") {
		t.Error("the API token is in the log")
	}
}

// TestAccountOverHTTP walks examples/account.yaml against a started server
// whose request node sends the PIN to a utility API on loopback that checks
// the signature: the balance is said, and the PIN is found nowhere but in
// the signed request to the API: not in the log, not in /metrics, not in
// the clientActionIds, which do not open without the key.
func TestAccountOverHTTP(t *testing.T) {
	secret := []byte("shared-with-the-utility")
	var badSig atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts := r.Header.Get(business.TimestampHeader)
		if !hmac.Equal([]byte(r.Header.Get(business.SignatureHeader)), []byte("v1="+business.Sign(secret, ts, body))) {
			badSig.Add(1)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var req struct{ Account, Pin string }
		json.Unmarshal(body, &req)
		if req.Account != "12345678" || req.Pin != "9713" {
			http.Error(w, `{"error": "no match"}`, http.StatusForbidden)
			return
		}
		w.Write([]byte(`{"balance": "45.20", "due": "20261215"}`))
	}))
	t.Cleanup(api.Close)
	flow := loadWithAPI(t, "../examples/account.yaml", "ACCOUNT_API", api.URL)
	keys, _ := callstate.ParseKeys("YWNjb3VudC1odHRwLWtleS0wMTIzNDU2")
	log := &logtest.Buffer{}
	srv := server.New(flow, server.Options{Logger: zerolog.New(log), StateKeys: keys, Business: business.New(secret)})
	ts := httptest.NewServer(srv.Routes())
	t.Cleanup(ts.Close)
	ctx := context.Background()
	var ids []string
	walk := func(pin string) string {
		t.Helper()
		c := &carrier.Caller{BaseURL: ts.URL, CallID: fmt.Sprintf("call-%d", len(ids))}
		for _, step := range []func() error{
			func() error { _, err := c.Ring(ctx); return err },
			func() error { _, err := c.Press(ctx, "12345678"); return err },
			func() error { ids = append(ids, c.Last.ClientActionID); _, err := c.Press(ctx, pin); return err },
		} {
			if err := step(); err != nil {
				t.Fatal(err)
			}
		}
		return c.Last.Callflow[0].(*callflows.Say).Text
	}
	if says := walk("9713"); says != "Your balance is 45 dollars and 20 cents, due on December 15, 2026. Goodbye." {
		t.Errorf("the right PIN: says %q", says)
	}
	if says := walk("2468"); says != "That account number and PIN do not match. Please call again." {
		t.Errorf("a wrong PIN: says %q", says)
	}
	if n := badSig.Load(); n != 0 {
		t.Errorf("%d requests came without a good signature", n)
	}
	checkNoPINs(t, map[string]string{"log": log.String(), "metrics": seriesOf(t, ts.URL), "clientActionIds": strings.Join(ids, " ")}, "9713", "2468")
	for _, id := range ids {
		if _, err := (callstate.Keys{}).Decode(id); strings.Contains(id, ".") && err == nil {
			t.Errorf("the state %q opens without the key", id)
		}
	}
}

// TestRequestsPerWebhookBounded: a flow whose requests follow one another
// gets at most engine.MaxRequests of them for one webhook; the caller then
// hears the fallback, and the log says why.
func TestRequestsPerWebhookBounded(t *testing.T) {
	var hits atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(api.Close)
	var b strings.Builder
	b.WriteString("start: ask\nnodes:\n  ask:\n    menu: Press 1.\n    keys: {\"1\": q1}\n")
	for i := 1; i <= engine.MaxRequests+1; i++ {
		fmt.Fprintf(&b, "  q%d:\n    request: {url: \"%s/q\"}\n    ok: q%d\n    then: bye\n", i, api.URL, i+1)
	}
	fmt.Fprintf(&b, "  q%d:\n    say: Done.\n  bye:\n    say: Bye.\n", engine.MaxRequests+2)
	flow, diags, err := engine.Load("chain.yaml", engine.LoadOptions{Source: []byte(b.String()), Env: noEnv})
	if flow == nil {
		t.Fatal(diags, err)
	}
	log := &logtest.Buffer{}
	ts := httptest.NewServer(server.New(flow, server.Options{Logger: zerolog.New(log)}).Routes())
	t.Cleanup(ts.Close)
	c := &carrier.Caller{BaseURL: ts.URL, CallID: "call-chain"}
	r, err := c.PressAt(context.Background(), "ask", "1")
	if err != nil {
		t.Fatal(err)
	}
	if say, ok := r.Callflow[0].(*callflows.Say); !ok || say.Text != engine.DefaultFallbackText {
		t.Errorf("after %d requests the caller hears %+v, want the fallback", engine.MaxRequests, r.Callflow)
	}
	if n := hits.Load(); n != int32(engine.MaxRequests) {
		t.Errorf("%d requests reached the API, want %d", n, engine.MaxRequests)
	}
	if !strings.Contains(log.String(), "too many requests for one webhook") {
		t.Errorf("the log does not say why:\n%s", log.String())
	}
}
