package server

import (
	"net"
	"slices"
	"testing"
)

// addrConn is a connection from a given address; only its address and
// whether it was closed matter.
type addrConn struct {
	net.Conn
	remote net.Addr
	closed bool
}

func (c *addrConn) RemoteAddr() net.Addr { return c.remote }
func (c *addrConn) Close() error         { c.closed = true; return nil }

// queueListener hands out the connections queued in it.
type queueListener struct {
	net.Listener
	queue []*addrConn
}

func (l *queueListener) Accept() (net.Conn, error) {
	c := l.queue[0]
	l.queue = l.queue[1:]
	return c, nil
}

// TestConnLimiterVictim: over the cap, the connection closed is the
// oldest of the client holding the most strangers' connections; trusted
// ones are never closed, and with nothing else to close the newcomer is.
func TestConnLimiterVictim(t *testing.T) {
	type conn struct {
		from    string
		trusted bool
	}
	tests := []struct {
		name   string
		open   []conn // accepted in this order, up to the cap
		next   string // the connection over the cap
		closed int    // index in open of the one closed; len(open) for next
	}{
		{"oldest of the busiest client",
			[]conn{{"192.0.2.1", false}, {"192.0.2.9", false}, {"192.0.2.9", false}}, "192.0.2.5", 1},
		{"trusted ones are not counted",
			[]conn{{"192.0.2.9", true}, {"192.0.2.9", true}, {"192.0.2.1", false}}, "192.0.2.5", 2},
		{"an IPv6 client is its /64",
			[]conn{{"192.0.2.1", false}, {"2001:db8::1", false}, {"2001:db8::2", false}}, "192.0.2.5", 1},
		{"all trusted: the newcomer",
			[]conn{{"192.0.2.1", true}, {"192.0.2.2", true}}, "192.0.2.1", 2},
		{"the newcomer's own client when it holds the most",
			[]conn{{"192.0.2.1", true}, {"192.0.2.9", false}}, "192.0.2.9", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var conns []*addrConn
			for _, c := range append(slices.Clone(tt.open), conn{from: tt.next}) {
				conns = append(conns, &addrConn{remote: &net.TCPAddr{IP: net.ParseIP(c.from), Port: 40000}})
			}
			l := newConnLimiter(&queueListener{queue: conns}, len(tt.open))
			for i, c := range tt.open {
				got, err := l.Accept()
				if err != nil {
					t.Fatal(err)
				}
				if c.trusted {
					got.(*trackedConn).trust()
				}
				if conns[i].closed {
					t.Fatalf("connection %d closed under the cap", i)
				}
			}
			if _, err := l.Accept(); err != nil {
				t.Fatal(err)
			}
			for i, c := range conns {
				if c.closed != (i == tt.closed) {
					t.Errorf("connection %d (%s) closed: %v; want only %d closed", i, c.remote, c.closed, tt.closed)
				}
			}
			if n := l.open(); n != len(tt.open) {
				t.Errorf("%d connections open after the one over the cap, want %d", n, len(tt.open))
			}
		})
	}
}
