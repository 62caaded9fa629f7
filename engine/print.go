package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
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
// marker line with a ^ under the diagnostic's column and a ~ under the rest
// of the token there (a key, a plain or quoted scalar, a flow collection).
//
// sources holds the content of the flow files by Pos.File, as read for
// Load. A diagnostic whose file is not in sources, or whose line is
// unknown (0) or past the end of the file, gets only its first line; one
// without a column gets the source line but no marker.
//
// With color, the position is bold, the severity red (error) or yellow
// (warning), the rule grey and the marker green; without it, the output is
// plain text. Print returns the first error writing to w.
func (ds Diagnostics) Print(w io.Writer, sources map[string][]byte, color bool) error {
	var b bytes.Buffer
	for _, d := range ds {
		b.Reset()
		writeHeader(&b, d, color)
		if src, ok := sources[d.Pos.File]; ok && d.Pos.Line > 0 {
			if line, ok := sourceLine(src, d.Pos.Line); ok {
				b.WriteString(line)
				b.WriteByte('\n')
				if d.Pos.Col > 0 {
					writeMarker(&b, line, d.Pos.Col, color)
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
func writeHeader(b *bytes.Buffer, d *Diagnostic, color bool) {
	if !color {
		b.WriteString(d.String())
		b.WriteByte('\n')
		return
	}
	sev := ansiRed
	if d.Severity == SeverityWarning {
		sev = ansiYellow
	}
	msg := d.Message
	if d.Hint != "" {
		msg += "; " + d.Hint
	}
	fmt.Fprintf(b, "%s%s:%s %s%s%s: %s %s[%s]%s\n",
		ansiBold, d.Pos, ansiReset, sev, d.Severity, ansiReset, msg, ansiGrey, d.Rule, ansiReset)
}

// writeMarker writes the ^~~~ line for the token at the 1-based column col
// of line. Columns count characters, as yaml.v3's do. The padding copies the
// tabs of line so that the marker stays under the token however wide the
// terminal draws a tab.
func writeMarker(b *bytes.Buffer, line string, col int, color bool) {
	runes := []rune(line)
	start := col - 1
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
	if n := tokenLen(runes, start); n > 1 {
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

// tokenLen returns the length in characters of the YAML token starting at
// index start of line, at least 1. It reads one line only, so a token that
// goes on to the next line is marked to the end of this one.
func tokenLen(line []rune, start int) int {
	if start >= len(line) {
		return 1
	}
	var end int
	switch line[start] {
	case '"':
		end = closeDoubleQuote(line, start)
	case '\'':
		end = closeSingleQuote(line, start)
	case '{', '[':
		end = closeFlow(line, start)
	default:
		end = plainEnd(line, start, inFlow(line[:start]))
	}
	return max(end-start, 1)
}

// closeDoubleQuote returns the index after the quote that closes the
// double-quoted scalar opened at start, or the end of the trimmed line.
func closeDoubleQuote(line []rune, start int) int {
	for i := start + 1; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return trimEnd(line, len(line))
}

// closeSingleQuote is closeDoubleQuote for single quotes, where a doubled
// quote stands for one.
func closeSingleQuote(line []rune, start int) int {
	for i := start + 1; i < len(line); i++ {
		if line[i] != '\'' {
			continue
		}
		if i+1 < len(line) && line[i+1] == '\'' {
			i++
			continue
		}
		return i + 1
	}
	return trimEnd(line, len(line))
}

// closeFlow returns the index after the bracket that closes the flow
// collection opened at start, or the end of the line before any comment.
func closeFlow(line []rune, start int) int {
	depth := 0
	for i := start; i < len(line); i++ {
		switch c := line[i]; {
		case c == '"':
			i = closeDoubleQuote(line, i) - 1
		case c == '\'':
			i = closeSingleQuote(line, i) - 1
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				return i + 1
			}
		case c == '#' && isBlank(line[i-1]):
			return trimEnd(line, i)
		}
	}
	return trimEnd(line, len(line))
}

// plainEnd returns the index where the plain scalar starting at start
// ends: before ": " (a key), before " #" (a comment), before trailing
// blanks and, in flow style, before the indicators that end a flow entry.
func plainEnd(line []rune, start int, flow bool) int {
	for i := start; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ':' && (i+1 == len(line) || isBlank(line[i+1]) || flow && isFlowIndicator(line[i+1])):
			return trimEnd(line, i)
		case c == '#' && i > start && isBlank(line[i-1]):
			return trimEnd(line, i)
		case flow && isFlowIndicator(c) && i > start:
			return trimEnd(line, i)
		}
	}
	return trimEnd(line, len(line))
}

// inFlow reports whether prefix, the start of a line, leaves a flow
// collection open.
func inFlow(prefix []rune) bool {
	depth := 0
	for i := 0; i < len(prefix); i++ {
		switch c := prefix[i]; {
		case c == '"':
			i = closeDoubleQuote(prefix, i) - 1
		case c == '\'':
			i = closeSingleQuote(prefix, i) - 1
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth = max(depth-1, 0)
		case c == '#' && (i == 0 || isBlank(prefix[i-1])):
			return depth > 0
		}
	}
	return depth > 0
}

// trimEnd returns end moved back over the blanks before it.
func trimEnd(line []rune, end int) int {
	for end > 0 && isBlank(line[end-1]) {
		end--
	}
	return end
}

func isBlank(c rune) bool { return c == ' ' || c == '\t' }

func isFlowIndicator(c rune) bool { return c == ',' || c == ']' || c == '}' }

// jsonDiagnostic is a Diagnostic as JSON writes it.
type jsonDiagnostic struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Severity string `json:"severity"`
	Rule     string `json:"rule"`
	Message  string `json:"message"`
	Hint     string `json:"hint,omitempty"`
}

// JSON writes the diagnostics to w as an indented JSON array of objects
// with the fields file, line, column, severity ("error" or "warning"),
// rule, message and, when there is one, hint. An empty list is [].
// Unknown lines and columns are 0.
func (ds Diagnostics) JSON(w io.Writer) error {
	list := make([]jsonDiagnostic, 0, len(ds))
	for _, d := range ds {
		list = append(list, jsonDiagnostic{
			File:     d.Pos.File,
			Line:     d.Pos.Line,
			Column:   d.Pos.Col,
			Severity: d.Severity.String(),
			Rule:     d.Rule,
			Message:  d.Message,
			Hint:     d.Hint,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(list)
}
