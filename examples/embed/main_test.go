package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/callflows/carrier"
	"github.com/ivrctl/ivrctl/server/logtest"
)

// guard bounds a wait that only a bug makes long, so that a hang fails
// with a message instead of the test binary's timeout.
const guard = 30 * time.Second

// start runs the program on a free loopback port and returns its base URL,
// its log, and a stop function that cancels it and returns what run
// returned.
func start(t *testing.T) (base string, logs *logtest.Buffer, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	logs = new(logtest.Buffer)
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, "127.0.0.1:0", logs, func(a net.Addr) { addrc <- a }) }()
	select {
	case a := <-addrc:
		base = "http://" + a.String()
	case err := <-done:
		cancel()
		t.Fatalf("run returned before listening: %v\nlog:\n%s", err, logs)
	case <-time.After(guard):
		cancel()
		t.Fatal("run did not start listening")
	}
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(guard):
				t.Fatal("run did not return after its context was cancelled")
			}
		})
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return base, logs, stop
}

func menuAnswer(id, prompt string) *callflows.Response {
	return &callflows.Response{ClientActionID: id, Callflow: callflows.Callflow{&callflows.SayAndCapture{
		PromptMessage:  prompt,
		VoiceProfile:   "en-US-Jenny",
		Speed:          1,
		MinDigits:      1,
		MaxDigits:      1,
		DigitTimeout:   5000,
		OverallTimeout: 15000,
		CompleteOnHash: new(false),
		NoOfTries:      2,
	}}}
}

func sayAnswer(id, text string) *callflows.Response {
	return &callflows.Response{ClientActionID: id, Callflow: callflows.Callflow{
		&callflows.Say{Text: text, VoiceProfile: "en-US-Jenny", Speed: 1},
		&callflows.Hangup{},
	}}
}

var (
	mainMenu = menuAnswer("main_menu", "G'day, you've reached Corner Bikes. "+
		"For our opening hours, press 1. To ask the workshop about a repair, press 2.")
	hours = sayAnswer("hours", "We're open from 8am to 6pm Tuesday to Saturday. See you soon.")
	// The virtual number comes from the environment TestRun sets; the
	// workshop's is flow.yaml's default.
	workshop = &callflows.Response{ClientActionID: "workshop", Callflow: callflows.Callflow{
		&callflows.MakeCall{Source: "+61355501999", Destination: "+61491570156"},
	}}
	goodbye = sayAnswer("goodbye", "Thanks for calling Corner Bikes. Ride safe.")
	sorry   = sayAnswer("sorry", "Sorry, we didn't catch that. Please call again.")
)

func checkAnswer(t *testing.T, what string, got, want *callflows.Response) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func TestRun(t *testing.T) {
	t.Setenv("SHOP_VIRTUAL_NUMBER", "+61355501999")
	t.Setenv("SHOP_WORKSHOP", "") // empty: flow.yaml's default applies
	base, logs, stop := start(t)

	// 8x8's side of three calls, through the /ivr prefix.
	for _, shape := range carrier.Shapes {
		for _, call := range []struct {
			presses []string
			want    []*callflows.Response
		}{
			{[]string{"2", ""}, []*callflows.Response{workshop, goodbye}}, // "" after a dial: the bridged call ended
			{[]string{"1"}, []*callflows.Response{hours}},
			{[]string{"9"}, []*callflows.Response{sorry}},
			{[]string{""}, []*callflows.Response{sorry}},
		} {
			c := &carrier.Caller{BaseURL: base + "/ivr", Shape: shape}
			got, err := c.Ring(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			checkAnswer(t, shape.String()+" ring", got, mainMenu)
			for i, digits := range call.presses {
				got, err := c.Press(t.Context(), digits)
				if err != nil {
					t.Fatal(err)
				}
				checkAnswer(t, shape.String()+" press "+digits, got, call.want[i])
			}
		}
	}

	// The shop's own route, and the server's beside it.
	if code, body := get(t, base+"/hello"); code != http.StatusOK || body != "Hello from Corner Bikes.\n" {
		t.Errorf("GET /hello = %d %q, want 200 %q", code, body, "Hello from Corner Bikes.\n")
	}
	if code, body := get(t, base+"/ivr/readyz"); code != http.StatusOK || !strings.Contains(body, `"flow":"Corner Bikes"`) {
		t.Errorf("GET /ivr/readyz = %d %s, want 200 and the flow's name", code, body)
	}
	// The webhooks live under /ivr only.
	status, _, err := carrier.Post(t.Context(), nil, base+"/webhooks/vca", carrier.Event{}.Body())
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusNotFound {
		t.Errorf("POST /webhooks/vca without the prefix = %d, want 404", status)
	}

	if err := stop(); err != nil {
		t.Fatalf("run returned %v after its context was cancelled, want nil\nlog:\n%s", err, logs)
	}
	if _, err := net.Dial("tcp", strings.TrimPrefix(base, "http://")); err == nil {
		t.Error("the port still accepts connections after run returned")
	}

	// The server logs through the logger run gave it: one line per VCA.
	var sawDial, sawStopped bool
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Bytes())
		}
		switch line["message"] {
		case "vca":
			if line["node"] == "main_menu" && line["dtmf"] == "2" && line["next_node"] == "workshop" {
				sawDial = true
			}
		case "stopped":
			sawStopped = true
		}
	}
	if !sawDial || !sawStopped {
		t.Errorf("log lacks the vca line of the dial (%t) or the stopped line (%t):\n%s", sawDial, sawStopped, logs)
	}
}

func TestRunAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	called := false
	err = run(t.Context(), ln.Addr().String(), io.Discard, func(net.Addr) { called = true })
	if err == nil || called {
		t.Errorf("run on a port in use = %v, listening called %t; want an error and no call", err, called)
	}
}
