package engine_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/callstate"
)

const switchFlow = `
switches:
  outage_banner: off
  holiday_mode: on
start: banner_check
nodes:
  banner_check:
    switch: outage_banner
    on: outage
    off: holiday_check
  outage:
    say: There is a planned outage in your area until 4 PM.
    then: holiday_check
  holiday_check:
    switch: holiday_mode
    on: holiday
    off: main
  holiday:
    say: Happy holidays.
  main:
    menu: Press 1 to hear this again.
    keys: {"1": main}
`

// TestSwitchWalk: a call takes each switch node's branch by the position
// its Input gives, and the flow's default where it gives none.
func TestSwitchWalk(t *testing.T) {
	flow := mustLoad(t, switchFlow)
	tests := []struct {
		name     string
		switches engine.Switches
		next     string
		passed   []string
		heard    string
	}{
		{"defaults", nil, "holiday", []string{"banner_check", "holiday_check"}, "Happy holidays."},
		{"outage on", engine.Switches{"outage_banner": true}, "holiday", []string{"banner_check", "outage", "holiday_check"}, "planned outage"},
		{"both flipped", engine.Switches{"outage_banner": true, "holiday_mode": false}, "main", []string{"banner_check", "outage", "holiday_check"}, "Press 1"},
		{"holiday off", engine.Switches{"holiday_mode": false}, "main", []string{"banner_check", "holiday_check"}, "Press 1"},
		{"unknown ignored", engine.Switches{"nope": true}, "holiday", []string{"banner_check", "holiday_check"}, "Happy holidays."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, s := flow.Answer(nil, callstate.Keys{}, "", engine.Input{Start: true, Switches: tt.switches})
			var passed []string
			for _, n := range s.Passed() {
				passed = append(passed, n.ID())
			}
			if s.Next.ID() != tt.next || !slices.Equal(passed, tt.passed) {
				t.Errorf("next %s through %v, want %s through %v", s.Next.ID(), passed, tt.next, tt.passed)
			}
			if !strings.Contains(string(body), tt.heard) {
				t.Errorf("answer %s does not say %q", body, tt.heard)
			}
		})
	}
}

// TestSwitchDeclared: the flow lists its switches with their defaults,
// and a switch node its edges, on before off.
func TestSwitchDeclared(t *testing.T) {
	flow := mustLoad(t, switchFlow)
	want := []engine.Switch{{Name: "outage_banner", Default: false}, {Name: "holiday_mode", Default: true}}
	if got := flow.Switches(); !slices.Equal(got, want) {
		t.Errorf("Switches() = %v, want %v", got, want)
	}
	if flow.SwitchOn("outage_banner", nil) || !flow.SwitchOn("outage_banner", engine.Switches{"outage_banner": true}) || flow.SwitchOn("nope", nil) {
		t.Error("SwitchOn does not read set over the defaults")
	}
	n, _ := flow.Node("banner_check")
	if n.Switch() != "outage_banner" {
		t.Errorf("Switch() = %q", n.Switch())
	}
	var edges []string
	for _, e := range n.Edges() {
		edges = append(edges, e.Kind.String()+" "+e.Label+" "+e.To.ID())
	}
	if want := []string{"switch on outage", "switch off holiday_check"}; !slices.Equal(edges, want) {
		t.Errorf("edges %v, want %v", edges, want)
	}
}
