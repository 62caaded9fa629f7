package callstate

import (
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// Test keys: base64 of 32 fixed bytes each.
var (
	keyA = base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	keyB = base64.StdEncoding.EncodeToString([]byte("fedcba9876543210fedcba9876543210"))
	keyC = base64.RawStdEncoding.EncodeToString([]byte("a third key, also 32 bytes long!"))
)

func mustKeys(t testing.TB, s string) Keys {
	t.Helper()
	k, err := ParseKeys(s)
	if err != nil {
		t.Fatalf("ParseKeys(%q): %v", s, err)
	}
	return k
}

// typical is the state of the benchmarks: a node, two counters, a back
// stack of 2 and a language.
var typical = State{Node: "book_table", NoInput: 1, Invalid: 2, Back: []string{"main_menu", "reservations"}, Lang: "fr-CA"}

func full() State {
	s := State{Node: strings.Repeat("n", MaxNodeLen), NoInput: 255, Invalid: 255, Lang: strings.Repeat("l", MaxLangLen)}
	for range MaxBack {
		s.Back = append(s.Back, strings.Repeat("b", MaxNodeLen))
	}
	for i := range MaxVars {
		s.Vars = append(s.Vars, Var{Name: strings.Repeat(string(rune('a'+i)), MaxVarNameLen), Value: strings.Repeat("v", MaxValueLen), Sensitive: i%2 == 0})
	}
	return s
}

func TestRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		s    State
	}{
		{"node only", State{Node: "main_menu"}},
		{"no input", State{Node: "m", NoInput: 3}},
		{"invalid", State{Node: "m", Invalid: 255}},
		{"back", State{Node: "sub", Back: []string{"main_menu"}}},
		{"back full", State{Node: "sub", Back: []string{"a", "b", "c", "d", "e", "f", "g", "h"}}},
		{"lang", State{Node: "m", Lang: "fr-CA"}},
		{"var", State{Node: "m", Vars: []Var{{Name: "order", Value: "1234"}}}},
		{"empty value", State{Node: "m", Vars: []Var{{Name: "order", Value: ""}}}},
		{"binary value", State{Node: "m", Vars: []Var{{Name: "x", Value: "\x00\xff.\"\n"}}}},
		{"sensitive", State{Node: "m", Vars: []Var{{Name: "pin", Value: "0304", Sensitive: true}}}},
		{"sensitive empty", State{Node: "m", Vars: []Var{{Name: "pin", Sensitive: true}}}},
		{"typical", typical},
		{"everything", State{Node: "confirm", NoInput: 1, Invalid: 1, Back: []string{"main_menu", "account"}, Lang: "es",
			Vars: []Var{{Name: "account", Value: "998877"}, {Name: "pin", Value: "1234", Sensitive: true}, {Name: "dob", Value: "19800101"}}}},
		{"at every bound", full()},
	}
	for _, keyed := range []bool{false, true} {
		k := Keys{}
		if keyed {
			k = mustKeys(t, keyA+","+keyB)
		}
		for _, c := range cases {
			sensitive := false
			for _, v := range c.s.Vars {
				sensitive = sensitive || v.Sensitive
			}
			if sensitive && !keyed {
				continue
			}
			enc, err := k.Encode(c.s)
			if err != nil {
				t.Fatalf("keyed=%v %s: Encode: %v", keyed, c.name, err)
			}
			if !strings.HasPrefix(enc, c.s.Node) {
				t.Errorf("keyed=%v %s: %q does not start with the node ID", keyed, c.name, enc)
			}
			if got := Size(c.s); got != len(enc) {
				t.Errorf("keyed=%v %s: Size = %d, encoded length %d", keyed, c.name, got, len(enc))
			}
			got, err := k.Decode(enc)
			if err != nil {
				t.Fatalf("keyed=%v %s: Decode(%q): %v", keyed, c.name, enc, err)
			}
			if !reflect.DeepEqual(got, c.s) {
				t.Errorf("keyed=%v %s: round trip\n got %+v\nwant %+v", keyed, c.name, got, c.s)
			}
		}
	}
}

func TestBareNode(t *testing.T) {
	for _, k := range []Keys{{}, mustKeys(t, keyA)} {
		for _, node := range []string{"main_menu", "a", "post-call_2", strings.Repeat("z", 64)} {
			enc, err := k.Encode(State{Node: node})
			if err != nil || enc != node {
				t.Errorf("Encode(State{Node: %q}) = %q, %v; want the bare node ID", node, enc, err)
			}
			s, err := k.Decode(node)
			if err != nil || !reflect.DeepEqual(s, State{Node: node}) {
				t.Errorf("Decode(%q) = %+v, %v", node, s, err)
			}
		}
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = Keys{}.Decode("main_menu") }); n != 0 {
		t.Errorf("Decode of a bare node ID allocates %v times", n)
	}
}

func TestEncodeInvalid(t *testing.T) {
	long := strings.Repeat("x", 65)
	cases := []struct {
		name string
		s    State
	}{
		{"empty node", State{}},
		{"node too long", State{Node: long}},
		{"node with dot", State{Node: "a.b"}},
		{"node with dot and state", State{Node: "a.b", NoInput: 1}},
		{"back too deep", State{Node: "m", Back: make([]string, MaxBack+1)}},
		{"back not a node", State{Node: "m", Back: []string{"a b"}}},
		{"lang too long", State{Node: "m", Lang: strings.Repeat("e", MaxLangLen+1)}},
		{"lang underscore", State{Node: "m", Lang: "fr_CA"}},
		{"too many vars", State{Node: "m", Vars: make([]Var, MaxVars+1)}},
		{"var name empty", State{Node: "m", Vars: []Var{{Value: "1"}}}},
		{"var name too long", State{Node: "m", Vars: []Var{{Name: strings.Repeat("n", MaxVarNameLen+1)}}}},
		{"value too long", State{Node: "m", Vars: []Var{{Name: "v", Value: strings.Repeat("1", MaxValueLen+1)}}}},
	}
	for _, c := range cases {
		if enc, err := mustKeys(t, keyA).Encode(c.s); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Encode = %q, %v; want ErrInvalid", c.name, enc, err)
		}
	}
}

func TestSensitiveNeedsKey(t *testing.T) {
	s := State{Node: "m", Vars: []Var{{Name: "pin", Value: "1234", Sensitive: true}}}
	if enc, err := (Keys{}).Encode(s); !errors.Is(err, ErrNoKey) {
		t.Errorf("Encode without keys = %q, %v; want ErrNoKey", enc, err)
	}
}

// b64Forms returns the base64url characters that spell needle wherever it
// falls in a longer encoding: one form per alignment, each without the
// characters its neighbours share.
func b64Forms(needle string) []string {
	var forms []string
	for a := 0; a < 3; a++ {
		e := base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("\x00", a) + needle))
		from := []int{0, 2, 3}[a]
		forms = append(forms, e[from:len(e)-1])
	}
	return forms
}

func TestSensitiveEncrypted(t *testing.T) {
	k := mustKeys(t, keyA)
	const pin = "8675309421"
	s := State{Node: "m", Vars: []Var{{Name: "pin", Value: pin, Sensitive: true}}}
	// inRaw and inB64 search the decoded bytes and the characters.
	inRaw := func(enc string) bool {
		raw, err := base64.RawURLEncoding.DecodeString(enc[strings.IndexByte(enc, '.')+1:])
		if err != nil {
			t.Fatal(err)
		}
		return strings.Contains(string(raw), pin)
	}
	inB64 := func(enc string) bool {
		found := strings.Contains(enc, pin)
		for _, f := range b64Forms(pin) {
			found = found || strings.Contains(enc, f)
		}
		return found
	}
	readable := func(enc string) bool { return inRaw(enc) || inB64(enc) }
	enc, err := k.Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	if readable(enc) {
		t.Errorf("%q readable in %q", pin, enc)
	}
	// Each encoding has its own nonce: the same PIN encodes differently.
	if enc2, _ := k.Encode(s); enc == enc2 {
		t.Errorf("two encodings of a sensitive value are equal: %q", enc)
	}
	got, err := k.Decode(enc)
	if err != nil || got.Vars[0].Value != pin || !got.Vars[0].Sensitive {
		t.Errorf("Decode = %+v, %v", got, err)
	}
	// The same value, not sensitive, is found: the search can fail.
	s.Vars[0].Sensitive = false
	if enc, _ = k.Encode(s); !readable(enc) {
		t.Errorf("a value not marked sensitive is not found in %q: the search cannot fail", enc)
	}
	// And found in base64 at every alignment (a longer name shifts it).
	for _, name := range []string{"p", "pi", "pin"} {
		s.Vars[0].Name = name
		enc, _ = k.Encode(s)
		if !inRaw(enc) || !inB64(enc) {
			t.Errorf("value after name %q not found in %q", name, enc)
		}
	}
}

// codecCase is a state and the keys it is encoded with.
type codecCase struct {
	name  string
	keys  Keys
	state State
}

// codecCases returns the typical state with a checksum and with a MAC,
// and the typical state carrying vars (a sensitive one among them) with a
// MAC: the forms every refusal test runs over.
func codecCases(t *testing.T, vars ...Var) []codecCase {
	sens := typical
	sens.Vars = vars
	return []codecCase{
		{"checksum", Keys{}, typical},
		{"mac", mustKeys(t, keyA), typical},
		{"sensitive", mustKeys(t, keyA), sens},
	}
}

func TestCut(t *testing.T) {
	for _, c := range codecCases(t, Var{Name: "pin", Value: "1234", Sensitive: true}) {
		enc, err := c.keys.Encode(c.state)
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; n < len(enc); n++ {
			cut := enc[:n]
			s, err := c.keys.Decode(cut)
			switch {
			case n == 0:
				if !errors.Is(err, ErrCorrupt) {
					t.Errorf("%s: Decode(\"\") = %v, want ErrCorrupt", c.name, err)
				}
			case n <= len(c.state.Node):
				// A cut inside the node ID leaves a bare node ID, which
				// the flow will not know.
				if err != nil || s.Node != cut {
					t.Errorf("%s: Decode(%q) = %+v, %v", c.name, cut, s, err)
				}
			default:
				if !errors.Is(err, ErrTruncated) {
					t.Errorf("%s: Decode(%q) cut at %d = %+v, %v; want ErrTruncated", c.name, cut, n, s, err)
				}
			}
		}
	}
}

func TestBitFlip(t *testing.T) {
	for _, c := range codecCases(t, Var{Name: "pin", Value: "1234", Sensitive: true}, Var{Name: "order", Value: "77"}) {
		// Three lengths of language, so the binary form's length takes every
		// value modulo 3 and the last base64 character has 0, 2 or 4 unused
		// bits: a flip of an unused bit must be refused too.
		for _, lang := range []string{"en", "gsw", "sr-Latn"} {
			st := c.state
			st.Lang = lang
			enc, err := c.keys.Encode(st)
			if err != nil {
				t.Fatal(err)
			}
			dot := strings.IndexByte(enc, '.')
			for i := 0; i < len(enc); i++ {
				for bit := 0; bit < 8; bit++ {
					b := []byte(enc)
					b[i] ^= 1 << bit
					s, err := c.keys.Decode(string(b))
					if err == nil && i == dot && s.Node == string(b) {
						// "." turned into a node ID character: a bare node
						// ID the flow does not know (see the package comment).
						continue
					}
					if err == nil {
						t.Errorf("%s, lang %q: flip of bit %d of byte %d: %q accepted as %+v", c.name, lang, bit, i, b, s)
					}
				}
			}
		}
	}
}

func TestForged(t *testing.T) {
	k := mustKeys(t, keyA)
	enc, _ := k.Encode(typical)
	raw, _ := base64.RawURLEncoding.DecodeString(enc[strings.IndexByte(enc, '.')+1:])
	node := enc[:strings.IndexByte(enc, '.')]
	reencode := func(node string, raw []byte) string {
		return node + "." + base64.RawURLEncoding.EncodeToString(raw)
	}
	tagged := func(mod func(b []byte)) string {
		b := append([]byte(nil), raw...)
		mod(b)
		return reencode(node, b)
	}
	// A checksummed state, made by anyone, for a server with keys.
	unsigned, _ := Keys{}.Encode(typical)
	// The same body with another node: the tag covers the node ID.
	other := reencode("main_menu", raw)
	cases := []struct {
		name string
		in   string
		want error
	}{
		{"tag zeroed", tagged(func(b []byte) { clear(b[len(b)-TagSize:]) }), ErrForged},
		{"tag byte changed", tagged(func(b []byte) { b[len(b)-1]++ }), ErrForged},
		{"counter raised", tagged(func(b []byte) { b[3] = 9 }), ErrForged},
		{"node swapped", other, ErrForged},
		{"unsigned", unsigned, ErrForged},
		{"unknown key id", tagged(func(b []byte) { b[1]++ }), ErrUnknownKey},
		{"version 2", tagged(func(b []byte) { b[0] = flagKeyed | 2 }), ErrVersion},
		{"version 0", tagged(func(b []byte) { b[0] = 0 }), ErrVersion},
	}
	for _, c := range cases {
		if s, err := k.Decode(c.in); !errors.Is(err, c.want) {
			t.Errorf("%s: Decode(%q) = %+v, %v; want %v", c.name, c.in, s, err, c.want)
		}
	}
	// Signed with a key, read without any: the server cannot check it.
	if _, err := (Keys{}).Decode(enc); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("signed state without keys: %v, want ErrUnknownKey", err)
	}
}

func TestRotation(t *testing.T) {
	old := mustKeys(t, keyA)
	rotating := mustKeys(t, keyB+", "+keyA)
	rotated := mustKeys(t, keyB)
	sens := typical
	sens.Vars = []Var{{Name: "pin", Value: "1234", Sensitive: true}}
	for _, s := range []State{typical, sens} {
		encOld, _ := old.Encode(s)
		if got, err := rotating.Decode(encOld); err != nil || !reflect.DeepEqual(got, s) {
			t.Errorf("old key listed second: %+v, %v", got, err)
		}
		encNew, _ := rotating.Encode(s)
		if got, err := rotated.Decode(encNew); err != nil || !reflect.DeepEqual(got, s) {
			t.Errorf("rotating signs with the newest key: %+v, %v", got, err)
		}
		if _, err := old.Decode(encNew); !errors.Is(err, ErrUnknownKey) {
			t.Errorf("new key read by a replica with the old only: %v, want ErrUnknownKey", err)
		}
		if _, err := rotated.Decode(encOld); !errors.Is(err, ErrUnknownKey) {
			t.Errorf("key rotated out: %v, want ErrUnknownKey", err)
		}
	}
}

func TestParseKeys(t *testing.T) {
	hexKey := "30313233343536373839616263646566"
	cases := []struct {
		in   string
		n    int
		fail bool
	}{
		{"", 0, false},
		{"  ", 0, false},
		{keyA, 1, false},
		{keyC, 1, false},
		{keyA + "," + keyB, 2, false},
		{" " + keyA + " , " + keyB + " ", 2, false},
		{base64.StdEncoding.EncodeToString(make([]byte, 16)), 1, false},
		{base64.StdEncoding.EncodeToString(make([]byte, 15)), 0, true},
		{"not base64!", 0, true},
		{keyA + ",", 0, true},
		{keyA + ",," + keyB, 0, true},
		{hexKey, 1, false}, // 32 hex digits are also 24 bytes of base64
		{strings.Repeat(keyA+",", maxKeys) + keyA, 0, true},
	}
	for _, c := range cases {
		k, err := ParseKeys(c.in)
		if (err != nil) != c.fail || k.Len() != c.n {
			t.Errorf("ParseKeys(%q) = %d keys, %v", c.in, k.Len(), err)
		}
		if err != nil && strings.Contains(err.Error(), c.in) && c.in != "" {
			t.Errorf("error %q repeats the key", err)
		}
	}
}

func TestTooLarge(t *testing.T) {
	k := mustKeys(t, keyA)
	huge := "m." + strings.Repeat("A", MaxLen)
	if _, err := k.Decode(huge); !errors.Is(err, ErrTooLarge) {
		t.Errorf("input of %d: %v, want ErrTooLarge", len(huge), err)
	}
	if n := testing.AllocsPerRun(10, func() { _, _ = k.Decode(huge) }); n != 0 {
		t.Errorf("refusing oversize input allocates %v times", n)
	}
	if w := WorstCase(limitsOf(full())); w > MaxLen {
		t.Errorf("worst case %d is over MaxLen %d: Encode could make what Decode refuses", w, MaxLen)
	}
	enc, err := k.Encode(full())
	if err != nil || len(enc) != Size(full()) {
		t.Fatalf("full state: %d, %v", len(enc), err)
	}
}

// TestBounds checks that Decode refuses counts and lengths over their
// bounds even in a state with a valid tag (anyone can make a checksum).
func TestBounds(t *testing.T) {
	seal := func(node string, body []byte) string {
		bin := []byte{version, 0}
		bin = appendUvarint(bin, len(body))
		bin = append(bin, body...)
		bin = appendTag(bin, nil, bin, node)
		return node + "." + base64.RawURLEncoding.EncodeToString(bin)
	}
	str := func(s string) []byte { return append(appendUvarint(nil, len(s)), s...) }
	cat := func(parts ...[]byte) []byte {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	counters := []byte{0, 0}
	none := []byte{0}
	cases := []struct {
		name string
		body []byte
		want error
	}{
		{"valid", cat(counters, str("en"), none, none), nil},
		{"back count over bound", cat(counters, str(""), appendUvarint(nil, MaxBack+1), []byte(strings.Repeat("\x01a", MaxBack+1)), none), ErrTooLarge},
		{"back count over bytes", cat(counters, str(""), appendUvarint(nil, 5), none), ErrCorrupt},
		{"back count huge", cat(counters, str(""), appendUvarint(nil, 1<<40), none), ErrTooLarge},
		{"lang over bound", cat(counters, str(strings.Repeat("e", MaxLangLen+1)), none, none), ErrTooLarge},
		{"vars over bound", cat(counters, str(""), none, appendUvarint(nil, MaxVars+1), []byte(strings.Repeat("\x00\x01a\x00", MaxVars+1))), ErrTooLarge},
		{"value over bound", cat(counters, str(""), none, []byte{1, 0}, str("v"), str(strings.Repeat("1", MaxValueLen+1))), ErrTooLarge},
		{"name over bound", cat(counters, str(""), none, []byte{1, 0}, str(strings.Repeat("n", MaxVarNameLen+1)), str("")), ErrTooLarge},
		{"sensitive without key", cat(counters, str(""), none, []byte{1, 1}, str("pin"), str(strings.Repeat("x", sealOverhead+4))), ErrCorrupt},
		{"bad flags", cat(counters, str(""), none, []byte{1, 2}, str("v"), str("")), ErrCorrupt},
		{"bad back entry", cat(counters, str(""), []byte{1}, str("a.b"), none), ErrCorrupt},
		{"trailing bytes", cat(counters, str(""), none, none, []byte{0}), ErrCorrupt},
		{"varint overlong", cat(counters, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}), ErrCorrupt},
		{"body empty", nil, ErrCorrupt},
	}
	for _, c := range cases {
		in := seal("m", c.body)
		if s, err := (Keys{}).Decode(in); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: Decode(%q) = %+v, %v; want %v", c.name, in, s, err, c.want)
		}
	}
}

func appendUvarint(b []byte, n int) []byte {
	for n >= 0x80 {
		b = append(b, byte(n)|0x80)
		n >>= 7
	}
	return append(b, byte(n))
}

// limitsOf returns the Limits of which s is the worst case.
func limitsOf(s State) Limits {
	l := Limits{NodeLen: len(s.Node), Stateful: s.NoInput+s.Invalid > 0, Back: len(s.Back), LangLen: len(s.Lang)}
	for _, b := range s.Back {
		l.BackNodeLen = max(l.BackNodeLen, len(b))
	}
	for _, v := range s.Vars {
		l.Vars = append(l.Vars, VarLimit{NameLen: len(v.Name), ValueLen: len(v.Value), Sensitive: v.Sensitive})
	}
	return l
}

func TestWorstCase(t *testing.T) {
	cases := []struct {
		name string
		l    Limits
		want int
	}{
		{"bare", Limits{NodeLen: 9}, 9},
		// Every back entry counts as long as the longest.
		{"typical", limitsOf(typical), Size(State{Node: typical.Node, NoInput: 1, Back: []string{"reservations", "reservations"}, Lang: typical.Lang})},
		{"full", limitsOf(full()), Size(full())},
	}
	for _, c := range cases {
		if got := WorstCase(c.l); got != c.want {
			t.Errorf("%s: WorstCase = %d, want %d", c.name, got, c.want)
		}
	}
	if got := Size(typical); got > DefaultBudget {
		t.Errorf("a typical state takes %d characters, over the default budget", got)
	}
	// The longest uvarint length of a value decides the size: a longer value
	// never encodes shorter than WorstCase.
	k := mustKeys(t, keyA)
	l := Limits{NodeLen: 4, Vars: []VarLimit{{NameLen: 3, ValueLen: MaxValueLen, Sensitive: true}}}
	for n := 0; n <= MaxValueLen; n++ {
		enc, err := k.Encode(State{Node: "node", Vars: []Var{{Name: "pin", Value: strings.Repeat("1", n), Sensitive: true}}})
		if err != nil || len(enc) > WorstCase(l) {
			t.Fatalf("value of %d: %d characters, worst case %d, %v", n, len(enc), WorstCase(l), err)
		}
	}
}
