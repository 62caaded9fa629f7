package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine"
)

func runCall(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("call", "call --to NUMBER [--from NUMBER] [--api-base URL] FILE", stderr)
	to := fs.String("to", "", "the number to call, E.164 (+6591234567)")
	from := fs.String("from", "", "the caller ID (default: the flow's number)")
	var api apiFlags
	api.register(fs)
	files, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(files) != 1 || *to == "" {
		fmt.Fprintln(stderr, "ivrctl call: give --to NUMBER and exactly one flow file")
		fs.Usage()
		return exitUsage
	}
	flow, code := loadFlow("call", files[0], loadOptions{}, stderr)
	if flow == nil {
		return code
	}
	source := *from
	if source == "" {
		source = flow.Number()
	}
	if source == "" {
		fmt.Fprintf(stderr, "ivrctl call: no caller ID: set number in %s or pass --from\n", files[0])
		return exitUsage
	}

	// The call plays the flow's opening once answered (the start node,
	// after the messages and schedules on the way to it); the caller's
	// first key comes back on a VCA with the node it ended at, or with no
	// clientActionId, which the flow reads the same.
	now := time.Now()
	opening, err := flow.Opening(now)
	if err != nil {
		fmt.Fprintf(stderr, "ivrctl call: %v\n", err)
		return exitFailure
	}
	req := &callflows.Request{
		ClientActionID: flow.Step(engine.State{}, engine.Input{Start: true, Time: now}).Next.ID(),
		Callflow:       append(callflows.Callflow{&callflows.MakeCall{Source: source, Destination: *to}}, opening...),
	}
	if problems := callflows.Validate(req.Callflow, callflows.Initial); len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(stderr, "ivrctl call: 8x8 would refuse this call: %v\n", p)
			if hint := statusHints[p.Code]; hint != "" {
				fmt.Fprintf(stderr, "ivrctl call: %s\n", hint)
			}
		}
		return exitProblems
	}
	client := api.client("call", stderr)
	if client == nil {
		return exitUsage
	}
	res, err := client.SendCallflow(ctx, req)
	if err != nil {
		return apiFailure("call", stderr, err)
	}
	fmt.Fprintln(stdout, res.SessionID)
	fmt.Fprintf(stderr, "ivrctl call: 8x8 is calling %s from %s; session %s\n", *to, source, res.SessionID)
	return exitOK
}
