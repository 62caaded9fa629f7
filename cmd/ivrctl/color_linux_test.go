package main

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal and returns its terminal side, which is
// what a user's stdout is in a shell.
func openPTY(t *testing.T) *os.File {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ptmx.Close() })
	if err := unix.IoctlSetPointerInt(int(ptmx.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(ptmx.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	tty, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tty.Close() })
	return tty
}

// TestUseColorTerminal: --color auto colours on a terminal, unless
// NO_COLOR is set.
func TestUseColorTerminal(t *testing.T) {
	tty := openPTY(t)
	for _, tt := range []struct {
		noColor string
		want    bool
	}{{"", true}, {"1", false}} {
		getenv := func(k string) string {
			if k == "NO_COLOR" {
				return tt.noColor
			}
			return ""
		}
		got, err := useColor("auto", tty, getenv)
		if err != nil || got != tt.want {
			t.Errorf("useColor(auto, terminal, NO_COLOR=%q) = %v, %v; want %v", tt.noColor, got, err, tt.want)
		}
	}
}
