package yamlwalk

import "bytes"

// tokenEnd returns the index in text just after the YAML token that
// starts at index start of line i, where text holds the rest of the file
// from the start of that line and line is that line without its line
// ending. A quoted scalar ends at its closing quote and a flow collection
// at its closing bracket, on whatever line those are; one that the file
// does not close ends at the end of its first line, as does a plain
// scalar. The token is at least one byte long. Every character looked for
// is ASCII, which no byte of a longer UTF-8 sequence can be.
func tokenEnd(text, line []byte, start int) int {
	if start >= len(line) {
		return start + 1
	}
	var end int
	ok := true
	switch line[start] {
	case '"', '\'':
		end, ok = closeQuote(text, start)
	case '{', '[':
		end, ok = closeFlow(text, start)
	default:
		end = plainEnd(line, start, inFlow(line[:start]))
	}
	if !ok {
		end = trimEnd(line, len(line))
	}
	return max(end, start+1)
}

// closeQuote returns the index after the quote that closes the quoted
// scalar opened at start, and false when text ends first. In double
// quotes a backslash escapes the next character; in single quotes a
// doubled quote stands for one.
func closeQuote(text []byte, start int) (int, bool) {
	q := text[start]
	for i := start + 1; i < len(text); i++ {
		switch {
		case q == '"' && text[i] == '\\':
			i++
		case text[i] != q:
		case q == '\'' && i+1 < len(text) && text[i+1] == '\'':
			i++
		default:
			return i + 1, true
		}
	}
	return 0, false
}

// closeFlow returns the index after the bracket that closes the flow
// collection opened at start, past quoted scalars and comments, and false
// when text ends first.
func closeFlow(text []byte, start int) (int, bool) {
	depth := 0
	for i := start; i < len(text); i++ {
		switch c := text[i]; {
		case c == '"' || c == '\'':
			end, ok := closeQuote(text, i)
			if !ok {
				return 0, false
			}
			i = end - 1
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				return i + 1, true
			}
		case c == '#' && (isBlank(text[i-1]) || text[i-1] == '\n'):
			nl := bytes.IndexByte(text[i:], '\n')
			if nl < 0 {
				return 0, false
			}
			i += nl
		}
	}
	return 0, false
}

// plainEnd returns the index where the plain scalar starting at start
// ends: before ": " (a key), before " #" (a comment), before trailing
// blanks and, in flow style, before the indicators that end a flow entry.
func plainEnd(line []byte, start int, flow bool) int {
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
func inFlow(prefix []byte) bool {
	depth := 0
	for i := 0; i < len(prefix); i++ {
		switch c := prefix[i]; {
		case c == '"' || c == '\'':
			end, ok := closeQuote(prefix, i)
			if !ok {
				return depth > 0
			}
			i = end - 1
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
func trimEnd(line []byte, end int) int {
	for end > 0 && isBlank(line[end-1]) {
		end--
	}
	return end
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func isFlowIndicator(c byte) bool { return c == ',' || c == ']' || c == '}' }
