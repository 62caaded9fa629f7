package callstate

import "testing"

func BenchmarkEncode(b *testing.B) {
	for _, c := range []struct {
		name string
		keys Keys
	}{{"checksum", Keys{}}, {"mac", mustKeys(b, keyA)}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]byte, 0, 256)
			for b.Loop() {
				if _, err := c.keys.AppendEncode(buf[:0], typical); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, c := range []struct {
		name string
		keys Keys
	}{{"checksum", Keys{}}, {"mac", mustKeys(b, keyA)}} {
		enc, err := c.keys.Encode(typical)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.keys.Decode(enc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodeBare(b *testing.B) {
	k := mustKeys(b, keyA)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Decode("main_menu"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSensitive(b *testing.B) {
	k := mustKeys(b, keyA)
	s := typical
	s.Vars = []Var{{Name: "pin", Value: "1234", Sensitive: true}}
	enc, _ := k.Encode(s)
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := k.Encode(s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := k.Decode(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
}
