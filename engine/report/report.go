// Package report writes a flow's diagnostics for people and for programs:
// as a terminal shows them, each with its source line and a ^~~~ marker
// under the range it is about, and as JSON. ivrctl lint is its main user.
package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/ivrctl/ivrctl/engine"
)

// ANSI escapes for Print's colour output.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiGreen  = "\x1b[32m"
	ansiGrey   = "\x1b[90m"
)

// Print writes the diagnostics to w the way actionlint does: for each, the
// line Diagnostic.String gives, then the offending source line, then a
// marker line with a ^ under the diagnostic's first column and a ~ under
// the rest of its range on that line.
//
// sources holds the content of the flow files by Pos.File, as read for
// engine.Load. A diagnostic whose file is not in sources, or whose line is
// unknown (0) or past the end of the file, gets only its first line; one
// without a column gets the source line but no marker, and one without an
// end a ^ alone.
//
// With color, the position is bold, the severity red (error) or yellow
// (warning), the rule grey and the marker green; without it, the output is
// plain text. Print returns the first error writing to w.
func Print(w io.Writer, ds engine.Diagnostics, sources map[string][]byte, color bool) error {
	var b bytes.Buffer
	for _, d := range ds {
		b.Reset()
		writeHeader(&b, d, color)
		if src, ok := sources[d.Pos.File]; ok && d.Pos.Line > 0 {
			if line, ok := sourceLine(src, d.Pos.Line); ok {
				b.WriteString(line)
				b.WriteByte('\n')
				if d.Pos.Col > 0 {
					writeMarker(&b, line, d.Range, color)
				}
			}
		}
		if _, err := w.Write(b.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// writeHeader writes d.String(), coloured when asked.
func writeHeader(b *bytes.Buffer, d *engine.Diagnostic, color bool) {
	if !color {
		b.WriteString(d.String())
		b.WriteByte('\n')
		return
	}
	sev := ansiRed
	if d.Severity == engine.SeverityWarning {
		sev = ansiYellow
	}
	msg := d.Message
	if d.Hint != "" {
		msg += "; " + d.Hint
	}
	fmt.Fprintf(b, "%s%s:%s %s%s%s: %s %s[%s]%s\n",
		ansiBold, d.Pos, ansiReset, sev, d.Severity, ansiReset, msg, ansiGrey, d.Rule, ansiReset)
}

// writeMarker writes the ^~~~ line for the range r, which starts on line.
// Columns count characters, as yaml.v3's do. The padding copies the tabs
// of line so that the marker stays under the token however wide the
// terminal draws a tab. A range that goes on past line is marked to the
// end of its text there.
func writeMarker(b *bytes.Buffer, line string, r engine.Range, color bool) {
	runes := []rune(line)
	start := r.Pos.Col - 1
	for i := 0; i < start; i++ {
		if i < len(runes) && runes[i] == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	if color {
		b.WriteString(ansiGreen)
	}
	b.WriteByte('^')
	n := 1
	switch {
	case r.End.Line == r.Pos.Line:
		n = r.End.Col - r.Pos.Col
	case r.End.Line > r.Pos.Line:
		n = len([]rune(strings.TrimRight(line, " \t"))) - start
	}
	if n > 1 {
		b.WriteString(strings.Repeat("~", n-1))
	}
	if color {
		b.WriteString(ansiReset)
	}
	b.WriteByte('\n')
}

// sourceLine returns the 1-based line n of src without its line ending.
func sourceLine(src []byte, n int) (string, bool) {
	for i := 1; i < n; i++ {
		nl := bytes.IndexByte(src, '\n')
		if nl < 0 {
			return "", false
		}
		src = src[nl+1:]
	}
	if nl := bytes.IndexByte(src, '\n'); nl >= 0 {
		src = src[:nl]
	} else if len(src) == 0 {
		return "", false // past the final newline
	}
	src = bytes.TrimSuffix(src, []byte("\r"))
	if !utf8.Valid(src) {
		src = bytes.ToValidUTF8(src, []byte("\uFFFD"))
	}
	return string(src), true
}

// jsonDiagnostic is a Diagnostic as JSON writes it.
type jsonDiagnostic struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"end_line"`
	EndColumn int    `json:"end_column"`
	Severity  string `json:"severity"`
	Rule      string `json:"rule"`
	Message   string `json:"message"`
	Hint      string `json:"hint,omitempty"`
}

// JSON writes the diagnostics to w as an indented JSON array of objects
// with the fields file, line, column, end_line, end_column (just after the
// range's last character), severity ("error" or "warning"), rule, message
// and, when there is one, hint. An empty list is []. Unknown lines and
// columns are 0.
func JSON(w io.Writer, ds engine.Diagnostics) error {
	list := make([]jsonDiagnostic, 0, len(ds))
	for _, d := range ds {
		list = append(list, jsonDiagnostic{
			File:      d.Pos.File,
			Line:      d.Pos.Line,
			Column:    d.Pos.Col,
			EndLine:   d.End.Line,
			EndColumn: d.End.Col,
			Severity:  d.Severity.String(),
			Rule:      d.Rule,
			Message:   d.Message,
			Hint:      d.Hint,
		})
	}
	return encodeJSON(w, list)
}

// Rules writes the rules as a table, one a line: name, severity and
// description, in columns.
func Rules(w io.Writer, rules []engine.Rule) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Name, r.Severity, r.Description)
	}
	return tw.Flush()
}

// jsonRule is a Rule as RulesJSON writes it.
type jsonRule struct {
	Name        string `json:"name"`
	Severity    string `json:"severity"`
	Description string `json:"description"`
	Example     string `json:"example"`
}

// RulesJSON writes the rules to w as an indented JSON array of objects
// with the fields name, severity, description and example.
func RulesJSON(w io.Writer, rules []engine.Rule) error {
	list := make([]jsonRule, 0, len(rules))
	for _, r := range rules {
		list = append(list, jsonRule{Name: r.Name, Severity: r.Severity.String(), Description: r.Description, Example: r.Example})
	}
	return encodeJSON(w, list)
}

// encodeJSON writes v as indented JSON, leaving <, > and & as they are.
func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
