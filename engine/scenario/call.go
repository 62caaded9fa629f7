package scenario

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/callstate"
)

// Call is one call played in-process through engine.Flow.Answer, the step
// the server answers with: it answers each webhook with the clientActionId
// the last answer carried, as 8x8 does, so retry counts, the way back and
// the language travel as they do on a served line. sim and test both play
// calls with it.
type Call struct {
	Flow *engine.Flow
	// Keys seal and open the state, as IVRCTL_STATE_KEY does for a
	// server; none is a checksum only.
	Keys callstate.Keys
	// ID is the clientActionId the next webhook answers: the last
	// answer's, or "" before the call has one.
	ID string
	// Last is the last answer, and Step the step that made it (zero for
	// the outbound call's first answer, which no webhook asked for).
	Last *callflows.Response
	Step engine.Step
	// Respond answers the requests of request nodes, as the business's API
	// would: from a test case's responses, or for real (sim --live). Nil
	// answers every request with no answer at all, the error result.
	Respond func(*engine.Request) engine.Response
}

// ErrNoResponse is the error of a request nobody answered: a case without
// a response for the node.
var ErrNoResponse = errors.New("no response given for this request")

// Ring answers a new inbound call with in (in.Start is set for it).
func (c *Call) Ring(in engine.Input) (*callflows.Response, error) {
	in.Start = true
	c.ID = ""
	return c.Send(in)
}

// Dialled is the answer an outbound call plays once the caller picks up:
// the start node's, which ivrctl call placed the call with. The webhook
// that follows answers it with no clientActionId yet.
func (c *Call) Dialled() (*callflows.Response, error) {
	r, err := decode(c.Flow.Start().Response())
	if err != nil {
		return nil, err
	}
	c.ID, c.Last, c.Step = "", r, engine.Step{Next: c.Flow.Start()}
	return r, nil
}

// Send answers the last answer with in, and returns the next.
func (c *Call) Send(in engine.Input) (*callflows.Response, error) {
	body, step := c.Flow.Answer(nil, c.Keys, c.ID, in)
	for i := 0; step.Request() != nil; i++ {
		if i == engine.MaxRequests {
			return nil, fmt.Errorf("node %s: more than %d requests for one webhook", step.Request().Node.ID(), engine.MaxRequests)
		}
		resp := engine.Response{Err: ErrNoResponse}
		if c.Respond != nil {
			resp = c.Respond(step.Request())
		}
		body, step = c.Flow.Resume(nil, c.Keys, step, resp, in)
	}
	r, err := decode(body)
	if err != nil {
		return nil, err
	}
	c.ID, c.Last, c.Step = r.ClientActionID, r, step
	return r, nil
}

func decode(body []byte) (*callflows.Response, error) {
	var r callflows.Response
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("decode answer %s: %w", body, err)
	}
	return &r, nil
}

// NodeOf returns the node ID a clientActionId starts with: "." is not in
// the node ID alphabet, so the first one ends it.
func NodeOf(clientActionID string) string {
	node, _, _ := strings.Cut(clientActionID, ".")
	return node
}

// Outcome reads a key entry that ends a bridged call, as sim and scenario
// files write it at a dial node: answered, busy, no-answer (or no_answer)
// or failed.
func Outcome(entry string) (callflows.TransferOutcome, bool) {
	return callflows.ParseTransferOutcome(strings.ReplaceAll(strings.TrimSpace(entry), "-", "_"))
}

// TimeLayout is the wall-clock form ParseTime takes besides RFC 3339.
const TimeLayout = "2006-01-02 15:04"

// ParseTime reads the time a call is placed at, for sim --at and a case's
// time: RFC 3339 (2026-12-24T18:30:00+01:00), or TimeLayout (2026-12-24
// 18:30) read in loc, the zone the flow's schedules keep.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation(TimeLayout, s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a time: use RFC 3339 (2026-12-24T18:30:00+01:00) or %q", s, TimeLayout)
	}
	return t, nil
}

// Zone is the zone a wall-clock time of a call is read in for flow: the
// zone of its schedule, so that "2026-12-24 18:00" is 18:00 on the line.
// A flow with schedules in several zones reads times in the zone of the
// first a call can reach: the nearest to the start, breadth first over the
// edges in the order Node.Edges lists them (then the first in the file,
// for a schedule no call reaches). A flow without schedules reads them in
// the local zone.
func Zone(flow *engine.Flow) *time.Location {
	seen := map[*engine.Node]bool{}
	queue := []*engine.Node{flow.Start()}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if n == nil || seen[n] {
			continue
		}
		seen[n] = true
		if s := n.Schedule(); s != nil {
			return s.Location()
		}
		for _, e := range n.Edges() {
			queue = append(queue, e.To)
		}
	}
	for _, n := range flow.Nodes() {
		if s := n.Schedule(); s != nil {
			return s.Location()
		}
	}
	return time.Local
}

// Why says in plain words why step s went where it went, for sim's
// transcript: "no input, asking again (1 of 2)", "back to main_menu". It is
// "" for what needs no saying: a key of the menu, the start, a bridged call
// that ended and went on to then, a menu with no budget moving on.
func Why(s engine.Step) string {
	next := s.Next.ID()
	if next == "" {
		next = "the built-in fallback"
	}
	var r engine.Retries
	if s.From != nil {
		r = s.From.NoInputRetries()
		if s.Outcome == engine.OutcomeInvalid || s.Outcome == engine.OutcomeInvalidRetry {
			r = s.From.InvalidRetries()
		}
	}
	switch s.Outcome {
	case engine.OutcomeNoInputRetry:
		return fmt.Sprintf("no input, asking again (%d of %d)", s.State.NoInput, r.Count)
	case engine.OutcomeInvalidRetry:
		if s.From != nil && s.From.Kind() == engine.KindCollect {
			return fmt.Sprintf("an entry that fails the check, asking again (%d of %d)", s.State.Invalid, r.Count)
		}
		return fmt.Sprintf("a key the menu does not have, asking again (%d of %d)", s.State.Invalid, r.Count)
	case engine.OutcomeNoInput:
		if r.Count > 0 {
			return fmt.Sprintf("no input %d times: on to %s", r.Count+1, next)
		}
	case engine.OutcomeInvalid:
		if r.Count > 0 {
			what := "a wrong key"
			if s.From != nil && s.From.Kind() == engine.KindCollect {
				what = "a wrong entry"
			}
			return fmt.Sprintf("%s %d times: on to %s", what, r.Count+1, next)
		}
	case engine.OutcomeCollected:
		return "saved: on to " + next
	case engine.OutcomeRepeat:
		return "the menu again"
	case engine.OutcomeBack:
		if s.From != nil && s.From.ID() == s.Next.ID() {
			return "back: this is the first menu, so again"
		}
		return "back to " + next
	case engine.OutcomeMain:
		return "to the main menu, " + next
	case engine.OutcomeHotkey:
		return "hotkey: on to " + next
	case engine.OutcomeAnswered, engine.OutcomeBusy, engine.OutcomeNoAnswer, engine.OutcomeFailed:
		return fmt.Sprintf("%s branch: on to %s", strings.ReplaceAll(string(s.Outcome), "_", " "), next)
	case engine.OutcomeLeaf:
		return "a webhook for a node that had hung up: the fallback"
	case engine.OutcomeUnknownNode:
		return "the flow has no such node: the fallback"
	case engine.OutcomeBadState:
		return fmt.Sprintf("the call's state could not be read (%s): the fallback", callstate.Reason(s.StateErr))
	}
	return ""
}

// Schedules says, for each schedule step s passed on the way, which
// branch held at t and why, for sim's transcript: "hours: Fri 2026-12-25
// 10:00 EST: holiday (closed: Christmas Day)".
func Schedules(s engine.Step, t time.Time) []string {
	var out []string
	for _, n := range s.Passed() {
		if sc := n.Schedule(); sc != nil {
			out = append(out, n.ID()+": "+sc.Explain(callTime(t)))
		}
	}
	return out
}

// Switches says, for each switch node step s passed on the way, which
// position its switch held in set and why, for sim's transcript:
// "check: outage_banner is on (set)" or "... off (its default)".
func Switches(s engine.Step, set engine.Switches) []string {
	var out []string
	for _, n := range s.Passed() {
		if name := n.Switch(); name != "" {
			why := "its default"
			if _, ok := set[name]; ok {
				why = "set"
			}
			out = append(out, fmt.Sprintf("%s: %s is %s (%s)", n.ID(), name, engine.SwitchLabel(n.SwitchOn(set)), why))
		}
	}
	return out
}

// ParseSwitch reads a switch position as sim --switch gives it:
// NAME=on or NAME=off.
func ParseSwitch(arg string) (name string, on bool, err error) {
	name, pos, ok := strings.Cut(arg, "=")
	if !ok || name == "" {
		return "", false, fmt.Errorf("%q is not NAME=on or NAME=off", arg)
	}
	if on, ok = engine.ParseSwitchPosition(pos); !ok {
		return "", false, fmt.Errorf("switch %s is %q; a switch is on or off", name, pos)
	}
	return name, on, nil
}

// callTime is the instant a step reads for input time t: now when unset,
// as the step itself does.
func callTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}

// CheckLang reports a language tag flow cannot start a call in: one it
// does not declare. "" is the flow's default, always fine.
func CheckLang(flow *engine.Flow, tag string) error {
	langs := flow.Languages()
	switch {
	case tag == "" || slices.Contains(langs, tag):
		return nil
	case len(langs) == 0:
		return fmt.Errorf("the flow declares no languages, so a call cannot start in %q", tag)
	}
	return fmt.Errorf("the flow has no language %q; it has %s", tag, strings.Join(langs, ", "))
}

// CheckSwitches reports a switch set names that flow does not declare,
// as sim --switch and a case's switches give them.
func CheckSwitches(flow *engine.Flow, set engine.Switches) error {
	var names []string
	for _, s := range flow.Switches() {
		names = append(names, s.Name)
	}
	for _, name := range slices.Sorted(maps.Keys(set)) {
		if slices.Contains(names, name) {
			continue
		}
		if len(names) == 0 {
			return fmt.Errorf("the flow declares no switches, so none is called %q", name)
		}
		return fmt.Errorf("the flow has no switch %q; it has %s", name, strings.Join(names, ", "))
	}
	return nil
}

// ParseResponse parses sim's --response NODE=STATUS[:JSON], NODE=timeout
// or NODE=error: what the business's API answers the request node NODE.
func ParseResponse(arg string) (string, engine.Response, error) {
	node, what, ok := strings.Cut(arg, "=")
	if !ok || node == "" || what == "" {
		return "", engine.Response{}, fmt.Errorf("want NODE=STATUS[:JSON], NODE=timeout or NODE=error, got %q", arg)
	}
	switch what {
	case "timeout":
		return node, engine.Response{TimedOut: true}, nil
	case "error":
		return node, engine.Response{Err: errors.New("no answer")}, nil
	}
	status, body, _ := strings.Cut(what, ":")
	code, err := strconv.Atoi(status)
	if err != nil || code < 100 || code > 599 {
		return "", engine.Response{}, fmt.Errorf("%q is not an HTTP status of 100 to 599", status)
	}
	if body != "" && !json.Valid([]byte(body)) {
		return "", engine.Response{}, fmt.Errorf("the body %q is not JSON", body)
	}
	return node, engine.Response{Status: code, Body: []byte(body)}, nil
}

// KeysFor returns keys, or, when there are none and flow carries values
// marked sensitive (which travel in the state only encrypted), a key made
// for this process alone: a call played in-process needs one as a served
// one does, and no state it seals leaves the process.
func KeysFor(flow *engine.Flow, keys callstate.Keys) callstate.Keys {
	if keys.Len() > 0 || !flow.CarriesSensitive() {
		return keys
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		panic(err) // crypto/rand does not fail on the systems Go supports
	}
	k, err := callstate.ParseKeys(base64.StdEncoding.EncodeToString(secret))
	if err != nil {
		panic(err)
	}
	return k
}
