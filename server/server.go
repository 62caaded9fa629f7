package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine"
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
}

// Server answers 8x8 webhooks from the current flow.
type Server struct {
	flow    atomic.Pointer[engine.Flow]
	log     zerolog.Logger
	maxBody int64
	routes  http.Handler
	// step chooses the answer to a VCA; a field so that tests can make it
	// fail.
	step func(flow *engine.Flow, p *callflows.CallActionPayload, digits string) engine.Step
}

// New returns a Server that serves flow, which must not be nil.
func New(flow *engine.Flow, opts Options) *Server {
	if flow == nil {
		panic("server.New: nil flow")
	}
	s := &Server{log: opts.Logger, maxBody: opts.MaxBodyBytes, step: step}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	s.flow.Store(flow)
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
	s.flow.Store(flow)
}

// Routes returns the server's HTTP handler.
func (s *Server) Routes() http.Handler { return s.routes }

func (s *Server) buildRoutes() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, s.recoverer, s.limitBody)
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
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			if r.Match(chi.NewRouteContext(), m, path) {
				w.Header().Add("Allow", m)
			}
		}
		notAllowed(w, req)
	})
	r.Post("/webhooks/vca", s.handleVCA)
	r.Post("/webhooks/vss", s.handleVSS)
	r.Get("/healthz", s.handleHealth)
	r.Get("/readyz", s.handleReady)
	return r
}

// step answers a VCA: a new inbound call gets the start menu itself; any
// other VCA is the caller's answer to the node named by its clientActionId.
func step(flow *engine.Flow, p *callflows.CallActionPayload, digits string) engine.Step {
	if p.ClientActionID == "" && p.CallStatus == callflows.StatusCallReceived {
		return flow.Begin()
	}
	return flow.Next(p.ClientActionID, digits)
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readBody reads the request body into a pooled buffer, answering 413 or
// 400 itself when it cannot. The caller returns the buffer to bufPool.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) (*bytes.Buffer, int, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	if _, err := buf.ReadFrom(r.Body); err != nil {
		bufPool.Put(buf)
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body is larger than %d bytes", s.maxBody))
			return nil, http.StatusRequestEntityTooLarge, err
		}
		writeError(w, http.StatusBadRequest, "cannot read body")
		return nil, http.StatusBadRequest, err
	}
	return buf, 0, nil
}

// vcaLog gathers what the one log line of a VCA says.
type vcaLog struct {
	ev      *callflows.CallAction
	digits  string
	step    engine.Step
	status  int
	err     error
	panic   any
	ignored bool
}

func (s *Server) handleVCA(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	flow := s.flow.Load()
	var l vcaLog
	defer func() {
		// Any failure while answering still answers: the caller hears the
		// fallback and the call ends, rather than dead air.
		if rec := recover(); rec != nil {
			l.panic, l.status = rec, http.StatusOK
			s.log.Error().Interface("panic", rec).Bytes("stack", debug.Stack()).Msg("vca handler panic")
			l.step = engine.Step{Next: flow.Fallback(), Outcome: "internal_error"}
			writeJSON(w, http.StatusOK, flow.Fallback().Response())
		}
		s.logVCA(r, flow, &l, time.Since(start))
	}()

	buf, status, err := s.readBody(w, r)
	if err != nil {
		l.status, l.err = status, err
		return
	}
	defer bufPool.Put(buf)
	ev, err := callflows.DecodeCallAction(buf.Bytes())
	if err != nil {
		l.status, l.err = http.StatusBadRequest, err
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	l.ev = ev
	if ev.EventType != "" && !strings.EqualFold(ev.EventType, callflows.EventCallAction) {
		// 8x8 may post call status events here too; they ask for nothing.
		l.status, l.ignored = http.StatusOK, true
		writeJSON(w, http.StatusOK, emptyObject)
		return
	}
	l.digits = ev.Payload.Digits()
	l.step = s.step(flow, &ev.Payload, l.digits)
	l.status = http.StatusOK
	writeJSON(w, http.StatusOK, l.step.Next.Response())
}

func (s *Server) logVCA(r *http.Request, flow *engine.Flow, l *vcaLog, took time.Duration) {
	var e *zerolog.Event
	switch {
	case l.panic != nil || l.status >= 500:
		e = s.log.Error()
	case l.status >= 400 || l.step.Outcome == engine.OutcomeUnknownNode || l.step.Outcome == engine.OutcomeLeaf:
		e = s.log.Warn()
	default:
		e = s.log.Info()
	}
	if e == nil {
		return
	}
	e = e.Str("request_id", middleware.GetReqID(r.Context()))
	if ev := l.ev; ev != nil {
		p := &ev.Payload
		e = e.Str("event_type", ev.EventType).
			Str("call_id", p.CallID).
			Str("session_id", p.SessionID).
			Str("event_id", p.EventID).
			Str("call_status", p.CallStatus).
			Str("direction", p.CallDirection).
			Str("client_action_id", p.ClientActionID)
	}
	if l.step.Next != nil {
		from := ""
		if l.step.From != nil {
			from = l.step.From.ID()
		}
		e = e.Str("node", from).
			Str("dtmf", l.digits).
			Str("next_node", l.step.Next.ID()).
			Str("outcome", string(l.step.Outcome))
	}
	if l.ignored {
		e = e.Str("outcome", "ignored")
	}
	if l.err != nil {
		e = e.Str("error", l.err.Error())
	}
	e.Int("status", l.status).
		Str("flow_version", flow.Version()).
		Float64("duration_ms", float64(took.Microseconds())/1000).
		Msg("vca")
}

func (s *Server) handleVSS(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	buf, status, err := s.readBody(w, r)
	if err != nil {
		s.logVSSRejected(r, status, err)
		return
	}
	defer bufPool.Put(buf)
	ev, err := callflows.DecodeSessionSummary(buf.Bytes())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		s.logVSSRejected(r, http.StatusBadRequest, err)
		return
	}
	writeJSON(w, http.StatusOK, emptyObject)

	p := &ev.Payload
	e := s.log.Info()
	switch p.SessionStatus {
	case "COMPLETED", "":
	default:
		e = s.log.Warn()
	}
	if e == nil {
		return
	}
	e = e.Str("request_id", middleware.GetReqID(r.Context())).
		Str("session_id", p.SessionID).
		Str("session_status", p.SessionStatus).
		Str("last_action", p.LastAction).
		Float64("call_count", float64(p.CallCount)).
		Str("start_time", p.StartTime).
		Str("end_time", p.EndTime)
	if d := p.ErrorDetails; d != nil {
		e = e.Str("error_code", string(d.ErrorCode)).Str("error_msg", d.ErrorMsg)
	}
	e.Int("status", http.StatusOK).
		Float64("duration_ms", float64(time.Since(start).Microseconds())/1000).
		Msg("vss")
}

func (s *Server) logVSSRejected(r *http.Request, status int, err error) {
	s.log.Warn().
		Str("request_id", middleware.GetReqID(r.Context())).
		Err(err).
		Int("status", status).
		Msg("vss rejected")
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
		s.log.Warn().
			Str("request_id", middleware.GetReqID(r.Context())).
			Str("method", r.Method).
			Str("path", r.URL.Path).
			Int("status", status).
			Msg("request rejected")
	}
}

// recoverer answers 500 for a panic outside the VCA handler, which
// recovers its own panics with the fallback.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if rec := recover(); rec != nil {
				if rec == http.ErrAbortHandler {
					panic(rec)
				}
				s.log.Error().Interface("panic", rec).Bytes("stack", debug.Stack()).
					Str("path", r.URL.Path).Msg("handler panic")
				writeError(w, http.StatusInternalServerError, "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, s.maxBody)
		next.ServeHTTP(w, r)
	})
}

var emptyObject = []byte("{}")

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

var jsonContentType = []string{"application/json"}

func writeError(w http.ResponseWriter, status int, msg string) {
	body, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{msg})
	writeJSON(w, status, body)
}
