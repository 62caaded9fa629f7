package main

import (
	"bufio"
	"cmp"
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
	"github.com/ivrctl/ivrctl/engine/callstate"
	"github.com/ivrctl/ivrctl/engine/scenario"
	"github.com/ivrctl/ivrctl/server/business"
)

// stdin is where sim reads the caller's keys when --keys is not given;
// tests replace it.
var stdin io.Reader = os.Stdin

const simSynopsis = "sim [--keys 1,2,-,busy] [--at TIME] [--lang TAG] [--switch NAME=on|off] [--response NODE=STATUS[:JSON]|timeout|error] [--live] [--url http://HOST:PORT] [--outbound] [--warnings] FILE"

func runSim(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("sim", simSynopsis, stderr)
	keys := fs.String("keys", "", "the digits pressed at each menu, comma-separated; - presses nothing; at a dial, answered, busy, no-answer or failed ends the bridged call so (default: read a line per menu from stdin)")
	url := fs.String("url", "", "play the call against a running ivrctl serve at this URL instead of in-process (an inbound call)")
	outbound := fs.Bool("outbound", false, "simulate an outbound call that ivrctl call placed and the caller answered (default: an inbound call, which the line answers)")
	inbound := fs.Bool("inbound", true, "simulate an inbound call: the default, as in ivrctl test (--inbound=false is --outbound)")
	at := fs.String("at", "", "place the call at `TIME`: RFC 3339, or \"2006-01-02 15:04\" in the zone of the flow's schedules (default: now)")
	lang := fs.String("lang", "", "start the call in the language `TAG` (default: the flow's first)")
	warnings := fs.Bool("warnings", false, warningsUsage)
	var switches engine.Switches
	fs.Func("switch", "set the flow's switch `NAME=on|off` for the call, as an operator would (repeat for several; default: each at the flow's default)", func(arg string) error {
		name, on, err := scenario.ParseSwitch(arg)
		if err == nil {
			if switches == nil {
				switches = engine.Switches{}
			}
			switches[name] = on
		}
		return err
	})
	responses := map[string]engine.Response{}
	fs.Func("response", "answer request node `NODE`'s request with STATUS[:JSON] (such as 200:{\"status\":\"shipped\"}), timeout or error, as the business's API would (repeat for several; default: no answer, the error branch)", func(arg string) error {
		node, resp, err := scenario.ParseResponse(arg)
		if err == nil {
			responses[node] = resp
		}
		return err
	})
	live := fs.Bool("live", false, "make request nodes' requests to the business's API for real, signed with $"+envRequestSecret)
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
	if switches != nil && *url != "" {
		fmt.Fprintln(stderr, "ivrctl sim: --switch is for the in-process simulation; a server reads its own switches (ivrctl switch set flips them)")
		fs.Usage()
		return exitUsage
	}
	if (*at != "" || *lang != "") && *url != "" {
		fmt.Fprintln(stderr, "ivrctl sim: --at and --lang are for the in-process simulation; a server reads its own clock, and the caller picks the language")
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
	stateKeys, err := callstate.ParseKeys(os.Getenv("IVRCTL_STATE_KEY"))
	if err != nil {
		fmt.Fprintf(stderr, "ivrctl sim: %v\n", err)
		return exitUsage
	}
	flow, code := loadFlow("sim", files[0], loadOptions{warnings: *warnings}, stderr)
	if flow == nil {
		return code
	}
	start := engine.Input{Time: time.Now(), Lang: *lang, Switches: switches}
	if *at != "" {
		if start.Time, err = scenario.ParseTime(*at, scenario.Zone(flow)); err != nil {
			fmt.Fprintf(stderr, "ivrctl sim: --at: %v\n", err)
			return exitUsage
		}
	}
	if err := scenario.CheckLang(flow, *lang); err != nil {
		fmt.Fprintf(stderr, "ivrctl sim: --lang: %v\n", err)
		return exitUsage
	}
	if err := scenario.CheckSwitches(flow, switches); err != nil {
		fmt.Fprintf(stderr, "ivrctl sim: --switch: %v\n", err)
		return exitUsage
	}

	local := &localLine{call: scenario.Call{Flow: flow, Keys: scenario.KeysFor(flow, stateKeys)}, in: start, inbound: !*outbound}
	if *live {
		client := business.New([]byte(os.Getenv(envRequestSecret)))
		local.call.Respond = func(req *engine.Request) engine.Response { return client.Do(ctx, req) }
	} else if len(responses) > 0 {
		local.call.Respond = func(req *engine.Request) engine.Response {
			if r, ok := responses[req.Node.ID()]; ok {
				return r
			}
			return engine.Response{Err: scenario.ErrNoResponse}
		}
	}
	var line simLine = local
	if *url != "" {
		id := fmt.Sprintf("sim-%d", time.Now().UnixNano())
		h := &httpLine{c: carrier.Caller{BaseURL: *url, CallID: id, SessionID: id}, shadow: local}
		line = h
		served, err := servedFlow(ctx, *url)
		if err != nil {
			fmt.Fprintf(stderr, "ivrctl sim: %v\n", err)
			return exitFailure
		}
		if served.Version != flow.Version() {
			fmt.Fprintf(stderr, "ivrctl sim: warning: %s serves %q (version %s), not %s (version %s); the call plays the server's flow\n",
				*url, served.Flow, served.Version, files[0], flow.Version())
			// The file cannot say why the server's flow went where it
			// went.
			h.shadow = nil
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
		k, err := readEntry(e)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// readEntry reads one key entry: digits, - for none, or how a bridged
// call ends.
func readEntry(e string) (keyEntry, error) {
	k := keyEntry{shown: strings.TrimSpace(e)}
	if o, ok := scenario.Outcome(e); ok {
		k.transfer = o
		return k, nil
	}
	var err error
	k.digits, err = scenario.Key(e)
	return k, err
}

// keyEntry is one entry of --keys: as written, for the transcript, and
// the digits it sends, or how it ends a bridged call.
type keyEntry struct {
	shown, digits string
	transfer      callflows.TransferOutcome
}

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
	// Press answers the last answer with digits ("" for none).
	Press(ctx context.Context, digits string) (*callflows.Response, error)
	// EndTransfer ends the bridged call of the last answer's makeCall so.
	EndTransfer(ctx context.Context, o callflows.TransferOutcome) (*callflows.Response, error)
	// Why says why the last answer is what it is; "" when it goes
	// without saying or cannot be told.
	Why() string
	// From returns the nodes the first actions of the last answer come
	// from, one per action: the messages the caller passed through on the
	// way to the node that answered. The rest are that node's.
	From() []string
	// End reports that the call is over.
	End(ctx context.Context) error
}

// localLine plays the call in-process through the step the server
// answers with (engine.Flow.Answer).
type localLine struct {
	call    scenario.Call
	in      engine.Input // the time and language of the call
	inbound bool
	lang    string // the language the transcript last said
}

func (l *localLine) Start(context.Context) (*callflows.Response, error) {
	// Inbound, the start node answers the ring; outbound, it is what the
	// call plays once answered. Either way the caller hears it first.
	if l.inbound {
		return l.call.Ring(l.in)
	}
	return l.call.Dialled()
}

func (l *localLine) Press(_ context.Context, digits string) (*callflows.Response, error) {
	in := l.in
	in.Digits = digits
	return l.call.Send(in)
}

func (l *localLine) EndTransfer(_ context.Context, o callflows.TransferOutcome) (*callflows.Response, error) {
	in := l.in
	in.Transfer = o
	return l.call.Send(in)
}

// Why says why the step went where it went, that the call changed
// language, and which branch each schedule passed took, at what local
// time and why.
func (l *localLine) Why() string {
	var why []string
	if s := scenario.Why(l.call.Step); s != "" {
		why = append(why, s)
	}
	if lang := l.call.Step.Lang(); lang != l.lang {
		l.lang = lang
		why = append(why, "now in "+cmp.Or(lang, "the flow's first language"))
	}
	why = append(why, scenario.Schedules(l.call.Step, l.in.Time)...)
	why = append(why, scenario.Switches(l.call.Step, l.in.Switches)...)
	if r := l.call.Step.Result(); r != "" {
		why = append(why, "the business's API: "+r)
	}
	return strings.Join(why, "; ")
}

func (l *localLine) From() []string {
	var ids []string
	for _, n := range l.call.Step.Passed() {
		for range n.Callflow() {
			ids = append(ids, n.ID())
		}
	}
	return ids
}

func (l *localLine) End(context.Context) error { return nil }

// httpLine plays the call against a running server by posting the VCA
// webhooks 8x8 would, then a VSS for the session. A shadow call through
// the same flow in-process, when the server serves the file sim was
// given, says why each answer is what it is.
type httpLine struct {
	c      carrier.Caller
	shadow *localLine
}

// both makes a move on the server and on the shadow.
func (h *httpLine) both(remote, local func() (*callflows.Response, error)) (*callflows.Response, error) {
	r, err := remote()
	if err == nil && h.shadow != nil {
		if _, err := local(); err != nil {
			h.shadow = nil
		}
	}
	return r, err
}

func (h *httpLine) Start(ctx context.Context) (*callflows.Response, error) {
	return h.both(func() (*callflows.Response, error) { return h.c.Ring(ctx) },
		func() (*callflows.Response, error) { return h.shadow.Start(ctx) })
}

func (h *httpLine) Press(ctx context.Context, digits string) (*callflows.Response, error) {
	return h.both(func() (*callflows.Response, error) { return h.c.Press(ctx, digits) },
		func() (*callflows.Response, error) { return h.shadow.Press(ctx, digits) })
}

func (h *httpLine) EndTransfer(ctx context.Context, o callflows.TransferOutcome) (*callflows.Response, error) {
	return h.both(func() (*callflows.Response, error) { return h.c.EndTransfer(ctx, o) },
		func() (*callflows.Response, error) { return h.shadow.EndTransfer(ctx, o) })
}

func (h *httpLine) Why() string {
	if h.shadow == nil {
		return ""
	}
	return h.shadow.Why()
}

func (h *httpLine) From() []string {
	if h.shadow == nil {
		return nil
	}
	return h.shadow.From()
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

// keySource gives the digits the caller presses at each menu, and how
// the bridged call of each dial ends.
type keySource interface {
	// Next returns the entry for the next menu, or for a dial when dial
	// is set; ok is false when the caller hangs up instead, and why says
	// why. At a dial, an entry with no transfer outcome leaves the bridged
	// call answered (and, from --keys, is kept for the next menu).
	Next(dial bool) (e keyEntry, ok bool, why string)
}

// listKeys plays the keys of --keys, echoing each as "> 1".
type listKeys struct {
	keys []keyEntry
	out  io.Writer
}

func (k *listKeys) Next(dial bool) (keyEntry, bool, string) {
	if dial && (len(k.keys) == 0 || k.keys[0].transfer == callflows.TransferNone) {
		return keyEntry{}, true, ""
	}
	if len(k.keys) == 0 {
		return keyEntry{}, false, "no more keys: the caller hangs up"
	}
	e := k.keys[0]
	k.keys = k.keys[1:]
	fmt.Fprintf(k.out, "> %s\n", e.shown)
	return e, true, ""
}

// lineKeys reads one line of keys per menu after a "keys> " prompt, and
// one line per dial after "transfer> ", and asks again after a line that
// is not a key 8x8 can send. When the input is not a terminal the line is
// echoed, so that the transcript shows it.
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

func (k *lineKeys) Next(dial bool) (keyEntry, bool, string) {
	prompt := "keys> "
	if dial {
		prompt = "transfer> "
	}
	for {
		fmt.Fprint(k.out, prompt)
		if !k.sc.Scan() {
			fmt.Fprintln(k.out)
			return keyEntry{}, false, "end of input: the caller hangs up"
		}
		d := strings.TrimSpace(k.sc.Text())
		if k.echo {
			fmt.Fprintln(k.out, d)
		}
		e, err := readEntry(d)
		switch {
		case err == nil && dial && e.digits == "":
			return e, true, ""
		case dial:
			err = fmt.Errorf("%q does not end a transfer: use answered, busy, no-answer or failed, or nothing for answered", d)
		case err == nil && e.transfer != callflows.TransferNone:
			err = fmt.Errorf("%q ends a transfer, but this is a menu: press keys", d)
		}
		if err == nil {
			return e, true, ""
		}
		fmt.Fprintf(k.out, "(%v)\n", err)
	}
}

// simulate plays one call on line with keys from in, printing what the
// caller hears to out, and why, when it does not go without saying.
func simulate(ctx context.Context, line simLine, in keySource, inbound bool, out io.Writer) error {
	if inbound {
		fmt.Fprintln(out, "(inbound call: the line answers)")
	} else {
		fmt.Fprintln(out, "(outbound call: the caller answers)")
	}
	r, err := line.Start(ctx)
	for err == nil {
		if why := line.Why(); why != "" {
			fmt.Fprintf(out, "(%s)\n", why)
		}
		for _, l := range transcript(r, line.From()) {
			fmt.Fprintln(out, l)
		}
		switch r.Callflow.Last().(type) {
		case *callflows.SayAndCapture:
			e, ok, why := in.Next(false)
			if !ok {
				fmt.Fprintf(out, "(%s)\n", why)
				return line.End(ctx)
			}
			if e.transfer != callflows.TransferNone {
				return fmt.Errorf("%s ends a transfer, but the call is at the menu %s: give the keys pressed there", e.shown, scenario.NodeOf(r.ClientActionID))
			}
			r, err = line.Press(ctx, e.digits)
		case *callflows.MakeCall:
			e, ok, why := in.Next(true)
			if !ok {
				fmt.Fprintf(out, "(%s)\n", why)
				return line.End(ctx)
			}
			if e.transfer == callflows.TransferNone {
				fmt.Fprintln(out, "(the bridged call ends)")
				e.transfer = callflows.TransferAnswered
			} else {
				fmt.Fprintf(out, "(the bridged call ends: %s)\n", strings.ReplaceAll(e.transfer.String(), "_", " "))
			}
			r, err = line.EndTransfer(ctx, e.transfer)
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
// The first actions are labelled with the nodes from (see simLine.From).
func transcript(r *callflows.Response, from []string) []string {
	node := scenario.NodeOf(r.ClientActionID)
	if node == "" {
		node = "fallback"
	}
	lines := make([]string, 0, len(r.Callflow))
	for i, a := range r.Callflow {
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
		label := node
		if i < len(from) {
			label = from[i]
		}
		lines = append(lines, fmt.Sprintf("[%s] %s", label, s))
	}
	return lines
}
