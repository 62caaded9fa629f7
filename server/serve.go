package server

import (
	"bytes"
	"context"
	"errors"
	"log"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

// Timeouts of the HTTP server Serve runs. 8x8 waits for a VCA answer while
// the caller listens, so nothing legitimate takes long; these bound what a
// slow or idle client can hold.
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 10 * time.Second
	WriteTimeout      = 10 * time.Second
	IdleTimeout       = 2 * time.Minute
	// DrainTimeout bounds how long Serve, once its context ends, goes on
	// answering requests on the connections already open, each answer
	// closing its connection, before it shuts down.
	DrainTimeout = 2 * time.Second
	// ShutdownTimeout bounds how long Serve then waits for webhooks in
	// flight.
	ShutdownTimeout = 10 * time.Second
)

// Limits of the HTTP server Serve runs, by default.
const (
	// DefaultMaxHeaderBytes limits the request line and headers of a
	// request: 8x8 sends a few hundred bytes, and net/http's own default
	// (1 MB) let a thousand unfinished requests hold a gigabyte.
	DefaultMaxHeaderBytes = 16 << 10
	// DefaultMaxConns is how many connections are open at most: far more
	// than the webhooks of a line's calls need.
	DefaultMaxConns = 1024
	// fdHeadroom is how many file descriptors are kept for other things
	// than connections (the flow file, the log, the watcher) when the
	// process may not open DefaultMaxConns more.
	fdHeadroom = 32
)

// ServeOptions tune Serve. The zero value is the defaults.
type ServeOptions struct {
	// MaxHeaderBytes limits the request line and headers of a request; 0
	// means DefaultMaxHeaderBytes. A request over it gets 431.
	MaxHeaderBytes int
	// MaxConns is how many connections may be open at once; 0 means
	// DefaultMaxConns. It is lowered to fit the process's limit of open
	// files. Over it, a stranger's connection is closed to make room (see
	// connLimiter).
	MaxConns int
}

// Serve serves h on ln until ctx ends, with the default ServeOptions. See
// ServeWith.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, logger zerolog.Logger) error {
	return ServeWith(ctx, ln, h, logger, ServeOptions{})
}

// ServeWith serves h on ln until ctx ends, then stops accepting
// connections, drains and shuts down, and returns nil. Draining: for up to
// DrainTimeout, or until every connection has closed, requests on the
// connections already open are answered, each answer saying
// "Connection: close". A client with a keep-alive connection so learns
// to stop using it from an answer, instead of finding it closed under a
// request it is sending (which net/http's Shutdown alone does to
// connections it finds idle). Then the requests in flight get
// ShutdownTimeout to finish. It returns an error if serving fails or the
// shutdown does not finish in time. Errors of the HTTP server go to
// logger.
func ServeWith(ctx context.Context, ln net.Listener, h http.Handler, logger zerolog.Logger, opts ServeOptions) error {
	if opts.MaxHeaderBytes <= 0 {
		opts.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	limit := opts.MaxConns
	if limit <= 0 {
		limit = DefaultMaxConns
	}
	if n, ok := openFilesLimit(); ok && n-fdHeadroom < limit {
		limit = max(n-fdHeadroom, 1)
	}
	cl := newConnLimiter(ln, limit)
	var draining atomic.Bool
	hs := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if draining.Load() {
				w.Header()["Connection"] = connectionClose
			}
			h.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    opts.MaxHeaderBytes,
		ConnContext:       withConn,
		ErrorLog:          log.New(httpErrorLog{logger.With().Str("component", "http").Logger()}, "", 0),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(cl) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info().Int("connections", cl.open()).Msg("shutting down")
	// The listener closes first: a client told by an answer to close its
	// connection must find new ones refused, not queued in the listener's
	// backlog and reset when it closes.
	cl.Close()
	draining.Store(true)
	if err := <-errc; !errors.Is(err, net.ErrClosed) && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	cl.waitClosed(DrainTimeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	return hs.Shutdown(sctx)
}

// httpErrorLog passes net/http's error lines to the log, each as the
// error of a line of its own, cut to MaxLogValue: some quote what a
// client sent.
type httpErrorLog struct{ log zerolog.Logger }

func (l httpErrorLog) Write(p []byte) (int, error) {
	// A byte more than is logged, so that logStr sees a longer line as
	// such and marks it cut.
	cut := false
	msg := string(bytes.TrimSpace(p[:min(len(p), MaxLogValue+1)]))
	markCut(logStr(l.log.Error(), "error", msg, &cut), cut).Msg("http server error")
	return len(p), nil
}
