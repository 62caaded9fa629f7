package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// completionDir makes a folder with flow files and others, and writes
// ivrctl's completion script for shell to the file named by $SCRIPT in the
// shells complete runs; it returns the folder.
func completionDir(t *testing.T, shell string) string {
	t.Helper()
	if _, err := exec.LookPath(shell); err != nil {
		t.Skipf("%s is not installed (CI installs it)", shell)
	}
	dir := t.TempDir()
	for _, name := range []string{"menu.yaml", "old.yml", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, script, stderr := runCLI(t, "completion", shell)
	if code != exitOK || stderr != "" {
		t.Fatalf("ivrctl completion %s: exit %d, stderr %q", shell, code, stderr)
	}
	path := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SCRIPT", path)
	return dir
}

// complete runs shell in dir with the script loaded and prints what each
// line would complete to.
func complete(t *testing.T, shell, dir, program string) string {
	t.Helper()
	cmd := exec.Command(shell, "-c", program)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", shell, err, out)
	}
	return string(out)
}

func TestCompletionBash(t *testing.T) {
	dir := completionDir(t, "bash")
	tests := []struct {
		line string // the words typed, the last one being completed
		want string
	}{
		{"ivrctl li", "lint"},
		{"ivrctl ver", "version"},
		{"ivrctl lint --st", "--strict"},
		{"ivrctl serve --no", "--no-watch"},
		{"ivrctl webhooks ", "delete list set"},
		{"ivrctl webhooks set --v", "--vca --vss"},
		{"ivrctl webhooks list --", "--api-base"},
		{"ivrctl completion ", "bash fish zsh"},
		{"ivrctl lint ", "menu.yaml old.yml"},                   // flow files, not notes.txt
		{"ivrctl serve --addr ", "menu.yaml notes.txt old.yml"}, // a flag's value: any file
		{"ivrctl voices ", ""},
	}
	var prog strings.Builder
	prog.WriteString("source \"$SCRIPT\"\nt() { COMP_WORDS=(\"$@\"); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMPREPLY=(); _ivrctl; printf '%s\\n' \"${COMPREPLY[*]}\" | tr ' ' '\\n' | sort | tr '\\n' ' '; echo; }\n")
	for _, tt := range tests {
		words := strings.Split(tt.line, " ")
		for i, w := range words {
			words[i] = "'" + w + "'"
		}
		prog.WriteString("t " + strings.Join(words, " ") + "\n")
	}
	got := strings.Split(strings.TrimSuffix(complete(t, "bash", dir, prog.String()), "\n"), "\n")
	if len(got) != len(tests) {
		t.Fatalf("bash printed %d lines for %d completions:\n%s", len(got), len(tests), strings.Join(got, "\n"))
	}
	for i, tt := range tests {
		if g := strings.TrimSpace(got[i]); g != tt.want {
			t.Errorf("bash completes %q to %q, want %q", tt.line, g, tt.want)
		}
	}
}

func TestCompletionFish(t *testing.T) {
	dir := completionDir(t, "fish")
	tests := []struct{ line, want string }{
		{"ivrctl li", "lint\tcheck flow files"},
		{"ivrctl lint --st", "--strict\tfail (exit 1) on warnings too"},
		{"ivrctl webhooks set --vs", "--vss\tURL of the Voice Session Summary webhook, e.g. https://ivr.example.com/webhooks/vss"},
		{"ivrctl lint me", "menu.yaml"},
	}
	for _, tt := range tests {
		got := complete(t, "fish", dir, "source \"$SCRIPT\"; complete -C'"+tt.line+"'")
		if !strings.HasPrefix(got, tt.want) {
			t.Errorf("fish completes %q to\n%s\nwant it to start with %q", tt.line, got, tt.want)
		}
	}
}

func TestCompletionZsh(t *testing.T) {
	dir := completionDir(t, "zsh")
	// The script must load under compinit and define the completion
	// function with every command in it.
	got := complete(t, "zsh", dir, "autoload -Uz compinit && compinit -u -d \"$SCRIPT.dump\"; source \"$SCRIPT\"; print -r -- ${+functions[_ivrctl]} ${_comps[ivrctl]}")
	if strings.TrimSpace(got) != "1 _ivrctl" {
		t.Errorf("zsh: the script does not define and register _ivrctl: %q", got)
	}
	script, err := os.ReadFile(os.Getenv("SCRIPT"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"'lint:check flow files", "'--strict[fail (exit 1) on warnings too]'", "'--addr=[address to listen on]:value:_files'", "compadd -- set list delete"} {
		if !strings.Contains(string(script), want) {
			t.Errorf("zsh script lacks %q", want)
		}
	}
}

func TestCompletionUsage(t *testing.T) {
	for _, args := range [][]string{{"completion"}, {"completion", "powershell"}, {"completion", "bash", "zsh"}} {
		if code, _, stderr := runCLI(t, args...); code != exitUsage || !strings.Contains(stderr, "name one shell: bash, zsh, fish") {
			t.Errorf("ivrctl %v: exit %d, stderr %q; want a usage error", args, code, stderr)
		}
	}
}
