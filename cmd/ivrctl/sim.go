package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/callflows/carrier"
	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/scenario"
)

// stdin is where sim reads the caller's keys when --keys is not given;
// tests replace it.
var stdin io.Reader = os.Stdin

const simSynopsis = "sim [--keys 1,2,-] [--url http://HOST:PORT] [--outbound] [--warnings] FILE"

func runSim(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("sim", simSynopsis, stderr)
	keys := fs.String("keys", "", "the digits pressed at each menu, comma-separated; - presses nothing (default: read a line per menu from stdin)")
	url := fs.String("url", "", "play the call against a running ivrctl serve at this URL instead of in-process (an inbound call)")
	outbound := fs.Bool("outbound", false, "simulate an outbound call that ivrctl call placed and the caller answered (default: an inbound call, which the line answers)")
	inbound := fs.Bool("inbound", true, "simulate an inbound call: the default, as in ivrctl test (--inbound=false is --outbound)")
	warnings := fs.Bool("warnings", false, warningsUsage)
	files, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	*outbound = *outbound || !*inbound
	if len(files) != 1 {
		fmt.Fprintln(stderr, "ivrctl sim: give exactly one flow file")
		fs.Usage()
		return exitUsage
	}
	if *outbound && *url != "" {
		fmt.Fprintln(stderr, "ivrctl sim: --url plays an inbound call; --outbound is for the in-process simulation")
		fs.Usage()
		return exitUsage
	}
	var in keySource
	if keysGiven(fs) {
		list, err := parseKeys(*keys)
		if err != nil {
			fmt.Fprintf(stderr, "ivrctl sim: --keys: %v\n", err)
			return exitUsage
		}
		in = &listKeys{keys: list, out: stdout}
	} else {
		in = newLineKeys(stdin, stdout)
	}
	flow, code := loadFlow("sim", files[0], loadOptions{warnings: *warnings}, stderr)
	if flow == nil {
		return code
	}

	var line simLine = &localLine{flow: flow}
	if *url != "" {
		id := fmt.Sprintf("sim-%d", time.Now().UnixNano())
		line = &httpLine{c: carrier.Caller{BaseURL: *url, CallID: id, SessionID: id}}
		served, err := servedFlow(ctx, *url)
		if err != nil {
			fmt.Fprintf(stderr, "ivrctl sim: %v\n", err)
			return exitFailure
		}
		if served.Version != flow.Version() {
			fmt.Fprintf(stderr, "ivrctl sim: warning: %s serves %q (version %s), not %s (version %s); the call plays the server's flow\n",
				*url, served.Flow, served.Version, files[0], flow.Version())
		}
	}
	if err := simulate(ctx, line, in, !*outbound, stdout); err != nil {
		fmt.Fprintf(stderr, "ivrctl sim: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// parseKeys reads the comma-separated entries of --keys, refusing any
// that 8x8 could never send.
func parseKeys(list string) ([]keyEntry, error) {
	var keys []keyEntry
	for _, e := range strings.Split(list, ",") {
		digits, err := scenario.Key(e)
		if err != nil {
			return nil, err
		}
		keys = append(keys, keyEntry{shown: strings.TrimSpace(e), digits: digits})
	}
	return keys, nil
}

// keyEntry is one entry of --keys: as written, for the transcript, and
// the digits it sends.
type keyEntry struct{ shown, digits string }

// keysGiven reports whether --keys was on the command line, even empty.
func keysGiven(fs *flag.FlagSet) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "keys" })
	return given
}

// simLine is the far side of a simulated call: the flow, played in-process
// or by a server.
type simLine interface {
	// Start places the call and returns the first answer: the start
	// node's callflow.
	Start(ctx context.Context) (*callflows.Response, error)
	// Press answers the last answer with digits ("" for none, or for the
	// end of a bridged call).
	Press(ctx context.Context, digits string) (*callflows.Response, error)
	// End reports that the call is over.
	End(ctx context.Context) error
}

// localLine steps the flow in-process with Flow.Begin and Flow.Next.
type localLine struct {
	flow *engine.Flow
	at   string // the node the caller is at
}

func (l *localLine) Start(context.Context) (*callflows.Response, error) {
	// Inbound, the start node answers the ring; outbound, it is what the
	// call plays once answered. Either way the caller hears it first.
	return l.answer(l.flow.Begin().Next), nil
}

func (l *localLine) Press(_ context.Context, digits string) (*callflows.Response, error) {
	return l.answer(l.flow.Next(l.at, digits).Next), nil
}

func (l *localLine) answer(n *engine.Node) *callflows.Response {
	l.at = n.ID()
	return &callflows.Response{ClientActionID: n.ID(), Callflow: n.Callflow()}
}

func (l *localLine) End(context.Context) error { return nil }

// httpLine plays the call against a running server by posting the VCA
// webhooks 8x8 would, then a VSS for the session.
type httpLine struct{ c carrier.Caller }

func (h *httpLine) Start(ctx context.Context) (*callflows.Response, error) {
	return h.c.Ring(ctx)
}

func (h *httpLine) Press(ctx context.Context, digits string) (*callflows.Response, error) {
	return h.c.Press(ctx, digits)
}

func (h *httpLine) End(ctx context.Context) error {
	now := time.Now().UTC().Format(time.RFC3339)
	body, err := callflows.Marshal(map[string]any{
		"namespace":   "VOICE",
		"eventType":   callflows.EventSessionSummary,
		"description": "Summary of a completed call session",
		"version":     5,
		"payload": map[string]any{
			"sessionId":     h.c.SessionID,
			"subAccountId":  "account_x",
			"sessionStatus": "COMPLETED",
			"startTime":     now,
			"endTime":       now,
			"lastAction":    "HANGUP",
			"callCount":     1,
		},
	})
	if err != nil {
		return err
	}
	status, answer, err := carrier.Post(ctx, h.c.Client, strings.TrimRight(h.c.BaseURL, "/")+"/webhooks/vss", body)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("POST /webhooks/vss: status %d: %s", status, answer)
	}
	return nil
}

// readiness is what a server's /readyz says of the flow it serves.
type readiness struct {
	Flow    string `json:"flow"`
	Version string `json:"version"`
}

// servedFlow asks the server at base which flow it serves, so that sim
// --url can tell the user when it is not the file they named.
func servedFlow(ctx context.Context, base string) (readiness, error) {
	var r readiness
	url := strings.TrimRight(base, "/") + "/readyz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return r, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return r, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return r, fmt.Errorf("GET %s: status %d: is ivrctl serve running there?", url, resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&r); err != nil || r.Version == "" {
		return r, fmt.Errorf("GET %s: not the answer of ivrctl serve", url)
	}
	return r, nil
}

// keySource gives the digits the caller presses at each menu.
type keySource interface {
	// Next returns the digits for the next menu, "" for none; ok is false
	// when the caller hangs up instead, and why says why.
	Next() (digits string, ok bool, why string)
}

// listKeys plays the keys of --keys, echoing each as "> 1".
type listKeys struct {
	keys []keyEntry
	out  io.Writer
}

func (k *listKeys) Next() (string, bool, string) {
	if len(k.keys) == 0 {
		return "", false, "no more keys: the caller hangs up"
	}
	e := k.keys[0]
	k.keys = k.keys[1:]
	fmt.Fprintf(k.out, "> %s\n", e.shown)
	return e.digits, true, ""
}

// lineKeys reads one line of keys per menu after a "keys> " prompt, and
// asks again after a line that is not a key 8x8 can send. When the input
// is not a terminal the line is echoed, so that the transcript shows it.
type lineKeys struct {
	sc   *bufio.Scanner
	out  io.Writer
	echo bool
}

func newLineKeys(r io.Reader, out io.Writer) *lineKeys {
	echo := true
	if f, ok := r.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			echo = false
		}
	}
	return &lineKeys{sc: bufio.NewScanner(r), out: out, echo: echo}
}

func (k *lineKeys) Next() (string, bool, string) {
	for {
		fmt.Fprint(k.out, "keys> ")
		if !k.sc.Scan() {
			fmt.Fprintln(k.out)
			return "", false, "end of input: the caller hangs up"
		}
		d := strings.TrimSpace(k.sc.Text())
		if k.echo {
			fmt.Fprintln(k.out, d)
		}
		digits, err := scenario.Key(d)
		if err == nil {
			return digits, true, ""
		}
		fmt.Fprintf(k.out, "(%v)\n", err)
	}
}

// simulate plays one call on line with keys from in, printing what the
// caller hears to out.
func simulate(ctx context.Context, line simLine, in keySource, inbound bool, out io.Writer) error {
	if inbound {
		fmt.Fprintln(out, "(inbound call: the line answers)")
	} else {
		fmt.Fprintln(out, "(outbound call: the caller answers)")
	}
	r, err := line.Start(ctx)
	for err == nil {
		for _, l := range transcript(r) {
			fmt.Fprintln(out, l)
		}
		switch r.Callflow.Last().(type) {
		case *callflows.SayAndCapture:
			digits, ok, why := in.Next()
			if !ok {
				fmt.Fprintf(out, "(%s)\n", why)
				return line.End(ctx)
			}
			r, err = line.Press(ctx, digits)
		case *callflows.MakeCall:
			fmt.Fprintln(out, "(the bridged call ends)")
			r, err = line.Press(ctx, "")
		case *callflows.Hangup:
			fmt.Fprintln(out, "(the call ends)")
			return line.End(ctx)
		default:
			fmt.Fprintln(out, "(the callflow ends without a hangup)")
			return line.End(ctx)
		}
	}
	return err
}

// transcript returns what a caller hears of a response, one line per
// action: "[node] (voice) text", "[node] dial NUMBER", "[node] hangup".
func transcript(r *callflows.Response) []string {
	node := r.ClientActionID
	if node == "" {
		node = "fallback"
	}
	lines := make([]string, 0, len(r.Callflow))
	for _, a := range r.Callflow {
		var s string
		switch a := a.(type) {
		case *callflows.Say:
			s = fmt.Sprintf("(%s) %s", a.VoiceProfile, a.Text)
		case *callflows.SayAndCapture:
			s = fmt.Sprintf("(%s) %s", a.VoiceProfile, a.PromptMessage)
		case *callflows.MakeCall:
			s = "dial " + a.Destination
		case *callflows.PlayFile:
			s = "play " + a.FileURL
		case *callflows.Hangup:
			s = "hangup"
		default:
			s = a.ActionName()
		}
		lines = append(lines, fmt.Sprintf("[%s] %s", node, s))
	}
	return lines
}
