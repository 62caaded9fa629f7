package yamlwalk

import (
	"bytes"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

var (
	yamlLine   = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)
	yamlAnchor = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)
)

// yamlParserProblems are the problems yaml.v3's parser (as opposed to its
// scanner) reports. For these it gives a 0-based line, and the line where the
// enclosing mapping or list starts rather than the line that is wrong (see
// parser.fail in yaml.v3's decode.go), so the line is searched for instead.
var yamlParserProblems = []string{
	"did not find expected key",
	"did not find expected node content",
	"did not find expected '-' indicator",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"did not find expected <document start>",
	"did not find expected <stream-start>",
	"found undefined tag handle",
	"found duplicate %TAG directive",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
}

// syntaxError reports a yaml.v3 error as a problem on the line it is about.
func (w *Walker) syntaxError(err error) {
	src := w.src
	msg := err.Error()
	pos := Point{Line: 1}
	if te, ok := err.(*yaml.TypeError); ok && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line := 0
		if m[1] != "" {
			line, _ = strconv.Atoi(m[1])
			pos.Line = max(line, 1)
		}
		msg = msg[len(m[0]):]
		if slices.Contains(yamlParserProblems, msg) {
			pos.Line = problemLine(src, err.Error(), line)
		}
	}
	if line, col, ok := indentTab(src, msg, pos.Line); ok {
		w.Errorf(Span{Start: Point{line, col}, End: Point{line, col + 1}}, RuleSyntax, "invalid YAML: tabs cannot indent YAML; use spaces")
		return
	}
	if m := yamlAnchor.FindStringSubmatch(msg); m != nil {
		if i := bytes.Index(src, []byte("*"+m[1])); i >= 0 {
			pos.Line = 1 + bytes.Count(src[:i], []byte("\n"))
			pos.Col = 1 + i - (bytes.LastIndexByte(src[:i], '\n') + 1)
		}
	}
	if pos.Col == 0 {
		pos.Col = firstColumn(src, pos.Line)
	}
	w.Errorf(w.At(pos.Line, pos.Col), RuleSyntax, "invalid YAML: %s", msg)
}

// indentTab finds the tab a yaml.v3 error about a tab is about: for
// "found a tab character ..." the first line at or after line (where
// yaml.v3 says, the start of the key before, blank lines and comments
// between) that has a tab in its indentation; for "found character that
// cannot start any token", line itself when a tab indents it. It returns
// the tab's 1-based line and column.
func indentTab(src []byte, msg string, line int) (int, int, bool) {
	tabMsg := strings.HasPrefix(msg, "found a tab character")
	if !tabMsg && msg != "found character that cannot start any token" {
		return 0, 0, false
	}
	for n, text := range bytes.Split(src, []byte("\n")) {
		switch {
		case n+1 < line:
			continue
		case n+1 > line && !tabMsg:
			return 0, 0, false
		}
		if col := indentTabColumn(text); col > 0 {
			return n + 1, col, true
		}
	}
	return 0, 0, false
}

// indentTabColumn returns the 1-based column of the first tab in the
// indentation of line, the blanks that start it and those after a "-" of
// a list item, or 0 when there is none.
func indentTabColumn(line []byte) int {
	for i, b := range line {
		switch {
		case b == '\t':
			return i + 1
		case b == ' ', b == '-' && (i+1 == len(line) || isBlank(line[i+1])):
		default:
			return 0
		}
	}
	return 0
}

// firstColumn returns the column of the first character of line that is
// not a space or tab, or 1 for a blank line: yaml.v3 reports no column for
// syntax errors, and the start of the line's content is where to look.
func firstColumn(src []byte, line int) int {
	for i := 1; i < line; i++ {
		nl := bytes.IndexAny(src, "\r\n")
		if nl < 0 {
			return 1
		}
		if src[nl] == '\r' && nl+1 < len(src) && src[nl+1] == '\n' {
			nl++
		}
		src = src[nl+1:]
	}
	for i, b := range src {
		switch b {
		case ' ', '\t':
			continue
		case '\n', '\r':
			return 1
		}
		return i + 1
	}
	return 1
}

// problemLine returns the 1-based line a yaml.v3 parser error is about: the
// first line such that the file up to it fails to parse with the very same
// error. from is the 0-based line yaml.v3 reported, where the enclosing
// mapping or list starts: the search starts there.
func problemLine(src []byte, yamlErr string, from int) int {
	// ends[i] is where line i+1 ends, its line break included. Like
	// yaml.v3, count "\r\n", "\r" and "\n" as line breaks.
	var ends []int
	for i, b := range src {
		if b == '\n' || b == '\r' && (i+1 == len(src) || src[i+1] != '\n') {
			ends = append(ends, i+1)
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(src) {
		ends = append(ends, len(src))
	}
	// Parsing the first lines succeeds, or fails some other way, until they
	// take in the line that is wrong; from there on it fails as the whole
	// file does. So the line can be found by bisection.
	lo, hi := min(max(from, 1), len(ends)), len(ends)
	for lo < hi {
		mid := lo + (hi-lo)/2
		if _, err := parseYAML(src[:ends[mid-1]]); err != nil && err.Error() == yamlErr {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}
