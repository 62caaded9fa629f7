package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// changedRestaurant writes the restaurant flow with key 2 of the main menu
// rerouted and the reservations prompt reworded, and returns its path.
func changedRestaurant(t *testing.T, dir string) string {
	t.Helper()
	src, err := os.ReadFile(restaurant)
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	for _, r := range [][2]string{
		{`"2": connect_call`, `"2": hours`},
		{"Press 1 to make a new reservation", "Press 1 to book a table"},
	} {
		if !strings.Contains(s, r[0]) {
			t.Fatalf("restaurant.yaml has no %q", r[0])
		}
		s = strings.Replace(s, r[0], r[1], 1)
	}
	path := filepath.Join(dir, "restaurant.yaml")
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const restaurantDiff = `main_menu: key 2 now goes to hours (was connect_call)
reservations: prompt changed
  - Press 1 to make a new reservation, press 2 to reschedule an existing reservation, press 3 to return to main menu.
  + Press 1 to book a table, press 2 to reschedule an existing reservation, press 3 to return to main menu.
! connect_call is now unreachable
! post_call is now unreachable
! goodbye is now unreachable
`

func TestDiffFiles(t *testing.T) {
	changed := changedRestaurant(t, t.TempDir())
	tests := []diffCase{
		{name: "changes", args: []string{restaurant, changed}, code: exitOK, stdout: restaurantDiff},
		{name: "same", args: []string{restaurant, restaurant}, code: exitOK, stdout: "no changes for callers\n"},
		{name: "exit-code with changes", args: []string{"--exit-code", restaurant, changed}, code: exitProblems, stdout: restaurantDiff},
		{name: "exit-code without changes", args: []string{restaurant, restaurant, "--exit-code"}, code: exitOK, stdout: "no changes for callers\n"},
		{name: "json same", args: []string{"--format", "json", restaurant, restaurant}, code: exitOK, stdout: "[]\n"},
	}
	runDiffCases(t, tests)
}

func TestDiffJSON(t *testing.T) {
	changed := changedRestaurant(t, t.TempDir())
	code, stdout, stderr := runCLI(t, "diff", "--format", "json", restaurant, changed)
	if code != exitOK {
		t.Fatalf("exit code = %d, stderr %q", code, stderr)
	}
	var got []struct{ Kind, Node, Old, New, Message string }
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	if len(got) != 5 {
		t.Fatalf("got %d changes, want 5:\n%s", len(got), stdout)
	}
	if c := got[0]; c.Kind != "key-rerouted" || c.Node != "main_menu" || c.Old != "connect_call" || c.New != "hours" {
		t.Errorf("first change = %+v", c)
	}
	if c := got[1]; c.Kind != "prompt-changed" || c.Node != "reservations" || !strings.HasPrefix(c.New, "Press 1 to book a table") || c.Message != "reservations: prompt changed" {
		t.Errorf("second change = %+v", c)
	}
}

func TestDiffErrors(t *testing.T) {
	tests := []diffCase{
		{name: "no args", args: nil, code: exitUsage, stderr: "give exactly two flows"},
		{name: "one arg", args: []string{restaurant}, code: exitUsage, stderr: "give exactly two flows"},
		{name: "three args", args: []string{restaurant, restaurant, restaurant}, code: exitUsage, stderr: "give exactly two flows"},
		{name: "bad format", args: []string{"--format", "yaml", restaurant, restaurant}, code: exitUsage, stderr: `unknown format "yaml"`},
		{name: "bad flag", args: []string{"--bogus", restaurant, restaurant}, code: exitUsage, stderr: "flag provided but not defined: -bogus"},
		{name: "help", args: []string{"-h"}, code: exitOK, stderr: "Usage: ivrctl diff"},
		{name: "missing file", args: []string{restaurant, "testdata/nope.yaml"}, code: exitFailure, stderr: "ivrctl diff: open testdata/nope.yaml: no such file or directory"},
		{name: "broken flow", args: []string{"testdata/broken.yaml", restaurant}, code: exitProblems, stderr: `testdata/broken.yaml:2:8: error: unknown node "mian" as start`},
	}
	runDiffCases(t, tests)
}

// TestDiffGitRevisions diffs a flow against its committed versions in a
// temporary git repository, the working directory of the command.
func TestDiffGitRevisions(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	src, err := os.ReadFile(restaurant)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=ivrctl test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	git("init", "-q")
	if err := os.MkdirAll(filepath.Join(dir, "flows"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "flows", "restaurant.yaml"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", ".")
	git("commit", "-q", "-m", "restaurant")
	changedRestaurant(t, filepath.Join(dir, "flows"))
	git("commit", "-q", "-a", "-m", "reroute key 2")
	// The working copy goes back to the first version.
	if err := os.WriteFile(filepath.Join(dir, "flows", "restaurant.yaml"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)

	tests := []diffCase{
		{name: "two revisions", args: []string{"HEAD~1:flows/restaurant.yaml", "HEAD:flows/restaurant.yaml"}, code: exitOK, stdout: restaurantDiff},
		{name: "revision and file", args: []string{"HEAD~1:flows/restaurant.yaml", "flows/restaurant.yaml"}, code: exitOK, stdout: "no changes for callers\n"},
		{name: "exit-code", args: []string{"--exit-code", "HEAD~1:flows/restaurant.yaml", "HEAD:flows/restaurant.yaml"}, code: exitProblems, stdout: restaurantDiff},
		{name: "unknown revision", args: []string{"nosuchrev:flows/restaurant.yaml", "flows/restaurant.yaml"}, code: exitFailure, stderr: "at revision nosuchrev"},
		{name: "unknown path", args: []string{"HEAD:flows/nope.yaml", "flows/restaurant.yaml"}, code: exitFailure, stderr: "cannot read flows/nope.yaml at revision HEAD"},
	}
	runDiffCases(t, tests)
}

// diffCase is a run of ivrctl diff and what it must print: stdout
// exactly, and stderr containing stderr, or nothing when stderr is "".
type diffCase struct {
	name   string
	args   []string
	code   int
	stdout string
	stderr string
}

// runDiffCases runs each case as a subtest.
func runDiffCases(t *testing.T, cases []diffCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"diff"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			if stdout != tt.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", stdout, tt.stdout)
			}
			if !strings.Contains(stderr, tt.stderr) || (tt.stderr == "" && stderr != "") {
				t.Errorf("stderr = %q, want %q", stderr, tt.stderr)
			}
		})
	}
}
