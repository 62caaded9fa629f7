package callstate

import (
	"bytes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"testing"
)

// TestTagIsHMAC checks the tag against HMAC-SHA256 computed here, with the
// key derived as the package comment says.
func TestTagIsHMAC(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	k := mustKeys(t, keyA).list[0]
	macKey, err := hkdf.Key(sha256.New, secret, nil, "ivrctl callstate v1 mac", 32)
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte{7}, 200), bytes.Repeat([]byte{9}, maxBinary)} {
		for _, node := range []string{"", "main_menu", string(bytes.Repeat([]byte("n"), MaxNodeLen))} {
			h := hmac.New(sha256.New, macKey)
			h.Write(data)
			h.Write([]byte(node))
			want := h.Sum(nil)[:TagSize]
			if got := k.tag(nil, data, node); !bytes.Equal(got, want) {
				t.Errorf("tag(%d bytes, %q) = %x, HMAC-SHA256 %x", len(data), node, got, want)
			}
		}
	}
}
