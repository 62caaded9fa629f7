package engine

import (
	"slices"
	"time"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine/callstate"
	"github.com/ivrctl/ivrctl/engine/schedule"
)

// Flow is a compiled phone menu. Everything that can be decided when the
// file is loaded has been: every node holds the exact bytes of its callflow
// response and its key table. A Flow never changes after Compile, so it is
// shared across goroutines without locks.
type Flow struct {
	name     string
	number   string
	path     string
	version  string
	start    *Node
	fallback *Node
	// main is where the main-menu hotkey goes: start unless set.
	main *Node
	// back is set when a hotkey of some menu goes back: only then do calls
	// carry the menus they came through.
	back bool
	// zone is the line's time zone: its first schedule's, else UTC.
	zone *time.Location
	// holes are the call's values its spoken texts use (see template.go).
	holes []hole
	// langs are the flow's language tags, the default first; one "" in a
	// flow that declares none.
	langs []string
	nodes map[string]*Node
	order []*Node
	// switches are the declared switches, in the file's order.
	switches []Switch
}

// Name returns the flow's name, from its name key or else its file name.
func (f *Flow) Name() string { return f.name }

// Number returns the line's own phone number, from its number key: the
// caller ID of outbound calls and of dial nodes that set no from. It is ""
// when the flow sets none.
func (f *Flow) Number() string { return f.number }

// Path returns the file the flow was loaded from.
func (f *Flow) Path() string { return f.path }

// Version returns a short hash of the flow file's content, which tells two
// loaded versions of a flow apart in logs.
func (f *Flow) Version() string { return f.version }

// Start returns the node every call starts at.
func (f *Flow) Start() *Node { return f.start }

// Fallback returns the node that answers when the caller's place in the
// menu cannot be told: a say node, so the call ends with a message rather
// than silence.
func (f *Flow) Fallback() *Node { return f.fallback }

// Node returns the node with the given ID.
func (f *Flow) Node(id string) (*Node, bool) {
	n, ok := f.nodes[id]
	return n, ok
}

// Nodes returns the flow's nodes in the order the file lists them.
func (f *Flow) Nodes() []*Node { return slices.Clone(f.order) }

// Node is a compiled node of a flow.
type Node struct {
	id        string
	kind      Kind
	pos       Pos
	callflow  callflows.Callflow
	response  []byte
	keys      map[string]*Node
	keyOrder  []string
	onInvalid *Node
	onNoInput *Node
	then      *Node
	edges     []Edge // as Edges lists them
	sensitive bool
	// bodies are the node's actions as JSON, without the brackets, by
	// language: the parts its answers are put together from.
	bodies [][]byte
	// flows are the node's actions by language; nil for a node that says
	// nothing, whose callflow is the same in every language.
	flows []callflows.Callflow
	// langs are the flow's language tags, which flows is indexed by.
	langs []string
	// menu holds a menu's budgets and hotkeys; nil for other kinds.
	menu *menu
	// outcomes are a dial's branches by how the bridged call ended.
	outcomes map[callflows.TransferOutcome]*Node
	// collect is a collect node's value and check; sets a set node's
	// values.
	collect *collect
	sets    []callstate.Var
	// req and results are a request node's request and its branches by
	// result.
	req     *request
	results map[string]*Node
	// branchOn and cases are a branch node's value and cases.
	branchOn string
	cases    []branchCase
	// dynamic marks a node whose parts hold a call's values (see
	// template.go), filled in when it is served.
	dynamic bool
	// sched and branches are a schedule's hours and its branches' nodes.
	sched    *schedule.Schedule
	branches map[string]*Node
	// sw is a switch node's switch and nodes; nil for other kinds.
	sw *switchNode
}

// body returns the actions of n in the language lang, or of its
// re-prompt, as JSON without brackets.
func (n *Node) body(lang int, reprompt bool) []byte {
	if reprompt && n.menu != nil && n.menu.rebodies != nil {
		return n.menu.rebodies[lang]
	}
	return n.bodies[lang]
}

// Languages returns the flow's language tags, its default first; none for
// a flow that declares no languages.
func (f *Flow) Languages() []string {
	if len(f.langs) == 1 && f.langs[0] == "" {
		return nil
	}
	return slices.Clone(f.langs)
}

// langIndex returns the index of the language tag in the flow's
// languages, -1 when it has no such language. "" is the default.
func (f *Flow) langIndex(tag string) int {
	if tag == "" {
		return 0
	}
	for i, l := range f.langs {
		if l == tag {
			return i
		}
	}
	return -1
}

// ID returns the node's ID, which is also the clientActionId of its
// response. The built-in fallback has the ID "".
func (n *Node) ID() string { return n.id }

// Kind returns the node's kind.
func (n *Node) Kind() Kind { return n.kind }

// Pos returns where the node is defined.
func (n *Node) Pos() Pos { return n.pos }

// Response returns the JSON body that answers a VCA webhook with this node.
// The bytes are shared and must not be modified.
func (n *Node) Response() []byte { return n.response }

// Callflow returns the node's actions, as marshalled in Response.
func (n *Node) Callflow() callflows.Callflow { return slices.Clone(n.callflow) }

// Keys returns the menu's keys in the order the file lists them.
func (n *Node) Keys() []string { return slices.Clone(n.keyOrder) }

// Target returns the node a key of the menu leads to.
func (n *Node) Target(key string) (*Node, bool) {
	t, ok := n.keys[key]
	return t, ok
}

// Sensitive reports whether the menu is marked sensitive: the keys a
// caller presses at it must not be logged or counted by value.
func (n *Node) Sensitive() bool { return n.sensitive }

// ends reports whether a caller who reaches n has the call ended: a say
// node with nothing after it.
func (n *Node) ends() bool { return n.kind == KindSay && n.then == nil }

// Schedule returns a schedule node's hours; nil for other kinds.
func (n *Node) Schedule() *schedule.Schedule { return n.sched }

// CarriesSensitive reports whether a call of the flow can carry a value
// marked sensitive, which travels in the call state only encrypted, and so
// needs IVRCTL_STATE_KEY.
func (f *Flow) CarriesSensitive() bool {
	for _, n := range f.order {
		if n.collect != nil && n.collect.sensitive {
			return true
		}
	}
	return false
}

// Answers reports whether n answers a webhook itself; a node that always
// sends the caller on (a schedule, a branch, a set) has no answer of its
// own, and its Response is nil.
func (n *Node) Answers() bool { return !n.kind.spec().passes }
