package engine

import (
	"fmt"
	"slices"

	"github.com/ivrctl/ivrctl/callflows"
)

// RuleVoice reports a voice that the 8x8 sub-account does not offer.
const RuleVoice = "voice"

// CheckVoices reports every voice the flow speaks with that known does not
// list, at the place in the flow file that chose it: 8x8 refuses such a
// callflow with status -1002 only when a caller reaches it. known is the
// sub-account's list of speech profile codes (ivrctl voices).
func (f *Flow) CheckVoices(known []string) Diagnostics {
	var diags Diagnostics
	nodes := append(f.Nodes(), f.fallback)
	for _, n := range nodes {
		for i, a := range n.callflow {
			var voice string
			switch a := a.(type) {
			case *callflows.Say:
				voice = a.VoiceProfile
			case *callflows.SayAndCapture:
				voice = a.VoiceProfile
			default:
				continue
			}
			if voice == "" || slices.Contains(known, voice) {
				continue
			}
			pos, ok := n.fields[fmt.Sprintf("$.callflow[%d].params.voiceProfile", i)]
			if !ok {
				pos = n.pos
			}
			d := &Diagnostic{
				Pos:      pos,
				Severity: SeverityError,
				Rule:     RuleVoice,
				Message:  fmt.Sprintf("voice %q is not one of the sub-account's speech profiles", voice),
				Hint:     suggest(voice, known),
			}
			diags = append(diags, d)
		}
	}
	diags.Sort()
	return diags
}
