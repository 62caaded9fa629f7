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

	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/callstate"
	"github.com/ivrctl/ivrctl/engine/scenario"
)

// scenarioDirs are where ivrctl test looks for scenario files when given
// none: the current directory, then flows/ and examples/ and the folders
// in them.
var scenarioDirs = []string{"flows", "examples"}

const testSynopsis = "test [--min-coverage PCT] [--outbound] [--warnings] [FILE...]"

// testOptions are the flags of ivrctl test that each suite runs with.
type testOptions struct {
	minCov   float64
	outbound bool
	warnings bool
}

func runTest(args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("test", testSynopsis, stderr)
	var o testOptions
	fset.Float64Var(&o.minCov, "min-coverage", 0, "fail unless the cases reach at least `PCT` percent of the nodes and take that much of the edges (keys, hotkeys, wrong keys, silence, transfer outcomes...)")
	fset.BoolVar(&o.outbound, "outbound", false, "play the cases that do not set inbound as outbound calls that ivrctl call placed (default: inbound calls, which the line answers, as in ivrctl sim)")
	fset.BoolVar(&o.warnings, "warnings", false, warningsUsage)
	files, err := parseFlags(fset, args)
	if err != nil {
		return flagExit(err)
	}
	if o.minCov < 0 || o.minCov > 100 {
		fmt.Fprintf(stderr, "ivrctl test: --min-coverage must be between 0 and 100, got %v\n", o.minCov)
		return exitUsage
	}
	if len(files) == 0 {
		files, err = findScenarios()
		if err != nil {
			fmt.Fprintf(stderr, "ivrctl test: %v\n", err)
			return exitFailure
		}
		if len(files) == 0 {
			fmt.Fprintf(stderr, "ivrctl test: no *%s files here or under %s\n", scenario.Suffix, strings.Join(scenarioDirs, "/ or ")+"/")
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
		code = max(code, testSuite(file, o, stdout, stderr))
	}
	return code
}

// findScenarios returns the scenario files of the current directory, then
// those under scenarioDirs.
func findScenarios() ([]string, error) {
	files, err := filepath.Glob("*" + scenario.Suffix)
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var under []string
	for _, dir := range scenarioDirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if path == dir && errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if !d.IsDir() && strings.HasSuffix(path, scenario.Suffix) {
				under = append(under, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(under)
	return append(files, under...), nil
}

// testSuite runs one scenario file and returns the exit code.
func testSuite(file string, o testOptions, stdout, stderr io.Writer) int {
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
	flow, code := loadFlow("test", suite.Flow, loadOptions{warnings: o.warnings}, stderr)
	if flow == nil {
		return code
	}
	// The flow again for each env the cases set: only its errors are
	// news, its warnings those of the flow above.
	keys, err := callstate.ParseKeys(os.Getenv("IVRCTL_STATE_KEY"))
	if err != nil {
		fmt.Fprintf(stderr, "ivrctl test: %v\n", err)
		return exitUsage
	}
	run := scenario.RunOptions{EnvFlows: map[string]*engine.Flow{}, Outbound: o.outbound, Keys: keys}
	for _, c := range suite.Cases {
		key := c.EnvKey()
		if _, done := run.EnvFlows[key]; done || c.Env == nil {
			continue
		}
		f, diags, err := engine.Load(suite.Flow, engine.LoadOptions{Env: c.LookupEnv(os.LookupEnv)})
		if err != nil {
			fmt.Fprintf(stderr, "ivrctl test: %v\n", err)
			return exitFailure
		}
		if f == nil {
			printErrors(stderr, diags)
			fmt.Fprintf(stderr, "ivrctl test: %s has errors with the env of case %q (%s)\n", suite.Flow, c.Name.Value, c.Name.Pos)
			return exitProblems
		}
		run.EnvFlows[key] = f
	}
	fmt.Fprintf(stdout, "--- %s (%s)\n", file, suite.Flow)
	res := suite.Run(flow, run)
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
	if len(cov.UncoveredEdges) > 0 {
		fmt.Fprintf(stdout, "not covered: edges %s\n", strings.Join(cov.UncoveredEdges, ", "))
	}
	if cov.NodePercent() < o.minCov || cov.EdgePercent() < o.minCov {
		fmt.Fprintf(stderr, "ivrctl test: %s: coverage %s is below --min-coverage %v%%\n", file, cov, o.minCov)
		code = exitProblems
	}
	return code
}
