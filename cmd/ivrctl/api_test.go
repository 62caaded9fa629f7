package main

// End-to-end tests of the commands that talk to 8x8 (call, webhooks,
// voices) and of lint --voices, through run() against the fake 8x8 of
// voiceapitest on loopback.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/callflows/voiceapi"
	"github.com/ivrctl/ivrctl/callflows/voiceapi/voiceapitest"
)

const (
	testAPIKey     = "test-key-SECRET-1234567890"
	testSubAccount = "acct_test"
	// testHookAuth is the secret 8x8 is to send with webhooks.
	testHookAuth = "Basic abc"

	callflowsPath = "/api/v1/subaccounts/acct_test/callflows"
	webhooksPath  = "/api/v1/subaccounts/acct_test/webhooks"
	profilesPath  = "/api/v1/subaccounts/acct_test/speech-profiles"

	testTo = "+6591234567"
	// restaurantNumber is flows/restaurant.yaml's number when
	// IVR_VIRTUAL_NUMBER is not set.
	restaurantNumber = "+6568888888"

	vcaURL = "https://ivr.example.com/webhooks/vca"
	vssURL = "https://ivr.example.com/webhooks/vss"
)

// uuidRE matches the IDs 8x8 gives sessions and errors.
var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// newFake8x8 starts a fake 8x8 that accepts testAPIKey for testSubAccount,
// points the environment at it and makes the client's retries fast.
func newFake8x8(t *testing.T) *voiceapitest.Server {
	t.Helper()
	old := retryPolicy
	retryPolicy = voiceapi.RetryPolicy{MaxAttempts: 4, BaseBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}
	t.Cleanup(func() { retryPolicy = old })
	t.Setenv(envAPIKey, testAPIKey)
	t.Setenv(envSubAccount, testSubAccount)
	t.Setenv(envWebhookAuth, "")
	// flows/restaurant.yaml takes its numbers from these, with defaults
	// for unset or empty.
	t.Setenv("IVR_VIRTUAL_NUMBER", "")
	t.Setenv("IVR_FRONT_DESK", "")
	return voiceapitest.NewServer(t, testAPIKey, testSubAccount)
}

// runAPI runs ivrctl with args and --api-base pointing at srv, and checks
// that no secret leaked.
func runAPI(t *testing.T, srv *voiceapitest.Server, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runAPIRaw(t, srv, slices.Concat(args, []string{"--api-base", srv.URL})...)
}

// runAPIRaw runs ivrctl with args as they are, and checks that no secret
// leaked: the API key and webhook secrets show neither on stdout nor on
// stderr, and the key reached srv only in the Authorization header.
func runAPIRaw(t *testing.T, srv *voiceapitest.Server, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	code, stdout, stderr = runCLI(t, args...)
	checkNoSecrets(t, srv, stdout, stderr)
	return code, stdout, stderr
}

// callflowRequestID matches the random callflow request ID the fake puts in
// a refusal.
var callflowRequestID = regexp.MustCompile(`\(callflow request id [0-9a-f-]{36}\)`)

// withoutRequestID replaces the random callflow request ID in s with <id>.
func withoutRequestID(s string) string {
	return callflowRequestID.ReplaceAllString(s, "(callflow request id <id>)")
}

// checkNoSecrets fails t if stdout or stderr shows a secret, or if srv
// received the API key anywhere but in the Authorization header.
func checkNoSecrets(t *testing.T, srv *voiceapitest.Server, stdout, stderr string) {
	t.Helper()
	// "SECRET" is in every key the tests use, so a part of one is caught.
	secrets := []string{testAPIKey, "SECRET", testHookAuth}
	for _, env := range []string{envAPIKey, envWebhookAuth} {
		if v := os.Getenv(env); v != "" {
			secrets = append(secrets, v)
		}
	}
	for _, s := range secrets {
		if strings.Contains(stdout, s) {
			t.Errorf("stdout shows the secret %q:\n%s", s, stdout)
		}
		if strings.Contains(stderr, s) {
			t.Errorf("stderr shows the secret %q:\n%s", s, stderr)
		}
	}
	key := os.Getenv(envAPIKey)
	if key == "" {
		key = testAPIKey
	}
	for i, r := range srv.Requests() {
		if got, want := r.Header.Get("Authorization"), "Bearer "+key; got != want {
			t.Errorf("request %d (%s %s): Authorization = %q, want %q", i, r.Method, r.Path, got, want)
		}
		if strings.Contains(r.Path, key) || bytes.Contains(r.Body, []byte(key)) {
			t.Errorf("request %d (%s %s) carries the API key outside the Authorization header", i, r.Method, r.Path)
		}
	}
}

// requestLines returns "METHOD PATH" of every request srv received.
func requestLines(srv *voiceapitest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

func checkRequests(t *testing.T, srv *voiceapitest.Server, want ...string) {
	t.Helper()
	if got := requestLines(srv); !slices.Equal(got, want) {
		t.Errorf("requests:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func checkNoRequests(t *testing.T, srv *voiceapitest.Server) {
	t.Helper()
	if got := requestLines(srv); len(got) > 0 {
		t.Errorf("the fake 8x8 received %d requests, want none: %q", len(got), got)
	}
}

func checkRun(t *testing.T, code int, stdout, stderr string, wantCode int, wantStdout, wantStderr string) {
	t.Helper()
	if code != wantCode {
		t.Errorf("exit code = %d, want %d (stderr %q)", code, wantCode, stderr)
	}
	if stdout != wantStdout {
		t.Errorf("stdout:\n%q\nwant:\n%q", stdout, wantStdout)
	}
	if stderr != wantStderr {
		t.Errorf("stderr:\n%q\nwant:\n%q", stderr, wantStderr)
	}
}

func checkStderrMatches(t *testing.T, stderr, pattern string) {
	t.Helper()
	if !regexp.MustCompile(pattern).MatchString(stderr) {
		t.Errorf("stderr:\n%q\ndoes not match:\n%s", stderr, pattern)
	}
}

// jsonEqual fails t unless got and want are the same JSON value.
func jsonEqual(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s is not JSON: %v\n%s", what, err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want JSON: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n%s\nwant:\n%s", what, got, want)
	}
}

// callBody is the Send Callflow request that calls testTo from source and
// plays restaurant.yaml's main menu.
func callBody(source string) string {
	return fmt.Sprintf(`{
		"clientActionId": "main_menu",
		"callflow": [
			{"action": "makeCall", "params": {"source": %q, "destination": %q}},
			{"action": "sayAndCapture", "params": {
				"promptMessage": "Welcome to ABC Restaurant, to book a table press 1, to speak to a representative press 2, to hear our restaurant hours press 3.",
				"voiceProfile": "en-US-BenjaminRUS",
				"speed": 1,
				"minDigits": 1,
				"maxDigits": 1,
				"digitTimeout": 10000,
				"overallTimeout": 10000,
				"noOfTries": 2
			}}
		]
	}`, source, testTo)
}

// answerRecorder is a reverse proxy in front of the fake 8x8 that keeps
// the bodies of its answers, which the fake does not expose.
type answerRecorder struct {
	URL     string
	mu      sync.Mutex
	answers [][]byte
}

func recordAnswers(t *testing.T, srv *voiceapitest.Server) *answerRecorder {
	t.Helper()
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	rec := &answerRecorder{}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(target) },
		ModifyResponse: func(res *http.Response) error {
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil {
				return err
			}
			res.Body = io.NopCloser(bytes.NewReader(body))
			rec.mu.Lock()
			rec.answers = append(rec.answers, body)
			rec.mu.Unlock()
			return nil
		},
	}
	ts := httptest.NewServer(proxy)
	t.Cleanup(ts.Close)
	rec.URL = ts.URL
	return rec
}

func (rec *answerRecorder) bodies() [][]byte {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return slices.Clone(rec.answers)
}

func TestCall(t *testing.T) {
	srv := newFake8x8(t)
	rec := recordAnswers(t, srv)
	code, stdout, stderr := runAPIRaw(t, srv, "call", "--to", testTo, restaurant, "--api-base", rec.URL)

	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("the fake received %d requests, want 1: %q", len(reqs), requestLines(srv))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.Path != callflowsPath {
		t.Errorf("request = %s %s, want POST %s", r.Method, r.Path, callflowsPath)
	}
	if got, want := r.Header.Get("Authorization"), "Bearer "+testAPIKey; got != want {
		t.Errorf("Authorization = %q, want %q", got, want)
	}
	if got := r.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
	jsonEqual(t, "request body", r.Body, callBody(restaurantNumber))

	answers := rec.bodies()
	if len(answers) != 1 {
		t.Fatalf("the fake sent %d answers, want 1", len(answers))
	}
	var answer struct {
		SessionID     string `json:"sessionId"`
		SessionStatus string `json:"sessionStatus"`
	}
	if err := json.Unmarshal(answers[0], &answer); err != nil {
		t.Fatalf("answer %s: %v", answers[0], err)
	}
	if answer.SessionStatus != "CREATED" || !uuidRE.MatchString(answer.SessionID) {
		t.Fatalf("the fake answered %s, want a CREATED session with a UUID", answers[0])
	}
	checkRun(t, code, stdout, stderr, exitOK, answer.SessionID+"\n",
		"ivrctl call: 8x8 is calling +6591234567 from +6568888888; session "+answer.SessionID+"\n")
}

func TestCallFrom(t *testing.T) {
	srv := newFake8x8(t)
	// Flags may follow the file.
	code, stdout, stderr := runAPI(t, srv, "call", restaurant, "--to", testTo, "--from", "+6561234567")
	if code != exitOK {
		t.Fatalf("exit code = %d, want 0 (stderr %q)", code, stderr)
	}
	if !uuidRE.MatchString(strings.TrimSuffix(stdout, "\n")) || !strings.HasSuffix(stdout, "\n") || strings.Count(stdout, "\n") != 1 {
		t.Errorf("stdout = %q, want a session ID and a newline", stdout)
	}
	if want := "ivrctl call: 8x8 is calling +6591234567 from +6561234567; session " + stdout; stderr != want {
		t.Errorf("stderr = %q, want %q", stderr, want)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("the fake received %d requests, want 1", len(reqs))
	}
	jsonEqual(t, "request body", reqs[0].Body, callBody("+6561234567"))
}

func TestCallInvalidNumber(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{
			name: "to",
			args: []string{"--to", "12"},
			stderr: `ivrctl call: 8x8 would refuse this call: $.callflow[0].params.destination: destination "12" is not an E.164 number: ` +
				"an optional + and 7 to 15 digits, the first not 0 (8x8 status -1017)\n" +
				"ivrctl call: the number is not a valid E.164 phone number such as +6591234567\n",
		},
		{
			name: "from",
			args: []string{"--to", testTo, "--from", "12"},
			stderr: `ivrctl call: 8x8 would refuse this call: $.callflow[0].params.source: source "12" is not an E.164 number: ` +
				"an optional + and 7 to 15 digits, the first not 0 (8x8 status -1017)\n" +
				"ivrctl call: the number is not a valid E.164 phone number such as +6591234567\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake8x8(t)
			code, stdout, stderr := runAPI(t, srv, slices.Concat([]string{"call"}, tt.args, []string{restaurant})...)
			checkRun(t, code, stdout, stderr, exitProblems, "", tt.stderr)
			if !strings.Contains(stderr, "-1017") {
				t.Errorf("stderr does not name -1017: %q", stderr)
			}
			checkNoRequests(t, srv)
		})
	}
}

// TestMissingCredentials: every 8x8 command refuses to start without the
// API key and sub-account, before it sends anything.
func TestMissingCredentials(t *testing.T) {
	const (
		keyLine = "set IVRCTL_API_KEY (an API key from the 8x8 Connect portal)\n"
		subLine = "set IVRCTL_SUBACCOUNT (the sub-account ID)\n"
	)
	commands := []struct {
		name string
		args []string
	}{
		{"call", []string{"call", "--to", testTo, restaurant}},
		{"webhooks set", []string{"webhooks", "set", "--vca", vcaURL, "--auth-header", testHookAuth}},
		{"webhooks list", []string{"webhooks", "list"}},
		{"webhooks delete", []string{"webhooks", "delete", "VCA"}},
		{"voices", []string{"voices"}},
	}
	envs := []struct {
		name     string
		key, sub string
		lines    []string
	}{
		{"no key", "", testSubAccount, []string{keyLine}},
		{"no sub-account", testAPIKey, "", []string{subLine}},
		{"neither", "", "", []string{keyLine, subLine}},
	}
	for _, cmd := range commands {
		for _, env := range envs {
			t.Run(cmd.name+"/"+env.name, func(t *testing.T) {
				srv := newFake8x8(t)
				t.Setenv(envAPIKey, env.key)
				t.Setenv(envSubAccount, env.sub)
				var want strings.Builder
				for _, l := range env.lines {
					want.WriteString("ivrctl " + cmd.name + ": " + l)
				}
				code, stdout, stderr := runAPI(t, srv, cmd.args...)
				checkRun(t, code, stdout, stderr, exitUsage, "", want.String())
				checkNoRequests(t, srv)
			})
		}
	}
}

// TestRefusedCredentials: a wrong key (401) and an unknown sub-account
// (404) are reported with 8x8's words and a hint naming the variable.
func TestRefusedCredentials(t *testing.T) {
	const (
		keyHint   = "check IVRCTL_API_KEY: 8x8 did not accept the API key\n"
		subHint   = "check IVRCTL_SUBACCOUNT: 8x8 knows no such sub-account\n"
		errorID   = ` \(error id [0-9a-f-]{36}\)\n`
		requestID = ` \(callflow request id [0-9a-f-]{36}\)`
	)
	tests := []struct {
		name string
		key  string
		sub  string
		args []string
		path string
		// stderr is a regular expression.
		stderr string
	}{
		{
			name: "call wrong key", key: "wrong-key-SECRET-0987654321", sub: testSubAccount,
			args: []string{"call", "--to", testTo, restaurant},
			path: "POST " + callflowsPath,
			stderr: `^ivrctl call: send callflow: 8x8 refused the request \(HTTP 401, status 401\): Authentication header not found or token invalid` + requestID + `\n` +
				`ivrctl call: ` + keyHint + `$`,
		},
		{
			name: "call unknown sub-account", key: testAPIKey, sub: "acct_other",
			args: []string{"call", "--to", testTo, restaurant},
			path: "POST /api/v1/subaccounts/acct_other/callflows",
			stderr: `^ivrctl call: send callflow: 8x8 refused the request \(HTTP 404, status 404\): SubAccount not found by Id : acct_other` + requestID + `\n` +
				`ivrctl call: ` + subHint + `$`,
		},
		{
			name: "webhooks list wrong key", key: "wrong-key-SECRET-0987654321", sub: testSubAccount,
			args: []string{"webhooks", "list"},
			path: "GET " + webhooksPath,
			stderr: `^ivrctl webhooks list: list webhooks: 8x8 refused the request \(HTTP 401, status 401\): API key not found or invalid` + errorID +
				`ivrctl webhooks list: ` + keyHint + `$`,
		},
		{
			name: "webhooks list unknown sub-account", key: testAPIKey, sub: "acct_other",
			args: []string{"webhooks", "list"},
			path: "GET /api/v1/subaccounts/acct_other/webhooks",
			stderr: `^ivrctl webhooks list: list webhooks: 8x8 refused the request \(HTTP 404, status 404\): SubAccount not found by Id : acct_other` + errorID +
				`ivrctl webhooks list: ` + subHint + `$`,
		},
		{
			name: "voices wrong key", key: "wrong-key-SECRET-0987654321", sub: testSubAccount,
			args: []string{"voices"},
			path: "GET " + profilesPath,
			stderr: `^ivrctl voices: list speech profiles: 8x8 refused the request \(HTTP 401, status 401\): API key not found or invalid` + errorID +
				`ivrctl voices: ` + keyHint + `$`,
		},
		{
			name: "voices unknown sub-account", key: testAPIKey, sub: "acct_other",
			args: []string{"voices", "--json"},
			path: "GET /api/v1/subaccounts/acct_other/speech-profiles",
			stderr: `^ivrctl voices: list speech profiles: 8x8 refused the request \(HTTP 404, status 404\): SubAccount not found by Id : acct_other` + errorID +
				`ivrctl voices: ` + subHint + `$`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake8x8(t)
			t.Setenv(envAPIKey, tt.key)
			t.Setenv(envSubAccount, tt.sub)
			code, stdout, stderr := runAPI(t, srv, tt.args...)
			if code != exitProblems {
				t.Errorf("exit code = %d, want %d", code, exitProblems)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			checkStderrMatches(t, stderr, tt.stderr)
			// Neither is worth a retry.
			checkRequests(t, srv, tt.path)
		})
	}
}

func TestCallRetries(t *testing.T) {
	tests := []struct {
		name     string
		fail     func(*voiceapitest.Server)
		requests int
	}{
		{"429 with Retry-After", func(s *voiceapitest.Server) { s.FailNext(1, http.StatusTooManyRequests, "1") }, 2},
		{"503 twice", func(s *voiceapitest.Server) { s.FailNext(2, http.StatusServiceUnavailable, "") }, 3},
		{"429 then 503", func(s *voiceapitest.Server) {
			s.FailNext(1, http.StatusTooManyRequests, "1")
			s.FailNext(1, http.StatusServiceUnavailable, "")
		}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake8x8(t)
			tt.fail(srv)
			code, stdout, stderr := runAPI(t, srv, "call", "--to", testTo, restaurant)
			if code != exitOK {
				t.Fatalf("exit code = %d, want 0 (stderr %q)", code, stderr)
			}
			sid := strings.TrimSuffix(stdout, "\n")
			if !uuidRE.MatchString(sid) || stdout != sid+"\n" {
				t.Errorf("stdout = %q, want a session ID and a newline", stdout)
			}
			if want := "ivrctl call: 8x8 is calling +6591234567 from +6568888888; session " + stdout; stderr != want {
				t.Errorf("stderr = %q, want %q", stderr, want)
			}
			reqs := srv.Requests()
			if len(reqs) != tt.requests {
				t.Fatalf("the fake received %d requests, want %d", len(reqs), tt.requests)
			}
			for i, r := range reqs {
				if r.Method != http.MethodPost || r.Path != callflowsPath {
					t.Errorf("request %d = %s %s, want POST %s", i, r.Method, r.Path, callflowsPath)
				}
				jsonEqual(t, fmt.Sprintf("request %d body", i), r.Body, callBody(restaurantNumber))
			}
		})
	}
}

func TestCallGivesUp(t *testing.T) {
	one := []string{"POST " + callflowsPath}
	four := []string{"POST " + callflowsPath, "POST " + callflowsPath, "POST " + callflowsPath, "POST " + callflowsPath}
	tests := []struct {
		name     string
		status   int
		n        int
		requests []string
		stderr   string
	}{
		{
			// The CLI validates the callflow with the rules the fake
			// applies, so the fake cannot be made to refuse a real one;
			// FailNext stands in for 8x8's 422.
			name: "422 is not retried", status: http.StatusUnprocessableEntity, n: 1, requests: one,
			stderr: "ivrctl call: send callflow: 8x8 refused the request (HTTP 422, status 422): Unprocessable Entity (callflow request id <id>)\n",
		},
		{
			name: "400 is not retried", status: http.StatusBadRequest, n: 1, requests: one,
			stderr: "ivrctl call: send callflow: 8x8 refused the request (HTTP 400, status 400): Bad Request (callflow request id <id>)\n",
		},
		{
			name: "429 until the attempts run out", status: http.StatusTooManyRequests, n: 4, requests: four,
			stderr: "ivrctl call: send callflow: gave up after 4 attempts: 8x8 refused the request (HTTP 429, status 429): Too Many Requests (callflow request id <id>)\n" +
				"ivrctl call: 8x8 is limiting requests; try again in a while\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake8x8(t)
			srv.FailNext(tt.n, tt.status, "")
			code, stdout, stderr := runAPI(t, srv, "call", "--to", testTo, restaurant)
			checkRun(t, code, stdout, withoutRequestID(stderr), exitProblems, "", tt.stderr)
			checkRequests(t, srv, tt.requests...)
		})
	}

	// A 500 after the POST was sent may come from a gateway while the call
	// rings: it must not be sent again.
	t.Run("500 is not retried", func(t *testing.T) {
		srv := newFake8x8(t)
		srv.FailNext(1, http.StatusInternalServerError, "")
		code, stdout, stderr := runAPI(t, srv, "call", "--to", testTo, restaurant)
		if code != exitProblems || stdout != "" {
			t.Errorf("exit code = %d, stdout = %q; want %d and nothing", code, stdout, exitProblems)
		}
		want := "ivrctl call: send callflow: 8x8 may have acted on the request: 8x8 refused the request (HTTP 500, status 500): Internal server error (callflow request id <id>)\n" +
			"ivrctl call: 8x8 may have acted on the request anyway; check before trying again\n"
		if got := withoutRequestID(stderr); got != want {
			t.Errorf("stderr = %q, want %q", got, want)
		}
		checkRequests(t, srv, one...)
	})
}

func TestCallBrokenFlow(t *testing.T) {
	srv := newFake8x8(t)
	code, stdout, stderr := runAPI(t, srv, "call", "--to", testTo, "testdata/broken.yaml")
	checkRun(t, code, stdout, stderr, exitProblems, "", strings.Join([]string{
		`testdata/broken.yaml:2:8: error: unknown node "mian" as start; did you mean "main"? [start]`,
		`testdata/broken.yaml:8:7: error: key "x" of menu "main" is not a DTMF key: use digits 0-9, * and # [dtmf-key]`,
		`testdata/broken.yaml:8:12: error: unknown node "nowhere" for key "x" of menu "main" [undefined-node]`,
		`testdata/broken.yaml:10:10: error: node "hours" has an empty say text [empty-text]`,
		`ivrctl call: testdata/broken.yaml has errors`,
	}, "\n")+"\n")
	checkNoRequests(t, srv)
}

func TestCallMissingFlow(t *testing.T) {
	srv := newFake8x8(t)
	code, stdout, stderr := runAPI(t, srv, "call", "--to", testTo, "testdata/nope.yaml")
	checkRun(t, code, stdout, stderr, exitFailure, "", "ivrctl call: open testdata/nope.yaml: no such file or directory\n")
	checkNoRequests(t, srv)
}

func TestCallUsage(t *testing.T) {
	const give = "ivrctl call: give --to NUMBER and exactly one flow file\nUsage: ivrctl call --to NUMBER [--from NUMBER] [--api-base URL] FILE\n"
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string // prefix of stderr
	}{
		{"no --to", []string{restaurant}, exitUsage, give},
		{"no file", []string{"--to", testTo}, exitUsage, give},
		{"two files", []string{"--to", testTo, restaurant, restaurant}, exitUsage, give},
		{"nothing", nil, exitUsage, give},
		{"unknown flag", []string{"--bogus", "--to", testTo, restaurant}, exitUsage, "flag provided but not defined: -bogus\n"},
		{"-h", []string{"-h"}, exitOK, "Usage: ivrctl call --to NUMBER"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake8x8(t)
			code, stdout, stderr := runAPI(t, srv, slices.Concat([]string{"call"}, tt.args)...)
			if code != tt.code {
				t.Errorf("exit code = %d, want %d", code, tt.code)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if !strings.HasPrefix(stderr, tt.stderr) {
				t.Errorf("stderr = %q, want it to start with %q", stderr, tt.stderr)
			}
			checkNoRequests(t, srv)
		})
	}
}

// setRequests are the requests of webhooks set --vca --vss: 8x8 has no
// update, so each type is deleted, then created.
var setRequests = []string{
	"DELETE " + webhooksPath + "/VCA",
	"POST " + webhooksPath,
	"DELETE " + webhooksPath + "/VSS",
	"POST " + webhooksPath,
}

func checkWebhook(t *testing.T, srv *voiceapitest.Server, want voiceapitest.Webhook) {
	t.Helper()
	got, ok := srv.Webhook(want.Type)
	if !ok {
		t.Errorf("the fake holds no %s webhook, want %+v", want.Type, want)
	} else if got != want {
		t.Errorf("the fake's %s webhook = %+v, want %+v", want.Type, got, want)
	}
}

func checkNoWebhook(t *testing.T, srv *voiceapitest.Server, typ string) {
	t.Helper()
	if got, ok := srv.Webhook(typ); ok {
		t.Errorf("the fake holds a %s webhook, want none: %+v", typ, got)
	}
}

func TestWebhooksSet(t *testing.T) {
	srv := newFake8x8(t)
	code, stdout, stderr := runAPI(t, srv, "webhooks", "set", "--vca", vcaURL, "--vss", vssURL, "--auth-header", testHookAuth)
	checkRun(t, code, stdout, stderr, exitOK,
		"VCA https://ivr.example.com/webhooks/vca (with Authorization header)\n"+
			"VSS https://ivr.example.com/webhooks/vss (with Authorization header)\n", "")
	checkRequests(t, srv, setRequests...)
	checkWebhook(t, srv, voiceapitest.Webhook{Type: "VCA", URL: vcaURL, Enabled: true, AuthHeader: testHookAuth})
	checkWebhook(t, srv, voiceapitest.Webhook{Type: "VSS", URL: vssURL, Enabled: true, AuthHeader: testHookAuth})
	for _, r := range srv.Requests() {
		if r.Method == http.MethodPost && r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("POST Content-Type = %q, want application/json", r.Header.Get("Content-Type"))
		}
	}

	// Again, elsewhere: the fake refuses to create a type it holds (409),
	// so success means each was deleted first.
	const (
		vca2 = "https://ivr2.example.com/hooks/vca"
		vss2 = "http://ivr2.example.com:8080/hooks/vss"
	)
	code, stdout, stderr = runAPI(t, srv, "webhooks", "set", "--vss", vss2, "--vca", vca2, "--auth-header", testHookAuth)
	checkRun(t, code, stdout, stderr, exitOK,
		"VCA "+vca2+" (with Authorization header)\nVSS "+vss2+" (with Authorization header)\n", "")
	checkRequests(t, srv, slices.Concat(setRequests, setRequests)...)
	checkWebhook(t, srv, voiceapitest.Webhook{Type: "VCA", URL: vca2, Enabled: true, AuthHeader: testHookAuth})
	checkWebhook(t, srv, voiceapitest.Webhook{Type: "VSS", URL: vss2, Enabled: true, AuthHeader: testHookAuth})
}

func TestWebhooksSetAuthFromEnv(t *testing.T) {
	const envAuth = "Bearer hook-SECRET-from-env"
	srv := newFake8x8(t)
	t.Setenv(envWebhookAuth, envAuth)
	code, stdout, stderr := runAPI(t, srv, "webhooks", "set", "--vca", vcaURL, "--vss", vssURL)
	checkRun(t, code, stdout, stderr, exitOK,
		"VCA "+vcaURL+" (with Authorization header)\nVSS "+vssURL+" (with Authorization header)\n", "")
	checkWebhook(t, srv, voiceapitest.Webhook{Type: "VCA", URL: vcaURL, Enabled: true, AuthHeader: envAuth})
	checkWebhook(t, srv, voiceapitest.Webhook{Type: "VSS", URL: vssURL, Enabled: true, AuthHeader: envAuth})

	// The flag wins over the environment.
	code, stdout, stderr = runAPI(t, srv, "webhooks", "set", "--vca", vcaURL, "--auth-header", testHookAuth)
	checkRun(t, code, stdout, stderr, exitOK, "VCA "+vcaURL+" (with Authorization header)\n", "")
	checkWebhook(t, srv, voiceapitest.Webhook{Type: "VCA", URL: vcaURL, Enabled: true, AuthHeader: testHookAuth})
	checkWebhook(t, srv, voiceapitest.Webhook{Type: "VSS", URL: vssURL, Enabled: true, AuthHeader: envAuth})

	// Even an empty one, which sets no header.
	code, stdout, stderr = runAPI(t, srv, "webhooks", "set", "--vss", vssURL, "--auth-header", "")
	checkRun(t, code, stdout, stderr, exitOK, "VSS "+vssURL+"\n",
		"ivrctl webhooks set: warning: no --auth-header: anyone who learns the URL can post webhooks to your line\n")
	checkWebhook(t, srv, voiceapitest.Webhook{Type: "VSS", URL: vssURL, Enabled: true})

	// The usage text must not show the secret as the flag's default
	// (checkNoSecrets looks for it).
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"webhooks", "set"}, exitUsage},
		{[]string{"webhooks", "set", "-h"}, exitOK},
	} {
		code, stdout, stderr := runAPI(t, srv, tt.args...)
		if code != tt.code {
			t.Errorf("%q: exit code = %d, want %d", tt.args, code, tt.code)
		}
		if stdout != "" || !strings.Contains(stderr, "-auth-header string\n") {
			t.Errorf("%q: stdout = %q, stderr = %q; want the usage on stderr", tt.args, stdout, stderr)
		}
	}
	checkRequests(t, srv, slices.Concat(setRequests, setRequests[:2], setRequests[2:])...)
}

func TestWebhooksSetWithoutAuthWarns(t *testing.T) {
	srv := newFake8x8(t)
	code, stdout, stderr := runAPI(t, srv, "webhooks", "set", "--vca", vcaURL)
	checkRun(t, code, stdout, stderr, exitOK, "VCA "+vcaURL+"\n",
		"ivrctl webhooks set: warning: no --auth-header: anyone who learns the URL can post webhooks to your line\n")
	checkRequests(t, srv, setRequests[:2]...)
	checkWebhook(t, srv, voiceapitest.Webhook{Type: "VCA", URL: vcaURL, Enabled: true})
	checkNoWebhook(t, srv, "VSS")
}

func TestWebhooksSetBadURL(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"ftp", []string{"--vca", "ftp://x"}, `ivrctl webhooks set: --vca: "ftp://x" is not an absolute http(s) URL` + "\n"},
		{"relative", []string{"--vss", "/webhooks/vss"}, `ivrctl webhooks set: --vss: "/webhooks/vss" is not an absolute http(s) URL` + "\n"},
		{"no host", []string{"--vca", "https://"}, `ivrctl webhooks set: --vca: "https://" is not an absolute http(s) URL` + "\n"},
		{"unparsable", []string{"--vss", "http://[::1"}, `ivrctl webhooks set: --vss: parse "http://[::1": missing ']' in host` + "\n"},
		// The good one is not registered either.
		{"one good one bad", []string{"--vca", vcaURL, "--vss", "ivr.example.com/webhooks/vss"},
			`ivrctl webhooks set: --vss: "ivr.example.com/webhooks/vss" is not an absolute http(s) URL` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake8x8(t)
			code, stdout, stderr := runAPI(t, srv, slices.Concat([]string{"webhooks", "set", "--auth-header", testHookAuth}, tt.args)...)
			checkRun(t, code, stdout, stderr, exitUsage, "", tt.stderr)
			checkNoRequests(t, srv)
		})
	}
}

func TestWebhooksUsage(t *testing.T) {
	const setUsage = "ivrctl webhooks set: give --vca URL, --vss URL or both\nUsage: ivrctl webhooks set --vca URL"
	tests := []struct {
		name   string
		args   []string
		stderr string // prefix of stderr
	}{
		{"unknown subcommand", []string{"webhooks", "frob"},
			"ivrctl webhooks: unknown subcommand \"frob\"\n\n" + webhooksUsage},
		{"set without URLs", []string{"webhooks", "set", "--auth-header", testHookAuth}, setUsage},
		{"set with an argument", []string{"webhooks", "set", "--vca", vcaURL, "extra"}, setUsage},
		{"set unknown flag", []string{"webhooks", "set", "--vcs", vcaURL}, "flag provided but not defined: -vcs\n"},
		{"list with an argument", []string{"webhooks", "list", "VCA"}, "ivrctl webhooks list: takes no arguments, got [\"VCA\"]\nUsage: ivrctl webhooks list"},
		{"delete without type", []string{"webhooks", "delete"},
			"ivrctl webhooks delete: give one type: VCA, VSS, VCS, VRU or VNU\n"},
		{"delete two types", []string{"webhooks", "delete", "VCA", "VSS"},
			"ivrctl webhooks delete: give one type: VCA, VSS, VCS, VRU or VNU\n"},
		{"delete bad type", []string{"webhooks", "delete", "XYZ"},
			"ivrctl webhooks delete: unknown type \"XYZ\": use VCA, VSS, VCS, VRU or VNU\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake8x8(t)
			code, stdout, stderr := runAPI(t, srv, tt.args...)
			if code != exitUsage {
				t.Errorf("exit code = %d, want %d", code, exitUsage)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if !strings.HasPrefix(stderr, tt.stderr) {
				t.Errorf("stderr = %q, want it to start with %q", stderr, tt.stderr)
			}
			checkNoRequests(t, srv)
		})
	}
	t.Run("no subcommand", func(t *testing.T) {
		srv := newFake8x8(t)
		code, stdout, stderr := runAPIRaw(t, srv, "webhooks")
		checkRun(t, code, stdout, stderr, exitUsage, "", webhooksUsage)
		checkNoRequests(t, srv)
	})
	// The exact messages of the errors that are whole lines.
	t.Run("delete bad type exactly", func(t *testing.T) {
		srv := newFake8x8(t)
		code, stdout, stderr := runAPI(t, srv, "webhooks", "delete", "vcx")
		checkRun(t, code, stdout, stderr, exitUsage, "", "ivrctl webhooks delete: unknown type \"vcx\": use VCA, VSS, VCS, VRU or VNU\n")
		checkNoRequests(t, srv)
	})
}

func TestWebhooksList(t *testing.T) {
	srv := newFake8x8(t)
	code, stdout, stderr := runAPI(t, srv, "webhooks", "list")
	checkRun(t, code, stdout, stderr, exitOK, "TYPE  URL  ENABLED  AUTH HEADER\n", "")

	if code, _, stderr := runAPI(t, srv, "webhooks", "set", "--vca", vcaURL, "--vss", vssURL, "--auth-header", testHookAuth); code != exitOK {
		t.Fatalf("webhooks set: exit code %d: %s", code, stderr)
	}
	code, stdout, stderr = runAPI(t, srv, "webhooks", "list")
	checkRun(t, code, stdout, stderr, exitOK, ""+
		"TYPE  URL                                   ENABLED  AUTH HEADER\n"+
		"VCA   https://ivr.example.com/webhooks/vca  yes      yes\n"+
		"VSS   https://ivr.example.com/webhooks/vss  yes      yes\n", "")

	// A webhook without a header says no.
	const vss2 = "https://b.example/vss"
	if code, _, stderr := runAPI(t, srv, "webhooks", "set", "--vss", vss2); code != exitOK {
		t.Fatalf("webhooks set: exit code %d: %s", code, stderr)
	}
	code, stdout, stderr = runAPI(t, srv, "webhooks", "list")
	checkRun(t, code, stdout, stderr, exitOK, ""+
		"TYPE  URL                                   ENABLED  AUTH HEADER\n"+
		"VCA   https://ivr.example.com/webhooks/vca  yes      yes\n"+
		"VSS   https://b.example/vss                 yes      no\n", "")

	checkRequests(t, srv, slices.Concat(
		[]string{"GET " + webhooksPath}, setRequests, []string{"GET " + webhooksPath},
		setRequests[2:], []string{"GET " + webhooksPath})...)
}

func TestWebhooksDelete(t *testing.T) {
	srv := newFake8x8(t)
	if code, _, stderr := runAPI(t, srv, "webhooks", "set", "--vca", vcaURL, "--vss", vssURL, "--auth-header", testHookAuth); code != exitOK {
		t.Fatalf("webhooks set: exit code %d: %s", code, stderr)
	}
	code, stdout, stderr := runAPI(t, srv, "webhooks", "delete", "VCA")
	checkRun(t, code, stdout, stderr, exitOK, "deleted VCA "+vcaURL+"\n", "")
	checkNoWebhook(t, srv, "VCA")
	checkWebhook(t, srv, voiceapitest.Webhook{Type: "VSS", URL: vssURL, Enabled: true, AuthHeader: testHookAuth})

	// There is none left: 8x8's 404 is reported as that, not only as a
	// wrong sub-account, and not retried.
	code, stdout, stderr = runAPI(t, srv, "webhooks", "delete", "VCA")
	if code != exitProblems || stdout != "" {
		t.Errorf("exit code = %d, stdout = %q; want %d and nothing", code, stdout, exitProblems)
	}
	checkStderrMatches(t, stderr, `^ivrctl webhooks delete: delete VCA webhook: 8x8 refused the request \(HTTP 404, status 404\): `+
		`Webhook of type VCA not found \(error id [0-9a-f-]{36}\)\n`+
		`ivrctl webhooks delete: there is no VCA webhook to delete \(see ivrctl webhooks list\), or IVRCTL_SUBACCOUNT is wrong\n$`)

	// The type is not case-sensitive, and a DELETE is retried on a 503.
	srv.FailNext(1, http.StatusServiceUnavailable, "")
	code, stdout, stderr = runAPI(t, srv, "webhooks", "delete", "vss")
	checkRun(t, code, stdout, stderr, exitOK, "deleted VSS "+vssURL+"\n", "")
	checkNoWebhook(t, srv, "VSS")

	checkRequests(t, srv, slices.Concat(setRequests, []string{
		"DELETE " + webhooksPath + "/VCA",
		"DELETE " + webhooksPath + "/VCA",
		"DELETE " + webhooksPath + "/VSS",
		"DELETE " + webhooksPath + "/VSS",
	})...)
}

// testVoices is the sub-account's list in the voices tests.
var testVoices = []voiceapitest.SpeechProfile{
	{SpeechProfileCode: "en-US-BenjaminRUS", LocaleCode: "en-US", LocaleDescription: "EnglishUS", Gender: "M"},
	{SpeechProfileCode: "en-GB-Emma", LocaleCode: "en-GB", LocaleDescription: "EnglishUK", Gender: "F"},
	{SpeechProfileCode: "cmn-CN-XiaoxiaoNeural", LocaleCode: "cmn-CN", LocaleDescription: "ChineseMandarin", Gender: "F"},
}

const testVoicesTable = "" +
	"VOICE                  LOCALE  GENDER  LANGUAGE\n" +
	"en-US-BenjaminRUS      en-US   M       EnglishUS\n" +
	"en-GB-Emma             en-GB   F       EnglishUK\n" +
	"cmn-CN-XiaoxiaoNeural  cmn-CN  F       ChineseMandarin\n"

func TestVoices(t *testing.T) {
	srv := newFake8x8(t)
	srv.SetSpeechProfiles(testVoices)
	code, stdout, stderr := runAPI(t, srv, "voices")
	checkRun(t, code, stdout, stderr, exitOK, testVoicesTable, "")

	code, stdout, stderr = runAPI(t, srv, "voices", "--json")
	if code != exitOK || stderr != "" {
		t.Fatalf("voices --json: exit code %d, stderr %q", code, stderr)
	}
	var got []voiceapitest.SpeechProfile
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("voices --json printed %q: %v", stdout, err)
	}
	if !reflect.DeepEqual(got, testVoices) {
		t.Errorf("voices --json = %+v, want %+v", got, testVoices)
	}
	checkRequests(t, srv, "GET "+profilesPath, "GET "+profilesPath)
}

func TestVoicesEmpty(t *testing.T) {
	srv := newFake8x8(t)
	srv.SetSpeechProfiles(nil)
	code, stdout, stderr := runAPI(t, srv, "voices")
	checkRun(t, code, stdout, stderr, exitOK, "VOICE  LOCALE  GENDER  LANGUAGE\n", "")
	code, stdout, stderr = runAPI(t, srv, "voices", "--json")
	checkRun(t, code, stdout, stderr, exitOK, "[]\n", "")
}

func TestVoicesRetriesGET(t *testing.T) {
	srv := newFake8x8(t)
	srv.SetSpeechProfiles(testVoices)
	// Listing is idempotent, so even a 500 is retried.
	srv.FailNext(1, http.StatusInternalServerError, "")
	srv.FailNext(1, http.StatusTooManyRequests, "1")
	code, stdout, stderr := runAPI(t, srv, "voices")
	checkRun(t, code, stdout, stderr, exitOK, testVoicesTable, "")
	checkRequests(t, srv, "GET "+profilesPath, "GET "+profilesPath, "GET "+profilesPath)
}

func TestVoicesUsage(t *testing.T) {
	srv := newFake8x8(t)
	code, stdout, stderr := runAPI(t, srv, "voices", "en-US")
	if code != exitUsage || stdout != "" || !strings.HasPrefix(stderr, "ivrctl voices: takes no arguments, got [\"en-US\"]\nUsage: ivrctl voices [--json]") {
		t.Errorf("exit code = %d, stdout = %q, stderr = %q; want %d, nothing and the usage", code, stdout, stderr, exitUsage)
	}
	checkNoRequests(t, srv)
}

// defaultsVoiceDiag is the diagnostic of lint --voices for the voice of
// restaurant.yaml's defaults, found where the file sets it.
func defaultsVoiceDiag(t *testing.T, hint string) string {
	t.Helper()
	f, err := os.Open(restaurant)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	inDefaults := false
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if text == "defaults:" {
			inDefaults = true
			continue
		}
		if inDefaults && text != "" && text[0] != ' ' {
			break
		}
		if v, ok := strings.CutPrefix(text, "  voice: "); ok && inDefaults {
			if v != "en-US-BenjaminRUS" {
				t.Fatalf("%s:%d: defaults voice is %q, the tests expect en-US-BenjaminRUS", restaurant, line, v)
			}
			msg := `voice "en-US-BenjaminRUS" is not one of the sub-account's speech profiles`
			if hint != "" {
				msg += "; " + hint
			}
			// ivrctl lint prints the source line and a ^~~~ marker under the voice.
			return fmt.Sprintf("%s:%d:%d: error: %s [voice]\n%s\n%s^%s\n", restaurant, line, len("  voice: ")+1, msg,
				text, strings.Repeat(" ", len("  voice: ")), strings.Repeat("~", len(v)-1))
		}
	}
	t.Fatalf("%s: no voice under defaults", restaurant)
	return ""
}

// saveVoices runs ivrctl voices with args against srv and saves its
// stdout in a file, whose path it returns.
func saveVoices(t *testing.T, srv *voiceapitest.Server, name string, args ...string) string {
	t.Helper()
	code, stdout, stderr := runAPI(t, srv, slices.Concat([]string{"voices"}, args)...)
	if code != exitOK {
		t.Fatalf("voices %q: exit code %d: %s", args, code, stderr)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLintVoicesFromVoices(t *testing.T) {
	without := slices.DeleteFunc(slices.Clone(testVoices), func(p voiceapitest.SpeechProfile) bool {
		return p.SpeechProfileCode == "en-US-BenjaminRUS"
	})
	near := slices.Concat(without, []voiceapitest.SpeechProfile{{SpeechProfileCode: "en-US-BenjaminRU", LocaleCode: "en-US", LocaleDescription: "EnglishUS", Gender: "M"}})
	tests := []struct {
		name     string
		profiles []voiceapitest.SpeechProfile
		code     int
		stdout   string
	}{
		{"listed", testVoices, exitOK, ""},
		{"not listed", without, exitProblems, defaultsVoiceDiag(t, "")},
		{"near miss", near, exitProblems, defaultsVoiceDiag(t, `did you mean "en-US-BenjaminRU"?`)},
		// A sub-account with no voices: 8x8 would refuse every one.
		{"none", []voiceapitest.SpeechProfile{}, exitProblems, defaultsVoiceDiag(t, "")},
	}
	for _, tt := range tests {
		for _, format := range []struct {
			name string
			args []string
		}{{"json", []string{"--json"}}, {"table", nil}} {
			t.Run(tt.name+"/"+format.name, func(t *testing.T) {
				srv := newFake8x8(t)
				srv.SetSpeechProfiles(tt.profiles)
				voices := saveVoices(t, srv, "voices."+format.name, format.args...)
				code, stdout, stderr := runCLI(t, "lint", "--voices", voices, restaurant)
				checkRun(t, code, stdout, stderr, tt.code, tt.stdout, "")
			})
		}
	}
}

func TestLintVoicesFiles(t *testing.T) {
	tests := []struct {
		name   string
		voices string
		code   int
		stdout string
		stderr string
	}{
		// Text with comments and blank lines, the code first on each line.
		{name: "text", voices: "testdata/voices.txt", code: exitOK},
		// 8x8's own answer, {"speechProfiles": [...]}.
		{name: "8x8 answer", voices: "testdata/voices_8x8.json", code: exitOK},
		{name: "text without the voice", voices: "testdata/voices_nobenjamin.txt", code: exitProblems, stdout: defaultsVoiceDiag(t, "")},
		{name: "missing", voices: "testdata/voices_missing.txt", code: exitFailure,
			stderr: "ivrctl lint: open testdata/voices_missing.txt: no such file or directory\n"},
		{name: "bad JSON", voices: "testdata/voices_bad.json", code: exitFailure,
			stderr: "ivrctl lint: testdata/voices_bad.json: unexpected end of JSON input\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "lint", "--voices", tt.voices, restaurant)
			checkRun(t, code, stdout, stderr, tt.code, tt.stdout, tt.stderr)
		})
	}
}
