package main

import (
	"fmt"
	"io"

	"github.com/ivrctl/ivrctl/engine"
)

func runLint(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("lint", "lint [--voices FILE] FILE...", stderr)
	voicesFile := fs.String("voices", "", "check voices against this list, saved from ivrctl voices [--json]")
	files, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	var voices []string
	if *voicesFile != "" {
		if voices, err = readVoices(*voicesFile); err != nil {
			fmt.Fprintf(stderr, "ivrctl lint: %v\n", err)
			return exitFailure
		}
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "ivrctl lint: no flow file given")
		fs.Usage()
		return exitUsage
	}
	code := exitOK
	for _, path := range files {
		flow, diags, err := engine.Load(path, nil)
		if err != nil {
			fmt.Fprintf(stderr, "ivrctl lint: %v\n", err)
			code = exitFailure
			continue
		}
		// A list with no voices is still a list: 8x8 would refuse them all.
		if flow != nil && *voicesFile != "" {
			diags = append(diags, flow.CheckVoices(voices)...)
			diags.Sort()
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
