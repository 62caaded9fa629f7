package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// runVersion prints what ivrctl was built from: the module version, the
// VCS revision, its time and whether the tree had uncommitted changes, and
// the Go toolchain. A binary built by `go run` or `go test` carries no VCS
// information; it says so rather than guessing.
func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", "version", stderr)
	if code := parseNoArgs(fs, args, stderr); code >= 0 {
		return code
	}
	info, _ := debug.ReadBuildInfo()
	fmt.Fprintln(stdout, versionLine(info))
	return exitOK
}

// versionLine formats build information as one line, such as
//
//	ivrctl v1.2.0 (rev 4f2c1a9e0b7d, 2026-12-04T18:20:00Z, modified) go1.26.8 linux/amd64
//
// info is nil when the binary has no build information at all.
func versionLine(info *debug.BuildInfo) string {
	version, goVersion := "(unknown)", runtime.Version()
	var details []string
	if info != nil {
		if info.Main.Version != "" {
			version = info.Main.Version
		}
		if info.GoVersion != "" {
			goVersion = info.GoVersion
		}
		vcs := map[string]string{}
		for _, s := range info.Settings {
			vcs[s.Key] = s.Value
		}
		if rev := vcs["vcs.revision"]; rev != "" {
			details = append(details, "rev "+rev[:min(len(rev), 12)])
		}
		if t := vcs["vcs.time"]; t != "" {
			details = append(details, t)
		}
		if vcs["vcs.modified"] == "true" {
			details = append(details, "modified")
		}
	}
	if len(details) == 0 {
		details = append(details, "no VCS information: built by go run or go test")
	}
	return fmt.Sprintf("ivrctl %s (%s) %s %s/%s", version, strings.Join(details, ", "), goVersion, runtime.GOOS, runtime.GOARCH)
}
