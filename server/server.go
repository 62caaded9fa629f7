package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"path"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/callstate"
	"github.com/ivrctl/ivrctl/server/business"
	"github.com/ivrctl/ivrctl/server/switches"
)

// DefaultMaxBodyBytes is the default limit on a webhook body. 8x8's VCA and
// VSS payloads are a few kilobytes at most.
const DefaultMaxBodyBytes = 64 << 10

// Options configure a Server.
type Options struct {
	// Logger receives one line per webhook. The zero Logger logs nothing.
	Logger zerolog.Logger
	// MaxBodyBytes limits the size of a request body; larger ones get 413.
	// Zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Access guards the webhook routes: the Authorization header 8x8
	// sends, the source addresses allowed and the proxies trusted. The
	// zero Access lets every request in.
	Access Access
	// SubAccountID, when set, refuses with 403 a webhook whose
	// payload.subAccountId is another (or none).
	SubAccountID string
	// DedupeSize is how many answered events, at least, are remembered to
	// answer a duplicate delivery the same (up to twice as many are);
	// zero means DefaultDedupeSize and a negative size remembers none.
	DedupeSize int
	// DedupeWindow is how long an answered event is remembered; zero means
	// DefaultDedupeWindow.
	DedupeWindow time.Duration
	// StateKeys sign the call state each answer carries in its
	// clientActionId (IVRCTL_STATE_KEY, see callstate.ParseKeys); without
	// keys the state carries a checksum, which detects a cut or corrupt
	// state but not a forged one.
	StateKeys callstate.Keys
	// Business makes the requests of the flow's request nodes; nil means a
	// client that signs nothing (see package business).
	Business *business.Client
	// Clock tells the time schedules read; nil means time.Now.
	Clock func() time.Time
	// Switches is where the positions operators set the flow's switches
	// to live (see LoadSwitches, WatchSwitches); nil serves the flow's
	// defaults, and no admin routes.
	Switches switches.Store
	// AdminToken (IVRCTL_ADMIN_TOKEN) is the Bearer token of the admin
	// routes, GET /admin/switches and PUT /admin/switches/{name}; without
	// one, or without Switches, the routes are not served (404).
	AdminToken string
}

// Server answers 8x8 webhooks from the current flow.
type Server struct {
	flow    atomic.Pointer[engine.Flow]
	log     zerolog.Logger
	opts    Options
	maxBody int64
	routes  http.Handler
	metrics *metrics
	vcaSeen *dedupe // VCA answers by eventId; nil when off
	vssSeen *dedupe // VSS summaries by sessionId; nil when off
	// refused bounds the log lines of refused requests.
	refused *logLimiter
	// mu serialises the swaps of the flow.
	mu sync.Mutex
	// sensitive holds the IDs of the menus marked sensitive in every flow
	// served so far, so that keys sent to a sensitive menu that a reload
	// removed stay out of the log too. Written under mu.
	sensitive atomic.Pointer[map[string]bool]
	// sw holds the switch positions every webhook reads; nil until the
	// store is first read. Swapped under mu.
	sw atomic.Pointer[switches.State]
	// answer chooses the answer to a VCA; a field so that tests can make
	// it fail.
	answer func(flow *engine.Flow, p *callflows.CallActionPayload, in engine.Input) ([]byte, engine.Step)
}

// New returns a Server that serves flow, which must not be nil.
func New(flow *engine.Flow, opts Options) *Server {
	if flow == nil {
		panic("server.New: nil flow")
	}
	s := &Server{log: opts.Logger, opts: opts, maxBody: opts.MaxBodyBytes, metrics: newMetrics(),
		refused: newLogLimiter(opts.Logger, refusedBurst, refusedInterval)}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	if s.opts.Business == nil {
		s.opts.Business = business.New(nil)
	}
	s.answer = s.answerVCA
	if opts.DedupeSize >= 0 {
		size, window := opts.DedupeSize, opts.DedupeWindow
		if size == 0 {
			size = DefaultDedupeSize
		}
		if window <= 0 {
			window = DefaultDedupeWindow
		}
		s.vcaSeen, s.vssSeen = newDedupe(size, window), newDedupe(size, window)
	}
	s.setFlow(flow)
	s.routes = s.buildRoutes()
	return s
}

// Flow returns the flow being served.
func (s *Server) Flow() *engine.Flow { return s.flow.Load() }

// SetFlow swaps in a new flow, atomically: each webhook is answered wholly
// from the old flow or wholly from the new one.
func (s *Server) SetFlow(flow *engine.Flow) {
	if flow == nil {
		panic("server.SetFlow: nil flow")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setFlow(flow)
}

// setFlow swaps in flow; the caller holds mu, or has not shared s yet.
func (s *Server) setFlow(flow *engine.Flow) {
	var add []string
	for _, n := range flow.Nodes() {
		if n.Sensitive() {
			add = append(add, n.ID())
		}
	}
	if old := s.sensitive.Load(); len(add) > 0 || old == nil {
		ids := map[string]bool{}
		if old != nil {
			maps.Copy(ids, *old)
		}
		for _, id := range add {
			ids[id] = true
		}
		s.sensitive.Store(&ids)
	}
	s.flow.Store(flow)
	s.metrics.setFlow(flow)
	s.metrics.setSwitches(flow, s.switchState().Positions)
}

// CountReload counts a reload of the flow file in ivrctl_reloads_total by
// its result: "accepted" (a new flow swapped in), "rejected" (the running
// flow stays) or "unchanged" (the file holds the flow served). Package
// reload calls it; any other result is not counted, so that the label
// keeps its three values.
func (s *Server) CountReload(result string) {
	if slices.Contains(reloadResults, result) {
		s.metrics.reloads.WithLabelValues(result).Inc()
	}
}

// isSensitive reports whether the keys of a VCA answering the node id
// (its clientActionId) must stay out of the log: the node was a sensitive
// menu in some flow this server has served.
func (s *Server) isSensitive(id string) bool {
	return (*s.sensitive.Load())[id]
}

// CheckFlow returns why flow cannot be served with keys, or nil: a flow
// that can carry a value marked sensitive (a PIN) needs keys, because such
// a value travels in the call state only encrypted.
func CheckFlow(flow *engine.Flow, keys callstate.Keys) error {
	if flow.CarriesSensitive() && keys.Len() == 0 {
		return errors.New("the flow collects values marked sensitive, which travel in the call state only encrypted; set IVRCTL_STATE_KEY (openssl rand -base64 32)")
	}
	return nil
}

// CheckFlow returns why the server cannot serve flow, or nil (see the
// function CheckFlow); a reload checks it before swapping a flow in.
func (s *Server) CheckFlow(flow *engine.Flow) error { return CheckFlow(flow, s.opts.StateKeys) }

// Routes returns the server's HTTP handler.
func (s *Server) Routes() http.Handler { return s.routes }

func (s *Server) buildRoutes() http.Handler {
	r := chi.NewRouter()
	// In the order chi's own examples use: the request ID first, so that
	// every line can name it, the recoverer around everything that may
	// panic, the body limit nearest the handlers.
	r.Use(dropBadRequestID, middleware.RequestID, s.recoverer, middleware.RequestSize(s.maxBody))
	r.NotFound(s.reject(http.StatusNotFound, "no such route"))
	notAllowed := s.reject(http.StatusMethodNotAllowed, "method not allowed")
	r.MethodNotAllowed(func(w http.ResponseWriter, req *http.Request) {
		// A 405 must list the route's methods in Allow (RFC 9110 15.5.6);
		// chi sets it only in its own handler, so ask the router, with the
		// path it routed on when mounted under a prefix.
		path := req.URL.Path
		if rctx := chi.RouteContext(req.Context()); rctx != nil && rctx.RoutePath != "" {
			path = rctx.RoutePath
		}
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut} {
			if r.Match(chi.NewRouteContext(), m, path) {
				w.Header().Add("Allow", m)
			}
		}
		notAllowed(w, req)
	})
	r.Group(func(r chi.Router) {
		r.Use(s.opts.Access.middleware(s.rejectAccess), trustConn)
		r.Post("/webhooks/vca", s.handleVCA)
		r.Post("/webhooks/vss", s.handleVSS)
	})
	if s.opts.AdminToken != "" && s.opts.Switches != nil {
		r.Route("/admin", func(r chi.Router) {
			r.Use(s.adminAuth)
			r.Get("/switches", s.handleSwitches)
			r.Put("/switches/{name}", s.handleSetSwitch)
		})
	}
	r.Get("/healthz", s.handleHealth)
	r.Get("/readyz", s.handleReady)
	metrics := promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{
		ErrorLog: promLogger{s.log}, Registry: s.metrics.reg,
	})
	r.Method(http.MethodGet, "/metrics", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["X-Content-Type-Options"] = nosniff
		metrics.ServeHTTP(w, r)
	}))
	return r
}

// answerVCA answers a VCA with the flow's step: a new inbound call gets
// the start node; any other VCA is the caller's answer to the node, and
// the state, its clientActionId carries.
func (s *Server) answerVCA(flow *engine.Flow, p *callflows.CallActionPayload, in engine.Input) ([]byte, engine.Step) {
	return flow.Answer(nil, s.opts.StateKeys, p.ClientActionID, in)
}

// input is what the webhook p, which arrived at now, tells the flow's
// step. Options.Clock, when set, tells the time instead.
func (s *Server) input(p *callflows.CallActionPayload, digits string, now time.Time) engine.Input {
	if s.opts.Clock != nil {
		now = s.opts.Clock()
	}
	return engine.Input{
		Start:    p.ClientActionID == "" && p.CallStatus == callflows.StatusCallReceived,
		Digits:   digits,
		Time:     now,
		From:     p.Source,
		To:       p.Destination,
		Outbound: strings.EqualFold(p.CallDirection, "OUTBOUND"),
		Transfer: p.TransferOutcome(),
		Switches: s.switchState().Positions,
	}
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// callActions are the CallActions VCA webhooks are decoded into.
var callActions = sync.Pool{New: func() any { return new(callflows.CallAction) }}

// readBody reads the request body, which the router limits to maxBody
// bytes, into a pooled buffer, answering 413 or 400 itself when it cannot.
// The caller returns the buffer to bufPool.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) (*bytes.Buffer, int, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	_, err := buf.ReadFrom(r.Body)
	if err == nil {
		return buf, 0, nil
	}
	bufPool.Put(buf)
	if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
		// http.MaxBytesReader has told net/http to close the connection
		// after this answer, without reading the rest of the body.
		err = fmt.Errorf("body is larger than %d bytes", tooLarge.Limit)
		writeError(w, http.StatusRequestEntityTooLarge, err.Error())
		return nil, http.StatusRequestEntityTooLarge, err
	}
	writeError(w, http.StatusBadRequest, "cannot read body")
	return nil, http.StatusBadRequest, err
}

// vcaLog gathers what the one log line and the metrics of a VCA say.
type vcaLog struct {
	ev        *callflows.CallAction
	digits    string
	step      engine.Step
	status    int
	outcome   string // when the engine's step does not say it
	err       error
	panic     any
	duplicate bool
}

func (s *Server) handleVCA(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	flow := s.flow.Load()
	// The webhook is decoded into a CallAction of the pool, which goes back
	// once the line is logged: nothing keeps it, or its EventData, after.
	ev := callActions.Get().(*callflows.CallAction)
	defer callActions.Put(ev)
	var l vcaLog
	defer func() {
		// Any failure while answering still answers: the caller hears the
		// fallback and the call ends, rather than dead air.
		id := requestID(r)
		if rec := recover(); rec != nil {
			l.panic, l.status = rec, http.StatusOK
			s.log.Error().Str("request_id", id).Interface("panic", rec).Bytes("stack", debug.Stack()).Msg("vca handler panic")
			l.step = engine.Step{Next: flow.Fallback(), Outcome: outcomeInternal}
			writeJSON(w, http.StatusOK, flow.Fallback().Response())
		}
		took := time.Since(start)
		s.logVCA(id, flow, &l, took)
		s.countVCA(&l, took)
	}()

	buf, status, err := s.readBody(w, r)
	if err != nil {
		l.status, l.err = status, err
		return
	}
	defer bufPool.Put(buf)
	if err := callflows.DecodeCallActionInto(ev, buf.Bytes()); err != nil {
		l.status, l.err = http.StatusBadRequest, err
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	l.ev = ev
	p := &ev.Payload
	if !s.subAccountAllowed(p.SubAccountID) {
		l.status, l.outcome = http.StatusForbidden, outcomeForbidden
		writeError(w, http.StatusForbidden, "webhook is for another sub-account")
		return
	}
	l.digits = p.Digits()
	var body []byte
	if ev.EventType != "" && !strings.EqualFold(ev.EventType, callflows.EventCallAction) {
		// 8x8 may post call status events here too; they ask for nothing.
		l.outcome, body = outcomeIgnored, emptyObject
	} else {
		in := s.input(p, l.digits, start)
		body, l.step = s.answer(flow, p, in)
		body, l.step = s.requests(r.Context(), flow, body, l.step, in)
	}
	// A duplicate delivery of an event gets the answer the first one got,
	// even if the flow was reloaded in between, and is counted once. The
	// answer was chosen above all the same: that is cheaper than a second
	// look into the cache, and duplicates are rare.
	if s.vcaSeen != nil && p.EventID != "" {
		fp := fingerprint{eventType: ev.EventType, callStatus: p.CallStatus, clientActionID: p.ClientActionID, digits: l.digits}
		body, l.duplicate = s.vcaSeen.store(p.EventID, fp, body, start)
	}
	l.status = http.StatusOK
	writeJSON(w, http.StatusOK, body)
}

// requests makes the requests the step waits on, one after another, at
// most engine.MaxRequests, feeding each response back to the flow; a step
// that still waits after them gets the fallback. Each request is logged and
// counted by node, result and duration; never its body, its headers or
// the values in its URL.
func (s *Server) requests(ctx context.Context, flow *engine.Flow, body []byte, step engine.Step, in engine.Input) ([]byte, engine.Step) {
	for i := 0; step.Request() != nil; i++ {
		req := step.Request()
		if i == engine.MaxRequests {
			s.log.Warn().Str("node", req.Node.ID()).Int("requests", i).Msg("too many requests for one webhook; answering the fallback")
			step = flow.Fail(errTooManyRequests)
			return flow.Fallback().Response(), step
		}
		start := time.Now()
		resp := s.opts.Business.Do(ctx, req)
		took := time.Since(start)
		body, step = flow.Resume(nil, s.opts.StateKeys, step, resp, in)
		result := step.Result()
		e := s.log.Info()
		if result != engine.ResultOK && result != engine.ResultClientError {
			e = s.log.Warn()
		}
		e.Str("node", req.Node.ID()).Str("result", result).Int("status", resp.Status).
			Float64("duration_ms", millis(took)).Msg("request")
		s.metrics.request(req.Node, result, took)
	}
	return body, step
}

// errTooManyRequests is why a step that still waits after
// engine.MaxRequests requests gets the fallback.
var errTooManyRequests = errors.New("more requests than one webhook may make")

// nodeOf returns the node ID a clientActionId starts with: all of a bare
// one, or what comes before the "." of one that carries state.
func nodeOf(clientActionID string) string {
	if i := strings.IndexByte(clientActionID, '.'); i >= 0 {
		return clientActionID[:i]
	}
	return clientActionID
}

// redacted stands for the digits pressed at a sensitive menu in logs.
const redacted = "[redacted]"

func (s *Server) logVCA(requestID string, flow *engine.Flow, l *vcaLog, took time.Duration) {
	var e *zerolog.Event
	switch {
	case l.panic != nil || l.status >= 500:
		e = s.log.Error()
	case l.status >= 400:
		e = s.refusal()
	case l.step.Outcome == engine.OutcomeUnknownNode || l.step.Outcome == engine.OutcomeLeaf || l.step.Outcome == engine.OutcomeBadState:
		e = s.log.Warn()
	default:
		e = s.log.Info()
	}
	if e == nil {
		return
	}
	// Every value the webhook's sender chose is cut to MaxLogValue.
	cut := false
	e = e.Str("request_id", requestID)
	// The node is not written for a duplicate delivery, whose first
	// delivery's line tells it.
	nodeLogged := l.step.Next != nil && !l.duplicate
	from := ""
	if l.step.From != nil {
		from = l.step.From.ID()
	}
	if ev := l.ev; ev != nil {
		p := &ev.Payload
		// The event type and the clientActionId are written when they say
		// more than the line does without them: nearly every VCA is a
		// CALL_ACTION, and its clientActionId is the node it answers.
		if ev.EventType != callflows.EventCallAction {
			e = logStr(e, "event_type", ev.EventType, &cut)
		}
		e = logStr(e, "call_id", p.CallID, &cut)
		e = logStr(e, "session_id", p.SessionID, &cut)
		e = logStr(e, "event_id", p.EventID, &cut)
		e = logStr(e, "call_status", p.CallStatus, &cut)
		e = logStr(e, "direction", p.CallDirection, &cut)
		if !nodeLogged || p.ClientActionID != from {
			e = logStr(e, "client_action_id", p.ClientActionID, &cut)
		}
	}
	if nodeLogged {
		dtmf := l.digits
		// Keys pressed at a sensitive menu are never logged, even when a
		// reload has removed the menu since it was played.
		if dtmf != "" && l.ev != nil && s.isSensitive(nodeOf(l.ev.Payload.ClientActionID)) {
			dtmf = redacted
		}
		e = logStr(e.Str("node", from), "dtmf", dtmf, &cut).
			Str("next_node", l.step.Next.ID()).
			Str("outcome", string(l.step.Outcome))
		if l.step.StateErr != nil {
			e = e.Str("state_error", callstate.Reason(l.step.StateErr))
		}
	}
	switch {
	case l.duplicate:
		// The answer is the first delivery's, which its own line tells.
		e = e.Str("outcome", "duplicate")
	case l.outcome != "" && l.step.Next == nil:
		e = e.Str("outcome", l.outcome)
	}
	if l.err != nil {
		e = logStr(e, "error", l.err.Error(), &cut)
	}
	markCut(e, cut).Int("status", l.status).
		Str("flow_version", flow.Version()).
		Float64("duration_ms", millis(took)).
		Msg("vca")
}

// countVCA counts a VCA in the metrics, once: a duplicate delivery only
// adds to the duplicates.
func (s *Server) countVCA(l *vcaLog, took time.Duration) {
	if l.duplicate {
		s.metrics.duplicates.WithLabelValues("vca").Inc()
		return
	}
	outcome := l.outcome
	switch {
	case l.step.Next != nil:
		outcome = string(l.step.Outcome)
	case l.status >= 400 && outcome == "":
		outcome = outcomeOf(l.status)
	}
	eventType := ""
	if l.ev != nil {
		eventType = l.ev.EventType
	}
	s.metrics.vca(eventType, l.step, outcome, took)
}

// subAccountAllowed reports whether a webhook for the sub-account id may
// be answered.
func (s *Server) subAccountAllowed(id string) bool {
	return s.opts.SubAccountID == "" || id == s.opts.SubAccountID
}

func (s *Server) handleVSS(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	buf, status, err := s.readBody(w, r)
	if err != nil {
		s.rejectVSS(r, status, outcomeOf(status), err, start)
		return
	}
	defer bufPool.Put(buf)
	ev, err := callflows.DecodeSessionSummary(buf.Bytes())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		s.rejectVSS(r, http.StatusBadRequest, outcomeBadRequest, err, start)
		return
	}
	p := &ev.Payload
	if !s.subAccountAllowed(p.SubAccountID) {
		writeError(w, http.StatusForbidden, "webhook is for another sub-account")
		s.rejectVSS(r, http.StatusForbidden, outcomeForbidden, errors.New("webhook is for another sub-account"), start)
		return
	}
	writeJSON(w, http.StatusOK, emptyObject)

	// A session has one summary: a second delivery is logged as such and
	// not counted again.
	duplicate := false
	if s.vssSeen != nil && p.SessionID != "" {
		_, duplicate = s.vssSeen.store(p.SessionID, fingerprint{eventType: ev.EventType, callStatus: p.SessionStatus}, emptyObject, start)
	}
	if duplicate {
		s.metrics.duplicates.WithLabelValues("vss").Inc()
	} else {
		s.metrics.vss(outcomeAccepted, p.SessionStatus, time.Since(start))
	}

	e := s.log.Info()
	switch p.SessionStatus {
	case "COMPLETED", "":
	default:
		e = s.log.Warn()
	}
	if e == nil {
		return
	}
	cut := false
	e = e.Str("request_id", requestID(r))
	e = logStr(e, "session_id", p.SessionID, &cut)
	e = logStr(e, "session_status", p.SessionStatus, &cut)
	e = logStr(e, "last_action", p.LastAction, &cut)
	e = e.Float64("call_count", float64(p.CallCount))
	e = logStr(e, "start_time", p.StartTime, &cut)
	e = logStr(e, "end_time", p.EndTime, &cut)
	if d := p.ErrorDetails; d != nil {
		e = logStr(e, "error_code", string(d.ErrorCode), &cut)
		e = logStr(e, "error_msg", d.ErrorMsg, &cut)
	}
	if duplicate {
		e = e.Str("outcome", "duplicate")
	}
	markCut(e, cut).Int("status", http.StatusOK).
		Float64("duration_ms", millis(time.Since(start))).
		Msg("vss")
}

// outcomeOf names the outcome of a body that could not be read.
func outcomeOf(status int) string {
	if status == http.StatusRequestEntityTooLarge {
		return outcomeTooLarge
	}
	return outcomeBadRequest
}

func (s *Server) rejectVSS(r *http.Request, status int, outcome string, err error, start time.Time) {
	s.metrics.vss(outcome, "", time.Since(start))
	e := s.refusal()
	if e == nil {
		return
	}
	cut := false
	e = logStr(e.Str("request_id", requestID(r)), "error", err.Error(), &cut)
	markCut(e, cut).Int("status", status).Msg("vss rejected")
}

func (s *Server) handleHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
}

func (s *Server) handleReady(w http.ResponseWriter, _ *http.Request) {
	flow := s.flow.Load()
	body, _ := json.Marshal(struct {
		Status  string `json:"status"`
		Flow    string `json:"flow"`
		Version string `json:"version"`
		Nodes   int    `json:"nodes"`
	}{"ready", flow.Name(), flow.Version(), len(flow.Nodes())})
	writeJSON(w, http.StatusOK, body)
}

// reject answers requests that match no webhook with a clear 4xx and logs
// them.
func (s *Server) reject(status int, msg string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		writeError(w, status, msg)
		e := s.refusal()
		if e == nil {
			return
		}
		cut := false
		e = logStr(e.Str("request_id", requestID(r)), "method", r.Method, &cut)
		e = logStr(e, "path", r.URL.Path, &cut)
		markCut(e, cut).Int("status", status).Msg("request rejected")
	}
}

// rejectAccess answers a webhook the access guard refused, logs it without
// the header it was sent, and counts it.
func (s *Server) rejectAccess(w http.ResponseWriter, r *http.Request, status int, reason string) {
	// The connection is closed after the answer: a client that is
	// refused does not keep a connection, and a descriptor, to try again
	// on.
	w.Header()["Connection"] = connectionClose
	writeError(w, status, reason)
	outcome := outcomeForbidden
	if status == http.StatusUnauthorized {
		outcome = outcomeUnauthorized
	}
	webhook := strings.TrimPrefix(path.Base(r.URL.Path), "/")
	if webhook != "vca" && webhook != "vss" {
		webhook = "other"
	}
	s.metrics.webhooks.WithLabelValues(webhook, "", outcome).Inc()
	e := s.refusal()
	if e == nil {
		return
	}
	cut := false
	e = logStr(e.Str("request_id", requestID(r)), "path", r.URL.Path, &cut)
	e = logStr(e, "remote_addr", r.RemoteAddr, &cut)
	markCut(e, cut).Str("reason", reason).Int("status", status).Msg("webhook refused")
}

// promLogger passes the errors of the /metrics handler to the log.
type promLogger struct{ log zerolog.Logger }

func (l promLogger) Println(v ...any) { l.log.Error().Msg(fmt.Sprint(v...)) }

// millis returns d in milliseconds, to the microsecond, for the log's
// duration_ms.
func millis(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// maxRequestIDLen bounds the X-Request-Id a proxy in front may pass.
const maxRequestIDLen = 64

// requestID returns the ID of a request for its log lines: a proxy's
// X-Request-Id, or the one chi's middleware.RequestID made.
func requestID(r *http.Request) string { return middleware.GetReqID(r.Context()) }

// dropBadRequestID removes an X-Request-Id that is longer than
// maxRequestIDLen or holds anything but printable ASCII, before
// middleware.RequestID reads it: the middleware then makes one, and what a
// stranger sent is never logged.
func dropBadRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id := r.Header.Get(middleware.RequestIDHeader); id != "" && !validRequestID(id) {
			r.Header.Del(middleware.RequestIDHeader)
		}
		next.ServeHTTP(w, r)
	})
}

// validRequestID reports whether id may be logged as a request ID.
func validRequestID(id string) bool {
	if len(id) > maxRequestIDLen {
		return false
	}
	for i := range len(id) {
		if id[i] < ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}

// recoverer answers 500 for a panic outside the VCA handler, which
// recovers its own panics with the fallback. It is chi's
// middleware.Recoverer, but logging through the server's logger.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if rec := recover(); rec != nil {
				if rec == http.ErrAbortHandler {
					panic(rec)
				}
				cut := false
				e := s.log.Error().Str("request_id", requestID(r)).
					Interface("panic", rec).Bytes("stack", debug.Stack())
				markCut(logStr(e, "path", r.URL.Path, &cut), cut).Msg("handler panic")
				writeError(w, http.StatusInternalServerError, "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

var emptyObject = []byte("{}")

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["X-Content-Type-Options"] = nosniff
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Header values every answer shares; net/http does not change them.
var (
	jsonContentType = []string{"application/json"}
	// nosniff tells browsers not to guess another type than the one
	// given, should one ever load an answer.
	nosniff         = []string{"nosniff"}
	connectionClose = []string{"close"}
)

func writeError(w http.ResponseWriter, status int, msg string) {
	body, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{msg})
	writeJSON(w, status, body)
}
