package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/callflows/carrier"
	"github.com/ivrctl/ivrctl/server"
	"github.com/ivrctl/ivrctl/server/logtest"
)

// countingLog counts the bytes written to it, and keeps the lines.
type countingLog struct {
	n   atomic.Int64
	buf logtest.Buffer
}

func (c *countingLog) Write(p []byte) (int, error) {
	c.n.Add(int64(len(p)))
	return c.buf.Write(p)
}

// TestLogBounded: what strangers send cannot make the log grow with it.
// Over real connections: refused requests with a megabyte X-Request-Id or
// path, accepted webhooks with a 60 KB callId, and IDs of invalid UTF-8.
// Values are cut and marked; refused requests beyond a few a second are
// counted in one line rather than logged.
func TestLogBounded(t *testing.T) {
	const (
		each = 40
		// Per request, on average: an accepted webhook's line with every
		// value cut is well under 1 KB, and refused ones are mostly
		// counted, not logged.
		maxPerRequest = 1024
	)
	var log countingLog
	const secret = "Bearer log-bound"
	srv := server.New(loadFlow(t), server.Options{Logger: zerolog.New(&log), Access: server.Access{AuthHeader: secret}})
	// Fewer than the default, so that even a slow run (-race) sends more
	// refused requests an interval than are logged.
	srv.SetRefusedLogLimit(2, 500*time.Millisecond)
	ts := httptest.NewServer(srv.Routes()) // net/http's own header limit: 1 MB
	defer ts.Close()
	client := ts.Client()

	events := 0
	webhook := func(callID string) []byte {
		events++
		return carrier.Event{CallID: callID, EventID: fmt.Sprint("e-", events), ClientActionID: "main_menu", Digits: "1"}.Body()
	}
	huge := strings.Repeat("x", 1_000_000)
	// Raw in the body: carrier's JSON would escape each bad byte.
	badUTF8 := bytes.Replace(webhook("bad-utf-8"), []byte("bad-utf-8"), bytes.Repeat([]byte("\xff\xfe"), 20_000), 1)
	send := func(method, url string, body []byte, header http.Header) int {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, url, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header = header
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s %.40s: no X-Content-Type-Options: nosniff", method, url)
		}
		return resp.StatusCode
	}
	requests := 0
	for range each {
		cases := []struct {
			method, url string
			body        []byte
			header      http.Header
			want        int
		}{
			{"POST", ts.URL + "/webhooks/vca", webhook("c"), http.Header{"X-Request-Id": {huge}}, 401},
			{"GET", ts.URL + "/" + huge, nil, nil, 404},
			{"POST", ts.URL + "/webhooks/vca", webhook(strings.Repeat("c", 60_000)), http.Header{"Authorization": {secret}}, 200},
			{"POST", ts.URL + "/webhooks/vca", badUTF8, http.Header{"Authorization": {secret}}, 200},
			{"POST", ts.URL + "/webhooks/vss", []byte(`{"payload":{"sessionId":"` + strings.Repeat("s", 60_000) + `"}}`), http.Header{"Authorization": {secret}}, 200},
			{"POST", ts.URL + "/webhooks/vca", []byte(`{"payload": ` + strings.Repeat(`"\u00ff`, 5_000)), http.Header{"Authorization": {secret}}, 400},
		}
		for _, c := range cases {
			if got := send(c.method, c.url, c.body, c.header); got != c.want {
				t.Fatalf("%s %.40s: %d, want %d", c.method, c.url, got, c.want)
			}
			requests++
		}
	}
	// The requests not logged are counted in a line an interval later.
	var lines []map[string]any
	refused, counted := 0, 0
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		lines = parseLines(t, log.buf.String())
		refused, counted = 0, 0
		for _, l := range lines {
			switch l["message"] {
			case "requests refused, not logged":
				counted += int(l["count"].(float64))
			case "vca", "vss", "webhook refused", "request rejected":
				if l["status"].(float64) >= 400 {
					refused++
				}
			}
		}
		if refused+counted >= 3*each {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d refused requests logged and %d counted, want %d in all", refused, counted, 3*each)
		}
	}
	t.Logf("%d requests wrote %d bytes of log", requests, log.n.Load())
	if got := log.n.Load(); got > int64(requests*maxPerRequest) {
		t.Errorf("%d requests wrote %d bytes of log, want at most %d a request", requests, got, maxPerRequest)
	}
	for _, l := range lines {
		raw, _ := json.Marshal(l)
		if len(raw) > 2048 {
			t.Errorf("a log line of %d bytes: %.300s", len(raw), raw)
		}
		cut := false
		for k, v := range l {
			s, ok := v.(string)
			if !ok {
				continue
			}
			if !utf8.ValidString(s) || len(s) > server.MaxLogValue+len("…") {
				t.Errorf("%s: %d bytes, valid UTF-8 %v: %.80q", k, len(s), utf8.ValidString(s), s)
			}
			cut = cut || strings.HasSuffix(s, "…")
		}
		if cut != (l["truncated"] == true) {
			t.Errorf("a line with values cut %v says truncated %v: %.300s", cut, l["truncated"], raw)
		}
	}
	if refused+counted != 3*each || counted == 0 {
		t.Errorf("%d refused requests logged and %d counted, want %d in all, some counted", refused, counted, 3*each)
	}
}

// parseLines parses JSON log lines.
func parseLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for line := range strings.Lines(s) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %.200q is not JSON: %v", line, err)
		}
		lines = append(lines, m)
	}
	return lines
}
