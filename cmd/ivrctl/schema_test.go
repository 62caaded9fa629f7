package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/engine"
)

func TestSchema(t *testing.T) {
	code, stdout, stderr := runCLI(t, "schema")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit code = %d, stderr = %q; want %d and nothing", code, stderr, exitOK)
	}
	if stdout != string(engine.Schema) {
		t.Errorf("stdout is not engine.Schema:\n%s", stdout)
	}
	var schema struct {
		Schema   string   `json:"$schema"`
		Required []string `json:"required"`
	}
	if err := json.Unmarshal([]byte(stdout), &schema); err != nil {
		t.Fatalf("stdout is not JSON: %v", err)
	}
	if want := "https://json-schema.org/draft/2020-12/schema"; schema.Schema != want {
		t.Errorf("$schema = %q, want %q", schema.Schema, want)
	}
}

func TestSchemaUsage(t *testing.T) {
	tests := []struct {
		args       []string
		code       int
		stderrHead string
	}{
		{[]string{"schema", "flows/restaurant.yaml"}, exitUsage, "ivrctl schema: takes no arguments, got [\"flows/restaurant.yaml\"]\nUsage: ivrctl schema\n"},
		{[]string{"schema", "--json"}, exitUsage, "flag provided but not defined: -json\nUsage: ivrctl schema\n"},
		{[]string{"schema", "-h"}, exitOK, "Usage: ivrctl schema\n"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCLI(t, tt.args...)
		if code != tt.code || stdout != "" || !strings.HasPrefix(stderr, tt.stderrHead) {
			t.Errorf("%q: exit code = %d, stdout = %q, stderr = %q; want %d, nothing and %q", tt.args, code, stdout, stderr, tt.code, tt.stderrHead)
		}
	}
}
