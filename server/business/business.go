// Package business makes the requests a flow's request nodes ask of the
// business's own system (engine.Request), for the server: with the node's
// deadline, signed so that the business can tell they come from its line,
// a bounded number at once, and skipping for a while an endpoint that
// keeps failing (a circuit breaker, one per request node), so that an API
// that is down does not slow every caller.
//
// # The signature
//
// With a secret (IVRCTL_REQUEST_SECRET), every request carries
//
//	X-Ivrctl-Timestamp: UNIX-SECONDS
//	X-Ivrctl-Signature: v1=HEX
//
// where HEX is the HMAC-SHA256, with the secret, of the timestamp, a ".",
// and the body (empty for a request without one). The business recomputes
// it over the raw body, compares in constant time, and refuses a timestamp
// more than a few minutes old, which stops replays.
package business

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/ivrctl/ivrctl/engine"
)

// Headers of the signature.
const (
	TimestampHeader = "X-Ivrctl-Timestamp"
	SignatureHeader = "X-Ivrctl-Signature"
)

// Defaults of a Client.
const (
	// DefaultMaxConcurrent is how many requests are made at once; a request
	// over it waits for a place, within its deadline.
	DefaultMaxConcurrent = 64
	// DefaultFailures is how many failures in a row (no answer, a timeout,
	// a 5xx) open an endpoint's circuit.
	DefaultFailures = 5
	// DefaultOpenFor is how long an open circuit skips its endpoint before
	// one request tries it again.
	DefaultOpenFor = 30 * time.Second
)

// ErrCircuitOpen: the endpoint failed DefaultFailures times in a row and
// is skipped for a while; the request node takes its error branch at once.
var ErrCircuitOpen = errors.New("business: endpoint skipped while it fails (circuit open)")

// ErrBusy: every place for a request was taken until the deadline.
var ErrBusy = errors.New("business: too many requests at once")

// Client makes request nodes' requests. Its zero value is not usable: use
// New.
type Client struct {
	http     *http.Client
	secret   []byte
	places   chan struct{}
	failures int
	openFor  time.Duration
	now      func() time.Time

	mu       sync.Mutex
	breakers map[string]*breaker // by request node; bounded by the flows' nodes
}

// breaker is the circuit of one endpoint.
type breaker struct {
	failures  int
	openUntil time.Time
	trying    bool // a request is trying an endpoint whose circuit was open
}

// New returns a Client that signs with secret (none when empty).
func New(secret []byte) *Client {
	return &Client{
		// No redirects: a request goes where the flow says, and a 3xx is an
		// answer the node cannot use.
		http:     &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		secret:   secret,
		places:   make(chan struct{}, DefaultMaxConcurrent),
		failures: DefaultFailures,
		openFor:  DefaultOpenFor,
		now:      time.Now,
		breakers: map[string]*breaker{},
	}
}

// Do makes req within its deadline and returns the response, never an
// error: what went wrong is in the Response, as its result.
func (c *Client) Do(ctx context.Context, req *engine.Request) engine.Response {
	ctx, cancel := context.WithTimeout(ctx, req.Timeout)
	defer cancel()
	if _, err := url.Parse(req.URL); err != nil {
		return engine.Response{Err: err}
	}
	// A circuit per request node: what one node asks (its URL with the
	// call's values in the path) is one endpoint to the business, and the
	// nodes of a flow are bounded where the paths it asks are not.
	endpoint := req.Node.ID()
	if !c.allow(endpoint) {
		return engine.Response{Err: ErrCircuitOpen}
	}
	select {
	case c.places <- struct{}{}:
		defer func() { <-c.places }()
	case <-ctx.Done():
		c.done(endpoint, false)
		return engine.Response{TimedOut: true, Err: ErrBusy}
	}
	resp := c.do(ctx, req)
	c.done(endpoint, resp.Result() == engine.ResultOK || resp.Result() == engine.ResultClientError)
	return resp
}

func (c *Client) do(ctx context.Context, req *engine.Request) engine.Response {
	hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, bytes.NewReader(req.Body))
	if err != nil {
		return engine.Response{Err: err}
	}
	for k, v := range req.Header {
		hr.Header[k] = v
	}
	hr.Header.Set("User-Agent", "ivrctl")
	if len(c.secret) > 0 {
		ts := strconv.FormatInt(c.now().Unix(), 10)
		hr.Header.Set(TimestampHeader, ts)
		hr.Header.Set(SignatureHeader, "v1="+Sign(c.secret, ts, req.Body))
	}
	res, err := c.http.Do(hr)
	if err != nil {
		if ctx.Err() != nil {
			return engine.Response{TimedOut: true, Err: err}
		}
		return engine.Response{Err: err}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, engine.MaxResponseBytes))
	if err != nil {
		if ctx.Err() != nil {
			return engine.Response{TimedOut: true, Err: err}
		}
		return engine.Response{Err: err}
	}
	return engine.Response{Status: res.StatusCode, Body: body}
}

// Sign returns the signature of body sent at the timestamp ts with
// secret, in hex: what X-Ivrctl-Signature carries after "v1=".
func Sign(secret []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// allow reports whether a request may go to endpoint: its circuit is
// closed, or open long enough that one request may try it.
func (c *Client) allow(endpoint string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.breakers[endpoint]
	if b == nil || b.failures < c.failures {
		return true
	}
	if c.now().Before(b.openUntil) || b.trying {
		return false
	}
	b.trying = true
	return true
}

// done records how a request to endpoint went.
func (c *Client) done(endpoint string, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.breakers[endpoint]
	if b == nil {
		if ok {
			return
		}
		b = &breaker{}
		c.breakers[endpoint] = b
	}
	b.trying = false
	if ok {
		b.failures = 0
		return
	}
	b.failures++
	if b.failures >= c.failures {
		b.openUntil = c.now().Add(c.openFor)
	}
}
