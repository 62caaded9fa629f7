package business

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/engine"
)

// TestCircuit: failures in a row open a request node's circuit, which then
// answers at once without a request; once open long enough, one request
// tries again, and an answer closes it.
func TestCircuit(t *testing.T) {
	var up atomic.Bool
	var hits atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if !up.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(api.Close)
	flow, diags, _ := engine.Load("f.yaml", engine.LoadOptions{Source: []byte("start: q\nnodes:\n  q:\n    request: {url: \"" + api.URL + "\"}\n    then: bye\n  bye:\n    say: Bye.\n")})
	if flow == nil {
		t.Fatal(diags)
	}
	node, _ := flow.Node("q")
	req := &engine.Request{Node: node, Method: http.MethodGet, URL: api.URL, Timeout: time.Second}
	c := New([]byte("s"))
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	for i := range DefaultFailures {
		if r := c.Do(context.Background(), req); r.Status != http.StatusServiceUnavailable {
			t.Fatalf("request %d: %+v", i, r)
		}
	}
	if r := c.Do(context.Background(), req); !errors.Is(r.Err, ErrCircuitOpen) || hits.Load() != int32(DefaultFailures) {
		t.Fatalf("an open circuit: %+v after %d requests, want ErrCircuitOpen and no request", r, hits.Load())
	}
	now = now.Add(DefaultOpenFor + time.Second)
	up.Store(true)
	if r := c.Do(context.Background(), req); r.Status != http.StatusOK {
		t.Fatalf("the try after the circuit was open: %+v", r)
	}
	if r := c.Do(context.Background(), req); r.Status != http.StatusOK {
		t.Fatalf("after a good try the circuit is closed: %+v", r)
	}
}

// TestSign: the signature is the HMAC-SHA256 of "TIMESTAMP.BODY", as
// openssl computes it:
//
//	echo -n '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
func TestSign(t *testing.T) {
	const want = "49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
	if got := Sign([]byte("secret"), "1700000000", []byte(`{"a":1}`)); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

// TestConcurrencyBound: with every place taken, a request waits for one
// within its deadline, and when none frees up it ends as a timeout
// (ErrBusy) without reaching the API.
func TestConcurrencyBound(t *testing.T) {
	arrived, release := make(chan struct{}), make(chan struct{})
	var hits atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		arrived <- struct{}{}
		<-release
	}))
	t.Cleanup(api.Close)
	flow, diags, _ := engine.Load("f.yaml", engine.LoadOptions{Source: []byte("start: q\nnodes:\n  q:\n    request: {url: \"" + api.URL + "\"}\n    then: bye\n  bye:\n    say: Bye.\n")})
	if flow == nil {
		t.Fatal(diags)
	}
	node, _ := flow.Node("q")
	c := New(nil)
	c.places = make(chan struct{}, 1)
	first := make(chan engine.Response)
	go func() {
		first <- c.Do(context.Background(), &engine.Request{Node: node, Method: http.MethodGet, URL: api.URL, Timeout: 5 * time.Second})
	}()
	<-arrived // the first request holds the only place
	r := c.Do(context.Background(), &engine.Request{Node: node, Method: http.MethodGet, URL: api.URL, Timeout: 50 * time.Millisecond})
	if !r.TimedOut || !errors.Is(r.Err, ErrBusy) || hits.Load() != 1 {
		t.Errorf("a request with no place free: %+v after %d requests, want a timeout (ErrBusy) and no request", r, hits.Load())
	}
	close(release)
	if r := <-first; r.Status != http.StatusOK {
		t.Errorf("the first request: %+v", r)
	}
}
