package main

import (
	"fmt"
	"io"
	"os"

	"github.com/mattn/go-isatty"

	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/report"
)

const lintSynopsis = "lint [--voices FILE] FILE... [--format text|json] [--strict] [--color auto|always|never]\n       ivrctl lint --rules [--format text|json]"

func runLint(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("lint", lintSynopsis, stderr)
	voicesFile := fs.String("voices", "", "check voices against this list, saved from ivrctl voices [--json]")
	format := fs.String("format", "text", "output `format`: text (with source lines and markers) or json (an array)")
	strict := fs.Bool("strict", false, "fail (exit 1) on warnings too; warnings the flow file silences do not count")
	listRules := fs.Bool("rules", false, "list the rules lint checks, with their severity and description, and exit")
	colorMode := fs.String("color", "auto", "colour the text output: auto (when stdout is a terminal and NO_COLOR is unset), always or never")
	files, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "ivrctl lint: unknown format %q: use text or json\n", *format)
		fs.Usage()
		return exitUsage
	}
	if *listRules {
		if len(files) > 0 {
			fmt.Fprintln(stderr, "ivrctl lint: --rules takes no flow file")
			fs.Usage()
			return exitUsage
		}
		if *format == "json" {
			err = report.RulesJSON(stdout, engine.Rules())
		} else {
			err = report.Rules(stdout, engine.Rules())
		}
		if err != nil {
			fmt.Fprintf(stderr, "ivrctl lint: %v\n", err)
			return exitFailure
		}
		return exitOK
	}
	color, err := useColor(*colorMode, stdout, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "ivrctl lint: %v\n", err)
		fs.Usage()
		return exitUsage
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "ivrctl lint: no flow file given")
		fs.Usage()
		return exitUsage
	}
	opts := engine.LoadOptions{Lint: true}
	if *voicesFile != "" {
		voices, err := readVoices(*voicesFile)
		if err != nil {
			fmt.Fprintf(stderr, "ivrctl lint: %v\n", err)
			return exitFailure
		}
		// A list with no voices is still a list: 8x8 would refuse them all.
		opts.Voices = append([]string{}, voices...)
	}

	failed := false
	var all engine.Diagnostics
	sources := make(map[string][]byte, len(files))
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "ivrctl lint: %v\n", err)
			failed = true
			continue
		}
		sources[path] = src
		opts.Source = src
		_, diags, _ := engine.Load(path, opts)
		all = append(all, diags...)
	}

	if *format == "json" {
		err = report.JSON(stdout, all)
	} else {
		err = report.Print(stdout, all, sources, color)
	}
	if err != nil {
		fmt.Fprintf(stderr, "ivrctl lint: %v\n", err)
		return exitFailure
	}
	if failed {
		return exitFailure
	}
	return exitCode(all, *strict)
}

// exitCode is lint's verdict on diags: problems when any is an error or,
// with strict, a warning; otherwise OK.
func exitCode(diags engine.Diagnostics, strict bool) int {
	if diags.HasErrors() || strict && len(diags) > 0 {
		return exitProblems
	}
	return exitOK
}

// useColor decides from the --color mode whether to colour output to w.
// auto colours only a terminal, and not when NO_COLOR is set to anything
// but "" (no-color.org); always and never are obeyed as they stand, so
// that --color always overrides NO_COLOR.
func useColor(mode string, w io.Writer, getenv func(string) string) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		if getenv("NO_COLOR") != "" {
			return false, nil
		}
		f, ok := w.(*os.File)
		return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())), nil
	}
	return false, fmt.Errorf("unknown color mode %q: use auto, always or never", mode)
}
