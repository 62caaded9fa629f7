package engine

import "unicode/utf8"

// File is a parsed flow file: the flow language's syntax tree. Every value
// keeps the range it was written at, so that later checks can point at
// it. A field is nil when the file does not set it.
type File struct {
	Path string
	// Range is where the top-level mapping starts: its first key.
	Range
	Version  *Scalar
	Name     *Scalar
	Start    *Scalar
	Fallback *Scalar
	// Main is the node the main-menu hotkey goes to; start when not set.
	Main   *Scalar
	Number *Scalar
	// StateBudget is the most characters a clientActionId may take.
	StateBudget *Scalar
	// Languages are the flow's languages, the default first; none for a
	// flow in one language. LanguagesRange is where the mapping starts.
	Languages      []*Language
	LanguagesRange Range
	Defaults       *Defaults
	Vars           []*Var
	// Switches are the switches an operator flips, with their defaults,
	// in the order the file lists them.
	Switches []*SwitchDecl
	Nodes    []*NodeDecl
	// Lint silences warnings in the whole file.
	Lint *Lint

	// nodesReported is set when nodes is missing or not a mapping, which
	// Parse reports; references to nodes are then not checked.
	nodesReported bool
}

// Scalar is one YAML scalar with its range.
type Scalar struct {
	Value string
	Range
	// Plain is true for an unquoted single-line scalar, where a column
	// inside Value is a column in the file.
	Plain bool
}

// Defaults are the flow-level settings nodes inherit.
type Defaults struct {
	Range
	Voice     *Scalar
	Speed     *Scalar
	Capture   *Capture
	OnInvalid *Scalar
	OnNoInput *Scalar
	NoInput   *Budget
	Invalid   *Budget
	Hotkeys   *Hotkeys
}

// Budget is how a menu forgives silence (no_input) or wrong keys
// (invalid): how many times, and what it says each time.
type Budget struct {
	Range
	// Retries is how many times the menu asks again before the caller goes
	// on to on_no_input or on_invalid.
	Retries *Scalar
	// Say are the messages said before asking again: the first time the
	// first, and so on, the last one again once they run out.
	Say []*Text
}

// Hotkeys are keys that work at every menu: repeat, back, main, or a node
// to go to, declared in defaults and overridden per menu.
type Hotkeys struct {
	Range
	Keys []*HotkeyDecl
}

// HotkeyDecl is one hotkey: a DTMF key and what it does (repeat, back,
// main, off, or a node ID).
type HotkeyDecl struct {
	Key    *Scalar
	Action *Scalar
}

// Capture holds the DTMF capture settings of a menu.
type Capture struct {
	Range
	MinDigits      *Scalar
	MaxDigits      *Scalar
	DigitTimeout   *Scalar
	OverallTimeout *Scalar
	Tries          *Scalar
	CompleteOnHash *Scalar
}

// Var is one entry of the vars mapping.
type Var struct {
	Name  *Scalar
	Value *Scalar
}

// NodeDecl is one entry of the nodes mapping.
type NodeDecl struct {
	ID *Scalar
	// Range is all of the node: from its ID to the end of its last value.
	Range
	Kind Kind // KindInvalid when no kind key is set
	// KindKey is the key that set the kind (menu, say or dial).
	KindKey *Scalar
	// Text is the menu prompt or the say text.
	Text *Text
	Keys []*KeyDecl
	// KeysRange is where the keys mapping starts; zero without one.
	KeysRange Range
	Voice     *Scalar
	Speed     *Scalar
	Capture   *Capture
	OnInvalid *Scalar
	OnNoInput *Scalar
	// NoInput and Invalid are the menu's budgets, over the defaults'.
	NoInput *Budget
	Invalid *Budget
	// Reprompt is the shorter prompt a menu asks again with.
	Reprompt *Text
	Hotkeys  *Hotkeys
	Dial     *Dial
	// Branches are where a node goes by what happened: a dial's answered,
	// busy, no_answer and failed, or a schedule's branches, in the order
	// the file lists them.
	Branches []*BranchDecl
	// BranchesRange is where a schedule's branches mapping starts.
	BranchesRange Range
	// Schedule is a schedule node's hours.
	Schedule *ScheduleDecl
	// Into is the value a collect node saves what the caller typed as.
	Into *Scalar
	// Check is how a collect node checks what was typed: luhn, or date;
	// Pattern a regular expression it must match.
	Check   *Scalar
	Pattern *Scalar
	// Sets are the values a set node sets, in the order the file lists
	// them.
	Sets []*Var
	// BranchOn is the value a branch node looks at; Cases its cases in
	// order.
	BranchOn *Scalar
	Cases    []*CaseDecl
	// Request is a request node's HTTP request.
	Request *RequestDecl
	// Switch names the switch a switch node reads.
	Switch *Scalar
	Then   *Scalar
	// Sensitive marks a menu whose keys must not appear in logs or
	// metrics (a card number, a PIN).
	Sensitive *Scalar
	// Lint silences warnings about the node.
	Lint *Lint

	// keysReported is set when Parse reported a problem with keys (not a
	// mapping, a key without a node ID); "no keys" is then not reported.
	keysReported bool
}

// Lint is a lint mapping, at the top of a flow file or in a node: what
// the author knows and means, which lint need not warn about.
type Lint struct {
	Range
	// Ignore names the rules whose warnings are silenced.
	Ignore []*Scalar
}

// KeyDecl is one DTMF key of a menu and the node it leads to.
type KeyDecl struct {
	Key    *Scalar
	Target *Scalar
	// Lang is the language the key sets for the rest of the call; nil
	// for a key that keeps it.
	Lang *Scalar
}

// ScheduleDecl is the hours of a schedule node, as written: see package
// schedule for what they mean.
type ScheduleDecl struct {
	Range
	Zone *Scalar
	// Weekly are the weekly hours: a branch, the days, the hours.
	Weekly [][3]*Scalar
	// Closed are the closed dates: the date and why.
	Closed [][2]*Scalar
	// Special are the special hours: the date, a branch and its hours (nil
	// branch for a date given as "closed").
	Special  [][3]*Scalar
	Holidays *Scalar
}

// RequestDecl is the HTTP request of a request node, as written.
type RequestDecl struct {
	Range
	Method, URL, Timeout *Scalar
	// Headers and Body are name -> value; Save is value name -> path.
	Headers, Body, Save []*Var
}

// CaseDecl is one case of a branch node: a test (equals, above, below or
// matches, the Op) of the value against Value, and the node it leads to.
type CaseDecl struct {
	Range
	Op    *Scalar
	Value *Scalar
	To    *Scalar
}

// BranchDecl is one named branch of a node and the node it leads to.
type BranchDecl struct {
	Name   *Scalar
	Target *Scalar
}

// Dial is the call a dial node bridges the caller to.
type Dial struct {
	Range
	To   *Scalar
	From *Scalar
}

// Kind is the kind of a node.
type Kind int

// Node kinds.
const (
	KindInvalid Kind = iota
	// KindMenu speaks a prompt and captures a key (one sayAndCapture).
	KindMenu
	// KindSay speaks a text and hangs up: a leaf.
	KindSay
	// KindDial bridges the caller to another number (makeCall) and goes on
	// to its then node when the bridged call ends.
	KindDial
	// KindSchedule sends the caller on by the time: a branch for opening
	// hours, closures and holidays.
	KindSchedule
	// KindCollect asks for a number and saves what the caller types as a
	// value of the call.
	KindCollect
	// KindSet sets values of the call and goes on.
	KindSet
	// KindBranch sends the caller on by a value of the call.
	KindBranch
	// KindRequest asks the business's own system and goes on by its answer.
	KindRequest
	// KindSwitch sends the caller on by the position of a switch an
	// operator flips: its on or its off node.
	KindSwitch
	// kindCount is the number of kinds, for tables indexed by Kind.
	kindCount
)

func (k Kind) String() string {
	switch k {
	case KindMenu:
		return "menu"
	case KindSay:
		return "say"
	case KindDial:
		return "dial"
	case KindSchedule:
		return "schedule"
	case KindCollect:
		return "collect"
	case KindSet:
		return "set"
	case KindBranch:
		return "branch"
	case KindSwitch:
		return "switch"
	case KindRequest:
		return "request"
	}
	return "invalid"
}

// sub returns the range of the bytes i to j of a scalar's value, as
// exactly as the scalar's style allows: the whole scalar unless it is
// plain, where a column inside Value is a column in the file.
func (s *Scalar) sub(i, j int) Range {
	if !s.Plain {
		return s.Range
	}
	r := s.Range
	r.Pos.Col += utf8.RuneCountInString(s.Value[:i])
	r.End = r.Pos
	r.End.Col += utf8.RuneCountInString(s.Value[i:j])
	return r
}
