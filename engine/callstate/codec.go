package callstate

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"unsafe"
)

// b64 is strict: a last character with unused bits set is another spelling
// of the same bytes, which Decode refuses rather than accept two forms.
var b64 = base64.RawURLEncoding.Strict()

// Encode returns the clientActionId that carries s: the bare node ID when s
// holds nothing else, otherwise the node ID, ".", and the signed binary
// form. It fails with ErrInvalid for a State outside its bounds and with
// ErrNoKey for a sensitive value without keys.
func (k Keys) Encode(s State) (string, error) {
	if s.bare() {
		if !idOK(s.Node, MaxNodeLen) {
			return "", s.check()
		}
		return s.Node, nil
	}
	var buf [256]byte
	b, err := k.AppendEncode(buf[:0], s)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// AppendEncode appends the clientActionId that carries s to dst, as Encode,
// for a caller that writes it straight into an answer.
func (k Keys) AppendEncode(dst []byte, s State) ([]byte, error) {
	if err := s.check(); err != nil {
		return dst, err
	}
	if s.bare() {
		return append(dst, s.Node...), nil
	}
	var kk *key
	var hdr = [2]byte{version, 0}
	if len(k.list) > 0 {
		kk = k.list[0]
		hdr = [2]byte{version | flagKeyed, kk.id}
	}
	// bin is header, keyid, bodylen and body, then the tag.
	var buf [512]byte
	bin := append(buf[:0], hdr[:]...)
	bin = binary.AppendUvarint(bin, uint64(s.bodyLen()))
	bin, err := appendBody(bin, &s, kk)
	if err != nil {
		return dst, err
	}
	bin = appendTag(bin, kk, bin, s.Node)
	dst = append(dst, s.Node...)
	dst = append(dst, sep)
	return b64.AppendEncode(dst, bin), nil
}

// appendTag appends to b the tag of data followed by the node ID: the HMAC
// with kk, or a SHA-256 checksum without a key. The node comes last because
// the body's length is explicit, so the two cannot be shifted into each
// other.
func appendTag(b []byte, kk *key, data []byte, node string) []byte {
	if kk != nil {
		return kk.tag(b, data, node)
	}
	// data is at most maxBinary bytes, so the checksum's input fits on the
	// stack and needs no hash object.
	var m [maxBinary + MaxNodeLen]byte
	n := copy(m[:], data)
	n += copy(m[n:], node)
	sum := sha256.Sum256(m[:n])
	return append(b, sum[:TagSize]...)
}

// Decode opens a clientActionId made by Encode. A bare node ID decodes to
// State{Node: id} without allocating. Any other form must carry a valid tag
// (see the package comment); the error says why one is refused.
func (k Keys) Decode(id string) (State, error) {
	if len(id) > MaxLen {
		return State{}, ErrTooLarge
	}
	i := strings.IndexByte(id, sep)
	if i < 0 {
		if !idOK(id, MaxNodeLen) {
			return State{}, ErrCorrupt
		}
		return State{Node: id}, nil
	}
	node, enc := id[:i], id[i+1:]
	if !idOK(node, MaxNodeLen) {
		return State{}, ErrCorrupt
	}
	// A base64 length of 4n+1 is never produced: the last character was
	// cut off, or one was added. Decode what is whole first, so a cut is
	// reported as such by the length check below.
	whole := enc
	if len(enc)%4 == 1 {
		whole = enc[:len(enc)-1]
	}
	// Not yet strict about the last character's unused bits: a cut state
	// is reported as cut, below, before another spelling as corrupt.
	// Decoded onto the stack: whole is at most MaxLen characters, so it
	// decodes to at most maxBinary bytes. The decoder only reads the
	// string's bytes, so it is viewed as a slice rather than copied.
	var buf [maxBinary]byte
	n, err := base64.RawURLEncoding.Decode(buf[:], unsafe.Slice(unsafe.StringData(whole), len(whole)))
	if err != nil {
		return State{}, ErrCorrupt
	}
	bin := buf[:n]
	if len(bin) < 2 {
		return State{}, ErrTruncated
	}
	if bin[0]&^flagKeyed != version {
		return State{}, ErrVersion
	}
	bodyLen, w := binary.Uvarint(bin[2:])
	switch {
	case w == 0:
		return State{}, ErrTruncated
	case w < 0 || bodyLen > maxBinary:
		return State{}, ErrCorrupt
	}
	start := 2 + w
	end := start + int(bodyLen)
	switch {
	case len(bin) < end+TagSize:
		return State{}, ErrTruncated
	case len(bin) > end+TagSize, len(whole) != len(enc), !canonical(enc):
		return State{}, ErrCorrupt
	}
	kk, err := k.verify(bin[:end], bin[end:], node)
	if err != nil {
		return State{}, err
	}
	s, err := parseBody(bin[start:end], kk)
	s.Node = node
	return s, err
}

// canonical reports whether the unused low bits of enc's last character
// are zero, as Encode writes them.
func canonical(enc string) bool {
	_, err := b64.DecodeString(enc[len(enc)&^3:])
	return err == nil
}

// verify checks the tag of data and node, and returns the key that made it
// (nil for a checksum).
func (k Keys) verify(data, tag []byte, node string) (*key, error) {
	var sum [TagSize]byte
	if data[0]&flagKeyed == 0 {
		if len(k.list) > 0 {
			// Anyone can compute a checksum: a server with keys takes
			// only signed states.
			return nil, ErrForged
		}
		if subtle.ConstantTimeCompare(appendTag(sum[:0], nil, data, node), tag) != 1 {
			return nil, ErrCorrupt
		}
		return nil, nil
	}
	known := false
	for _, kk := range k.list {
		if kk.id != data[1] {
			continue
		}
		known = true
		if hmacEqual(appendTag(sum[:0], kk, data, node), tag) {
			return kk, nil
		}
	}
	if !known {
		return nil, ErrUnknownKey
	}
	return nil, ErrForged
}

func hmacEqual(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

// parseBody reads a body whose tag is valid. It still checks every count
// and length against its bound and against the bytes left, since without a
// key anyone can make a valid checksum.
func parseBody(body []byte, kk *key) (State, error) {
	var s State
	if len(body) < 2 {
		return s, ErrCorrupt
	}
	s.NoInput, s.Invalid = body[0], body[1]
	// One string for the whole body: every name, tag and value below is a
	// substring of it, so decoding costs one allocation plus the slices.
	str := string(body)
	r := reader{s: str, off: 2}
	var ok bool
	if s.Lang, ok = r.str(MaxLangLen); !ok || !langOK(s.Lang) {
		return State{}, r.err(ErrCorrupt)
	}
	nb, ok := r.count(MaxBack)
	if !ok {
		return State{}, r.err(ErrCorrupt)
	}
	if nb > 0 {
		s.Back = make([]string, nb)
		for i := range s.Back {
			if s.Back[i], ok = r.str(MaxNodeLen); !ok || !idOK(s.Back[i], MaxNodeLen) {
				return State{}, r.err(ErrCorrupt)
			}
		}
	}
	nv, ok := r.count(MaxVars)
	if !ok {
		return State{}, r.err(ErrCorrupt)
	}
	if nv > 0 {
		s.Vars = make([]Var, nv)
		for i := range s.Vars {
			v := &s.Vars[i]
			flags, ok := r.byte()
			if !ok || flags > 1 {
				return State{}, r.err(ErrCorrupt)
			}
			v.Sensitive = flags == 1
			if v.Name, ok = r.str(MaxVarNameLen); !ok || !idOK(v.Name, MaxVarNameLen) {
				return State{}, r.err(ErrCorrupt)
			}
			if !v.Sensitive {
				if v.Value, ok = r.str(MaxValueLen); !ok {
					return State{}, r.err(ErrCorrupt)
				}
				continue
			}
			sealed, ok := r.str(MaxValueLen + sealOverhead)
			if !ok {
				return State{}, r.err(ErrCorrupt)
			}
			if kk == nil || len(sealed) < sealOverhead {
				// A sensitive value in a checksummed state was not made
				// by Encode.
				return State{}, ErrCorrupt
			}
			var err error
			if v.Value, err = kk.open(v.Name, []byte(sealed)); err != nil {
				return State{}, err
			}
		}
	}
	if r.off != len(str) {
		return State{}, ErrCorrupt
	}
	return s, nil
}

// reader reads uvarint-prefixed fields, checking each length against its
// bound and against what is left before using it.
type reader struct {
	s        string
	off      int
	tooLarge bool
}

func (r *reader) err(def error) error {
	if r.tooLarge {
		return ErrTooLarge
	}
	return def
}

func (r *reader) byte() (byte, bool) {
	if r.off >= len(r.s) {
		return 0, false
	}
	r.off++
	return r.s[r.off-1], true
}

// count reads a uvarint no greater than max (nor than the bytes left, each
// item taking at least one).
func (r *reader) count(max int) (int, bool) {
	var v uint64
	var shift uint
	for i := 0; ; i++ {
		c, ok := r.byte()
		if !ok || i == binary.MaxVarintLen64 {
			return 0, false
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			break
		}
		shift += 7
	}
	if v > uint64(max) {
		r.tooLarge = true
		return 0, false
	}
	if v > uint64(len(r.s)-r.off) {
		return 0, false
	}
	return int(v), true
}

// str reads a length-prefixed string of at most max bytes.
func (r *reader) str(max int) (string, bool) {
	n, ok := r.count(max)
	if !ok {
		return "", false
	}
	r.off += n
	return r.s[r.off-n : r.off], true
}
