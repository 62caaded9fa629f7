package main

import (
	"fmt"
	"io"

	"github.com/ivrctl/ivrctl/engine/diagram"
)

// runGraph prints a flow's menu as a Mermaid flowchart or a Graphviz
// digraph.
func runGraph(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("graph", "graph [--format mermaid|dot] [--warnings] FILE", stderr)
	format := fs.String("format", "mermaid", "diagram `format`: mermaid or dot")
	warnings := fs.Bool("warnings", false, warningsUsage)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if *format != "mermaid" && *format != "dot" {
		fmt.Fprintf(stderr, "ivrctl graph: unknown format %q; use mermaid or dot\n", *format)
		fs.Usage()
		return exitUsage
	}
	if len(rest) != 1 {
		fmt.Fprintln(stderr, "ivrctl graph: give exactly one flow file")
		fs.Usage()
		return exitUsage
	}
	flow, code := loadFlow("graph", rest[0], loadOptions{warnings: *warnings}, stderr)
	if flow == nil {
		return code
	}
	out := diagram.Mermaid(flow)
	if *format == "dot" {
		out = diagram.DOT(flow)
	}
	if _, err := io.WriteString(stdout, out); err != nil {
		fmt.Fprintf(stderr, "ivrctl graph: %v\n", err)
		return exitFailure
	}
	return exitOK
}
