package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/server"
)

// bareCommand is the hidden subcommand that runs the bare server.
const bareCommand = "bare"

// runBare is `ivrload bare --addr ADDR --flow FILE`: the ceiling ivrctl is
// measured against. It serves, on every path, what a minimal real webhook
// handler does: read the whole body, then write the start node's answer,
// the exact bytes ivrctl answers a new call with. It uses the timeouts of
// ivrctl's server, logs nothing per request, prints the address it
// listens on to stdout, and stops on SIGINT or SIGTERM.
func runBare(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ivrload "+bareCommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on")
	flowPath := fs.String("flow", defaultFlow, "flow whose start node's answer is served")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	flow, diags, err := engine.Load(*flowPath, engine.LoadOptions{})
	if err != nil {
		fmt.Fprintln(stderr, "ivrload bare:", err)
		return 1
	}
	if flow == nil {
		fmt.Fprintf(stderr, "ivrload bare: %s has errors:\n%v\n", *flowPath, diags)
		return 1
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, "ivrload bare:", err)
		return 1
	}
	fmt.Fprintln(stdout, ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hs := &http.Server{
		Handler:           bareHandler(flow.Start().Response()),
		ReadHeaderTimeout: server.ReadHeaderTimeout,
		ReadTimeout:       server.ReadTimeout,
		WriteTimeout:      server.WriteTimeout,
		IdleTimeout:       server.IdleTimeout,
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintln(stderr, "ivrload bare:", err)
		return 1
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), server.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, "ivrload bare:", err)
		return 1
	}
	return 0
}

// bareBufs are the bare handler's body buffers.
var bareBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// bareJSON is the Content-Type of the bare server's answers.
var bareJSON = []string{"application/json"}

// bareHandler reads each request's body into memory and answers 200 with
// answer as JSON.
func bareHandler(answer []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := bareBufs.Get().(*bytes.Buffer)
		buf.Reset()
		_, err := buf.ReadFrom(r.Body)
		bareBufs.Put(buf)
		if err != nil {
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		w.Header()["Content-Type"] = bareJSON
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(answer)
	})
}
