package engine

import (
	"strings"
	"testing"
)

func TestKeyMentions(t *testing.T) {
	tests := []struct {
		prompt    string
		maxDigits int
		want      string // key@quoted span, space separated
	}{
		{"Welcome to ABC Restaurant, to book a table press 1, to speak to a representative press 2.", 1, `1@"press 1" 2@"press 2"`},
		{"Press 1 to connect now, press 2 to return", 1, `1@"Press 1" 2@"press 2"`},
		{"1 for sales, 2 for support", 1, `1@"1 for" 2@"2 for"`},
		{"press 1 for sales", 1, `1@"press 1"`},
		{"Press star to go back, PRESS HASH to repeat", 1, `*@"Press star" #@"PRESS HASH"`},
		{"press asterisk, press pound, press *, press #", 1, `*@"press asterisk" #@"press pound" *@"press *" #@"press #"`},
		{"press the star key", 1, `*@"press the star"`},
		{"enter 12 or 34", 2, `12@"enter 12" 34@"34"`},
		{"dial 0 for the operator", 1, `0@"dial 0"`},
		{"hang up and dial 999. For sales press 1", 1, `1@"press 1"`},
		{"hang up and dial 999", 3, `999@"dial 999"`},
		{"press. 1 for", 1, `1@"1 for"`},
		{"open 7 days a week, 9 to 5", 1, ``},
		{"Press 12", 1, `12@"Press 12"`}, // a key too long is still a mention
		{"", 1, ``},
	}
	for _, tt := range tests {
		var got []string
		for _, m := range keyMentions(tt.prompt, tt.maxDigits) {
			got = append(got, m.key+"@\""+tt.prompt[m.start:m.end]+"\"")
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("keyMentions(%q) = %s, want %s", tt.prompt, g, tt.want)
		}
	}
}

func FuzzKeyMentions(f *testing.F) {
	f.Add("press 1 or 2, 3 for more, press the star key", 1)
	f.Fuzz(func(t *testing.T, s string, maxDigits int) {
		for _, m := range keyMentions(s, maxDigits) {
			if m.start < 0 || m.end > len(s) || m.start >= m.end {
				t.Fatalf("mention %+v out of %q", m, s)
			}
		}
	})
}
