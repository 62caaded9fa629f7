package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeBlocks returns the fenced code blocks of README.md with their info
// strings (yaml, sh, or "" for plain output).
func readmeBlocks(t *testing.T) (lang, body []string) {
	t.Helper()
	src, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile("(?ms)^```([a-z]*)\n(.*?)^```\n").FindAllStringSubmatch(string(src), -1) {
		lang, body = append(lang, m[1]), append(body, m[2])
	}
	return lang, body
}

// TestREADMEFlows: every flow the README shows (a YAML block with nodes)
// lints clean with --strict, so that a newcomer who copies one gets no
// surprise. A block that says it is shortened from a shipped flow ("# from
// examples/x.yaml, shortened") is checked through that flow, which must
// exist; CI lints it.
func TestREADMEFlows(t *testing.T) {
	langs, bodies := readmeBlocks(t)
	checked := 0
	for i, body := range bodies {
		if langs[i] != "yaml" || !strings.Contains(body, "\nnodes:") || strings.Contains(body, ": see the file") { // an excerpt of a shipped flow
			continue
		}
		if from, ok := strings.CutPrefix(body, "# from "); ok {
			file, _, _ := strings.Cut(from, ",")
			if _, err := os.Stat(filepath.Join("../..", file)); err != nil {
				t.Errorf("README's flow block %d is shortened from %s: %v", i, file, err)
			}
			continue
		}
		path := filepath.Join(t.TempDir(), "flow.yaml")
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, stdout, stderr := runCLI(t, "lint", "--strict", path); code != exitOK {
			t.Errorf("README's flow block %d does not lint clean (exit %d):\n%s%s\n%s", i, code, stdout, stderr, body)
		}
		checked++
	}
	if checked < 4 {
		t.Errorf("checked %d flows of README; want the tutorial's steps at least", checked)
	}
}

// TestREADMETranscripts: a plain block that starts with "$ go run
// ./cmd/ivrctl ARGS" on a shipped file shows exactly what that command
// prints. go test -update rewrites those blocks with what it prints now.
func TestREADMETranscripts(t *testing.T) {
	langs, bodies := readmeBlocks(t)
	t.Chdir("../..") // README's paths are from the module root
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for i, body := range bodies {
		cmd, want, ok := strings.Cut(body, "\n")
		if langs[i] != "" || !ok || !strings.HasPrefix(cmd, "$ go run ./cmd/ivrctl ") {
			continue
		}
		args := strings.Fields(strings.TrimPrefix(cmd, "$ go run ./cmd/ivrctl "))
		if last := args[len(args)-1]; strings.Contains(last, ".yaml") {
			if _, err := os.Stat(last); err != nil {
				continue // a file the tutorial has the reader write
			}
		}
		code, stdout, stderr := runCLI(t, args...)
		switch {
		case code == exitOK && *update:
			readme = []byte(strings.Replace(string(readme), "```\n"+body+"```\n", "```\n"+cmd+"\n"+stdout+"```\n", 1))
		case code != exitOK || stdout != want:
			t.Errorf("README's %q shows\n%s\nbut it prints (exit %d)\n%s%s", cmd, want, code, stdout, stderr)
		}
		checked++
	}
	if *update {
		if err := os.WriteFile("README.md", readme, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if checked < 3 {
		t.Errorf("checked %d transcripts of README; want the restaurant's, the bakery's and lint --rules at least", checked)
	}
}
