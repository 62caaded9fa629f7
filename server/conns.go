package server

import (
	"container/list"
	"context"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// connLimiter is a listener that holds at most max connections open, and
// keeps room for 8x8 when strangers take them all.
//
// A connection on which a request has passed the access guard is trusted:
// it is 8x8's (or a proxy's that 8x8 comes through). Every other one is a
// stranger's until then. When a connection comes in over max, the limiter
// closes a stranger's to make room: the oldest one of the client (by
// address, an IPv6 one by its /64) that holds the most strangers'
// connections. So a client that opens hundreds of connections and never
// sends a good webhook loses them first, and 8x8, whose connections are
// trusted after their first webhook and whose new ones are the newest of
// a client that holds few, gets in. Only when every connection is trusted
// is the new one refused, by closing it at once: the accept loop never
// waits for room, and never spins either, since each turn takes a
// connection from the queue. Errors of Accept (too many open files) are
// passed to net/http, which backs off before trying again.
type connLimiter struct {
	net.Listener
	max int

	mu      sync.Mutex
	conns   list.List      // of *trackedConn, oldest first
	untrust map[string]int // strangers' connections by client
	closed  chan struct{}  // signalled (never blocking) when a connection closes

	closeOnce sync.Once
	closeErr  error
}

func newConnLimiter(ln net.Listener, max int) *connLimiter {
	return &connLimiter{Listener: ln, max: max, untrust: map[string]int{}, closed: make(chan struct{}, 1)}
}

// trackedConn is a connection a connLimiter counts.
type trackedConn struct {
	net.Conn
	l       *connLimiter
	client  string
	elem    *list.Element
	trusted atomic.Bool
	once    sync.Once
}

// Accept accepts a connection and, when that makes more than max, closes
// a stranger's connection to make room (the new one if all others are
// trusted).
func (l *connLimiter) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, l: l, client: clientKey(c.RemoteAddr())}
	l.mu.Lock()
	tc.elem = l.conns.PushBack(tc)
	l.untrust[tc.client]++
	var victim *trackedConn
	if l.conns.Len() > l.max {
		victim = l.victim(tc)
	}
	l.mu.Unlock()
	if victim != nil {
		victim.Close()
	}
	return tc, nil
}

// victim returns the stranger's connection to close, or newest when there
// is none other. The caller holds mu.
func (l *connLimiter) victim(newest *trackedConn) *trackedConn {
	top, most := "", 0
	for client, n := range l.untrust {
		if n > most || n == most && client < top {
			top, most = client, n
		}
	}
	for e := l.conns.Front(); e != nil; e = e.Next() {
		if c := e.Value.(*trackedConn); !c.trusted.Load() && c.client == top {
			return c
		}
	}
	return newest
}

// trust marks c as 8x8's, never closed to make room.
func (c *trackedConn) trust() {
	if c.trusted.Load() {
		return
	}
	c.l.mu.Lock()
	if c.elem != nil && !c.trusted.Swap(true) {
		c.l.forget(c.client)
	}
	c.l.mu.Unlock()
}

// forget takes a stranger's connection of client off the count. The
// caller holds mu.
func (l *connLimiter) forget(client string) {
	if l.untrust[client]--; l.untrust[client] <= 0 {
		delete(l.untrust, client)
	}
}

// Close closes the connection and frees its place.
func (c *trackedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		l := c.l
		l.mu.Lock()
		l.conns.Remove(c.elem)
		c.elem = nil
		if !c.trusted.Load() {
			l.forget(c.client)
		}
		l.mu.Unlock()
		select {
		case l.closed <- struct{}{}:
		default:
		}
	})
	return err
}

// Close stops accepting connections; it may be called more than once.
func (l *connLimiter) Close() error {
	l.closeOnce.Do(func() { l.closeErr = l.Listener.Close() })
	return l.closeErr
}

// open returns the number of connections open.
func (l *connLimiter) open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.conns.Len()
}

// waitClosed waits until every connection is closed or d has passed.
func (l *connLimiter) waitClosed(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	for l.open() > 0 {
		select {
		case <-l.closed:
		case <-t.C:
			return
		}
	}
}

// clientKey names the client a connection comes from: its address, or the
// /64 of an IPv6 one, which one host usually has whole.
func clientKey(a net.Addr) string {
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return a.String()
	}
	ip := ap.Addr().Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// connKey is the context key of a request's *trackedConn.
type connKey struct{}

// withConn is http.Server.ConnContext: it lets a handler find the
// trackedConn its request came on.
func withConn(ctx context.Context, c net.Conn) context.Context {
	if tc, ok := c.(*trackedConn); ok {
		return context.WithValue(ctx, connKey{}, tc)
	}
	return ctx
}

// trustConn marks the connection of every request that reaches it as
// trusted (see connLimiter): it stands after the access guard.
func trustConn(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tc, ok := r.Context().Value(connKey{}).(*trackedConn); ok {
			tc.trust()
		}
		next.ServeHTTP(w, r)
	})
}
