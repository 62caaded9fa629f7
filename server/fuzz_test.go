package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/callflows/carrier"
	"github.com/ivrctl/ivrctl/server"
)

// The modes of a FuzzVCA input. modeRaw posts body as it is; the others
// post a well-formed VCA built with carrier.Event from the fuzzed
// clientActionId, digits and event type, so that the fuzzer reaches the
// step logic without having to invent JSON.
const (
	modeRaw = iota
	modeEvent
	modeCallReceived // an Event with callStatus CALL_RECEIVED
	numModes
)

// FuzzVCA posts arbitrary VCA webhooks to one server of the restaurant
// flow, in process. Whatever the body, the server must answer: never a
// 5xx; 200, 400 or 413 only; a 200 with {} or a callflow that 8x8 accepts
// as a VCA answer and that is exactly the answer of one of the flow's
// nodes; a 400 or 413 with a JSON object holding an "error" string.
//
// Run it with
//
//	go test -run '^$' -fuzz '^FuzzVCA$' -fuzztime 60s ./server/
func FuzzVCA(f *testing.F) {
	flow := loadFlow(f)
	h := server.New(flow, server.Options{Logger: zerolog.New(io.Discard)}).Routes()

	// Every answer the flow can give, checked once against 8x8's rules.
	answers := map[string]bool{}
	for _, n := range append(flow.Nodes(), flow.Fallback()) {
		resp := n.Response()
		if problems := callflows.ValidateJSON(resp, callflows.Answer); len(problems) > 0 {
			f.Fatalf("node %q answers %s, which breaks 8x8's rules:\n%v", n.ID(), resp, problems)
		}
		answers[string(resp)] = true
	}

	// Raw bodies: the payloads in testdata, other event types, and bodies
	// that are not VCAs at all.
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	if len(files) == 0 {
		f.Fatal("no seed payloads in testdata")
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(modeRaw), b, "", "", "")
	}
	for _, b := range []string{
		``, ` `, `{}`, `[]`, `[{}]`, `null`, `true`, `"CALL_ACTION"`, `42`, `not json`, `{`, `{} x`, `{"a":1,}`,
		`{"eventType":"CALL_STATUS","payload":{"callStatus":"ANSWERED"}}`,
		`{"eventType":"SESSION_SUMMARY","payload":{"sessionId":"s"}}`,
		`{"eventType":"call_action","payload":{"clientActionId":"main_menu","dtmf":"1"}}`,
		`{"eventType":7,"payload":{"clientActionId":"main_menu","dtmf":"1"}}`,
		`{"payload":{"callStatus":"CALL_RECEIVED"}}`,
		`{"payload":{"callStatus":"CALL_RECEIVED","clientActionId":"reservations"}}`,
		`{"payload":{"clientActionId":"main_menu","eventData":{"dtmf":"2"}}}`,
		`{"payload":{"clientActionId":"main_menu","eventData":"3"}}`,
		`{"payload":{"clientActionId":"main_menu","eventData":"additional event data","dtmf":"1"}}`,
		`{"payload":{"clientActionId":"main_menu","dtmf":12}}`,
		`{"payload":{"clientActionId":"main_menu","dtmf":null}}`,
		`{"payload":{"clientActionId":"no_such_node","dtmf":"1"}}`,
		`{"payload":{"clientActionId":5,"dtmf":"1"}}`,
		`{"payload":"oops"}`,
		`{"payload":{"callDuration":1e999999,"sipCode":-1e-999999,"dtmf":123456789012345678901234567890}}`,
		"{\"payload\":{\"clientActionId\":\"main_menu\xff\",\"dtmf\":\"\xfe1\"}}",
		"\xff\xfe\xfd",
		`{"payload":{"clientActionId":"\ud800","dtmf":"\u0000"}}`,
	} {
		f.Add(uint8(modeRaw), []byte(b), "", "", "")
	}
	// One body just over the limit, for the 413.
	big := append([]byte(`{"payload":{"eventId":"`), bytes.Repeat([]byte("x"), server.DefaultMaxBodyBytes)...)
	f.Add(uint8(modeRaw), append(big, `"}}`...), "", "", "")

	// Well-formed VCAs: every node with each of its keys, no digits and
	// wrong digits, in each digit shape; a new inbound call; other events.
	for _, n := range append(flow.Nodes(), flow.Fallback()) {
		for _, digits := range append(n.Keys(), "", "0", "#", "*", "12", "x", " 1 ") {
			for _, shape := range carrier.Shapes {
				f.Add(uint8(modeEvent+numModes*int(shape)), []byte(nil), n.ID(), digits, "")
			}
		}
	}
	f.Add(uint8(modeCallReceived), []byte(nil), "", "", "")
	f.Add(uint8(modeCallReceived), []byte(nil), "main_menu", "1", "")
	for _, et := range []string{callflows.EventCallAction, "call_action", callflows.EventCallStatus, callflows.EventSessionSummary, "UNKNOWN"} {
		f.Add(uint8(modeEvent), []byte(nil), "main_menu", "1", et)
	}

	f.Fuzz(func(t *testing.T, mode uint8, body []byte, clientActionID, digits, eventType string) {
		// A slow input is a bug too: make it a crash the fuzzer saves.
		watchdog := time.AfterFunc(10*time.Second, func() {
			panic(fmt.Sprintf("input took over 10s: mode %d, body %q, clientActionId %q, digits %q, eventType %q",
				mode, body, clientActionID, digits, eventType))
		})
		defer watchdog.Stop()

		switch mode % numModes {
		case modeEvent, modeCallReceived:
			ev := carrier.Event{
				EventType:      eventType,
				EventID:        "fuzz-event",
				CallID:         "fuzz-call",
				SessionID:      "fuzz-session",
				ClientActionID: clientActionID,
				Digits:         digits,
				Shape:          carrier.Shapes[int(mode/numModes)%len(carrier.Shapes)],
			}
			if mode%numModes == modeCallReceived {
				ev.CallStatus = callflows.StatusCallReceived
				ev.Direction = callflows.DirectionInbound
			}
			body = ev.Body()
		}

		req := httptest.NewRequest(http.MethodPost, "/webhooks/vca", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		got := rec.Body.Bytes()

		switch rec.Code {
		case http.StatusOK:
			if string(got) == "{}" {
				return
			}
			if problems := callflows.ValidateJSON(got, callflows.Answer); len(problems) > 0 {
				t.Fatalf("answer %s to %q breaks 8x8's rules:\n%v", got, body, problems)
			}
			if !answers[string(got)] {
				t.Fatalf("answer %s to %q is no node's answer", got, body)
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			var e map[string]any
			if err := json.Unmarshal(got, &e); err != nil {
				t.Fatalf("status %d for %q with a body that is not a JSON object: %q: %v", rec.Code, body, got, err)
			}
			if msg, ok := e["error"].(string); !ok || strings.TrimSpace(msg) == "" {
				t.Fatalf("status %d for %q without an error message: %s", rec.Code, body, got)
			}
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, got)
		}
	})
}
