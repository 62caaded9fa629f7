package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/callflows/carrier"
	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/server"
	"github.com/ivrctl/ivrctl/server/logtest"
)

const flowPath = "../flows/restaurant.yaml"

// The seed's texts and numbers, written out here rather than read from the
// flow, so that a typo in flows/restaurant.yaml fails these tests.
const (
	voice         = "en-US-BenjaminRUS"
	virtualNumber = "+6568888888"
	frontDesk     = "+6598888888"

	mainMenuText       = "Welcome to ABC Restaurant, to book a table press 1, to speak to a representative press 2, to hear our restaurant hours press 3."
	reservationsText   = "Press 1 to make a new reservation, press 2 to reschedule an existing reservation, press 3 to return to main menu."
	bookTableText      = "Reserving a Table, Press 1 to reserve a table for today, Press 2 to reserve a table for tomorrow."
	rescheduleText     = "Rescheduling your reservation, Press 1 to keep your current reservation, press 2 to change your reservation to tomorrow."
	connectCallText    = "Connecting you to the next available representative. Press 1 to connect now, press 2 to return to main menu"
	bookedTodayText    = "We have booked your table for today, thank you."
	bookedTomorrowText = "We have booked your table for tomorrow, thank you."
	keptText           = "Keeping your current reservation, thank you."
	movedText          = "Changing your reservation to tomorrow thank you."
	goodbyeText        = "Thank you for speaking to ABC Restaurant, have a great day."
	hoursText          = "Our restaurant hours are between 9AM and 9PM every day of the week."
	invalidText        = "Invalid input, please call again."
)

// The IDs every VCA built by vca carries, so that log lines can be checked.
const (
	testCallID    = "627e25f1-133a-11ef-b08c-e33c09483244"
	testSessionID = "a4fad4b3-b388-12ee-b217-2fb8260fcf59"
	testEventID   = "77e6a667-133a-11ef-9dd4-e911cc6fc82f"
)

// obj and list spell expected JSON; answers are compared as JSON values,
// so a misspelt or extra key fails even where Go's case-insensitive
// decoder would not notice.
type (
	obj  = map[string]any
	list = []any
)

// menu, say and dial are the answers of the seed's three kinds of node, as
// 8x8 must receive them.
func menu(id, prompt string) obj {
	return obj{"clientActionId": id, "callflow": list{
		obj{"action": "sayAndCapture", "params": obj{
			"promptMessage":  prompt,
			"voiceProfile":   voice,
			"speed":          1,
			"minDigits":      1,
			"maxDigits":      1,
			"digitTimeout":   10000,
			"overallTimeout": 10000,
			"noOfTries":      2,
		}},
	}}
}

func say(id, text string) obj {
	return obj{"clientActionId": id, "callflow": list{
		obj{"action": "say", "params": obj{"text": text, "voiceProfile": voice, "speed": 1}},
		obj{"action": "hangup"},
	}}
}

func dial(id, source, destination string) obj {
	return obj{"clientActionId": id, "callflow": list{
		obj{"action": "makeCall", "params": obj{"source": source, "destination": destination}},
	}}
}

var (
	mainMenu       = menu("main_menu", mainMenuText)
	reservations   = menu("reservations", reservationsText)
	bookTable      = menu("book_table", bookTableText)
	reschedule     = menu("reschedule_table", rescheduleText)
	connectCall    = menu("connect_call", connectCallText)
	postCall       = dial("post_call", virtualNumber, frontDesk)
	bookedToday    = say("booked_today", bookedTodayText)
	bookedTomorrow = say("booked_tomorrow", bookedTomorrowText)
	kept           = say("kept_reservation", keptText)
	moved          = say("moved_to_tomorrow", movedText)
	goodbye        = say("goodbye", goodbyeText)
	hours          = say("hours", hoursText)
	invalid        = say("invalid_input", invalidText)
)

// noEnv is an environment where nothing is set, so the flow's defaults
// apply whatever the machine running the tests has set.
func noEnv(string) (string, bool) { return "", false }

func loadFlow(tb testing.TB) *engine.Flow {
	tb.Helper()
	flow, diags, err := engine.Load(flowPath, engine.LoadOptions{Env: noEnv})
	if err != nil {
		tb.Fatal(err)
	}
	if flow == nil || len(diags) != 0 {
		tb.Fatalf("%s does not load cleanly:\n%v", flowPath, diags)
	}
	return flow
}

// newServer serves the restaurant flow over loopback for the test. It logs,
// so that the logging code runs, but to nowhere.
func newServer(t *testing.T, opts server.Options) (*httptest.Server, *server.Server) {
	t.Helper()
	opts.Logger = zerolog.New(io.Discard)
	srv := server.New(loadFlow(t), opts)
	ts := httptest.NewServer(srv.Routes())
	t.Cleanup(ts.Close)
	return ts, srv
}

// canonical returns v as encoding/json would decode its JSON into an any.
func canonical(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		panic(err)
	}
	return out
}

// checkAnswer checks that a VCA answer is a JSON callflow that decodes
// strictly and is exactly want.
func checkAnswer(t *testing.T, h http.Header, body []byte, want obj) {
	t.Helper()
	if ct := h.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if _, err := carrier.DecodeResponse(body); err != nil {
		t.Error(err)
		return
	}
	var got any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("answer %s: %v", body, err)
	}
	if w := canonical(want); !reflect.DeepEqual(got, w) {
		wantJSON, _ := json.Marshal(w)
		t.Errorf("answer\n got %s\nwant %s", body, wantJSON)
	}
}

// recorder keeps the last answer a Caller received, so that tests can check
// the exact bytes and headers 8x8 would get and not only what the Caller
// decoded. A Caller is used by one goroutine, so it needs no lock.
type recorder struct {
	next   http.RoundTripper
	header http.Header
	body   []byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	r.header, r.body = resp.Header, body
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

func newCaller(ts *httptest.Server, shape carrier.Shape, id string) (*carrier.Caller, *recorder) {
	rec := &recorder{next: ts.Client().Transport}
	return &carrier.Caller{
		BaseURL:   ts.URL,
		Client:    &http.Client{Transport: rec},
		Shape:     shape,
		CallID:    "call-" + id,
		SessionID: "session-" + id,
	}, rec
}

// press is one answer of the caller and the answer the server must give.
type press struct {
	digits string // "" for none, as when the capture's tries ran out
	want   obj
}

// walks are the paths through the seed's menu, each from the main menu
// playing to the end of the call.
var walks = []struct {
	name  string
	steps []press
}{
	{"book-today", []press{{"1", reservations}, {"1", bookTable}, {"1", bookedToday}}},
	{"book-tomorrow", []press{{"1", reservations}, {"1", bookTable}, {"2", bookedTomorrow}}},
	{"reschedule-keep", []press{{"1", reservations}, {"2", reschedule}, {"1", kept}}},
	{"reschedule-tomorrow", []press{{"1", reservations}, {"2", reschedule}, {"2", moved}}},
	{"reservations-back-to-main", []press{
		{"1", reservations}, {"3", mainMenu}, {"1", reservations}, {"3", mainMenu},
		{"1", reservations}, {"2", reschedule}, {"2", moved},
	}},
	// The empty press after post_call is the VCA 8x8 sends when the
	// bridged call ends.
	{"connect-now", []press{{"2", connectCall}, {"1", postCall}, {"", goodbye}}},
	{"connect-back-to-main", []press{{"2", connectCall}, {"2", mainMenu}, {"3", hours}}},
	{"hours", []press{{"3", hours}}},

	{"invalid-main", []press{{"4", invalid}}},
	{"invalid-main-two-digits", []press{{"12", invalid}}},
	{"invalid-reservations", []press{{"1", reservations}, {"0", invalid}}},
	{"invalid-book", []press{{"1", reservations}, {"1", bookTable}, {"3", invalid}}},
	{"invalid-reschedule", []press{{"1", reservations}, {"2", reschedule}, {"*", invalid}}},
	{"invalid-connect", []press{{"2", connectCall}, {"#", invalid}}},

	{"no-input-main", []press{{"", invalid}}},
	{"no-input-reservations", []press{{"1", reservations}, {"", invalid}}},
	{"no-input-book", []press{{"1", reservations}, {"1", bookTable}, {"", invalid}}},
	{"no-input-reschedule", []press{{"1", reservations}, {"2", reschedule}, {"", invalid}}},
	{"no-input-connect", []press{{"2", connectCall}, {"", invalid}}},
}

// TestWalk walks every path of the menu over HTTP, with the digits in each
// place 8x8 puts them, on outbound calls (whose first VCA answers the start
// menu the call played) and inbound ones (which ring first).
func TestWalk(t *testing.T) {
	ts, _ := newServer(t, server.Options{})
	for _, w := range walks {
		for _, shape := range carrier.Shapes {
			for _, inbound := range []bool{false, true} {
				direction := "outbound"
				if inbound {
					direction = "inbound"
				}
				name := w.name + "/" + shape.String() + "/" + direction
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					c, rec := newCaller(ts, shape, strings.ReplaceAll(name, "/", "-"))
					if inbound {
						if _, err := c.Ring(t.Context()); err != nil {
							t.Fatal(err)
						}
						checkAnswer(t, rec.header, rec.body, mainMenu)
					}
					for i, p := range w.steps {
						if _, err := c.Press(t.Context(), p.digits); err != nil {
							t.Fatalf("press %d (%q): %v", i+1, p.digits, err)
						}
						checkAnswer(t, rec.header, rec.body, p.want)
						if t.Failed() {
							t.Fatalf("press %d (%q) got the wrong answer", i+1, p.digits)
						}
					}
				})
			}
		}
	}
}

// TestStart checks the first VCA of each kind of call.
func TestStart(t *testing.T) {
	ts, _ := newServer(t, server.Options{})
	for _, shape := range carrier.Shapes {
		t.Run(shape.String(), func(t *testing.T) {
			// The outbound call played the start menu: its first VCA has no
			// clientActionId and carries the caller's answer to it.
			out, rec := newCaller(ts, shape, "outbound-"+shape.String())
			if _, err := out.Press(t.Context(), "1"); err != nil {
				t.Fatal(err)
			}
			checkAnswer(t, rec.header, rec.body, reservations)

			// An inbound call rings with no clientActionId and no digits:
			// it gets the start menu itself.
			in, rec := newCaller(ts, shape, "inbound-"+shape.String())
			if _, err := in.Ring(t.Context()); err != nil {
				t.Fatal(err)
			}
			checkAnswer(t, rec.header, rec.body, mainMenu)
		})
	}
	t.Run("seed-sample", func(t *testing.T) {
		status, h, body := send(t, ts, http.MethodPost, "/webhooks/vca", fixture(t, "vca_outbound_first.json"))
		if status != http.StatusOK {
			t.Fatalf("status %d: %s", status, body)
		}
		checkAnswer(t, h, body, reservations)
	})
}

// TestDialNumbersFromEnv checks that the numbers the operator sets in the
// environment are the ones the bridged call uses.
func TestDialNumbersFromEnv(t *testing.T) {
	env := map[string]string{"IVR_VIRTUAL_NUMBER": "+6511112222", "IVR_FRONT_DESK": "+6533334444"}
	flow, diags, err := engine.Load(flowPath, engine.LoadOptions{Env: func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}})
	if err != nil || flow == nil {
		t.Fatalf("load: %v %v", err, diags)
	}
	ts := httptest.NewServer(server.New(flow, server.Options{}).Routes())
	t.Cleanup(ts.Close)
	c, rec := newCaller(ts, carrier.EventDataObject, "env")
	if _, err := c.PressAt(t.Context(), "connect_call", "1"); err != nil {
		t.Fatal(err)
	}
	checkAnswer(t, rec.header, rec.body, dial("post_call", "+6511112222", "+6533334444"))
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// deleted, as a value in patch, removes the key.
type deleted struct{}

// patch returns the webhook body with fields of its envelope and of its
// payload set (or removed, for deleted{}).
func patch(body []byte, envelope, payload obj) []byte {
	var m obj
	if err := json.Unmarshal(body, &m); err != nil {
		panic(err)
	}
	set := func(dst, fields obj) {
		for k, v := range fields {
			if v == (deleted{}) {
				delete(dst, k)
			} else {
				dst[k] = v
			}
		}
	}
	set(m["payload"].(obj), payload)
	set(m, envelope) // last, as it may replace the payload
	out, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return out
}

// vca returns a VCA answering the node cid ("" for none) with digits in
// payload.eventData.dtmf, and with the payload's fields set as given.
func vca(cid, digits string, payload obj) []byte {
	shape := carrier.EventDataObject
	if digits == "" {
		shape = carrier.PayloadDTMF // no eventData and no dtmf at all
	}
	body := carrier.Event{
		EventID:        testEventID,
		CallID:         testCallID,
		SessionID:      testSessionID,
		ClientActionID: cid,
		Digits:         digits,
		Shape:          shape,
	}.Body()
	return patch(body, nil, payload)
}

// send makes one request over HTTP and returns the answer.
func send(t *testing.T, ts *httptest.Server, method, path string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, ts.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, data
}

// check judges an HTTP answer.
type check func(t *testing.T, status int, h http.Header, body []byte)

func wantAnswer(want obj) check {
	return func(t *testing.T, status int, h http.Header, body []byte) {
		t.Helper()
		if status != http.StatusOK {
			t.Fatalf("status %d, want 200: %s", status, body)
		}
		checkAnswer(t, h, body, want)
	}
}

func wantBody(wantStatus int, want string) check {
	return func(t *testing.T, status int, h http.Header, body []byte) {
		t.Helper()
		if status != wantStatus || string(body) != want {
			t.Errorf("got %d %s, want %d %s", status, body, wantStatus, want)
		}
		if ct := h.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q, want application/json", ct)
		}
	}
}

// wantError expects a JSON {"error": msg} body; a msg ending in "…" is a
// prefix, for messages that quote encoding/json.
func wantError(wantStatus int, msg string) check {
	return func(t *testing.T, status int, h http.Header, body []byte) {
		t.Helper()
		if status != wantStatus {
			t.Errorf("status %d, want %d: %s", status, wantStatus, body)
		}
		if ct := h.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q, want application/json", ct)
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		var e struct {
			Error *string `json:"error"`
		}
		if err := dec.Decode(&e); err != nil || e.Error == nil {
			t.Fatalf("body %s is not {\"error\": ...}: %v", body, err)
		}
		prefix, isPrefix := strings.CutSuffix(msg, "…")
		if isPrefix && (!strings.HasPrefix(*e.Error, prefix) || *e.Error == prefix) || !isPrefix && *e.Error != msg {
			t.Errorf("error %q, want %q", *e.Error, msg)
		}
	}
}

// TestWebhookEdgeCases posts what 8x8 (or anything else) might post and
// checks each answer, then that the server still answers a good VCA.
func TestWebhookEdgeCases(t *testing.T) {
	const limit = 1024
	ts, _ := newServer(t, server.Options{MaxBodyBytes: limit})
	good := vca("main_menu", "1", nil)
	if len(good) >= limit {
		t.Fatalf("a plain VCA of %d bytes is over the test's limit", len(good))
	}
	oversized := []byte(`{"eventType":"CALL_ACTION","description":"` + strings.Repeat("x", 2*limit) + `"}`)
	const (
		vcaPath = "/webhooks/vca"
		vssPath = "/webhooks/vss"
		get     = http.MethodGet
		post    = http.MethodPost
	)
	notJSON := wantError(http.StatusBadRequest, "body is not valid JSON: …")
	notObject := wantError(http.StatusBadRequest, "body is not a JSON object")
	tooLarge := wantError(http.StatusRequestEntityTooLarge, fmt.Sprintf("body is larger than %d bytes", limit))
	// A body of the limit exactly is read; one byte more is refused.
	atLimit := append(bytes.Clone(good), bytes.Repeat([]byte(" "), limit-len(good))...)
	overLimit := append(bytes.Clone(atLimit), ' ')
	notAllowed := wantError(http.StatusMethodNotAllowed, "method not allowed")
	notFound := wantError(http.StatusNotFound, "no such route")

	tests := []struct {
		name, method, path string
		body               []byte
		check              check
		allow              string // the Allow header a 405 must carry
	}{
		// Answered with the fallback: never dead air.
		{"unknown-client-action-id", post, vcaPath, vca("no_such_node", "1", nil), wantAnswer(invalid), ""},
		{"seed-sample-client-action-id", post, vcaPath, fixture(t, "vca_seed_level3.json"), wantAnswer(invalid), ""},
		{"leaf-hours", post, vcaPath, vca("hours", "1", nil), wantAnswer(invalid), ""},
		{"leaf-goodbye", post, vcaPath, vca("goodbye", "", nil), wantAnswer(invalid), ""},
		{"leaf-fallback", post, vcaPath, vca("invalid_input", "2", nil), wantAnswer(invalid), ""},
		{"payload-not-object", post, vcaPath, patch(good, obj{"payload": "oops"}, nil), wantAnswer(invalid), ""},

		{"dial-ignores-digits", post, vcaPath, vca("post_call", "5", nil), wantAnswer(goodbye), ""},
		{"event-type-lowercase", post, vcaPath, patch(good, obj{"eventType": "call_action"}, nil), wantAnswer(reservations), ""},
		{"event-type-absent", post, vcaPath, patch(good, obj{"eventType": deleted{}}, nil), wantAnswer(reservations), ""},
		{"unknown-fields", post, vcaPath, patch(good, obj{"version": 9}, obj{"asr": obj{"text": "one"}}), wantAnswer(reservations), ""},

		// Fields of the wrong type lose only themselves.
		{"call-id-number", post, vcaPath, vca("main_menu", "1", obj{"callId": 123}), wantAnswer(reservations), ""},
		{"call-duration-string", post, vcaPath, vca("main_menu", "1", obj{"callDuration": "abc"}), wantAnswer(reservations), ""},
		{"sip-code-object", post, vcaPath, vca("main_menu", "1", obj{"sipCode": obj{}}), wantAnswer(reservations), ""},
		{"session-id-array", post, vcaPath, vca("main_menu", "1", obj{"sessionId": list{1}}), wantAnswer(reservations), ""},
		{"ref-ids-odd", post, vcaPath, vca("main_menu", "1", obj{"sourceRefId": obj{"a": 1}, "destinationRefId": 7}), wantAnswer(reservations), ""},
		{"many-wrong", post, vcaPath, vca("main_menu", "1", obj{
			"callId": 123, "callDuration": "abc", "sipCode": obj{}, "timestamp": false, "eventId": list{}, "callStatus": 3,
		}), wantAnswer(reservations), ""},

		// Events that ask for nothing.
		{"call-status", post, vcaPath, patch(good, obj{"eventType": "CALL_STATUS"}, nil), wantBody(http.StatusOK, "{}"), ""},
		{"session-summary-at-vca", post, vcaPath, patch(good, obj{"eventType": "SESSION_SUMMARY"}, nil), wantBody(http.StatusOK, "{}"), ""},

		// Not webhooks at all.
		{"truncated-json", post, vcaPath, []byte(`{"eventType":`), notJSON, ""},
		{"not-json", post, vcaPath, []byte(`hello`), notJSON, ""},
		{"empty-body", post, vcaPath, nil, notJSON, ""},
		{"two-values", post, vcaPath, []byte(`{} {}`), notJSON, ""},
		{"array", post, vcaPath, []byte(`[]`), notObject, ""},
		{"string", post, vcaPath, []byte(`"x"`), notObject, ""},
		{"null", post, vcaPath, []byte(`null`), notObject, ""},
		{"number", post, vcaPath, []byte(` 42`), notObject, ""},
		{"oversized-vca", post, vcaPath, oversized, tooLarge, ""},
		{"at-limit", post, vcaPath, atLimit, wantAnswer(reservations), ""},
		{"one-byte-over-limit", post, vcaPath, overLimit, tooLarge, ""},
		{"vss-truncated-json", post, vssPath, []byte(`{"payload":`), notJSON, ""},
		{"vss-array", post, vssPath, []byte(`[]`), notObject, ""},
		{"oversized-vss", post, vssPath, oversized, tooLarge, ""},
		{"get-vca", get, vcaPath, nil, notAllowed, "POST"},
		{"put-vss", http.MethodPut, vssPath, good, notAllowed, "POST"},
		{"post-healthz", post, "/healthz", good, notAllowed, "GET"},
		{"unknown-route", get, "/nope", nil, notFound, ""},
		{"unknown-webhook", post, "/webhooks/vcs", good, notFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := send(t, ts, tt.method, tt.path, tt.body)
			tt.check(t, status, h, body)
			if tt.allow != "" {
				if got := h.Values("Allow"); !reflect.DeepEqual(got, []string{tt.allow}) {
					t.Errorf("Allow = %q, want %q", got, tt.allow)
				}
			}

			// The server still answers a good VCA.
			status, h, body = send(t, ts, post, vcaPath, good)
			wantAnswer(reservations)(t, status, h, body)
		})
	}
}

// takeLog returns the lines log holds, parsed, and forgets them.
func takeLog(t *testing.T, log *logtest.Buffer) []obj {
	t.Helper()
	lines, err := log.Take()
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// direct is a server driven through its handler, with its log.
type direct struct {
	srv *server.Server
	log *logtest.Buffer
}

func newDirect(t *testing.T, maxBody int64) *direct {
	t.Helper()
	log := &logtest.Buffer{}
	return &direct{
		srv: server.New(loadFlow(t), server.Options{Logger: zerolog.New(log), MaxBodyBytes: maxBody}),
		log: log,
	}
}

// do serves one request and returns the answer and the one log line it
// wrote.
func (d *direct) do(t *testing.T, method, path string, body []byte) (*httptest.ResponseRecorder, obj) {
	t.Helper()
	rec := httptest.NewRecorder()
	d.srv.Routes().ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), method, path, bytes.NewReader(body)))
	lines := takeLog(t, d.log)
	if len(lines) != 1 {
		t.Fatalf("%s %s wrote %d log lines, want 1: %v", method, path, len(lines), lines)
	}
	return rec, lines[0]
}

// checkFields checks the fields of a log line: those of want exactly, and
// that the keys of missing are absent.
func checkFields(t *testing.T, line obj, want obj, missing ...string) {
	t.Helper()
	for k, w := range canonical(want).(obj) {
		if got, ok := line[k]; !ok || !reflect.DeepEqual(got, w) {
			t.Errorf("log %s = %#v, want %#v", k, got, w)
		}
	}
	for _, k := range missing {
		if v, ok := line[k]; ok {
			t.Errorf("log has %s = %#v, want none", k, v)
		}
	}
}

// checkRequestFields checks the fields of the log line of a webhook that
// the server got as far as handling: its request ID and how long it took.
func checkRequestFields(t *testing.T, line obj) {
	t.Helper()
	if d, ok := line["duration_ms"].(float64); !ok || d < 0 {
		t.Errorf("log duration_ms = %#v, want a number >= 0", line["duration_ms"])
	}
	if id, ok := line["request_id"].(string); !ok || id == "" {
		t.Errorf("log request_id = %#v, want one", line["request_id"])
	}
}

// TestDigits checks every way 8x8 may carry digits, or none, through the
// answer and the dtmf and outcome the log records.
func TestDigits(t *testing.T) {
	d := newDirect(t, 0)
	tests := []struct {
		name    string
		payload obj
		digits  string
	}{
		{"event-data-dtmf", obj{"eventData": obj{"dtmf": "2"}}, "2"},
		{"event-data-string", obj{"eventData": "2"}, "2"},
		{"payload-dtmf", obj{"dtmf": "2"}, "2"},
		{"event-data-dtmf-number", obj{"eventData": obj{"dtmf": 2}}, "2"},
		{"payload-dtmf-number", obj{"dtmf": 2}, "2"},
		{"event-data-string-padded", obj{"eventData": " 2 "}, "2"},
		{"event-data-dtmf-null-then-payload-dtmf", obj{"eventData": obj{"dtmf": nil}, "dtmf": "2"}, "2"},
		{"event-data-text-then-payload-dtmf", obj{"eventData": "additional event data", "dtmf": "2"}, "2"},

		{"absent", obj{}, ""},
		{"event-data-dtmf-null", obj{"eventData": obj{"dtmf": nil}}, ""},
		{"event-data-dtmf-empty", obj{"eventData": obj{"dtmf": ""}}, ""},
		{"event-data-dtmf-blank", obj{"eventData": obj{"dtmf": " "}}, ""},
		{"event-data-dtmf-absent", obj{"eventData": obj{}}, ""},
		{"event-data-asr-only", obj{"eventData": obj{"dtmf": nil, "asrCaptured": nil}}, ""},
		{"event-data-null", obj{"eventData": nil}, ""},
		{"event-data-empty", obj{"eventData": ""}, ""},
		{"event-data-text", obj{"eventData": "additional event data"}, ""},
		{"event-data-array", obj{"eventData": list{"2"}}, ""},
		{"payload-dtmf-null", obj{"dtmf": nil}, ""},
		{"payload-dtmf-empty", obj{"dtmf": ""}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, outcome := connectCall, "key"
			if tt.digits == "" {
				want, outcome = invalid, "no_input"
			}
			// Each case is its own event: the same eventId again would be
			// a duplicate delivery.
			tt.payload["eventId"] = "digits-" + tt.name
			rec, line := d.do(t, http.MethodPost, "/webhooks/vca", vca("main_menu", "", tt.payload))
			wantAnswer(want)(t, rec.Code, rec.Header(), rec.Body.Bytes())
			checkFields(t, line, obj{"dtmf": tt.digits, "outcome": outcome, "node": "main_menu"})
			checkRequestFields(t, line)
		})
	}
}

// TestVCALog checks the one log line of each kind of VCA.
func TestVCALog(t *testing.T) {
	flow := loadFlow(t)
	ids := obj{"call_id": testCallID, "session_id": testSessionID, "event_id": testEventID}
	with := func(fields obj) obj {
		out := obj{"message": "vca", "flow_version": flow.Version()}
		for k, v := range ids {
			out[k] = v
		}
		for k, v := range fields {
			out[k] = v
		}
		return out
	}
	inbound := carrier.Event{
		EventID: testEventID, CallID: testCallID, SessionID: testSessionID,
		CallStatus: "CALL_RECEIVED", Direction: "INBOUND",
	}.Body()
	stepFields := []string{"node", "dtmf", "next_node"}
	noEvent := []string{"call_id", "session_id", "event_id", "node", "dtmf", "next_node", "outcome"}

	tests := []struct {
		name    string
		body    []byte
		want    obj
		missing []string
	}{
		{"key", vca("main_menu", "1", nil), with(obj{
			"level": "info", "status": 200, "node": "main_menu", "dtmf": "1", "next_node": "reservations", "outcome": "key",
			"call_status": "ACTION_COMPLETED", "direction": "OUTBOUND",
		}), []string{"error", "event_type", "client_action_id"}},
		// The same event again: its line names the node by the
		// clientActionId, as the first delivery's line tells the step.
		{"duplicate", vca("main_menu", "1", nil), with(obj{
			"level": "info", "status": 200, "outcome": "duplicate", "client_action_id": "main_menu",
		}), append([]string{"event_type"}, stepFields...)},
		{"outbound-first", vca("", "3", nil), with(obj{
			"level": "info", "status": 200, "node": "main_menu", "dtmf": "3", "next_node": "hours", "outcome": "key", "client_action_id": "",
		}), nil},
		{"inbound-start", inbound, with(obj{
			"level": "info", "status": 200, "node": "", "dtmf": "", "next_node": "main_menu", "outcome": "start",
			"call_status": "CALL_RECEIVED", "direction": "INBOUND",
		}), []string{"event_type", "client_action_id"}},
		{"invalid-key", vca("reservations", "7", nil), with(obj{
			"level": "info", "status": 200, "node": "reservations", "dtmf": "7", "next_node": "invalid_input", "outcome": "invalid_key",
		}), nil},
		{"no-input", vca("book_table", "", nil), with(obj{
			"level": "info", "status": 200, "node": "book_table", "dtmf": "", "next_node": "invalid_input", "outcome": "no_input",
		}), nil},
		{"then", vca("post_call", "", nil), with(obj{
			"level": "info", "status": 200, "node": "post_call", "dtmf": "", "next_node": "goodbye", "outcome": "then",
		}), nil},
		{"unknown-node", vca("mian_menu", "1", nil), with(obj{
			"level": "warn", "status": 200, "node": "", "dtmf": "1", "next_node": "invalid_input", "outcome": "unknown_node",
			"client_action_id": "mian_menu",
		}), nil},
		{"leaf", vca("hours", "1", nil), with(obj{
			"level": "warn", "status": 200, "node": "hours", "dtmf": "1", "next_node": "invalid_input", "outcome": "leaf",
		}), nil},
		{"ignored", patch(vca("main_menu", "1", nil), obj{"eventType": "CALL_STATUS"}, nil), with(obj{
			"level": "info", "status": 200, "outcome": "ignored", "event_type": "CALL_STATUS",
		}), stepFields},
		{"malformed", []byte(`{"payload":`), obj{
			"message": "vca", "level": "warn", "status": 400, "flow_version": flow.Version(),
		}, noEvent},
		{"not-object", []byte(`[]`), obj{
			"message": "vca", "level": "warn", "status": 400, "flow_version": flow.Version(),
			"error": "body is not a JSON object",
		}, noEvent},
		{"oversized", bytes.Repeat([]byte(" "), 2048), obj{
			"message": "vca", "level": "warn", "status": 413, "flow_version": flow.Version(),
			"error": "body is larger than 1024 bytes",
		}, noEvent},
	}
	d := newDirect(t, 1024)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want["outcome"] == "duplicate" {
				// A duplicate is a second delivery: make the first here,
				// so that the case does not rest on the ones before it.
				d.do(t, http.MethodPost, "/webhooks/vca", tt.body)
			}
			rec, line := d.do(t, http.MethodPost, "/webhooks/vca", tt.body)
			if want := int(tt.want["status"].(int)); rec.Code != want {
				t.Errorf("status %d, want %d", rec.Code, want)
			}
			checkFields(t, line, tt.want, tt.missing...)
			checkRequestFields(t, line)
		})
	}
}

// TestVSS posts session summaries and checks the answer and the log line.
func TestVSS(t *testing.T) {
	completed := fixture(t, "vss_completed.json")
	tests := []struct {
		name    string
		body    []byte
		check   check
		want    obj
		missing []string
	}{
		{"completed", completed, wantBody(http.StatusOK, "{}"), obj{
			"message": "vss", "level": "info", "status": 200,
			"session_id": "a4fad4b3-b388-12ee-b217-2fb8260fcf59", "session_status": "COMPLETED",
			"last_action": "HANGUP", "call_count": 2,
			"start_time": "2024-05-16T04:11:58Z", "end_time": "2024-05-16T04:14:02Z",
		}, []string{"error_code", "error_msg"}},
		{"error", fixture(t, "vss_error.json"), wantBody(http.StatusOK, "{}"), obj{
			"message": "vss", "level": "warn", "status": 200,
			"session_id": "88435488-9b10-11ee-950e-59620871a3a5", "session_status": "ERROR",
			"last_action": "SAY_AND_CAPTURE", "call_count": 1,
			"error_code": "-2003", "error_msg": "The call flow provided is invalid",
		}, nil},
		{"error-code-string", []byte(`{"payload":{"sessionId":"s-1","sessionStatus":"ERROR","errorDetails":{"errorCode":"-2010","errorMsg":"The trunk capacity has been exceeded"}}}`),
			wantBody(http.StatusOK, "{}"), obj{
				"message": "vss", "level": "warn", "session_id": "s-1", "session_status": "ERROR", "error_code": "-2010",
			}, nil},
		{"no-answer", patch(completed, nil, obj{"sessionStatus": "NO_ANSWER", "callCount": "1"}), wantBody(http.StatusOK, "{}"), obj{
			"message": "vss", "level": "warn", "session_status": "NO_ANSWER", "call_count": 1,
		}, []string{"error_code"}},
		{"malformed", []byte(`{"payload":`), wantError(http.StatusBadRequest, "body is not valid JSON: …"), obj{
			"message": "vss rejected", "level": "warn", "status": 400,
		}, []string{"session_id"}},
		{"array", []byte(`[]`), wantError(http.StatusBadRequest, "body is not a JSON object"), obj{
			"message": "vss rejected", "level": "warn", "status": 400, "error": "body is not a JSON object",
		}, nil},
		{"oversized", bytes.Repeat([]byte(" "), 5000), wantError(http.StatusRequestEntityTooLarge, "body is larger than 4096 bytes"), obj{
			"message": "vss rejected", "level": "warn", "status": 413, "error": "body is larger than 4096 bytes",
		}, nil},
	}
	d := newDirect(t, 4096)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, line := d.do(t, http.MethodPost, "/webhooks/vss", tt.body)
			tt.check(t, rec.Code, rec.Header(), rec.Body.Bytes())
			checkFields(t, line, tt.want, tt.missing...)
			if rec.Code == http.StatusOK {
				checkRequestFields(t, line)
			}
		})
	}
}

// TestHealth checks the health endpoints.
func TestHealth(t *testing.T) {
	ts, srv := newServer(t, server.Options{})
	status, h, body := send(t, ts, http.MethodGet, "/healthz", nil)
	wantBody(http.StatusOK, `{"status":"ok"}`)(t, status, h, body)
	checkReady(t, ts, srv.Flow())
}

// checkReady checks that /readyz reports flow.
func checkReady(t *testing.T, ts *httptest.Server, flow *engine.Flow) {
	t.Helper()
	status, h, body := send(t, ts, http.MethodGet, "/readyz", nil)
	if status != http.StatusOK || h.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /readyz: %d %q %s", status, h.Get("Content-Type"), body)
	}
	type ready struct {
		Status  string `json:"status"`
		Flow    string `json:"flow"`
		Version string `json:"version"`
		Nodes   int    `json:"nodes"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var got ready
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("GET /readyz: %s: %v", body, err)
	}
	if want := (ready{"ready", "ABC Restaurant", flow.Version(), 13}); got != want {
		t.Errorf("GET /readyz = %+v, want %+v", got, want)
	}
}

// TestSetFlow swaps in an edited flow and checks that the next webhook,
// and /readyz, see it.
func TestSetFlow(t *testing.T) {
	ts, srv := newServer(t, server.Options{})
	old := srv.Flow()
	src, err := os.ReadFile(flowPath)
	if err != nil {
		t.Fatal(err)
	}
	const edited = "Welcome to ABC Bistro, to book a table press 1."
	if n := bytes.Count(src, []byte(mainMenuText)); n != 1 {
		t.Fatalf("%s holds the main menu's text %d times, want 1", flowPath, n)
	}
	flow, diags, _ := engine.Load(flowPath, engine.LoadOptions{Source: bytes.Replace(src, []byte(mainMenuText), []byte(edited), 1), Env: noEnv})
	if flow == nil {
		t.Fatalf("edited flow does not load:\n%v", diags)
	}
	if flow.Version() == old.Version() {
		t.Fatalf("edited flow has the version of the old one, %s", old.Version())
	}

	// A call in progress when the flow changes.
	c, rec := newCaller(ts, carrier.EventDataObject, "reload")
	if _, err := c.Ring(t.Context()); err != nil {
		t.Fatal(err)
	}
	checkAnswer(t, rec.header, rec.body, mainMenu)

	srv.SetFlow(flow)
	if srv.Flow() != flow {
		t.Error("Flow() is not the flow just set")
	}
	if _, err := c.Press(t.Context(), "1"); err != nil {
		t.Fatal(err)
	}
	checkAnswer(t, rec.header, rec.body, reservations)
	if _, err := c.Press(t.Context(), "3"); err != nil {
		t.Fatal(err)
	}
	checkAnswer(t, rec.header, rec.body, menu("main_menu", edited))

	// A new call.
	c, rec = newCaller(ts, carrier.PayloadDTMF, "after-reload")
	if _, err := c.Ring(t.Context()); err != nil {
		t.Fatal(err)
	}
	checkAnswer(t, rec.header, rec.body, menu("main_menu", edited))
	checkReady(t, ts, flow)
}

// TestSetFlowConcurrent swaps flows while webhooks are served: each answer
// comes wholly from one flow or the other.
func TestSetFlowConcurrent(t *testing.T) {
	old := loadFlow(t)
	src, err := os.ReadFile(flowPath)
	if err != nil {
		t.Fatal(err)
	}
	const edited = "Press 1 for a table."
	flow, diags, _ := engine.Load(flowPath, engine.LoadOptions{Source: bytes.Replace(src, []byte(mainMenuText), []byte(edited), 1), Env: noEnv})
	if flow == nil {
		t.Fatalf("edited flow does not load:\n%v", diags)
	}
	want := map[string]bool{}
	for _, f := range []*engine.Flow{old, flow} {
		n, _ := f.Node("main_menu")
		want[string(n.Response())] = true
	}
	srv := server.New(old, server.Options{Logger: zerolog.New(io.Discard)})
	h := srv.Routes()
	ring := carrier.Event{CallStatus: "CALL_RECEIVED", Direction: "INBOUND"}.Body()

	const workers, requests = 4, 200
	var wg sync.WaitGroup
	done := make(chan struct{})
	for range workers {
		wg.Go(func() {
			for range requests {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/webhooks/vca", bytes.NewReader(ring)))
				if rec.Code != http.StatusOK || !want[rec.Body.String()] {
					t.Errorf("answer %d %s is from neither flow", rec.Code, rec.Body)
					return
				}
			}
		})
	}
	go func() { wg.Wait(); close(done) }()
	for i := 0; ; i++ {
		select {
		case <-done:
			return
		default:
		}
		if i%2 == 0 {
			srv.SetFlow(flow)
		} else {
			srv.SetFlow(old)
		}
	}
}

// TestNilFlow checks that a server is never made to serve no flow.
func TestNilFlow(t *testing.T) {
	srv := server.New(loadFlow(t), server.Options{})
	tests := []struct {
		name string
		fn   func()
	}{
		{"New", func() { server.New(nil, server.Options{}) }},
		{"SetFlow", func() { srv.SetFlow(nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s(nil) did not panic", tt.name)
				}
			}()
			tt.fn()
		})
	}
	if srv.Flow() == nil {
		t.Error("SetFlow(nil) replaced the flow")
	}
}

// TestMethodNotAllowedMounted checks the Allow header of a 405 when the
// server is mounted under a prefix, as a program embedding it does.
func TestMethodNotAllowedMounted(t *testing.T) {
	h := server.New(loadFlow(t), server.Options{Logger: zerolog.New(io.Discard)}).Routes()
	mounted := chi.NewRouter()
	mounted.Mount("/ivr", h)
	tests := []struct {
		name    string
		handler http.Handler
	}{
		{"strip-prefix", http.StripPrefix("/ivr", h)},
		{"chi-mount", mounted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for path, allow := range map[string]string{"/ivr/webhooks/vca": "POST", "/ivr/readyz": "GET"} {
				rec := httptest.NewRecorder()
				tt.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, path, nil))
				if rec.Code != http.StatusMethodNotAllowed || !reflect.DeepEqual(rec.Header().Values("Allow"), []string{allow}) {
					t.Errorf("PUT %s: %d Allow %q, want 405 Allow %q", path, rec.Code, rec.Header().Values("Allow"), allow)
				}
			}
		})
	}
}

// TestOversizedBodyClosesConnection: a body over the limit is answered 413
// at once, without waiting for the rest of the body, which a client may
// never finish sending, and the answer closes the connection.
func TestOversizedBodyClosesConnection(t *testing.T) {
	const limit = 1024
	ts, _ := newServer(t, server.Options{MaxBodyBytes: limit})
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Twice the limit announced, and a little over the limit sent.
	head := fmt.Sprintf("POST /webhooks/vca HTTP/1.1\r\nHost: ivrctl\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", 2*limit)
	if _, err := conn.Write(append([]byte(head), bytes.Repeat([]byte(" "), limit+100)...)); err != nil {
		t.Fatal(err)
	}
	if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to an oversized body: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !resp.Close {
		t.Fatalf("answer %d with Connection %q; want 413 and close", resp.StatusCode, resp.Header.Get("Connection"))
	}
}
