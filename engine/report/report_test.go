package report_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/report"
)

// printSrc is the flow file the Print tests point into.
const printSrc = "start: main  # the first node\n" + // 1
	"nodes:\n" + // 2
	"  main:\n" + // 3
	"\tbad:\ttabbed value\n" + // 4
	"   keys: broken\r\n" + // 5
	"    speed: \"unclosed\n" // 6

func TestPrint(t *testing.T) {
	tests := []struct {
		name string
		pos  engine.Pos
		end  int    // the column just after the range on pos's line; -1: on the next line
		want string // the lines after the header
	}{
		{"plain value before a comment", engine.Pos{Line: 1, Col: 8}, 12,
			"start: main  # the first node\n       ^~~~\n"},
		{"value after tabs", engine.Pos{Line: 4, Col: 7}, 19,
			"\tbad:\ttabbed value\n\t    \t^~~~~~~~~~~~\n"},
		{"syntax error line with CRLF", engine.Pos{Line: 5, Col: 4}, 8,
			"   keys: broken\n   ^~~~\n"},
		{"column past the end of the line", engine.Pos{Line: 3, Col: 9}, 10,
			"  main:\n        ^\n"},
		{"range that goes on to the next line", engine.Pos{Line: 6, Col: 12}, -1,
			"    speed: \"unclosed\n           ^~~~~~~~~\n"},
		{"no end", engine.Pos{Line: 1, Col: 8}, 0,
			"start: main  # the first node\n       ^\n"},
		{"no column", engine.Pos{Line: 2}, 0,
			"nodes:\n"},
		{"no line", engine.Pos{}, 0, ""},
		{"line past the end", engine.Pos{Line: 7, Col: 1}, 0, ""},
		{"file not in sources", engine.Pos{File: "other.yaml", Line: 1, Col: 1}, 0, ""},
	}
	sources := map[string][]byte{"flow.yaml": []byte(printSrc)}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.pos.File == "" {
				tt.pos.File = "flow.yaml"
			}
			d := &engine.Diagnostic{Range: engine.Range{Pos: tt.pos}, Rule: "test", Message: "bad"}
			switch {
			case tt.end > 0:
				d.End = engine.Pos{File: tt.pos.File, Line: tt.pos.Line, Col: tt.end}
			case tt.end < 0:
				d.End = engine.Pos{File: tt.pos.File, Line: tt.pos.Line + 1, Col: 3}
			}
			var b bytes.Buffer
			if err := report.Print(&b, engine.Diagnostics{d}, sources, false); err != nil {
				t.Fatal(err)
			}
			want := d.String() + "\n" + tt.want
			if b.String() != want {
				t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
			}
		})
	}
}

func TestPrintColor(t *testing.T) {
	ds := engine.Diagnostics{
		{Range: engine.Range{Pos: engine.Pos{File: "f.yaml", Line: 1, Col: 8}, End: engine.Pos{File: "f.yaml", Line: 1, Col: 12}}, Rule: "start", Message: "unknown node", Hint: "did you mean \"main\"?"},
		{Range: engine.Range{Pos: engine.Pos{File: "f.yaml", Line: 1, Col: 1}, End: engine.Pos{File: "f.yaml", Line: 1, Col: 6}}, Severity: engine.SeverityWarning, Rule: "style", Message: "odd"},
	}
	sources := map[string][]byte{"f.yaml": []byte("start: mian\n")}
	var b bytes.Buffer
	if err := report.Print(&b, ds, sources, true); err != nil {
		t.Fatal(err)
	}
	want := "\x1b[1mf.yaml:1:8:\x1b[0m \x1b[31merror\x1b[0m: unknown node; did you mean \"main\"? \x1b[90m[start]\x1b[0m\n" +
		"start: mian\n" +
		"       \x1b[32m^~~~\x1b[0m\n" +
		"\x1b[1mf.yaml:1:1:\x1b[0m \x1b[33mwarning\x1b[0m: odd \x1b[90m[style]\x1b[0m\n" +
		"start: mian\n" +
		"\x1b[32m^~~~~\x1b[0m\n"
	if b.String() != want {
		t.Errorf("got:\n%q\nwant:\n%q", b.String(), want)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestPrintWriteError(t *testing.T) {
	ds := engine.Diagnostics{{Range: engine.Range{Pos: engine.Pos{File: "f.yaml"}}, Rule: "r", Message: "m"}}
	if err := report.Print(failWriter{}, ds, nil, false); err == nil || err.Error() != "disk full" {
		t.Errorf("Print error = %v, want disk full", err)
	}
	if err := report.JSON(failWriter{}, ds); err == nil {
		t.Error("JSON error = nil, want disk full")
	}
}

func TestJSON(t *testing.T) {
	tests := []struct {
		name string
		ds   engine.Diagnostics
		want string
	}{
		{"none", nil, "[]\n"},
		{"hint and warning", engine.Diagnostics{
			{Range: engine.Range{Pos: engine.Pos{File: "f.yaml", Line: 5, Col: 5}, End: engine.Pos{File: "f.yaml", Line: 5, Col: 10}}, Rule: "unknown-key", Message: `unknown key "vocie" <in> node "main"`, Hint: `did you mean "voice"?`},
			{Range: engine.Range{Pos: engine.Pos{File: "f.yaml"}}, Severity: engine.SeverityWarning, Rule: "empty", Message: "empty file"},
		}, `[
  {
    "file": "f.yaml",
    "line": 5,
    "column": 5,
    "end_line": 5,
    "end_column": 10,
    "severity": "error",
    "rule": "unknown-key",
    "message": "unknown key \"vocie\" <in> node \"main\"",
    "hint": "did you mean \"voice\"?"
  },
  {
    "file": "f.yaml",
    "line": 0,
    "column": 0,
    "end_line": 0,
    "end_column": 0,
    "severity": "warning",
    "rule": "empty",
    "message": "empty file"
  }
]
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := report.JSON(&b, tt.ds); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", b.String(), tt.want)
			}
		})
	}
}

// FuzzPrint checks that Print never panics and always ends each
// diagnostic with a newline, wherever the position points.
func FuzzPrint(f *testing.F) {
	f.Add([]byte(printSrc), 7, 12)
	f.Add([]byte("a: \"\\"), 1, 4)
	f.Add([]byte("\xff\t{'"), 1, 3)
	f.Fuzz(func(t *testing.T, src []byte, line, col int) {
		if line < 0 || col < 0 || col > 1000 {
			return
		}
		d := &engine.Diagnostic{Range: engine.Range{Pos: engine.Pos{File: "f", Line: line, Col: col}}, Rule: "r", Message: "m"}
		var b bytes.Buffer
		if err := report.Print(&b, engine.Diagnostics{d}, map[string][]byte{"f": src}, false); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(b.String(), "\n") {
			t.Errorf("output %q does not end in a newline", b.String())
		}
	})
}

func ExamplePrint() {
	src := []byte("version: 1\nstart: mian\nnodes:\n  main:\n    say: Hi.\n")
	_, diags, _ := engine.Load("tiny.yaml", engine.LoadOptions{Source: src})
	_ = report.Print(os.Stdout, diags, map[string][]byte{"tiny.yaml": src}, false)
	fmt.Println(diags.HasErrors())
	// Output:
	// tiny.yaml:2:8: error: unknown node "mian" as start; did you mean "main"? [start]
	// start: mian
	//        ^~~~
	// true
}
