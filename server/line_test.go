package server_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/callflows/carrier"
	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/callstate"
	"github.com/ivrctl/ivrctl/server"
	"github.com/ivrctl/ivrctl/server/logtest"
)

const linePath = "testdata/clinic_line.yaml"

// Instants of the clinic's hours, in New York.
var (
	wednesdayMorning = time.Date(2026, 12, 2, 14, 0, 0, 0, time.UTC) // 09:00
	wednesdayEvening = time.Date(2026, 12, 2, 23, 0, 0, 0, time.UTC) // 18:00
	saturdayMidnight = time.Date(2026, 12, 5, 5, 30, 0, 0, time.UTC) // 00:30, Friday night's range
	saturdayNight    = time.Date(2026, 12, 5, 7, 30, 0, 0, time.UTC) // 02:30
	christmas        = time.Date(2026, 12, 25, 15, 0, 0, 0, time.UTC)
)

// lineServer serves the clinic line with state keys and a clock the test
// sets, and keeps its log.
type lineServer struct {
	t    *testing.T
	url  string
	srv  *server.Server
	now  atomic.Pointer[time.Time]
	log  *logtest.Buffer
	keys callstate.Keys
}

func newLineServer(t *testing.T) *lineServer {
	t.Helper()
	keys, err := callstate.ParseKeys("bGluZS10ZXN0LWtleS0wMTIzNDU2Nzg5")
	if err != nil {
		t.Fatal(err)
	}
	ls := &lineServer{t: t, log: &logtest.Buffer{}, keys: keys}
	ls.now.Store(&wednesdayMorning)
	ls.srv = server.New(loadLine(t, linePath), server.Options{
		Logger:    zerolog.New(ls.log),
		StateKeys: keys,
		Clock:     func() time.Time { return *ls.now.Load() },
	})
	ts := httptest.NewServer(ls.srv.Routes())
	t.Cleanup(ts.Close)
	ls.url = ts.URL
	return ls
}

func loadLine(t *testing.T, path string) *engine.Flow {
	t.Helper()
	flow, diags, err := engine.Load(path, engine.LoadOptions{Env: noEnv})
	if err != nil || flow == nil || len(diags) > 0 {
		t.Fatalf("%s: %v %v", path, err, diags)
	}
	return flow
}

// lineCall is one call to the line: what it heard last, where it is.
type lineCall struct {
	t *testing.T
	c *carrier.Caller
}

func (ls *lineServer) ring() *lineCall {
	ls.t.Helper()
	lc := &lineCall{t: ls.t, c: &carrier.Caller{BaseURL: ls.url, CallID: "call-" + ls.t.Name()}}
	if _, err := lc.c.Ring(context.Background()); err != nil {
		ls.t.Fatal(err)
	}
	return lc
}

func (lc *lineCall) press(digits string) *lineCall {
	lc.t.Helper()
	if _, err := lc.c.Press(context.Background(), digits); err != nil {
		lc.t.Fatal(err)
	}
	return lc
}

func (lc *lineCall) endTransfer(o callflows.TransferOutcome) *lineCall {
	lc.t.Helper()
	if _, err := lc.c.EndTransfer(context.Background(), o); err != nil {
		lc.t.Fatal(err)
	}
	return lc
}

// heard returns what the last answer says, in order: texts and the names
// of other actions.
func (lc *lineCall) heard() []string {
	var out []string
	for _, a := range lc.c.Last.Callflow {
		switch a := a.(type) {
		case *callflows.Say:
			out = append(out, a.Text)
		case *callflows.SayAndCapture:
			out = append(out, a.PromptMessage)
		case *callflows.MakeCall:
			out = append(out, "makeCall "+a.Destination)
		default:
			out = append(out, a.ActionName())
		}
	}
	return out
}

// node returns the node the last answer's clientActionId names.
func (lc *lineCall) node() string {
	id, _, _ := strings.Cut(lc.c.Last.ClientActionID, ".")
	return id
}

func (lc *lineCall) expect(node string, heard ...string) *lineCall {
	lc.t.Helper()
	if got := lc.node(); got != node {
		lc.t.Fatalf("at %s (heard %q), want %s", got, lc.heard(), node)
	}
	if got := lc.heard(); !slices.Equal(got, heard) {
		lc.t.Fatalf("at %s heard %q, want %q", node, got, heard)
	}
	return lc
}

const (
	welcome     = "Welcome to the clinic."
	mainPrompt  = "For appointments press 1, for billing press 2."
	mainShort   = "Press 1 or 2."
	apptPrompt  = "To book press 1, for our address press 2."
	billPrompt  = "To pay press 1, for our address press 2."
	addrPrompt  = "We are at 1 Main Street. Press 1 to book."
	connecting  = "Connecting you to reception."
	lineGoodbye = "Goodbye."
)

func TestLineSilenceThenGiveUp(t *testing.T) {
	ls := newLineServer(t)
	c := ls.ring().expect("main_menu", welcome, mainPrompt)
	if c.c.Last.ClientActionID != "main_menu" {
		t.Errorf("clientActionId %q: nothing to carry yet, so the bare node", c.c.Last.ClientActionID)
	}
	if sc := c.c.Last.Callflow.Last().(*callflows.SayAndCapture); sc.NoOfTries != 1 {
		t.Errorf("noOfTries %d: the engine counts, so 8x8 captures once", sc.NoOfTries)
	}
	c.press("").expect("main_menu", "I did not hear anything.", mainShort)
	c.press("").expect("goodbye", lineGoodbye, "hangup")
}

func TestLineWrongKeysEachApology(t *testing.T) {
	ls := newLineServer(t)
	c := ls.ring()
	c.press("7").expect("main_menu", "Sorry, that is not an option.", mainShort)
	c.press("8").expect("main_menu", "Sorry, please choose one of the options.", mainShort)
	c.press("7").expect("ring_reception", connecting, "makeCall +15550100")
}

func TestLineRepeatSpendsNoBudget(t *testing.T) {
	ls := newLineServer(t)
	c := ls.ring()
	c.press("").expect("main_menu", "I did not hear anything.", mainShort)
	for range 4 {
		c.press("9").expect("main_menu", mainPrompt)
	}
	// The silence forgiven before the repeats is still spent.
	c.press("").expect("goodbye", lineGoodbye, "hangup")
}

func TestLineBackToEachParent(t *testing.T) {
	ls := newLineServer(t)
	c := ls.ring()
	c.press("1").expect("appointments", apptPrompt)
	c.press("2").expect("address", addrPrompt)
	c.press("*").expect("appointments", apptPrompt)
	c.press("*").expect("main_menu", mainPrompt)
	c.press("2").expect("billing", billPrompt)
	c.press("2").expect("address", addrPrompt)
	c.press("*").expect("billing", billPrompt)
	c.press("0").expect("ring_reception", connecting, "makeCall +15550100")
}

func TestLineSchedule(t *testing.T) {
	ls := newLineServer(t)
	for _, tt := range []struct {
		name  string
		at    time.Time
		heard []string
	}{
		{"open", wednesdayMorning, []string{welcome, mainPrompt}},
		{"evening", wednesdayEvening, []string{"We are closed. We open at 8.", "hangup"}},
		{"past midnight", saturdayMidnight, []string{welcome, mainPrompt}},
		{"night", saturdayNight, []string{"We are closed. We open at 8.", "hangup"}},
		{"holiday", christmas, []string{"We are closed for the holiday.", "hangup"}},
	} {
		ls.now.Store(&tt.at)
		c := ls.ring()
		if got := c.heard(); !slices.Equal(got, tt.heard) {
			t.Errorf("%s: heard %q, want %q", tt.name, got, tt.heard)
		}
	}
}

func TestLineTransferOutcomes(t *testing.T) {
	ls := newLineServer(t)
	manager := "makeCall +15550101"
	nobody := []string{"Nobody can take your call. Please call again.", "hangup"}
	for _, tt := range []struct {
		outcomes []callflows.TransferOutcome
		heard    []string
	}{
		{[]callflows.TransferOutcome{callflows.TransferAnswered}, []string{lineGoodbye, "hangup"}},
		{[]callflows.TransferOutcome{callflows.TransferBusy}, []string{manager}},
		{[]callflows.TransferOutcome{callflows.TransferNoAnswer}, []string{manager}},
		{[]callflows.TransferOutcome{callflows.TransferFailed}, []string{manager}},
		{[]callflows.TransferOutcome{callflows.TransferBusy, callflows.TransferAnswered}, []string{lineGoodbye, "hangup"}},
		{[]callflows.TransferOutcome{callflows.TransferNoAnswer, callflows.TransferNoAnswer}, nobody},
		{[]callflows.TransferOutcome{callflows.TransferFailed, callflows.TransferBusy}, nobody},
	} {
		c := ls.ring().press("0")
		for _, o := range tt.outcomes {
			c.endTransfer(o)
		}
		if got := c.heard(); !slices.Equal(got, tt.heard) {
			t.Errorf("%v: heard %q, want %q", tt.outcomes, got, tt.heard)
		}
	}
}

// TestLineBadState: a state cut at every length, with a flipped bit, a
// forged MAC, or signed by a key rotated out, and one naming a node a
// reload removed, each get the fallback, and a warning that says why.
func TestLineBadState(t *testing.T) {
	ls := newLineServer(t)
	c := ls.ring().press("1").press("2") // at address, with two menus to go back to
	good := c.c.Last.ClientActionID
	node, enc, ok := strings.Cut(good, ".")
	if !ok {
		t.Fatalf("clientActionId %q carries no state", good)
	}
	old, err := callstate.ParseKeys("cm90YXRlZC1vdXQta2V5LTAxMjM0NTY")
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := old.Encode(engine.State{Node: "address", Back: []string{"main_menu"}})
	if err != nil {
		t.Fatal(err)
	}
	flip := []byte(good)
	flip[len(node)+1+len(enc)/2] ^= 0x01
	forged := []byte(good)
	forged[len(forged)-1] = map[bool]byte{true: 'A', false: 'B'}[forged[len(forged)-1] != 'A']

	type bad struct{ name, id, reason string }
	cases := []bad{
		{"flipped bit", string(flip), ""},
		{"forged mac", string(forged), "forged"},
		{"rotated key", rotated, "unknown_key"},
	}
	for n := len(node) + 2; n < len(good); n++ {
		cases = append(cases, bad{"cut", good[:n], ""})
	}
	fallback := []string{engine.DefaultFallbackText, "hangup"}
	for _, tt := range cases {
		ls.log.Take()
		c.c.Last.ClientActionID = tt.id
		c.press("1")
		if got := c.heard(); !slices.Equal(got, fallback) {
			t.Fatalf("%s %q: heard %q, want the fallback", tt.name, tt.id, got)
		}
		lines, err := ls.log.Take()
		if err != nil || len(lines) != 1 {
			t.Fatalf("%s: log %v, %v", tt.name, lines, err)
		}
		l := lines[0]
		reason, _ := l["state_error"].(string)
		if l["level"] != "warn" || l["outcome"] != string(engine.OutcomeBadState) || reason == "" || reason == "other" {
			t.Errorf("%s: log line %v, want a warning with the reason", tt.name, l)
		}
		if tt.reason != "" && reason != tt.reason {
			t.Errorf("%s: reason %q, want %q", tt.name, reason, tt.reason)
		}
	}

	// A reload that removes the node the call is at: the fallback, logged
	// as an unknown node.
	c = ls.ring().press("1").press("2")
	ls.srv.SetFlow(loadLine(t, "testdata/clinic_line_no_address.yaml"))
	ls.log.Take()
	c.press("1")
	if got := c.heard(); !slices.Equal(got, fallback) {
		t.Fatalf("after the reload: heard %q, want the fallback", got)
	}
	lines, _ := ls.log.Take()
	if len(lines) != 1 || lines[0]["outcome"] != string(engine.OutcomeUnknownNode) || lines[0]["level"] != "warn" {
		t.Errorf("after the reload: log %v, want a warning of an unknown node", lines)
	}
}
