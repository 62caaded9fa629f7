package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/callflows/carrier"
)

const (
	hotel       = "../../examples/hotel.yaml"
	hotelNotice = "affected by a planned outage today"
)

// copyHotel copies the hotel example into a folder of its own, where its
// switches' store is written beside it.
func copyHotel(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(hotel)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "hotel.yaml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSwitchCommand: switch list and set, their refusals, and the store
// they write beside the flow.
func TestSwitchCommand(t *testing.T) {
	path := copyHotel(t)
	tests := []struct {
		name        string
		args        []string
		code        int
		out, errOut string
	}{
		{"list defaults", []string{"switch", "list", path}, exitOK, "outage_banner  off       off      -       -", ""},
		{"set on", []string{"switch", "set", "outage_banner", "on", path, "--by", "alice"}, exitOK, "outage_banner is on (was off), set by alice in " + filepath.Join(filepath.Dir(path), "hotel.switches.json"), ""},
		{"list set", []string{"switch", "list", path}, exitOK, "outage_banner  on        off      alice", ""},
		{"set off", []string{"switch", "set", "outage_banner", "off", "--by", "bob", path}, exitOK, "outage_banner is off (was on), set by bob", ""},
		{"unknown switch", []string{"switch", "set", "outage", "on", path}, exitProblems, "", `declares no switch "outage"; it has outage_banner`},
		{"bad position", []string{"switch", "set", "outage_banner", "maybe", path}, exitUsage, "", `a switch is on or off, not "maybe"`},
		{"no subcommand", []string{"switch"}, exitUsage, "", "give list or set"},
		{"unknown subcommand", []string{"switch", "flip", path}, exitUsage, "", `unknown subcommand "flip"`},
		{"set without flow", []string{"switch", "set", "outage_banner", "on"}, exitUsage, "", "set takes a switch"},
		{"a flow without switches", []string{"switch", "list", restaurant}, exitOK, "declares no switches", ""},
		{"a missing flow", []string{"switch", "list", filepath.Join(t.TempDir(), "nope.yaml")}, exitFailure, "", "nope.yaml"},
	}
	for _, tt := range tests {
		code, out, errOut := runCLI(t, tt.args...)
		if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errOut, tt.errOut) {
			t.Errorf("%s: exit %d\nstdout: %s\nstderr: %s\nwant exit %d, stdout with %q, stderr with %q", tt.name, code, out, errOut, tt.code, tt.out, tt.errOut)
		}
	}
	data, err := os.ReadFile(filepath.Join(filepath.Dir(path), "hotel.switches.json"))
	if err != nil || !strings.Contains(string(data), `"by": "alice"`) || !strings.Contains(string(data), `"seq": 2`) {
		t.Errorf("the store holds %s (%v)", data, err)
	}
}

// TestSimSwitch: sim plays a switch at the position --switch gives, and
// says why.
func TestSimSwitch(t *testing.T) {
	for _, tt := range []struct {
		args  []string
		want  string
		heard bool
	}{
		{nil, "(outage_check: outage_banner is off (its default))", false},
		{[]string{"--switch", "outage_banner=on"}, "(outage_check: outage_banner is on (set))", true},
	} {
		code, out, errOut := runCLI(t, append([]string{"sim", "--keys", "-", hotel}, tt.args...)...)
		if code != exitOK || !strings.Contains(out, tt.want) || strings.Contains(out, hotelNotice) != tt.heard {
			t.Errorf("sim %v: exit %d\n%s%s", tt.args, code, out, errOut)
		}
	}
}

// ringsNotice rings the line at base and reports whether it plays the
// outage notice.
func ringsNotice(t *testing.T, base string) bool {
	t.Helper()
	c := &carrier.Caller{BaseURL: base}
	r, err := c.Ring(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range r.Callflow {
		if s, ok := a.(*callflows.Say); ok && strings.Contains(s.Text, hotelNotice) {
			return true
		}
	}
	return false
}

// TestServeFollowsSwitch: a serve process follows ivrctl switch set run
// from another process (this one), keeps the position across a restart,
// and serves the admin routes with IVRCTL_ADMIN_TOKEN.
func TestServeFollowsSwitch(t *testing.T) {
	path := copyHotel(t)
	cmd, logs := startChild(t, "", []string{envAdminToken + "=tok"}, path)
	base := logs.waitAddr(t)
	if ringsNotice(t, base) {
		t.Fatal("the notice plays before the switch is on")
	}
	if code, _, errOut := runCLI(t, "switch", "set", "outage_banner", "on", path, "--by", "ops"); code != exitOK {
		t.Fatalf("switch set: %d %s", code, errOut)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !ringsNotice(t, base) {
		if time.Now().After(deadline) {
			t.Fatal("serve did not follow the switch")
		}
	}
	logs.waitCount(t, "switch flipped", 1)
	if l := logs.withMessage("switch flipped")[0]; l["by"] != "ops" || l["switch"] != "outage_banner" || l["on"] != true {
		t.Errorf("flip logged as %v", l)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/admin/switches", nil)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /admin/switches with the token: %d", resp.StatusCode)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	logs.waitEOF(t)

	_, again := startChild(t, "", nil, path)
	if !ringsNotice(t, again.waitAddr(t)) {
		t.Error("after a restart the notice does not play")
	}
}
