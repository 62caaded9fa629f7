package engine

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ivrctl/ivrctl/engine/callstate"
)

// RuleRequest reports a request node that cannot work: a method, URL,
// deadline or saved path it cannot use, or a result with no node.
const RuleRequest = "request"

// Deadlines of a request node: 8x8 waits for the answer to its webhook
// while the business's API answers, so a request is never given long.
const (
	DefaultRequestTimeout = 2 * time.Second
	MaxRequestTimeout     = 4 * time.Second
	// MaxResponseBytes is the most of a response body read.
	MaxResponseBytes = 64 << 10
)

// Results of a request, as a request node's branches name them.
const (
	ResultOK          = "ok"           // a 2xx answer
	ResultClientError = "client_error" // a 4xx answer (404: not found)
	ResultServerError = "server_error" // a 5xx answer
	ResultTimeout     = "timeout"      // no answer within the deadline
	ResultError       = "error"        // no answer at all, the endpoint skipped, or one that cannot be read
)

// requestResults are the results in the order tools list them.
var requestResults = []string{ResultOK, ResultClientError, ResultServerError, ResultTimeout, ResultError}

// Request is what a request node asks the server to do before the call
// can go on: the effect the step returns instead of an answer (see
// Step.Request and Flow.Resume). Its URL, headers and body have the call's
// values filled in.
type Request struct {
	// Node is the request node.
	Node    *Node
	Method  string
	URL     string
	Header  http.Header
	Body    []byte // JSON, or nil
	Timeout time.Duration
}

// Response is what the business's API answered a Request, fed back to the
// step by Flow.Resume.
type Response struct {
	// Status is the HTTP status; 0 when there was no answer.
	Status int
	// TimedOut is set when the deadline passed first.
	TimedOut bool
	// Err says why there was no answer (connection refused, the endpoint
	// skipped while it fails); nil with an answer.
	Err error
	// Body is the answer's body, at most MaxResponseBytes.
	Body []byte
}

// Result names the branch a response takes: ok, client_error,
// server_error, timeout or error.
func (r Response) Result() string {
	switch {
	case r.TimedOut:
		return ResultTimeout
	case r.Err != nil || r.Status == 0:
		return ResultError
	case r.Status >= 200 && r.Status < 300:
		return ResultOK
	case r.Status >= 400 && r.Status < 500:
		return ResultClientError
	case r.Status >= 500 && r.Status < 600:
		return ResultServerError
	}
	return ResultError
}

// request is what a compiled request node holds.
type request struct {
	method  string
	url     string // with holes for the call's values
	header  [][2]string
	body    [][2]string // JSON object: name, value with holes
	timeout time.Duration
	save    []savePath
}

// savePath is a value a request node saves from the JSON answer.
type savePath struct {
	name string
	path []string
}

// requestKind asks the business's own system (an HTTP API) a question: the
// engine stays pure, so the step stops there and returns the Request; the
// server makes it, with a deadline, and feeds the Response back with
// Flow.Resume, which saves the values the node names from the JSON answer
// and goes on by its result: ok, client_error, server_error, timeout,
// error, or then for the results without a branch.
var requestKind = kindSpec{
	passes: true,
	keys:   []string{"request", "ok", "client_error", "server_error", "timeout", "error", "then", "lint"},
	build:  buildRequest,
	link: func(c *compiler, d *NodeDecl, n *Node) []Edge {
		var edges edgeList
		n.results, edges = c.namedBranches(d, n, EdgeResult, "request", RuleRequest, requestResults, nil)
		return edges
	},
	pass: func(f *Flow, n *Node, in Input, s *Step) *Node {
		if s.response == nil || s.response.node != n {
			s.request = f.newRequest(n, &s.State, &in)
			return nil
		}
		resp := s.response.resp
		s.response = nil
		result := resp.Result()
		if result == ResultOK && len(n.req.save) > 0 {
			vars, ok := saveValues(s.State.Vars, n.req.save, resp.Body)
			if !ok {
				result = ResultError // an answer the node cannot read
			} else {
				s.State.Vars = vars
			}
		}
		s.result = result
		if t, ok := n.results[result]; ok {
			return t
		}
		return n.then
	},
	leave: leaveToFallback,
}

func buildRequest(c *compiler, d *NodeDecl, n *Node) {
	r := &request{method: http.MethodGet, timeout: DefaultRequestTimeout}
	n.req = r
	rd := d.Request
	if rd == nil {
		return // reported by Parse
	}
	c.speaking = true // the call's values may be used, filled in raw
	defer func() { c.speaking = false }()
	if m := rd.Method; m != nil {
		switch v := strings.ToUpper(m.Value); v {
		case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
			r.method = v
		default:
			c.errorf(m.Range, RuleRequest, "method %q is not one of GET, POST, PUT, PATCH, DELETE", m.Value)
		}
	}
	if rd.URL == nil {
		c.errorf(rd.Range, RuleMissingKey, "request of node %q is missing required key %q", d.ID.Value, "url")
	} else {
		r.url = c.expand(rd.URL)
		probe := strings.Map(func(r rune) rune {
			if isHole(r) {
				return 'x'
			}
			return r
		}, r.url)
		if u, err := url.Parse(probe); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			c.errorf(rd.URL.Range, RuleRequest, "url %q is not an http or https URL", rd.URL.Value)
		} else if _, rest, _ := strings.Cut(r.url, "://"); strings.ContainsFunc(strings.SplitN(rest, "/", 2)[0], isHole) {
			// The endpoints requests go to are the flow's, which bounds what
			// the server keeps per endpoint.
			c.errorf(rd.URL.Range, RuleRequest, "url %q takes a call's value in its host; values can go in the path and the query only", rd.URL.Value)
		}
	}
	for _, h := range rd.Headers {
		if http.CanonicalHeaderKey(h.Name.Value) == "" || strings.ContainsAny(h.Name.Value, " :\r\n") {
			c.errorf(h.Name.Range, RuleRequest, "header %q is not a header name", h.Name.Value)
			continue
		}
		r.header = append(r.header, [2]string{h.Name.Value, c.expand(h.Value)})
	}
	for _, b := range rd.Body {
		r.body = append(r.body, [2]string{b.Name.Value, c.expand(b.Value)})
	}
	if t := rd.Timeout; t != nil {
		dur, err := time.ParseDuration(t.Value)
		if err != nil || dur <= 0 || dur > MaxRequestTimeout {
			c.errorf(t.Range, RuleRequest, "timeout must be a duration up to %v, such as 1500ms, got %q", MaxRequestTimeout, t.Value)
		} else {
			r.timeout = dur
		}
	}
	for _, sv := range rd.Save {
		name := sv.Name.Value
		if !valueName(name) {
			c.errorf(sv.Name.Range, RuleRequest, "%q is not a value name: use 1 to %d letters, digits and _", name, callstate.MaxVarNameLen)
			continue
		}
		path := strings.Split(sv.Value.Value, ".")
		if slices.Contains(path, "") {
			c.errorf(sv.Value.Range, RuleRequest, "path %q is not a path into the JSON answer, such as customer.name or orders.0.status", sv.Value.Value)
			continue
		}
		r.save = append(r.save, savePath{name: name, path: path})
	}
}

// newRequest fills the call's values into request node n's request.
func (f *Flow) newRequest(n *Node, st *State, in *Input) *Request {
	r := n.req
	fill := func(s string, escape func(string) string) string {
		if !strings.ContainsFunc(s, isHole) {
			return s
		}
		var b strings.Builder
		for _, c := range s {
			if isHole(c) && int(c-holeBase) < len(f.holes) {
				h := f.holes[c-holeBase]
				b.WriteString(escape(h.format(f.valueOf(h.name, st, in), "")))
				continue
			}
			b.WriteRune(c)
		}
		return b.String()
	}
	raw := func(s string) string { return s }
	req := &Request{Node: n, Method: r.method, URL: fill(r.url, url.PathEscape), Header: http.Header{}, Timeout: r.timeout}
	for _, h := range r.header {
		req.Header.Set(h[0], strings.Map(func(c rune) rune {
			if c == '\r' || c == '\n' {
				return ' '
			}
			return c
		}, fill(h[1], raw)))
	}
	if len(r.body) > 0 {
		obj := make(map[string]string, len(r.body))
		for _, b := range r.body {
			obj[b[0]] = fill(b[1], raw)
		}
		req.Body, _ = json.Marshal(obj)
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// saveValues returns vars with the values paths name in the JSON body,
// and false when the body is not JSON, or a value is not a string, number
// or boolean, or is too long. A path the answer does not have leaves its
// value as it was.
func saveValues(vars []callstate.Var, paths []savePath, body []byte) ([]callstate.Var, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return vars, false
	}
	for _, p := range paths {
		v := doc
		for _, step := range p.path {
			switch x := v.(type) {
			case map[string]any:
				v = x[step]
			case []any:
				i, err := strconv.Atoi(step)
				if err != nil || i < 0 || i >= len(x) {
					v = nil
				} else {
					v = x[i]
				}
			default:
				v = nil
			}
		}
		var s string
		switch x := v.(type) {
		case nil:
			continue // not in the answer: the value stays as it was
		case string:
			s = x
		case json.Number:
			s = x.String()
		case bool:
			s = strconv.FormatBool(x)
		default:
			return vars, false
		}
		if len(s) > callstate.MaxValueLen {
			return vars, false
		}
		vars = setValue(vars, callstate.Var{Name: p.name, Value: s})
	}
	return vars, true
}
