package main

import (
	"context"
	"fmt"
	"io"
	"net"

	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/server"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve", "serve [--addr HOST:PORT] FILE", stderr)
	addr := fs.String("addr", ":8080", "address to listen on")
	files, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "ivrctl serve: give exactly one flow file")
		fs.Usage()
		return exitUsage
	}
	log := zerolog.New(stderr).With().Timestamp().Logger()

	flow, diags, err := engine.Load(files[0], nil)
	if err != nil {
		log.Error().Err(err).Msg("cannot read flow")
		return exitFailure
	}
	for _, d := range diags {
		fmt.Fprintln(stderr, d)
	}
	if flow == nil {
		log.Error().Str("file", files[0]).Int("problems", len(diags)).Msg("flow has errors; not serving it")
		return exitProblems
	}

	srv := server.New(flow, server.Options{Logger: log})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Error().Err(err).Str("addr", *addr).Msg("cannot listen")
		return exitFailure
	}
	log.Info().
		Str("addr", ln.Addr().String()).
		Str("flow", flow.Name()).
		Str("file", files[0]).
		Str("flow_version", flow.Version()).
		Int("nodes", len(flow.Nodes())).
		Str("start", flow.Start().ID()).
		Msg("serving")

	if err := server.Serve(ctx, ln, srv.Routes(), log); err != nil {
		log.Error().Err(err).Msg("server failed")
		return exitFailure
	}
	log.Info().Msg("stopped")
	return exitOK
}
