package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ivrctl/ivrctl/callflows"
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

// Load reads, parses and compiles the flow file at path. env looks up the
// environment for ${NAME} references; nil means the process environment.
// The error is for a file that cannot be read; problems in the file are in
// the diagnostics, and the flow is nil when any of them is an error.
func Load(path string, env LookupEnv) (*Flow, Diagnostics, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	flow, diags := LoadBytes(path, src, env)
	return flow, diags, nil
}

// LoadBytes parses and compiles a flow file already read from path.
// Warnings do not stop a flow from loading: the flow is returned with them.
func LoadBytes(path string, src []byte, env LookupEnv) (*Flow, Diagnostics) {
	return loadBytes(path, src, env, false)
}

// Lint is Load for ivrctl lint: see LintBytes.
func Lint(path string, env LookupEnv) (*Flow, Diagnostics, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	flow, diags := LintBytes(path, src, env)
	return flow, diags, nil
}

// LintBytes is LoadBytes for a machine that is not the one the flow runs
// on, such as CI: a ${NAME} that is unset and has no default is a warning
// rather than an error, and expands to "". Every other diagnostic is as
// LoadBytes reports it, except those an empty value from the environment
// would cause (an empty dial number, say), which are not reported.
func LintBytes(path string, src []byte, env LookupEnv) (*Flow, Diagnostics) {
	return loadBytes(path, src, env, true)
}

func loadBytes(path string, src []byte, env LookupEnv, lint bool) (*Flow, Diagnostics) {
	f, diags := Parse(path, src)
	flow, more := compile(f, src, env, lint, diags.HasErrors())
	diags = append(diags, more...)
	diags.Sort()
	if diags.HasErrors() {
		return nil, diags
	}
	return flow, diags
}

// compiler turns a File into a Flow, reporting what it cannot compile. It
// goes on past errors so that one run reports them all.
type compiler struct {
	f        *File
	env      LookupEnv
	diags    Diagnostics
	vars     map[string]string
	varNames []string
	decls    map[string]*NodeDecl
	ids      []string
	nodes    map[string]*Node
	defaults settings
	// validated holds the 8x8 rule failures reported, by position and
	// message.
	validated map[string]bool
	// lint makes an unset ${NAME} a warning (see LintBytes).
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
	set map[string]Pos
}

// with returns s with param recorded as set at pos, copying the map so
// that the settings s was derived from stay as they were.
func (s settings) with(param string, pos Pos) settings {
	m := make(map[string]Pos, len(s.set)+1)
	for k, v := range s.set {
		m[k] = v
	}
	m[param] = pos
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

// Compile checks the parsed file f and compiles it into a Flow. src is the
// file's content, from which the flow's version is computed. The flow is nil
// when any diagnostic is an error.
func Compile(f *File, src []byte, env LookupEnv) (*Flow, Diagnostics) {
	return compile(f, src, env, false, false)
}

// compile is Compile; parseErrs says that Parse reported errors, after
// which the checks that only warn are not run.
func compile(f *File, src []byte, env LookupEnv, lint, parseErrs bool) (*Flow, Diagnostics) {
	if env == nil {
		env = os.LookupEnv
	}
	c := &compiler{f: f, env: env, lint: lint, parseErrs: parseErrs, vars: map[string]string{}, decls: map[string]*NodeDecl{}, nodes: map[string]*Node{}, validated: map[string]bool{}, unsetEnv: map[string]bool{}, unsetAt: map[Pos]bool{}}
	flow := c.compile(src)
	c.diags.Sort()
	if c.diags.HasErrors() {
		return nil, c.diags
	}
	return flow, c.diags
}

func (c *compiler) errorf(pos Pos, rule, format string, args ...any) *Diagnostic {
	d := &Diagnostic{Pos: pos, Severity: SeverityError, Rule: rule, Message: fmt.Sprintf(format, args...)}
	c.diags = append(c.diags, d)
	return d
}

// warnf reports a likely mistake that does not stop the flow from loading.
func (c *compiler) warnf(pos Pos, rule, format string, args ...any) *Diagnostic {
	d := c.errorf(pos, rule, format, args...)
	d.Severity = SeverityWarning
	return d
}

func (c *compiler) compile(src []byte) *Flow {
	f := c.f
	if f.Version != nil && f.Version.Value != "1" {
		c.errorf(f.Version.Pos, RuleVersion, "unsupported version %q; this ivrctl reads version 1", f.Version.Value)
	}
	for _, v := range f.Vars {
		if !varName.MatchString(v.Name.Value) {
			c.errorf(v.Name.Pos, RuleVar, "invalid variable name %q: use letters, digits and _", v.Name.Value)
			continue
		}
		unset := c.unsetUsed
		c.vars[v.Name.Value] = c.expandEnv(v.Value)
		if c.unsetUsed != unset {
			c.unsetEnv[v.Name.Value] = true
		}
		c.varNames = append(c.varNames, v.Name.Value)
	}
	for _, d := range f.Nodes {
		if !nodeIDPattern.MatchString(d.ID.Value) {
			c.errorf(d.ID.Pos, RuleNodeID, "invalid node ID %q: use 1 to 64 letters, digits, _ and -", d.ID.Value)
		}
		c.decls[d.ID.Value] = d
		c.ids = append(c.ids, d.ID.Value)
	}
	c.defaults = c.flowDefaults(f.Defaults)

	flow := &Flow{
		name:    filepath.Base(f.Path),
		path:    f.Path,
		version: ContentVersion(src),
		nodes:   c.nodes,
	}
	if f.Name != nil && strings.TrimSpace(f.Name.Value) != "" {
		flow.name = strings.TrimSpace(f.Name.Value)
	}
	if f.Number != nil {
		unset := c.unsetUsed
		flow.number = strings.TrimSpace(c.expand(f.Number))
		if !callflows.IsE164(flow.number) && c.unsetUsed == unset {
			c.errorf(f.Number.Pos, RuleValue, "number %q is not an E.164 phone number such as +6568888888", flow.number)
		}
	}

	// Build every node before linking, so references can point anywhere.
	for _, d := range f.Nodes {
		n := c.build(d)
		c.nodes[d.ID.Value] = n
		flow.order = append(flow.order, n)
	}

	flow.fallback = c.fallback()
	if f.Start != nil && !f.nodesReported {
		flow.start = c.ref(f.Start, RuleStart, "as start")
	}
	var dflt links
	dflt.onInvalid = flow.fallback
	if s := c.defaults.onInvalid; s != nil {
		dflt.onInvalid = c.ref(s, RuleRef, "as defaults.on_invalid")
	}
	dflt.onNoInput = dflt.onInvalid
	if s := c.defaults.onNoInput; s != nil {
		dflt.onNoInput = c.ref(s, RuleRef, "as defaults.on_no_input")
	}
	for _, d := range f.Nodes {
		c.link(d, c.nodes[d.ID.Value], dflt)
	}
	reported := make(map[Pos]bool, len(c.diags))
	for _, d := range c.diags {
		reported[d.Pos] = true
	}
	for p := range c.unsetAt {
		reported[p] = true
	}
	for _, n := range flow.order {
		c.validate(n, reported)
	}
	if flow.fallback.id == "" {
		c.validate(flow.fallback, reported)
	}
	// After validate, which skips places that have a diagnostic already.
	// The checks that warn run on a flow with no errors: an error leaves
	// the flow incomplete (an edge left out, a key dropped), and what they
	// found would follow from it rather than add to it.
	g := newGraph(flow)
	c.checkLoops(g)
	if !c.parseErrs && !c.diags.HasErrors() {
		c.checkGraph(flow, g)
		c.checkPrompts()
	}
	// validate marshalled every node's response; a node it could not
	// marshal, or had no callflow to, has been reported.
	if c.diags.HasErrors() {
		return nil
	}
	return flow
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
		c.errorf(s.Pos, rule, "no node given %s", where)
		return nil
	}
	d := c.errorf(s.Pos, rule, "unknown node %q %s", s.Value, where)
	d.Hint = suggest(s.Value, c.ids)
	return nil
}

func (c *compiler) fallback() *Node {
	if s := c.f.Fallback; s != nil {
		n := c.ref(s, RuleFallback, "as fallback")
		if n != nil && n.kind != KindSay {
			c.errorf(s.Pos, RuleFallback, "fallback node %q is a %s node; it must be a say node, so the call ends", s.Value, n.kind)
		}
		if n != nil {
			return n
		}
	}
	return &Node{
		kind:     KindSay,
		pos:      c.f.Pos,
		callflow: sayThenHangup(DefaultFallbackText, c.defaults),
		fields:   paramPositions(c.defaults.set),
	}
}

func sayThenHangup(text string, s settings) callflows.Callflow {
	return callflows.Callflow{
		&callflows.Say{Text: text, VoiceProfile: s.voice, Speed: s.speed},
		&callflows.Hangup{},
	}
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
			s = s.with("voiceProfile", voice.Pos)
		} else {
			c.errorf(voice.Pos, RuleEmpty, "voice is empty")
		}
	}
	if speed != nil {
		if f, err := strconv.ParseFloat(speed.Value, 64); err != nil || f <= 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			c.errorf(speed.Pos, RuleValue, "speed must be a positive number such as 1 or 1.5, got %q", speed.Value)
		} else {
			s.speed = f
			s = s.with("speed", speed.Pos)
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
			s = s.with("completeOnHash", b.Pos)
		case "false":
			s.capture.completeOnHash = new(false)
			s = s.with("completeOnHash", b.Pos)
		default:
			c.errorf(b.Pos, RuleValue, "complete_on_hash must be true or false, got %q", b.Value)
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
		c.errorf(v.Pos, RuleValue, "%s must be a whole number of at least 1, got %q", name, v.Value)
		return
	}
	*dst = n
	*s = s.with(param, v.Pos)
}

// duration is positiveInt for durations such as 10s or 1500ms.
func (c *compiler) duration(s *settings, v *Scalar, name, param string, dst *time.Duration) {
	if v == nil {
		return
	}
	d, err := time.ParseDuration(v.Value)
	if err != nil || d < time.Millisecond || d%time.Millisecond != 0 {
		c.errorf(v.Pos, RuleValue, "%s must be a duration of whole milliseconds such as 10s or 1500ms, got %q", name, v.Value)
		return
	}
	*dst = d
	*s = s.with(param, v.Pos)
}

// text returns the expanded text of a say or menu node, with runs of white
// space (as a folded YAML block leaves them) made single spaces.
func (c *compiler) text(d *NodeDecl) string {
	if d.Text == nil {
		return ""
	}
	reported, unset := len(c.diags), c.unsetUsed
	t := strings.Join(strings.Fields(c.expand(d.Text)), " ")
	if t == "" && len(c.diags) == reported && c.unsetUsed == unset { // not after an unknown {{var}}
		c.errorf(d.Text.Pos, RuleEmpty, "node %q has an empty %s text", d.ID.Value, d.Kind)
	}
	return t
}

func (c *compiler) build(d *NodeDecl) *Node {
	n := &Node{id: d.ID.Value, kind: d.Kind, pos: d.ID.Pos}
	var s settings
	switch d.Kind {
	case KindSay:
		s = c.overlay(c.defaults, d.Voice, d.Speed, nil)
		n.callflow = sayThenHangup(c.text(d), s)
		s = s.with("text", posOf2(d.Text, d.ID.Pos))
	case KindMenu:
		var sc *callflows.SayAndCapture
		sc, s = c.sayAndCapture(d)
		n.callflow = callflows.Callflow{sc}
		s = s.with("promptMessage", posOf2(d.Text, d.ID.Pos))
		if b := d.Sensitive; b != nil {
			switch b.Value {
			case "true":
				n.sensitive = true
			case "false":
			default:
				c.errorf(b.Pos, RuleValue, "sensitive must be true or false, got %q", b.Value)
			}
		}
	case KindDial:
		var mc *callflows.MakeCall
		mc, s.set = c.makeCall(d)
		if d.Dial != nil { // else Parse reported it, and there is nothing to check
			n.callflow = callflows.Callflow{mc}
		}
	}
	n.fields = paramPositions(s.set)
	return n
}

// posOf2 returns the position of s, or dflt when s is not set.
func posOf2(s *Scalar, dflt Pos) Pos {
	if s == nil {
		return dflt
	}
	return s.Pos
}

// paramPositions turns the positions of a node's parameters into positions
// of their JSON paths in its callflow, where 8x8's rules point: the first
// action holds them all.
func paramPositions(set map[string]Pos) map[string]Pos {
	out := make(map[string]Pos, len(set))
	for param, pos := range set {
		out["$.callflow[0].params."+param] = pos
	}
	return out
}

func (c *compiler) sayAndCapture(d *NodeDecl) (*callflows.SayAndCapture, settings) {
	s := c.overlay(c.defaults, d.Voice, d.Speed, d.Capture)
	capt := s.capture
	if len(d.Keys) == 0 && !d.keysReported {
		pos := d.KeysPos
		if pos.Line == 0 {
			pos = d.ID.Pos
		}
		c.errorf(pos, RuleNoKeys, "menu %q has no keys; every caller would end at on_invalid", d.ID.Value)
	}
	longest := 0
	for _, k := range d.Keys {
		if !callflows.IsDTMF(k.Key.Value) {
			c.errorf(k.Key.Pos, RuleDTMF, "key %q of menu %q is not a DTMF key: use digits 0-9, * and #", k.Key.Value, d.ID.Value)
			continue
		}
		longest = max(longest, len(k.Key.Value))
	}
	if capt.maxDigits == 0 { // not set: enough for the longest key
		capt.maxDigits = max(longest, capt.minDigits)
		if d.KeysPos.Line > 0 {
			s = s.with("maxDigits", d.KeysPos)
		}
	}
	// min_digits > max_digits, and the timeouts, are 8x8's rules, which
	// callflows.Validate checks on the compiled node.
	if capt.minDigits <= capt.maxDigits {
		captures := fmt.Sprintf("%d to %d", capt.minDigits, capt.maxDigits)
		if capt.minDigits == capt.maxDigits {
			captures = fmt.Sprintf("exactly %d", capt.minDigits)
		}
		for _, k := range d.Keys {
			if n := len(k.Key.Value); callflows.IsDTMF(k.Key.Value) && (n > capt.maxDigits || n < capt.minDigits) {
				c.errorf(k.Key.Pos, RuleCapture, "key %q of menu %q has %s, but the menu captures %s", k.Key.Value, d.ID.Value, plural(n, "digit"), captures)
			}
		}
	}
	return &callflows.SayAndCapture{
		PromptMessage:  c.text(d),
		VoiceProfile:   s.voice,
		Speed:          s.speed,
		MinDigits:      capt.minDigits,
		MaxDigits:      capt.maxDigits,
		DigitTimeout:   int(capt.digitTimeout / time.Millisecond),
		OverallTimeout: int(capt.overallTimeout / time.Millisecond),
		CompleteOnHash: capt.completeOnHash,
		NoOfTries:      capt.tries,
	}, s
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// makeCall compiles a dial node and returns where its parameters were set.
func (c *compiler) makeCall(d *NodeDecl) (*callflows.MakeCall, map[string]Pos) {
	mc := &callflows.MakeCall{}
	set := map[string]Pos{}
	if d.Then == nil {
		c.errorf(d.ID.Pos, RuleMissingKey, "dial node %q is missing required key %q: the node to go to when the bridged call ends", d.ID.Value, "then")
	}
	if d.Dial == nil { // not a mapping, reported by Parse
		return mc, set
	}
	from := d.Dial.From
	if from == nil {
		from = c.f.Number // the line's own number is the usual caller ID
	}
	for _, f := range []struct {
		s     *Scalar
		name  string
		param string
		dst   *string
	}{{d.Dial.To, "to", "destination", &mc.Destination}, {from, "from", "source", &mc.Source}} {
		if f.s == nil {
			set[f.param] = d.Dial.Pos // where the missing key is reported
			d := c.errorf(d.Dial.Pos, RuleMissingKey, "dial of node %q is missing required key %q", d.ID.Value, f.name)
			if f.name == "from" {
				d.Hint = "or set the flow's number, which dials from it by default"
			}
			continue
		}
		set[f.param] = f.s.Pos
		reported, unset := len(c.diags), c.unsetUsed
		if *f.dst = strings.TrimSpace(c.expand(f.s)); *f.dst == "" && len(c.diags) == reported && c.unsetUsed == unset {
			c.errorf(f.s.Pos, RuleEmpty, "dial %s of node %q is empty", f.name, d.ID.Value)
		}
	}
	return mc, set
}

// relatedParam names, for a parameter that 8x8 checks against another, that
// other one.
var relatedParam = map[string]string{
	"$.callflow[0].params.minDigits":      "$.callflow[0].params.maxDigits",
	"$.callflow[0].params.maxDigits":      "$.callflow[0].params.minDigits",
	"$.callflow[0].params.digitTimeout":   "$.callflow[0].params.overallTimeout",
	"$.callflow[0].params.overallTimeout": "$.callflow[0].params.digitTimeout",
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
	for _, p := range callflows.ValidateJSON(n.response, callflows.Answer) {
		pos, ok := n.fields[p.Path]
		if !ok {
			// A built-in value has no place in the file; the setting it
			// clashes with does.
			pos, ok = n.fields[relatedParam[p.Path]]
		}
		if !ok {
			pos = n.pos
		}
		// A value set in defaults breaks the rule in every node that
		// inherits it; once, at the value, says it.
		key := pos.String() + "\x00" + p.Message
		if reported[pos] || c.validated[key] {
			continue
		}
		c.validated[key] = true
		what := "node " + strconv.Quote(n.id)
		if n.id == "" {
			what = "the built-in fallback"
		}
		d := c.errorf(pos, RuleCallflow, "%s", p.Message)
		d.Hint = fmt.Sprintf("8x8 refuses %s with status %d at %s", what, p.Code, p.Path)
	}
}

// links are where a menu sends keys it does not have and callers who
// press nothing.
type links struct{ onInvalid, onNoInput *Node }

// link resolves the node references of d into n; dflt are the flow's
// defaults, already resolved.
func (c *compiler) link(d *NodeDecl, n *Node, dflt links) {
	id := d.ID.Value
	switch d.Kind {
	case KindMenu:
		n.keys = make(map[string]*Node, len(d.Keys))
		for _, k := range d.Keys {
			if t := c.ref(k.Target, RuleRef, fmt.Sprintf("for key %q of menu %q", k.Key.Value, id)); t != nil {
				n.keys[k.Key.Value] = t
				n.keyOrder = append(n.keyOrder, k.Key.Value)
			}
		}
		n.onInvalid = dflt.onInvalid
		if d.OnInvalid != nil {
			n.onInvalid = c.ref(d.OnInvalid, RuleRef, fmt.Sprintf("as on_invalid of menu %q", id))
		}
		// A caller who pressed nothing goes where an invalid key goes unless
		// told otherwise, at the node or in the defaults.
		switch {
		case d.OnNoInput != nil:
			n.onNoInput = c.ref(d.OnNoInput, RuleRef, fmt.Sprintf("as on_no_input of menu %q", id))
		case c.defaults.onNoInput != nil:
			n.onNoInput = dflt.onNoInput
		default:
			n.onNoInput = n.onInvalid
		}
	case KindDial:
		if d.Then != nil {
			n.then = c.ref(d.Then, RuleRef, fmt.Sprintf("as then of dial %q", id))
		}
	}
	n.edges = linkEdges(n)
}

// marshal encodes a node's response once, at load time, so that serving a
// webhook writes bytes and encodes nothing.
func (c *compiler) marshal(n *Node) []byte {
	b, err := callflows.Marshal(callflows.Response{ClientActionID: n.id, Callflow: n.callflow})
	if err != nil {
		c.errorf(n.pos, RuleValue, "node %q cannot be encoded: %v", n.id, err)
		return nil
	}
	return b
}
