package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/ivrctl/ivrctl/engine"
)

// Exit codes, as actionlint has them.
const (
	exitOK       = 0 // success; lint found nothing
	exitProblems = 1 // lint found problems, or a flow does not load
	exitUsage    = 2 // the command line is wrong
	exitFailure  = 3 // ivrctl itself failed: a file could not be read, a port could not be bound
)

const usage = `ivrctl: declarative IVR menus for the 8x8 Voice Callflows API

Usage:
  ivrctl lint [--strict] [--format text|json] [--voices FILE] FILE...
                                         check flow files; exit 0 clean, 1 problems, 2 usage
  ivrctl lint --rules [--format text|json]
                                         list the rules lint checks
  ivrctl serve [--addr HOST:PORT] FILE   serve a flow to 8x8's VCA and VSS webhooks
  ivrctl call --to NUMBER [--from NUMBER] FILE
                                         place an outbound call that plays the flow
  ivrctl webhooks set|list|delete        register the server's webhooks with 8x8
  ivrctl voices [--json]                 list the sub-account's voices
  ivrctl schema                          print the JSON Schema of flow files
  ivrctl graph [--format mermaid|dot] FILE
                                         print the flow's menu as a diagram
  ivrctl diff [--format text|json] [--exit-code] OLD NEW
                                         what a change does to callers; OLD, NEW: FILE or REV:PATH
  ivrctl test [--min-coverage PCT] [FILE...]
                                         play the scenarios of NAME.test.yaml through NAME.yaml
  ivrctl sim [--keys 1,2,-] [--url URL] [--inbound] FILE
                                         be a caller: hear the flow and press keys in the terminal

call, webhooks and voices read IVRCTL_API_KEY and IVRCTL_SUBACCOUNT, and take
--api-base URL (default https://voice.8x8.com).

Run "ivrctl COMMAND -h" for a command's flags.
`

// Main runs ivrctl with args (without the program name), writing to stdout
// and stderr, and returns the exit code. SIGINT and SIGTERM stop a running
// command gracefully; a second signal kills the process.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// Once the first signal has been taken, restore the default
		// handling so that a second one ends the process at once.
		<-ctx.Done()
		stop()
	}()
	return run(ctx, args, stdout, stderr)
}

// run is Main without the signal handling: ctx ends long-running commands.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "lint":
		return runLint(rest, stdout, stderr)
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "call":
		return runCall(ctx, rest, stdout, stderr)
	case "webhooks":
		return runWebhooks(ctx, rest, stdout, stderr)
	case "voices":
		return runVoices(ctx, rest, stdout, stderr)
	case "schema":
		return runSchema(rest, stdout, stderr)
	case "graph":
		return runGraph(rest, stdout, stderr)
	case "diff":
		return runDiff(rest, stdout, stderr)
	case "test":
		return runTest(rest, stdout, stderr)
	case "sim":
		return runSim(ctx, rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "ivrctl: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
}

// parseFlags parses args with fs, allowing flags after positional
// arguments (ivrctl serve flows/restaurant.yaml --addr :9000), and returns
// the positional arguments. A parse error has been printed by fs.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// newFlagSet returns a flag set for a subcommand that prints its usage and
// errors to stderr.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: ivrctl %s\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// flagExit maps a flag parse error to an exit code: -h is a success.
func flagExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}

// loadFlow loads a flow file for a command, printing its diagnostics to
// stderr. It returns nil and the exit code when the flow cannot be used.
func loadFlow(cmd, path string, stderr io.Writer) (*engine.Flow, int) {
	flow, diags, err := engine.Load(path, engine.LoadOptions{})
	if err != nil {
		fmt.Fprintf(stderr, "ivrctl %s: %v\n", cmd, err)
		return nil, exitFailure
	}
	for _, d := range diags {
		fmt.Fprintln(stderr, d)
	}
	if flow == nil {
		fmt.Fprintf(stderr, "ivrctl %s: %s has errors\n", cmd, path)
		return nil, exitProblems
	}
	return flow, exitOK
}
