package engine

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/ivrctl/ivrctl/engine/internal/yamlwalk"
)

// Rule IDs of the diagnostics Parse reports.
const (
	RuleSyntax       = yamlwalk.RuleSyntax
	RuleType         = yamlwalk.RuleType
	RuleUnknownKey   = yamlwalk.RuleUnknownKey
	RuleDuplicateKey = yamlwalk.RuleDuplicateKey
	RuleMissingKey   = "missing-key"
	RuleNodeKind     = "node-kind"
)

// Allowed keys of each mapping in a flow file, in the order they are
// listed to the user.
var (
	topKeys      = []string{"version", "name", "number", "languages", "start", "main", "fallback", "defaults", "vars", "nodes", "state_budget", "lint", "switches"}
	defaultsKeys = []string{"voice", "speed", "capture", "on_invalid", "on_no_input", "no_input", "invalid", "hotkeys"}
	budgetKeys   = []string{"retries", "say"}
	captureKeys  = []string{"min_digits", "max_digits", "digit_timeout", "overall_timeout", "tries", "complete_on_hash"}
	dialKeys     = []string{"to", "from"}
	lintKeys     = []string{"ignore"}
	kindKeys     = []string{"menu", "say", "dial", "schedule", "collect", "set", "branch", "switch", "request"}
	requestKeys  = []string{"method", "url", "headers", "body", "timeout", "save"}
	caseOps      = []string{"equals", "above", "below", "matches"}
	scheduleKeys = []string{"zone", "weekly", "closed", "special", "holidays"}
)

// allNodeKeys are the keys of every kind, for a node whose kind is not
// known.
func allNodeKeys() []string {
	var all []string
	for _, k := range kindSpecs {
		for _, key := range k.keys {
			if !slices.Contains(all, key) {
				all = append(all, key)
			}
		}
	}
	return all
}

// parser walks the yaml.Node tree of a flow file by hand, so that every
// value keeps its range and every duplicate or unknown key is reported.
type parser struct {
	path  string
	w     *yamlwalk.Walker
	diags Diagnostics
}

// Parse parses the flow file src, read from path, into its syntax tree. It
// goes on past errors so that one run reports every problem; the tree holds
// what could be parsed.
func Parse(path string, src []byte) (*File, Diagnostics) {
	p := &parser{path: path, w: yamlwalk.New(src)}
	f := &File{Path: path}
	f.Range = p.rangeOf(p.w.At(1, 1))
	p.parse(f)
	p.diags = append(p.diags, p.problems()...)
	p.diags.Sort()
	return f, p.diags
}

func (p *parser) parse(f *File) {
	docs, ok := p.w.Documents()
	if !ok {
		return
	}
	if len(docs) == 0 || len(docs[0].Content) == 0 {
		p.errorf(f.Range, RuleMissingKey, "the flow file is empty; it needs at least start and nodes")
		return
	}
	// yaml.Unmarshal would read the first document and drop the rest
	// without a word; a "---" in the middle of a flow is a mistake.
	for _, doc := range docs[1:] {
		if c := doc.Content; len(c) > 0 && !(c[0].Kind == yaml.ScalarNode && c[0].Tag == "!!null" && c[0].Value == "") {
			p.errorf(p.rng(doc), RuleSyntax, "a flow file is one YAML document; this second document would be ignored")
			break
		}
	}
	p.file(f, docs[0].Content[0])
}

// problems returns what the walker found as diagnostics.
func (p *parser) problems() Diagnostics {
	var ds Diagnostics
	for _, pr := range p.w.Problems {
		ds = append(ds, &Diagnostic{Range: p.rangeOf(pr.Span), Severity: SeverityError, Rule: pr.Rule, Message: pr.Message, Hint: pr.Hint})
	}
	return ds
}

// rangeOf places a span of the walker in the file.
func (p *parser) rangeOf(s yamlwalk.Span) Range {
	r := Range{Pos: Pos{File: p.path, Line: s.Start.Line, Col: s.Start.Col}}
	if s.End.Line > 0 {
		r.End = Pos{File: p.path, Line: s.End.Line, Col: s.End.Col}
	}
	return r
}

// rng is the range of the token n starts with.
func (p *parser) rng(n *yaml.Node) Range { return p.rangeOf(p.w.Span(n)) }

func (p *parser) errorf(r Range, rule, format string, args ...any) *Diagnostic {
	d := &Diagnostic{Range: r, Severity: SeverityError, Rule: rule, Message: fmt.Sprintf(format, args...)}
	p.diags = append(p.diags, d)
	return d
}

// scalarOf returns the scalar n with its range.
func (p *parser) scalarOf(n *yaml.Node) *Scalar {
	return &Scalar{
		Value: n.Value,
		Range: p.rng(n),
		Plain: n.Style == 0 && n.Kind == yaml.ScalarNode && !strings.ContainsAny(n.Value, "\r\n"),
	}
}

// mapping walks the mapping n, described as what, as yamlwalk.Mapping does,
// and hands fn each good key as a Scalar.
func (p *parser) mapping(n *yaml.Node, what string, allowed []string, fn func(key *Scalar, val *yaml.Node)) bool {
	return p.w.Mapping(n, what, allowed, func(k, v *yaml.Node) { fn(p.scalarOf(k), v) })
}

// scalar returns the scalar n, or reports that what must be one. A YAML
// null is returned as an empty scalar.
func (p *parser) scalar(n *yaml.Node, what string) *Scalar {
	n = p.w.Scalar(n, what)
	if n == nil {
		return nil
	}
	s := p.scalarOf(n)
	if yamlwalk.IsNull(n) {
		s.Value = ""
	}
	return s
}

func (p *parser) file(f *File, root *yaml.Node) {
	f.Range = p.rng(yamlwalk.Resolve(root))
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
		case "main":
			f.Main = p.scalar(v, "main")
		case "state_budget":
			f.StateBudget = p.scalar(v, "state_budget")
		case "number":
			f.Number = p.scalar(v, "number")
		case "defaults":
			f.Defaults = p.defaults(v)
		case "vars":
			p.vars(f, v)
		case "nodes":
			nodes = v
		case "languages":
			p.languages(f, v)
		case "lint":
			f.Lint = p.lint(v, "lint")
		case "switches":
			p.switches(f, v)
		}
	})
	if !ok {
		return
	}
	if f.Start == nil {
		p.errorf(f.Range, RuleMissingKey, "missing required key %q: the node every call starts at", "start")
	}
	if nodes == nil {
		p.errorf(f.Range, RuleMissingKey, "missing required key %q: the mapping of node IDs to nodes", "nodes")
		f.nodesReported = true
		return
	}
	f.nodesReported = !p.mapping(nodes, "nodes", nil, func(id *Scalar, v *yaml.Node) {
		f.Nodes = append(f.Nodes, p.node(id, v))
	})
}

func (p *parser) defaults(n *yaml.Node) *Defaults {
	d := &Defaults{Range: p.rng(yamlwalk.Resolve(n))}
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
		case "no_input":
			d.NoInput = p.budget(v, "defaults.no_input")
		case "invalid":
			d.Invalid = p.budget(v, "defaults.invalid")
		case "hotkeys":
			d.Hotkeys = p.hotkeys(v, "defaults.hotkeys")
		}
	})
	return d
}

func (p *parser) capture(n *yaml.Node, what string) *Capture {
	c := &Capture{Range: p.rng(yamlwalk.Resolve(n))}
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
	// The node's range runs from its ID to the end of its last value, so
	// that it holds every diagnostic about the node.
	nd := &NodeDecl{ID: id, Range: Range{Pos: id.Pos, End: p.rangeOf(p.w.Extent(n)).End}}
	what := fmt.Sprintf("node %q", id.Value)
	// The kind decides which keys are allowed, so find it first.
	var otherKinds []string // reported here, so not as unknown keys too
	if m := yamlwalk.Resolve(n); m.Kind == yaml.MappingNode {
		for _, pair := range p.w.Pairs(m) {
			k := pair.Key
			if k.Kind != yaml.ScalarNode || !slices.Contains(kindKeys, k.Value) {
				continue
			}
			if nd.KindKey != nil {
				if k.Value == nd.KindKey.Value {
					continue // a duplicate key, which mapping reports
				}
				p.errorf(p.rng(k), RuleNodeKind, "%s is already a %s node (at %d:%d); a node has exactly one of menu, say, dial, schedule, collect, set, branch, switch, request",
					what, nd.KindKey.Value, nd.KindKey.Pos.Line, nd.KindKey.Pos.Col)
				otherKinds = append(otherKinds, k.Value)
				continue
			}
			nd.KindKey = p.scalarOf(k)
			switch k.Value {
			case "menu":
				nd.Kind = KindMenu
			case "say":
				nd.Kind = KindSay
			case "dial":
				nd.Kind = KindDial
			case "schedule":
				nd.Kind = KindSchedule
			case "collect":
				nd.Kind = KindCollect
			case "set":
				nd.Kind = KindSet
			case "branch":
				nd.Kind = KindBranch
			case "switch":
				nd.Kind = KindSwitch
			case "request":
				nd.Kind = KindRequest
			}
		}
	}
	allowed := append(slices.Clip(nd.Kind.spec().keys), otherKinds...)
	if nd.Kind == KindInvalid {
		allowed = allNodeKeys()
	}
	ok := p.mapping(n, what, allowed, func(key *Scalar, v *yaml.Node) {
		field := what + " " + key.Value
		switch key.Value {
		case "menu", "say", "collect":
			if key.Pos == nd.KindKey.Pos {
				nd.Text = p.text(v, field)
			}
		case "dial":
			if key.Pos == nd.KindKey.Pos {
				nd.Dial = p.dial(v, field)
			}
		case "schedule":
			if key.Pos == nd.KindKey.Pos {
				nd.Schedule = p.schedule(v, field)
			}
		case "into":
			nd.Into = p.scalar(v, field)
		case "check":
			nd.Check = p.scalar(v, field)
		case "pattern":
			nd.Pattern = p.scalar(v, field)
		case "set":
			if key.Pos == nd.KindKey.Pos {
				p.mapping(v, field, nil, func(name *Scalar, val *yaml.Node) {
					if vs := p.scalar(val, fmt.Sprintf("%s value %q", what, name.Value)); vs != nil {
						nd.Sets = append(nd.Sets, &Var{Name: name, Value: vs})
					}
				})
			}
		case "branch":
			if key.Pos == nd.KindKey.Pos {
				nd.BranchOn = p.scalar(v, field)
			}
		case "cases":
			if r := yamlwalk.Resolve(v); r.Kind != yaml.SequenceNode {
				p.errorf(p.rng(r), RuleType, "%s cases must be a list of {equals|above|below|matches: VALUE, to: NODE}", what)
				break
			}
			for _, item := range yamlwalk.Resolve(v).Content {
				cd := &CaseDecl{Range: p.rng(yamlwalk.Resolve(item))}
				p.mapping(item, field+" case", append(slices.Clip(caseOps), "to"), func(k *Scalar, cv *yaml.Node) {
					val := p.scalar(cv, field+" case "+k.Value)
					if k.Value == "to" {
						cd.To = val
						return
					}
					if cd.Op != nil {
						p.errorf(k.Range, RuleType, "a case tests one thing; this one already has %s", cd.Op.Value)
						return
					}
					cd.Op, cd.Value = k, val
				})
				nd.Cases = append(nd.Cases, cd)
			}
		case "switch":
			if key.Pos == nd.KindKey.Pos {
				nd.Switch = p.scalar(v, field)
			}
		case "branches":
			nd.BranchesRange = p.rng(yamlwalk.Resolve(v))
			p.mapping(v, field, nil, func(k *Scalar, t *yaml.Node) {
				if target := p.scalar(t, fmt.Sprintf("%s branch %q", what, k.Value)); target != nil {
					nd.Branches = append(nd.Branches, &BranchDecl{Name: k, Target: target})
				}
			})
		case "keys":
			nd.KeysRange = p.rng(yamlwalk.Resolve(v))
			ok := p.mapping(v, what+" keys", nil, func(k *Scalar, t *yaml.Node) { p.key(nd, k, t, what) })
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
		case "request":
			if key.Pos == nd.KindKey.Pos {
				nd.Request = p.request(v, field)
			}
		case "ok", "client_error", "server_error", "timeout", "error":
			if t := p.scalar(v, field); t != nil {
				nd.Branches = append(nd.Branches, &BranchDecl{Name: key, Target: t})
			}
		case "answered", "busy", "no_answer", "failed", "on", "off":
			if t := p.scalar(v, field); t != nil {
				nd.Branches = append(nd.Branches, &BranchDecl{Name: key, Target: t})
			}
		case "sensitive":
			nd.Sensitive = p.scalar(v, field)
		case "no_input":
			nd.NoInput = p.budget(v, field)
		case "invalid":
			nd.Invalid = p.budget(v, field)
		case "reprompt":
			nd.Reprompt = p.text(v, field)
		case "hotkeys":
			nd.Hotkeys = p.hotkeys(v, field)
		case "lint":
			nd.Lint = p.lint(v, field)
		}
	})
	if ok && nd.Kind == KindInvalid {
		p.errorf(id.Range, RuleNodeKind, "%s needs one of the keys menu, say, dial, schedule, collect, set, branch, switch or request", what)
	}
	return nd
}

func (p *parser) dial(n *yaml.Node, what string) *Dial {
	d := &Dial{Range: p.rng(yamlwalk.Resolve(n))}
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

// lint parses a lint mapping, described as what. ignore takes a rule name
// or a list of them.
func (p *parser) lint(n *yaml.Node, what string) *Lint {
	l := &Lint{Range: p.rng(yamlwalk.Resolve(n))}
	p.mapping(n, what, lintKeys, func(key *Scalar, v *yaml.Node) {
		l.Ignore = append(l.Ignore, p.scalars(v, what+"."+key.Value)...)
	})
	return l
}

// budget parses a no_input or invalid mapping. say takes one message or a
// list of them.
func (p *parser) budget(n *yaml.Node, what string) *Budget {
	b := &Budget{Range: p.rng(yamlwalk.Resolve(n))}
	p.mapping(n, what, budgetKeys, func(key *Scalar, v *yaml.Node) {
		field := what + "." + key.Value
		switch key.Value {
		case "retries":
			b.Retries = p.scalar(v, field)
		case "say":
			b.Say = p.texts(v, field)
		}
	})
	return b
}

// scalars parses a scalar or a list of them.
func (p *parser) scalars(n *yaml.Node, what string) []*Scalar {
	var out []*Scalar
	if r := yamlwalk.Resolve(n); r.Kind == yaml.SequenceNode {
		for _, item := range r.Content {
			if s := p.scalar(item, what+" entry"); s != nil {
				out = append(out, s)
			}
		}
		return out
	}
	if s := p.scalar(n, what); s != nil {
		out = append(out, s)
	}
	return out
}

// hotkeys parses a hotkeys mapping of DTMF keys to what they do.
func (p *parser) hotkeys(n *yaml.Node, what string) *Hotkeys {
	h := &Hotkeys{Range: p.rng(yamlwalk.Resolve(n))}
	p.mapping(n, what, nil, func(k *Scalar, v *yaml.Node) {
		if a := p.scalar(v, fmt.Sprintf("%s key %q", what, k.Value)); a != nil {
			h.Keys = append(h.Keys, &HotkeyDecl{Key: k, Action: a})
		}
	})
	return h
}

// schedule parses the hours of a schedule node.
func (p *parser) schedule(n *yaml.Node, what string) *ScheduleDecl {
	sd := &ScheduleDecl{Range: p.rng(yamlwalk.Resolve(n))}
	p.mapping(n, what, scheduleKeys, func(key *Scalar, v *yaml.Node) {
		field := what + "." + key.Value
		switch key.Value {
		case "zone":
			sd.Zone = p.scalar(v, field)
		case "holidays":
			sd.Holidays = p.scalar(v, field)
		case "weekly":
			p.mapping(v, field, nil, func(branch *Scalar, days *yaml.Node) {
				p.mapping(days, field+"."+branch.Value, nil, func(d *Scalar, hours *yaml.Node) {
					if h := p.scalar(hours, field+"."+branch.Value+"."+d.Value); h != nil {
						sd.Weekly = append(sd.Weekly, [3]*Scalar{branch, d, h})
					}
				})
			})
		case "closed":
			p.mapping(v, field, nil, func(date *Scalar, why *yaml.Node) {
				if w := p.scalar(why, field+"."+date.Value); w != nil {
					sd.Closed = append(sd.Closed, [2]*Scalar{date, w})
				}
			})
		case "special":
			p.mapping(v, field, nil, func(date *Scalar, hours *yaml.Node) {
				f := field + "." + date.Value
				if r := yamlwalk.Resolve(hours); r.Kind == yaml.ScalarNode {
					if h := p.scalar(hours, f); h != nil {
						sd.Special = append(sd.Special, [3]*Scalar{date, nil, h})
					}
					return
				}
				p.mapping(hours, f, nil, func(branch *Scalar, h *yaml.Node) {
					if hs := p.scalar(h, f+"."+branch.Value); hs != nil {
						sd.Special = append(sd.Special, [3]*Scalar{date, branch, hs})
					}
				})
			})
		}
	})
	return sd
}

// request parses the HTTP request of a request node.
func (p *parser) request(n *yaml.Node, what string) *RequestDecl {
	rd := &RequestDecl{Range: p.rng(yamlwalk.Resolve(n))}
	pairs := func(v *yaml.Node, field string) []*Var {
		var out []*Var
		p.mapping(v, field, nil, func(name *Scalar, val *yaml.Node) {
			if s := p.scalar(val, field+"."+name.Value); s != nil {
				out = append(out, &Var{Name: name, Value: s})
			}
		})
		return out
	}
	p.mapping(n, what, requestKeys, func(key *Scalar, v *yaml.Node) {
		field := what + "." + key.Value
		switch key.Value {
		case "method":
			rd.Method = p.scalar(v, field)
		case "url":
			rd.URL = p.scalar(v, field)
		case "timeout":
			rd.Timeout = p.scalar(v, field)
		case "headers":
			rd.Headers = pairs(v, field)
		case "body":
			rd.Body = pairs(v, field)
		case "save":
			rd.Save = pairs(v, field)
		}
	})
	return rd
}
