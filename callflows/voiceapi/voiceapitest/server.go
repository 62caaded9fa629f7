// Package voiceapitest runs a fake 8x8 Voice API on loopback for tests, as
// net/http/httptest runs a server: Send Callflow, the Webhooks API and the
// speech profiles, for one API key and one sub-account.
//
// The fake checks, in this order, what 8x8 is documented to check: the
// Bearer API key (401), the sub-account (404), that the body is a JSON
// object (400, -1001), the callflow with callflows.ValidateJSON in the
// Initial context (the first problem, 422 for -1013 as in 8x8's OpenAPI
// example, 400 otherwise, with "PATH: message"), and validUntil not past
// (400, -1015). It answers with the bodies of 8x8's OpenAPI examples; an
// unknown path gets 404 and a known path with another method 405.
//
// Where 8x8's behaviour is not documented, the fake takes the stricter
// reading, so that a client which passes against it does not rely on 8x8
// being lenient:
//   - a POST without Content-Type application/json gets 415;
//   - every error of the Webhooks API and speech profiles has the shape of
//     the documented 422, {"errorId", "statusCode" as a string,
//     "statusMessage", "timestamp"};
//   - a webhook's url must be an absolute http(s) URL, and a bad type or url
//     gets 422 "1001" with the reason after "Invalid JSON request body: ";
//   - creating a webhook of a type it holds gets 409: 8x8 has no update,
//     and its guide says to delete, then re-create;
//   - a webhook of any type it holds can be deleted, VNU included (8x8's
//     delete enum omits VNU, which it can create).
//
// It records every request for assertions and can be told to fail the
// next requests (429 with Retry-After, 500, 503) to exercise retries.
package voiceapitest

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/callflows"
)

// Status codes and messages of 8x8's answers (reference sections 1.3, 1.4
// and 6.1) that callflows does not define, since they are not about the
// callflow.
const (
	statusCreated           = 1
	statusExpired           = -1015
	msgCallflowUnauthorized = "Authentication header not found or token invalid"
	msgWebhookUnauthorized  = "API key not found or invalid"
	msgSubAccountNotFound   = "SubAccount not found by Id : "
	msgInvalidJSON          = "Invalid JSON request body"
	msgExpired              = "The validity period of the call flow request has expired"
	hookInvalidJSON         = "1001"
)

// maxBody is the largest request body the fake reads.
const maxBody = 1 << 20

// webhookTypes are the webhook types the Webhooks API accepts.
var webhookTypes = []string{"VCA", "VSS", "VCS", "VRU", "VNU"}

// Request is a request the fake received.
type Request struct {
	Method string
	// Path is the URL path, e.g. /api/v1/subaccounts/acme/callflows.
	Path   string
	Header http.Header
	Body   []byte
}

// Webhook is a webhook the fake holds, its secret included.
type Webhook struct {
	Type    string
	URL     string
	Enabled bool
	// AuthHeader is the httpAuthHeader it was created with, which the API
	// never returns.
	AuthHeader string
}

// SpeechProfile is a voice the speech-profiles endpoint lists.
type SpeechProfile struct {
	SpeechProfileCode string `json:"speechProfileCode"`
	LocaleCode        string `json:"localeCode"`
	LocaleDescription string `json:"localeDescription"`
	Gender            string `json:"gender"`
}

// DefaultSpeechProfiles are the voices a new Server lists.
var DefaultSpeechProfiles = []SpeechProfile{
	{"en-US-BenjaminRUS", "en-US", "EnglishUS", "M"},
	{"en-GB-Emma", "en-GB", "EnglishUK", "F"},
	{"en-IE-EmilyNeural", "en-IE", "EnglishIreland", "F"},
	{"en-US-Jenny", "en-US", "EnglishUS", "F"},
	{"en-US-Standard-A", "en-US", "EnglishUS", "F"},
}

// Server is a fake 8x8 Voice API listening on loopback. Its methods are
// safe for concurrent use.
type Server struct {
	// URL is the base URL, http://127.0.0.1:PORT, to give the client.
	URL string
	// APIKey and SubAccount are the only credentials it accepts.
	APIKey     string
	SubAccount string

	ts        *httptest.Server
	mux       *http.ServeMux
	closeOnce sync.Once

	mu       sync.Mutex
	requests []Request
	failures []failure
	webhooks map[string]Webhook
	profiles []SpeechProfile
}

// failure is an answer FailNext queued.
type failure struct {
	status     int
	retryAfter string
}

// NewServer starts a fake that accepts apiKey for subAccount. When tb is
// not nil, the server is closed when the test ends; a nil tb is for use
// outside tests (examples, a local run), where the caller must Close it.
func NewServer(tb testing.TB, apiKey, subAccount string) *Server {
	if tb != nil {
		tb.Helper()
	}
	s := &Server{
		APIKey:     apiKey,
		SubAccount: subAccount,
		webhooks:   make(map[string]Webhook),
		profiles:   slices.Clone(DefaultSpeechProfiles),
		mux:        http.NewServeMux(),
	}
	const sub = "/api/v1/subaccounts/{sub}"
	s.mux.HandleFunc("POST "+sub+"/callflows", s.sendCallflow)
	s.mux.HandleFunc("POST "+sub+"/webhooks", s.createWebhook)
	s.mux.HandleFunc("GET "+sub+"/webhooks", s.listWebhooks)
	s.mux.HandleFunc("DELETE "+sub+"/webhooks/{type}", s.deleteWebhook)
	s.mux.HandleFunc("GET "+sub+"/speech-profiles", s.speechProfiles)
	s.ts = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.ts.URL
	if tb != nil {
		tb.Cleanup(s.Close)
	}
	return s
}

// Close shuts the server down; it may be called more than once.
func (s *Server) Close() {
	s.closeOnce.Do(s.ts.Close)
}

// Requests returns a copy of every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = Request{Method: r.Method, Path: r.Path, Header: r.Header.Clone(), Body: bytes.Clone(r.Body)}
	}
	return out
}

// FailNext answers the next n requests, whatever they are, with HTTP
// status and 8x8's error body for it, and with a Retry-After header when
// retryAfter is not empty. Later requests are served normally. Calls add
// up: FailNext(1, 429, "1") then FailNext(1, 503, "") fails twice.
func (s *Server) FailNext(n, status int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures = append(s.failures, failure{status, retryAfter})
	}
}

// Webhook returns the webhook of type typ, with the secret AuthHeader the
// API never returns.
func (s *Server) Webhook(typ string) (Webhook, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.webhooks[typ]
	return w, ok
}

// SetSpeechProfiles replaces the voices the speech-profiles endpoint lists.
func (s *Server) SetSpeechProfiles(ps []SpeechProfile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.profiles = slices.Clone(ps)
}

// serve records the request, answers it with a queued failure if any, and
// otherwise routes it. Unknown paths get 404 and known paths with another
// method 405, as net/http's ServeMux answers them.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
	var f *failure
	if len(s.failures) > 0 {
		f = &s.failures[0]
		s.failures = s.failures[1:]
	}
	s.mu.Unlock()

	if f != nil {
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		msg := http.StatusText(f.status)
		if f.status == http.StatusInternalServerError {
			msg = "Internal server error" // 8x8's spelling
		}
		if strings.HasSuffix(r.URL.Path, "/callflows") {
			writeJSON(w, f.status, notCreated(f.status, msg))
		} else {
			writeJSON(w, f.status, hookError(strconv.Itoa(f.status), msg))
		}
		return
	}
	if err != nil {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.mux.ServeHTTP(w, r)
}

// authorized reports whether r carries "Authorization: Bearer APIKey".
func (s *Server) authorized(r *http.Request) bool {
	scheme, key, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	return ok && strings.EqualFold(scheme, "Bearer") &&
		subtle.ConstantTimeCompare([]byte(key), []byte(s.APIKey)) == 1
}

// jsonContent reports whether r declares a JSON body. [inferred: 8x8's
// service answers 415 to a body of another type, as Spring services do]
func jsonContent(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

// callflowAnswer is the body of every Send Callflow answer.
type callflowAnswer struct {
	SessionID         string `json:"sessionId,omitempty"`
	SessionStatus     string `json:"sessionStatus"`
	CallFlowRequestID string `json:"callFlowRequestId"`
	ValidUntil        string `json:"validUntil,omitempty"`
	StatusCode        int    `json:"statusCode"`
	StatusMessage     string `json:"statusMessage"`
}

func notCreated(code int, msg string) callflowAnswer {
	return callflowAnswer{SessionStatus: "NOT_CREATED", CallFlowRequestID: newUUID(), StatusCode: code, StatusMessage: msg}
}

func (s *Server) sendCallflow(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		writeJSON(w, http.StatusUnauthorized, notCreated(http.StatusUnauthorized, msgCallflowUnauthorized))
		return
	}
	if sub := r.PathValue("sub"); sub != s.SubAccount {
		writeJSON(w, http.StatusNotFound, notCreated(http.StatusNotFound, msgSubAccountNotFound+sub))
		return
	}
	if !jsonContent(r) {
		writeJSON(w, http.StatusUnsupportedMediaType, notCreated(http.StatusUnsupportedMediaType,
			fmt.Sprintf("Content type '%s' not supported", r.Header.Get("Content-Type"))))
		return
	}
	body, _ := io.ReadAll(r.Body)
	var req struct {
		ValidUntil *string `json:"validUntil"`
	}
	if !isObject(body) || json.Unmarshal(body, &req) != nil {
		writeJSON(w, http.StatusBadRequest, notCreated(callflows.StatusInvalidJSON, msgInvalidJSON))
		return
	}
	if ps := callflows.ValidateJSON(body, callflows.Initial); len(ps) > 0 {
		p := ps[0]
		status := http.StatusBadRequest
		if p.Code == callflows.StatusFirstNotMakeCall {
			status = http.StatusUnprocessableEntity // as in 8x8's OpenAPI example
		}
		msg := p.Message
		if p.Path != "" {
			msg = p.Path + ": " + p.Message
		}
		writeJSON(w, status, notCreated(p.Code, msg))
		return
	}
	var validUntil string
	if req.ValidUntil != nil {
		validUntil = *req.ValidUntil
		t, err := time.Parse(time.RFC3339Nano, validUntil)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, notCreated(callflows.StatusInvalidEntry,
				"$.validUntil: "+strconv.Quote(validUntil)+" is not a YYYY-MM-DDTHH:MM:SS.SSSZ date-time"))
			return
		}
		if !t.After(time.Now()) {
			writeJSON(w, http.StatusBadRequest, notCreated(statusExpired, msgExpired))
			return
		}
	}
	writeJSON(w, http.StatusOK, callflowAnswer{
		SessionID:         newUUID(),
		SessionStatus:     "CREATED",
		CallFlowRequestID: newUUID(),
		ValidUntil:        validUntil,
		StatusCode:        statusCreated,
		StatusMessage:     "Created",
	})
}

// webhookError is the error body of the Webhooks API and speech profiles,
// whose statusCode is a string. [inferred: 8x8 documents this shape only
// for 422; the fake uses it for every error of these endpoints]
type webhookError struct {
	ErrorID       string `json:"errorId"`
	StatusCode    string `json:"statusCode"`
	StatusMessage string `json:"statusMessage"`
	Timestamp     string `json:"timestamp"`
}

func hookError(code, msg string) webhookError {
	return webhookError{ErrorID: newUUID(), StatusCode: code, StatusMessage: msg,
		Timestamp: time.Now().UTC().Format("2006-01-02T15:04:05.000Z")}
}

// wireWebhook is a webhook in the Webhooks API's answers.
type wireWebhook struct {
	Type                    string `json:"type"`
	URL                     string `json:"url"`
	Enabled                 bool   `json:"enabled"`
	HTTPAuthHeaderAvailable bool   `json:"httpAuthHeaderAvailable"`
}

func (w Webhook) wire() wireWebhook {
	return wireWebhook{Type: w.Type, URL: w.URL, Enabled: w.Enabled, HTTPAuthHeaderAvailable: w.AuthHeader != ""}
}

type webhookList struct {
	SubAccountID  string        `json:"subAccountId"`
	Count         int           `json:"count"`
	Webhooks      []wireWebhook `json:"webhooks"`
	StatusCode    int           `json:"statusCode"`
	StatusMessage string        `json:"statusMessage"`
}

// checkWebhookRequest answers the auth and sub-account errors of the
// Webhooks API and speech profiles, and reports whether r passed.
func (s *Server) checkWebhookRequest(w http.ResponseWriter, r *http.Request) bool {
	if !s.authorized(r) {
		writeJSON(w, http.StatusUnauthorized, hookError("401", msgWebhookUnauthorized))
		return false
	}
	if sub := r.PathValue("sub"); sub != s.SubAccount {
		writeJSON(w, http.StatusNotFound, hookError("404", msgSubAccountNotFound+sub))
		return false
	}
	return true
}

// createWebhook stores a webhook. Creating a type that exists is refused
// with 409. [inferred: 8x8 documents no update and says to delete, then
// re-create; the fake refuses so a client that skips the delete is caught]
func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) {
	if !s.checkWebhookRequest(w, r) {
		return
	}
	if !jsonContent(r) {
		writeJSON(w, http.StatusUnsupportedMediaType, hookError("415",
			fmt.Sprintf("Content type '%s' not supported", r.Header.Get("Content-Type"))))
		return
	}
	body, _ := io.ReadAll(r.Body)
	var in struct {
		Type           *string `json:"type"`
		URL            *string `json:"url"`
		HTTPAuthHeader *string `json:"httpAuthHeader"`
		Enabled        *bool   `json:"enabled"`
	}
	invalid := func(detail string) {
		msg := msgInvalidJSON
		if detail != "" {
			msg += ": " + detail // [inferred] 8x8's example gives no detail
		}
		writeJSON(w, http.StatusUnprocessableEntity, hookError(hookInvalidJSON, msg))
	}
	if !isObject(body) || json.Unmarshal(body, &in) != nil {
		invalid("")
		return
	}
	if in.Type == nil || !slices.Contains(webhookTypes, *in.Type) {
		invalid("type must be one of " + strings.Join(webhookTypes, ", "))
		return
	}
	if in.URL == nil || !absoluteHTTP(*in.URL) {
		invalid("url must be an absolute http or https URL")
		return
	}
	hook := Webhook{Type: *in.Type, URL: *in.URL, Enabled: in.Enabled == nil || *in.Enabled}
	if in.HTTPAuthHeader != nil {
		hook.AuthHeader = *in.HTTPAuthHeader
	}
	s.mu.Lock()
	_, exists := s.webhooks[hook.Type]
	if !exists {
		s.webhooks[hook.Type] = hook
	}
	s.mu.Unlock()
	if exists {
		writeJSON(w, http.StatusConflict, hookError("409",
			"Webhook of type "+hook.Type+" already exists; delete it before creating another"))
		return
	}
	writeJSON(w, http.StatusOK, webhookList{
		SubAccountID: s.SubAccount, Count: 1, Webhooks: []wireWebhook{hook.wire()}, StatusMessage: "ok",
	})
}

func absoluteHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// listWebhooks lists the webhooks in the order of webhookTypes.
func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) {
	if !s.checkWebhookRequest(w, r) {
		return
	}
	list := webhookList{SubAccountID: s.SubAccount, Webhooks: []wireWebhook{}, StatusMessage: "ok"}
	s.mu.Lock()
	for _, typ := range webhookTypes {
		if hook, ok := s.webhooks[typ]; ok {
			list.Webhooks = append(list.Webhooks, hook.wire())
		}
	}
	s.mu.Unlock()
	list.Count = len(list.Webhooks)
	writeJSON(w, http.StatusOK, list)
}

// deleteWebhook deletes a webhook and answers it with enabled false. 8x8's
// delete enum omits VNU, which it can create; the fake deletes any type it
// holds. [inferred]
func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	if !s.checkWebhookRequest(w, r) {
		return
	}
	typ := r.PathValue("type")
	s.mu.Lock()
	hook, ok := s.webhooks[typ]
	delete(s.webhooks, typ)
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, hookError("404", "Webhook of type "+typ+" not found"))
		return
	}
	hook.Enabled = false
	writeJSON(w, http.StatusOK, struct {
		SubAccountID string `json:"subAccountId"`
		wireWebhook
		StatusCode    int    `json:"statusCode"`
		StatusMessage string `json:"statusMessage"`
	}{s.SubAccount, hook.wire(), 0, "deleted"})
}

func (s *Server) speechProfiles(w http.ResponseWriter, r *http.Request) {
	if !s.checkWebhookRequest(w, r) {
		return
	}
	s.mu.Lock()
	profiles := slices.Clone(s.profiles)
	s.mu.Unlock()
	if profiles == nil {
		profiles = []SpeechProfile{}
	}
	writeJSON(w, http.StatusOK, struct {
		SpeechProfiles []SpeechProfile `json:"speechProfiles"`
		StatusCode     int             `json:"statusCode"`
		StatusMessage  string          `json:"statusMessage"`
	}{profiles, 0, "ok"})
}

func isObject(body []byte) bool {
	body = bytes.TrimSpace(body)
	return len(body) > 0 && body[0] == '{' && json.Valid(body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// newUUID returns a random (version 4) UUID, the form of 8x8's IDs.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
