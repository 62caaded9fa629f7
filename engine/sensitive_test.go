package engine_test

import (
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/engine"
)

// TestDiagnosticSensitive: a finding inside a menu marked sensitive says
// so, whether or not the flow loads; one elsewhere does not.
func TestDiagnosticSensitive(t *testing.T) {
	const src = `start: pin
nodes:
  pin:
    menu: Enter your PIN.
    sensitive: true
    keys: {"4711": ok}
  other:
    menu: Press 1.
    keys: {"1": ok, "2": ok}
  ok:
    say: Fine.
`
	for _, tt := range []struct {
		name, src string
	}{
		{"loads", src},
		{"has errors", strings.Replace(src, `"4711": ok`, `"4711": nowhere`, 1) + "  broken:\n    menu: Press 1.\n    keys: {\"1\": nowhere}\n"},
	} {
		_, diags, _ := engine.Load("pin.yaml", engine.LoadOptions{Source: []byte(tt.src), Env: func(string) (string, bool) { return "", false }})
		var inPin, outside int
		for _, d := range diags {
			switch {
			case d.Pos.Line >= 3 && d.Pos.Line <= 6:
				inPin++
				if !d.Sensitive {
					t.Errorf("%s: %v lies in the sensitive menu but is not marked", tt.name, d)
				}
			case d.Sensitive:
				t.Errorf("%s: %v lies outside the sensitive menu but is marked", tt.name, d)
			default:
				outside++
			}
		}
		if inPin == 0 || outside == 0 {
			t.Errorf("%s: %d findings in the sensitive menu and %d outside; want some of each:\n%v", tt.name, inPin, outside, diags)
		}
	}
}
