package engine_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/ivrctl/ivrctl/engine"
)

// compileSchema compiles engine.Schema, checking it against the draft
// 2020-12 meta-schema on the way.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(engine.Schema))
	if err != nil {
		t.Fatalf("flow.schema.json is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	const url = "https://github.com/ivrctl/ivrctl/engine/flow.schema.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatalf("compile flow.schema.json: %v", err)
	}
	return sch
}

// yamlValue decodes a flow file into the JSON-like value an editor's YAML
// language server checks against the schema: keys become strings, so that
// an unquoted key such as 1 is the property "1".
func yamlValue(t *testing.T, src []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(src, &v); err != nil {
		t.Fatalf("decode YAML: %v", err)
	}
	return jsonValue(v)
}

func jsonValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = jsonValue(x)
		}
		return m
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[fmt.Sprint(k)] = jsonValue(x)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, x := range v {
			l[i] = jsonValue(x)
		}
		return l
	}
	return v
}

func TestSchemaIsJSON(t *testing.T) {
	if !json.Valid(engine.Schema) {
		t.Fatal("engine.Schema is not valid JSON")
	}
	compileSchema(t)
}

// TestSchemaShippedFlows checks that the schema accepts every shipped flow,
// and that each names the schema on its first line for editors.
func TestSchemaShippedFlows(t *testing.T) {
	sch := compileSchema(t)
	for _, path := range []string{
		"../flows/restaurant.yaml",
		"../examples/clinic.yaml",
		"../examples/embed/flow.yaml",
	} {
		t.Run(path, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(yamlValue(t, src)); err != nil {
				t.Errorf("schema rejects %s: %v", path, err)
			}
			first, _, _ := strings.Cut(string(src), "\n")
			dir, err := filepath.Abs(filepath.Dir(path))
			if err != nil {
				t.Fatal(err)
			}
			schema, err := filepath.Abs("flow.schema.json")
			if err != nil {
				t.Fatal(err)
			}
			rel, err := filepath.Rel(dir, schema)
			if err != nil {
				t.Fatal(err)
			}
			if want := "# yaml-language-server: $schema=" + filepath.ToSlash(rel); first != want {
				t.Errorf("%s: first line is %q, want %q", path, first, want)
			}
		})
	}
}

// TestSchemaErrFixtures checks the schema against the fixtures of
// testdata/err. It rejects those whose mistakes are in the shape of the
// file, and leaves the rest, which take the whole flow to see (references,
// variables, 8x8's limits), to ivrctl lint.
func TestSchemaErrFixtures(t *testing.T) {
	sch := compileSchema(t)
	tests := []struct {
		name   string
		reject bool
	}{
		// Shape: keys, types, required keys, value syntax.
		{"bad_complete_on_hash", true},
		{"bad_duration", true},
		{"bad_speed", true},
		{"bad_tries", true},
		{"comments_only", true},
		{"dial_empty_to", true},
		{"dial_missing", true},
		{"dtmf_key_invalid", true},
		{"empty_file", true},
		{"empty_text", true},
		{"menu_no_keys", true},
		{"missing_nodes", true},
		{"missing_start", true},
		{"node_id_invalid", true},
		{"node_no_kind", true},
		{"node_two_kinds", true},
		{"start_empty", true},
		{"top_not_mapping", true},
		{"top_scalar", true},
		{"type_capture_dial_keys", true},
		{"type_node_not_mapping", true},
		{"type_nodes_list", true},
		{"type_not_mapping", true},
		{"type_not_single_value", true},
		{"unknown_defaults_key", true},
		{"unknown_node_key", true},
		{"unknown_top_key", true},
		{"var_name_invalid", true},
		{"version_unsupported", true},
		{"ignore_bad", true},

		// The whole flow: left to ivrctl lint. Not here: duplicate keys
		// (many_errors has one too) and syntax errors, which fail before
		// there is a value to check, and a second document, which a
		// language server checks on its own.
		{"callflow_defaults", false},
		{"callflow_node", false},
		{"capture_from_defaults", false},
		{"capture_min_gt_max", false},
		{"capture_timeouts", false},
		{"env_outside_vars", false},
		{"env_unset", false},
		{"fallback_not_say", false},
		{"key_target_undefined", false},
		{"key_too_long", false},
		{"ref_undefined", false},
		{"start_undefined", false},
		{"var_unknown", false},
		{"voice_unknown", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata", "err", tt.name+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			err = sch.Validate(yamlValue(t, src))
			switch {
			case tt.reject && err == nil:
				t.Errorf("schema accepts %s.yaml", tt.name)
			case !tt.reject && err != nil:
				t.Errorf("schema rejects %s.yaml, which only ivrctl lint can tell is wrong: %v", tt.name, err)
			}
		})
	}
}

// TestSchemaValuesAgree checks, value by value, that the schema accepts
// what the engine accepts. Where the two cannot agree (1ns passes the
// schema's duration pattern; True is a YAML boolean but not "true" to the
// engine) the value is left out: lint has the last word.
func TestSchemaValuesAgree(t *testing.T) {
	sch := compileSchema(t)
	type tmpl struct{ name, flow string }
	var (
		duration = tmpl{"duration", `
start: main
nodes:
  main:
    menu: Press 1.
    capture: {digit_timeout: %[1]s, overall_timeout: %[1]s}
    keys: {"1": main}
`}
		speed = tmpl{"speed", `
start: main
nodes:
  main: {say: Hello., speed: %s}
`}
		tries = tmpl{"tries", `
start: main
nodes:
  main:
    menu: Press 1.
    capture: {tries: %s}
    keys: {"1": main}
`}
		hash = tmpl{"complete_on_hash", `
start: main
nodes:
  main:
    menu: Press 1.
    capture: {complete_on_hash: %s}
    keys: {"1": main}
`}
		version = tmpl{"version", `
version: %s
start: main
nodes:
  main: {say: Hello.}
`}
		nodeID = tmpl{"node ID", `
start: %[1]s
nodes:
  %[1]s: {say: Hello.}
`}
		dtmf = tmpl{"DTMF key", `
start: main
nodes:
  main:
    menu: Press a key.
    keys: {%s: main}
`}
		ignore = tmpl{"lint ignore", `
start: main
lint: {ignore: %[1]s}
nodes:
  main: {say: Hello., lint: {ignore: %[1]s}}
`}
		varName = tmpl{"var name", `
start: main
vars: {%s: x}
nodes:
  main: {say: Hello.}
`}
	)
	tests := []struct {
		tmpl  tmpl
		value string
		ok    bool
	}{
		{duration, "10s", true},
		{duration, "1500ms", true},
		{duration, "1.5s", true},
		{duration, "1m30s", true},
		{duration, "1h", true},
		{duration, "2000000ns", true},
		{duration, `"10s"`, true},
		{duration, "10", false},
		{duration, "abc", false},
		{duration, "1.5ms", false},
		{duration, "1.0005s", false},
		{duration, "-10s", false},
		{duration, "0s", false},
		{duration, "10 s", false},

		{speed, "1", true},
		{speed, "1.5", true},
		{speed, "0.5", true},
		{speed, `"1"`, true},
		{speed, "0", false},
		{speed, "-1", false},
		{speed, "fast", false},
		{speed, "NaN", false},

		{tries, "1", true},
		{tries, "3", true},
		{tries, `"2"`, true},
		{tries, "0", false},
		{tries, "-1", false},
		{tries, "1.5", false},
		{tries, "two", false},

		{hash, "true", true},
		{hash, "false", true},
		{hash, `"false"`, true},
		{hash, "yes", false},
		{hash, "0", false},

		{version, "1", true},
		{version, `"1"`, true},
		{version, "2", false},
		{version, "v1", false},

		{nodeID, "main", true},
		{nodeID, "a-b_C9", true},
		{nodeID, "7", true},
		{nodeID, strings.Repeat("a", 64), true},
		{nodeID, strings.Repeat("a", 65), false},
		{nodeID, `"main menu"`, false},
		{nodeID, "café", false},

		{dtmf, `"1"`, true},
		{dtmf, "1", true},
		{dtmf, `"*"`, true},
		{dtmf, `"#"`, true},
		{dtmf, `"12#"`, true},
		{dtmf, "a", false},
		{dtmf, `"1a"`, false},
		{dtmf, `""`, false},

		{ignore, "unmentioned-key", true},
		{ignore, "[unreachable, no-exit]", true},
		{ignore, "[]", true},
		{ignore, "undefined-node", false},
		{ignore, "[unmentioned-keys]", false},
		{ignore, "{rule: unreachable}", false},

		{varName, "front_desk", true},
		{varName, "_x1", true},
		{varName, "front-desk", false},
		{varName, "1st", false},
	}
	for _, tt := range tests {
		t.Run(tt.tmpl.name+"="+tt.value, func(t *testing.T) {
			src := []byte(fmt.Sprintf(tt.tmpl.flow, tt.value))
			_, diags, _ := engine.Load("flow.yaml", engine.LoadOptions{Source: src, Env: func(string) (string, bool) { return "", false }})
			if got := !diags.HasErrors(); got != tt.ok {
				t.Fatalf("engine accepts %s %s: %v, want %v\n%v", tt.tmpl.name, tt.value, got, tt.ok, diags)
			}
			err := sch.Validate(yamlValue(t, src))
			if got := err == nil; got != tt.ok {
				t.Errorf("schema accepts %s %s: %v, want %v (as the engine)\n%v", tt.tmpl.name, tt.value, got, tt.ok, err)
			}
		})
	}
}
