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
	rest, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "ivrctl schema: takes no arguments, got %q\n", rest)
		fs.Usage()
		return exitUsage
	}
	if _, err := stdout.Write(engine.Schema); err != nil {
		fmt.Fprintf(stderr, "ivrctl schema: %v\n", err)
		return exitFailure
	}
	return exitOK
}
