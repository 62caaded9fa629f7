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
	macs sync.Pool // of hash.Hash: HMAC-SHA256 keyed, so Encode and Decode do not allocate one each
}

// ParseKeys parses IVRCTL_STATE_KEY: keys separated by commas, newest
// first, each the standard base64 (padding optional) of at least MinKeyLen
// random bytes, as `openssl rand -base64 32` prints. Spaces around a key are
// ignored. "" gives the zero Keys (no key) and no error. Base64 only, not hex
// as well: a hex string is also valid base64, so accepting both would make a
// key's meaning depend on a guess.
func ParseKeys(s string) (Keys, error) {
	if strings.TrimSpace(s) == "" {
		return Keys{}, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) > maxKeys {
		return Keys{}, fmt.Errorf("IVRCTL_STATE_KEY: %d keys, at most %d", len(parts), maxKeys)
	}
	var k Keys
	for i, p := range parts {
		p = strings.TrimSpace(p)
		secret, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(p, "="))
		if err != nil {
			return Keys{}, fmt.Errorf("IVRCTL_STATE_KEY: key %d is not base64", i+1)
		}
		if len(secret) < MinKeyLen {
			return Keys{}, fmt.Errorf("IVRCTL_STATE_KEY: key %d is %d bytes, at least %d are needed", i+1, len(secret), MinKeyLen)
		}
		kk, err := newKey(secret)
		if err != nil {
			return Keys{}, fmt.Errorf("IVRCTL_STATE_KEY: key %d: %v", i+1, err)
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
	kk := &key{id: id[0], aead: aead}
	kk.macs.New = func() any { return hmac.New(sha256.New, macKey) }
	return kk, nil
}

// tag appends the MAC of data to b.
func (k *key) tag(b []byte, data ...[]byte) []byte {
	h := k.macs.Get().(hash.Hash)
	h.Reset()
	for _, d := range data {
		h.Write(d)
	}
	var sum [sha256.Size]byte
	out := h.Sum(sum[:0])
	k.macs.Put(h)
	return append(b, out[:TagSize]...)
}

// seal appends a random nonce and the encryption of value to b; the
// variable's name is bound as additional data.
func (k *key) seal(b []byte, name, value string) ([]byte, error) {
	var nonce [nonceSize]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, err
	}
	b = append(b, nonce[:]...)
	return k.aead.Seal(b, nonce[:], []byte(value), []byte(name)), nil
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
