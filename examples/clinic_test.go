package examples_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"reflect"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/callflows/carrier"
	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/server"
)

// The answers of clinic.yaml, written out in full so that a change to a
// prompt, a voice or a number shows up here as a change of expectations.
var (
	mainMenu = menu("main_menu", "Thank you for calling Riverside Medical Practice. "+
		"If this is an emergency, hang up and dial 999. "+
		"For appointments, press 1. "+
		"For repeat prescriptions, press 2. "+
		"To speak to the on-call nurse, press 3. "+
		"To speak to reception, press 0. "+
		"To hear these options again, press star.")
	appointments = menu("appointments", "Appointments. "+
		"To book a new appointment, press 1. "+
		"To change an existing appointment, press 2 and we will put you through to reception. "+
		"To cancel an appointment, press 3. "+
		"To return to the main menu, press star.")
	bookAppointment = menu("book_appointment", "For an appointment today, press 1 to speak to reception. "+
		"For a routine appointment on another day, press 2. "+
		"To return to the main menu, press star.")
	// cancelAppointment overrides the defaults: another voice, a slower
	// speed and a longer, more forgiving capture.
	cancelAppointment = &callflows.Response{
		ClientActionID: "cancel_appointment",
		Callflow: callflows.Callflow{&callflows.SayAndCapture{
			PromptMessage: "To cancel your next appointment, booked under the number you are calling from, press 1. " +
				"To keep it, press 2. " +
				"To return to the main menu, press star.",
			VoiceProfile:   "en-IE-EmilyNeural",
			Speed:          0.9,
			MinDigits:      1,
			MaxDigits:      1,
			DigitTimeout:   8000,
			OverallTimeout: 20000,
			CompleteOnHash: new(false),
			NoOfTries:      3,
		}},
	}
	bookOnline = say("book_online", "Routine appointments can be booked online at any time in the Riverside Health app, "+
		"up to four weeks ahead. Thank you for calling, goodbye.")
	appointmentCancelled = say("appointment_cancelled", "Your appointment has been cancelled, "+
		"and the time will be offered to another patient. Thank you for letting us know. Goodbye.")
	appointmentKept = say("appointment_kept", "Your appointment has not been changed. "+
		"We look forward to seeing you. Goodbye.")
	prescriptions = say("prescriptions", "Repeat prescriptions can be ordered in the Riverside Health app, "+
		"or with the request slip from your last prescription at reception. "+
		"Please allow two working days before collecting from your pharmacy. Goodbye.")
	connectReception = dial("connect_reception", "+442079460100", "+442079460200")
	connectNurse     = dial("connect_nurse", "+442079460100", "+447700900300")
	goodbye          = say("goodbye", "Thank you for calling Riverside Medical Practice. Goodbye.")
	invalidChoice    = say("invalid_choice", "Sorry, that is not one of the options. Please call again. "+
		"If this is an emergency, hang up and dial 999.")
	noChoice = say("no_choice", "We did not hear a choice. Please call again when you are ready. "+
		"If this is an emergency, hang up and dial 999.")
	technicalProblem = say("technical_problem", "Sorry, we could not complete your call. "+
		"Please call Riverside Medical Practice again. If this is an emergency, hang up and dial 999.")
)

// menu is the answer of a menu with the flow's default voice and capture.
func menu(id, prompt string) *callflows.Response {
	return &callflows.Response{ClientActionID: id, Callflow: callflows.Callflow{&callflows.SayAndCapture{
		PromptMessage:  prompt,
		VoiceProfile:   "en-GB-Emma",
		Speed:          1,
		MinDigits:      1,
		MaxDigits:      1,
		DigitTimeout:   5000,
		OverallTimeout: 15000,
		CompleteOnHash: new(false),
		NoOfTries:      2,
	}}}
}

// say is the answer of a say node with the flow's default voice.
func say(id, text string) *callflows.Response {
	return &callflows.Response{ClientActionID: id, Callflow: callflows.Callflow{
		&callflows.Say{Text: text, VoiceProfile: "en-GB-Emma", Speed: 1},
		&callflows.Hangup{},
	}}
}

// dial is the answer of a dial node.
func dial(id, from, to string) *callflows.Response {
	return &callflows.Response{ClientActionID: id, Callflow: callflows.Callflow{
		&callflows.MakeCall{Source: from, Destination: to},
	}}
}

// A step answers the last answer of a call with digits and expects want.
type step struct {
	press string // "" is no input; after a dial, the end of the bridged call
	want  *callflows.Response
}

// A path is one call through the clinic's menu.
type path struct {
	name string
	// outbound calls start where an outbound call's first callflow left
	// the caller: at the start menu, answered with no clientActionId.
	// Other calls ring in first and hear the start menu.
	outbound bool
	steps    []step
}

// paths walk every edge of clinic.yaml; TestClinicPathsCoverEveryEdge
// keeps it so.
var paths = []path{
	{name: "book online", steps: []step{
		{"1", appointments}, {"1", bookAppointment}, {"2", bookOnline},
	}},
	{name: "book today through reception", steps: []step{
		{"1", appointments}, {"1", bookAppointment}, {"1", connectReception}, {"", goodbye},
	}},
	{name: "change through reception", steps: []step{
		{"1", appointments}, {"2", connectReception}, {"", goodbye},
	}},
	{name: "cancel", steps: []step{
		{"1", appointments}, {"3", cancelAppointment}, {"1", appointmentCancelled},
	}},
	{name: "keep", steps: []step{
		{"1", appointments}, {"3", cancelAppointment}, {"2", appointmentKept},
	}},
	{name: "silence never cancels", steps: []step{
		{"1", appointments}, {"3", cancelAppointment}, {"", appointmentKept},
	}},
	{name: "invalid key at cancel", steps: []step{
		{"1", appointments}, {"3", cancelAppointment}, {"9", invalidChoice},
	}},
	{name: "star returns to the main menu from every menu", steps: []step{
		{"*", mainMenu},
		{"1", appointments}, {"*", mainMenu},
		{"1", appointments}, {"1", bookAppointment}, {"*", mainMenu},
		{"1", appointments}, {"3", cancelAppointment}, {"*", mainMenu},
		{"2", prescriptions},
	}},
	{name: "on-call nurse", steps: []step{
		{"3", connectNurse}, {"", goodbye},
	}},
	{name: "reception", steps: []step{
		{"0", connectReception}, {"", goodbye},
	}},
	{name: "invalid key at main menu", steps: []step{{"7", invalidChoice}}},
	{name: "no input at main menu", steps: []step{{"", noChoice}}},
	{name: "invalid key at appointments", steps: []step{{"1", appointments}, {"#", invalidChoice}}},
	{name: "no input at appointments", steps: []step{{"1", appointments}, {"", noChoice}}},
	{name: "invalid key at booking", steps: []step{
		{"1", appointments}, {"1", bookAppointment}, {"5", invalidChoice},
	}},
	{name: "no input at booking", steps: []step{
		{"1", appointments}, {"1", bookAppointment}, {"", noChoice},
	}},
	{name: "outbound prescriptions", outbound: true, steps: []step{{"2", prescriptions}}},
}

// noEnv is an environment with nothing set, so that the flow's defaults
// apply whatever the machine running the tests has set.
func noEnv(string) (string, bool) { return "", false }

func loadClinic(t *testing.T, env engine.LookupEnv) *engine.Flow {
	t.Helper()
	flow, diags, err := engine.Load("clinic.yaml", engine.LoadOptions{Env: env})
	if err != nil {
		t.Fatal(err)
	}
	if len(diags) > 0 { // warnings too: the example must be clean
		t.Fatalf("clinic.yaml has diagnostics:\n%v", diags)
	}
	return flow
}

func serveFlow(t *testing.T, flow *engine.Flow) string {
	t.Helper()
	ts := httptest.NewServer(server.New(flow, server.Options{}).Routes())
	t.Cleanup(ts.Close)
	return ts.URL
}

// checkAnswer fails the test unless got is want.
func checkAnswer(t *testing.T, what string, got, want *callflows.Response) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Fatalf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func TestClinicPaths(t *testing.T) {
	url := serveFlow(t, loadClinic(t, noEnv))
	for _, shape := range carrier.Shapes {
		t.Run(shape.String(), func(t *testing.T) {
			for i, p := range paths {
				t.Run(p.name, func(t *testing.T) {
					t.Parallel()
					c := &carrier.Caller{BaseURL: url, Shape: shape, CallID: fmt.Sprintf("%s-%d", shape, i)}
					if !p.outbound {
						got, err := c.Ring(t.Context())
						if err != nil {
							t.Fatal(err)
						}
						checkAnswer(t, "ring", got, mainMenu)
					}
					for j, s := range p.steps {
						got, err := c.Press(t.Context(), s.press)
						if err != nil {
							t.Fatal(err)
						}
						checkAnswer(t, fmt.Sprintf("step %d, press %q", j+1, s.press), got, s.want)
					}
				})
			}
		})
	}
}

// TestClinicFallback: a webhook the flow cannot place, as after a reload
// that removed a node or a repeated webhook for a node that has hung up,
// hears the flow's own fallback, not silence.
func TestClinicFallback(t *testing.T) {
	url := serveFlow(t, loadClinic(t, noEnv))
	for _, shape := range carrier.Shapes {
		t.Run(shape.String(), func(t *testing.T) {
			c := &carrier.Caller{BaseURL: url, Shape: shape}
			for _, tc := range []struct{ clientActionID, press string }{
				{"opening_hours", "1"}, // no such node
				{"goodbye", ""},        // a leaf: the call has already ended
				{"appointment_cancelled", "1"},
			} {
				got, err := c.PressAt(t.Context(), tc.clientActionID, tc.press)
				if err != nil {
					t.Fatal(err)
				}
				checkAnswer(t, fmt.Sprintf("press %q at %s", tc.press, tc.clientActionID), got, technicalProblem)
			}
		})
	}
}

// TestClinicEnvironment: the deployment's numbers come from the
// environment, and only the three documented variables are read.
func TestClinicEnvironment(t *testing.T) {
	var (
		mu   sync.Mutex
		read []string
	)
	env := map[string]string{
		"CLINIC_RECEPTION":      "+442079460999",
		"CLINIC_VIRTUAL_NUMBER": "", // set but empty: the default applies
	}
	flow := loadClinic(t, func(name string) (string, bool) {
		mu.Lock()
		read = append(read, name)
		mu.Unlock()
		v, ok := env[name]
		return v, ok
	})
	sort.Strings(read)
	if want := []string{"CLINIC_NURSE_ON_CALL", "CLINIC_RECEPTION", "CLINIC_VIRTUAL_NUMBER"}; !slices.Equal(read, want) {
		t.Errorf("clinic.yaml reads the environment variables %q, want %q", read, want)
	}

	url := serveFlow(t, flow)
	for _, tc := range []struct {
		press string
		want  *callflows.Response
	}{
		{"0", dial("connect_reception", "+442079460100", "+442079460999")},
		{"3", connectNurse},
	} {
		c := &carrier.Caller{BaseURL: url}
		if _, err := c.Ring(t.Context()); err != nil {
			t.Fatal(err)
		}
		got, err := c.Press(t.Context(), tc.press)
		if err != nil {
			t.Fatal(err)
		}
		checkAnswer(t, fmt.Sprintf("press %q", tc.press), got, tc.want)
	}
}

// edge names one way out of a node: a menu's key, "invalid" or
// "no input", or a dial's "then".
type edge struct{ node, via string }

// TestClinicPathsCoverEveryEdge keeps paths complete: every key of every
// menu, every menu's invalid key and silence, every dial's then, and every
// node are walked by some path, so a node or key added to clinic.yaml
// without a path fails here.
func TestClinicPathsCoverEveryEdge(t *testing.T) {
	flow := loadClinic(t, noEnv)
	want := map[edge]bool{}
	unreached := map[string]bool{}
	for _, n := range flow.Nodes() {
		if n != flow.Fallback() { // TestClinicFallback answers it
			unreached[n.ID()] = true
		}
		switch n.Kind() {
		case engine.KindMenu:
			for _, k := range n.Keys() {
				want[edge{n.ID(), k}] = true
			}
			want[edge{n.ID(), "invalid"}] = true
			want[edge{n.ID(), "no input"}] = true
		case engine.KindDial:
			want[edge{n.ID(), "then"}] = true
		}
	}

	walked := map[edge]bool{}
	for _, p := range paths {
		at := flow.Start()
		delete(unreached, at.ID())
		for i, s := range p.steps {
			var via string
			switch _, isKey := at.Target(s.press); {
			case at.Kind() == engine.KindDial:
				via = "then"
			case s.press == "":
				via = "no input"
			case isKey:
				via = s.press
			default:
				via = "invalid"
			}
			walked[edge{at.ID(), via}] = true
			next, ok := flow.Node(s.want.ClientActionID)
			if !ok {
				t.Fatalf("path %q step %d expects node %q, which clinic.yaml does not have", p.name, i+1, s.want.ClientActionID)
			}
			delete(unreached, next.ID())
			at = next
		}
	}
	for e := range want {
		if !walked[e] {
			t.Errorf("no path walks %s of node %q", e.via, e.node)
		}
	}
	for e := range walked {
		if !want[e] {
			t.Errorf("a path walks %s of node %q, which clinic.yaml does not have", e.via, e.node)
		}
	}
	for id := range unreached {
		t.Errorf("no path reaches node %q", id)
	}
}
