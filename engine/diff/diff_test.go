package diff_test

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/engine/diff"
	"github.com/ivrctl/ivrctl/engine/internal/enginetest"
)

// TestDiffFixtures diffs each testdata/NAME.old.yaml against
// NAME.new.yaml and compares the text with NAME.out; -update rewrites it.
func TestDiffFixtures(t *testing.T) {
	olds, err := filepath.Glob("testdata/*.old.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(olds) < 10 {
		t.Fatalf("found %d diff fixtures, want at least 10", len(olds))
	}
	for _, oldPath := range olds {
		base := strings.TrimSuffix(oldPath, ".old.yaml")
		t.Run(filepath.Base(base), func(t *testing.T) {
			changes := diff.Compare(enginetest.Load(t, oldPath), enginetest.Load(t, base+".new.yaml"))
			enginetest.Golden(t, base+".out", changes.Text())
		})
	}
}

// TestDiffKinds checks the kinds each fixture reports, so that a -update
// cannot quietly lose one.
func TestDiffKinds(t *testing.T) {
	tests := map[string][]diff.Kind{
		"prompt_changed":    {diff.PromptChanged},
		"key_rerouted":      {diff.KeyRerouted, diff.NewUnreachable},
		"key_added_removed": {diff.KeyAdded, diff.KeyRemoved, diff.NewUnreachable},
		"node_added":        {diff.NodeAdded, diff.KeyAdded},
		"node_removed":      {diff.KeyRemoved, diff.NodeRemoved},
		"kind_changed":      {diff.KindChanged, diff.PromptChanged, diff.KeyAdded},
		"dial_changed":      {diff.DialChanged},
		"start_changed":     {diff.StartChanged, diff.NewUnreachable, diff.NewUnreachable, diff.NewUnreachable},
		"dead_end":          {diff.KeyRemoved, diff.KeyRerouted, diff.InvalidChanged, diff.NoInputChanged, diff.NewDeadEnd, diff.NewUnreachable, diff.ThenChanged, diff.NewDeadEnd, diff.NewUnreachable},
		"reformatted":       {},
		"voice_and_routes":  {diff.VoiceChanged, diff.VoiceChanged, diff.ThenChanged, diff.VoiceChanged},
		// A default's budget told once for every menu, a re-prompt changed
		// and added, a menu's own messages.
		"budgets": {diff.BudgetChanged, diff.RepromptChanged, diff.BudgetChanged, diff.RepromptChanged},
		// A default's hotkey told once; a menu's own added and switched off.
		"hotkeys": {diff.HotkeyChanged, diff.HotkeyAdded, diff.HotkeyRemoved},
		// A message that continues elsewhere; a dial's branch moved to
		// then, and a new branch.
		"outcomes": {diff.ContinueChanged, diff.OutcomeChanged, diff.OutcomeChanged},
		// Hours and a closed date in plain words; a branch that moved.
		"schedule": {diff.ScheduleChanged, diff.ScheduleChanged, diff.RouteChanged},
		// A switch on by default where it was off; another node reads
		// another switch; a switch's branch moved.
		"switches": {diff.SwitchChanged, diff.RouteChanged, diff.SwitchChanged},
		// A language added and one removed; a recording and texts changed
		// in each language both versions speak; a key's language.
		"languages": {diff.LangAdded, diff.LangRemoved, diff.PromptChanged, diff.PromptChanged, diff.PromptChanged, diff.PromptChanged, diff.KeyLangChanged, diff.PromptChanged},
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			base := filepath.Join("testdata", name)
			changes := diff.Compare(enginetest.Load(t, base+".old.yaml"), enginetest.Load(t, base+".new.yaml"))
			got := []diff.Kind{}
			for _, c := range changes {
				got = append(got, c.Kind)
			}
			if !slices.Equal(got, want) {
				t.Errorf("kinds = %v, want %v", got, want)
			}
		})
	}
}

func TestDiffSame(t *testing.T) {
	flow := enginetest.Load(t, "../../flows/restaurant.yaml")
	changes := diff.Compare(flow, flow)
	if changes == nil || len(changes) != 0 {
		t.Errorf("Compare(flow, flow) = %#v, want an empty non-nil list", changes)
	}
	if got := changes.Text(); got != "no changes for callers\n" {
		t.Errorf("Text() = %q", got)
	}
	b, err := json.Marshal(changes)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "[]" {
		t.Errorf("JSON = %s, want []", b)
	}
}

func TestDiffJSON(t *testing.T) {
	changes := diff.Compare(enginetest.Load(t, "testdata/key_rerouted.old.yaml"), enginetest.Load(t, "testdata/key_rerouted.new.yaml"))
	b, err := json.Marshal(changes)
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]string
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := []map[string]string{
		{"kind": "key-rerouted", "node": "main", "old": "connect", "new": "hours", "message": "main: key 2 now goes to hours (was connect)"},
		{"kind": "new-unreachable", "node": "connect", "old": "", "new": "", "message": "! connect is now unreachable"},
	}
	if len(got) != len(want) {
		t.Fatalf("JSON = %s, want %d changes", b, len(want))
	}
	for i := range want {
		for k, v := range want[i] {
			if got[i][k] != v {
				t.Errorf("change %d: %s = %q, want %q", i, k, got[i][k], v)
			}
		}
		if len(got[i]) != len(want[i]) {
			t.Errorf("change %d has fields %v, want %v", i, got[i], want[i])
		}
	}
}

func TestDiffPromptText(t *testing.T) {
	changes := diff.Compare(enginetest.Load(t, "testdata/prompt_changed.old.yaml"), enginetest.Load(t, "testdata/prompt_changed.new.yaml"))
	want := "hours: message changed\n  - We are open 9 to 9.\n  + We are open 9 to 10.\n"
	if got := changes.Text(); got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}
}
