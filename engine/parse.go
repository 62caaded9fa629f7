package engine

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Rule IDs of the diagnostics Parse reports.
const (
	RuleSyntax       = "syntax"
	RuleType         = "type"
	RuleUnknownKey   = "unknown-key"
	RuleDuplicateKey = "duplicate-key"
	RuleMissingKey   = "missing-key"
	RuleNodeKind     = "node-kind"
)

// Allowed keys of each mapping in a flow file, in the order they are
// listed to the user.
var (
	topKeys      = []string{"version", "name", "number", "start", "fallback", "defaults", "vars", "nodes"}
	defaultsKeys = []string{"voice", "speed", "capture", "on_invalid", "on_no_input"}
	captureKeys  = []string{"min_digits", "max_digits", "digit_timeout", "overall_timeout", "tries", "complete_on_hash"}
	dialKeys     = []string{"to", "from"}
	kindKeys     = []string{"menu", "say", "dial"}
	nodeKeys     = map[Kind][]string{
		KindMenu: {"menu", "keys", "voice", "speed", "capture", "on_invalid", "on_no_input", "sensitive"},
		KindSay:  {"say", "voice", "speed"},
		KindDial: {"dial", "then"},
	}
	allNodeKeys = []string{"menu", "say", "dial", "keys", "voice", "speed", "capture", "on_invalid", "on_no_input", "sensitive", "then"}
)

// parser walks the yaml.Node tree of a flow file by hand, so that every
// value keeps its position and every duplicate or unknown key is reported.
type parser struct {
	path  string
	diags Diagnostics
}

// Parse parses the flow file src, read from path, into its syntax tree. It
// goes on past errors so that one run reports every problem; the tree holds
// what could be parsed.
func Parse(path string, src []byte) (*File, Diagnostics) {
	p := &parser{path: path}
	f := &File{Path: path, Pos: Pos{File: path, Line: 1, Col: 1}}
	docs, err := parseYAML(src)
	if err != nil {
		p.syntaxError(err, src)
		return f, p.diags
	}
	if len(docs) == 0 || len(docs[0].Content) == 0 {
		p.errorf(f.Pos, RuleMissingKey, "the flow file is empty; it needs at least start and nodes")
		return f, p.diags
	}
	// yaml.Unmarshal would read the first document and drop the rest
	// without a word; a "---" in the middle of a flow is a mistake.
	for _, doc := range docs[1:] {
		if c := doc.Content; len(c) > 0 && !(c[0].Kind == yaml.ScalarNode && c[0].Tag == "!!null" && c[0].Value == "") {
			p.errorf(p.pos(doc), RuleSyntax, "a flow file is one YAML document; this second document would be ignored")
			break
		}
	}
	p.file(f, docs[0].Content[0])
	p.diags.Sort()
	return f, p.diags
}

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

// syntaxError turns a yaml.v3 error into a diagnostic with its line.
func (p *parser) syntaxError(err error, src []byte) {
	msg := err.Error()
	pos := Pos{File: p.path, Line: 1}
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
		if contains(yamlParserProblems, msg) {
			pos.Line = problemLine(src, err.Error(), line)
		}
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
	p.errorf(pos, RuleSyntax, "invalid YAML: %s", msg)
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

func (p *parser) errorf(pos Pos, rule, format string, args ...any) *Diagnostic {
	d := &Diagnostic{Pos: pos, Severity: SeverityError, Rule: rule, Message: fmt.Sprintf(format, args...)}
	p.diags = append(p.diags, d)
	return d
}

func (p *parser) pos(n *yaml.Node) Pos { return posOf(p.path, n) }

// resolve follows YAML aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
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

// mapping walks the mapping n, described as what. It reports a node that is
// not a mapping, duplicate keys (with the first one's position) and, when
// allowed is not nil, unknown keys (with the allowed ones listed). fn is
// called once for each good key, in file order. It reports whether n is a
// mapping.
func (p *parser) mapping(n *yaml.Node, what string, allowed []string, fn func(key *Scalar, val *yaml.Node)) bool {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		p.errorf(p.pos(n), RuleType, "%s must be a mapping, got %s", what, kindName(n))
		return false
	}
	seen := make(map[string]Pos, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errorf(p.pos(k), RuleType, "keys of %s must be plain names, got %s", what, kindName(k))
			continue
		}
		key := scalarOf(p.path, k)
		if first, dup := seen[k.Value]; dup {
			p.errorf(key.Pos, RuleDuplicateKey, "duplicate key %q in %s; first defined at %d:%d", k.Value, what, first.Line, first.Col)
			continue
		}
		seen[k.Value] = key.Pos
		if allowed != nil && !contains(allowed, k.Value) {
			d := p.errorf(key.Pos, RuleUnknownKey, "unknown key %q in %s; allowed keys: %s", k.Value, what, strings.Join(allowed, ", "))
			d.Hint = suggest(k.Value, allowed)
			continue
		}
		fn(key, v)
	}
	return true
}

// scalar returns the scalar n, or reports that what must be one. A YAML
// null is returned as an empty scalar.
func (p *parser) scalar(n *yaml.Node, what string) *Scalar {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode {
		p.errorf(p.pos(n), RuleType, "%s must be a single value, got %s", what, kindName(n))
		return nil
	}
	s := scalarOf(p.path, n)
	if n.Tag == "!!null" {
		s.Value = ""
	}
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *parser) file(f *File, root *yaml.Node) {
	f.Pos = p.pos(resolve(root))
	var nodes *yaml.Node
	ok := p.mapping(root, "the flow file", topKeys, func(key *Scalar, v *yaml.Node) {
		switch key.Value {
		case "version":
			f.Version = p.scalar(v, "version")
		case "name":
			f.Name = p.scalar(v, "name")
		case "start":
			f.Start = p.scalar(v, "start")
		case "fallback":
			f.Fallback = p.scalar(v, "fallback")
		case "number":
			f.Number = p.scalar(v, "number")
		case "defaults":
			f.Defaults = p.defaults(v)
		case "vars":
			p.vars(f, v)
		case "nodes":
			nodes = v
		}
	})
	if !ok {
		return
	}
	if f.Start == nil {
		p.errorf(f.Pos, RuleMissingKey, "missing required key %q: the node every call starts at", "start")
	}
	if nodes == nil {
		p.errorf(f.Pos, RuleMissingKey, "missing required key %q: the mapping of node IDs to nodes", "nodes")
		f.nodesReported = true
		return
	}
	f.nodesReported = !p.mapping(nodes, "nodes", nil, func(id *Scalar, v *yaml.Node) {
		f.Nodes = append(f.Nodes, p.node(id, v))
	})
}

func (p *parser) defaults(n *yaml.Node) *Defaults {
	d := &Defaults{Pos: p.pos(resolve(n))}
	p.mapping(n, "defaults", defaultsKeys, func(key *Scalar, v *yaml.Node) {
		switch key.Value {
		case "voice":
			d.Voice = p.scalar(v, "defaults.voice")
		case "speed":
			d.Speed = p.scalar(v, "defaults.speed")
		case "capture":
			d.Capture = p.capture(v, "defaults.capture")
		case "on_invalid":
			d.OnInvalid = p.scalar(v, "defaults.on_invalid")
		case "on_no_input":
			d.OnNoInput = p.scalar(v, "defaults.on_no_input")
		}
	})
	return d
}

func (p *parser) capture(n *yaml.Node, what string) *Capture {
	c := &Capture{Pos: p.pos(resolve(n))}
	p.mapping(n, what, captureKeys, func(key *Scalar, v *yaml.Node) {
		s := p.scalar(v, what+"."+key.Value)
		switch key.Value {
		case "min_digits":
			c.MinDigits = s
		case "max_digits":
			c.MaxDigits = s
		case "digit_timeout":
			c.DigitTimeout = s
		case "overall_timeout":
			c.OverallTimeout = s
		case "tries":
			c.Tries = s
		case "complete_on_hash":
			c.CompleteOnHash = s
		}
	})
	return c
}

func (p *parser) vars(f *File, n *yaml.Node) {
	p.mapping(n, "vars", nil, func(key *Scalar, v *yaml.Node) {
		if s := p.scalar(v, fmt.Sprintf("var %q", key.Value)); s != nil {
			f.Vars = append(f.Vars, &Var{Name: key, Value: s})
		}
	})
}

func (p *parser) node(id *Scalar, n *yaml.Node) *NodeDecl {
	nd := &NodeDecl{ID: id, Pos: p.pos(resolve(n))}
	what := fmt.Sprintf("node %q", id.Value)
	// The kind decides which keys are allowed, so find it first.
	var otherKinds []string // reported here, so not as unknown keys too
	if m := resolve(n); m.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(m.Content); i += 2 {
			k := resolve(m.Content[i])
			if k.Kind != yaml.ScalarNode || !contains(kindKeys, k.Value) {
				continue
			}
			if nd.KindKey != nil {
				if k.Value == nd.KindKey.Value {
					continue // a duplicate key, which mapping reports
				}
				p.errorf(p.pos(k), RuleNodeKind, "%s is already a %s node (at %d:%d); a node has exactly one of menu, say, dial",
					what, nd.KindKey.Value, nd.KindKey.Pos.Line, nd.KindKey.Pos.Col)
				otherKinds = append(otherKinds, k.Value)
				continue
			}
			nd.KindKey = scalarOf(p.path, k)
			switch k.Value {
			case "menu":
				nd.Kind = KindMenu
			case "say":
				nd.Kind = KindSay
			case "dial":
				nd.Kind = KindDial
			}
		}
	}
	allowed := append(slices.Clip(nodeKeys[nd.Kind]), otherKinds...)
	if nd.Kind == KindInvalid {
		allowed = allNodeKeys
	}
	ok := p.mapping(n, what, allowed, func(key *Scalar, v *yaml.Node) {
		field := what + " " + key.Value
		switch key.Value {
		case "menu", "say":
			if key.Pos == nd.KindKey.Pos {
				nd.Text = p.scalar(v, field)
			}
		case "dial":
			if key.Pos == nd.KindKey.Pos {
				nd.Dial = p.dial(v, field)
			}
		case "keys":
			nd.KeysPos = p.pos(resolve(v))
			ok := p.mapping(v, what+" keys", nil, func(k *Scalar, t *yaml.Node) {
				if target := p.scalar(t, fmt.Sprintf("%s key %q", what, k.Value)); target != nil {
					nd.Keys = append(nd.Keys, &KeyDecl{Key: k, Target: target})
				} else {
					nd.keysReported = true
				}
			})
			nd.keysReported = nd.keysReported || !ok
		case "voice":
			nd.Voice = p.scalar(v, field)
		case "speed":
			nd.Speed = p.scalar(v, field)
		case "capture":
			nd.Capture = p.capture(v, field)
		case "on_invalid":
			nd.OnInvalid = p.scalar(v, field)
		case "on_no_input":
			nd.OnNoInput = p.scalar(v, field)
		case "then":
			nd.Then = p.scalar(v, field)
		case "sensitive":
			nd.Sensitive = p.scalar(v, field)
		}
	})
	if ok && nd.Kind == KindInvalid {
		p.errorf(id.Pos, RuleNodeKind, "%s needs one of the keys menu, say or dial", what)
	}
	return nd
}

func (p *parser) dial(n *yaml.Node, what string) *Dial {
	d := &Dial{Pos: p.pos(resolve(n))}
	bad := false
	ok := p.mapping(n, what, dialKeys, func(key *Scalar, v *yaml.Node) {
		s := p.scalar(v, what+"."+key.Value)
		bad = bad || s == nil
		switch key.Value {
		case "to":
			d.To = s
		case "from":
			d.From = s
		}
	})
	if !ok || bad {
		return nil // reported; "missing to" or "missing from" would be noise
	}
	return d
}
