package engine

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a position in a flow file. Line and Col are 1-based; a zero Line
// means the position is unknown.
type Pos struct {
	File string
	Line int
	Col  int
}

// String formats the position as file:line:col, the form editors and
// terminals turn into links.
func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Range is the text of a flow file that a diagnostic or a value is about:
// from Pos, its first character, to End, just after its last. A quoted
// value ends at its closing quote and a flow collection at its closing
// bracket, on whatever line; a plain value that goes on to later lines
// ends with its first. End is zero when the extent is not known.
type Range struct {
	Pos Pos
	End Pos
}

// Severity says whether a diagnostic stops a flow from loading.
type Severity int

// Severities, most severe first.
const (
	SeverityError Severity = iota
	SeverityWarning
)

func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem found in a flow file: where, how bad, which
// rule, what is wrong and, where a fix is likely, a hint.
type Diagnostic struct {
	Range
	Severity Severity
	Rule     string
	Message  string
	Hint     string
	// Sensitive says the diagnostic is about a menu marked sensitive, so
	// its words may quote the menu's keys (a PIN): a server logs where it
	// is and its rule, not its words.
	Sensitive bool
}

// String formats the diagnostic as file:line:col: severity: message [rule].
func (d *Diagnostic) String() string {
	msg := d.Message
	if d.Hint != "" {
		msg += "; " + d.Hint
	}
	return fmt.Sprintf("%s: %s: %s [%s]", d.Pos, d.Severity, msg, d.Rule)
}

// Diagnostics is a list of findings in flow files. Unlike an error from
// reading a file, it describes the user's file, not a failure of ivrctl.
type Diagnostics []*Diagnostic

// Sort orders the list by file, line, column, then message, and drops exact
// duplicates.
func (ds *Diagnostics) Sort() {
	list := *ds
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.Pos.File != b.Pos.File {
			return a.Pos.File < b.Pos.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Col != b.Pos.Col {
			return a.Pos.Col < b.Pos.Col
		}
		return a.String() < b.String()
	})
	out := list[:0]
	for i, d := range list {
		if i > 0 && d.String() == list[i-1].String() {
			continue
		}
		out = append(out, d)
	}
	*ds = out
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool { return ds.Errors() > 0 }

// Errors returns how many diagnostics are errors.
func (ds Diagnostics) Errors() int {
	n := 0
	for _, d := range ds {
		if d.Severity == SeverityError {
			n++
		}
	}
	return n
}

// Error implements error, one diagnostic per line.
func (ds Diagnostics) Error() string {
	var b strings.Builder
	for i, d := range ds {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.String())
	}
	return b.String()
}

// Err returns the list as an error if it holds any error, or nil.
func (ds Diagnostics) Err() error {
	if ds.HasErrors() {
		return ds
	}
	return nil
}
