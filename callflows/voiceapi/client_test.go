package voiceapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/callflows/voiceapi"
	"github.com/ivrctl/ivrctl/callflows/voiceapi/voiceapitest"
)

const (
	apiKey     = "sk_test_7f3a9c1e2b4d6f8a0c1e3b5d7f9a1c3e"
	subAccount = "acme-ivr_01"
)

// waits records the waits a client asks for instead of sleeping them.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.d = append(w.d, d)
	return ctx.Err()
}

func (w *waits) get() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

// newClient returns a client of base whose waits are recorded, with a base
// backoff of 100ms and the default cap.
func newClient(t *testing.T, base string, opts ...voiceapi.Option) (*voiceapi.Client, *waits) {
	t.Helper()
	opts = append([]voiceapi.Option{
		voiceapi.WithBaseURL(base),
		voiceapi.WithRetry(voiceapi.RetryPolicy{BaseBackoff: 100 * time.Millisecond}),
	}, opts...)
	c, err := voiceapi.New(apiKey, subAccount, opts...)
	if err != nil {
		t.Fatal(err)
	}
	w := &waits{}
	voiceapi.SetSleep(c, w.sleep)
	return c, w
}

// outbound is a valid Send Callflow request.
func outbound() *callflows.Request {
	return &callflows.Request{
		ClientActionID: "main_menu",
		Callflow: callflows.Callflow{
			&callflows.MakeCall{Source: "+6568888888", Destination: "+6591234567"},
			&callflows.Say{Text: "Welcome to ABC Restaurant & Bar", VoiceProfile: "en-US-BenjaminRUS"},
			&callflows.Hangup{},
		},
	}
}

func asAPIError(t *testing.T, err error) *voiceapi.APIError {
	t.Helper()
	if err == nil {
		t.Fatal("got no error, want an *APIError")
	}
	apiErr, ok := errors.AsType[*voiceapi.APIError](err)
	if !ok {
		t.Fatalf("error %q (%T) is not an *APIError", err, err)
	}
	return apiErr
}

func jsonEqual(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %s: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("body\n got %s\nwant %s", got, want)
	}
}

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		name, key, sub string
		opts           []voiceapi.Option
		wantErr        string
	}{
		{name: "ok", key: apiKey, sub: subAccount},
		{name: "every allowed character", key: apiKey, sub: "A-z.0_&"},
		{name: "fifty characters", key: apiKey, sub: strings.Repeat("a", 50)},
		{name: "base URL with prefix", key: apiKey, sub: subAccount, opts: []voiceapi.Option{voiceapi.WithBaseURL("http://127.0.0.1:8080/8x8/")}},
		{name: "empty key", key: "", sub: subAccount, wantErr: "voiceapi: missing API key"},
		{name: "key with newline", key: apiKey + "\r\nX-Evil: 1", sub: subAccount, wantErr: "voiceapi: API key holds spaces or control characters"},
		{name: "sub-account too short", key: apiKey, sub: "ab", wantErr: `voiceapi: invalid sub-account "ab": want 3 to 50 letters, digits or -._&`},
		{name: "sub-account too long", key: apiKey, sub: strings.Repeat("a", 51), wantErr: "invalid sub-account"},
		{name: "sub-account with slash", key: apiKey, sub: "acme/../x", wantErr: "invalid sub-account"},
		{name: "sub-account with space", key: apiKey, sub: "acme ivr", wantErr: "invalid sub-account"},
		{name: "sub-account is the key", key: apiKey, sub: apiKey + "!", wantErr: `invalid sub-account "[redacted]!"`},
		{name: "base URL without scheme", key: apiKey, sub: subAccount, opts: []voiceapi.Option{voiceapi.WithBaseURL("voice.8x8.com")}, wantErr: "invalid base URL"},
		{name: "base URL with query", key: apiKey, sub: subAccount, opts: []voiceapi.Option{voiceapi.WithBaseURL("https://voice.8x8.com/?key=" + apiKey)}, wantErr: `invalid base URL "https://voice.8x8.com/?key=[redacted]"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := voiceapi.New(tc.key, tc.sub, tc.opts...)
			if tc.wantErr == "" {
				if err != nil || c == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("New: no error, want %q", tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("New: %q, want it to contain %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), apiKey) {
				t.Errorf("New: %q holds the API key", err)
			}
		})
	}
}

func TestSendCallflow(t *testing.T) {
	srv := voiceapitest.NewServer(t, apiKey, subAccount)
	c, w := newClient(t, srv.URL)
	req := outbound()
	req.ValidUntil = "2099-07-03T05:59:32.226Z"

	res, err := c.SendCallflow(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.SessionStatus != "CREATED" || res.StatusCode != 1 || res.StatusMessage != "Created" ||
		res.ValidUntil != req.ValidUntil || len(res.SessionID) != 36 || len(res.CallFlowRequestID) != 36 {
		t.Errorf("result %+v", res)
	}

	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("server got %d requests, want 1", len(reqs))
	}
	got := reqs[0]
	if got.Method != http.MethodPost || got.Path != "/api/v1/subaccounts/acme-ivr_01/callflows" {
		t.Errorf("request %s %s", got.Method, got.Path)
	}
	for name, want := range map[string]string{
		"Authorization": "Bearer " + apiKey,
		"Content-Type":  "application/json",
		"Accept":        "application/json",
		"User-Agent":    "ivrctl",
	} {
		if v := got.Header.Get(name); v != want {
			t.Errorf("header %s = %q, want %q", name, v, want)
		}
	}
	jsonEqual(t, got.Body, `{
		"clientActionId": "main_menu",
		"validUntil": "2099-07-03T05:59:32.226Z",
		"callflow": [
			{"action": "makeCall", "params": {"source": "+6568888888", "destination": "+6591234567"}},
			{"action": "say", "params": {"text": "Welcome to ABC Restaurant & Bar", "voiceProfile": "en-US-BenjaminRUS"}},
			{"action": "hangup"}
		]}`)
	if !bytes.Contains(got.Body, []byte("Restaurant & Bar")) {
		t.Errorf("body %s escapes the text's &", got.Body)
	}
	if len(w.get()) != 0 {
		t.Errorf("waited %v on a success", w.get())
	}
}

func TestSendCallflowNilRequest(t *testing.T) {
	srv := voiceapitest.NewServer(t, apiKey, subAccount)
	c, _ := newClient(t, srv.URL)
	if _, err := c.SendCallflow(t.Context(), nil); err == nil {
		t.Fatal("no error for a nil request")
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("server got %d requests", n)
	}
}

// TestSendCallflowRefused runs the fake's refusals through the client: each
// is an *APIError with 8x8's fields, after one request and no wait.
func TestSendCallflowRefused(t *testing.T) {
	for _, tc := range []struct {
		name     string
		key, sub string
		want     voiceapi.APIError
	}{
		{
			name: "wrong key", key: "sk_test_wrong", sub: subAccount,
			want: voiceapi.APIError{HTTPStatus: 401, StatusCode: 401, SessionStatus: "NOT_CREATED",
				StatusMessage: "Authentication header not found or token invalid"},
		},
		{
			name: "unknown sub-account", key: apiKey, sub: "someone-else",
			want: voiceapi.APIError{HTTPStatus: 404, StatusCode: 404, SessionStatus: "NOT_CREATED",
				StatusMessage: "SubAccount not found by Id : someone-else"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := voiceapitest.NewServer(t, apiKey, subAccount)
			c, err := voiceapi.New(tc.key, tc.sub, voiceapi.WithBaseURL(srv.URL))
			if err != nil {
				t.Fatal(err)
			}
			w := &waits{}
			voiceapi.SetSleep(c, w.sleep)
			_, err = c.SendCallflow(t.Context(), outbound())
			got := asAPIError(t, err)
			if got.CallFlowRequestID == "" {
				t.Error("no CallFlowRequestID")
			}
			got.CallFlowRequestID = ""
			if *got != tc.want {
				t.Errorf("APIError\n got %+v\nwant %+v", *got, tc.want)
			}
			if n := len(srv.Requests()); n != 1 {
				t.Errorf("server got %d requests, want 1", n)
			}
			if len(w.get()) != 0 {
				t.Errorf("waited %v", w.get())
			}
		})
	}
}

// TestSendCallflowFirstActionNotMakeCall needs callflows.ValidateJSON: the
// fake answers a callflow that does not start with makeCall as 8x8's
// OpenAPI example does.
func TestSendCallflowFirstActionNotMakeCall(t *testing.T) {
	srv := voiceapitest.NewServer(t, apiKey, subAccount)
	c, w := newClient(t, srv.URL)
	req := outbound()
	req.Callflow = req.Callflow[1:]
	_, err := c.SendCallflow(t.Context(), req)
	got := asAPIError(t, err)
	if got.HTTPStatus != 422 || got.StatusCode != -1013 || got.SessionStatus != "NOT_CREATED" {
		t.Errorf("APIError %+v, want HTTP 422, status -1013, NOT_CREATED", got)
	}
	if n := len(srv.Requests()); n != 1 || len(w.get()) != 0 {
		t.Errorf("%d requests and waits %v, want 1 and none", n, w.get())
	}
}

// TestDocumentedAnswers decodes the answers of 8x8's OpenAPI examples
// verbatim, status codes as numbers and as strings.
func TestDocumentedAnswers(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  int
		body    string
		call    func(*voiceapi.Client) error
		want    voiceapi.APIError
		wantErr string
		// outcomeUnknown: the answer names a session, so the call may ring.
		outcomeUnknown bool
	}{
		{
			name: "send callflow 422", status: 422,
			body: `{"sessionStatus":"NOT_CREATED","callFlowRequestId":"3f1b6c2e-1d0a-4a5e-9f11-0c2a3e4b5d6f","statusCode":-1013,"statusMessage":"Invalid Callflow : First action should be a MakeCall action"}`,
			call: sendOutbound,
			want: voiceapi.APIError{HTTPStatus: 422, StatusCode: -1013, SessionStatus: "NOT_CREATED",
				CallFlowRequestID: "3f1b6c2e-1d0a-4a5e-9f11-0c2a3e4b5d6f",
				StatusMessage:     "Invalid Callflow : First action should be a MakeCall action"},
			wantErr: "send callflow: 8x8 refused the request (HTTP 422, status -1013): Invalid Callflow : First action should be a MakeCall action (callflow request id 3f1b6c2e-1d0a-4a5e-9f11-0c2a3e4b5d6f)",
		},
		{
			name: "send callflow 400", status: 400,
			body: `{"sessionStatus":"NOT_CREATED","callFlowRequestId":"x","statusCode":-1007,"statusMessage":"$.callflow[0].action should be one of: say,playFile,sayAndCapture"}`,
			call: sendOutbound,
			want: voiceapi.APIError{HTTPStatus: 400, StatusCode: -1007, SessionStatus: "NOT_CREATED", CallFlowRequestID: "x",
				StatusMessage: "$.callflow[0].action should be one of: say,playFile,sayAndCapture"},
		},
		{
			name: "send callflow 500 is not retried", status: 500,
			body: `{"sessionStatus":"NOT_CREATED","callFlowRequestId":"x","statusCode":500,"statusMessage":"Internal server error"}`,
			call: sendOutbound,
			want: voiceapi.APIError{HTTPStatus: 500, StatusCode: 500, SessionStatus: "NOT_CREATED", CallFlowRequestID: "x",
				StatusMessage: "Internal server error"},
			wantErr:        "send callflow: 8x8 may have acted on the request: 8x8 refused the request (HTTP 500, status 500): Internal server error (callflow request id x)",
			outcomeUnknown: true,
		},
		{
			name: "send callflow 200 not created", status: 200,
			body: `{"sessionStatus":"NOT_CREATED","callFlowRequestId":"x","statusCode":-9999,"statusMessage":"An unknown error has occurred"}`,
			call: sendOutbound,
			want: voiceapi.APIError{HTTPStatus: 200, StatusCode: -9999, SessionStatus: "NOT_CREATED", CallFlowRequestID: "x",
				StatusMessage: "An unknown error has occurred"},
		},
		{
			name: "send callflow 201 created", status: 201,
			body: `{"sessionId":"s","sessionStatus":"CREATED","callFlowRequestId":"x","statusCode":1,"statusMessage":"Created"}`,
			call: sendOutbound,
			want: voiceapi.APIError{HTTPStatus: 201, StatusCode: 1, SessionStatus: "CREATED", CallFlowRequestID: "x",
				StatusMessage: "Created"},
			outcomeUnknown: true,
		},
		{
			name: "send callflow 200 with a session but status 0", status: 200,
			body:           `{"sessionId":"s","sessionStatus":"","statusCode":0}`,
			call:           sendOutbound,
			want:           voiceapi.APIError{HTTPStatus: 200},
			outcomeUnknown: true,
		},
		{
			name: "webhooks 422 with a string status code", status: 422,
			body: `{"errorId":"9d2c0e4a-5b1f-4c3d-8e7f-6a5b4c3d2e1f","statusCode":"1001","statusMessage":"Invalid JSON request body","timestamp":1719985172226}`,
			call: func(c *voiceapi.Client) error {
				_, err := c.CreateWebhook(context.Background(), voiceapi.Webhook{Type: voiceapi.WebhookVCA, URL: "https://ivr.example.com/webhooks/vca"})
				return err
			},
			want: voiceapi.APIError{HTTPStatus: 422, StatusCode: 1001, ErrorID: "9d2c0e4a-5b1f-4c3d-8e7f-6a5b4c3d2e1f",
				StatusMessage: "Invalid JSON request body"},
			wantErr: "create VCA webhook: 8x8 refused the request (HTTP 422, status 1001): Invalid JSON request body (error id 9d2c0e4a-5b1f-4c3d-8e7f-6a5b4c3d2e1f)",
		},
		{
			name: "webhooks 401 without a status code", status: 401,
			body:    `{"statusMessage":"API key not found or invalid"}`,
			call:    func(c *voiceapi.Client) error { _, err := c.ListWebhooks(context.Background()); return err },
			want:    voiceapi.APIError{HTTPStatus: 401, StatusMessage: "API key not found or invalid"},
			wantErr: "list webhooks: 8x8 refused the request (HTTP 401): API key not found or invalid",
		},
		{
			name: "webhooks 200 with an error status", status: 200,
			body: `{"statusCode":"1002","statusMessage":"something went wrong"}`,
			call: func(c *voiceapi.Client) error {
				_, err := c.DeleteWebhook(context.Background(), voiceapi.WebhookVSS)
				return err
			},
			want: voiceapi.APIError{HTTPStatus: 200, StatusCode: 1002, StatusMessage: "something went wrong"},
		},
		{
			name: "not JSON", status: 502,
			body:           "<html>\n  <body>Bad   Gateway</body>\n</html>\n",
			call:           sendOutbound,
			want:           voiceapi.APIError{HTTPStatus: 502, StatusMessage: "<html> <body>Bad Gateway</body> </html>"},
			wantErr:        "send callflow: 8x8 may have acted on the request: 8x8 refused the request (HTTP 502): <html> <body>Bad Gateway</body> </html>",
			outcomeUnknown: true,
		},
		{
			name: "empty body", status: 403,
			call:    sendOutbound,
			want:    voiceapi.APIError{HTTPStatus: 403},
			wantErr: "send callflow: 8x8 refused the request (HTTP 403): Forbidden",
		},
		{
			name: "JSON without status", status: 400,
			body: `{"error":"bad"}`,
			call: sendOutbound,
			want: voiceapi.APIError{HTTPStatus: 400, StatusMessage: `{"error":"bad"}`},
		},
		{
			name: "long body is cut", status: 400,
			body: strings.Repeat("é", 300),
			call: sendOutbound,
			want: voiceapi.APIError{HTTPStatus: 400, StatusMessage: strings.Repeat("é", 100) + "…"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			defer ts.Close()
			c, w := newClient(t, ts.URL)
			err := tc.call(c)
			got := asAPIError(t, err)
			if *got != tc.want {
				t.Errorf("APIError\n got %+v\nwant %+v", *got, tc.want)
			}
			if tc.wantErr != "" && err.Error() != tc.wantErr {
				t.Errorf("error\n got %q\nwant %q", err, tc.wantErr)
			}
			if unknown := errors.Is(err, voiceapi.ErrOutcomeUnknown); unknown != tc.outcomeUnknown {
				t.Errorf("errors.Is(%q, ErrOutcomeUnknown) = %v, want %v", err, unknown, tc.outcomeUnknown)
			}
			if n := hits.Load(); n != 1 || len(w.get()) != 0 {
				t.Errorf("%d requests and waits %v, want 1 and none", n, w.get())
			}
		})
	}
}

func sendOutbound(c *voiceapi.Client) error {
	_, err := c.SendCallflow(context.Background(), outbound())
	return err
}

func TestUnreadableSuccess(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "OK "+apiKey)
	}))
	defer ts.Close()
	c, _ := newClient(t, ts.URL)
	err := sendOutbound(c)
	if !errors.Is(err, voiceapi.ErrOutcomeUnknown) {
		t.Errorf("send: %v, want ErrOutcomeUnknown", err)
	}
	if _, ok := errors.AsType[*voiceapi.APIError](err); ok {
		t.Errorf("send: %v is an APIError", err)
	}
	_, err2 := c.SpeechProfiles(t.Context())
	if err2 == nil || errors.Is(err2, voiceapi.ErrOutcomeUnknown) {
		t.Errorf("speech profiles: %v, want an error that is not ErrOutcomeUnknown", err2)
	}
	for _, e := range []error{err, err2} {
		if e != nil && strings.Contains(e.Error(), apiKey) {
			t.Errorf("error %q holds the API key", e)
		}
	}
}

// TestNoRetryOnClientErrors: a 4xx other than 429 is final, for every method.
func TestNoRetryOnClientErrors(t *testing.T) {
	calls := map[string]func(*voiceapi.Client) error{
		"send": sendOutbound,
		"list": func(c *voiceapi.Client) error { _, err := c.ListWebhooks(context.Background()); return err },
		"delete": func(c *voiceapi.Client) error {
			_, err := c.DeleteWebhook(context.Background(), voiceapi.WebhookVCA)
			return err
		},
	}
	for _, status := range []int{400, 401, 403, 404, 409, 422} {
		for name, call := range calls {
			t.Run(fmt.Sprint(name, status), func(t *testing.T) {
				srv := voiceapitest.NewServer(t, apiKey, subAccount)
				srv.FailNext(1, status, "1")
				c, w := newClient(t, srv.URL)
				if got := asAPIError(t, call(c)); got.HTTPStatus != status {
					t.Errorf("HTTP %d, want %d", got.HTTPStatus, status)
				}
				if n := len(srv.Requests()); n != 1 || len(w.get()) != 0 {
					t.Errorf("%d requests and waits %v, want 1 and none", n, w.get())
				}
			})
		}
	}
}

func TestRetryAfter429(t *testing.T) {
	srv := voiceapitest.NewServer(t, apiKey, subAccount)
	srv.FailNext(1, http.StatusTooManyRequests, "1")
	c, w := newClient(t, srv.URL)
	if _, err := c.SendCallflow(t.Context(), outbound()); err != nil {
		t.Fatal(err)
	}
	if got, want := w.get(), []time.Duration{time.Second}; !reflect.DeepEqual(got, want) {
		t.Errorf("waits %v, want %v", got, want)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("server got %d requests, want 2", len(reqs))
	}
	if !bytes.Equal(reqs[0].Body, reqs[1].Body) || len(reqs[1].Body) == 0 {
		t.Errorf("retry sent %q, first attempt %q", reqs[1].Body, reqs[0].Body)
	}
	if reqs[1].Header.Get("Authorization") != "Bearer "+apiKey {
		t.Error("retry lost the Authorization header")
	}
}

func TestRetryAfterForms(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		retryAfter string
		min, max   time.Duration
	}{
		{"1", time.Second, time.Second},
		{" 7 ", 7 * time.Second, 7 * time.Second},
		{"0", 0, 0},
		{now.Add(3 * time.Second).Format(http.TimeFormat), 3 * time.Second, 3 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, 0},
		{"3600", voiceapi.DefaultMaxBackoff, voiceapi.DefaultMaxBackoff},                 // capped
		{"99999999999999999999", voiceapi.DefaultMaxBackoff, voiceapi.DefaultMaxBackoff}, // no overflow
		{now.Add(time.Hour).Format(http.TimeFormat), voiceapi.DefaultMaxBackoff, voiceapi.DefaultMaxBackoff},
		{"soon", 50 * time.Millisecond, 100 * time.Millisecond}, // backoff
		{"-5", 50 * time.Millisecond, 100 * time.Millisecond},
		{"", 50 * time.Millisecond, 100 * time.Millisecond},
	} {
		t.Run(tc.retryAfter, func(t *testing.T) {
			srv := voiceapitest.NewServer(t, apiKey, subAccount)
			srv.FailNext(1, http.StatusServiceUnavailable, tc.retryAfter)
			c, w := newClient(t, srv.URL)
			voiceapi.SetNow(c, func() time.Time { return now })
			if _, err := c.SpeechProfiles(t.Context()); err != nil {
				t.Fatal(err)
			}
			got := w.get()
			if len(got) != 1 || got[0] < tc.min || got[0] > tc.max {
				t.Errorf("waits %v, want one in [%v, %v]", got, tc.min, tc.max)
			}
		})
	}
}

func TestRetry503ThenSuccess(t *testing.T) {
	srv := voiceapitest.NewServer(t, apiKey, subAccount)
	srv.FailNext(2, http.StatusServiceUnavailable, "")
	c, w := newClient(t, srv.URL)
	res, err := c.SendCallflow(t.Context(), outbound())
	if err != nil {
		t.Fatal(err)
	}
	if res.SessionStatus != "CREATED" {
		t.Errorf("result %+v", res)
	}
	if n := len(srv.Requests()); n != 3 {
		t.Errorf("server got %d requests, want 3", n)
	}
	got := w.get()
	if len(got) != 2 {
		t.Fatalf("waits %v, want 2", got)
	}
	// Exponential with equal jitter: [base/2, base], then [base, 2·base].
	if got[0] < 50*time.Millisecond || got[0] > 100*time.Millisecond ||
		got[1] < 100*time.Millisecond || got[1] > 200*time.Millisecond {
		t.Errorf("waits %v, want in [50ms, 100ms] and [100ms, 200ms]", got)
	}
}

func TestGiveUpAfterMaxAttempts(t *testing.T) {
	srv := voiceapitest.NewServer(t, apiKey, subAccount)
	srv.FailNext(10, http.StatusServiceUnavailable, "")
	c, w := newClient(t, srv.URL, voiceapi.WithRetry(voiceapi.RetryPolicy{
		BaseBackoff: time.Second, MaxBackoff: 1500 * time.Millisecond,
	}))
	_, err := c.SendCallflow(t.Context(), outbound())
	got := asAPIError(t, err)
	if got.HTTPStatus != 503 || got.StatusCode != 503 || got.StatusMessage != "Service Unavailable" {
		t.Errorf("APIError %+v", got)
	}
	if want := "send callflow: gave up after 4 attempts: 8x8 refused the request (HTTP 503, status 503): Service Unavailable (callflow request id " + got.CallFlowRequestID + ")"; err.Error() != want {
		t.Errorf("error\n got %q\nwant %q", err, want)
	}
	if n := len(srv.Requests()); n != voiceapi.DefaultMaxAttempts {
		t.Errorf("server got %d requests, want %d", n, voiceapi.DefaultMaxAttempts)
	}
	ws := w.get()
	if len(ws) != 3 {
		t.Fatalf("waits %v, want 3", ws)
	}
	bounds := [][2]time.Duration{{500 * time.Millisecond, time.Second}, {750 * time.Millisecond, 1500 * time.Millisecond}, {750 * time.Millisecond, 1500 * time.Millisecond}}
	for i, b := range bounds {
		if ws[i] < b[0] || ws[i] > b[1] {
			t.Errorf("wait %d = %v, want in [%v, %v]", i+1, ws[i], b[0], b[1])
		}
	}
}

func TestMaxAttemptsOne(t *testing.T) {
	srv := voiceapitest.NewServer(t, apiKey, subAccount)
	srv.FailNext(1, http.StatusTooManyRequests, "1")
	c, w := newClient(t, srv.URL, voiceapi.WithRetry(voiceapi.RetryPolicy{MaxAttempts: 1}))
	if got := asAPIError(t, sendOutbound(c)); got.HTTPStatus != 429 {
		t.Errorf("APIError %+v", got)
	}
	if n := len(srv.Requests()); n != 1 || len(w.get()) != 0 {
		t.Errorf("%d requests and waits %v, want 1 and none", n, w.get())
	}
}

// TestServerErrorRetriedWhenIdempotent: a 500 may come after 8x8 acted, so
// only GET and DELETE retry it.
func TestServerErrorRetriedWhenIdempotent(t *testing.T) {
	srv := voiceapitest.NewServer(t, apiKey, subAccount)
	c, _ := newClient(t, srv.URL)

	for _, status := range []int{500, 502, 504} {
		srv.FailNext(1, status, "")
		if got := asAPIError(t, sendOutbound(c)); got.HTTPStatus != status {
			t.Errorf("send: HTTP %d, want %d", got.HTTPStatus, status)
		}
		srv.FailNext(1, status, "")
		_, err := c.CreateWebhook(t.Context(), voiceapi.Webhook{Type: voiceapi.WebhookVSS, URL: "https://ivr.example.com/vss"})
		if got := asAPIError(t, err); got.HTTPStatus != status {
			t.Errorf("create webhook: HTTP %d, want %d", got.HTTPStatus, status)
		}
	}
	if n := len(srv.Requests()); n != 6 {
		t.Errorf("server got %d requests for 6 refused POSTs", n)
	}

	srv.FailNext(1, 500, "")
	if _, err := c.ListWebhooks(t.Context()); err != nil {
		t.Errorf("list: %v", err)
	}
	srv.FailNext(1, 502, "")
	if _, err := c.CreateWebhook(t.Context(), voiceapi.Webhook{Type: voiceapi.WebhookVCA, URL: "https://ivr.example.com/vca"}); err == nil {
		t.Error("create webhook: no error after a 502")
	}
	if _, err := c.CreateWebhook(t.Context(), voiceapi.Webhook{Type: voiceapi.WebhookVCA, URL: "https://ivr.example.com/vca"}); err != nil {
		t.Fatal(err)
	}
	srv.FailNext(1, 504, "")
	if _, err := c.DeleteWebhook(t.Context(), voiceapi.WebhookVCA); err != nil {
		t.Errorf("delete: %v", err)
	}
	if n := len(srv.Requests()); n != 6+2+1+1+2 {
		t.Errorf("server got %d requests, want 12", n)
	}
}

func TestContextCancelledDuringBackoff(t *testing.T) {
	srv := voiceapitest.NewServer(t, apiKey, subAccount)
	srv.FailNext(1, http.StatusServiceUnavailable, "")
	c, err := voiceapi.New(apiKey, subAccount, voiceapi.WithBaseURL(srv.URL),
		voiceapi.WithRetry(voiceapi.RetryPolicy{BaseBackoff: time.Hour, MaxBackoff: time.Hour}))
	if err != nil {
		t.Fatal(err)
	}
	waiting := make(chan time.Duration, 1)
	voiceapi.SetSleep(c, func(ctx context.Context, d time.Duration) error {
		waiting <- d
		return voiceapi.SleepContext(ctx, d) // the real wait
	})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() { _, err := c.SendCallflow(ctx, outbound()); done <- err }()

	if d := <-waiting; d < 30*time.Minute {
		t.Errorf("wait %v, want about an hour", d)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
		if got := asAPIError(t, err); got.HTTPStatus != 503 {
			t.Errorf("error %v does not carry the last answer", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("SendCallflow did not return after its context was cancelled")
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("server got %d requests, want 1", n)
	}
}

// TestDeadlineBeforeRetry: when the context ends before the wait would,
// the client gives up at once with the last answer.
func TestDeadlineBeforeRetry(t *testing.T) {
	srv := voiceapitest.NewServer(t, apiKey, subAccount)
	srv.FailNext(1, http.StatusTooManyRequests, "5")
	c, w := newClient(t, srv.URL)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	_, err := c.SendCallflow(ctx, outbound())
	if got := asAPIError(t, err); got.HTTPStatus != 429 {
		t.Errorf("APIError %+v", got)
	}
	if !strings.Contains(err.Error(), "send callflow: gave up after 1 attempt, the context ends before a retry in 5s") {
		t.Errorf("error %q", err)
	}
	if n := len(srv.Requests()); n != 1 || len(w.get()) != 0 {
		t.Errorf("%d requests and waits %v, want 1 and none", n, w.get())
	}
}

func TestContextAlreadyCancelled(t *testing.T) {
	srv := voiceapitest.NewServer(t, apiKey, subAccount)
	c, w := newClient(t, srv.URL)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.SendCallflow(ctx, outbound())
	if !errors.Is(err, context.Canceled) || errors.Is(err, voiceapi.ErrOutcomeUnknown) {
		t.Errorf("error %v, want context.Canceled only", err)
	}
	if n := len(srv.Requests()); n != 0 || len(w.get()) != 0 {
		t.Errorf("%d requests and waits %v, want none", n, w.get())
	}
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func TestNetworkErrors(t *testing.T) {
	t.Run("POST not sent is retried", func(t *testing.T) {
		c, w := newClient(t, closedAddr(t))
		err := sendOutbound(c)
		if err == nil || errors.Is(err, voiceapi.ErrOutcomeUnknown) || !strings.Contains(err.Error(), "gave up after 4 attempts") {
			t.Errorf("error %v", err)
		}
		if len(w.get()) != 3 {
			t.Errorf("waits %v, want 3", w.get())
		}
	})

	t.Run("POST retried after a failed dial", func(t *testing.T) {
		srv := voiceapitest.NewServer(t, apiKey, subAccount)
		var dials atomic.Int32
		tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if dials.Add(1) == 1 {
				return nil, errors.New("network is unreachable")
			}
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}}
		defer tr.CloseIdleConnections()
		c, w := newClient(t, srv.URL, voiceapi.WithHTTPClient(&http.Client{Transport: tr}))
		if err := sendOutbound(c); err != nil {
			t.Fatal(err)
		}
		if n := len(srv.Requests()); n != 1 || len(w.get()) != 1 {
			t.Errorf("%d requests and waits %v, want 1 and 1", n, w.get())
		}
	})

	// hangUp reads the request, then drops the connection unanswered.
	hangUp := func(hits *atomic.Int32) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.ReadAll(r.Body)
			hits.Add(1)
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		})
	}

	t.Run("POST sent is not retried", func(t *testing.T) {
		var hits atomic.Int32
		ts := httptest.NewServer(hangUp(&hits))
		defer ts.Close()
		c, w := newClient(t, ts.URL)
		err := sendOutbound(c)
		if !errors.Is(err, voiceapi.ErrOutcomeUnknown) {
			t.Errorf("error %v, want ErrOutcomeUnknown", err)
		}
		_, err = c.CreateWebhook(t.Context(), voiceapi.Webhook{Type: voiceapi.WebhookVCA, URL: "https://ivr.example.com/vca"})
		if !errors.Is(err, voiceapi.ErrOutcomeUnknown) {
			t.Errorf("create webhook: %v, want ErrOutcomeUnknown", err)
		}
		if n := hits.Load(); n != 2 || len(w.get()) != 0 {
			t.Errorf("%d requests and waits %v, want 2 and none", n, w.get())
		}
	})

	t.Run("GET sent is retried", func(t *testing.T) {
		var hits atomic.Int32
		ts := httptest.NewServer(hangUp(&hits))
		defer ts.Close()
		c, w := newClient(t, ts.URL)
		_, err := c.ListWebhooks(t.Context())
		if err == nil || errors.Is(err, voiceapi.ErrOutcomeUnknown) {
			t.Errorf("error %v", err)
		}
		if n := hits.Load(); n != 4 || len(w.get()) != 3 {
			t.Errorf("%d requests and waits %v, want 4 and 3", n, w.get())
		}
	})

	t.Run("POST timed out after sending is not retried", func(t *testing.T) {
		var hits atomic.Int32
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.ReadAll(r.Body)
			hits.Add(1)
			<-r.Context().Done()
		}))
		defer ts.Close()
		c, w := newClient(t, ts.URL, voiceapi.WithHTTPClient(&http.Client{Timeout: 50 * time.Millisecond}))
		err := sendOutbound(c)
		if !errors.Is(err, voiceapi.ErrOutcomeUnknown) {
			t.Errorf("error %v, want ErrOutcomeUnknown", err)
		}
		var netErr net.Error
		if !errors.As(err, &netErr) || !netErr.Timeout() {
			t.Errorf("error %v is not a timeout", err)
		}
		if n := hits.Load(); n != 1 || len(w.get()) != 0 {
			t.Errorf("%d requests and waits %v, want 1 and none", n, w.get())
		}
	})

	t.Run("POST cancelled after sending", func(t *testing.T) {
		var hits atomic.Int32
		ctx, cancel := context.WithCancel(t.Context())
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.ReadAll(r.Body)
			hits.Add(1)
			cancel()
			<-r.Context().Done()
		}))
		defer ts.Close()
		c, w := newClient(t, ts.URL)
		_, err := c.SendCallflow(ctx, outbound())
		if !errors.Is(err, context.Canceled) || !errors.Is(err, voiceapi.ErrOutcomeUnknown) {
			t.Errorf("error %v, want context.Canceled and ErrOutcomeUnknown", err)
		}
		if n := hits.Load(); n != 1 || len(w.get()) != 0 {
			t.Errorf("%d requests and waits %v, want 1 and none", n, w.get())
		}
	})
}

func TestWebhooks(t *testing.T) {
	srv := voiceapitest.NewServer(t, apiKey, subAccount)
	c, _ := newClient(t, srv.URL)
	ctx := t.Context()
	const secret = "Basic dXNlcjpwYXNzd29yZA=="

	vca, err := c.CreateWebhook(ctx, voiceapi.Webhook{Type: voiceapi.WebhookVCA, URL: "https://ivr.example.com/webhooks/vca", AuthHeader: secret})
	if err != nil {
		t.Fatal(err)
	}
	want := voiceapi.WebhookInfo{Type: "VCA", URL: "https://ivr.example.com/webhooks/vca", Enabled: true, HTTPAuthHeaderAvailable: true}
	if *vca != want {
		t.Errorf("created %+v, want %+v", *vca, want)
	}
	vss, err := c.CreateWebhook(ctx, voiceapi.Webhook{Type: voiceapi.WebhookVSS, URL: "https://ivr.example.com/webhooks/vss", Disabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := (voiceapi.WebhookInfo{Type: "VSS", URL: "https://ivr.example.com/webhooks/vss"}); *vss != want {
		t.Errorf("created %+v, want %+v", *vss, want)
	}

	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("server got %d requests, want 2", len(reqs))
	}
	for _, r := range reqs {
		if r.Method != http.MethodPost || r.Path != "/api/v1/subaccounts/acme-ivr_01/webhooks" ||
			r.Header.Get("Content-Type") != "application/json" || r.Header.Get("Authorization") != "Bearer "+apiKey {
			t.Errorf("request %s %s %v", r.Method, r.Path, r.Header)
		}
	}
	jsonEqual(t, reqs[0].Body, `{"type":"VCA","url":"https://ivr.example.com/webhooks/vca","httpAuthHeader":"Basic dXNlcjpwYXNzd29yZA==","enabled":true}`)
	jsonEqual(t, reqs[1].Body, `{"type":"VSS","url":"https://ivr.example.com/webhooks/vss","enabled":false}`)

	if h, ok := srv.Webhook("VCA"); !ok || h.AuthHeader != secret {
		t.Errorf("stored VCA webhook %+v, %v", h, ok)
	}

	list, err := c.ListWebhooks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantList := []voiceapi.WebhookInfo{want, {Type: "VSS", URL: "https://ivr.example.com/webhooks/vss"}}
	if !reflect.DeepEqual(list, wantList) {
		t.Errorf("list\n got %+v\nwant %+v", list, wantList)
	}

	// 8x8 has no update: a second create of a type is refused.
	_, err = c.CreateWebhook(ctx, voiceapi.Webhook{Type: voiceapi.WebhookVCA, URL: "https://ivr.example.com/v2/vca"})
	if got := asAPIError(t, err); got.HTTPStatus != http.StatusConflict {
		t.Errorf("second create: %+v", got)
	}

	deleted, err := c.DeleteWebhook(ctx, voiceapi.WebhookVCA)
	if err != nil {
		t.Fatal(err)
	}
	if want := (voiceapi.WebhookInfo{Type: "VCA", URL: "https://ivr.example.com/webhooks/vca", HTTPAuthHeaderAvailable: true}); *deleted != want {
		t.Errorf("deleted %+v, want %+v", *deleted, want)
	}
	last := srv.Requests()[len(srv.Requests())-1]
	if last.Method != http.MethodDelete || last.Path != "/api/v1/subaccounts/acme-ivr_01/webhooks/VCA" || len(last.Body) != 0 ||
		last.Header.Get("Content-Type") != "" {
		t.Errorf("delete request %s %s %q %v", last.Method, last.Path, last.Body, last.Header)
	}
	_, err = c.DeleteWebhook(ctx, voiceapi.WebhookVCA)
	if got := asAPIError(t, err); got.HTTPStatus != 404 || got.StatusCode != 404 {
		t.Errorf("second delete: %+v", got)
	}

	// Delete, then re-create, is how a URL changes.
	if _, err := c.CreateWebhook(ctx, voiceapi.Webhook{Type: voiceapi.WebhookVCA, URL: "https://ivr.example.com/v2/vca"}); err != nil {
		t.Fatal(err)
	}
	if h, ok := srv.Webhook("VCA"); !ok || h.AuthHeader != "" || h.URL != "https://ivr.example.com/v2/vca" {
		t.Errorf("re-created VCA webhook %+v, %v", h, ok)
	}

	_, err = c.CreateWebhook(ctx, voiceapi.Webhook{Type: "XYZ", URL: "https://ivr.example.com/x"})
	got := asAPIError(t, err)
	if got.HTTPStatus != 422 || got.StatusCode != 1001 || got.ErrorID == "" || !strings.HasPrefix(got.StatusMessage, "Invalid JSON request body") {
		t.Errorf("invalid type: %+v", got)
	}

	for _, w := range []voiceapi.Webhook{{URL: "https://x.example.com"}, {Type: voiceapi.WebhookVCA}} {
		if _, err := c.CreateWebhook(ctx, w); err == nil {
			t.Errorf("create %+v: no error", w)
		}
	}
	if _, err := c.DeleteWebhook(ctx, ""); err == nil {
		t.Error("delete of no type: no error")
	}
}

func TestSpeechProfiles(t *testing.T) {
	srv := voiceapitest.NewServer(t, apiKey, subAccount)
	c, _ := newClient(t, srv.URL)
	got, err := c.SpeechProfiles(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, p := range got {
		codes = append(codes, p.SpeechProfileCode)
	}
	if want := []string{"en-US-BenjaminRUS", "en-GB-Emma", "en-IE-EmilyNeural", "en-US-Jenny", "en-US-Standard-A"}; !reflect.DeepEqual(codes, want) {
		t.Errorf("codes %v, want %v", codes, want)
	}
	if want := (voiceapi.SpeechProfile{SpeechProfileCode: "en-US-Standard-A", LocaleCode: "en-US", LocaleDescription: "EnglishUS", Gender: "F"}); got[4] != want {
		t.Errorf("profile %+v, want %+v", got[4], want)
	}

	srv.SetSpeechProfiles([]voiceapitest.SpeechProfile{{SpeechProfileCode: "fr-FR-Denise", LocaleCode: "fr-FR", LocaleDescription: "French", Gender: "F"}})
	got, err = c.SpeechProfiles(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if want := []voiceapi.SpeechProfile{{SpeechProfileCode: "fr-FR-Denise", LocaleCode: "fr-FR", LocaleDescription: "French", Gender: "F"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("profiles %+v, want %+v", got, want)
	}
	r := srv.Requests()[1]
	if r.Method != http.MethodGet || r.Path != "/api/v1/subaccounts/acme-ivr_01/speech-profiles" ||
		r.Header.Get("Authorization") != "Bearer "+apiKey || r.Header.Get("Accept") != "application/json" {
		t.Errorf("request %s %s %v", r.Method, r.Path, r.Header)
	}
}

// TestAPIKeyNeverShown collects the errors and log lines of every way a
// request can fail, with 8x8 echoing the key back, and looks for the key.
func TestAPIKeyNeverShown(t *testing.T) {
	var logs bytes.Buffer
	logger := zerolog.New(&logs)

	// echo answers with the request's Authorization header: in every field
	// of a JSON body, at the start of a text, or across the point where an
	// error cuts a text short (so that cutting before redacting would leave
	// the key's first 24 characters).
	echo := func(status int, shape string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			auth := r.Header.Get("Authorization")
			w.WriteHeader(status)
			switch shape {
			case "json":
				json.NewEncoder(w).Encode(map[string]any{
					"sessionStatus": auth, "callFlowRequestId": auth, "errorId": auth,
					"statusCode": -1, "statusMessage": "bad header: " + auth,
				})
			case "text":
				io.WriteString(w, "Authorization: "+auth+" is not valid")
			case "cut":
				io.WriteString(w, strings.Repeat("x", 153)+" Authorization: "+auth)
			}
		})
	}

	var errs []error
	collect := func(c *voiceapi.Client) {
		ctx := t.Context()
		_, err := c.SendCallflow(ctx, outbound())
		errs = append(errs, err)
		_, err = c.CreateWebhook(ctx, voiceapi.Webhook{Type: voiceapi.WebhookVCA, URL: "https://ivr.example.com/vca", AuthHeader: "x"})
		errs = append(errs, err)
		_, err = c.ListWebhooks(ctx)
		errs = append(errs, err)
		_, err = c.DeleteWebhook(ctx, voiceapi.WebhookVCA)
		errs = append(errs, err)
		_, err = c.SpeechProfiles(ctx)
		errs = append(errs, err)
	}
	shapes := []string{"json", "text", "cut"}
	for _, status := range []int{200, 400, 401, 429, 500, 503} {
		for _, shape := range shapes {
			ts := httptest.NewServer(echo(status, shape))
			c, _ := newClient(t, ts.URL, voiceapi.WithLogger(logger))
			collect(c)
			ts.Close()
		}
	}
	// Network errors quote the URL; here the base URL holds the key too.
	c, _ := newClient(t, closedAddr(t)+"/"+apiKey, voiceapi.WithLogger(logger))
	collect(c)
	// The fake quotes an unknown sub-account, here one that holds the key.
	srv := voiceapitest.NewServer(t, apiKey, subAccount)
	c, err := voiceapi.New(apiKey, "x"+apiKey[:40], voiceapi.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	collect(c)

	if len(errs) != 5*(6*len(shapes)+2) {
		t.Fatalf("collected %d errors", len(errs))
	}
	forbidden := []string{apiKey, apiKey[:20]}
	for i, err := range errs {
		if err == nil {
			t.Errorf("call %d: no error", i)
			continue
		}
		texts := []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err)}
		if apiErr, ok := errors.AsType[*voiceapi.APIError](err); ok {
			texts = append(texts, fmt.Sprintf("%#v", *apiErr))
		}
		for _, s := range texts {
			for _, f := range forbidden {
				if strings.Contains(s, f) {
					t.Errorf("call %d: error holds the API key: %s", i, s)
				}
			}
		}
	}
	if logs.Len() == 0 {
		t.Error("no retry was logged")
	}
	// The key, and no header we send: headers are never logged.
	for _, f := range append(forbidden, "User-Agent", "application/json") {
		if strings.Contains(logs.String(), f) {
			t.Errorf("log holds %q:\n%s", f, logs.String())
		}
	}
}

func TestAPIErrorText(t *testing.T) {
	for _, tc := range []struct {
		err  voiceapi.APIError
		want string
	}{
		{voiceapi.APIError{HTTPStatus: 422, StatusCode: -1013, StatusMessage: "Invalid Callflow : First action should be a MakeCall action"},
			"8x8 refused the request (HTTP 422, status -1013): Invalid Callflow : First action should be a MakeCall action"},
		{voiceapi.APIError{HTTPStatus: 503}, "8x8 refused the request (HTTP 503): Service Unavailable"},
		{voiceapi.APIError{HTTPStatus: 599}, "8x8 refused the request (HTTP 599)"},
		{voiceapi.APIError{HTTPStatus: 422, StatusCode: 1001, StatusMessage: "Invalid JSON request body", ErrorID: "e1"},
			"8x8 refused the request (HTTP 422, status 1001): Invalid JSON request body (error id e1)"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error()\n got %q\nwant %q", got, tc.want)
		}
	}
}
