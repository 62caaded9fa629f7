package callstate

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"strings"
	"sync"
)

// MinKeyLen is the shortest state key, in bytes (128 bits).
const MinKeyLen = 16

// maxKeys bounds IVRCTL_STATE_KEY: a rotation needs two, a few more cover
// a slow one.
const maxKeys = 8

// Keys are the state keys of a server, newest first. The newest signs (and
// encrypts) every state Encode makes; Decode accepts any of them, so a key
// rotates across replicas without failing a call. The zero Keys has no key:
// states then carry a checksum, which detects cuts and corruption but not
// forgery, and sensitive values cannot be carried. Keys are safe for
// concurrent use.
type Keys struct {
	list []*key
}

// key is one state key with what is derived from it. The secret itself is
// not kept: each use has its own derived key (HKDF-SHA256 with a distinct
// info), so the MAC key and the encryption key are independent.
type key struct {
	id   byte
	aead cipher.AEAD
	// macKey is the HMAC-SHA256 key, for crypto/hmac. A hand-made HMAC
	// over a stack buffer decoded a state 0.09 µs faster
	// (BenchmarkDecode/mac: 560 against 650 ns), nothing against the 32 µs
	// a webhook costs, and crypto is not the place for hand-made code.
	macKey []byte
	// macs pools HMAC states keyed with macKey: making one costs two
	// SHA-256 states and their key schedule (about 500 bytes and half of
	// what signing costs), and every webhook with state checks one tag and
	// makes another.
	macs sync.Pool
}

// ParseKeys parses IVRCTL_STATE_KEY: keys separated by commas, newest
// first, at most 8, each the standard base64 (padding optional) of at least
// MinKeyLen random bytes, as `openssl rand -base64 32` prints. Spaces around a key are
// ignored. "" gives the zero Keys (no key) and no error. Base64 only, not hex
// as well: a hex string is also valid base64, so accepting both would make a
// key's meaning depend on a guess.
func ParseKeys(s string) (Keys, error) {
	if strings.TrimSpace(s) == "" {
		return Keys{}, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) > maxKeys {
		return Keys{}, fmt.Errorf("callstate: IVRCTL_STATE_KEY holds %d keys, at most %d", len(parts), maxKeys)
	}
	var k Keys
	for i, p := range parts {
		p = strings.TrimSpace(p)
		secret, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(p, "="))
		if err != nil {
			return Keys{}, fmt.Errorf("callstate: key %d of IVRCTL_STATE_KEY is not base64", i+1)
		}
		if len(secret) < MinKeyLen {
			return Keys{}, fmt.Errorf("callstate: key %d of IVRCTL_STATE_KEY is %d bytes, at least %d are needed", i+1, len(secret), MinKeyLen)
		}
		kk, err := newKey(secret)
		if err != nil {
			return Keys{}, fmt.Errorf("callstate: key %d of IVRCTL_STATE_KEY: %v", i+1, err)
		}
		k.list = append(k.list, kk)
	}
	return k, nil
}

// Len returns the number of keys.
func (k Keys) Len() int { return len(k.list) }

func newKey(secret []byte) (*key, error) {
	derive := func(info string, n int) ([]byte, error) {
		return hkdf.Key(sha256.New, secret, nil, "ivrctl callstate v1 "+info, n)
	}
	macKey, err := derive("mac", 32)
	if err != nil {
		return nil, err
	}
	encKey, err := derive("enc", 32)
	if err != nil {
		return nil, err
	}
	id, err := derive("id", 1)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	k := &key{id: id[0], aead: aead, macKey: macKey}
	k.macs.New = func() any { return &mac{h: hmac.New(sha256.New, k.macKey)} }
	return k, nil
}

// tag appends to b the MAC of data followed by node, truncated to TagSize.
func (k *key) tag(b, data []byte, node string) []byte {
	m := k.macs.Get().(*mac)
	m.h.Reset()
	// data and node are copied into the pooled buffer and written from
	// there: handed to the hash's Write, an interface method, they would
	// escape, and so would the caller's stack buffers.
	m.h.Write(append(append(m.buf[:0], data...), node...))
	b = append(b, m.h.Sum(m.sum[:0])[:TagSize]...)
	k.macs.Put(m)
	return b
}

// mac is a pooled HMAC state with room for what it hashes and its sum.
type mac struct {
	h   hash.Hash
	buf [maxBinary + MaxNodeLen]byte
	sum [sha256.Size]byte
}

// seal appends a random nonce and the encryption of value to b; the
// variable's name is bound as additional data.
func (k *key) seal(b []byte, name, value string) ([]byte, error) {
	// The buffer is declared here, not passed in, so that only a state
	// with a sensitive value pays for the AEAD interface's escape.
	var buf [nonceSize + MaxValueLen + gcmTagSize]byte
	nonce := buf[:nonceSize]
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	sealed := k.aead.Seal(nonce, nonce, []byte(value), []byte(name))
	return append(b, sealed...), nil
}

// open decrypts a sealed value.
func (k *key) open(name string, sealed []byte) (string, error) {
	if len(sealed) < sealOverhead {
		return "", ErrCorrupt
	}
	var buf [MaxValueLen]byte
	plain, err := k.aead.Open(buf[:0], sealed[:nonceSize], sealed[nonceSize:], []byte(name))
	if err != nil {
		return "", ErrForged
	}
	return string(plain), nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}
