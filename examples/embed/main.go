// Command embed serves Corner Bikes' phone hotline from a Go program of its
// own: ivrctl's engine and server used as a library rather than through
// ivrctl serve.
//
// The flow, flow.yaml, is compiled into the binary and checked when the
// program starts. The 8x8 webhooks are mounted under /ivr/, beside a route
// of the shop's own:
//
//	POST /ivr/webhooks/vca   8x8's Voice Call Action webhook
//	POST /ivr/webhooks/vss   8x8's Voice Session Summary webhook
//	GET  /ivr/healthz        200 while the process runs
//	GET  /ivr/readyz         200 with the flow's name and version
//	GET  /hello              the shop's own route
//
// Usage:
//
//	go run ./examples/embed [-addr HOST:PORT]
//
// SHOP_VIRTUAL_NUMBER and SHOP_WORKSHOP override the phone numbers of
// flow.yaml. SIGINT or SIGTERM shuts the server down gracefully.
package main

import (
	"context"
	_ "embed"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/server"
)

//go:embed flow.yaml
var flowFile []byte

func main() {
	addr := flag.String("addr", "localhost:8080", "address to listen on")
	flag.Parse()
	// Log times in UTC to the millisecond: a call's webhooks come within
	// a second of each other. zerolog's settings are global, so they are
	// set once, here.
	zerolog.TimeFieldFormat = "2006-01-02T15:04:05.000Z07:00"
	zerolog.TimestampFunc = func() time.Time { return time.Now().UTC() }
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, *addr, os.Stdout, nil)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "embed:", err)
		os.Exit(1)
	}
}

// run serves the hotline on addr until ctx is done, then shuts down
// gracefully and returns nil. It logs JSON lines to logOut. Once it
// listens, it calls listening, if not nil, with the address, so that a
// caller who asked for port 0 learns the port.
func run(ctx context.Context, addr string, logOut io.Writer, listening func(net.Addr)) error {
	logger := zerolog.New(logOut).With().Timestamp().Logger()

	// nil looks the flow's ${NAME} references up in the process environment.
	flow, diags, _ := engine.Load("flow.yaml", engine.LoadOptions{Source: flowFile})
	for _, d := range diags {
		logger.Warn().Str("diagnostic", d.String()).Msg("flow diagnostic")
	}
	if flow == nil {
		return fmt.Errorf("embedded flow.yaml does not load: %w", diags.Err())
	}
	ivr := server.New(flow, server.Options{Logger: logger})

	mux := http.NewServeMux()
	mux.Handle("/ivr/", http.StripPrefix("/ivr", ivr.Routes()))
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "Hello from %s.\n", ivr.Flow().Name())
	})

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	logger.Info().
		Str("addr", ln.Addr().String()).
		Str("flow", flow.Name()).
		Str("flow_version", flow.Version()).
		Msg("listening")
	if listening != nil {
		listening(ln.Addr())
	}

	if err := server.Serve(ctx, ln, mux, logger); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info().Msg("stopped")
	return nil
}
