package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionLine(t *testing.T) {
	platform := " " + runtime.GOOS + "/" + runtime.GOARCH
	tests := []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{
			name: "release with VCS",
			info: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}, Settings: []debug.BuildSetting{
				{Key: "vcs.revision", Value: "4f2c1a9e0b7d5c3a1e9f8d7c6b5a493827160504"},
				{Key: "vcs.time", Value: "2026-12-04T18:20:00Z"},
				{Key: "vcs.modified", Value: "false"},
			}},
			want: "ivrctl v1.2.0 (rev 4f2c1a9e0b7d, 2026-12-04T18:20:00Z) go1.26.8" + platform,
		},
		{
			name: "modified tree",
			info: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
				{Key: "vcs.revision", Value: "abc"},
				{Key: "vcs.modified", Value: "true"},
			}},
			want: "ivrctl (devel) (rev abc, modified) go1.26.8" + platform,
		},
		{
			name: "go run",
			info: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			want: "ivrctl (devel) (no VCS information: built by go run or go test) go1.26.8" + platform,
		},
		{
			name: "no build information",
			want: "ivrctl (unknown) (no VCS information: built by go run or go test) " + runtime.Version() + platform,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := versionLine(tt.info); got != tt.want {
				t.Errorf("versionLine =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestVersionCommand(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, stdout, stderr := runCLI(t, args...)
		if code != exitOK || !strings.HasPrefix(stdout, "ivrctl ") || stderr != "" {
			t.Errorf("ivrctl %s = %d, %q, %q; want 0 and a version line", args[0], code, stdout, stderr)
		}
	}
	if code, _, stderr := runCLI(t, "version", "extra"); code != exitUsage || !strings.Contains(stderr, "takes no arguments") {
		t.Errorf("ivrctl version extra = %d, %q; want a usage error", code, stderr)
	}
}

// TestVersionOfBuild builds ivrctl from this checkout with VCS stamping and
// checks that it names the commit checked out.
func TestVersionOfBuild(t *testing.T) {
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not in a git checkout: %v", err) // a source tarball: nothing to stamp
	}
	bin := filepath.Join(t.TempDir(), "ivrctl")
	if out, err := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if meta, err := exec.Command("go", "version", "-m", bin).Output(); err != nil || !strings.Contains(string(meta), "vcs.revision=") {
		// go build stamps only what it can read of the checkout: not in
		// every git worktree, say. Then there is nothing to print.
		t.Skipf("go build did not stamp the VCS revision here: %s", meta)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("ivrctl version: %v", err)
	}
	if want := "(rev " + strings.TrimSpace(string(head))[:12]; !strings.Contains(string(out), want) {
		t.Errorf("ivrctl version = %q, want it to contain %q", out, want)
	}
}
