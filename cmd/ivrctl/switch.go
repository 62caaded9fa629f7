package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/user"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/server/switches"
)

const switchSynopsis = `switch list [--switches FILE] FLOW
       switch set NAME on|off [--by WHO] [--switches FILE] FLOW

list shows the switches FLOW declares, the position of each and who set
it when, and the last flips. set flips one: it writes the store beside
FLOW (NAME.switches.json, or --switches), which a running ivrctl serve of
FLOW follows (at once on one host, within 1 s on a shared volume); it
keeps the position across restarts, and the flip, with who and when, in
its history.`

// envAdminToken is the Bearer token of the server's admin routes.
const envAdminToken = "IVRCTL_ADMIN_TOKEN"

func runSwitch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("switch", switchSynopsis, stderr)
	by := fs.String("by", whoAmI(), "who flips the switch, as its history and the server's log say")
	storePath := fs.String("switches", "", "the store file (default: FLOW's NAME.switches.json)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	usage := func(msg string) int {
		fmt.Fprintln(stderr, "ivrctl switch: "+msg)
		fs.Usage()
		return exitUsage
	}
	if len(pos) == 0 {
		return usage("give list or set")
	}
	switch {
	case pos[0] == "list" && len(pos) == 2:
	case pos[0] == "set" && len(pos) == 4:
	case pos[0] == "list":
		return usage("list takes one flow file")
	case pos[0] == "set":
		return usage("set takes a switch, on or off, and the flow file")
	default:
		return usage(fmt.Sprintf("unknown subcommand %q; give list or set", pos[0]))
	}
	path := pos[len(pos)-1]
	// In lint mode, so that an operator's shell need not hold the
	// environment the flow's vars read.
	flow, diags, err := engine.Load(path, engine.LoadOptions{Lint: true})
	if err != nil {
		fmt.Fprintf(stderr, "ivrctl switch: %v\n", err)
		return exitFailure
	}
	if flow == nil {
		printErrors(stderr, diags)
		fmt.Fprintf(stderr, "ivrctl switch: %s has errors\n", path)
		return exitProblems
	}
	if *storePath == "" {
		*storePath = switches.PathFor(path)
	}
	store := switches.NewFile(*storePath)
	if pos[0] == "list" {
		return listSwitches(ctx, flow, store, stdout, stderr)
	}
	name := pos[1]
	on, ok := engine.ParseSwitchPosition(pos[2])
	if !ok {
		return usage(fmt.Sprintf("a switch is on or off, not %q", pos[2]))
	}
	declared := switchNames(flow)
	if !slices.Contains(declared, name) {
		msg := fmt.Sprintf("%s declares no switch %q", path, name)
		if len(declared) == 0 {
			msg += "; it declares none (switches: {NAME: off} at its top)"
		} else {
			msg += "; it has " + strings.Join(declared, ", ")
		}
		fmt.Fprintln(stderr, "ivrctl switch: "+msg)
		return exitProblems
	}
	was := flow.SwitchOn(name, nil)
	if st, err := store.Load(ctx); err == nil {
		was = flow.SwitchOn(name, st.Positions)
	}
	if _, err := store.Set(ctx, switches.Flip{Name: name, On: on, By: *by}); err != nil {
		fmt.Fprintf(stderr, "ivrctl switch: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "%s is %s (was %s), set by %s in %s\n", name, engine.SwitchLabel(on), engine.SwitchLabel(was), *by, *storePath)
	return exitOK
}

// listSwitches prints flow's switches with their positions in store, and
// the last flips.
func listSwitches(ctx context.Context, flow *engine.Flow, store *switches.File, stdout, stderr io.Writer) int {
	st, err := store.Load(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "ivrctl switch: %v\n", err)
		return exitFailure
	}
	if len(flow.Switches()) == 0 {
		fmt.Fprintf(stdout, "%s declares no switches\n", flow.Path())
		return exitOK
	}
	last := map[string]switches.Flip{}
	for _, f := range st.History {
		last[f.Name] = f
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SWITCH\tPOSITION\tDEFAULT\tSET BY\tAT")
	for _, sw := range flow.Switches() {
		by, at := "-", "-"
		if _, set := st.Positions[sw.Name]; set {
			if f, ok := last[sw.Name]; ok {
				by, at = f.By, f.At.Format(time.RFC3339)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", sw.Name, engine.SwitchLabel(flow.SwitchOn(sw.Name, st.Positions)), engine.SwitchLabel(sw.Default), by, at)
	}
	return flushExit(tw, stderr)
}

// flushExit flushes tw, and returns the exit code of a command whose
// output it was.
func flushExit(tw *tabwriter.Writer, stderr io.Writer) int {
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(stderr, "ivrctl switch: %v\n", err)
		return exitFailure
	}
	return exitOK
}

func switchNames(flow *engine.Flow) []string {
	var names []string
	for _, sw := range flow.Switches() {
		names = append(names, sw.Name)
	}
	return names
}

// whoAmI names the person at the shell, for a flip's history: the user
// and the host.
func whoAmI() string {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if name == "" {
		name = "unknown"
	}
	if host, err := os.Hostname(); err == nil && host != "" {
		name += "@" + host
	}
	return name
}
