package engine

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestSchemaKeys checks that the schema allows, at every level, exactly
// the keys the parser allows, and the same names and IDs as the compiler,
// so that an editor completes no key that lint then rejects.
func TestSchemaKeys(t *testing.T) {
	var schema map[string]any
	if err := json.Unmarshal(Schema, &schema); err != nil {
		t.Fatal(err)
	}
	// at returns the schema object at path, failing the test if there is
	// none.
	at := func(path ...string) map[string]any {
		t.Helper()
		m := schema
		for _, p := range path {
			next, ok := m[p].(map[string]any)
			if !ok {
				t.Fatalf("flow.schema.json has no object at %v", path)
			}
			m = next
		}
		return m
	}
	props := func(path ...string) []string {
		t.Helper()
		var keys []string
		for k := range at(append(path, "properties")...) {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return keys
	}
	sorted := func(keys []string) []string { return slices.Sorted(slices.Values(keys)) }

	tests := []struct {
		name string
		path []string
		want []string
	}{
		{"the flow file", nil, topKeys},
		{"defaults", []string{"properties", "defaults"}, defaultsKeys},
		{"capture", []string{"$defs", "capture"}, captureKeys},
		{"dial", []string{"$defs", "dialNode", "properties", "dial"}, dialKeys},
		{"menu node", []string{"$defs", "menuNode"}, menuKind.keys},
		{"say node", []string{"$defs", "sayNode"}, sayKind.keys},
		{"dial node", []string{"$defs", "dialNode"}, dialKind.keys},
		{"schedule node", []string{"$defs", "scheduleNode"}, scheduleKind.keys},
		{"collect node", []string{"$defs", "collectNode"}, collectKind.keys},
		{"set node", []string{"$defs", "setNode"}, setKind.keys},
		{"branch node", []string{"$defs", "branchNode"}, branchKind.keys},
		{"request node", []string{"$defs", "requestNode"}, requestKind.keys},
		{"request", []string{"$defs", "requestNode", "properties", "request"}, requestKeys},
		{"schedule", []string{"$defs", "scheduleNode", "properties", "schedule"}, scheduleKeys},
		{"switch node", []string{"$defs", "switchNode"}, switchKind.keys},
		{"budget", []string{"$defs", "budget"}, budgetKeys},
		{"lint", []string{"$defs", "lint"}, lintKeys},
		{"language", []string{"$defs", "language"}, languageKeys},
		{"key target", []string{"$defs", "keyTarget"}, keyKeys},
		{"text segment", []string{"$defs", "segment"}, segmentKeys},
	}
	var union []string
	for _, tt := range tests {
		got := props(tt.path...)
		if !slices.Equal(got, sorted(tt.want)) {
			t.Errorf("schema keys of %s = %v, parser allows %v", tt.name, got, sorted(tt.want))
		}
		if at(tt.path...)["additionalProperties"] != false {
			t.Errorf("schema of %s allows other keys; set additionalProperties false", tt.name)
		}
		if tt.name[len(tt.name)-4:] == "node" {
			union = append(union, got...)
		}
	}
	union = slices.Compact(sorted(union))
	if want := sorted(allNodeKeys()); !slices.Equal(union, want) {
		t.Errorf("schema node keys = %v, parser allows %v", union, want)
	}

	// Each node kind requires its kind key, in the order of kindKeys.
	var kinds []string
	for i, alt := range at("$defs", "node")["oneOf"].([]any) {
		ref, _ := alt.(map[string]any)["$ref"].(string)
		name := ref[len("#/$defs/"):]
		req, _ := at("$defs", name)["required"].([]any)
		if len(req) == 0 {
			t.Fatalf("node alternative %d (%s) requires no key", i, ref)
		}
		kinds = append(kinds, req[0].(string))
	}
	if !slices.Equal(kinds, kindKeys) {
		t.Errorf("schema node kinds = %v, parser has %v", kinds, kindKeys)
	}

	// ignore takes the rules that warn, and no other.
	var warnings []any
	for _, r := range rules {
		if r.Severity == SeverityWarning {
			warnings = append(warnings, r.Name)
		}
	}
	if got := at("$defs", "warningRule")["enum"]; !slices.Equal(got.([]any), warnings) {
		t.Errorf("schema warning rules = %v, the registry's = %v", got, warnings)
	}

	patterns := []struct {
		name string
		path []string
		want string
	}{
		{"node ID", []string{"$defs", "nodeID"}, nodeIDPattern.String()},
		{"node reference", []string{"$defs", "nodeRef"}, nodeIDPattern.String()},
		{"var name", []string{"properties", "vars", "propertyNames"}, varName.String()},
		{"language tag", []string{"properties", "languages", "propertyNames"}, langTag.String()},
	}
	for _, p := range patterns {
		if got := at(p.path...)["pattern"]; got != p.want {
			t.Errorf("schema pattern of %s = %v, engine uses %q", p.name, got, p.want)
		}
	}
}

// TestSchemaRoutingDescriptions: what the schema tells an editor's user
// about on_invalid, on_no_input and tries is what Next does. One key the
// menu does not have goes to on_invalid at once (8x8 sent it, so no try
// is left to play); only silence waits for the tries, and 8x8 counts
// those, not the engine.
func TestSchemaRoutingDescriptions(t *testing.T) {
	flow, diags, err := Load("f.yaml", LoadOptions{Source: []byte("start: main\nnodes:\n  main:\n    menu: Press 1.\n    keys: {\"1\": bye}\n    on_invalid: sorry\n    on_no_input: bye\n    capture: {tries: 3}\n  sorry:\n    say: Sorry.\n  bye:\n    say: Bye.\n")})
	if err != nil || flow == nil {
		t.Fatalf("Load: %v %v", err, diags)
	}
	if s := flow.Next("main", "7"); s.Outcome != OutcomeInvalid || s.Next.ID() != "sorry" {
		t.Fatalf("one wrong key goes to %s (%s), want sorry at once", s.Next.ID(), s.Outcome)
	}
	var schema struct {
		Defs map[string]struct {
			Description string
			Properties  map[string]struct{ Description string }
		} `json:"$defs"`
	}
	if err := json.Unmarshal(Schema, &schema); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ what, desc, want, not string }{
		{"onInvalid", schema.Defs["onInvalid"].Description, "at once", "once the tries"},
		{"onNoInput", schema.Defs["onNoInput"].Description, "tries times", ""},
		{"capture.tries", schema.Defs["capture"].Properties["tries"].Description, "on_invalid at once", "before on_invalid"},
	} {
		if !strings.Contains(tt.desc, tt.want) || tt.not != "" && strings.Contains(tt.desc, tt.not) {
			t.Errorf("schema description of %s = %q; want it to say %q, and not %q", tt.what, tt.desc, tt.want, tt.not)
		}
	}
}
