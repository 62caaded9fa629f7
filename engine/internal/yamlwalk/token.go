package yamlwalk

// tokenLen returns the length in bytes of the YAML token starting at byte
// start of line, at least 1. It reads one line only, so a token that goes
// on to the next line ends at the end of this one. Every character it
// looks for is ASCII, which no byte of a longer UTF-8 sequence can be.
func tokenLen(line []byte, start int) int {
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
func closeDoubleQuote(line []byte, start int) int {
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
func closeSingleQuote(line []byte, start int) int {
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
func closeFlow(line []byte, start int) int {
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
func trimEnd(line []byte, end int) int {
	for end > 0 && isBlank(line[end-1]) {
		end--
	}
	return end
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func isFlowIndicator(c byte) bool { return c == ',' || c == ']' || c == '}' }
