// Package scenario plays scripted calls through a compiled flow and checks
// what the caller hears, where the call goes and how it ends: the test
// runner of ivrctl test. Calls go through engine.Flow.Answer, the step the
// server answers with, carrying the call's state from answer to answer
// (see Call), so retries, the way back and the language play as served. A
// case can place its call at a time (read in the zone of the line's
// schedule) and start it in a language. A scenario file, NAME.test.yaml,
// is YAML read with the same walker as flow files, so its diagnostics
// read the same way.
package scenario

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/callstate"
	"github.com/ivrctl/ivrctl/engine/internal/yamlwalk"
)

// Suffix ends the name of a scenario file: NAME.test.yaml tests the flow
// NAME.yaml beside it.
const Suffix = ".test.yaml"

// Allowed keys of each mapping in a scenario file.
var (
	suiteKeys = []string{"flow", "cases"}
	caseKeys  = []string{"name", "at", "time", "lang", "inbound", "env", "switches", "responses", "keys", "expect"}
	// responseKeys are what a case's response to a request node says.
	responseKeys = []string{"status", "body", "timeout", "error"}
	expectKeys   = []string{"hears", "reaches", "ends_at", "dials", "hangs_up", "outcomes", "lang", "retries"}
	// retryKeys are the budgets expect retries counts.
	retryKeys = []string{"no_input", "invalid"}
)

// maxSteps bounds a played call, so that dial nodes that lead to one
// another cannot play forever.
const maxSteps = 1000

// Suite is a parsed scenario file: the calls to play through one flow.
type Suite struct {
	// Path is the scenario file.
	Path string
	// Flow is the flow file the scenarios test, relative to the working
	// directory as Path is.
	Flow  string
	Cases []*Case
}

// Case is one scripted call.
type Case struct {
	Name *engine.Scalar
	Pos  engine.Pos
	// At, when set, is the clientActionId of the call's first webhook, as
	// for a call already in progress; the first key is entered there. A
	// node the flow does not have plays the fallback.
	At *engine.Scalar
	// Time, when set, is when the call is placed (see ParseTime; a
	// wall-clock time is read in the line's zone, see Zone): the time the
	// flow's schedules read. Unset, the call is placed when the
	// cases run (RunOptions.Now).
	Time *engine.Scalar
	// Lang, when set, is the language the call starts in; unset, the
	// flow's first.
	Lang *engine.Scalar
	// Inbound, when set, says whether the call is inbound (8x8 rings the
	// line, which answers with the start node) or outbound (ivrctl call
	// placed it with the start node, and the caller answered); nil plays
	// the runner's default (see RunOptions.Outbound).
	Inbound *bool
	// Env sets ${NAME}s the flow reads for this call, over the process
	// environment; nil when the case sets none. The flow is loaded once
	// for each distinct Env (see EnvKey and RunOptions.EnvFlows).
	Env map[string]string
	// Switches are the positions of the flow's switches for this call,
	// as an operator would set them; a switch not in it is at the
	// flow's default. SwitchesPos is where the mapping starts.
	Switches    engine.Switches
	SwitchesPos engine.Pos
	// Responses are what the business's API answers each request node, by
	// node ID, so that every branch of a flow that asks it is tested
	// without it; a request node without one gets no answer (error).
	Responses map[string]engine.Response
	// Keys are the digits entered at each menu, "" for none, and at a
	// dial node how its bridged call ends (a TransferOutcome's name, see
	// Outcome); a dial with no outcome given ends answered.
	Keys    []*engine.Scalar
	KeysPos engine.Pos
	Expect  Expect
}

// Expect is what a case checks about the whole call. Nil fields are not
// checked.
type Expect struct {
	Hears   []*engine.Scalar // each is a substring of something said
	Reaches []*engine.Scalar // each node is reached
	EndsAt  *engine.Scalar   // the node the call ends at
	Dials   []*engine.Scalar // each number is a makeCall destination
	HangsUp *engine.Scalar   // "true" or "false"
	hangsUp bool
	// Outcomes are step outcomes (engine.Outcome: no_input_retry, back,
	// busy...) that the call's steps have, in this order.
	Outcomes []*engine.Scalar
	// Lang is the language the call is in at its end.
	Lang *engine.Scalar
	// NoInput and Invalid are the retry counts at the menu the call
	// ends at: how many times it was silent or pressed a wrong key there.
	NoInput, Invalid *engine.Scalar
}

// parser reads a scenario file with the walker flow files are read with.
type parser struct {
	path  string
	w     *yamlwalk.Walker
	diags engine.Diagnostics
}

func (p *parser) errorf(r engine.Range, rule, format string, args ...any) {
	p.diags = append(p.diags, &engine.Diagnostic{Range: r, Severity: engine.SeverityError, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

// rng returns the range of the token n starts with.
func (p *parser) rng(n *yaml.Node) engine.Range { return p.rangeOf(p.w.Span(n)) }

// rangeOf places a span of the walker in the file.
func (p *parser) rangeOf(s yamlwalk.Span) engine.Range {
	r := engine.Range{Pos: engine.Pos{File: p.path, Line: s.Start.Line, Col: s.Start.Col}}
	if s.End.Line > 0 {
		r.End = engine.Pos{File: p.path, Line: s.End.Line, Col: s.End.Col}
	}
	return r
}

func (p *parser) mapping(n *yaml.Node, what string, allowed []string, fn func(key *engine.Scalar, val *yaml.Node)) bool {
	return p.w.Mapping(n, what, allowed, func(k, v *yaml.Node) { fn(&engine.Scalar{Value: k.Value, Range: p.rng(k)}, v) })
}

// scalar returns the scalar n, or reports that what must be one. A YAML
// null reads as "".
func (p *parser) scalar(n *yaml.Node, what string) *engine.Scalar {
	if n = p.w.Scalar(n, what); n == nil {
		return nil
	}
	s := &engine.Scalar{Value: n.Value, Range: p.rng(n)}
	if yamlwalk.IsNull(n) {
		s.Value = ""
	}
	return s
}

// Load parses the scenario file src, read from path.
func Load(path string, src []byte) (*Suite, engine.Diagnostics) {
	p := &parser{path: path, w: yamlwalk.New(src)}
	s := p.suite()
	for _, pr := range p.w.Problems {
		p.diags = append(p.diags, &engine.Diagnostic{Range: p.rangeOf(pr.Span), Severity: engine.SeverityError, Rule: pr.Rule, Message: pr.Message, Hint: pr.Hint})
	}
	p.diags.Sort()
	return s, p.diags
}

func (p *parser) suite() *Suite {
	s := &Suite{Path: p.path}
	docs, ok := p.w.Documents()
	if !ok {
		return s
	}
	top := engine.Range{Pos: engine.Pos{File: p.path, Line: 1, Col: 1}}
	if len(docs) == 0 || len(docs[0].Content) == 0 {
		p.errorf(top, engine.RuleMissingKey, "the scenario file is empty; it needs cases")
		return s
	}
	root := docs[0].Content[0]
	var flow *engine.Scalar
	hasCases := false
	ok = p.mapping(root, "the scenario file", suiteKeys, func(key *engine.Scalar, v *yaml.Node) {
		switch key.Value {
		case "flow":
			flow = p.scalar(v, "flow")
		case "cases":
			hasCases = true
			n := yamlwalk.Resolve(v)
			if n.Kind != yaml.SequenceNode {
				p.errorf(p.rng(n), engine.RuleType, "cases must be a list, got %s", yamlwalk.KindName(n))
				return
			}
			for i, c := range n.Content {
				if sc := p.scenarioCase(c, i); sc != nil {
					s.Cases = append(s.Cases, sc)
				}
			}
		}
	})
	if !ok {
		return s
	}
	top = p.rng(yamlwalk.Resolve(root))
	if !hasCases {
		p.errorf(top, engine.RuleMissingKey, "missing required key %q: the list of calls to play", "cases")
	}
	switch {
	case flow != nil && flow.Value == "":
		p.errorf(flow.Range, engine.RuleType, "flow must name the flow file")
	case flow != nil:
		s.Flow = filepath.Join(filepath.Dir(p.path), flow.Value)
	case strings.HasSuffix(p.path, Suffix):
		s.Flow = strings.TrimSuffix(p.path, Suffix) + ".yaml"
	default:
		p.errorf(top, engine.RuleMissingKey, "missing key %q: the file name does not end in %s, so the flow it tests cannot be told", "flow", Suffix)
	}
	seen := map[string]engine.Pos{}
	for _, c := range s.Cases {
		if first, dup := seen[c.Name.Value]; dup {
			p.errorf(c.Name.Range, engine.RuleDuplicateKey, "duplicate case name %q; first at %d:%d", c.Name.Value, first.Line, first.Col)
			continue
		}
		seen[c.Name.Value] = c.Name.Pos
	}
	return s
}

func (p *parser) scenarioCase(n *yaml.Node, i int) *Case {
	c := &Case{Pos: p.rng(yamlwalk.Resolve(n)).Pos}
	what := fmt.Sprintf("case %d", i+1)
	hasExpect := false
	ok := p.mapping(n, what, caseKeys, func(key *engine.Scalar, v *yaml.Node) {
		switch key.Value {
		case "name":
			c.Name = p.scalar(v, what+" name")
			if c.Name != nil {
				what = fmt.Sprintf("case %q", c.Name.Value)
			}
		case "at":
			c.At = p.scalar(v, what+" at")
		case "time":
			c.Time = p.scalar(v, what+" time")
			if c.Time != nil {
				// The zone is the flow's, known when the case runs; the
				// form is checked here.
				if _, err := ParseTime(c.Time.Value, time.UTC); err != nil {
					p.errorf(c.Time.Range, engine.RuleValue, "%s time: %v", what, err)
				}
			}
		case "lang":
			c.Lang = p.scalar(v, what+" lang")
		case "inbound":
			in := p.boolean(v, what+" inbound")
			c.Inbound = &in
		case "env":
			c.Env = map[string]string{}
			p.mapping(v, what+" env", nil, func(name *engine.Scalar, v *yaml.Node) {
				if val := p.scalar(v, fmt.Sprintf("%s env %s", what, name.Value)); val != nil {
					c.Env[name.Value] = val.Value
				}
			})
		case "switches":
			c.SwitchesPos = p.rng(yamlwalk.Resolve(v)).Pos
			c.Switches = engine.Switches{}
			p.mapping(v, what+" switches", nil, func(name *engine.Scalar, v *yaml.Node) {
				val := p.scalar(v, fmt.Sprintf("%s switch %s", what, name.Value))
				if val == nil {
					return
				}
				on, ok := engine.ParseSwitchPosition(val.Value)
				if !ok {
					p.errorf(val.Range, engine.RuleValue, "%s switch %s is %q; a switch is on or off", what, name.Value, val.Value)
				}
				c.Switches[name.Value] = on
			})
		case "responses":
			c.Responses = map[string]engine.Response{}
			p.mapping(v, what+" responses", nil, func(node *engine.Scalar, v *yaml.Node) {
				c.Responses[node.Value] = p.response(v, fmt.Sprintf("%s response of %s", what, node.Value))
			})
		case "keys":
			c.KeysPos = p.rng(yamlwalk.Resolve(v)).Pos
			c.Keys = p.scalars(v, what+" keys", true)
		case "expect":
			hasExpect = true
			// An expect that names nothing to check (expect: {}, or
			// hears: []) passes every call; refused unless a problem in
			// it is reported already.
			checks, problems := 0, len(p.w.Problems)+len(p.diags)
			ok := p.mapping(v, what+" expect", expectKeys, func(key *engine.Scalar, v *yaml.Node) {
				if r := yamlwalk.Resolve(v); r.Kind != yaml.SequenceNode || len(r.Content) > 0 {
					checks++
				}
				field := what + " expect " + key.Value
				e := &c.Expect
				switch key.Value {
				case "hears":
					e.Hears = withPos(p.scalars(v, field, false), key.Range)
				case "reaches":
					e.Reaches = withPos(p.scalars(v, field, false), key.Range)
				case "ends_at":
					e.EndsAt = p.scalar(v, field)
					if e.EndsAt != nil {
						e.EndsAt.Range = key.Range
					}
				case "dials":
					e.Dials = withPos(p.scalars(v, field, false), key.Range)
				case "hangs_up":
					e.hangsUp = p.boolean(v, field)
					e.HangsUp = &engine.Scalar{Value: fmt.Sprint(e.hangsUp), Range: key.Range}
				case "outcomes":
					e.Outcomes = p.scalars(v, field, false)
					for _, o := range e.Outcomes {
						if !slices.Contains(engine.Outcomes, engine.Outcome(o.Value)) {
							p.errorf(o.Range, engine.RuleValue, "%s: %q is not an outcome; outcomes are %s", field, o.Value, outcomeNames())
						}
					}
				case "lang":
					e.Lang = p.scalar(v, field)
					if e.Lang != nil {
						e.Lang.Range = key.Range
					}
				case "retries":
					p.mapping(v, field, retryKeys, func(k *engine.Scalar, v *yaml.Node) {
						n := p.scalar(v, field+" "+k.Value)
						if n == nil {
							return
						}
						if _, err := strconv.Atoi(n.Value); err != nil {
							p.errorf(n.Range, engine.RuleType, "%s %s must be a whole number, got %q", field, k.Value, n.Value)
							return
						}
						n.Range = k.Range
						if k.Value == "no_input" {
							e.NoInput = n
						} else {
							e.Invalid = n
						}
					})
				}
			})
			if ok && checks == 0 && len(p.w.Problems)+len(p.diags) == problems {
				p.errorf(p.rng(yamlwalk.Resolve(v)), engine.RuleMissingKey, "%s expect checks nothing; give at least one of %s", what, strings.Join(expectKeys, ", "))
			}
		}
	})
	if !ok {
		return nil
	}
	if c.Name == nil || c.Name.Value == "" {
		p.errorf(engine.Range{Pos: c.Pos}, engine.RuleMissingKey, "%s needs a name", what)
		return nil
	}
	if !hasExpect {
		p.errorf(c.Name.Range, engine.RuleMissingKey, "%s needs expect: what the call must do", what)
	}
	return c
}

// EnvKey names the case's Env: the same for cases that set the same
// values, "" for none.
func (c *Case) EnvKey() string {
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(c.Env)) {
		fmt.Fprintf(&b, "%s=%s\x00", name, c.Env[name])
	}
	return b.String()
}

// LookupEnv returns the environment the case's flow is loaded with: its
// Env, then base.
func (c *Case) LookupEnv(base engine.LookupEnv) engine.LookupEnv {
	return func(name string) (string, bool) {
		if v, ok := c.Env[name]; ok {
			return v, true
		}
		return base(name)
	}
}

// withPos moves every expectation to pos, the key that states it, which is
// where a failure points.
func withPos(list []*engine.Scalar, r engine.Range) []*engine.Scalar {
	for _, s := range list {
		s.Range = r
	}
	return list
}

// NoKey is how sim and scenario files write a menu where the caller
// pressed nothing, as when the capture's tries ran out.
const NoKey = "-"

// Key turns a key entry as sim and scenario files write it ("1", "12",
// "*", NoKey) into the digits 8x8 would send: NoKey, or nothing, is "".
// An entry 8x8 could never send, such as "l" or "abc", is an error.
func Key(entry string) (string, error) {
	entry = strings.TrimSpace(entry)
	switch {
	case entry == NoKey || entry == "":
		return "", nil
	case callflows.IsDTMF(entry):
		return entry, nil
	}
	return "", fmt.Errorf("%q is not a key 8x8 can send: use digits 0-9, * and #, or %s for none", entry, NoKey)
}

// outcomeNames lists the step outcomes a case can expect.
func outcomeNames() string {
	names := make([]string, len(engine.Outcomes))
	for i, o := range engine.Outcomes {
		names[i] = string(o)
	}
	return strings.Join(names, ", ")
}

// scalars reads a scalar or, when list is false, a list of scalars;
// when list is true it must be a list of keys (see Key).
func (p *parser) scalars(n *yaml.Node, what string, list bool) []*engine.Scalar {
	n = yamlwalk.Resolve(n)
	if n.Kind != yaml.SequenceNode {
		if list {
			p.errorf(p.rng(n), engine.RuleType, "%s must be a list, got %s", what, yamlwalk.KindName(n))
			return nil
		}
		if s := p.scalar(n, what); s != nil {
			return []*engine.Scalar{s}
		}
		return nil
	}
	var out []*engine.Scalar
	for _, item := range n.Content {
		s := p.scalar(item, what)
		if s == nil {
			continue
		}
		if o, ok := Outcome(s.Value); list && ok {
			s.Value = o.String()
		} else if list {
			key, err := Key(s.Value)
			if err != nil {
				p.errorf(s.Range, engine.RuleValue, "%s: %v", what, err)
				continue
			}
			s.Value = key
		}
		out = append(out, s)
	}
	return out
}

func (p *parser) boolean(n *yaml.Node, what string) bool {
	s := p.scalar(n, what)
	if s == nil {
		return false
	}
	switch s.Value {
	case "true":
		return true
	case "false":
		return false
	}
	p.errorf(s.Range, engine.RuleType, "%s must be true or false, got %q", what, s.Value)
	return false
}

// Result is the outcome of running a Suite.
type Result struct {
	Cases    []CaseResult
	Coverage Coverage
}

// Failed reports whether any case failed.
func (r Result) Failed() bool {
	for _, c := range r.Cases {
		if len(c.Failures) > 0 {
			return true
		}
	}
	return false
}

// CaseResult is how one case went: no failures is a pass.
type CaseResult struct {
	Name     string
	Path     []string // the IDs of the nodes the call went through
	Failures []Failure
}

// Failure is one expectation a case did not meet.
type Failure struct {
	Pos     engine.Pos
	Message string
}

func (f Failure) String() string { return fmt.Sprintf("%s: %s", f.Pos, f.Message) }

// Coverage is how much of the flow the cases played: its nodes, and its
// edges of every kind (keys, hotkeys, wrong keys, silence, messages that
// continue, transfer outcomes, then). An edge declared once for every menu
// counts once for the flow: an inherited hotkey per key and what it does,
// and where a wrong key or silence leads per destination, so that full
// coverage does not take every hotkey and every wrong key at every menu.
// A back hotkey counts once per menu and menu it returns to.
type Coverage struct {
	Nodes, NodesTotal int
	Edges, EdgesTotal int
	// UncoveredNodes are the IDs of the nodes no case reached, and
	// UncoveredEdges the edges no case took, in file order: a menu key as
	// MENU/KEY, others as NODE/KIND -> TO (see edgeUnit).
	UncoveredNodes []string
	UncoveredEdges []string
}

// NodePercent and EdgePercent are the coverage in percent; 100 when there
// is nothing to cover.
func (c Coverage) NodePercent() float64 { return percent(c.Nodes, c.NodesTotal) }

// EdgePercent: see NodePercent.
func (c Coverage) EdgePercent() float64 { return percent(c.Edges, c.EdgesTotal) }

func percent(n, total int) float64 {
	if total == 0 {
		return 100
	}
	return 100 * float64(n) / float64(total)
}

// String formats the figures as nodes 13/13 (100%), edges 14/14 (100%),
// rounding down so that nothing short of everything shows as 100%.
func (c Coverage) String() string {
	return fmt.Sprintf("nodes %d/%d (%d%%), edges %d/%d (%d%%)",
		c.Nodes, c.NodesTotal, int(c.NodePercent()), c.Edges, c.EdgesTotal, int(c.EdgePercent()))
}

// edgeUnit returns what taking edge e of node n covers, as a key and as
// Coverage names it: edges declared once for every menu share one.
func edgeUnit(n *engine.Node, e engine.Edge) (key, name string) {
	to := pathName(e.To)
	switch e.Kind {
	case engine.EdgeKey:
		return n.ID() + "\x00key\x00" + e.Label, n.ID() + "/" + e.Label
	case engine.EdgeInvalid, engine.EdgeNoInput:
		name = fmt.Sprintf("%s -> %s", e.Kind, to)
		return "\x00" + name, name
	case engine.EdgeHotkey:
		action, _ := n.Hotkey(e.Label)
		does := "-> " + to
		switch action {
		case "repeat":
			does = "(repeat)"
		case "back":
			does += " (back)"
		}
		name = fmt.Sprintf("hotkey %s %s", e.Label, does)
		if e.Inherited && action != "back" {
			return "\x00" + name, name
		}
	case engine.EdgeOutcome:
		name = e.Label + " -> " + to
	default:
		name = strings.TrimSpace(e.Kind.String()+" "+e.Label) + " -> " + to
	}
	name = n.ID() + "/" + name
	return name, name
}

// taken records the edges the played calls took, by edgeUnit's key.
type taken map[string]bool

// take records the edge of kind and label from n to to, and reports
// whether n has one.
func (t taken) take(n *engine.Node, kind engine.EdgeKind, label string, to *engine.Node) bool {
	for _, e := range n.Edges() {
		if e.Kind == kind && e.Label == label && e.To == to {
			key, _ := edgeUnit(n, e)
			t[key] = true
			return true
		}
	}
	return false
}

// step records the edges step s took, at time at with the switches sw:
// out of the node it answered, then through each node it passed (a
// schedule by the branch that held at at, a switch node by its switch's
// position, which tells apart two branches to one node).
func (t taken) step(s engine.Step, digits string, at time.Time, sw engine.Switches) {
	passed := s.Passed()
	first := s.Next
	if len(passed) > 0 {
		first = passed[0]
	}
	if from := s.From; from != nil {
		switch s.Outcome {
		case engine.OutcomeKey:
			t.take(from, engine.EdgeKey, digits, first)
		case engine.OutcomeHotkey, engine.OutcomeMain, engine.OutcomeBack:
			t.take(from, engine.EdgeHotkey, digits, first)
		case engine.OutcomeRepeat:
			t.take(from, engine.EdgeHotkey, digits, from)
		case engine.OutcomeInvalid:
			t.take(from, engine.EdgeInvalid, "", first)
		case engine.OutcomeNoInput:
			t.take(from, engine.EdgeNoInput, "", first)
		case engine.OutcomeThen, engine.OutcomeCollected:
			t.take(from, engine.EdgeThen, "", first)
		case engine.OutcomeAnswered, engine.OutcomeBusy, engine.OutcomeNoAnswer, engine.OutcomeFailed:
			t.take(from, engine.EdgeOutcome, string(s.Outcome), first)
		}
	}
	for i, p := range passed {
		next := s.Next
		if i+1 < len(passed) {
			next = passed[i+1]
		}
		if sc := p.Schedule(); sc != nil {
			if !t.take(p, engine.EdgeBranch, sc.Branch(callTime(at)), next) {
				t.take(p, engine.EdgeThen, "", next) // the branch has no node
			}
			continue
		}
		if p.Switch() != "" {
			t.take(p, engine.EdgeSwitch, engine.SwitchLabel(p.SwitchOn(sw)), next)
			continue
		}
		for _, e := range p.Edges() {
			if e.To == next {
				t.take(p, e.Kind, e.Label, next)
				break
			}
		}
	}
}

// RunOptions say how Run plays the cases.
type RunOptions struct {
	// EnvFlows holds the flow loaded with each case's Env, by EnvKey; a
	// case whose Env has no flow here, or that sets none, plays the flow
	// given to Run.
	EnvFlows map[string]*engine.Flow
	// Outbound plays the cases that do not set inbound as outbound calls;
	// by default they are inbound.
	Outbound bool
	// Keys seal the calls' state, as IVRCTL_STATE_KEY does on a server.
	Keys callstate.Keys
	// Now is when the cases that set no time are placed; zero is the
	// time Run is called.
	Now time.Time
}

// Run plays every case through flow, or through the flow loaded with the
// case's Env. Coverage counts flow's nodes and edges, which every Env
// shares: the environment sets values, not nodes.
func (s *Suite) Run(flow *engine.Flow, opts RunOptions) Result {
	var r Result
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	nodes := map[string]bool{}
	took := taken{}
	for _, c := range s.Cases {
		f := flow
		if ef, ok := opts.EnvFlows[c.EnvKey()]; ok && c.Env != nil {
			f = ef
		}
		inbound := !opts.Outbound
		if c.Inbound != nil {
			inbound = *c.Inbound
		}
		r.Cases = append(r.Cases, c.run(f, inbound, opts, nodes, took))
	}
	counted := map[string]bool{}
	for _, n := range flow.Nodes() {
		r.Coverage.NodesTotal++
		if nodes[n.ID()] {
			r.Coverage.Nodes++
		} else {
			r.Coverage.UncoveredNodes = append(r.Coverage.UncoveredNodes, n.ID())
		}
		for _, e := range n.Edges() {
			key, name := edgeUnit(n, e)
			if counted[key] {
				continue
			}
			counted[key] = true
			r.Coverage.EdgesTotal++
			if took[key] {
				r.Coverage.Edges++
			} else {
				r.Coverage.UncoveredEdges = append(r.Coverage.UncoveredEdges, name)
			}
		}
	}
	return r
}

// played is what a case's call did, for its checks.
type played struct {
	path, heard, dialled []string
	outcomes             []engine.Outcome
	end                  engine.Step
	hungUp               bool
}

func (c *Case) run(flow *engine.Flow, inbound bool, opts RunOptions, nodes map[string]bool, took taken) CaseResult {
	res := CaseResult{Name: c.Name.Value}
	var p played
	listen := func(r *callflows.Response) {
		for _, a := range r.Callflow {
			switch a := a.(type) {
			case *callflows.Say:
				p.heard = append(p.heard, a.Text)
			case *callflows.SayAndCapture:
				p.heard = append(p.heard, a.PromptMessage)
			case *callflows.MakeCall:
				p.dialled = append(p.dialled, a.Destination)
			}
		}
	}
	visit := func(n *engine.Node) {
		p.path = append(p.path, pathName(n))
		if n.ID() != "" {
			nodes[n.ID()] = true
		}
	}
	in := engine.Input{Time: opts.Now}
	if c.Time != nil {
		in.Time, _ = ParseTime(c.Time.Value, Zone(flow)) // checked by Load
	}
	// record takes in the answer to a webhook that brought digits.
	record := func(call *Call, r *callflows.Response, digits string) {
		took.step(call.Step, digits, in.Time, in.Switches)
		for _, n := range call.Step.Passed() {
			visit(n)
		}
		visit(call.Step.Next)
		p.outcomes = append(p.outcomes, call.Step.Outcome)
		listen(r)
	}
	if c.Lang != nil {
		if err := CheckLang(flow, c.Lang.Value); err != nil {
			res.Failures = []Failure{{c.Lang.Pos, "lang: " + err.Error()}}
			return res
		}
		in.Lang = c.Lang.Value
	}
	if c.Switches != nil {
		if err := CheckSwitches(flow, c.Switches); err != nil {
			res.Failures = []Failure{{c.SwitchesPos, "switches: " + err.Error()}}
			return res
		}
		in.Switches = c.Switches
	}
	call := &Call{Flow: flow, Keys: KeysFor(flow, opts.Keys)}
	if c.Responses != nil {
		call.Respond = func(req *engine.Request) engine.Response {
			if r, ok := c.Responses[req.Node.ID()]; ok {
				return r
			}
			return engine.Response{Err: ErrNoResponse}
		}
	}
	keys := c.Keys
	// next takes the entry for a menu, or for a dial (the outcome the
	// bridged call ends with, answered unless the next entry names one).
	next := func(dial bool) (digits string, o callflows.TransferOutcome) {
		if len(keys) == 0 {
			return "", callflows.TransferAnswered
		}
		o, isOutcome := Outcome(keys[0].Value)
		if dial && !isOutcome {
			return "", callflows.TransferAnswered
		}
		digits, keys = keys[0].Value, keys[1:]
		if isOutcome {
			digits = ""
		}
		return digits, o
	}
	var r *callflows.Response
	var err error
	switch {
	case c.At != nil:
		// A call already in progress: the first entry answers the node
		// named, whatever kind it is.
		call.ID = c.At.Value
		if n, ok := flow.Node(c.At.Value); ok {
			visit(n)
		} else {
			p.path = append(p.path, c.At.Value)
		}
		digits, o := next(false)
		step := in
		step.Digits, step.Transfer = digits, o
		if r, err = call.Send(step); err == nil {
			record(call, r, digits)
		}
	case inbound:
		if r, err = call.Ring(in); err == nil {
			record(call, r, "")
		}
	default:
		if r, err = call.Dialled(); err == nil {
			visit(flow.Start())
			listen(r)
		}
	}
	waiting := false
play:
	for i := 0; err == nil && i < maxSteps; i++ {
		// What the answer ends with says what comes next, as sim reads
		// it: no switch on node kinds.
		step := in
		switch last := r.Callflow.Last(); last.(type) {
		case nil:
			break play
		case *callflows.Hangup:
			p.hungUp = true
			break play
		case *callflows.SayAndCapture:
			if len(keys) == 0 {
				waiting = true
				break play
			}
			if o, ok := Outcome(keys[0].Value); ok {
				res.Failures = append(res.Failures, Failure{keys[0].Pos, fmt.Sprintf(
					"keys: %s ends a transfer, but the call is at the menu %s", o, pathName(call.Step.Next))})
				keys, waiting = nil, true
				break play
			}
			step.Digits, _ = next(false)
		case *callflows.MakeCall:
			step.Digits, step.Transfer = next(true)
		}
		if r, err = call.Send(step); err == nil {
			record(call, r, step.Digits)
		}
	}
	if err != nil {
		res.Failures = append(res.Failures, Failure{c.Name.Pos, err.Error()})
	}
	p.end = call.Step
	res.Path = p.path
	res.Failures = append(res.Failures, c.check(flow, p)...)
	if len(keys) > 0 && !waiting {
		left := make([]string, len(keys))
		for i, k := range keys {
			left[i] = keyName(k.Value)
		}
		res.Failures = append(res.Failures, Failure{keys[0].Pos, fmt.Sprintf(
			"keys %s left over: the call %s at %s", strings.Join(left, ", "), endVerb(p.hungUp), pathName(p.end.Next))})
	}
	slices.SortStableFunc(res.Failures, func(a, b Failure) int {
		return cmp.Or(cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Col, b.Pos.Col))
	})
	return res
}

func endVerb(hungUp bool) string {
	if hungUp {
		return "hung up"
	}
	return "ended"
}

func keyName(k string) string {
	if k == "" {
		return strconv.Quote(NoKey)
	}
	return fmt.Sprintf("%q", k)
}

// pathName is how a node shows in a call's path.
func pathName(n *engine.Node) string {
	if n.ID() == "" {
		return "(built-in fallback)"
	}
	return n.ID()
}

func (c *Case) check(flow *engine.Flow, p played) []Failure {
	path, heard, dialled, end, hungUp := p.path, p.heard, p.dialled, p.end.Next, p.hungUp
	var fs []Failure
	fail := func(pos engine.Pos, format string, args ...any) {
		fs = append(fs, Failure{pos, fmt.Sprintf(format, args...)})
	}
	went := strings.Join(path, " -> ")
	e := c.Expect
	for _, h := range e.Hears {
		found := false
		for _, t := range heard {
			found = found || strings.Contains(t, h.Value)
		}
		if !found {
			quoted := make([]string, len(heard))
			for i, t := range heard {
				quoted[i] = fmt.Sprintf("%q", t)
			}
			fail(h.Pos, "expected to hear %q; heard: %s", h.Value, strings.Join(quoted, ", "))
		}
	}
	for _, r := range e.Reaches {
		switch {
		case !hasNode(flow, r.Value):
			fail(r.Pos, "expected to reach %s, which is not a node of the flow", r.Value)
		case !slices.Contains(path, r.Value):
			fail(r.Pos, "expected to reach %s; the call went %s", r.Value, went)
		}
	}
	if r := e.EndsAt; r != nil {
		switch {
		case !hasNode(flow, r.Value):
			fail(r.Pos, "expected to end at %s, which is not a node of the flow", r.Value)
		case end.ID() != r.Value:
			fail(r.Pos, "expected to end at %s; the call went %s", r.Value, went)
		}
	}
	for _, d := range e.Dials {
		if !slices.Contains(dialled, d.Value) {
			got := "nothing"
			if len(dialled) > 0 {
				got = strings.Join(dialled, ", ")
			}
			fail(d.Pos, "expected to dial %s; dialled: %s", d.Value, got)
		}
	}
	if h := e.HangsUp; h != nil && e.hangsUp != hungUp {
		if e.hangsUp {
			fail(h.Pos, "expected the call to hang up; it was left waiting for a key at %s (the call went %s)", pathName(end), went)
		} else {
			fail(h.Pos, "expected the call not to hang up; it hung up at %s (the call went %s)", pathName(end), went)
		}
	}
	if len(e.Outcomes) > 0 {
		c.checkOutcomes(p.outcomes, fail)
	}
	if l := e.Lang; l != nil {
		got := p.end.Lang()
		if langs := flow.Languages(); got == "" && len(langs) > 0 {
			got = langs[0]
		}
		if got != l.Value {
			fail(l.Pos, "expected the call to be in %s at its end; it is in %s", orNone(l.Value), orNone(got))
		}
	}
	for _, r := range []struct {
		want *engine.Scalar
		got  uint8
		what string
	}{{e.NoInput, p.end.State.NoInput, "no input"}, {e.Invalid, p.end.State.Invalid, "a wrong key"}} {
		if r.want != nil && r.want.Value != strconv.Itoa(int(r.got)) {
			fail(r.want.Pos, "expected %s %s times at %s; it was %d", r.what, r.want.Value, pathName(end), r.got)
		}
	}
	return fs
}

func hasNode(flow *engine.Flow, id string) bool {
	_, ok := flow.Node(id)
	return ok
}

// checkOutcomes checks that the call's step outcomes have the expected
// ones in their order.
func (c *Case) checkOutcomes(got []engine.Outcome, fail func(engine.Pos, string, ...any)) {
	i := 0
	for _, want := range c.Expect.Outcomes {
		for i < len(got) && string(got[i]) != want.Value {
			i++
		}
		if i == len(got) {
			names := make([]string, len(got))
			for j, o := range got {
				names[j] = string(o)
			}
			fail(want.Pos, "expected the outcome %s (after the ones before it); the steps were %s", want.Value, strings.Join(names, ", "))
			return
		}
		i++
	}
}

func orNone(lang string) string {
	if lang == "" {
		return "no language"
	}
	return lang
}

// response parses what a case says the business's API answers a request
// node: {status: 200, body: {...}}, {timeout: true} or {error: refused}.
func (p *parser) response(n *yaml.Node, what string) engine.Response {
	var r engine.Response
	p.mapping(n, what, responseKeys, func(key *engine.Scalar, v *yaml.Node) {
		field := what + " " + key.Value
		switch key.Value {
		case "status":
			if s := p.scalar(v, field); s != nil {
				code, err := strconv.Atoi(s.Value)
				if err != nil || code < 100 || code > 599 {
					p.errorf(s.Range, engine.RuleValue, "%s is %q; an HTTP status is 100 to 599", field, s.Value)
				}
				r.Status = code
			}
		case "body":
			var body any
			if err := v.Decode(&body); err == nil {
				r.Body, _ = json.Marshal(body)
			}
		case "timeout":
			r.TimedOut = p.boolean(v, field)
		case "error":
			if s := p.scalar(v, field); s != nil {
				r.Err = errors.New(s.Value)
			}
		}
	})
	return r
}
