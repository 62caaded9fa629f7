package server_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/callflows/carrier"
	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/callstate"
	"github.com/ivrctl/ivrctl/server"
	"github.com/ivrctl/ivrctl/server/logwriter"
)

// benchVCA is a caller pressing 2 at the reservations menu, a typical VCA.
var benchVCA = carrier.Event{
	EventID:        benchEventID,
	CallID:         testCallID,
	SessionID:      testSessionID,
	ClientActionID: "reservations",
	Digits:         "2",
}.Body()

// benchEventID is the eventId of benchVCA, whose last 12 digits nextEvent
// rewrites so that every request is a new event, not a duplicate delivery
// answered from the cache.
const benchEventID = "77e6a667-133a-11ef-9dd4-000000000000"

// nextEvent makes body, a copy of benchVCA, the event numbered n.
func nextEvent(body []byte, at, n int) {
	const hex = "0123456789abcdef"
	for i := at + len(benchEventID) - 1; i >= at+len(benchEventID)-12; i-- {
		body[i] = hex[n&15]
		n >>= 4
	}
}

// sink is a ResponseWriter reused across iterations, so that the benchmark
// counts the server's allocations and not a recorder's.
type sink struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (s *sink) Header() http.Header         { return s.header }
func (s *sink) WriteHeader(status int)      { s.status = status }
func (s *sink) Write(p []byte) (int, error) { return s.body.Write(p) }

func (s *sink) reset() {
	clear(s.header)
	s.status = http.StatusOK
	s.body.Reset()
}

// body is a request body that can be read again from the start.
type body struct{ bytes.Reader }

func (*body) Close() error { return nil }

// BenchmarkVCA measures one VCA through the router, logging included, with
// no network: what serving costs the server itself.
func BenchmarkVCA(b *testing.B) {
	flow := loadFlow(b)
	want, _ := flow.Node("reschedule_table")
	w := serveVCAs(b, server.New(flow, server.Options{Logger: zerolog.New(io.Discard)}).Routes())
	if w.status != http.StatusOK || !bytes.Equal(w.body.Bytes(), want.Response()) {
		b.Fatalf("got %d %s, want 200 %s", w.status, w.body.Bytes(), want.Response())
	}
}

// serveVCAs has h answer b.N VCAs, each benchVCA as a new event, and
// returns the last answer.
func serveVCAs(b *testing.B, h http.Handler) *sink { return serveEvents(b, h, benchVCA) }

// serveEvents has h answer b.N VCAs, each event as a new one, and returns
// the last answer. event holds benchEventID.
func serveEvents(b *testing.B, h http.Handler, event []byte) *sink {
	req := httptest.NewRequest(http.MethodPost, "/webhooks/vca", nil)
	req.Header.Set("Content-Type", "application/json")
	rb := &body{}
	req.Body = rb
	w := &sink{header: http.Header{}}
	at := bytes.Index(event, []byte(benchEventID))
	if at < 0 {
		b.Fatal("the event does not hold benchEventID")
	}
	vca := bytes.Clone(event)
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		n++
		nextEvent(vca, at, n)
		rb.Reset(vca)
		w.reset()
		h.ServeHTTP(w, req)
	}
	return w
}

// BenchmarkVCAState measures a VCA that reads and writes call state: a
// wrong key at a menu of the clinic line, two menus deep with the way back
// signed in its clientActionId; the answer says sorry, asks again and
// carries the count. Compare with BenchmarkVCA, a VCA with no state.
func BenchmarkVCAState(b *testing.B) {
	keys, err := callstate.ParseKeys("YmVuY2gta2V5LTAxMjM0NTY3ODlhYmNkZWY")
	if err != nil {
		b.Fatal(err)
	}
	id, err := keys.Encode(engine.State{Node: "address", Back: []string{"main_menu", "appointments"}})
	if err != nil {
		b.Fatal(err)
	}
	event := carrier.Event{EventID: benchEventID, CallID: testCallID, SessionID: testSessionID, ClientActionID: id, Digits: "7"}.Body()
	flow, diags, err := engine.Load(linePath, engine.LoadOptions{Env: noEnv})
	if flow == nil {
		b.Fatal(diags, err)
	}
	w := serveEvents(b, server.New(flow, server.Options{Logger: zerolog.New(io.Discard), StateKeys: keys}).Routes(), event)
	if w.status != http.StatusOK || !bytes.Contains(w.body.Bytes(), []byte(`"Sorry, that is not an option."`)) || !bytes.HasPrefix(w.body.Bytes(), []byte(`{"clientActionId":"address.`)) {
		b.Fatalf("got %d %s, want the apology with the state", w.status, w.body.Bytes())
	}
}

// BenchmarkVCATemplate measures a VCA whose answer says a value of the
// call: an order number typed at a collect node of examples/orders.yaml,
// saved in the state and read back digit by digit in the next menu's
// prompt. Compare with BenchmarkVCA, whose answer is precompiled.
func BenchmarkVCATemplate(b *testing.B) {
	event := carrier.Event{EventID: benchEventID, CallID: testCallID, SessionID: testSessionID, ClientActionID: "order", Digits: "61234"}.Body()
	flow, diags, err := engine.Load("../examples/orders.yaml", engine.LoadOptions{Env: noEnv})
	if flow == nil {
		b.Fatal(diags, err)
	}
	keys, err := callstate.ParseKeys("YmVuY2gta2V5LTAxMjM0NTY3ODlhYmNkZWY")
	if err != nil {
		b.Fatal(err)
	}
	w := serveEvents(b, server.New(flow, server.Options{Logger: zerolog.New(io.Discard), StateKeys: keys}).Routes(), event)
	if w.status != http.StatusOK || !bytes.Contains(w.body.Bytes(), []byte(`"You entered 6 1 2 3 4. If that is right`)) {
		b.Fatalf("got %d %s, want the number read back", w.status, w.body.Bytes())
	}
}

// BenchmarkVCALogFile is BenchmarkVCA logging to a real file, as ivrctl
// serve does (with zerolog's timestamp), straight or through a
// logwriter.Writer: what the buffering saves, which package logwriter's
// comment states.
func BenchmarkVCALogFile(b *testing.B) {
	flow := loadFlow(b)
	for _, tt := range []struct {
		name string
		wrap func(f *os.File) io.WriteCloser
	}{
		{"file", func(f *os.File) io.WriteCloser { return f }},
		{"logwriter", func(f *os.File) io.WriteCloser { return logwriter.New(f, 0) }},
	} {
		b.Run(tt.name, func(b *testing.B) {
			f, err := os.Create(filepath.Join(b.TempDir(), "serve.log"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			w := tt.wrap(f)
			defer w.Close()
			log := zerolog.New(w).With().Timestamp().Logger()
			serveVCAs(b, server.New(flow, server.Options{Logger: log}).Routes())
		})
	}
}

// BenchmarkVCAOverLoopback measures one VCA round trip over HTTP/1.1 on
// loopback with a keep-alive client, as 8x8 would post it.
func BenchmarkVCAOverLoopback(b *testing.B) {
	flow := loadFlow(b)
	want, _ := flow.Node("reschedule_table")
	ts := httptest.NewServer(server.New(flow, server.Options{Logger: zerolog.New(io.Discard)}).Routes())
	b.Cleanup(ts.Close)
	client := ts.Client()
	url := ts.URL + "/webhooks/vca"
	vca := bytes.Clone(benchVCA)
	at := bytes.Index(vca, []byte(benchEventID))
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		n++
		nextEvent(vca, at, n)
		status, got, err := carrier.Post(b.Context(), client, url, vca)
		if err != nil || status != http.StatusOK || !bytes.Equal(got, want.Response()) {
			b.Fatalf("got %d %s %v, want 200 %s", status, got, err, want.Response())
		}
	}
}

// BenchmarkVCARequest measures a VCA whose step asks the business's API
// (examples/orders.yaml's lookup, against an API on loopback that answers
// at once) and what the same request costs made directly: the difference
// is what the request node adds beyond the API's own latency.
func BenchmarkVCARequest(b *testing.B) {
	api, flow, keys, id := requestBench(b)
	b.Run("vca", func(b *testing.B) {
		event := carrier.Event{EventID: benchEventID, CallID: testCallID, SessionID: testSessionID, ClientActionID: id, Digits: "1"}.Body()
		w := serveEvents(b, server.New(flow, server.Options{Logger: zerolog.New(io.Discard), StateKeys: keys}).Routes(), event)
		if !bytes.Contains(w.body.Bytes(), []byte("is on its way")) {
			b.Fatalf("got %s", w.body.Bytes())
		}
	})
	b.Run("api-alone", func(b *testing.B) {
		client := api.Client()
		for b.Loop() {
			res, err := client.Get(api.URL + "/api/orders/61234")
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	})
}

// requestBench starts a business API on loopback that answers at once and
// returns it with examples/orders.yaml asking it, the state keys, and the
// clientActionId of a caller at the confirmation of order 61234: pressing
// 1 there makes the lookup.
func requestBench(b *testing.B) (*httptest.Server, *engine.Flow, callstate.Keys, string) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"status":"shipped","eta":"20261224"}`))
	}))
	b.Cleanup(api.Close)
	flow := loadWithAPI(b, "../examples/orders.yaml", "ORDERS_API", api.URL)
	keys, err := callstate.ParseKeys("YmVuY2gta2V5LTAxMjM0NTY3ODlhYmNkZWY")
	if err != nil {
		b.Fatal(err)
	}
	id, err := keys.Encode(engine.State{Node: "confirm", Vars: []callstate.Var{{Name: "order", Value: "61234"}}})
	if err != nil {
		b.Fatal(err)
	}
	return api, flow, keys, id
}

// benchCallers is how many callers per core BenchmarkVCARequestP99 runs.
var benchCallers = 4

// BenchmarkVCARequestP99 is BenchmarkVCARequest under load: 8 callers at
// once on a 2-core machine, over loopback, each webhook asking the API; it reports the p99
// latency of the webhooks and of the same requests made directly, whose
// difference is what the request node adds at the tail.
func BenchmarkVCARequestP99(b *testing.B) {
	api, flow, keys, id := requestBench(b)
	ts := httptest.NewServer(server.New(flow, server.Options{Logger: zerolog.New(io.Discard), StateKeys: keys}).Routes())
	b.Cleanup(ts.Close)
	p99 := func(b *testing.B, do func(i int) error) float64 {
		var mu sync.Mutex
		var lat []time.Duration
		var n atomic.Int64
		b.SetParallelism(benchCallers) // callers per core
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				start := time.Now()
				if err := do(int(n.Add(1))); err != nil {
					b.Error(err)
					return
				}
				took := time.Since(start)
				mu.Lock()
				lat = append(lat, took)
				mu.Unlock()
			}
		})
		slices.Sort(lat)
		return float64(lat[len(lat)*99/100].Microseconds())
	}
	client := ts.Client()
	var webhook, direct float64
	b.Run("vca", func(b *testing.B) {
		webhook = p99(b, func(i int) error {
			body := carrier.Event{EventID: fmt.Sprintf("e-%d-%d", b.N, i), CallID: testCallID, SessionID: testSessionID, ClientActionID: id, Digits: "1"}.Body()
			status, got, err := carrier.Post(b.Context(), client, ts.URL+"/webhooks/vca", body)
			if err != nil || status != http.StatusOK || !bytes.Contains(got, []byte("on its way")) {
				return fmt.Errorf("got %d %s %v", status, got, err)
			}
			return nil
		})
		b.ReportMetric(webhook, "p99-µs")
	})
	b.Run("api-alone", func(b *testing.B) {
		c := api.Client()
		direct = p99(b, func(int) error {
			res, err := c.Get(api.URL + "/api/orders/61234")
			if err != nil {
				return err
			}
			io.Copy(io.Discard, res.Body)
			return res.Body.Close()
		})
		b.ReportMetric(direct, "p99-µs")
	})
}
