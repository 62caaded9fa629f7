// Package yamlwalk walks yaml.v3 node trees by hand, for the parsers of
// ivrctl's YAML files (flow files and scenario files), so that both read
// YAML the same way: every value keeps where it is written, from its first
// character to just after its last; a mapping that is not one, a
// duplicate key and an unknown key are reported the same way; and a
// syntax error gets the line it is really on.
//
// It knows nothing of flows: it reports Problems with Spans, which each
// parser turns into its own diagnostics.
package yamlwalk

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Rules of the problems the walker reports.
const (
	RuleSyntax       = "syntax"
	RuleType         = "type"
	RuleUnknownKey   = "unknown-key"
	RuleDuplicateKey = "duplicate-key"
)

// Point is a place in a file: Line and Col are 1-based, and Col counts
// characters, as yaml.v3's columns do. A zero Line is unknown, and so is a
// zero Col.
type Point struct{ Line, Col int }

// Span is the text of a token: from Start to just before End. End is zero
// when the extent is unknown.
type Span struct{ Start, End Point }

// Problem is something wrong in the file being walked.
type Problem struct {
	Span    Span
	Rule    string
	Message string
	Hint    string
}

// Walker walks the YAML documents of one file and collects the problems
// it finds there.
type Walker struct {
	src []byte
	// lines holds the offset at which each line starts, built on first use.
	lines []int
	// merged holds the pairs of each mapping flattened by Pairs.
	merged map[*yaml.Node][]Pair
	// Problems are the problems found so far, in the order found.
	Problems []*Problem
}

// New returns a walker over src.
func New(src []byte) *Walker { return &Walker{src: src, merged: map[*yaml.Node][]Pair{}} }

// Errorf records a problem at span and returns it, for a hint to be added.
func (w *Walker) Errorf(span Span, rule, format string, args ...any) *Problem {
	p := &Problem{Span: span, Rule: rule, Message: fmt.Sprintf(format, args...)}
	w.Problems = append(w.Problems, p)
	return p
}

// Documents parses every YAML document of the source. On a syntax error it
// reports the problem and returns false.
func (w *Walker) Documents() ([]*yaml.Node, bool) {
	docs, err := parseYAML(w.src)
	if err != nil {
		w.syntaxError(err)
		return nil, false
	}
	return docs, true
}

// parseYAML parses every YAML document of src.
func parseYAML(src []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var docs []*yaml.Node
	for {
		doc := new(yaml.Node)
		if err := dec.Decode(doc); err != nil {
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			return docs, err
		}
		docs = append(docs, doc)
	}
}

// Span returns where n is written: the token it starts with (for a block
// mapping, its first key; for a flow collection, up to its closing
// bracket).
func (w *Walker) Span(n *yaml.Node) Span { return w.At(n.Line, n.Column) }

// Extent returns where n is written in full: from its start to the end of
// the last value inside it.
func (w *Walker) Extent(n *yaml.Node) Span {
	last := n
	for len(last.Content) > 0 {
		last = last.Content[len(last.Content)-1]
	}
	return Span{Start: Point{n.Line, n.Column}, End: w.At(last.Line, last.Column).End}
}

// At returns the span of the token that starts at line and col.
func (w *Walker) At(line, col int) Span {
	s := Span{Start: Point{line, col}}
	if line < 1 || col < 1 {
		return s
	}
	text, ok := w.line(line)
	if !ok {
		return s
	}
	// Columns count characters; find the byte the token starts at.
	start := 0
	for i := 1; i < col && start < len(text); i++ {
		_, size := utf8.DecodeRune(text[start:])
		start += size
	}
	if start >= len(text) { // past the end of the line
		s.End = Point{line, col + 1}
		return s
	}
	from := w.lines[line-1]
	s.End = w.point(from + tokenEnd(w.src[from:], text, start))
	return s
}

// point returns the line and column of the byte at offset off.
func (w *Walker) point(off int) Point {
	i := sort.SearchInts(w.lines, off+1) - 1 // the line starting at or before off
	return Point{Line: i + 1, Col: 1 + utf8.RuneCount(w.src[w.lines[i]:off])}
}

// line returns the 1-based line n of the source, without its line ending.
func (w *Walker) line(n int) ([]byte, bool) {
	if w.lines == nil {
		w.lines = append(w.lines, 0)
		for i, b := range w.src {
			if b == '\n' {
				w.lines = append(w.lines, i+1)
			}
		}
	}
	if n > len(w.lines) || w.lines[n-1] == len(w.src) { // past the final line break
		return nil, false
	}
	end := len(w.src)
	if n < len(w.lines) {
		end = w.lines[n] - 1
	}
	return bytes.TrimSuffix(w.src[w.lines[n-1]:end], []byte("\r")), true
}

// Resolve follows YAML aliases to the node they name.
func Resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// KindName describes what n is, for a message that says what was expected
// instead.
func KindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// Mapping walks the mapping n, described as what. It reports a node that
// is not a mapping, keys that are not scalars, duplicate keys (with the
// first one's position) and, when allowed is not nil, unknown keys (with
// the allowed ones listed and the closest suggested). fn is called once
// for each good key, in file order, merged keys included (see Pairs).
// Mapping reports whether n is a mapping.
func (w *Walker) Mapping(n *yaml.Node, what string, allowed []string, fn func(key, val *yaml.Node)) bool {
	n = Resolve(n)
	if n.Kind != yaml.MappingNode {
		w.Errorf(w.Span(n), RuleType, "%s must be a mapping, got %s", what, KindName(n))
		return false
	}
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	for _, pair := range w.pairs(n, what, true) {
		k, v := pair.Key, pair.Value
		if k.Kind != yaml.ScalarNode {
			w.Errorf(w.Span(k), RuleType, "keys of %s must be plain names, got %s", what, KindName(k))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			w.Errorf(w.Span(k), RuleDuplicateKey, "duplicate key %q in %s; first defined at %d:%d", k.Value, what, first.Line, first.Column)
			continue
		}
		seen[k.Value] = k
		if allowed != nil && !slices.Contains(allowed, k.Value) {
			p := w.Errorf(w.Span(k), RuleUnknownKey, "unknown key %q in %s; allowed keys: %s", k.Value, what, strings.Join(allowed, ", "))
			p.Hint = Suggest(k.Value, allowed)
			continue
		}
		fn(k, v)
	}
	return true
}

// Pair is one key of a mapping and its value.
type Pair struct{ Key, Value *yaml.Node }

// Pairs returns the pairs of the mapping n (aliases followed) in file
// order, with each YAML merge key (<<: *anchor, or <<: [*a, *b]) replaced
// by the pairs of the mappings it merges, as YAML says: a key the mapping
// sets itself wins over a merged one, and of two merged mappings the
// first wins. A merged pair keeps where it is written, in the anchored
// mapping. A merge of something that is not a mapping is left out; Mapping
// reports it.
func (w *Walker) Pairs(n *yaml.Node) []Pair { return w.pairs(Resolve(n), "", false) }

// isMerge reports whether the key k is YAML's merge key: a plain <<.
func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Tag == "!!merge"
}

// pairs is Pairs, reporting a bad merge in what when report is set.
func (w *Walker) pairs(n *yaml.Node, what string, report bool) (out []Pair) {
	if !report {
		// A mapping merged by many others is flattened once: merges of
		// merges could otherwise take time exponential in their depth.
		if p, ok := w.merged[n]; ok {
			return p
		}
		defer func() { w.merged[n] = out }()
	}
	own := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := Resolve(n.Content[i]); k.Kind == yaml.ScalarNode && !isMerge(k) {
			own[k.Value] = true
		}
	}
	merged := make(map[string]bool)
	out = make([]Pair, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := Resolve(n.Content[i]), n.Content[i+1]
		if !isMerge(k) {
			out = append(out, Pair{k, v})
			continue
		}
		for _, m := range w.mergeSources(v, what, report) {
			// The merged mapping's own merges are its keys too.
			for _, pair := range w.Pairs(m) {
				if pair.Key.Kind != yaml.ScalarNode || own[pair.Key.Value] || merged[pair.Key.Value] {
					continue
				}
				merged[pair.Key.Value] = true
				out = append(out, pair)
			}
		}
	}
	return out
}

// mergeSources returns the mappings the value v of a merge key merges: an
// alias of a mapping, or a list of them. Anything else is reported when
// report is set.
func (w *Walker) mergeSources(v *yaml.Node, what string, report bool) []*yaml.Node {
	items := []*yaml.Node{v}
	if r := Resolve(v); r.Kind == yaml.SequenceNode {
		items = r.Content
	}
	var maps []*yaml.Node
	for _, item := range items {
		if m := Resolve(item); m.Kind == yaml.MappingNode {
			maps = append(maps, m)
		} else if report {
			w.Errorf(w.Span(item), RuleType, "<< in %s merges %s; it takes a mapping (<<: *name, where &name marks a mapping) or a list of them", what, KindName(m))
		}
	}
	return maps
}

// Scalar returns the scalar n, aliases followed, or reports that what must
// be a single value and returns nil.
func (w *Walker) Scalar(n *yaml.Node, what string) *yaml.Node {
	n = Resolve(n)
	if n.Kind != yaml.ScalarNode {
		w.Errorf(w.Span(n), RuleType, "%s must be a single value, got %s", what, KindName(n))
		return nil
	}
	return n
}

// IsNull reports whether the scalar n is a YAML null, which reads as "".
func IsNull(n *yaml.Node) bool { return n.Tag == "!!null" }

// Suggest returns a "did you mean" hint for name among candidates: the
// closest candidate within a small edit distance, or "".
func Suggest(name string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		d := levenshtein(name, c)
		if d < bestDist || (d == bestDist && best != "" && c < best) {
			best, bestDist = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("did you mean %q?", best)
}

// levenshtein is the edit distance between a and b, by bytes.
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
