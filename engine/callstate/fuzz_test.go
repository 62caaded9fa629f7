package callstate

import (
	"reflect"
	"testing"
)

// FuzzDecode checks that Decode never panics, and that whatever it accepts
// encodes again to a State that decodes equal. It runs without keys (so
// the fuzzer can reach the body past a checksum it can compute) and with
// keys (where it should find nothing it can make accepted but bare IDs).
func FuzzDecode(f *testing.F) {
	keyed := mustKeys(f, keyA+","+keyB)
	for _, s := range []State{{Node: "main_menu"}, typical, full(),
		{Node: "m", Vars: []Var{{Name: "order", Value: "1234"}, {Name: "pin", Value: "0000", Sensitive: true}}}} {
		if enc, err := keyed.Encode(s); err == nil {
			f.Add(enc)
		}
		s.Vars = nil
		if enc, err := (Keys{}).Encode(s); err == nil {
			f.Add(enc)
		}
	}
	f.Add("")
	f.Add("m.")
	f.Add("m.AQA")
	f.Fuzz(func(t *testing.T, in string) {
		for _, k := range []Keys{{}, keyed} {
			s, err := k.Decode(in)
			if err != nil {
				continue
			}
			enc, err := k.Encode(s)
			if err != nil {
				t.Fatalf("Decode(%q) accepted %+v, which Encode refuses: %v", in, s, err)
			}
			again, err := k.Decode(enc)
			if err != nil || !reflect.DeepEqual(again, s) {
				t.Fatalf("Decode(%q) = %+v; re-encoded %q decodes to %+v, %v", in, s, enc, again, err)
			}
		}
	})
}
