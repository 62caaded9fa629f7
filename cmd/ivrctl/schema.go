package main

import (
	"fmt"
	"io"

	"github.com/ivrctl/ivrctl/engine"
)

// runSchema prints the JSON Schema of flow files, for an editor's YAML
// language server.
func runSchema(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("schema", "schema", stderr)
	if code := parseNoArgs(fs, args, stderr); code >= 0 {
		return code
	}
	if _, err := stdout.Write(engine.Schema); err != nil {
		fmt.Fprintf(stderr, "ivrctl schema: %v\n", err)
		return exitFailure
	}
	return exitOK
}
