package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// hoursFlow is bilingual, opens with a recorded greeting, and keeps hours
// in Pacific/Auckland, far from the machine's zone.
const hoursFlow = "../../engine/scenario/testdata/hours.yaml"

// TestSimHours: --at is read in the line's zone and the transcript says
// which branch the schedule took and why; a language chosen by a key, or
// by --lang, is what every later answer is in, in its own voice. Each
// golden transcript testdata/sim/hours_NAME.txt must say what says holds.
func TestSimHours(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		says []string
	}{
		{"holiday_es", []string{"--at", "2026-12-25 10:00", "--keys", "2"}, []string{
			"[choose] (en-US-JennyNeural) For English, press 1.",
			"> 2\n(now in es; hours: Fri 2026-12-25 10:00 NZDT: holiday (closed: Christmas Day))\n" +
				"[holiday] (es-MX-DaliaNeural) Hoy cerramos por el feriado.\n",
		}},
		{"open_en", []string{"--at", "2026-12-24 10:00", "--keys", "1"}, []string{
			"> 1\n(hours: Thu 2026-12-24 10:00 NZDT: open (weekly hours))\n[open] (en-US-JennyNeural) We are open. Goodbye.\n",
		}},
		{"closed_rfc3339", []string{"--at", "2026-12-24T08:00:00Z", "--keys", "1"}, []string{
			"> 1\n(hours: Thu 2026-12-24 21:00 NZDT: closed (weekly hours))\n[closed] (en-US-JennyNeural) We are closed.",
		}},
		{"lang_es", []string{"--lang", "es", "--at", "2026-12-24 10:00", "--keys", "-"}, []string{
			"(now in es)\n[greeting] play https://example.com/greeting.mp3\n[greeting] (es-MX-DaliaNeural) Gracias por llamar.\n" +
				"[choose] (es-MX-DaliaNeural) Para español",
			"> -\n(hours: Thu 2026-12-24 10:00 NZDT: open (weekly hours))\n[open] (es-MX-DaliaNeural) Estamos abiertos. Adiós.\n",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, got, stderr := runCLI(t, append(append([]string{"sim"}, tc.args...), hoursFlow)...)
			if code != exitOK || stderr != "" {
				t.Fatalf("exit code %d, stderr %q; want 0 and nothing", code, stderr)
			}
			golden := filepath.Join("testdata", "sim", "hours_"+tc.name+".txt")
			want := simGolden(t, golden, got)
			for _, s := range tc.says {
				if !strings.Contains(want, s) {
					t.Errorf("%s does not contain %q:\n%s", golden, s, want)
				}
			}
		})
	}
}

// TestSimHoursLangUnknown: --lang names a language the flow declares.
func TestSimHoursLangUnknown(t *testing.T) {
	code, _, stderr := runCLI(t, "sim", "--lang", "fr", "--keys", "-", hoursFlow)
	if want := "ivrctl sim: --lang: the flow has no language \"fr\"; it has en, es\n"; code != exitUsage || stderr != want {
		t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, exitUsage, want)
	}
}

// TestTestHours: ivrctl test plays hours.test.yaml, a case per schedule
// branch with its time and a case per language, at full coverage.
func TestTestHours(t *testing.T) {
	code, stdout, stderr := runCLI(t, "test", "--min-coverage", "100", "../../engine/scenario/testdata/hours.test.yaml")
	if code != exitOK || stderr != "" || !strings.HasSuffix(stdout, "coverage: nodes 7/7 (100%), edges 8/8 (100%)\n") {
		t.Errorf("exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}
}
