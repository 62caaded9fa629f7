// Package callstate encodes the state of a call into the clientActionId
// that 8x8 echoes with the next webhook, and decodes it back.
//
// Any replica answers any webhook (DESIGN.md, principle 2): everything the
// next webhook needs (the node, the retry counts at the current menu, the
// menus the caller came through, the language, the values collected) travels
// in the clientActionId, so no session store is needed. The state comes back
// from the network, so Decode trusts nothing in it: it refuses input over
// MaxLen before looking at it, bounds every count and length before using it,
// never allocates from a length it has not checked, and tells why it refused
// (ErrTruncated, ErrCorrupt, ErrForged, ErrUnknownKey, ErrVersion,
// ErrTooLarge) so the server can log the reason and count it.
//
// # Wire form
//
// A State with nothing but a Node encodes as the bare node ID, byte for byte,
// so a flow with no state to carry answers exactly as before this package
// existed. Any other State encodes as
//
//	NODE "." BASE64URL(header keyid bodylen body tag)
//
// NODE stays readable at the start so that log lines stay useful; "." is not
// in the node ID alphabet [A-Za-z0-9_-], so the first "." ends the node.
// BASE64URL is RFC 4648 base64url without padding, decoded strictly (a
// non-canonical last character is corruption, not another spelling). The
// binary part is:
//
//   - header, one byte: the format version (1) in the low 7 bits, and the top
//     bit set when the tag is an HMAC (a key was used) rather than a checksum;
//   - keyid, one byte: which key signed (see Keys), 0 without a key; it is
//     always there so that Size does not depend on whether keys are set;
//   - bodylen, a uvarint: the length of body, so a cut state is told apart
//     from a corrupt one (ErrTruncated tells an operator that something on the
//     way limits the length, which 8x8 does not document);
//   - body: NoInput and Invalid, one byte each; Lang as uvarint length and
//     bytes; Back as a uvarint count then each entry as uvarint length and
//     bytes; Vars as a uvarint count then each as a flags byte (bit 0:
//     sensitive), the name as uvarint length and bytes, and the value as
//     uvarint length and bytes (for a sensitive value: a 12-byte random nonce,
//     then the AES-GCM ciphertext and its 16-byte tag);
//   - tag, TagSize (12) bytes over header, keyid, bodylen, body and NODE.
//
// # Integrity
//
// With keys (IVRCTL_STATE_KEY, see ParseKeys) the tag is HMAC-SHA256 with a
// key derived from the newest key, truncated to 12 bytes. 96 bits leave a
// forger one chance in 2^96 per attempt, and every attempt is an online
// webhook through 8x8, while the tag costs 16 characters of the budget
// (the full 32 bytes would cost 43). Decode accepts a tag made with any listed
// key, so keys rotate across replicas: add the new key first everywhere,
// then drop the old one once calls begun under it have ended.
//
// Without keys the tag is SHA-256 of the same bytes, truncated the same way:
// it detects a cut or corrupted state, but NOT a forged one, since anyone
// can compute it. A server with keys refuses such an unsigned state
// (ErrForged): accepting it would let anyone forge states. Values marked
// Sensitive are encrypted with AES-256-GCM under a key derived (HKDF-SHA256)
// from the state key, with a random nonce, and the variable's name as
// additional data; encoding one without keys fails with ErrNoKey. Only
// sensitive values are hidden: the rest of a state is signed, not
// encrypted, so anyone who reads a clientActionId (8x8 and its logs
// included) can read the language, the back stack and the other values; and
// a sensitive value's length shows (its ciphertext is 28 bytes longer).
// Turning keys on mid-traffic refuses the unsigned states of calls under
// way (ErrForged): those callers get the fallback once.
//
// Decoding a state signed by a key that is no longer listed gives
// ErrUnknownKey, not ErrForged: the keyid byte names the key, so an operator
// can tell a rotation that went too fast from an attack. The keyid is one
// byte derived from the key with HKDF, so it tells nothing about the key; a
// forger can pick an unknown one and get ErrUnknownKey: both are refusals.
//
// # Size
//
// Size gives the exact length of an encoding, with or without keys, and
// WorstCase the longest a flow can produce, for lint to hold against the
// budget (DefaultBudget, 256 characters; 8x8 documents no limit). A typical
// state (a node, two counters, two menus back, a language) takes about 75
// characters; a State at every bound about 3,200, under MaxLen.
//
// The bare form carries no tag: a bare clientActionId is trusted as a node
// ID, exactly as before, and the flow refuses one that names no node. For
// the same reason, a change that turns the "." into a node ID character
// (one bit flip turns "." into "n") yields a bare node ID that the flow will
// not know, rather than an error from this package.
package callstate

import (
	"encoding/binary"
	"errors"
)

// Bounds of a State. Encode refuses a State beyond them and Decode refuses
// input beyond them, so a stranger cannot make the server allocate more.
const (
	// MaxNodeLen is the longest node ID ([A-Za-z0-9_-]{1,64}).
	MaxNodeLen = 64
	// MaxBack is the deepest "back" stack; older menus are dropped by the
	// engine first. Eight menus deep is more than any phone line asks.
	MaxBack = 8
	// MaxLangLen is the longest language tag ("en", "fr-CA", "zh-Hant-TW").
	MaxLangLen = 16
	// MaxVars is the most collected values a State carries.
	MaxVars = 16
	// MaxVarNameLen is the longest variable name ([A-Za-z0-9_-]).
	MaxVarNameLen = 32
	// MaxValueLen is the longest value, in bytes (an order number, a PIN,
	// a date, a short answer of the business's API).
	MaxValueLen = 64
	// MaxLen is the longest clientActionId Decode looks at. It is above the
	// worst case of the bounds above (a test checks it), so whatever Encode
	// produces decodes.
	MaxLen = 4096
	// TagSize is the size of the MAC (or checksum) in bytes.
	TagSize = 12
	// DefaultBudget is the default size budget of a clientActionId, in
	// characters; 8x8 documents no limit.
	DefaultBudget = 256
)

const (
	version    = 1
	flagKeyed  = 0x80
	sep        = '.'
	nonceSize  = 12
	gcmTagSize = 16
	// sealOverhead is what encryption adds to a sensitive value.
	sealOverhead = nonceSize + gcmTagSize
	// maxBinary bounds the binary part of any input Decode accepts.
	maxBinary = MaxLen * 3 / 4
)

// Errors Decode returns, one per reason, so the server can log and count
// each; compare with errors.Is.
var (
	// ErrTruncated: the state is shorter than it says it is: cut on the way.
	ErrTruncated = errors.New("callstate: state truncated")
	// ErrCorrupt: the state is malformed or its checksum does not match.
	ErrCorrupt = errors.New("callstate: state corrupt")
	// ErrForged: the MAC does not match any listed key, an encrypted value
	// does not open, or an unsigned state reached a server that has keys.
	ErrForged = errors.New("callstate: state forged or signed with another key")
	// ErrUnknownKey: the state names a key that is not listed (rotated out,
	// or a replica without the key).
	ErrUnknownKey = errors.New("callstate: state signed by a key not listed")
	// ErrVersion: the state is of a format version this build does not read.
	ErrVersion = errors.New("callstate: unknown state version")
	// ErrTooLarge: the input, or a count or length in it, is over its bound.
	ErrTooLarge = errors.New("callstate: state too large")
	// ErrNoKey: Encode was asked to carry a sensitive value without a key.
	ErrNoKey = errors.New("callstate: a sensitive value needs IVRCTL_STATE_KEY")
	// ErrInvalid: Encode was given a State outside the bounds or alphabets.
	ErrInvalid = errors.New("callstate: invalid state")
)

// State is what the next webhook of a call needs. It is a plain value:
// copy it, compare it field by field, keep it on the stack.
type State struct {
	// Node is the ID of the node the caller is at ([A-Za-z0-9_-]{1,64}).
	Node string
	// NoInput counts the times the caller said nothing at the current menu.
	NoInput uint8
	// Invalid counts the wrong keys pressed at the current menu.
	Invalid uint8
	// Back holds the menus the caller came through, most recent last, for
	// "back"; at most MaxBack node IDs.
	Back []string
	// Lang is the caller's language tag (such as "en" or "fr-CA"), or ""
	// for the flow's default; letters, digits and "-", at most MaxLangLen.
	Lang string
	// Vars holds the values collected so far, at most MaxVars.
	Vars []Var
}

// Var is one collected value.
type Var struct {
	// Name is the variable's name ([A-Za-z0-9_-]{1,32}).
	Name string
	// Value is the value, at most MaxValueLen bytes.
	Value string
	// Sensitive values (a PIN, a card number) are encrypted in the wire form,
	// so they need keys.
	Sensitive bool
}

// Bare reports whether s holds nothing but its node, and so encodes as the
// bare node ID.
func (s *State) Bare() bool { return s.bare() }

// bare reports whether s encodes as its bare node ID.
func (s *State) bare() bool {
	return s.NoInput == 0 && s.Invalid == 0 && len(s.Back) == 0 && s.Lang == "" && len(s.Vars) == 0
}

// idOK reports whether id is 1 to max characters of [A-Za-z0-9_-].
func idOK(id string, max int) bool {
	if len(id) == 0 || len(id) > max {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !idChar[id[i]] {
			return false
		}
	}
	return true
}

// langOK reports whether tag is a plausible language tag: letters, digits
// and "-", at most MaxLangLen; "" is the flow's default.
func langOK(tag string) bool {
	if len(tag) > MaxLangLen {
		return false
	}
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		if !idChar[c] || c == '_' {
			return false
		}
	}
	return true
}

// idChar is the node ID alphabet, as a table because it is checked for
// every byte of every webhook's clientActionId.
var idChar = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
	}
	return t
}()

// check returns ErrInvalid (with what is wrong) for a State Encode cannot
// carry.
func (s *State) check() error {
	switch {
	case !idOK(s.Node, MaxNodeLen):
		return invalid("node ID %q is not [A-Za-z0-9_-]{1,64}", s.Node)
	case len(s.Back) > MaxBack:
		return invalid("back stack of %d menus is over %d", len(s.Back), MaxBack)
	case !langOK(s.Lang):
		return invalid("language %q is not a language tag of at most %d characters", s.Lang, MaxLangLen)
	case len(s.Vars) > MaxVars:
		return invalid("%d variables are over %d", len(s.Vars), MaxVars)
	}
	for _, b := range s.Back {
		if !idOK(b, MaxNodeLen) {
			return invalid("back entry %q is not a node ID", b)
		}
	}
	for _, v := range s.Vars {
		if !idOK(v.Name, MaxVarNameLen) {
			return invalid("variable name %q is not [A-Za-z0-9_-]{1,32}", v.Name)
		}
		if len(v.Value) > MaxValueLen {
			return invalid("value of %s is %d bytes, over %d", v.Name, len(v.Value), MaxValueLen)
		}
	}
	return nil
}

// bodyLen returns the length of the body of s.
func (s *State) bodyLen() int {
	n := 2 + uvarintLen(len(s.Lang)) + len(s.Lang) + uvarintLen(len(s.Back))
	for _, b := range s.Back {
		n += uvarintLen(len(b)) + len(b)
	}
	n += uvarintLen(len(s.Vars))
	for _, v := range s.Vars {
		vl := len(v.Value)
		if v.Sensitive {
			vl += sealOverhead
		}
		n += 1 + uvarintLen(len(v.Name)) + len(v.Name) + uvarintLen(vl) + vl
	}
	return n
}

// uvarintLen returns the size of n as a uvarint.
func uvarintLen(n int) int {
	l := 1
	for n >= 0x80 {
		n >>= 7
		l++
	}
	return l
}

// Size returns the length of the clientActionId Encode makes of s, with or
// without keys (the two are the same size). It does not check s.
func Size(s State) int {
	if s.bare() {
		return len(s.Node)
	}
	body := s.bodyLen()
	bin := 2 + uvarintLen(body) + body + TagSize
	return len(s.Node) + 1 + (bin*8+5)/6
}

// Limits describes the largest State a flow can produce, for WorstCase.
type Limits struct {
	// NodeLen is the longest node ID of the flow.
	NodeLen int
	// Stateful is set when the flow counts retries (so no state is bare even
	// without back, language or values).
	Stateful bool
	// Back is the deepest back stack; BackNodeLen the longest ID in it.
	Back, BackNodeLen int
	// LangLen is the longest language tag, 0 without languages.
	LangLen int
	// Vars are the values a call can hold at once.
	Vars []VarLimit
}

// VarLimit describes the largest value of one variable.
type VarLimit struct {
	// NameLen is the length of its name; ValueLen the longest value.
	NameLen, ValueLen int
	// Sensitive values take sealOverhead (28) more bytes, encrypted.
	Sensitive bool
}

// WorstCase returns the longest clientActionId a flow with limits l can
// produce, for lint to compare with the budget (DefaultBudget by default).
func WorstCase(l Limits) int {
	s := State{Node: fill(l.NodeLen), Lang: fill(l.LangLen)}
	if l.Stateful {
		s.NoInput = 1
	}
	for range l.Back {
		s.Back = append(s.Back, fill(l.BackNodeLen))
	}
	for _, v := range l.Vars {
		s.Vars = append(s.Vars, Var{Name: fill(v.NameLen), Value: fill(v.ValueLen), Sensitive: v.Sensitive})
	}
	return Size(s)
}

// fill returns n bytes; only lengths matter to Size.
func fill(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'x'
	}
	return string(b)
}

// appendBody appends the body of s to b, sealing sensitive values with k.
func appendBody(b []byte, s *State, k *key) ([]byte, error) {
	b = append(b, s.NoInput, s.Invalid)
	b = appendString(b, s.Lang)
	b = binary.AppendUvarint(b, uint64(len(s.Back)))
	for _, n := range s.Back {
		b = appendString(b, n)
	}
	b = binary.AppendUvarint(b, uint64(len(s.Vars)))
	for _, v := range s.Vars {
		if !v.Sensitive {
			b = append(b, 0)
			b = appendString(b, v.Name)
			b = appendString(b, v.Value)
			continue
		}
		if k == nil {
			return nil, ErrNoKey
		}
		b = append(b, 1)
		b = appendString(b, v.Name)
		b = binary.AppendUvarint(b, uint64(len(v.Value)+sealOverhead))
		var err error
		if b, err = k.seal(b, v.Name, v.Value); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// Reason names the error Decode returned, for a log field or a metric
// label: truncated, corrupt, forged, unknown_key, version or too_large;
// "other" for any other error.
func Reason(err error) string {
	switch {
	case errors.Is(err, ErrTruncated):
		return "truncated"
	case errors.Is(err, ErrCorrupt):
		return "corrupt"
	case errors.Is(err, ErrForged):
		return "forged"
	case errors.Is(err, ErrUnknownKey):
		return "unknown_key"
	case errors.Is(err, ErrVersion):
		return "version"
	case errors.Is(err, ErrTooLarge):
		return "too_large"
	}
	return "other"
}

// Reasons are the values Reason returns, for metrics to show at zero.
var Reasons = []string{"truncated", "corrupt", "forged", "unknown_key", "version", "too_large", "other"}
