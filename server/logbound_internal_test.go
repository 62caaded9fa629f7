package server

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	long := strings.Repeat("a", MaxLogValue)
	tests := []struct {
		name, in, want string
	}{
		{"short", "call-1", "call-1"},
		{"at the limit", long, long},
		{"one over", long + "b", long + cutMark},
		{"invalid, short", "a\xffb", "a\uFFFDb"},
		{"invalid run, short", "a\xff\xfe\xfdb", "a\uFFFDb"},
		{"rune across the cut", long[:MaxLogValue-1] + "é" + "zzzz", long[:MaxLogValue-1] + cutMark},
		{"invalid, growing past the limit", strings.Repeat("\xffa", MaxLogValue/2), strings.Repeat("\uFFFDa", MaxLogValue/4) + cutMark},
		{"long, invalid at the edge", long[:MaxLogValue-2] + "\xff\xff\xff\xff\xff\xff", long[:MaxLogValue-2] + cutMark},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clip(tt.in)
			if got != tt.want {
				t.Errorf("clip(%.40q) = %q, want %q", tt.in, got, tt.want)
			}
			if !utf8.ValidString(got) || len(strings.TrimSuffix(got, cutMark)) > MaxLogValue {
				t.Errorf("clip(%.40q) = %q: invalid or too long", tt.in, got)
			}
		})
	}
}
