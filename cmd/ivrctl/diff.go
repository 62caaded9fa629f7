package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/diff"
)

func runDiff(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("diff", "diff [--format text|json] [--exit-code] OLD NEW", stderr)
	format := fs.String("format", "text", "output format: text or json")
	exitCode := fs.Bool("exit-code", false, "exit 1 when the flows differ for callers")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: ivrctl diff [--format text|json] [--exit-code] OLD NEW")
		fmt.Fprintln(stderr, "\nOLD and NEW are flow files, or git revisions as REV:PATH (HEAD~1:flows/restaurant.yaml).")
		fs.PrintDefaults()
	}
	files, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "ivrctl diff: unknown format %q: use text or json\n", *format)
		return exitUsage
	}
	if len(files) != 2 {
		fmt.Fprintln(stderr, "ivrctl diff: give exactly two flows, OLD and NEW")
		fs.Usage()
		return exitUsage
	}
	var flows [2]*engine.Flow
	for i, arg := range files {
		flow, code := loadDiffFlow(arg, stderr)
		if flow == nil {
			return code
		}
		flows[i] = flow
	}
	changes := diff.Compare(flows[0], flows[1])
	if *format == "json" {
		b, err := json.MarshalIndent(changes, "", "  ")
		if err != nil {
			fmt.Fprintf(stderr, "ivrctl diff: %v\n", err)
			return exitFailure
		}
		fmt.Fprintf(stdout, "%s\n", b)
	} else {
		fmt.Fprint(stdout, changes.Text())
	}
	if *exitCode && len(changes) > 0 {
		return exitProblems
	}
	return exitOK
}

// loadDiffFlow loads a flow given to diff: a file, or REV:PATH read with
// git show in the current directory. An unset ${NAME} expands to "" on
// both sides, as ivrctl lint reads it, so that a diff needs no secrets. It
// prints the diagnostics of a flow with errors and returns nil and the
// exit code when the flow cannot be used.
func loadDiffFlow(arg string, stderr io.Writer) (*engine.Flow, int) {
	src, err := os.ReadFile(arg)
	if err != nil {
		rev, path, ok := strings.Cut(arg, ":")
		if _, statErr := os.Stat(arg); statErr == nil || !ok || rev == "" || path == "" {
			fmt.Fprintf(stderr, "ivrctl diff: %v\n", err)
			return nil, exitFailure
		}
		if src, err = gitShow(rev, path); err != nil {
			fmt.Fprintf(stderr, "ivrctl diff: %v\n", err)
			return nil, exitFailure
		}
	}
	flow, diags, _ := engine.Load(arg, engine.LoadOptions{Source: src, Lint: true})
	if flow == nil {
		for _, d := range diags {
			fmt.Fprintln(stderr, d)
		}
		fmt.Fprintf(stderr, "ivrctl diff: %s has errors\n", arg)
		return nil, exitProblems
	}
	return flow, exitOK
}

// gitShow returns the file at path in revision rev of the git repository
// of the current directory.
func gitShow(rev, path string) ([]byte, error) {
	var out, errOut bytes.Buffer
	cmd := exec.Command("git", "show", rev+":"+path)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errOut.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("cannot read %s at revision %s: git show: %s", path, rev, msg)
	}
	return out.Bytes(), nil
}
