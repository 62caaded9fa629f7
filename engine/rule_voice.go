package engine

import (
	"fmt"
	"slices"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine/internal/yamlwalk"
)

// RuleVoice reports a voice that the 8x8 sub-account does not offer.
const RuleVoice = "voice"

// checkVoices reports every voice the flow speaks with that the
// sub-account's list (LoadOptions.Voices) does not have, at the place in
// the flow file that chose it: 8x8 refuses such a callflow with status
// -1002 only when a caller reaches it.
func (c *compiler) checkVoices() {
	if c.voices == nil {
		return
	}
	// Each language's voice speaks in every node: reported once, where
	// the language sets it.
	langVoice := map[string]bool{}
	for _, l := range c.langs {
		if l.voice == "" {
			continue
		}
		langVoice[l.voice] = true
		if !slices.Contains(c.voices, l.voice) {
			d := c.errorf(l.voiceAt, RuleVoice, "voice %q is not one of the sub-account's speech profiles", l.voice)
			d.Hint = yamlwalk.Suggest(l.voice, c.voices)
		}
	}
	for _, n := range append(c.flow.Nodes(), c.flow.fallback) {
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
			if voice == "" || langVoice[voice] || slices.Contains(c.voices, voice) {
				continue
			}
			r, ok := c.params[n][fmt.Sprintf("$.callflow[%d].params.voiceProfile", i)]
			if !ok {
				r = c.nodeRange(n)
			}
			d := c.errorf(r, RuleVoice, "voice %q is not one of the sub-account's speech profiles", voice)
			d.Hint = yamlwalk.Suggest(voice, c.voices)
		}
	}
}
