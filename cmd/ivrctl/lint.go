package main

import (
	"fmt"
	"io"

	"github.com/ivrctl/ivrctl/engine"
)

func runLint(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("lint", "lint FILE...", stderr)
	files, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "ivrctl lint: no flow file given")
		fs.Usage()
		return exitUsage
	}
	code := exitOK
	for _, path := range files {
		_, diags, err := engine.Load(path, nil)
		if err != nil {
			fmt.Fprintf(stderr, "ivrctl lint: %v\n", err)
			code = exitFailure
			continue
		}
		for _, d := range diags {
			fmt.Fprintln(stdout, d)
		}
		if diags.HasErrors() && code == exitOK {
			code = exitProblems
		}
	}
	return code
}
