package engine

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
func LoadBytes(path string, src []byte, env LookupEnv) (*Flow, Diagnostics) {
	f, diags := Parse(path, src)
	flow, more := Compile(f, src, env)
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
}

// settings are what a node inherits: voice, speed, capture and where keys
// with no edge go.
type settings struct {
	voice     string
	speed     float64
	capture   capture
	onInvalid *Scalar
	onNoInput *Scalar
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
	if env == nil {
		env = os.LookupEnv
	}
	c := &compiler{f: f, env: env, vars: map[string]string{}, decls: map[string]*NodeDecl{}, nodes: map[string]*Node{}}
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
		c.vars[v.Name.Value] = c.expandEnv(v.Value)
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
		version: contentVersion(src),
		nodes:   c.nodes,
	}
	if f.Name != nil && strings.TrimSpace(f.Name.Value) != "" {
		flow.name = strings.TrimSpace(f.Name.Value)
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
	if c.diags.HasErrors() {
		return nil
	}
	for _, n := range flow.order {
		n.response = c.marshal(n)
	}
	flow.fallback.response = c.marshal(flow.fallback)
	return flow
}

func contentVersion(src []byte) string {
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
	return &Node{kind: KindSay, pos: c.f.Pos, callflow: sayThenHangup(DefaultFallbackText, c.defaults)}
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
		} else {
			c.errorf(voice.Pos, RuleEmpty, "voice is empty")
		}
	}
	if speed != nil {
		if f, err := strconv.ParseFloat(speed.Value, 64); err != nil || f <= 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			c.errorf(speed.Pos, RuleValue, "speed must be a positive number such as 1 or 1.5, got %q", speed.Value)
		} else {
			s.speed = f
		}
	}
	if capt == nil {
		return s
	}
	c.positiveInt(capt.MinDigits, "min_digits", &s.capture.minDigits)
	c.positiveInt(capt.MaxDigits, "max_digits", &s.capture.maxDigits)
	c.positiveInt(capt.Tries, "tries", &s.capture.tries)
	c.duration(capt.DigitTimeout, "digit_timeout", &s.capture.digitTimeout)
	c.duration(capt.OverallTimeout, "overall_timeout", &s.capture.overallTimeout)
	if b := capt.CompleteOnHash; b != nil {
		switch b.Value {
		case "true":
			s.capture.completeOnHash = new(true)
		case "false":
			s.capture.completeOnHash = new(false)
		default:
			c.errorf(b.Pos, RuleValue, "complete_on_hash must be true or false, got %q", b.Value)
		}
	}
	return s
}

func (c *compiler) positiveInt(s *Scalar, name string, dst *int) {
	if s == nil {
		return
	}
	n, err := strconv.Atoi(s.Value)
	if err != nil || n < 1 {
		c.errorf(s.Pos, RuleValue, "%s must be a whole number of at least 1, got %q", name, s.Value)
		return
	}
	*dst = n
}

func (c *compiler) duration(s *Scalar, name string, dst *time.Duration) {
	if s == nil {
		return
	}
	d, err := time.ParseDuration(s.Value)
	if err != nil || d < time.Millisecond || d%time.Millisecond != 0 {
		c.errorf(s.Pos, RuleValue, "%s must be a duration of whole milliseconds such as 10s or 1500ms, got %q", name, s.Value)
		return
	}
	*dst = d
}

// text returns the expanded text of a say or menu node, with runs of white
// space (as a folded YAML block leaves them) made single spaces.
func (c *compiler) text(d *NodeDecl) string {
	if d.Text == nil {
		return ""
	}
	reported := len(c.diags)
	t := strings.Join(strings.Fields(c.expand(d.Text)), " ")
	if t == "" && len(c.diags) == reported { // not after an unknown {{var}}
		c.errorf(d.Text.Pos, RuleEmpty, "node %q has an empty %s text", d.ID.Value, d.Kind)
	}
	return t
}

func (c *compiler) build(d *NodeDecl) *Node {
	n := &Node{id: d.ID.Value, kind: d.Kind, pos: d.ID.Pos}
	switch d.Kind {
	case KindSay:
		s := c.overlay(c.defaults, d.Voice, d.Speed, nil)
		n.callflow = sayThenHangup(c.text(d), s)
	case KindMenu:
		n.callflow = callflows.Callflow{c.sayAndCapture(d)}
	case KindDial:
		n.callflow = callflows.Callflow{c.makeCall(d)}
	}
	return n
}

func (c *compiler) sayAndCapture(d *NodeDecl) *callflows.SayAndCapture {
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
	}
	// Point at the setting that causes a problem: the node's own where it
	// has one, else the one in defaults, else (built-in settings) the menu.
	var own, dflt Capture
	if d.Capture != nil {
		own = *d.Capture
	}
	if c.f.Defaults != nil && c.f.Defaults.Capture != nil {
		dflt = *c.f.Defaults.Capture
	}
	at := func(settings ...*Scalar) Pos {
		for _, s := range settings {
			if s != nil {
				return s.Pos
			}
		}
		return d.ID.Pos
	}
	if capt.minDigits > capt.maxDigits {
		c.errorf(at(own.MinDigits, own.MaxDigits, dflt.MinDigits, dflt.MaxDigits), RuleCapture, "menu %q captures at least %d digits but at most %d (min_digits > max_digits)", d.ID.Value, capt.minDigits, capt.maxDigits)
	} else {
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
	if capt.overallTimeout < capt.digitTimeout {
		c.errorf(at(own.OverallTimeout, own.DigitTimeout, dflt.OverallTimeout, dflt.DigitTimeout), RuleCapture, "menu %q has overall_timeout %s shorter than digit_timeout %s", d.ID.Value, capt.overallTimeout, capt.digitTimeout)
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
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func (c *compiler) makeCall(d *NodeDecl) *callflows.MakeCall {
	mc := &callflows.MakeCall{}
	if d.Then == nil {
		c.errorf(d.ID.Pos, RuleMissingKey, "dial node %q is missing required key %q: the node to go to when the bridged call ends", d.ID.Value, "then")
	}
	if d.Dial == nil { // not a mapping, reported by Parse
		return mc
	}
	for _, f := range []struct {
		s    *Scalar
		name string
		dst  *string
	}{{d.Dial.To, "to", &mc.Destination}, {d.Dial.From, "from", &mc.Source}} {
		if f.s == nil {
			c.errorf(d.Dial.Pos, RuleMissingKey, "dial of node %q is missing required key %q", d.ID.Value, f.name)
			continue
		}
		reported := len(c.diags)
		if *f.dst = strings.TrimSpace(c.expand(f.s)); *f.dst == "" && len(c.diags) == reported {
			c.errorf(f.s.Pos, RuleEmpty, "dial %s of node %q is empty", f.name, d.ID.Value)
		}
	}
	return mc
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
}

// marshal encodes a node's response once, at load time, so that serving a
// webhook writes bytes and encodes nothing.
func (c *compiler) marshal(n *Node) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(callflows.Response{ClientActionID: n.id, Callflow: n.callflow}); err != nil {
		c.errorf(n.pos, RuleValue, "node %q cannot be encoded: %v", n.id, err)
		return nil
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}
