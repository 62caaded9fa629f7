package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/server/switches"
)

// maxAdminBody bounds the body of an admin request: a flip is a few
// dozen bytes.
const maxAdminBody = 4 << 10

// noSwitches is the state of a server whose store has said nothing yet:
// every switch at the flow's default.
var noSwitches = &switches.State{}

// switchState returns the positions every webhook reads: one atomic load.
func (s *Server) switchState() *switches.State {
	if st := s.sw.Load(); st != nil {
		return st
	}
	return noSwitches
}

// LoadSwitches reads the positions from Options.Switches, so that the
// first webhook after a restart takes the branches an operator set. A
// server without a store serves the flow's defaults.
func (s *Server) LoadSwitches(ctx context.Context) error {
	if s.opts.Switches == nil {
		return nil
	}
	st, err := s.opts.Switches.Load(ctx)
	if err != nil {
		return err
	}
	s.SetSwitches(st)
	return nil
}

// WatchSwitches takes in every change of Options.Switches, whoever made
// it (ivrctl switch set, another replica's admin endpoint), until ctx
// ends: within the store's Delay.
func (s *Server) WatchSwitches(ctx context.Context) error {
	if s.opts.Switches == nil {
		return nil
	}
	return s.opts.Switches.Watch(ctx, s.SetSwitches)
}

// SetSwitches swaps in the store's state st, atomically, unless the
// server holds a later one (a higher Seq): a watch that read the store
// just before a flip cannot undo it. The flips st has that the server
// had not seen are logged, with who made them and when.
func (s *Server) SetSwitches(st switches.State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.sw.Load()
	if old != nil && st.Seq <= old.Seq {
		return
	}
	if st.Positions == nil {
		st.Positions = engine.Switches{}
	}
	s.sw.Store(&st)
	flow := s.flow.Load()
	s.metrics.setSwitches(flow, st.Positions)
	if old == nil {
		if len(flow.Switches()) == 0 {
			return // a line without switches says nothing of them
		}
		d := zerolog.Dict()
		for _, sw := range flow.Switches() {
			d = d.Bool(sw.Name, flow.SwitchOn(sw.Name, st.Positions))
		}
		s.log.Info().Uint64("seq", st.Seq).Dict("switches", d).Msg("switches loaded")
		return
	}
	var last time.Time
	if n := len(old.History); n > 0 {
		last = old.History[n-1].At
	}
	for _, f := range st.History {
		if f.At.After(last) {
			s.log.Info().Str("switch", f.Name).Bool("on", f.On).Str("by", f.By).Time("at", f.At).Uint64("seq", st.Seq).Msg("switch flipped")
		}
	}
}

// adminAuth lets in a request that carries Options.AdminToken as a
// Bearer token, compared in constant time; others get 401.
func (s *Server) adminAuth(next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(s.opts.AdminToken))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		// Hashes are compared, so that the time does not tell the
		// token's length either.
		sum := sha256.Sum256([]byte(got))
		if !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ivrctl admin"`)
			writeError(w, http.StatusUnauthorized, "admin routes need IVRCTL_ADMIN_TOKEN as a Bearer token")
			if e := s.refusal(); e != nil {
				cut := false
				e = logStr(e.Str("request_id", requestID(r)), "path", r.URL.Path, &cut)
				e = logStr(e, "remote_addr", r.RemoteAddr, &cut)
				markCut(e, cut).Int("status", http.StatusUnauthorized).Msg("admin request refused")
			}
			return
		}
		next.ServeHTTP(w, r)
	})
}

// switchView is one switch as the admin endpoint shows it.
type switchView struct {
	Name    string `json:"name"`
	On      bool   `json:"on"`
	Default bool   `json:"default"`
	// Set says that an operator set the position; unset, it is the
	// flow's default.
	Set bool `json:"set"`
}

// views returns the flow's switches in st.
func views(flow *engine.Flow, st *switches.State) []switchView {
	out := []switchView{}
	for _, sw := range flow.Switches() {
		on, set := st.Positions[sw.Name]
		if !set {
			on = sw.Default
		}
		out = append(out, switchView{Name: sw.Name, On: on, Default: sw.Default, Set: set})
	}
	return out
}

// handleSwitches answers GET /admin/switches: the flow's switches, their
// positions and defaults, and the last flips.
func (s *Server) handleSwitches(w http.ResponseWriter, _ *http.Request) {
	st := s.switchState()
	body, _ := json.Marshal(struct {
		Flow     string          `json:"flow"`
		Seq      uint64          `json:"seq"`
		DelayMS  int64           `json:"delay_ms"`
		Switches []switchView    `json:"switches"`
		History  []switches.Flip `json:"history"`
	}{s.flow.Load().Name(), st.Seq, s.opts.Switches.Delay().Milliseconds(), views(s.flow.Load(), st), nonNil(st.History)})
	writeJSON(w, http.StatusOK, body)
}

// nonNil returns h, or an empty list for nil, which JSON shows as [].
func nonNil(h []switches.Flip) []switches.Flip {
	if h == nil {
		return []switches.Flip{}
	}
	return h
}

// handleSetSwitch answers PUT /admin/switches/{name} with a body
// {"on": true, "by": "who"}: it records the flip in the store and serves
// it from the next webhook on, before it answers.
func (s *Server) handleSetSwitch(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "name")
	flow := s.flow.Load()
	names := []string{}
	for _, sw := range flow.Switches() {
		names = append(names, sw.Name)
	}
	if !engine.ValidSwitchName(name) || !slices.Contains(names, name) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("the flow has no switch %q; it has [%s]", name, strings.Join(names, ", ")))
		return
	}
	var req struct {
		On *bool  `json:"on"`
		By string `json:"by"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAdminBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || req.On == nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			writeError(w, http.StatusRequestEntityTooLarge, "the body is too large")
		case err != nil:
			writeError(w, http.StatusBadRequest, "the body must be JSON such as {\"on\": true, \"by\": \"alice\"}: "+err.Error())
		default:
			writeError(w, http.StatusBadRequest, "the body must say on: true or false")
		}
		return
	}
	by := strings.TrimSpace(req.By)
	if by == "" {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		by = "admin@" + host
	}
	st, err := s.opts.Switches.Set(r.Context(), switches.Flip{Name: name, On: *req.On, By: by})
	if err != nil {
		s.log.Error().Err(err).Str("switch", name).Msg("cannot flip switch")
		writeError(w, http.StatusInternalServerError, "cannot record the flip")
		return
	}
	s.SetSwitches(st)
	for _, v := range views(flow, s.switchState()) {
		if v.Name == name {
			body, _ := json.Marshal(v)
			writeJSON(w, http.StatusOK, body)
			return
		}
	}
}
