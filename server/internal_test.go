package server

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/callflows/carrier"
	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/server/logtest"
)

func loadRestaurant(t *testing.T) *engine.Flow {
	t.Helper()
	flow, diags, err := engine.Load("../flows/restaurant.yaml", engine.LoadOptions{Env: func(string) (string, bool) { return "", false }})
	if err != nil || flow == nil {
		t.Fatalf("load: %v\n%v", err, diags)
	}
	return flow
}

// takeLog returns the lines log holds, parsed, and forgets them.
func takeLog(t *testing.T, log *logtest.Buffer) []map[string]any {
	t.Helper()
	lines, err := log.Take()
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

func post(t *testing.T, ts *httptest.Server, body []byte) (int, []byte) {
	t.Helper()
	status, data, err := carrier.Post(t.Context(), ts.Client(), ts.URL+"/webhooks/vca", body)
	if err != nil {
		t.Fatal(err)
	}
	return status, data
}

// TestStepPanic makes choosing the answer panic: the caller must still hear
// the fallback, the failure must be logged as an error, and the server must
// go on answering.
func TestStepPanic(t *testing.T) {
	flow := loadRestaurant(t)
	log := &logtest.Buffer{}
	s := New(flow, Options{Logger: zerolog.New(log)})
	// Set before serving starts, so no request reads it while it changes.
	s.answer = func(f *engine.Flow, p *callflows.CallActionPayload, in engine.Input) ([]byte, engine.Step) {
		if p.ClientActionID == "boom" {
			panic("boom")
		}
		return s.answerVCA(f, p, in)
	}
	ts := httptest.NewServer(s.Routes())
	t.Cleanup(ts.Close)

	boom := carrier.Event{CallID: "call-boom", ClientActionID: "boom", Digits: "1"}.Body()
	good := carrier.Event{CallID: "call-good", ClientActionID: "main_menu", Digits: "1"}.Body()
	reservations, _ := flow.Node("reservations")

	for i := range 3 {
		status, body := post(t, ts, boom)
		if status != http.StatusOK || !bytes.Equal(body, flow.Fallback().Response()) {
			t.Fatalf("panicking VCA %d: got %d %s, want 200 %s", i, status, body, flow.Fallback().Response())
		}
		r, err := carrier.DecodeResponse(body)
		if err != nil {
			t.Fatal(err)
		}
		if r.ClientActionID != "invalid_input" || len(r.Callflow) != 2 ||
			r.Callflow[0].ActionName() != callflows.ActionSay || r.Callflow[1].ActionName() != callflows.ActionHangup {
			t.Errorf("fallback answer %s is not invalid_input's say and hangup", body)
		}

		lines := takeLog(t, log)
		if len(lines) != 2 {
			t.Fatalf("panicking VCA wrote %d log lines, want 2: %v", len(lines), lines)
		}
		if l := lines[0]; l["level"] != "error" || l["message"] != "vca handler panic" || l["panic"] != "boom" ||
			!strings.Contains(asString(l["stack"]), "panic") {
			t.Errorf("panic log line = %v", l)
		}
		want := map[string]any{
			"level": "error", "message": "vca", "call_id": "call-boom", "status": float64(200),
			"outcome": "internal_error", "node": "", "dtmf": "1", "next_node": "invalid_input",
			"flow_version": flow.Version(),
		}
		for k, v := range want {
			if lines[1][k] != v {
				t.Errorf("vca log %s = %#v, want %#v", k, lines[1][k], v)
			}
		}

		status, body = post(t, ts, good)
		if status != http.StatusOK || !bytes.Equal(body, reservations.Response()) {
			t.Fatalf("VCA after a panic: got %d %s, want 200 %s", status, body, reservations.Response())
		}
		if lines := takeLog(t, log); len(lines) != 1 || lines[0]["level"] != "info" || lines[0]["outcome"] != "key" {
			t.Errorf("log of a good VCA after a panic = %v", lines)
		}
	}
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}

// TestRecoverer checks the net under every other handler: a panic answers
// 500 and is logged, and http.ErrAbortHandler still aborts.
func TestRecoverer(t *testing.T) {
	log := &logtest.Buffer{}
	s := New(loadRestaurant(t), Options{Logger: zerolog.New(log)})

	rec := httptest.NewRecorder()
	s.recoverer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("oops") })).
		ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusInternalServerError || rec.Body.String() != `{"error":"internal error"}` {
		t.Errorf("got %d %s, want 500 {\"error\":\"internal error\"}", rec.Code, rec.Body)
	}
	lines := takeLog(t, log)
	if len(lines) != 1 || lines[0]["level"] != "error" || lines[0]["message"] != "handler panic" ||
		lines[0]["panic"] != "oops" || lines[0]["path"] != "/readyz" {
		t.Errorf("log = %v", lines)
	}

	defer func() {
		if r := recover(); r != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler passed on", r)
		}
	}()
	s.recoverer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/readyz", nil))
}

// TestNewOptions checks what New makes of its options.
func TestNewOptions(t *testing.T) {
	flow := loadRestaurant(t)
	tests := []struct {
		max, want int64
	}{
		{0, DefaultMaxBodyBytes},
		{-1, DefaultMaxBodyBytes},
		{512, 512},
	}
	for _, tt := range tests {
		s := New(flow, Options{MaxBodyBytes: tt.max, Logger: zerolog.New(io.Discard)})
		if s.maxBody != tt.want {
			t.Errorf("MaxBodyBytes %d: limit %d, want %d", tt.max, s.maxBody, tt.want)
		}
	}
	// The zero Logger logs nothing and must not get in the way.
	s := New(flow, Options{})
	rec := httptest.NewRecorder()
	s.Routes().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/webhooks/vca", bytes.NewReader(carrier.Event{Digits: "3"}.Body())))
	hours, _ := flow.Node("hours")
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), hours.Response()) {
		t.Errorf("with the zero Logger: got %d %s, want 200 %s", rec.Code, rec.Body, hours.Response())
	}
}
