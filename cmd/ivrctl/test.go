package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ivrctl/ivrctl/engine/scenario"
)

// scenarioDirs are where ivrctl test looks for scenario files when given
// none.
var scenarioDirs = []string{"flows", "examples"}

func runTest(args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("test", "test [--min-coverage PCT] [FILE...]", stderr)
	minCov := fset.Float64("min-coverage", 0, "fail unless the cases reach at least `PCT` percent of the nodes and of the menu keys")
	files, err := parseFlags(fset, args)
	if err != nil {
		return flagExit(err)
	}
	if *minCov < 0 || *minCov > 100 {
		fmt.Fprintf(stderr, "ivrctl test: --min-coverage must be between 0 and 100, got %v\n", *minCov)
		return exitUsage
	}
	if len(files) == 0 {
		files, err = findScenarios()
		if err != nil {
			fmt.Fprintf(stderr, "ivrctl test: %v\n", err)
			return exitFailure
		}
		if len(files) == 0 {
			fmt.Fprintf(stderr, "ivrctl test: no *%s files under %s\n", scenario.Suffix, strings.Join(scenarioDirs, "/ or ")+"/")
			return exitUsage
		}
	}
	code := exitOK
	for i, file := range files {
		if !strings.HasSuffix(file, scenario.Suffix) {
			file = strings.TrimSuffix(file, filepath.Ext(file)) + scenario.Suffix
		}
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		code = max(code, testSuite(file, *minCov, stdout, stderr))
	}
	return code
}

// findScenarios walks scenarioDirs for scenario files.
func findScenarios() ([]string, error) {
	var files []string
	for _, dir := range scenarioDirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if path == dir && errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if !d.IsDir() && strings.HasSuffix(path, scenario.Suffix) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(files)
	return files, nil
}

// testSuite runs one scenario file and returns the exit code.
func testSuite(file string, minCov float64, stdout, stderr io.Writer) int {
	src, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(stderr, "ivrctl test: %v\n", err)
		return exitFailure
	}
	suite, diags := scenario.Load(file, src)
	for _, d := range diags {
		fmt.Fprintln(stderr, d)
	}
	if diags.HasErrors() {
		fmt.Fprintf(stderr, "ivrctl test: %s has errors\n", file)
		return exitProblems
	}
	flow, code := loadFlow("test", suite.Flow, stderr)
	if flow == nil {
		return code
	}
	fmt.Fprintf(stdout, "--- %s (%s)\n", file, suite.Flow)
	res := suite.Run(flow)
	for _, c := range res.Cases {
		if len(c.Failures) == 0 {
			fmt.Fprintf(stdout, "ok   %s\n", c.Name)
			continue
		}
		code = exitProblems
		for _, f := range c.Failures {
			fmt.Fprintf(stdout, "FAIL %s (%s)\n", c.Name, f)
		}
	}
	cov := res.Coverage
	fmt.Fprintf(stdout, "coverage: %s\n", cov)
	if len(cov.UncoveredNodes) > 0 {
		fmt.Fprintf(stdout, "not covered: nodes %s\n", strings.Join(cov.UncoveredNodes, ", "))
	}
	if len(cov.UncoveredKeys) > 0 {
		fmt.Fprintf(stdout, "not covered: keys %s\n", strings.Join(cov.UncoveredKeys, ", "))
	}
	if cov.NodePercent() < minCov || cov.KeyPercent() < minCov {
		fmt.Fprintf(stderr, "ivrctl test: %s: coverage %s is below --min-coverage %v%%\n", file, cov, minCov)
		code = exitProblems
	}
	return code
}
