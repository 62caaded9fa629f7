package engine

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine/internal/yamlwalk"
)

// Rule IDs of the diagnostics Compile reports.
const (
	RuleVersion  = "version"
	RuleNodeID   = "node-id"
	RuleStart    = "start"
	RuleRef      = "undefined-node"
	RuleFallback = "fallback"
	RuleDTMF     = "dtmf-key"
	RuleEmpty    = "empty-text"
	RuleValue    = "value"
	RuleCapture  = "capture"
	RuleNoKeys   = "no-keys"
	// RuleCallflow reports a compiled callflow that breaks a rule of 8x8's,
	// at the YAML value that causes it.
	RuleCallflow = "callflow"
)

// Built-in settings, used where neither the node nor the flow's defaults set
// one. They are those of every 8x8 IVR guide.
const (
	DefaultVoice          = "en-US-BenjaminRUS"
	DefaultSpeed          = 1.0
	DefaultDigitTimeout   = 10 * time.Second
	DefaultOverallTimeout = 10 * time.Second
	DefaultTries          = 2
	// DefaultFallbackText is said by the built-in fallback of a flow that
	// names none.
	DefaultFallbackText = "Sorry, something went wrong. Please call again later."
)

var nodeIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// compiler turns a File into a Flow, reporting what it cannot compile. It
// goes on past errors so that one run reports them all.
type compiler struct {
	f        *File
	src      []byte
	flow     *Flow
	g        *graph
	env      LookupEnv
	diags    Diagnostics
	vars     map[string]string
	varNames []string
	decls    map[string]*NodeDecl
	ids      []string
	nodes    map[string]*Node
	defaults settings
	// links are the defaults' on_invalid and on_no_input, resolved.
	links links
	// validated holds the 8x8 rule failures reported, by position and
	// message.
	validated map[string]bool
	// lint makes an unset ${NAME} a warning (see LoadOptions.Lint).
	lint bool
	// parseErrs says that Parse reported errors.
	parseErrs bool
	// unsetEnv holds the vars whose value used an unset ${NAME} in lint
	// mode, and unsetUsed counts their expansions, so that a check of a
	// value that came out empty can tell it is not the file's mistake.
	unsetEnv  map[string]bool
	unsetUsed int
	// unsetAt holds the values that used such a var: 8x8's rules are not
	// checked there.
	unsetAt map[Pos]bool
	// params maps each node to where the file sets each JSON path of its
	// callflow ($.callflow[0].params.voiceProfile), for the diagnostics
	// about the compiled callflow to point at.
	params map[*Node]map[string]Range
	// voices are the speech profiles to check voices against (see
	// LoadOptions.Voices).
	voices []string
	// langs are the flow's languages, the default first (see
	// compileLanguages).
	langs []lang
	// runtime names the values a call can have (see template.go); speaking
	// is set while a spoken text is expanded, the only place they can go;
	// holes are the values spoken texts use, Flow.holes.
	runtime  map[string]bool
	speaking bool
	holes    []hole
	// spoken holds each text segment expanded, so that a text heard in
	// several languages or menus is expanded, and reported, once.
	spoken map[*Scalar]string
	// renditions are each node's answer by language, with where the file
	// sets their parameters, for parts to check.
	renditions map[*Node][]rendition
}

// settings are what a node inherits: voice, speed, capture and where keys
// with no edge go.
type settings struct {
	voice     string
	speed     float64
	capture   capture
	onInvalid *Scalar
	onNoInput *Scalar
	// set maps an 8x8 parameter name (voiceProfile, maxDigits, ...) to the
	// position of the YAML value that set it; built-in values have none.
	set map[string]Range
}

// with returns s with param recorded as set at r, copying the map so
// that the settings s was derived from stay as they were.
func (s settings) with(param string, r Range) settings {
	m := make(map[string]Range, len(s.set)+1)
	for k, v := range s.set {
		m[k] = v
	}
	m[param] = r
	s.set = m
	return s
}

type capture struct {
	minDigits, maxDigits int
	digitTimeout         time.Duration
	overallTimeout       time.Duration
	tries                int
	completeOnHash       *bool
}

func (c *compiler) errorf(r Range, rule, format string, args ...any) *Diagnostic {
	d := &Diagnostic{Range: r, Severity: SeverityError, Rule: rule, Message: fmt.Sprintf(format, args...)}
	c.diags = append(c.diags, d)
	return d
}

// warnf reports a likely mistake that does not stop the flow from loading.
func (c *compiler) warnf(r Range, rule, format string, args ...any) *Diagnostic {
	d := c.errorf(r, rule, format, args...)
	d.Severity = SeverityWarning
	return d
}

// pass is one named step of compile: a function over the compiler's state
// that adds to the flow and reports what it finds.
type pass struct {
	// name says in a word what the pass does, for a reader of the table.
	name string
	run  func(*compiler)
	// clean marks the checks that run only on a flow with no errors so
	// far: an error leaves the flow incomplete (an edge left out, a key
	// dropped), and what they found would follow from it rather than add
	// to it.
	clean bool
}

// passes are the steps of compile, in the order they run. Each pass can
// rely on the state the passes before it built.
var passes = []pass{
	{name: "version", run: (*compiler).checkVersion},
	{name: "vars", run: (*compiler).expandVars},
	{name: "nodes", run: (*compiler).declareNodes},
	{name: "values", run: func(c *compiler) { c.runtime = c.runtimeNames() }},
	{name: "defaults", run: (*compiler).resolveDefaults},
	{name: "languages", run: (*compiler).compileLanguages},
	{name: "texts", run: (*compiler).checkTexts},
	{name: "flow", run: (*compiler).flowSettings},
	{name: "switches", run: (*compiler).declareSwitches},
	// Build every node before linking, so references can point anywhere.
	{name: "build", run: (*compiler).buildNodes},
	{name: "link", run: (*compiler).linkNodes},
	{name: "validate", run: (*compiler).validateNodes},
	{name: "show values", run: (*compiler).showHoles},
	// After validate, which skips places that have a diagnostic already.
	{name: "loops", run: (*compiler).checkLoops},
	{name: "graph", run: (*compiler).checkGraph, clean: true},
	{name: "prompts", run: (*compiler).checkPrompts, clean: true},
	{name: "hash keys", run: (*compiler).checkHashKeys, clean: true},
	{name: "voices", run: (*compiler).checkVoices, clean: true},
	{name: "state size", run: (*compiler).checkStateSize, clean: true},
	// Last, once every warning is known.
	{name: "ignore", run: (*compiler).applyIgnores},
}

// compile checks the parsed file f and compiles it into a Flow by running
// passes. src is the file's content, from which the flow's version is
// computed, and opts.Env is not nil; parseErrs says that Parse reported
// errors, after which the clean passes do not run. The flow is nil when
// any diagnostic is an error.
func compile(f *File, src []byte, opts LoadOptions, parseErrs bool) (*Flow, Diagnostics) {
	c := &compiler{
		f: f, src: src, env: opts.Env, lint: opts.Lint, voices: opts.Voices, parseErrs: parseErrs,
		vars: map[string]string{}, decls: map[string]*NodeDecl{}, nodes: map[string]*Node{},
		validated: map[string]bool{}, unsetEnv: map[string]bool{}, unsetAt: map[Pos]bool{},
		params: map[*Node]map[string]Range{}, spoken: map[*Scalar]string{}, renditions: map[*Node][]rendition{},
	}
	for _, p := range passes {
		if p.clean && (c.parseErrs || c.diags.HasErrors()) {
			continue
		}
		p.run(c)
	}
	if c.flow != nil {
		c.flow.holes = c.holes
		c.flow.zone = time.UTC
		for _, n := range c.flow.order {
			if n.sched != nil {
				c.flow.zone = n.sched.Location()
				break
			}
		}
	}
	c.diags.Sort()
	// validate marshalled every node's response; a node it could not
	// marshal, or had no callflow to, has been reported.
	if c.diags.HasErrors() {
		return nil, c.diags
	}
	return c.flow, c.diags
}

// checkVersion reports a version of the language this ivrctl cannot read.
func (c *compiler) checkVersion() {
	if v := c.f.Version; v != nil && v.Value != "1" {
		c.errorf(v.Range, RuleVersion, "unsupported version %q; this ivrctl reads version 1", v.Value)
	}
}

// expandVars expands the environment in the vars, which the templates of
// every later value read.
func (c *compiler) expandVars() {
	for _, v := range c.f.Vars {
		if !varName.MatchString(v.Name.Value) {
			c.errorf(v.Name.Range, RuleVar, "invalid variable name %q: use letters, digits and _", v.Name.Value)
			continue
		}
		unset := c.unsetUsed
		c.vars[v.Name.Value] = c.expandEnv(v.Value)
		if c.unsetUsed != unset {
			c.unsetEnv[v.Name.Value] = true
		}
		c.varNames = append(c.varNames, v.Name.Value)
	}
}

// declareNodes checks the node IDs and indexes the declarations.
func (c *compiler) declareNodes() {
	for _, d := range c.f.Nodes {
		if !nodeIDPattern.MatchString(d.ID.Value) {
			c.errorf(d.ID.Range, RuleNodeID, "invalid node ID %q: use 1 to 64 letters, digits, _ and -", d.ID.Value)
		}
		c.decls[d.ID.Value] = d
		c.ids = append(c.ids, d.ID.Value)
	}
}

// resolveDefaults reads the settings every node inherits.
func (c *compiler) resolveDefaults() { c.defaults = c.flowDefaults(c.f.Defaults) }

// flowSettings starts the Flow with what the file says about the whole
// line: its name, version and number.
func (c *compiler) flowSettings() {
	f := c.f
	c.flow = &Flow{
		name:    filepath.Base(f.Path),
		path:    f.Path,
		version: ContentVersion(c.src),
		nodes:   c.nodes,
		langs:   c.langTags(),
	}
	if f.Name != nil && strings.TrimSpace(f.Name.Value) != "" {
		c.flow.name = strings.TrimSpace(f.Name.Value)
	}
	if f.Number != nil {
		unset := c.unsetUsed
		c.flow.number = strings.TrimSpace(c.expand(f.Number))
		if !callflows.IsE164(c.flow.number) && c.unsetUsed == unset {
			c.errorf(f.Number.Range, RuleValue, "number %q is not an E.164 phone number such as +6568888888", c.flow.number)
		}
	}
}

// buildNodes compiles every node's callflow, unlinked.
func (c *compiler) buildNodes() {
	for _, d := range c.f.Nodes {
		n := c.build(d)
		c.nodes[d.ID.Value] = n
		c.flow.order = append(c.flow.order, n)
	}
}

// linkNodes resolves the references to nodes: start, fallback, the
// defaults' and every node's.
func (c *compiler) linkNodes() {
	f, flow := c.f, c.flow
	flow.fallback = c.fallback()
	if f.Start != nil && !f.nodesReported {
		flow.start = c.ref(f.Start, RuleStart, "as start")
	}
	flow.main = flow.start
	if f.Main != nil {
		flow.main = c.ref(f.Main, RuleRef, "as main")
	}
	c.links.onInvalid = flow.fallback
	if s := c.defaults.onInvalid; s != nil {
		c.links.onInvalid = c.ref(s, RuleRef, "as defaults.on_invalid")
	}
	c.links.onNoInput = c.links.onInvalid
	if s := c.defaults.onNoInput; s != nil {
		c.links.onNoInput = c.ref(s, RuleRef, "as defaults.on_no_input")
	}
	for _, d := range f.Nodes {
		c.link(d, c.nodes[d.ID.Value])
	}
	c.backEdges()
}

// validateNodes marshals every node's response and checks it against
// 8x8's rules.
func (c *compiler) validateNodes() {
	reported := make(map[Pos]bool, len(c.diags))
	for _, d := range c.diags {
		reported[d.Pos] = true
	}
	for p := range c.unsetAt {
		reported[p] = true
	}
	for _, n := range c.flow.order {
		c.validate(n, reported)
	}
	if c.flow.fallback.id == "" {
		c.validate(c.flow.fallback, reported)
	}
}

// nodeRange returns where the compiled node n is defined: its ID or, for
// the built-in fallback, the top of the file.
func (c *compiler) nodeRange(n *Node) Range {
	if d, ok := c.decls[n.id]; ok && n.id != "" {
		return d.ID.Range
	}
	return c.f.Range
}

// graph returns the flow's graph, built on first use, once the nodes are
// linked.
func (c *compiler) graph() *graph {
	if c.g == nil {
		c.g = newGraph(c.flow)
	}
	return c.g
}

// ContentVersion returns the version a flow loaded from src has: a short
// hash of the file's bytes, the same for the same bytes.
func ContentVersion(src []byte) string {
	sum := sha256.Sum256(src)
	return hex.EncodeToString(sum[:6])
}

// ref resolves a reference to a node, reporting one that names no node.
// where says where the reference is written, for the message.
func (c *compiler) ref(s *Scalar, rule, where string) *Node {
	if n, ok := c.nodes[s.Value]; ok {
		return n
	}
	if s.Value == "" {
		c.errorf(s.Range, rule, "no node given %s", where)
		return nil
	}
	d := c.errorf(s.Range, rule, "unknown node %q %s", s.Value, where)
	d.Hint = yamlwalk.Suggest(s.Value, c.ids)
	return nil
}

func (c *compiler) fallback() *Node {
	if s := c.f.Fallback; s != nil {
		n := c.ref(s, RuleFallback, "as fallback")
		if n != nil && n.kind != KindSay {
			c.errorf(s.Range, RuleFallback, "fallback node %q is a %s node; it must be a say node, so the call ends", s.Value, n.kind)
		}
		if n != nil {
			return n
		}
	}
	// The built-in fallback says its English text in each language's
	// voice; lint warns about it in a flow with languages.
	n := &Node{kind: KindSay, pos: c.f.Pos, langs: c.flow.langs}
	rs := make([]rendition, len(c.langs))
	for i := range c.langs {
		voice, voiceAt := c.voiceIn(i, c.defaults)
		at := paramRanges(c.defaults.set, 0)
		if voiceAt.Pos.Line > 0 {
			at["$.callflow[0].params.voiceProfile"] = voiceAt
		}
		rs[i] = rendition{cf: callflows.Callflow{
			&callflows.Say{Text: DefaultFallbackText, VoiceProfile: voice, Speed: c.defaults.speed},
			&callflows.Hangup{},
		}, at: at}
	}
	c.setNode(n, rs)
	return n
}

func (c *compiler) flowDefaults(d *Defaults) settings {
	s := settings{
		voice: DefaultVoice,
		speed: DefaultSpeed,
		capture: capture{
			minDigits:      1,
			digitTimeout:   DefaultDigitTimeout,
			overallTimeout: DefaultOverallTimeout,
			tries:          DefaultTries,
		},
	}
	if d == nil {
		return s
	}
	s = c.overlay(s, d.Voice, d.Speed, d.Capture)
	s.onInvalid, s.onNoInput = d.OnInvalid, d.OnNoInput
	return s
}

// overlay returns base with the settings a node or the defaults set.
func (c *compiler) overlay(base settings, voice, speed *Scalar, capt *Capture) settings {
	s := base
	if voice != nil {
		if v := strings.TrimSpace(c.expand(voice)); v != "" {
			s.voice = v
			s = s.with("voiceProfile", voice.Range)
		} else {
			c.errorf(voice.Range, RuleEmpty, "voice is empty")
		}
	}
	if speed != nil {
		if f, err := strconv.ParseFloat(speed.Value, 64); err != nil || f <= 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			c.errorf(speed.Range, RuleValue, "speed must be a positive number such as 1 or 1.5, got %q", speed.Value)
		} else {
			s.speed = f
			s = s.with("speed", speed.Range)
		}
	}
	if capt == nil {
		return s
	}
	c.positiveInt(&s, capt.MinDigits, "min_digits", "minDigits", &s.capture.minDigits)
	c.positiveInt(&s, capt.MaxDigits, "max_digits", "maxDigits", &s.capture.maxDigits)
	c.positiveInt(&s, capt.Tries, "tries", "noOfTries", &s.capture.tries)
	c.duration(&s, capt.DigitTimeout, "digit_timeout", "digitTimeout", &s.capture.digitTimeout)
	c.duration(&s, capt.OverallTimeout, "overall_timeout", "overallTimeout", &s.capture.overallTimeout)
	if b := capt.CompleteOnHash; b != nil {
		switch b.Value {
		case "true":
			s.capture.completeOnHash = new(true)
			s = s.with("completeOnHash", b.Range)
		case "false":
			s.capture.completeOnHash = new(false)
			s = s.with("completeOnHash", b.Range)
		default:
			c.errorf(b.Range, RuleValue, "complete_on_hash must be true or false, got %q", b.Value)
		}
	}
	return s
}

// positiveInt sets *dst, a field of s, from the YAML value v of the
// setting name (the 8x8 parameter param), and records where it was set.
func (c *compiler) positiveInt(s *settings, v *Scalar, name, param string, dst *int) {
	if v == nil {
		return
	}
	n, err := strconv.Atoi(v.Value)
	if err != nil || n < 1 {
		c.errorf(v.Range, RuleValue, "%s must be a whole number of at least 1, got %q", name, v.Value)
		return
	}
	*dst = n
	*s = s.with(param, v.Range)
}

// duration is positiveInt for durations such as 10s or 1500ms.
func (c *compiler) duration(s *settings, v *Scalar, name, param string, dst *time.Duration) {
	if v == nil {
		return
	}
	d, err := time.ParseDuration(v.Value)
	if err != nil || d < time.Millisecond || d%time.Millisecond != 0 {
		c.errorf(v.Range, RuleValue, "%s must be a duration of whole milliseconds such as 10s or 1500ms, got %q", name, v.Value)
		return
	}
	*dst = d
	*s = s.with(param, v.Range)
}

func (c *compiler) build(d *NodeDecl) *Node {
	n := &Node{id: d.ID.Value, kind: d.Kind, pos: d.ID.Pos, langs: c.flow.langs}
	d.Kind.spec().build(c, d, n)
	return n
}

// rangeOr returns the range of s, or dflt when s is not set.
func rangeOr(s *Scalar, dflt Range) Range {
	if s == nil {
		return dflt
	}
	return s.Range
}

// paramRanges turns the ranges of a node's parameters into ranges of
// their JSON paths in its callflow, where 8x8's rules point: the action
// at index i holds them all.
func paramRanges(set map[string]Range, i int) map[string]Range {
	out := make(map[string]Range, len(set))
	for param, r := range set {
		out["$.callflow["+strconv.Itoa(i)+"].params."+param] = r
	}
	return out
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// relatedParam names, for a parameter that 8x8 checks against another, that
// other one.
var relatedParam = map[string]string{
	"minDigits":      "maxDigits",
	"maxDigits":      "minDigits",
	"digitTimeout":   "overallTimeout",
	"overallTimeout": "digitTimeout",
}

// validate checks a compiled node against 8x8's rules and reports each
// problem at the YAML value that causes it. A problem at a place that has
// an error already (an empty text, say) is the same mistake and is not
// reported twice.
func (c *compiler) validate(n *Node, reported map[Pos]bool) {
	if n.callflow == nil {
		return
	}
	// The bytes that will be served are what 8x8 must accept: marshal them
	// once, here, and check those.
	n.response = c.marshal(n)
	defer c.parts(n, reported)
	c.check(n, n.response, c.params[n], reported)
}

// check checks the answer b of node n against 8x8's rules, and reports
// each problem at the YAML value that at says sets the parameter it is
// about, or else at the node.
func (c *compiler) check(n *Node, b []byte, at map[string]Range, reported map[Pos]bool) {
	for _, p := range callflows.ValidateJSON(b, callflows.Answer) {
		r, ok := at[p.Path]
		if !ok {
			// A built-in value has no place in the file; the setting it
			// clashes with does.
			i := strings.LastIndexByte(p.Path, '.')
			if other, rel := relatedParam[p.Path[i+1:]]; rel {
				r, ok = at[p.Path[:i+1]+other]
			}
		}
		if !ok {
			r = c.nodeRange(n)
		}
		// A value set in defaults breaks the rule in every node that
		// inherits it, and a text in every language it is heard in; once,
		// at the value, says it.
		key := r.Pos.String() + "\x00" + p.Message
		if reported[r.Pos] || c.validated[key] {
			continue
		}
		c.validated[key] = true
		what := "node " + strconv.Quote(n.id)
		if n.id == "" {
			what = "the built-in fallback"
		}
		d := c.errorf(r, RuleCallflow, "%s", p.Message)
		d.Hint = fmt.Sprintf("8x8 refuses %s with status %d at %s", what, p.Code, p.Path)
	}
}

// parts compiles the parts n's answers are put together from, in every
// language: its actions, its re-prompt, its budgets' messages. Each is
// checked against 8x8's rules as an answer of its own; the node's own
// answer in the default language was checked by validate.
func (c *compiler) parts(n *Node, reported map[Pos]bool) {
	if n.response == nil {
		return
	}
	n.bodies = [][]byte{actionsOf(n.response)}
	rs := c.renditions[n]
	for i := 1; i < len(c.langs); i++ {
		if rs == nil { // a node that says nothing, the same in every language
			n.bodies = append(n.bodies, n.bodies[0])
			continue
		}
		n.bodies = append(n.bodies, c.part(n, rs[i], reported))
	}
	defer func() { n.dynamic = n.dynamic || c.partsHoleAny(n) }()
	m := n.menu
	if m == nil {
		return
	}
	for _, r := range m.reprompts {
		m.rebodies = append(m.rebodies, c.part(n, r, reported))
	}
	for _, b := range []*budget{&m.noInput, &m.invalid} {
		for _, msg := range b.msgs {
			var langs [][]byte
			for _, r := range msg {
				langs = append(langs, c.part(n, r, reported))
			}
			b.say = append(b.say, langs)
		}
	}
}

// partsHoleAny reports whether any part of n's answers holds a call's
// value.
func (c *compiler) partsHoleAny(n *Node) bool {
	parts := n.bodies
	if m := n.menu; m != nil {
		parts = append(append([][]byte(nil), parts...), m.rebodies...)
		for _, b := range []*budget{&m.noInput, &m.invalid} {
			for _, langs := range b.say {
				parts = append(parts, langs...)
			}
		}
	}
	for _, p := range parts {
		if bytes.ContainsFunc(p, isHole) {
			return true
		}
	}
	return false
}

// part marshals one part of n's answers and checks it against 8x8's
// rules, and returns its actions as JSON without the brackets.
func (c *compiler) part(n *Node, r rendition, reported map[Pos]bool) []byte {
	b, err := callflows.Marshal(callflows.Response{ClientActionID: n.id, Callflow: r.cf})
	if err != nil {
		c.errorf(c.nodeRange(n), RuleValue, "node %q cannot be encoded: %v", n.id, err)
		return nil
	}
	c.check(n, b, r.at, reported)
	return actionsOf(b)
}

// actionsOf returns the actions of a marshalled Response, the JSON array
// of its callflow without the brackets.
func actionsOf(response []byte) []byte {
	i := bytes.Index(response, []byte(`"callflow":[`))
	if i < 0 {
		return nil
	}
	return response[i+len(`"callflow":[`) : len(response)-2]
}

// backEdges adds to every menu with a back hotkey one edge to each menu a
// caller can come to it from, by a key or a hotkey, through messages and
// other nodes that pass them on.
func (c *compiler) backEdges() {
	if !c.flow.back {
		return
	}
	parents := map[*Node][]*Node{}
	for _, m := range c.flow.order {
		if m.menu == nil {
			continue
		}
		for _, e := range m.edges {
			if e.Kind != EdgeKey && (e.Kind != EdgeHotkey || m.menu.hotkeys[e.Label].action != "") {
				continue
			}
			for _, t := range menusFrom(e.To) {
				if t != m && !slices.Contains(parents[t], m) {
					parents[t] = append(parents[t], m)
				}
			}
		}
	}
	for _, t := range c.flow.order {
		if t.menu == nil {
			continue
		}
		for _, k := range t.menu.order {
			if h := t.menu.hotkeys[k]; h.action == hotBack {
				for _, p := range parents[t] {
					t.edges = append(t.edges, Edge{Kind: EdgeHotkey, Label: k, To: p, Inherited: h.inherited})
				}
			}
		}
	}
}

// menusFrom returns the menus a caller entering n arrives at: n itself,
// or those that the nodes passing the caller on lead to.
func menusFrom(n *Node) []*Node {
	var out []*Node
	seen := map[*Node]bool{n: true}
	queue := []*Node{n}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if n.menu != nil {
			out = append(out, n)
			continue
		}
		for _, e := range n.edges {
			if e.Kind.passes() && !seen[e.To] {
				seen[e.To] = true
				queue = append(queue, e.To)
			}
		}
	}
	return out
}

// links are where a menu sends keys it does not have and callers who
// press nothing, by default.
type links struct{ onInvalid, onNoInput *Node }

// link resolves the node references of d into n and works out its edges.
func (c *compiler) link(d *NodeDecl, n *Node) {
	n.edges = d.Kind.spec().link(c, d, n)
}

// marshal encodes a node's response once, at load time, so that serving a
// webhook writes bytes and encodes nothing.
func (c *compiler) marshal(n *Node) []byte {
	b, err := callflows.Marshal(callflows.Response{ClientActionID: n.id, Callflow: n.callflow})
	if err != nil {
		c.errorf(c.nodeRange(n), RuleValue, "node %q cannot be encoded: %v", n.id, err)
		return nil
	}
	return b
}
