package server

import (
	"context"
	"errors"
	"log"
	"net"
	"net/http"
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
	// ShutdownTimeout bounds how long Serve waits for webhooks in flight
	// once its context ends.
	ShutdownTimeout = 10 * time.Second
)

// Serve serves h on ln until ctx ends, then stops accepting connections,
// lets the requests in flight finish within ShutdownTimeout and returns
// nil. It returns an error if serving fails or the shutdown does not
// finish in time. Errors of the HTTP server go to logger.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, logger zerolog.Logger) error {
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		ErrorLog:          log.New(logger.With().Str("component", "http").Logger(), "", 0),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info().Msg("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
