package engine_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine"
)

const restaurantPath = "../flows/restaurant.yaml"

// fallbackKey is the golden file's key for the flow's fallback. It is not a
// valid node ID, so it cannot collide with one.
const fallbackKey = "(fallback)"

// loadRestaurant loads the shipped restaurant flow with an empty
// environment, so that its vars take their defaults (the seed's numbers).
func loadRestaurant(t testing.TB) *engine.Flow {
	t.Helper()
	flow, diags, err := engine.Load(restaurantPath, engine.LoadOptions{Env: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	if len(diags) > 0 || flow == nil {
		t.Fatalf("%s has diagnostics:\n%v", restaurantPath, diags)
	}
	return flow
}

// goldenResponses renders every node's response, in file order, then the
// fallback's, as one pretty-printed JSON object keyed by node ID.
func goldenResponses(t *testing.T, flow *engine.Flow) []byte {
	t.Helper()
	var buf bytes.Buffer
	buf.WriteByte('{')
	add := func(key string, resp []byte) {
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(key)
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(resp)
	}
	for _, n := range flow.Nodes() {
		add(n.ID(), n.Response())
	}
	add(fallbackKey, flow.Fallback().Response())
	buf.WriteByte('}')
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		t.Fatalf("responses are not valid JSON: %v\n%s", err, buf.Bytes())
	}
	out.WriteByte('\n')
	return out.Bytes()
}

// TestGoldenRestaurant compares the compiled response of every node of the
// shipped restaurant flow with testdata/golden/restaurant.json, which was
// checked by eye against the JSON samples of the seed tutorial.
func TestGoldenRestaurant(t *testing.T) {
	flow := loadRestaurant(t)
	got := goldenResponses(t, flow)
	path := filepath.Join("testdata", "golden", "restaurant.json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("compiled responses differ from %s; if the change is intended, run go test -update and review the diff.\ngot:\n%s", path, got)
	}
}

// TestRestaurantResponses checks the facts of the seed tutorial the golden
// file holds, one by one, so that a careless -update cannot hide them.
func TestRestaurantResponses(t *testing.T) {
	flow := loadRestaurant(t)
	if got, want := len(flow.Nodes()), 13; got != want {
		t.Fatalf("restaurant has %d nodes, want %d", got, want)
	}
	menus := map[string]string{
		"main_menu":        "Welcome to ABC Restaurant, to book a table press 1, to speak to a representative press 2, to hear our restaurant hours press 3.",
		"reservations":     "Press 1 to make a new reservation, press 2 to reschedule an existing reservation, press 3 to return to main menu.",
		"book_table":       "Reserving a Table, Press 1 to reserve a table for today, Press 2 to reserve a table for tomorrow.",
		"reschedule_table": "Rescheduling your reservation, Press 1 to keep your current reservation, press 2 to change your reservation to tomorrow.",
		"connect_call":     "Connecting you to the next available representative. Press 1 to connect now, press 2 to return to main menu",
	}
	says := map[string]string{
		"booked_today":      "We have booked your table for today, thank you.",
		"booked_tomorrow":   "We have booked your table for tomorrow, thank you.",
		"kept_reservation":  "Keeping your current reservation, thank you.",
		"moved_to_tomorrow": "Changing your reservation to tomorrow thank you.",
		"goodbye":           "Thank you for speaking to ABC Restaurant, have a great day.",
		"hours":             "Our restaurant hours are between 9AM and 9PM every day of the week.",
		"invalid_input":     "Invalid input, please call again.",
	}
	for id, text := range menus {
		want := callflows.Response{ClientActionID: id, Callflow: callflows.Callflow{&callflows.SayAndCapture{
			PromptMessage: text, VoiceProfile: "en-US-BenjaminRUS", Speed: 1,
			MinDigits: 1, MaxDigits: 1, DigitTimeout: 10000, OverallTimeout: 10000, NoOfTries: 2,
		}}}
		checkResponse(t, flow, id, want)
	}
	for id, text := range says {
		want := callflows.Response{ClientActionID: id, Callflow: callflows.Callflow{
			&callflows.Say{Text: text, VoiceProfile: "en-US-BenjaminRUS", Speed: 1},
			&callflows.Hangup{},
		}}
		checkResponse(t, flow, id, want)
	}
	checkResponse(t, flow, "post_call", callflows.Response{ClientActionID: "post_call", Callflow: callflows.Callflow{
		&callflows.MakeCall{Source: "+6568888888", Destination: "+6598888888"},
	}})
	if got := flow.Fallback().ID(); got != "invalid_input" {
		t.Errorf("fallback = %q, want invalid_input", got)
	}
}

// checkResponse compares the response bytes of node id with want, marshalled
// the way 8x8 expects, and round-trips them through callflows.
func checkResponse(t *testing.T, flow *engine.Flow, id string, want callflows.Response) {
	t.Helper()
	n, ok := flow.Node(id)
	if !ok {
		t.Errorf("no node %q", id)
		return
	}
	wantJSON, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(n.Response()); got != string(wantJSON) {
		t.Errorf("node %s response:\n got %s\nwant %s", id, got, wantJSON)
	}
	var back callflows.Response
	if err := json.Unmarshal(n.Response(), &back); err != nil {
		t.Errorf("node %s response does not decode: %v", id, err)
	}
	if len(back.Callflow) != len(n.Callflow()) {
		t.Errorf("node %s: response has %d actions, Callflow() %d", id, len(back.Callflow), len(n.Callflow()))
	}
}
