package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// Access says who may call the webhooks: the Authorization value 8x8 was
// told to send and the addresses requests may come from.
//
// # Trust model
//
// The source of a request is the TCP peer. X-Forwarded-For is written by
// whoever sent the request, so it is believed only when the peer is one of
// TrustedProxies, and then only as far as the chain of trusted proxies
// reaches: the list is read right to left (each proxy appends the address
// it saw), trusted proxies are skipped, and the first address that is not a
// trusted proxy is the client. Whatever lies left of it was written by the
// client and is ignored, so a forged entry there cannot pass the allowlist.
// A malformed entry met on the way is refused rather than guessed around.
// From any other peer the header is ignored entirely.
//
// The address check comes first so that a request from a source that is
// not allowed learns nothing about the Authorization check. The
// Authorization value is compared in constant time and without revealing
// its length, and neither the configured nor the received value ever
// appears in a reason, an error or a log.
type Access struct {
	// AuthHeader is the exact Authorization value 8x8 sends: the
	// httpAuthHeader given when the webhook was registered, for example
	// "Basic dXNlcjpwYXNzd29yZA==". Requests must carry it byte for byte,
	// scheme included. "" means no check.
	AuthHeader string
	// Allow lists the source addresses that may call the webhooks, for
	// example VoiceWebhookIPs. Nil or empty means any source.
	Allow []netip.Prefix
	// TrustedProxies lists the peers whose X-Forwarded-For is believed:
	// the load balancers or reverse proxies in front of ivrctl serve. It
	// matters only when Allow is set.
	TrustedProxies []netip.Prefix
}

// VoiceWebhookIPs are the addresses 8x8 sends Voice webhooks (VCA, VSS,
// VCS, VRU, VNU) from, all in Asia Pacific (Singapore), per the 8x8
// developer docs page "Voice IP addresses" (list updated January 1st,
// 2026). 8x8's messaging webhook addresses are a different list and do not
// apply to voice. ParsePrefixes expands the word "8x8" to these.
var VoiceWebhookIPs = []netip.Prefix{
	netip.MustParsePrefix("18.140.80.2/32"),
	netip.MustParsePrefix("52.220.253.234/32"),
	netip.MustParsePrefix("54.255.116.8/32"),
	netip.MustParsePrefix("52.74.232.241/32"),
}

// ParsePrefixes parses a comma-separated list of IP addresses and CIDR
// prefixes, as given on the command line: "8x8, 10.0.0.0/8, 2001:db8::1".
// The word 8x8 stands for VoiceWebhookIPs; an address stands for itself
// (a /32 or /128). Prefixes are masked, IPv4-mapped IPv6 ones are turned
// into IPv4 (peers are compared unmapped), and duplicates are dropped,
// keeping the first. An empty list gives nil.
func ParsePrefixes(list string) ([]netip.Prefix, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	var out []netip.Prefix
	seen := make(map[netip.Prefix]bool)
	add := func(p netip.Prefix) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for item := range strings.SplitSeq(list, ",") {
		item = strings.TrimSpace(item)
		switch {
		case item == "":
			return nil, fmt.Errorf("empty item in %q", list)
		case strings.EqualFold(item, "8x8"):
			for _, p := range VoiceWebhookIPs {
				add(normalizePrefix(p))
			}
		case strings.Contains(item, "/"):
			p, err := netip.ParsePrefix(item)
			if err != nil {
				return nil, fmt.Errorf("bad prefix %q in %q: %w", item, list, err)
			}
			add(normalizePrefix(p))
		default:
			addr, err := netip.ParseAddr(item)
			if err != nil {
				return nil, fmt.Errorf("bad address %q in %q: %w", item, list, err)
			}
			if addr.Zone() != "" {
				return nil, fmt.Errorf("bad address %q in %q: zones are not allowed", item, list)
			}
			addr = addr.Unmap()
			add(netip.PrefixFrom(addr, addr.BitLen()))
		}
	}
	return out, nil
}

// normalizePrefix masks p and turns an IPv4-mapped IPv6 prefix into the
// IPv4 one, since peers are compared unmapped. An invalid prefix is
// returned as it is: it matches nothing.
func normalizePrefix(p netip.Prefix) netip.Prefix {
	if !p.IsValid() {
		return p
	}
	p = p.Masked()
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p
}

func normalizePrefixes(ps []netip.Prefix) []netip.Prefix {
	if len(ps) == 0 {
		return nil
	}
	out := make([]netip.Prefix, len(ps))
	for i, p := range ps {
		out[i] = normalizePrefix(p)
	}
	return out
}

func containsAddr(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP returns the address the request comes from, as described under
// "Trust model" on Access. It fails when the peer address cannot be parsed
// (a Unix socket, say) or when the walk meets a malformed X-Forwarded-For
// entry.
func (a Access) clientIP(r *http.Request) (netip.Addr, error) {
	peer, err := parsePeer(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, err
	}
	if !containsAddr(a.TrustedProxies, peer) {
		return peer, nil
	}
	// Several header lines are one list joined in order, so the last entry
	// of the last line is the one the peer wrote. Walk it right to left
	// without joining or splitting.
	lines := r.Header.Values("X-Forwarded-For")
	client := peer
	for i := len(lines) - 1; i >= 0; i-- {
		rest := lines[i]
		for {
			j := strings.LastIndexByte(rest, ',')
			entry := strings.Trim(rest[j+1:], " \t")
			addr, ok := parseForwarded(entry)
			if !ok {
				return netip.Addr{}, fmt.Errorf("%w %q", errBadForwarded, entry)
			}
			if !containsAddr(a.TrustedProxies, addr) {
				return addr, nil
			}
			client = addr
			if j < 0 {
				break
			}
			rest = rest[:j]
		}
	}
	// Every hop is a trusted proxy: the leftmost is as far as we can see.
	return client, nil
}

// errBadForwarded marks a malformed X-Forwarded-For entry.
var errBadForwarded = errors.New("bad X-Forwarded-For entry")

// parsePeer parses http.Request.RemoteAddr, which net/http sets to
// host:port; a bare address is accepted too.
func parsePeer(remote string) (netip.Addr, error) {
	if ap, err := netip.ParseAddrPort(remote); err == nil {
		return ap.Addr().Unmap().WithZone(""), nil
	}
	if addr, err := netip.ParseAddr(remote); err == nil {
		return addr.Unmap().WithZone(""), nil
	}
	return netip.Addr{}, fmt.Errorf("bad peer address %q", remote)
}

// parseForwarded parses one X-Forwarded-For entry: an address, or an
// address and port as some proxies write it.
func parseForwarded(s string) (netip.Addr, bool) {
	if addr, err := netip.ParseAddr(s); err == nil && addr.Zone() == "" {
		return addr.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil && ap.Addr().Zone() == "" {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

// challenge is the WWW-Authenticate value of every 401, which RFC 9110
// (11.6.1) asks for. It is the same whatever Authorization value is
// configured, so that a stranger learns nothing of it, not even its
// scheme.
const challenge = `Bearer realm="ivrctl"`

var challengeHeader = []string{challenge}

// middleware returns a middleware that lets through only the requests a
// allows. A refused request goes to reject, which writes the answer and
// logs it; the middleware itself writes nothing but the WWW-Authenticate
// header of a 401. a is copied, so later changes to its slices have no
// effect.
func (a Access) middleware(reject func(w http.ResponseWriter, r *http.Request, status int, reason string)) func(http.Handler) http.Handler {
	checkSource := len(a.Allow) > 0
	checkAuth := a.AuthHeader != ""
	if !checkSource && !checkAuth {
		return func(next http.Handler) http.Handler { return next }
	}
	g := Access{
		Allow:          normalizePrefixes(a.Allow),
		TrustedProxies: normalizePrefixes(a.TrustedProxies),
	}
	// Comparing digests takes the same time whatever the received value
	// and reveals neither the bytes nor the length of the configured one.
	want := sha256.Sum256([]byte(a.AuthHeader))
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if checkSource {
				ip, err := g.clientIP(r)
				if err != nil {
					reason := "unknown source address"
					if errors.Is(err, errBadForwarded) {
						reason = "malformed X-Forwarded-For header"
					}
					reject(w, r, http.StatusForbidden, reason)
					return
				}
				if !containsAddr(g.Allow, ip) {
					reject(w, r, http.StatusForbidden, "source address not allowed")
					return
				}
			}
			if checkAuth {
				got := r.Header.Values("Authorization")
				reason := ""
				switch {
				case len(got) == 0 || len(got) == 1 && got[0] == "":
					reason = "missing Authorization header"
				case len(got) > 1:
					reason = "several Authorization headers"
				default:
					have := sha256.Sum256([]byte(got[0]))
					if subtle.ConstantTimeCompare(have[:], want[:]) != 1 {
						reason = "wrong Authorization header"
					}
				}
				if reason != "" {
					w.Header()["Www-Authenticate"] = challengeHeader
					reject(w, r, http.StatusUnauthorized, reason)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}
