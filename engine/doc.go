// Package engine reads a flow file, the YAML description of a phone line,
// and answers 8x8's Voice Callflows webhooks with it.
//
// A flow goes through four steps, each its own:
//
//   - parse (Parse): the YAML is walked by hand into a syntax tree (File)
//     in which every value keeps the range of the file it was written at;
//   - check and compile (Load): a table of named passes (see compile.go)
//     expands variables, builds each node's callflow, links the nodes,
//     validates every answer against 8x8's rules and runs the lint rules
//     (Rules), reporting each problem as a Diagnostic at its range;
//   - the compiled Flow holds the exact bytes of every answer;
//   - step (Flow.Begin, Flow.Next): where a caller goes is a pure function
//     of the flow, the node the caller is at and the keys pressed.
//
// A Flow never changes after Load returns it, so it is shared across
// goroutines without locks; a new version of the file is a new Flow.
//
// The authoring tools live in subpackages and read a Flow through its
// public API: report prints diagnostics for terminals and as JSON,
// scenario plays scripted calls through a flow (ivrctl test), and the
// diagram and diff tools draw and compare flows.
package engine
