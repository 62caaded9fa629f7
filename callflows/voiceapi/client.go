// Package voiceapi is a client of the 8x8 Voice API: Send Callflow, which
// places an outbound call; the Webhooks API, which registers where 8x8 posts
// its Voice Call Action (VCA) and Voice Session Summary (VSS) webhooks; and
// the list of text-to-speech voices (speech profiles).
//
// Every request carries the caller's context. Requests are retried with
// exponential backoff when 8x8 asks for it (HTTP 429, honouring
// Retry-After) or is unavailable, but a request that may already have placed
// a call or created a webhook is never sent twice; see RetryPolicy.
//
// 8x8's refusals come back as *APIError. The API key travels only in the
// Authorization header: it never appears in an error or a log line, because
// headers are never formatted and 8x8's answers are quoted with the key
// blanked out.
package voiceapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

// DefaultBaseURL is the 8x8 Voice API's base URL. 8x8 documents no
// regional voice hosts, so this is the only one.
const DefaultBaseURL = "https://voice.8x8.com"

// UserAgent is the User-Agent header of every request.
const UserAgent = "ivrctl"

// DefaultTimeout bounds one attempt of a request when New is not given an
// *http.Client. A Send Callflow that times out after it was sent is not
// retried (see RetryPolicy), so the timeout is generous.
const DefaultTimeout = 30 * time.Second

// maxAnswer is how much of an answer is read; 8x8's are a few hundred bytes.
const maxAnswer = 1 << 20

// subAccountPattern is the subAccountId path parameter's pattern in 8x8's
// OpenAPI schema.
var subAccountPattern = regexp.MustCompile(`^[A-Za-z0-9\-._&]{3,50}$`)

// Client calls the 8x8 Voice API for one sub-account. It is safe for
// concurrent use.
type Client struct {
	apiKey     string
	subAccount string
	baseURL    string
	http       *http.Client
	retry      RetryPolicy
	log        zerolog.Logger

	// Hooks for tests: how to wait between attempts and what time it is.
	sleep func(context.Context, time.Duration) error
	now   func() time.Time
}

// Option configures a Client.
type Option func(*Client)

// WithBaseURL sends requests to base instead of DefaultBaseURL, for a proxy
// or a fake 8x8 in tests. base is a scheme and host, optionally with a path
// prefix.
func WithBaseURL(base string) Option {
	return func(c *Client) { c.baseURL = base }
}

// WithHTTPClient sends requests through hc, whose Timeout bounds each
// attempt. A nil hc keeps the default, a client with DefaultTimeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.http = hc
		}
	}
}

// WithRetry sets the retry policy; zero fields keep their defaults.
func WithRetry(p RetryPolicy) Option {
	return func(c *Client) { c.retry = p }
}

// WithLogger logs each retry to l (a warning with the method, path, attempt,
// wait and 8x8's answer). Headers are never logged. The default logs nothing.
func WithLogger(l zerolog.Logger) Option {
	return func(c *Client) { c.log = l }
}

// New returns a client of sub-account subAccount that authenticates with
// apiKey. It checks subAccount against 8x8's pattern (3 to 50 letters,
// digits or "-._&") and that apiKey is a non-empty header value.
func New(apiKey, subAccount string, opts ...Option) (*Client, error) {
	c := &Client{
		apiKey:     apiKey,
		subAccount: subAccount,
		baseURL:    DefaultBaseURL,
		http:       &http.Client{Timeout: DefaultTimeout},
		log:        zerolog.Nop(),
		sleep:      sleepContext,
		now:        time.Now,
	}
	for _, opt := range opts {
		opt(c)
	}
	if apiKey == "" {
		return nil, errors.New("voiceapi: missing API key")
	}
	if !validHeaderToken(apiKey) {
		// Never quote the key, not even in part.
		return nil, errors.New("voiceapi: API key holds spaces or control characters")
	}
	if !subAccountPattern.MatchString(subAccount) {
		return nil, fmt.Errorf("voiceapi: invalid sub-account %q: want 3 to 50 letters, digits or -._&",
			redact(subAccount, apiKey))
	}
	base, err := url.Parse(c.baseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" ||
		base.RawQuery != "" || base.Fragment != "" {
		return nil, fmt.Errorf("voiceapi: invalid base URL %q: want http(s)://host[/prefix]",
			redact(c.baseURL, apiKey))
	}
	c.baseURL = strings.TrimRight(c.baseURL, "/")
	c.retry = c.retry.withDefaults()
	return c, nil
}

// validHeaderToken reports whether s can travel in a header as is: printable
// ASCII without spaces, which is what an API key is.
func validHeaderToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// Defaults of RetryPolicy.
const (
	DefaultMaxAttempts = 4
	DefaultBaseBackoff = 500 * time.Millisecond
	DefaultMaxBackoff  = 10 * time.Second
)

// RetryPolicy says when and how often a request is sent again.
//
// What is retried depends on whether sending it twice could do something
// twice. GET and DELETE are idempotent and are retried on HTTP 429, on any
// 5xx and on network errors. A POST (Send Callflow, Create Webhook) is
// retried only when 8x8 certainly did not act on it: on HTTP 429 and 503,
// and when the connection failed before the request's headers were written.
// A POST that was sent and then failed (a timeout, a reset connection, a
// 500/502/504 from a gateway) is not retried, since the call may already be
// ringing: the error wraps ErrOutcomeUnknown, and the VSS webhook tells
// what happened. No other 4xx is retried.
//
// The wait before retry n (n = 1, 2, ...) is the answer's Retry-After (in
// seconds or as an HTTP date) when it has one, else BaseBackoff·2^(n-1)
// with "equal jitter" (a random duration between half and all of it); both
// are capped at MaxBackoff. When the context's deadline falls before the
// wait would end, the client gives up at once with the last answer instead
// of waiting in vain; a context cancelled during the wait ends it at once.
type RetryPolicy struct {
	// MaxAttempts is how many times a request is sent at most, the first
	// included: 1 never retries. Default DefaultMaxAttempts.
	MaxAttempts int
	// BaseBackoff is the wait before the first retry. Default
	// DefaultBaseBackoff.
	BaseBackoff time.Duration
	// MaxBackoff caps every wait, Retry-After included. Default
	// DefaultMaxBackoff.
	MaxBackoff time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.BaseBackoff <= 0 {
		p.BaseBackoff = DefaultBaseBackoff
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = DefaultMaxBackoff
	}
	return p
}

// backoff is the wait before retry n (1-based) when 8x8 gave no Retry-After.
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.BaseBackoff
	for i := 1; i < n && d < p.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, p.MaxBackoff)
	half := d / 2
	return half + rand.N(d-half+1)
}

// retryAfter parses a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if h[0] >= '0' && h[0] <= '9' {
		var secs int64
		for i := 0; i < len(h); i++ {
			if h[i] < '0' || h[i] > '9' {
				return 0, false
			}
			if secs < 1<<31 {
				secs = secs*10 + int64(h[i]-'0')
			}
		}
		return time.Duration(min(secs, 1<<31)) * time.Second, true
	}
	t, err := http.ParseTime(h)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// sleepContext waits d or until ctx is done.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// answer is 8x8's answer to one attempt.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request under /api/v1/subaccounts/{sub}/ and retries it as
// RetryPolicy says. It returns any 2xx answer; every other answer becomes
// an *APIError.
func (c *Client) do(ctx context.Context, method, path string, body []byte) (*answer, error) {
	target := c.baseURL + "/api/v1/subaccounts/" + url.PathEscape(c.subAccount) + path
	idempotent := method == http.MethodGet || method == http.MethodDelete
	var last error
	for attempt := 1; ; attempt++ {
		ans, sent, err := c.attempt(ctx, method, target, body)
		switch {
		case err != nil && sent && !idempotent:
			// Timed out, reset or cancelled after 8x8 may have read it.
			return nil, fmt.Errorf("%w: it was sent but no answer came back: %w", ErrOutcomeUnknown, err)
		case err != nil && ctx.Err() != nil:
			return nil, err
		case err != nil:
			last = err
		case ans.status >= 200 && ans.status < 300:
			return ans, nil
		default:
			apiErr := newAPIError(ans, c.apiKey)
			if !retryable(ans.status, idempotent) {
				if !idempotent && ans.status >= 500 {
					// A server error may come after 8x8 acted: the call
					// may be ringing, so the caller must not just retry.
					return nil, fmt.Errorf("%w: %w", ErrOutcomeUnknown, apiErr)
				}
				return nil, apiErr
			}
			last = apiErr
		}

		if attempt >= c.retry.MaxAttempts {
			return nil, fmt.Errorf("gave up after %s: %w", attempts(attempt), last)
		}
		wait := c.retry.backoff(attempt)
		if ans != nil {
			if d, ok := retryAfter(ans.header.Get("Retry-After"), c.now()); ok {
				wait = min(d, c.retry.MaxBackoff)
			}
		}
		if dl, ok := ctx.Deadline(); ok && c.now().Add(wait).After(dl) {
			return nil, fmt.Errorf("gave up after %s, the context ends before a retry in %v: %w",
				attempts(attempt), wait, last)
		}
		ev := c.log.Warn().Str("method", method).Str("path", path).
			Int("attempt", attempt).Int("max_attempts", c.retry.MaxAttempts).Dur("wait", wait)
		if ans != nil {
			ev = ev.Int("http_status", ans.status)
		}
		ev.Str("error", redact(last.Error(), c.apiKey)).Msg("retrying 8x8 request")
		if err := c.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%w while waiting to retry; attempt %d: %w", err, attempt, last)
		}
	}
}

func attempts(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}

// retryable reports whether an answer with HTTP status status is worth
// another attempt; see RetryPolicy.
func retryable(status int, idempotent bool) bool {
	switch {
	case status == http.StatusTooManyRequests, status == http.StatusServiceUnavailable:
		return true
	case status >= 500:
		return idempotent
	}
	return false
}

// attempt sends the request once. sent reports whether its headers were
// written to a connection, after which 8x8 may have acted on it.
func (c *Client) attempt(ctx context.Context, method, target string, body []byte) (ans *answer, sent bool, err error) {
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteHeaders: func() { wrote.Store(true) }}
	var rd io.Reader
	if body != nil {
		// A fresh reader per attempt; NewRequest also sets GetBody from it,
		// for redirects and the transport's own retries.
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), method, target, rd)
	if err != nil {
		return nil, false, err
	}
	req.Header.Set("Authorization", "Bearer "+c.apiKey)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, wrote.Load(), scrub(err, c.apiKey)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, true, scrub(fmt.Errorf("reading 8x8's answer (HTTP %d): %w", resp.StatusCode, err), c.apiKey)
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: data}, true, nil
}

// decode decodes a 2xx answer into v. An answer that is not the expected
// JSON says nothing about what 8x8 did, which is an error of its own.
func (c *Client) decode(ans *answer, v any) error {
	if err := json.Unmarshal(ans.body, v); err != nil || !isObject(ans.body) {
		return fmt.Errorf("8x8 answered HTTP %d with a body that is not the expected JSON: %q",
			ans.status, snippet(ans.body, c.apiKey))
	}
	return nil
}

func isObject(body []byte) bool {
	body = bytes.TrimSpace(body)
	return len(body) > 0 && body[0] == '{'
}
