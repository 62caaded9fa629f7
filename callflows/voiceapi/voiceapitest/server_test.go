package voiceapitest_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/ivrctl/ivrctl/callflows/voiceapi/voiceapitest"
)

const (
	key = "sk_test_0123456789abcdef"
	sub = "acme"

	makeCall = `{"action":"makeCall","params":{"source":"+6568888888","destination":"+6591234567"}}`
	say      = `{"action":"say","params":{"text":"Hello","voiceProfile":"en-US-BenjaminRUS"}}`
	hangup   = `{"action":"hangup"}`
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// call is one raw request to the fake.
type call struct {
	method, path string
	auth         string // Authorization; "-" for none, "" for "Bearer key"
	contentType  string // "-" for none, "" for application/json when there is a body
	body         string
}

// send makes the request and returns the status, headers and the body,
// decoded when it is JSON, with every UUID-shaped ID checked and replaced
// by "<uuid>" and the timestamp by "<time>".
func send(t *testing.T, srv *voiceapitest.Server, c call) (int, http.Header, any) {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(t.Context(), c.method, srv.URL+c.path, body)
	if err != nil {
		t.Fatal(err)
	}
	switch c.auth {
	case "":
		req.Header.Set("Authorization", "Bearer "+key)
	case "-":
	default:
		req.Header.Set("Authorization", c.auth)
	}
	switch {
	case c.contentType == "-":
	case c.contentType != "":
		req.Header.Set("Content-Type", c.contentType)
	case c.body != "":
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		return resp.StatusCode, resp.Header, string(raw)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("answer %s: %v", raw, err)
	}
	if m, ok := v.(map[string]any); ok {
		for _, k := range []string{"sessionId", "callFlowRequestId", "errorId"} {
			if id, ok := m[k]; ok {
				if s, _ := id.(string); !uuidPattern.MatchString(s) {
					t.Errorf("%s %q is not a UUID", k, id)
				}
				m[k] = "<uuid>"
			}
		}
		if _, ok := m["timestamp"]; ok {
			m["timestamp"] = "<time>"
		}
	}
	return resp.StatusCode, resp.Header, v
}

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return v
}

const callflowsPath = "/api/v1/subaccounts/acme/callflows"

func TestSendCallflow(t *testing.T) {
	created := `{"sessionId":"<uuid>","sessionStatus":"CREATED","callFlowRequestId":"<uuid>","statusCode":1,"statusMessage":"Created"}`
	notCreated := func(code int, msg string) string {
		b, _ := json.Marshal(map[string]any{"sessionStatus": "NOT_CREATED", "callFlowRequestId": "<uuid>", "statusCode": code, "statusMessage": msg})
		return string(b)
	}
	valid := `{"callflow":[` + makeCall + `,` + say + `,` + hangup + `]}`
	for _, tc := range []struct {
		name       string
		call       call
		wantStatus int
		want       string // JSON, or the text of a non-JSON answer
	}{
		{"created", call{method: "POST", path: callflowsPath, body: valid}, 200, created},
		{"created with validUntil and clientActionId",
			call{method: "POST", path: callflowsPath, body: `{"clientActionId":"main_menu","validUntil":"2099-07-03T05:59:32.226Z","callflow":[` + makeCall + `]}`},
			200, `{"sessionId":"<uuid>","sessionStatus":"CREATED","callFlowRequestId":"<uuid>","validUntil":"2099-07-03T05:59:32.226Z","statusCode":1,"statusMessage":"Created"}`},
		{"bearer in lower case", call{method: "POST", path: callflowsPath, auth: "bearer " + key, body: valid}, 200, created},
		{"content type with charset", call{method: "POST", path: callflowsPath, contentType: "application/json; charset=utf-8", body: valid}, 200, created},
		{"no key", call{method: "POST", path: callflowsPath, auth: "-", body: valid},
			401, notCreated(401, "Authentication header not found or token invalid")},
		{"wrong key", call{method: "POST", path: callflowsPath, auth: "Bearer " + key + "x", body: valid},
			401, notCreated(401, "Authentication header not found or token invalid")},
		{"key without Bearer", call{method: "POST", path: callflowsPath, auth: key, body: valid},
			401, notCreated(401, "Authentication header not found or token invalid")},
		{"basic auth", call{method: "POST", path: callflowsPath, auth: "Basic " + key, body: valid},
			401, notCreated(401, "Authentication header not found or token invalid")},
		{"key checked before sub-account", call{method: "POST", path: "/api/v1/subaccounts/other/callflows", auth: "-", body: valid},
			401, notCreated(401, "Authentication header not found or token invalid")},
		{"unknown sub-account", call{method: "POST", path: "/api/v1/subaccounts/8x8_Testing/callflows", body: valid},
			404, notCreated(404, "SubAccount not found by Id : 8x8_Testing")},
		{"no content type", call{method: "POST", path: callflowsPath, contentType: "-", body: valid},
			415, notCreated(415, "Content type '' not supported")},
		{"text body", call{method: "POST", path: callflowsPath, contentType: "text/plain", body: valid},
			415, notCreated(415, "Content type 'text/plain' not supported")},
		{"not JSON", call{method: "POST", path: callflowsPath, body: `{"callflow":[`}, 400, notCreated(-1001, "Invalid JSON request body")},
		{"JSON array", call{method: "POST", path: callflowsPath, body: `[` + makeCall + `]`}, 400, notCreated(-1001, "Invalid JSON request body")},
		{"empty body", call{method: "POST", path: callflowsPath}, 415, notCreated(415, "Content type '' not supported")},
		{"empty JSON body", call{method: "POST", path: callflowsPath, contentType: "application/json"}, 400, notCreated(-1001, "Invalid JSON request body")},
		{"expired", call{method: "POST", path: callflowsPath, body: `{"validUntil":"2020-01-01T00:00:00.000Z","callflow":[` + makeCall + `]}`},
			400, notCreated(-1015, "The validity period of the call flow request has expired")},
		{"wrong method", call{method: "GET", path: callflowsPath}, 405, "Method Not Allowed\n"},
		{"unknown path", call{method: "POST", path: "/api/v1/subaccounts/acme/calls", body: valid}, 404, "404 page not found\n"},
		{"no version", call{method: "POST", path: "/subaccounts/acme/callflows", body: valid}, 404, "404 page not found\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := voiceapitest.NewServer(t, key, sub)
			status, _, got := send(t, srv, tc.call)
			if status != tc.wantStatus {
				t.Errorf("HTTP %d, want %d", status, tc.wantStatus)
			}
			want := any(tc.want)
			if _, isText := got.(string); !isText {
				want = decode(t, tc.want)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("answer\n got %v\nwant %v", got, want)
			}
		})
	}
}

// TestSendCallflowValidates: the callflow is checked with
// callflows.ValidateJSON, and the first problem answered as 8x8 would.
func TestSendCallflowValidates(t *testing.T) {
	for _, tc := range []struct {
		name       string
		body       string
		wantStatus int
		wantCode   float64
		wantPath   string
	}{
		{"first action not makeCall", `{"callflow":[` + say + `,` + hangup + `]}`, 422, -1013, "$.callflow[0]"},
		{"no callflow", `{}`, 400, -1009, "$.callflow"},
		{"unknown action", `{"callflow":[` + makeCall + `,{"action":"record","params":{}}]}`, 400, -1007, "$.callflow[1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := voiceapitest.NewServer(t, key, sub)
			status, _, got := send(t, srv, call{method: "POST", path: callflowsPath, body: tc.body})
			m, _ := got.(map[string]any)
			if status != tc.wantStatus || m["statusCode"] != tc.wantCode || m["sessionStatus"] != "NOT_CREATED" {
				t.Errorf("HTTP %d %v, want HTTP %d with statusCode %v, NOT_CREATED", status, got, tc.wantStatus, tc.wantCode)
			}
			if msg, _ := m["statusMessage"].(string); !strings.HasPrefix(msg, tc.wantPath) || len(msg) <= len(tc.wantPath)+2 {
				t.Errorf("statusMessage %q, want the path %s and a message", msg, tc.wantPath)
			}
		})
	}
}

const webhooksPath = "/api/v1/subaccounts/acme/webhooks"

func TestWebhooks(t *testing.T) {
	srv := voiceapitest.NewServer(t, key, sub)
	const secret = "Basic dXNlcjpwYXNzd29yZA=="
	steps := []struct {
		name       string
		call       call
		wantStatus int
		want       string
	}{
		{"list none", call{method: "GET", path: webhooksPath}, 200,
			`{"subAccountId":"acme","count":0,"webhooks":[],"statusCode":0,"statusMessage":"ok"}`},
		{"create VCA", call{method: "POST", path: webhooksPath, body: `{"type":"VCA","url":"https://ivr.example.com/vca","httpAuthHeader":"` + secret + `","enabled":true}`}, 200,
			`{"subAccountId":"acme","count":1,"webhooks":[{"type":"VCA","url":"https://ivr.example.com/vca","enabled":true,"httpAuthHeaderAvailable":true}],"statusCode":0,"statusMessage":"ok"}`},
		{"create VSS enabled by default, null header", call{method: "POST", path: webhooksPath, body: `{"type":"VSS","url":"http://ivr.example.com/vss","httpAuthHeader":null}`}, 200,
			`{"subAccountId":"acme","count":1,"webhooks":[{"type":"VSS","url":"http://ivr.example.com/vss","enabled":true,"httpAuthHeaderAvailable":false}],"statusCode":0,"statusMessage":"ok"}`},
		{"create VCS disabled", call{method: "POST", path: webhooksPath, body: `{"type":"VCS","url":"https://ivr.example.com/vcs","enabled":false,"active":true}`}, 200,
			`{"subAccountId":"acme","count":1,"webhooks":[{"type":"VCS","url":"https://ivr.example.com/vcs","enabled":false,"httpAuthHeaderAvailable":false}],"statusCode":0,"statusMessage":"ok"}`},
		{"list three", call{method: "GET", path: webhooksPath}, 200,
			`{"subAccountId":"acme","count":3,"webhooks":[
				{"type":"VCA","url":"https://ivr.example.com/vca","enabled":true,"httpAuthHeaderAvailable":true},
				{"type":"VSS","url":"http://ivr.example.com/vss","enabled":true,"httpAuthHeaderAvailable":false},
				{"type":"VCS","url":"https://ivr.example.com/vcs","enabled":false,"httpAuthHeaderAvailable":false}],
				"statusCode":0,"statusMessage":"ok"}`},
		{"create an existing type", call{method: "POST", path: webhooksPath, body: `{"type":"VCA","url":"https://ivr.example.com/v2/vca"}`}, 409,
			`{"errorId":"<uuid>","statusCode":"409","statusMessage":"Webhook of type VCA already exists; delete it before creating another","timestamp":"<time>"}`},
		{"unknown type", call{method: "POST", path: webhooksPath, body: `{"type":"vca","url":"https://ivr.example.com/vca"}`}, 422,
			`{"errorId":"<uuid>","statusCode":"1001","statusMessage":"Invalid JSON request body: type must be one of VCA, VSS, VCS, VRU, VNU","timestamp":"<time>"}`},
		{"no type", call{method: "POST", path: webhooksPath, body: `{"url":"https://ivr.example.com/vca"}`}, 422,
			`{"errorId":"<uuid>","statusCode":"1001","statusMessage":"Invalid JSON request body: type must be one of VCA, VSS, VCS, VRU, VNU","timestamp":"<time>"}`},
		{"no url", call{method: "POST", path: webhooksPath, body: `{"type":"VRU"}`}, 422,
			`{"errorId":"<uuid>","statusCode":"1001","statusMessage":"Invalid JSON request body: url must be an absolute http or https URL","timestamp":"<time>"}`},
		{"empty url", call{method: "POST", path: webhooksPath, body: `{"type":"VRU","url":""}`}, 422,
			`{"errorId":"<uuid>","statusCode":"1001","statusMessage":"Invalid JSON request body: url must be an absolute http or https URL","timestamp":"<time>"}`},
		{"relative url", call{method: "POST", path: webhooksPath, body: `{"type":"VRU","url":"/webhooks/vru"}`}, 422,
			`{"errorId":"<uuid>","statusCode":"1001","statusMessage":"Invalid JSON request body: url must be an absolute http or https URL","timestamp":"<time>"}`},
		{"enabled not a boolean", call{method: "POST", path: webhooksPath, body: `{"type":"VRU","url":"https://x.example.com","enabled":"yes"}`}, 422,
			`{"errorId":"<uuid>","statusCode":"1001","statusMessage":"Invalid JSON request body","timestamp":"<time>"}`},
		{"not JSON", call{method: "POST", path: webhooksPath, body: `type=VRU`}, 422,
			`{"errorId":"<uuid>","statusCode":"1001","statusMessage":"Invalid JSON request body","timestamp":"<time>"}`},
		{"no content type", call{method: "POST", path: webhooksPath, contentType: "-", body: `{"type":"VRU","url":"https://x.example.com"}`}, 415,
			`{"errorId":"<uuid>","statusCode":"415","statusMessage":"Content type '' not supported","timestamp":"<time>"}`},
		{"no key", call{method: "GET", path: webhooksPath, auth: "-"}, 401,
			`{"errorId":"<uuid>","statusCode":"401","statusMessage":"API key not found or invalid","timestamp":"<time>"}`},
		{"unknown sub-account", call{method: "GET", path: "/api/v1/subaccounts/other/webhooks"}, 404,
			`{"errorId":"<uuid>","statusCode":"404","statusMessage":"SubAccount not found by Id : other","timestamp":"<time>"}`},
		{"delete VCA", call{method: "DELETE", path: webhooksPath + "/VCA"}, 200,
			`{"subAccountId":"acme","type":"VCA","url":"https://ivr.example.com/vca","enabled":false,"httpAuthHeaderAvailable":true,"statusCode":0,"statusMessage":"deleted"}`},
		{"delete VCA again", call{method: "DELETE", path: webhooksPath + "/VCA"}, 404,
			`{"errorId":"<uuid>","statusCode":"404","statusMessage":"Webhook of type VCA not found","timestamp":"<time>"}`},
		{"delete without key", call{method: "DELETE", path: webhooksPath + "/VSS", auth: "Bearer nope"}, 401,
			`{"errorId":"<uuid>","statusCode":"401","statusMessage":"API key not found or invalid","timestamp":"<time>"}`},
		{"re-create VCA after delete", call{method: "POST", path: webhooksPath, body: `{"type":"VCA","url":"https://ivr.example.com/v2/vca"}`}, 200,
			`{"subAccountId":"acme","count":1,"webhooks":[{"type":"VCA","url":"https://ivr.example.com/v2/vca","enabled":true,"httpAuthHeaderAvailable":false}],"statusCode":0,"statusMessage":"ok"}`},
		{"put is not allowed", call{method: "PUT", path: webhooksPath + "/VCA", body: `{}`}, 405, "Method Not Allowed\n"},
	}
	for _, step := range steps {
		status, _, got := send(t, srv, step.call)
		want := any(step.want)
		if _, isText := got.(string); !isText {
			want = decode(t, step.want)
		}
		if status != step.wantStatus || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: HTTP %d %v\nwant HTTP %d %v", step.name, status, got, step.wantStatus, want)
		}
		if step.name == "list three" {
			if h, ok := srv.Webhook("VCA"); !ok || h.AuthHeader != secret || h.URL != "https://ivr.example.com/vca" || !h.Enabled {
				t.Errorf("Webhook(VCA) = %+v, %v", h, ok)
			}
		}
	}
	if _, ok := srv.Webhook("VRU"); ok {
		t.Error("an invalid create stored a VRU webhook")
	}
}

// TestWebhookSecretNeverReturned: no answer carries the httpAuthHeader.
func TestWebhookSecretNeverReturned(t *testing.T) {
	srv := voiceapitest.NewServer(t, key, sub)
	const secret = "s3cr3t-header-value"
	for _, c := range []call{
		{method: "POST", path: webhooksPath, body: `{"type":"VCA","url":"https://ivr.example.com/vca","httpAuthHeader":"` + secret + `"}`},
		{method: "POST", path: webhooksPath, body: `{"type":"VCA","url":"https://ivr.example.com/vca","httpAuthHeader":"` + secret + `"}`},
		{method: "GET", path: webhooksPath},
		{method: "DELETE", path: webhooksPath + "/VCA"},
	} {
		_, _, got := send(t, srv, c)
		b, _ := json.Marshal(got)
		if strings.Contains(string(b), secret) || strings.Contains(string(b), "httpAuthHeader\"") {
			t.Errorf("%s %s answered %s", c.method, c.path, b)
		}
	}
}

func TestSpeechProfiles(t *testing.T) {
	srv := voiceapitest.NewServer(t, key, sub)
	const path = "/api/v1/subaccounts/acme/speech-profiles"
	status, _, got := send(t, srv, call{method: "GET", path: path})
	want := decode(t, `{"speechProfiles":[
		{"speechProfileCode":"en-US-BenjaminRUS","localeCode":"en-US","localeDescription":"EnglishUS","gender":"M"},
		{"speechProfileCode":"en-GB-Emma","localeCode":"en-GB","localeDescription":"EnglishUK","gender":"F"},
		{"speechProfileCode":"en-IE-EmilyNeural","localeCode":"en-IE","localeDescription":"EnglishIreland","gender":"F"},
		{"speechProfileCode":"en-US-Jenny","localeCode":"en-US","localeDescription":"EnglishUS","gender":"F"},
		{"speechProfileCode":"en-US-Standard-A","localeCode":"en-US","localeDescription":"EnglishUS","gender":"F"}],
		"statusCode":0,"statusMessage":"ok"}`)
	if status != 200 || !reflect.DeepEqual(got, want) {
		t.Errorf("HTTP %d %v\nwant %v", status, got, want)
	}

	srv.SetSpeechProfiles(nil)
	if _, _, got := send(t, srv, call{method: "GET", path: path}); !reflect.DeepEqual(got, decode(t, `{"speechProfiles":[],"statusCode":0,"statusMessage":"ok"}`)) {
		t.Errorf("no profiles: %v", got)
	}
	if status, _, _ := send(t, srv, call{method: "GET", path: path, auth: "-"}); status != 401 {
		t.Errorf("no key: HTTP %d", status)
	}
	if status, _, _ := send(t, srv, call{method: "POST", path: path, body: `{}`}); status != 405 {
		t.Errorf("POST: HTTP %d", status)
	}
}

func TestFailNext(t *testing.T) {
	srv := voiceapitest.NewServer(t, key, sub)
	valid := `{"callflow":[` + makeCall + `]}`
	srv.FailNext(2, 429, "3")
	srv.FailNext(1, 500, "")
	srv.FailNext(1, 503, "Wed, 21 Oct 2015 07:28:00 GMT")

	for i, want := range []struct {
		call       call
		status     int
		retryAfter string
		body       string
	}{
		{call{method: "POST", path: callflowsPath, body: valid}, 429, "3",
			`{"sessionStatus":"NOT_CREATED","callFlowRequestId":"<uuid>","statusCode":429,"statusMessage":"Too Many Requests"}`},
		// Failures come before any check, the key's included.
		{call{method: "GET", path: webhooksPath, auth: "-"}, 429, "3",
			`{"errorId":"<uuid>","statusCode":"429","statusMessage":"Too Many Requests","timestamp":"<time>"}`},
		{call{method: "POST", path: callflowsPath, body: valid}, 500, "",
			`{"sessionStatus":"NOT_CREATED","callFlowRequestId":"<uuid>","statusCode":500,"statusMessage":"Internal server error"}`},
		{call{method: "GET", path: "/api/v1/subaccounts/acme/speech-profiles"}, 503, "Wed, 21 Oct 2015 07:28:00 GMT",
			`{"errorId":"<uuid>","statusCode":"503","statusMessage":"Service Unavailable","timestamp":"<time>"}`},
		{call{method: "POST", path: callflowsPath, body: valid}, 200, "",
			`{"sessionId":"<uuid>","sessionStatus":"CREATED","callFlowRequestId":"<uuid>","statusCode":1,"statusMessage":"Created"}`},
	} {
		status, header, got := send(t, srv, want.call)
		if status != want.status || header.Get("Retry-After") != want.retryAfter || !reflect.DeepEqual(got, decode(t, want.body)) {
			t.Errorf("request %d: HTTP %d, Retry-After %q, %v\nwant HTTP %d, Retry-After %q, %s",
				i+1, status, header.Get("Retry-After"), got, want.status, want.retryAfter, want.body)
		}
	}
	srv.FailNext(0, 500, "")
	srv.FailNext(-1, 500, "")
	if status, _, _ := send(t, srv, call{method: "GET", path: webhooksPath}); status != 200 {
		t.Errorf("after FailNext(0) and FailNext(-1): HTTP %d", status)
	}
}

func TestRequests(t *testing.T) {
	srv := voiceapitest.NewServer(t, key, sub)
	body := `{"callflow":[` + makeCall + `]}`
	send(t, srv, call{method: "POST", path: callflowsPath, body: body})
	send(t, srv, call{method: "GET", path: "/nowhere", auth: "-"})

	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	r := reqs[0]
	if r.Method != "POST" || r.Path != callflowsPath || string(r.Body) != body ||
		r.Header.Get("Authorization") != "Bearer "+key || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("request 1: %s %s %v %q", r.Method, r.Path, r.Header, r.Body)
	}
	if r := reqs[1]; r.Method != "GET" || r.Path != "/nowhere" || len(r.Body) != 0 || r.Header.Get("Authorization") != "" {
		t.Errorf("request 2: %s %s %v %q", r.Method, r.Path, r.Header, r.Body)
	}

	// A copy: changing it changes nothing in the server.
	reqs[0].Body[0] = 'X'
	reqs[0].Header.Set("Authorization", "changed")
	reqs[0].Method = "changed"
	if again := srv.Requests()[0]; string(again.Body) != body || again.Header.Get("Authorization") != "Bearer "+key || again.Method != "POST" {
		t.Errorf("Requests returned the server's own records: %+v", again)
	}
}

func TestConcurrentUse(t *testing.T) {
	srv := voiceapitest.NewServer(t, key, sub)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if i%4 == 0 {
				srv.FailNext(1, 503, "")
			}
			req, _ := http.NewRequest("GET", srv.URL+webhooksPath, nil)
			req.Header.Set("Authorization", "Bearer "+key)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
			srv.Requests()
			srv.Webhook("VCA")
		})
	}
	wg.Wait()
	if n := len(srv.Requests()); n != 20 {
		t.Errorf("%d requests recorded, want 20", n)
	}
}

func TestServerLifecycle(t *testing.T) {
	srv := voiceapitest.NewServer(nil, key, sub)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	host, _, _ := net.SplitHostPort(u.Host)
	if ip := net.ParseIP(host); u.Scheme != "http" || ip == nil || !ip.IsLoopback() {
		t.Errorf("URL %s is not on loopback", srv.URL)
	}
	if srv.APIKey != key || srv.SubAccount != sub {
		t.Errorf("APIKey %q, SubAccount %q", srv.APIKey, srv.SubAccount)
	}
	srv.Close()
	srv.Close() // a second Close does nothing
	if resp, err := http.Get(srv.URL + webhooksPath); err == nil {
		resp.Body.Close()
		t.Error("the server still answers after Close")
	}
}
