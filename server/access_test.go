package server

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
)

// guard records what the access middleware refused.
type guard struct {
	mu      sync.Mutex
	reasons []string
}

func (g *guard) reject(w http.ResponseWriter, _ *http.Request, status int, reason string) {
	g.mu.Lock()
	g.reasons = append(g.reasons, reason)
	g.mu.Unlock()
	http.Error(w, reason, status)
}

func (g *guard) take() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	r := g.reasons
	g.reasons = nil
	return r
}

// serveGuarded serves "ok" behind a's middleware on ln, or on IPv4
// loopback when ln is nil.
func serveGuarded(t *testing.T, a Access, ln net.Listener) (*httptest.Server, *guard) {
	t.Helper()
	g := new(guard)
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok")
	})
	h := a.middleware(g.reject)(ok)
	var ts *httptest.Server
	if ln == nil {
		ts = httptest.NewServer(h)
	} else {
		ts = httptest.NewUnstartedServer(h)
		ts.Listener.Close()
		ts.Listener = ln
		ts.Start()
	}
	t.Cleanup(ts.Close)
	return ts, g
}

func mustPrefixes(t testing.TB, list string) []netip.Prefix {
	t.Helper()
	ps, err := ParsePrefixes(list)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// header builds request headers; each pair is one header line, so a name
// may repeat.
func header(pairs ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(pairs); i += 2 {
		h.Add(pairs[i], pairs[i+1])
	}
	return h
}

type accessCase struct {
	name          string
	access        Access
	header        http.Header
	wantStatus    int
	wantReason    string // "" when the request gets through
	wantChallenge string // WWW-Authenticate on a 401
}

func runAccessCases(t *testing.T, ln func(t *testing.T) net.Listener, cases []accessCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var l net.Listener
			if ln != nil {
				l = ln(t)
			}
			ts, g := serveGuarded(t, tc.access, l)
			req, err := http.NewRequest(http.MethodPost, ts.URL+"/webhooks/vca", strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			for k, vs := range tc.header {
				req.Header[k] = vs
			}
			resp, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			reasons := g.take()

			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status = %d, want %d (body %q)", resp.StatusCode, tc.wantStatus, body)
			}
			if tc.wantReason == "" {
				if len(reasons) != 0 || string(body) != "ok" {
					t.Errorf("refused (reasons %q, body %q), want through", reasons, body)
				}
			} else if !slices.Equal(reasons, []string{tc.wantReason}) {
				t.Errorf("reasons = %q, want [%q]", reasons, tc.wantReason)
			}
			if got := resp.Header.Get("WWW-Authenticate"); got != tc.wantChallenge {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tc.wantChallenge)
			}
			// Neither the configured nor the received value may leak.
			secrets := slices.Concat([]string{tc.access.AuthHeader}, tc.header.Values("Authorization"))
			for _, s := range secrets {
				if len(s) < 4 {
					continue
				}
				for _, r := range reasons {
					if strings.Contains(r, s) {
						t.Errorf("reason %q contains the Authorization value", r)
					}
				}
				for k, vs := range resp.Header {
					for _, v := range vs {
						if strings.Contains(v, s) {
							t.Errorf("response header %s: %q contains the Authorization value", k, v)
						}
					}
				}
			}
		})
	}
}

const basicAuth = "Basic aXZyY3RsOnMzY3JldA=="

func TestAccessMiddleware(t *testing.T) {
	const (
		notAllowed = "source address not allowed"
		wrong      = "wrong Authorization header"
		missing    = "missing Authorization header"
		// Every 401 has the same challenge, whatever scheme is
		// configured: a stranger learns nothing of it.
		anyRealm = `Bearer realm="ivrctl"`
	)
	auth := Access{AuthHeader: basicAuth}
	loopback := mustPrefixes(t, "127.0.0.1")
	tenNet := mustPrefixes(t, "10.0.0.0/8")
	// The peer is always 127.0.0.1; loopback is trusted only where said.
	behindProxy := Access{Allow: tenNet, TrustedProxies: loopback}
	behindChain := Access{Allow: tenNet, TrustedProxies: mustPrefixes(t, "127.0.0.1, 172.16.0.0/12")}

	runAccessCases(t, nil, []accessCase{
		{name: "no config", wantStatus: 200},
		{name: "no config ignores headers", header: header("Authorization", "Basic junk", "X-Forwarded-For", "bogus"), wantStatus: 200},
		{name: "trusted proxies alone check nothing", access: Access{TrustedProxies: loopback}, header: header("X-Forwarded-For", "bogus"), wantStatus: 200},

		{name: "auth missing", access: auth, wantStatus: 401, wantReason: missing, wantChallenge: anyRealm},
		{name: "auth empty", access: auth, header: header("Authorization", ""), wantStatus: 401, wantReason: missing, wantChallenge: anyRealm},
		{name: "auth wrong", access: auth, header: header("Authorization", "Basic d3Jvbmc6d3Jvbmc="), wantStatus: 401, wantReason: wrong, wantChallenge: anyRealm},
		{name: "auth right", access: auth, header: header("Authorization", basicAuth), wantStatus: 200},
		{name: "auth scheme in other case", access: auth, header: header("Authorization", "basic aXZyY3RsOnMzY3JldA=="), wantStatus: 401, wantReason: wrong, wantChallenge: anyRealm},
		{name: "auth prefix of the right value", access: auth, header: header("Authorization", basicAuth[:len(basicAuth)-2]), wantStatus: 401, wantReason: wrong, wantChallenge: anyRealm},
		{name: "auth right value and more", access: auth, header: header("Authorization", basicAuth+"x"), wantStatus: 401, wantReason: wrong, wantChallenge: anyRealm},
		{name: "auth credentials without scheme", access: auth, header: header("Authorization", "aXZyY3RsOnMzY3JldA=="), wantStatus: 401, wantReason: wrong, wantChallenge: anyRealm},
		{name: "auth sent twice", access: auth, header: header("Authorization", basicAuth, "Authorization", basicAuth), wantStatus: 401, wantReason: "several Authorization headers", wantChallenge: anyRealm},
		{name: "bearer config, same challenge", access: Access{AuthHeader: "Bearer tok3n"}, wantStatus: 401, wantReason: missing, wantChallenge: anyRealm},
		{name: "bare token config, same challenge", access: Access{AuthHeader: "s3cret-token"}, header: header("Authorization", "s3cret"), wantStatus: 401, wantReason: wrong, wantChallenge: anyRealm},
		{name: "unregistered first word is not echoed", access: Access{AuthHeader: "hunter2 hunter3"}, wantStatus: 401, wantReason: missing, wantChallenge: `Bearer realm="ivrctl"`},
		{name: "bare token right", access: Access{AuthHeader: "s3cret-token"}, header: header("Authorization", "s3cret-token"), wantStatus: 200},

		{name: "allowlist allows loopback", access: Access{Allow: loopback}, wantStatus: 200},
		{name: "allowlist refuses loopback", access: Access{Allow: tenNet}, wantStatus: 403, wantReason: notAllowed},
		{name: "8x8 preset refuses loopback", access: Access{Allow: VoiceWebhookIPs}, wantStatus: 403, wantReason: notAllowed},
		{name: "allowlist with IPv4-mapped prefix", access: Access{Allow: []netip.Prefix{netip.MustParsePrefix("::ffff:127.0.0.0/104")}}, wantStatus: 200},
		{name: "allowed source still needs auth", access: Access{Allow: loopback, AuthHeader: basicAuth}, header: header("Authorization", "Basic d3Jvbmc6d3Jvbmc="), wantStatus: 401, wantReason: wrong, wantChallenge: anyRealm},
		{name: "allowed source with auth", access: Access{Allow: loopback, AuthHeader: basicAuth}, header: header("Authorization", basicAuth), wantStatus: 200},
		{name: "source checked before auth", access: Access{Allow: tenNet, AuthHeader: basicAuth}, header: header("Authorization", basicAuth), wantStatus: 403, wantReason: notAllowed},

		{name: "XFF from untrusted peer ignored", access: Access{Allow: tenNet}, header: header("X-Forwarded-For", "10.1.2.3"), wantStatus: 403, wantReason: notAllowed},
		{name: "XFF from untrusted peer cannot refuse", access: Access{Allow: loopback}, header: header("X-Forwarded-For", "192.0.2.7"), wantStatus: 200},
		{name: "malformed XFF from untrusted peer ignored", access: Access{Allow: loopback}, header: header("X-Forwarded-For", "bogus"), wantStatus: 200},
		{name: "XFF from trusted peer allowed", access: behindProxy, header: header("X-Forwarded-For", "10.1.2.3"), wantStatus: 200},
		{name: "XFF from trusted peer refused", access: behindProxy, header: header("X-Forwarded-For", "192.0.2.7"), wantStatus: 403, wantReason: notAllowed},
		{name: "trusted peer without XFF is the source", access: behindProxy, wantStatus: 403, wantReason: notAllowed},
		{name: "XFF rightmost entry counts", access: behindProxy, header: header("X-Forwarded-For", "10.9.9.9, 192.0.2.7"), wantStatus: 403, wantReason: notAllowed},
		{name: "XFF spoofed left entry ignored", access: behindProxy, header: header("X-Forwarded-For", "192.0.2.7, 10.1.2.3"), wantStatus: 200},
		{name: "XFF chain skips trusted hops", access: behindChain, header: header("X-Forwarded-For", "10.1.2.3, 172.16.0.5, 172.20.1.1"), wantStatus: 200},
		{name: "XFF chain stops at first untrusted", access: behindChain, header: header("X-Forwarded-For", "10.9.9.9, 192.0.2.7, 172.16.0.5"), wantStatus: 403, wantReason: notAllowed},
		{name: "XFF hop untrusted by this config", access: behindProxy, header: header("X-Forwarded-For", "10.1.2.3, 172.16.0.5"), wantStatus: 403, wantReason: notAllowed},
		{name: "XFF all trusted takes leftmost", access: Access{Allow: mustPrefixes(t, "172.16.0.0/12"), TrustedProxies: mustPrefixes(t, "127.0.0.1, 172.16.0.0/12")}, header: header("X-Forwarded-For", "172.16.0.9, 172.16.0.5"), wantStatus: 200},
		{name: "XFF lines joined in order, allowed last", access: behindProxy, header: header("X-Forwarded-For", "192.0.2.7", "X-Forwarded-For", "10.1.2.3"), wantStatus: 200},
		{name: "XFF lines joined in order, refused last", access: behindProxy, header: header("X-Forwarded-For", "10.1.2.3", "X-Forwarded-For", "192.0.2.7"), wantStatus: 403, wantReason: notAllowed},
		{name: "XFF lines through a chain", access: behindChain, header: header("X-Forwarded-For", "192.0.2.7, 10.1.2.3", "X-Forwarded-For", "172.16.0.5"), wantStatus: 200},
		{name: "XFF malformed entry refused", access: behindProxy, header: header("X-Forwarded-For", "10.1.2.300"), wantStatus: 403, wantReason: "malformed X-Forwarded-For header"},
		{name: "XFF empty entry refused", access: behindProxy, header: header("X-Forwarded-For", "10.1.2.3,"), wantStatus: 403, wantReason: "malformed X-Forwarded-For header"},
		{name: "XFF malformed beyond the client ignored", access: behindProxy, header: header("X-Forwarded-For", "bogus, 10.1.2.3"), wantStatus: 200},
		{name: "XFF with port", access: behindProxy, header: header("X-Forwarded-For", "10.1.2.3:5060"), wantStatus: 200},
		{name: "XFF believed, then auth", access: Access{Allow: tenNet, TrustedProxies: loopback, AuthHeader: basicAuth}, header: header("X-Forwarded-For", "10.1.2.3"), wantStatus: 401, wantReason: missing, wantChallenge: anyRealm},
	})
}

func TestAccessMiddlewareIPv6(t *testing.T) {
	probe, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("this machine has no IPv6 loopback: %v", err)
	}
	probe.Close()
	listen := func(t *testing.T) net.Listener {
		ln, err := net.Listen("tcp6", "[::1]:0")
		if err != nil {
			t.Fatal(err)
		}
		return ln
	}
	docNet := mustPrefixes(t, "2001:db8::/32")
	runAccessCases(t, listen, []accessCase{
		{name: "allowlist allows ::1", access: Access{Allow: mustPrefixes(t, "::1")}, wantStatus: 200},
		{name: "IPv4 loopback does not match ::1", access: Access{Allow: mustPrefixes(t, "127.0.0.0/8")}, wantStatus: 403, wantReason: "source address not allowed"},
		{name: "allowlist refuses ::1", access: Access{Allow: docNet}, wantStatus: 403, wantReason: "source address not allowed"},
		{name: "XFF from untrusted IPv6 peer ignored", access: Access{Allow: docNet}, header: header("X-Forwarded-For", "2001:db8::5"), wantStatus: 403, wantReason: "source address not allowed"},
		{name: "XFF from trusted IPv6 peer", access: Access{Allow: docNet, TrustedProxies: mustPrefixes(t, "::1")}, header: header("X-Forwarded-For", "2001:db8::5"), wantStatus: 200},
		{name: "XFF IPv4 client behind IPv6 proxy", access: Access{Allow: mustPrefixes(t, "10.0.0.0/8"), TrustedProxies: mustPrefixes(t, "::1")}, header: header("X-Forwarded-For", "::ffff:10.1.2.3"), wantStatus: 200},
	})
}

// TestAccessWritesNothing checks that the middleware leaves the answer to
// reject, apart from the challenge of a 401.
func TestAccessWritesNothing(t *testing.T) {
	for _, a := range []Access{
		{Allow: mustPrefixes(t, "10.0.0.0/8")},
		{AuthHeader: basicAuth},
	} {
		called := 0
		h := a.middleware(func(http.ResponseWriter, *http.Request, int, string) { called++ })(
			http.HandlerFunc(func(http.ResponseWriter, *http.Request) { t.Error("handler reached") }))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/webhooks/vca", nil))
		if called != 1 {
			t.Errorf("%+v: reject called %d times, want 1", a, called)
		}
		if w.Body.Len() != 0 || w.Code != 200 {
			t.Errorf("%+v: middleware wrote %d %q", a, w.Code, w.Body)
		}
		delete(w.Header(), "Www-Authenticate")
		if len(w.Header()) != 0 {
			t.Errorf("%+v: middleware set headers %v", a, w.Header())
		}
	}
}

// TestAccessCopiesConfig checks that changing the slices after building
// the middleware changes nothing.
func TestAccessCopiesConfig(t *testing.T) {
	allow := mustPrefixes(t, "10.0.0.0/8")
	rejected := 0
	mw := Access{Allow: allow}.middleware(func(http.ResponseWriter, *http.Request, int, string) { rejected++ })
	allow[0] = netip.MustParsePrefix("192.0.2.0/24")
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	req.RemoteAddr = "192.0.2.1:5060"
	mw(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), req)
	if rejected != 1 {
		t.Errorf("rejected %d times, want 1", rejected)
	}
}

func TestClientIP(t *testing.T) {
	trusted := mustPrefixes(t, "192.0.2.0/24, 2001:db8:1::/48")
	tests := []struct {
		name    string
		remote  string
		xff     []string // one element per header line
		want    string
		wantErr bool
	}{
		{name: "untrusted peer", remote: "198.51.100.1:4000", want: "198.51.100.1"},
		{name: "untrusted peer ignores XFF", remote: "198.51.100.1:4000", xff: []string{"10.1.2.3"}, want: "198.51.100.1"},
		{name: "untrusted peer ignores malformed XFF", remote: "198.51.100.1:4000", xff: []string{"bogus"}, want: "198.51.100.1"},
		{name: "trusted peer without XFF", remote: "192.0.2.10:4000", want: "192.0.2.10"},
		{name: "trusted peer with XFF", remote: "192.0.2.10:4000", xff: []string{"10.1.2.3"}, want: "10.1.2.3"},
		{name: "rightmost untrusted wins", remote: "192.0.2.10:4000", xff: []string{"10.9.9.9, 10.1.2.3"}, want: "10.1.2.3"},
		{name: "trusted hops skipped", remote: "192.0.2.10:4000", xff: []string{"10.9.9.9, 10.1.2.3, 192.0.2.20,192.0.2.30"}, want: "10.1.2.3"},
		{name: "all trusted gives leftmost", remote: "192.0.2.10:4000", xff: []string{"192.0.2.40, 192.0.2.20"}, want: "192.0.2.40"},
		{name: "lines joined in order", remote: "192.0.2.10:4000", xff: []string{"10.9.9.9", "10.1.2.3, 192.0.2.20"}, want: "10.1.2.3"},
		{name: "walk crosses lines", remote: "192.0.2.10:4000", xff: []string{"10.9.9.9, 10.1.2.3", "192.0.2.20", "192.0.2.30"}, want: "10.1.2.3"},
		{name: "tabs and spaces", remote: "192.0.2.10:4000", xff: []string{" \t10.1.2.3 \t"}, want: "10.1.2.3"},
		{name: "entry with port", remote: "192.0.2.10:4000", xff: []string{"10.1.2.3:5060"}, want: "10.1.2.3"},
		{name: "IPv6 entry with port", remote: "192.0.2.10:4000", xff: []string{"[2001:db8:2::7]:5060"}, want: "2001:db8:2::7"},
		{name: "mapped entry unmapped", remote: "192.0.2.10:4000", xff: []string{"::ffff:10.1.2.3"}, want: "10.1.2.3"},
		{name: "IPv6 trusted peer", remote: "[2001:db8:1::1]:4000", xff: []string{"2001:db8:2::7"}, want: "2001:db8:2::7"},
		{name: "mapped peer unmapped", remote: "[::ffff:192.0.2.10]:4000", xff: []string{"10.1.2.3"}, want: "10.1.2.3"},
		{name: "zoned peer", remote: "[fe80::1%eth0]:4000", want: "fe80::1"},
		{name: "peer without port", remote: "198.51.100.1", want: "198.51.100.1"},
		{name: "malformed peer", remote: "@", wantErr: true},
		{name: "malformed entry", remote: "192.0.2.10:4000", xff: []string{"10.1.2.300"}, wantErr: true},
		{name: "malformed entry behind trusted hop", remote: "192.0.2.10:4000", xff: []string{"unknown, 192.0.2.20"}, wantErr: true},
		{name: "malformed entry beyond the client ignored", remote: "192.0.2.10:4000", xff: []string{"unknown, 10.1.2.3"}, want: "10.1.2.3"},
		{name: "empty entry", remote: "192.0.2.10:4000", xff: []string{"10.1.2.3,,192.0.2.20"}, wantErr: true},
		{name: "empty line", remote: "192.0.2.10:4000", xff: []string{""}, wantErr: true},
		{name: "zoned entry", remote: "192.0.2.10:4000", xff: []string{"fe80::1%eth0"}, wantErr: true},
	}
	a := Access{TrustedProxies: trusted}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/webhooks/vca", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			got, err := a.clientIP(r)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("clientIP = %v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tc.want {
				t.Errorf("clientIP = %v, want %s", got, tc.want)
			}
		})
	}
}

func TestParsePrefixes(t *testing.T) {
	voice := "18.140.80.2/32 52.220.253.234/32 54.255.116.8/32 52.74.232.241/32"
	tests := []struct {
		list    string
		want    string // prefixes joined by spaces
		wantErr string // a part of the error
	}{
		{list: "", want: ""},
		{list: "   ", want: ""},
		{list: "8x8", want: voice},
		{list: " 8X8 ", want: voice},
		{list: "8x8, 8x8, 18.140.80.2", want: voice},
		{list: "10.0.0.0/8,8x8, 192.0.2.7", want: "10.0.0.0/8 " + voice + " 192.0.2.7/32"},
		{list: " 10.0.0.0/8 ,  192.0.2.7 ", want: "10.0.0.0/8 192.0.2.7/32"},
		{list: "10.1.2.3/8", want: "10.0.0.0/8"},
		{list: "10.0.0.0/8, 10.9.9.9/8", want: "10.0.0.0/8"},
		{list: "2001:db8::1, 2001:db8::/32, 2001:DB8::1", want: "2001:db8::1/128 2001:db8::/32"},
		{list: "::ffff:192.0.2.7", want: "192.0.2.7/32"},
		{list: "::ffff:10.0.0.0/104", want: "10.0.0.0/8"},
		{list: "::1", want: "::1/128"},
		{list: "0.0.0.0/0, ::/0", want: "0.0.0.0/0 ::/0"},

		{list: "10.0.0.300", wantErr: `bad address "10.0.0.300" in "10.0.0.300"`},
		{list: "8x8, 10.0.0.300", wantErr: `bad address "10.0.0.300" in "8x8, 10.0.0.300"`},
		{list: "10.0.0.0/33", wantErr: `bad prefix "10.0.0.0/33"`},
		{list: "10.0.0.0/", wantErr: `bad prefix "10.0.0.0/"`},
		{list: "example.com", wantErr: `bad address "example.com"`},
		{list: "8x9", wantErr: `bad address "8x9"`},
		{list: "fe80::1%eth0", wantErr: `bad address "fe80::1%eth0"`},
		{list: "10.0.0.1 10.0.0.2", wantErr: `bad address "10.0.0.1 10.0.0.2"`},
		{list: "10.0.0.1,", wantErr: `empty item in "10.0.0.1,"`},
		{list: "10.0.0.1,,10.0.0.2", wantErr: "empty item"},
	}
	for _, tc := range tests {
		got, err := ParsePrefixes(tc.list)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParsePrefixes(%q) = %v, %v; want error containing %s", tc.list, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParsePrefixes(%q): %v", tc.list, err)
			continue
		}
		var s []string
		for _, p := range got {
			s = append(s, p.String())
		}
		if strings.Join(s, " ") != tc.want {
			t.Errorf("ParsePrefixes(%q) = %q, want %q", tc.list, strings.Join(s, " "), tc.want)
		}
		if tc.want == "" && got != nil {
			t.Errorf("ParsePrefixes(%q) = %#v, want nil", tc.list, got)
		}
	}
}

// TestParsePrefixesCopiesPreset checks that the result does not share
// VoiceWebhookIPs' backing array.
func TestParsePrefixesCopiesPreset(t *testing.T) {
	got := mustPrefixes(t, "8x8")
	got[0] = netip.MustParsePrefix("0.0.0.0/0")
	if VoiceWebhookIPs[0] != netip.MustParsePrefix("18.140.80.2/32") {
		t.Fatalf("ParsePrefixes shares VoiceWebhookIPs: %v", VoiceWebhookIPs)
	}
}
