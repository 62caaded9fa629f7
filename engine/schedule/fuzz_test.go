package schedule

import (
	"testing"
	"time"
)

// FuzzCompile feeds every textual field of a Spec: Compile must answer
// with Problems under known rules, never panic, and a Schedule it returns
// must answer Branch with one of its Branches.
func FuzzCompile(f *testing.F) {
	f.Add("America/New_York", "open", "mon-fri", "08:00-12:00, 13:00-17:00", "2026-12-25", "2026-12-24", "08:00-12:00", "us")
	f.Add("Europe/Paris", "morning", "daily", "06:00-12:00", "2026-02-30", "2026-12-24", "closed", "fr")
	f.Add("America/New_Yrok", "late", "fri-mon", "22:00-02:00", "2026-12-25", "2026-12-25", "", "usa")
	f.Add("UTC", "open", "sun", "23:00-24:00, 00:00-01:00", "x", "2026-13-01", "24:00-01:00", "")
	f.Add("Local", "open now", "mon,,wed", "8:00-8:00", "", "", "–", "GB")
	known := map[string]bool{}
	for _, r := range Rules() {
		known[r.Name] = true
	}
	instants := []time.Time{
		time.Date(2026, 12, 24, 12, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 25, 3, 0, 0, 0, time.UTC),
		time.Date(2150, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	f.Fuzz(func(t *testing.T, zone, branch, days, hours, closed, special, specialHours, holidays string) {
		s, problems := Compile(Spec{
			Zone:     fv(zone),
			Weekly:   []Weekly{{fv(branch), fv(days), fv(hours)}},
			Closed:   []Closure{{Date: fv(closed), Name: fv("closed")}},
			Special:  []Special{{fv(special), fv(branch), fv(specialHours)}},
			Holidays: fv(holidays),
		})
		for _, p := range problems {
			if !known[p.Rule] || p.Message == "" {
				t.Fatalf("problem %+v", p)
			}
			if !p.Warning && s != nil {
				t.Fatalf("a schedule despite %+v", p)
			}
		}
		if s == nil {
			return
		}
		branches := map[string]bool{}
		for _, b := range s.Branches() {
			branches[b] = true
		}
		for _, at := range instants {
			if b := s.Branch(at); !branches[b] {
				t.Fatalf("Branch(%s) = %q, not among %q", at, b, s.Branches())
			}
			_ = s.Explain(at)
		}
		if changes := Changes(s, s); len(changes) != 0 {
			t.Fatalf("Changes(s, s) = %q", changes)
		}
		_ = s.Describe()
	})
}
