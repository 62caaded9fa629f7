package engine_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/callstate"
)

// TestEveryAnswerValid answers, for every shipped flow, every node in every
// language from every retry count with every key, hotkey, wrong key,
// silence and transfer outcome, and checks each answer against 8x8's rules:
// the variants compiled at load are exactly what is served.
func TestEveryAnswerValid(t *testing.T) {
	paths, _ := filepath.Glob("../examples/*.yaml")
	more, _ := filepath.Glob("../flows/*.yaml")
	paths = append(append(paths, more...), "../server/testdata/clinic_line.yaml")
	keys, err := callstate.ParseKeys("ZXZlcnktYW5zd2VyLWtleS0wMTIz")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range paths {
		if filepath.Ext(filepath.Base(path[:len(path)-len(filepath.Ext(path))])) == ".test" {
			continue // a scenario file
		}
		flow, diags, err := engine.Load(path, engine.LoadOptions{Env: noEnv})
		if err != nil || flow == nil {
			t.Errorf("%s: %v %v", path, err, diags)
			continue
		}
		answers := 0
		inputs := []engine.Input{{Digits: ""}, {Digits: "x"}, {Digits: "7"}}
		for _, d := range []string{"0", "1", "2", "3", "9", "*", "#", "12"} {
			inputs = append(inputs, engine.Input{Digits: d})
		}
		for _, o := range callflows.TransferOutcomes {
			inputs = append(inputs, engine.Input{Transfer: o})
		}
		langs := append([]string{""}, flow.Languages()...)
		for _, n := range flow.Nodes() {
			for _, lang := range langs {
				for count := range uint8(3) {
					st := engine.State{Node: n.ID(), Lang: lang, NoInput: count, Invalid: count}
					id, err := keys.Encode(st)
					if err != nil {
						t.Fatal(err)
					}
					for _, in := range inputs {
						body, step := flow.Answer(nil, keys, id, in)
						if step.Request() != nil {
							// Every result of the request, one after another.
							for _, resp := range requestResponses {
								body, _ := flow.Resume(nil, keys, step, resp, in)
								if problems := callflows.ValidateJSON(body, callflows.Answer); len(problems) > 0 {
									t.Errorf("%s: %s after a response %+v answered %s:\n%v", path, n.ID(), resp, body, problems)
								}
							}
							continue
						}
						answers++
						if problems := callflows.ValidateJSON(body, callflows.Answer); len(problems) > 0 {
							t.Errorf("%s: %s in %q with %+v answered %s:\n%v", path, n.ID(), lang, in, body, problems)
						}
						if step.Outcome == engine.OutcomeBadState {
							t.Errorf("%s: the state %+v was refused: %v", path, st, step.StateErr)
						}
					}
				}
			}
		}
		t.Logf("%s: %d answers", path, answers)
	}
}

// requestResponses are a response of each result, for request nodes.
var requestResponses = []engine.Response{
	{Status: 200, Body: []byte(`{"status": "shipped", "eta": "20261224", "n": 4, "ok": true}`)},
	{Status: 200, Body: []byte(`not json`)},
	{Status: 404},
	{Status: 503},
	{TimedOut: true},
	{Err: errors.New("connection refused")},
}
