package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/callstate"
	"github.com/ivrctl/ivrctl/server"
	"github.com/ivrctl/ivrctl/server/business"
	"github.com/ivrctl/ivrctl/server/logwriter"
	"github.com/ivrctl/ivrctl/server/reload"
	"github.com/ivrctl/ivrctl/server/switches"
)

const serveSynopsis = `serve [--addr HOST:PORT] [--allow LIST] [--trusted-proxies LIST]
       [--log-format json|console] [--log-level LEVEL] [--no-watch]
       [--max-conns N] [--max-header-bytes N] [--debug-addr HOST:PORT]
       [--switches FILE] FILE

Serves FILE to 8x8's VCA and VSS webhooks, and reloads it when it changes
on disk or on SIGHUP (one sent while FILE loads reloads it once serving);
a file with errors is refused and the running flow stays. SIGINT or
SIGTERM stops taking connections, answers what comes on those open for up
to 2 s (each answer closing its connection), then lets the webhooks in
flight finish; a second signal ends it at once.

Webhooks must carry the Authorization header set as httpAuthHeader when
they were registered: $IVRCTL_WEBHOOK_AUTH, or --auth-header. When
$IVRCTL_SUBACCOUNT is set (or --subaccount), webhooks for another
sub-account are refused.

Each answer carries the call's state (retry counts, the way back, the
language) in its clientActionId, signed with $IVRCTL_STATE_KEY: one or
more base64 keys of at least 16 bytes, comma-separated, newest first, the
same on every replica (add a new key first everywhere, drop the old one
once calls begun under it have ended). Without it the state carries a
checksum, which detects a cut state but not a forged one.

The positions of the flow's switches are read, before serving, from
FILE's store beside it (NAME.switches.json, or --switches), and followed
as ivrctl switch set or another replica changes them: within 1 s, at once
on one host. With $IVRCTL_ADMIN_TOKEN set, GET /admin/switches and
PUT /admin/switches/NAME {"on": true, "by": "WHO"} take it as a Bearer
token; without it they are not served.`

// serveFlags are the settings of ivrctl serve.
type serveFlags struct {
	addr, authHeader, allow, trusted, subAccount string
	logFormat, logLevel, debugAddr, switchesFile string
	noWatch, debugAddrAny                        bool
	maxConns, maxHeaderBytes                     int
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve", serveSynopsis, stderr)
	var f serveFlags
	fs.StringVar(&f.addr, "addr", ":8080", "address to listen on")
	fs.StringVar(&f.authHeader, "auth-header", os.Getenv(envWebhookAuth),
		"the Authorization value webhooks must carry (default $"+envWebhookAuth+"; prefer the variable, which ps does not show)")
	fs.StringVar(&f.allow, "allow", "",
		`source addresses allowed to post webhooks: IPs and CIDRs, comma-separated; "8x8" stands for 8x8's voice webhook addresses (default: any)`)
	fs.StringVar(&f.trusted, "trusted-proxies", "",
		"proxies in front of ivrctl (IPs and CIDRs) whose X-Forwarded-For is believed (default: none)")
	fs.StringVar(&f.subAccount, "subaccount", os.Getenv(envSubAccount),
		"refuse webhooks whose payload.subAccountId is not this (default $"+envSubAccount+"; empty: no check)")
	fs.StringVar(&f.logFormat, "log-format", "json", "log format: json, or console for people")
	fs.StringVar(&f.logLevel, "log-level", "info", "least level logged: debug, info, warn or error")
	fs.BoolVar(&f.noWatch, "no-watch", false, "do not watch the flow file (SIGHUP still reloads it)")
	fs.StringVar(&f.debugAddr, "debug-addr", "", "serve Go's pprof profiles on this loopback address, such as 127.0.0.1:6060 (default: off)")
	fs.BoolVar(&f.debugAddrAny, "debug-addr-any", false, "let --debug-addr be an address other hosts can reach (profiles show the flow's data)")
	fs.IntVar(&f.maxConns, "max-conns", server.DefaultMaxConns,
		"connections open at most; over it, a connection of a client that never passed the webhook checks is closed to make room (lowered to fit the limit of open files)")
	fs.IntVar(&f.maxHeaderBytes, "max-header-bytes", server.DefaultMaxHeaderBytes,
		"request line and headers of a request at most, in bytes (8x8 sends a few hundred)")
	fs.StringVar(&f.switchesFile, "switches", "", "the file that keeps the positions of the flow's switches (default: FILE's NAME.switches.json)")
	files, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "ivrctl serve: give exactly one flow file")
		fs.Usage()
		return exitUsage
	}
	if f.maxConns < 1 || f.maxHeaderBytes < 1 {
		fmt.Fprintln(stderr, "ivrctl serve: --max-conns and --max-header-bytes must be at least 1")
		return exitUsage
	}
	if f.debugAddr != "" && !f.debugAddrAny {
		if err := loopbackOnly(f.debugAddr); err != nil {
			fmt.Fprintf(stderr, "ivrctl serve: --debug-addr: %v; give --debug-addr-any to serve it there all the same\n", err)
			return exitUsage
		}
	}
	// Webhook lines in JSON are buffered (warnings and errors are not), so
	// that logging one costs a copy, not a system call.
	logOut := logwriter.New(stderr, 0)
	defer logOut.Close()
	log, err := newLogger(logOut, f.logFormat, f.logLevel)
	if err != nil {
		fmt.Fprintf(stderr, "ivrctl serve: %v\n", err)
		return exitUsage
	}
	keys, err := callstate.ParseKeys(os.Getenv(envStateKey))
	if err != nil {
		fmt.Fprintf(stderr, "ivrctl serve: %s: %v\n", envStateKey, err)
		return exitUsage
	}
	access := server.Access{AuthHeader: f.authHeader}
	if access.Allow, err = server.ParsePrefixes(f.allow); err != nil {
		fmt.Fprintf(stderr, "ivrctl serve: --allow: %v\n", err)
		return exitUsage
	}
	if access.TrustedProxies, err = server.ParsePrefixes(f.trusted); err != nil {
		fmt.Fprintf(stderr, "ivrctl serve: --trusted-proxies: %v\n", err)
		return exitUsage
	}

	// SIGHUP reloads the flow; so does a change to the file, unless
	// --no-watch. It is taken before the flow loads, which takes seconds
	// for a large one: a SIGHUP meanwhile (a deploy tool's, sent as soon
	// as the process runs) is kept, and reloads the file once serving,
	// rather than killing the process. (SIGINT and SIGTERM are Main's,
	// taken from the start.)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	path := files[0]
	log.Info().Str("file", path).Msg("loading flow")
	src, err := os.ReadFile(path)
	if err != nil {
		log.Error().Err(err).Msg("cannot read flow")
		return exitFailure
	}
	flow, diags, _ := engine.Load(path, engine.LoadOptions{Source: src})
	reload.LogDiagnostics(log, diags)
	if flow == nil {
		log.Error().Str("file", path).Int("problems", len(diags)).Msg("flow has errors; not serving it")
		return exitProblems
	}

	if err := server.CheckFlow(flow, keys); err != nil {
		log.Error().Err(err).Str("file", path).Msg("cannot serve this flow")
		return exitFailure
	}
	if f.switchesFile == "" {
		f.switchesFile = switches.PathFor(path)
	}
	store := switches.NewFile(f.switchesFile)
	srv := server.New(flow, server.Options{Logger: log, Access: access, SubAccountID: f.subAccount, StateKeys: keys,
		Business: business.New([]byte(os.Getenv(envRequestSecret))),
		Switches: store, AdminToken: os.Getenv(envAdminToken)})
	// The positions are read before serving, so that the first call after
	// a restart takes the branches an operator set; a store that cannot
	// be read stops the server rather than serve every default.
	if err := srv.LoadSwitches(ctx); err != nil {
		log.Error().Err(err).Str("file", f.switchesFile).Msg("cannot read the switches")
		return exitFailure
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		log.Error().Err(err).Str("addr", f.addr).Msg("cannot listen")
		return exitFailure
	}
	if f.debugAddr != "" {
		dln, err := net.Listen("tcp", f.debugAddr)
		if err != nil {
			ln.Close()
			log.Error().Err(err).Str("addr", f.debugAddr).Msg("cannot listen")
			return exitFailure
		}
		go serveDebug(ctx, dln, log)
	}
	if keys.Len() == 0 {
		log.Warn().Str("hint", "a caller could forge the state their clientActionId carries (a menu's retry count, the way back); set "+envStateKey+
			" to a random base64 key, the same on every replica (openssl rand -base64 32)").
			Msg("call state is not signed")
	}
	if access.AuthHeader == "" {
		log.Warn().Str("hint", "anyone who finds this URL can drive the menu; set "+envWebhookAuth+
			" to the httpAuthHeader registered with 8x8 (ivrctl webhooks set registers it)").
			Msg("webhooks are not authenticated")
	}
	// The watcher stops with the server. It watches the file before the
	// "serving" line, so that a save from then on is seen.
	loader := reload.New(path, srv, log)
	wctx, stopWatch := context.WithCancel(ctx)
	watching, watched := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watched)
		if f.noWatch {
			close(watching)
			_ = loader.ReloadOnSignal(wctx, hup)
			return
		}
		_ = loader.Watch(wctx, hup, func() { close(watching) })
	}()
	defer func() { stopWatch(); <-watched }()
	<-watching
	switchesWatched := make(chan struct{})
	go func() { defer close(switchesWatched); _ = srv.WatchSwitches(wctx) }()
	defer func() { stopWatch(); <-switchesWatched }()

	log.Info().
		Str("addr", ln.Addr().String()).
		Str("flow", flow.Name()).
		Str("file", path).
		Str("flow_version", flow.Version()).
		Int("nodes", len(flow.Nodes())).
		Str("start", flow.Start().ID()).
		Bool("auth", access.AuthHeader != "").
		Str("allow", f.allow).
		Str("trusted_proxies", f.trusted).
		Str("subaccount", f.subAccount).
		Bool("watch", !f.noWatch).
		Str("switches", f.switchesFile).
		Bool("admin", os.Getenv(envAdminToken) != "").
		Msg("serving")

	serveOpts := server.ServeOptions{MaxConns: f.maxConns, MaxHeaderBytes: f.maxHeaderBytes}
	if err := server.ServeWith(ctx, ln, srv.Routes(), log, serveOpts); err != nil {
		log.Error().Err(err).Msg("server failed")
		return exitFailure
	}
	log.Info().Msg("stopped")
	return exitOK
}

// newLogger returns the logger of ivrctl serve, writing to w: JSON lines,
// or a console format for people. The console format is written line by
// line to the writer under a logwriter.Writer, not buffered: zerolog's
// ConsoleWriter does not pass a line's level on, so a buffer would hold
// warnings back with the webhook lines, and a person reading wants each
// line as it comes.
func newLogger(w io.Writer, format, level string) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(strings.ToLower(level))
	if err != nil || lvl < zerolog.DebugLevel || lvl > zerolog.ErrorLevel {
		return zerolog.Logger{}, fmt.Errorf("unknown --log-level %q; use debug, info, warn or error", level)
	}
	switch format {
	case "json":
	case "console":
		w = terminalOf(w)
		color, _ := useColor("auto", w, os.Getenv)
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.DateTime, NoColor: !color}
	default:
		return zerolog.Logger{}, fmt.Errorf("unknown --log-format %q; use json or console", format)
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger(), nil
}

// logTimeFormat is the time of each log line of ivrctl serve: UTC, with
// milliseconds, as several webhooks of one call come within a second.
const logTimeFormat = "2006-01-02T15:04:05.000Z07:00"

// zerolog's time settings are global; they are set once, before any
// logger exists, rather than by each serve (which tests run side by side).
func init() {
	zerolog.TimeFieldFormat = logTimeFormat
	zerolog.TimestampFunc = func() time.Time { return time.Now().UTC() }
}

// terminalOf returns the writer a logwriter.Writer writes to, or w
// itself.
func terminalOf(w io.Writer) io.Writer {
	if lw, ok := w.(*logwriter.Writer); ok {
		return lw.Out()
	}
	return w
}

// loopbackOnly returns an error unless addr is a loopback address, which
// only this host can reach: "127.0.0.1:6060", "[::1]:6060" or
// "localhost:6060". An empty host is every address.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%q is not a loopback address, and profiles show the flow's data to whoever reaches it", addr)
}

// serveDebug serves Go's pprof profiles on ln until ctx ends. It does not
// serve /debug/pprof/cmdline, which shows the command line, and with it an
// --auth-header given there.
func serveDebug(ctx context.Context, ln net.Listener, log zerolog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.Handle("/debug/pprof/cmdline", http.NotFoundHandler())
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Info().Str("addr", ln.Addr().String()).Msg("serving pprof")
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: server.ReadHeaderTimeout}
	go func() { <-ctx.Done(); hs.Close() }()
	_ = hs.Serve(ln)
}
