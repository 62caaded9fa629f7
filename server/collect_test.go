package server_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/callflows/carrier"
	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/callstate"
	"github.com/ivrctl/ivrctl/server"
	"github.com/ivrctl/ivrctl/server/logtest"
)

const accountFlow = `
start: account
nodes:
  account:
    collect: Please enter your account number, then press pound.
    into: account
    capture: {min_digits: 6, max_digits: 6}
    then: pin
  pin:
    collect: Please enter your PIN.
    into: pin
    sensitive: true
    capture: {min_digits: 4, max_digits: 4}
    then: balance
  balance:
    say: Thank you. Account {{account | last 4}} is ready.
`

// TestCollectOverHTTP: a caller types an account number, read back, then a
// PIN, which is found nowhere: not in the log, not in /metrics, not
// readable in the clientActionId without the key.
func TestCollectOverHTTP(t *testing.T) {
	flow, diags, err := engine.Load("account.yaml", engine.LoadOptions{Source: []byte(accountFlow), Env: noEnv})
	if flow == nil {
		t.Fatal(diags, err)
	}
	if err := server.CheckFlow(flow, callstate.Keys{}); err == nil {
		t.Error("CheckFlow accepts a flow with a PIN and no state key")
	}
	keys, err := callstate.ParseKeys("YWNjb3VudC10ZXN0LWtleS0wMTIzNDU2")
	if err != nil {
		t.Fatal(err)
	}
	log := &logtest.Buffer{}
	srv := server.New(flow, server.Options{Logger: zerolog.New(log), StateKeys: keys})
	ts := httptest.NewServer(srv.Routes())
	t.Cleanup(ts.Close)
	c := &carrier.Caller{BaseURL: ts.URL, CallID: "call-pin"}
	ctx := context.Background()
	if _, err := c.Ring(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Press(ctx, "123456"); err != nil {
		t.Fatal(err)
	}
	withPIN := c.Last.ClientActionID
	r, err := c.Press(ctx, "9713")
	if err != nil {
		t.Fatal(err)
	}
	if say, ok := r.Callflow[0].(*callflows.Say); !ok || say.Text != "Thank you. Account 3 4 5 6 is ready." {
		t.Fatalf("the read-back answer is %+v", r.Callflow)
	}
	state := c.Last.ClientActionID
	for _, id := range []string{withPIN, state} {
		if _, err := (callstate.Keys{}).Decode(id); err == nil {
			t.Errorf("the state %q opens without the key", id)
		}
	}
	checkNoPINs(t, map[string]string{"log": log.String(), "metrics": seriesOf(t, ts.URL), "clientActionId": state}, "9713")
	if !strings.Contains(log.String(), `"dtmf":"[redacted]"`) {
		t.Errorf("the PIN's webhook is not logged as redacted:\n%s", log.String())
	}
}
