package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
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

// command is one of ivrctl's commands: what the usage text says of it and
// what runs it. The table below is the one list of commands: dispatch, the
// usage text and shell completion all read it.
type command struct {
	name     string
	synopsis string // the arguments, after "ivrctl NAME"
	summary  string
	run      func(ctx context.Context, args []string, stdout, stderr io.Writer) int
	// subcommands are the words a command takes first (webhooks set).
	subcommands []string
	// files says the command takes flow files as arguments.
	files bool
}

// commands lists ivrctl's commands in the order the usage text gives them.
// It is filled by init, since completion reads it.
var commands []command

func init() {
	commands = []command{
		{name: "lint", synopsis: "[--strict] [--format text|json] [--voices FILE] FILE...", summary: "check flow files; exit 0 clean, 1 problems, 2 usage (--rules lists the checks)", files: true,
			run: func(_ context.Context, args []string, stdout, stderr io.Writer) int {
				return runLint(args, stdout, stderr)
			}},
		{name: "serve", synopsis: "[--addr HOST:PORT] FILE", summary: "serve a flow to 8x8's VCA and VSS webhooks", run: runServe, files: true},
		{name: "call", synopsis: "--to NUMBER [--from NUMBER] FILE", summary: "place an outbound call that plays the flow", run: runCall, files: true},
		{name: "webhooks", synopsis: "set|list|delete", summary: "register the server's webhooks with 8x8", run: runWebhooks, subcommands: []string{"set", "list", "delete"}},
		{name: "voices", synopsis: "[--json]", summary: "list the sub-account's voices", run: runVoices},
		{name: "schema", summary: "print the JSON Schema of flow files",
			run: func(_ context.Context, args []string, stdout, stderr io.Writer) int {
				return runSchema(args, stdout, stderr)
			}},
		{name: "graph", synopsis: "[--format mermaid|dot] [--warnings] FILE", summary: "print the flow's menu as a diagram", files: true,
			run: func(_ context.Context, args []string, stdout, stderr io.Writer) int {
				return runGraph(args, stdout, stderr)
			}},
		{name: "diff", synopsis: "[--format text|json] [--exit-code] OLD NEW", summary: "what a change does to callers; OLD, NEW: FILE or REV:PATH", files: true,
			run: func(_ context.Context, args []string, stdout, stderr io.Writer) int {
				return runDiff(args, stdout, stderr)
			}},
		{name: "test", synopsis: "[--min-coverage PCT] [--outbound] [FILE...]", summary: "play the scenarios of NAME.test.yaml through NAME.yaml (inbound calls)", files: true,
			run: func(_ context.Context, args []string, stdout, stderr io.Writer) int {
				return runTest(args, stdout, stderr)
			}},
		{name: "sim", synopsis: "[--keys 1,2,-] [--url URL] [--outbound] FILE", summary: "be a caller: hear the flow and press keys in the terminal (an inbound call)", run: runSim, files: true},
		{name: "switch", synopsis: "list FILE | set NAME on|off FILE [--by WHO]", summary: "show or flip the flow's switches, which a running serve follows", files: true, subcommands: []string{"list", "set"},
			run: func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
				return runSwitch(ctx, args, stdout, stderr)
			}},
		{name: "completion", synopsis: "bash|zsh|fish", summary: "print a shell completion script", subcommands: completionShells,
			run: func(_ context.Context, args []string, stdout, stderr io.Writer) int {
				return runCompletion(args, stdout, stderr)
			}},
		{name: "version", summary: "print what this ivrctl was built from (also --version)",
			run: func(_ context.Context, args []string, stdout, stderr io.Writer) int {
				return runVersion(args, stdout, stderr)
			}},
	}
}

// usage returns the text ivrctl help prints.
func usage() string {
	var b strings.Builder
	b.WriteString("ivrctl: declarative IVR menus for the 8x8 Voice Callflows API\n\nUsage:\n")
	const summaryCol = 41
	for _, c := range commands {
		line := "  ivrctl " + c.name
		if c.synopsis != "" {
			line += " " + c.synopsis
		}
		if len(line) < summaryCol-1 {
			fmt.Fprintf(&b, "%-*s%s\n", summaryCol, line, c.summary)
		} else {
			fmt.Fprintf(&b, "%s\n%*s%s\n", line, summaryCol, "", c.summary)
		}
	}
	b.WriteString(`
call, webhooks and voices read IVRCTL_API_KEY and IVRCTL_SUBACCOUNT, and take
--api-base URL (default https://voice.8x8.com).

Run "ivrctl COMMAND -h" for a command's flags.
`)
	return b.String()
}

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
		fmt.Fprint(stderr, usage())
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage())
		return exitOK
	case "--version", "-version":
		name = "version"
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(ctx, rest, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "ivrctl: unknown command %q\n\n%s", name, usage())
	return exitUsage
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
	if c, ok := stderr.(*flagCollector); ok {
		c.sets = append(c.sets, fs)
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: ivrctl %s\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseNoArgs parses args for a command that takes flags only. It returns
// -1 when the command may go on, or the exit code, having said why.
func parseNoArgs(fs *flag.FlagSet, args []string, stderr io.Writer) int {
	rest, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "ivrctl %s: takes no arguments, got %q\n", fs.Name(), rest)
		fs.Usage()
		return exitUsage
	}
	return -1
}

// flagExit maps a flag parse error to an exit code: -h is a success.
func flagExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}

// loadOptions say how a command loads its flow file.
type loadOptions struct {
	// warnings prints every warning in full; otherwise one line counts
	// them and names the command that shows them (errors always print in
	// full).
	warnings bool
	// env looks up the flow's ${NAME}s; nil means the process
	// environment.
	env engine.LookupEnv
}

// warningsUsage is the help of the --warnings flag of the commands that
// load a flow to use it.
const warningsUsage = "print every lint warning of the flow (default: their count, and the command that shows them)"

// loadFlow loads a flow file for a command, printing its diagnostics to
// stderr. It returns nil and the exit code when the flow cannot be used.
func loadFlow(cmd, path string, o loadOptions, stderr io.Writer) (*engine.Flow, int) {
	flow, diags, err := engine.Load(path, engine.LoadOptions{Env: o.env})
	if err != nil {
		fmt.Fprintf(stderr, "ivrctl %s: %v\n", cmd, err)
		return nil, exitFailure
	}
	warnings := 0
	for _, d := range diags {
		if d.Severity == engine.SeverityWarning && !o.warnings {
			warnings++
			continue
		}
		fmt.Fprintln(stderr, d)
	}
	if warnings > 0 {
		fmt.Fprintf(stderr, "ivrctl %s: %s has %s; ivrctl lint %s shows them\n", cmd, path, countOf(warnings, "warning"), path)
	}
	if flow == nil {
		fmt.Fprintf(stderr, "ivrctl %s: %s has errors\n", cmd, path)
		return nil, exitProblems
	}
	return flow, exitOK
}

// printErrors prints the errors among diags, a line each, leaving out
// the warnings.
func printErrors(stderr io.Writer, diags engine.Diagnostics) {
	for _, d := range diags {
		if d.Severity == engine.SeverityError {
			fmt.Fprintln(stderr, d)
		}
	}
}

// countOf returns "1 warning" or "63 warnings".
func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
