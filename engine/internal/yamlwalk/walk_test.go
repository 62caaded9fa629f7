package yamlwalk

import (
	"fmt"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// src is the file the span tests point into.
const src = "version: 1\n" + // 1
	"start: main  # the first node\n" + // 2
	"nodes:\n" + // 3
	"  main:\n" + // 4
	"    say: \"Hello \\\"you\\\"\" # greet\n" + // 5
	"    voice: 'it''s me'\n" + // 6
	"    keys: {\"1\": x, \"2\": [a, b]}\n" + // 7
	"\tbad:\ttabbed value\n" + // 8
	"   keys: broken\r\n" + // 9
	"    speed: \"unclosed\n" + // 10
	"    url: http://example.com:80/a  \n" + // 11
	"    say: *greeting\n" // 12

// TestAt checks where At ends the token at a line and column: a key, a
// plain or quoted scalar, a flow collection, on one line.
func TestAt(t *testing.T) {
	tests := []struct {
		name      string
		line, col int
		end       Point
	}{
		{"plain value before a comment", 2, 8, Point{2, 12}},
		{"key", 2, 1, Point{2, 6}},
		{"key with nothing after the colon", 4, 3, Point{4, 7}},
		{"double-quoted value with escaped quotes", 5, 10, Point{5, 25}},
		{"single-quoted value", 6, 12, Point{6, 22}},
		{"flow mapping", 7, 11, Point{7, 32}},
		{"quoted key in a flow mapping", 7, 12, Point{7, 15}},
		{"plain value in a flow mapping", 7, 17, Point{7, 18}},
		{"flow sequence", 7, 25, Point{7, 31}},
		{"plain value in a flow sequence", 7, 29, Point{7, 30}},
		{"key after a tab", 8, 2, Point{8, 5}},
		{"value after tabs", 8, 7, Point{8, 19}},
		{"syntax error line with CRLF", 9, 4, Point{9, 8}},
		{"unclosed quote", 10, 12, Point{10, 21}},
		{"colons inside a plain value, trailing blanks", 11, 10, Point{11, 33}},
		{"alias", 12, 10, Point{12, 19}},
		{"column past the end of the line", 4, 9, Point{4, 10}},
		{"no column", 3, 0, Point{}},
		{"no line", 0, 0, Point{}},
		{"line past the end", 13, 1, Point{}},
	}
	w := New([]byte(src))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := w.At(tt.line, tt.col)
			if got.Start != (Point{tt.line, tt.col}) || got.End != tt.end {
				t.Errorf("At(%d, %d) = %+v, want end %+v", tt.line, tt.col, got, tt.end)
			}
		})
	}
}

// TestAtOtherFiles: columns count characters, not bytes, before the token
// and in it; a quoted scalar ends at its closing quote and a flow
// collection at its closing bracket, lines later; one the file does not
// close ends with its first line.
func TestAtOtherFiles(t *testing.T) {
	const (
		multibyte = "ünï: \"Grüß dich\" # ß\nx: {é: ö}\n"
		lines     = "a: \"one\n  two\" # c\n" + // 1-2
			"b: {x: 'it''s\n  # not a comment\n  ok', # yes\n  y: [1, \"]\"]}\n" + // 3-6
			"c: 'open  \n" // 7
	)
	tests := []struct {
		src       string
		line, col int
		end       Point
	}{
		{multibyte, 1, 1, Point{1, 4}},
		{multibyte, 1, 6, Point{1, 17}},
		{multibyte, 2, 4, Point{2, 10}},
		{multibyte, 2, 5, Point{2, 6}},
		{multibyte, 2, 8, Point{2, 9}},
		{lines, 1, 4, Point{2, 7}},
		{lines, 3, 4, Point{6, 15}},
		{lines, 3, 8, Point{5, 6}},
		{lines, 6, 6, Point{6, 14}},
		{lines, 7, 4, Point{7, 9}},
	}
	for _, tt := range tests {
		if got := New([]byte(tt.src)).At(tt.line, tt.col); got.End != tt.end {
			t.Errorf("At(%d, %d) of %q ends at %+v, want %+v", tt.line, tt.col, tt.src, got.End, tt.end)
		}
	}
}

// TestPairsMerge: a merge key is replaced by the merged mappings' pairs,
// which keep where they are written; the mapping's own keys win, then the
// first merged mapping; a merge of a merge is followed.
func TestPairsMerge(t *testing.T) {
	const src = "a: &a {x: 1, y: 2}\n" + // 1
		"b: &b {<<: *a, z: 3}\n" + // 2
		"c:\n" + // 3
		"  y: 4\n" + // 4
		"  <<: [*b, {x: 5, w: 6}]\n" + // 5
		"  v: 7\n" // 6
	w := New([]byte(src))
	docs, ok := w.Documents()
	if !ok {
		t.Fatal(w.Problems[0].Message)
	}
	var got []string
	w.Mapping(docs[0].Content[0].Content[5], "c", nil, func(k, v *yaml.Node) {
		got = append(got, fmt.Sprintf("%s=%s@%d:%d", k.Value, v.Value, k.Line, k.Column))
	})
	want := "y=4@4:3 x=1@1:8 z=3@2:16 w=6@5:19 v=7@6:3"
	if g := strings.Join(got, " "); g != want || len(w.Problems) > 0 {
		t.Errorf("pairs of c = %s, want %s; problems %v", g, want, w.Problems)
	}
}
