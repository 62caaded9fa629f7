package scenario_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/scenario"
)

const scenarioDir = "testdata/"

// runScenarios loads the scenario file path and its flow and runs it.
func runScenarios(t *testing.T, path string) (*scenario.Suite, scenario.Result) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	suite, diags := scenario.Load(path, src)
	if len(diags) > 0 {
		t.Fatalf("Load(%s):\n%v", path, diags)
	}
	flow, diags, err := engine.Load(suite.Flow, engine.LoadOptions{Env: noEnv})
	if err != nil || flow == nil {
		t.Fatalf("Load(%s): %v %v", suite.Flow, err, diags)
	}
	return suite, suite.Run(flow, scenario.RunOptions{})
}

func failures(r scenario.Result) []string {
	var out []string
	for _, c := range r.Cases {
		for _, f := range c.Failures {
			out = append(out, c.Name+": "+f.String())
		}
	}
	return out
}

func TestScenarioPass(t *testing.T) {
	suite, r := runScenarios(t, scenarioDir+"pass.test.yaml")
	if suite.Flow != scenarioDir+"shop.yaml" {
		t.Errorf("Flow = %q, want %q", suite.Flow, scenarioDir+"shop.yaml")
	}
	if r.Failed() || len(r.Cases) != 1 || r.Cases[0].Name != "hours" {
		t.Fatalf("cases = %+v, want hours passing", r.Cases)
	}
	if got, want := strings.Join(r.Cases[0].Path, " -> "), "main -> hours"; got != want {
		t.Errorf("path = %q, want %q", got, want)
	}
	// shop.yaml has 4 nodes and 5 edges (2 keys, a wrong key, silence,
	// the dial's then); hours reaches main and hours and presses main's 2.
	c := r.Coverage
	if got, want := c.String(), "nodes 2/4 (50%), edges 1/5 (20%)"; got != want {
		t.Errorf("coverage = %q, want %q", got, want)
	}
	if !slices.Equal(c.UncoveredNodes, []string{"sales", "bye"}) {
		t.Errorf("UncoveredNodes = %q, want [sales bye]", c.UncoveredNodes)
	}
	if want := []string{"main/1", "invalid -> (built-in fallback)", "no-input -> (built-in fallback)", "sales/then -> bye"}; !slices.Equal(c.UncoveredEdges, want) {
		t.Errorf("UncoveredEdges = %q, want %q", c.UncoveredEdges, want)
	}
}

func TestScenarioFailures(t *testing.T) {
	// No flow key: shop.test.yaml tests shop.yaml.
	suite, r := runScenarios(t, scenarioDir+"shop.test.yaml")
	if suite.Flow != scenarioDir+"shop.yaml" {
		t.Errorf("Flow = %q, want %q", suite.Flow, scenarioDir+"shop.yaml")
	}
	want := []string{
		`sales: testdata/shop.test.yaml:5:7: expected to hear "We close at five"; heard: "Press 1 for sales, 2 for hours.", "Goodbye."`,
		`sales: testdata/shop.test.yaml:6:7: expected to reach hours; the call went main -> sales -> bye`,
		`sales: testdata/shop.test.yaml:7:7: expected to dial +15550111; dialled: +15550100`,
		`sales: testdata/shop.test.yaml:8:7: expected the call not to hang up; it hung up at bye (the call went main -> sales -> bye)`,
		`waits: testdata/shop.test.yaml:11:17: keys "3" left over: the call hung up at (built-in fallback)`,
		`waits: testdata/shop.test.yaml:13:7: expected to end at bye; the call went main -> (built-in fallback)`,
		`waits: testdata/shop.test.yaml:14:7: expected to reach nowhere, which is not a node of the flow`,
	}
	if got := failures(r); !slices.Equal(got, want) {
		t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	c := r.Coverage
	if got, want := c.String(), "nodes 3/4 (75%), edges 3/5 (60%)"; got != want {
		t.Errorf("coverage = %q, want %q", got, want)
	}
	if want := []string{"main/2", "invalid -> (built-in fallback)"}; !slices.Equal(c.UncoveredNodes, []string{"hours"}) || !slices.Equal(c.UncoveredEdges, want) {
		t.Errorf("uncovered = %q %q, want [hours] %q", c.UncoveredNodes, c.UncoveredEdges, want)
	}
}

func TestScenarioPlay(t *testing.T) {
	src := `flow: shop.yaml
cases:
  - name: waits
    expect:
      hangs_up: true
  - name: resumed
    at: sales
    expect:
      ends_at: bye
  - name: unknown node
    at: gone
    keys: ["1"]
    expect:
      hears: Sorry
`
	suite, diags := scenario.Load(scenarioDir+"inline.test.yaml", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	flow, _, err := engine.Load(suite.Flow, engine.LoadOptions{Env: noEnv})
	if err != nil || flow == nil {
		t.Fatal(err)
	}
	r := suite.Run(flow, scenario.RunOptions{})
	want := []string{
		"waits: testdata/inline.test.yaml:5:7: expected the call to hang up; it was left waiting for a key at main (the call went main)",
	}
	if got := failures(r); !slices.Equal(got, want) {
		t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	paths := map[string]string{"waits": "main", "resumed": "sales -> bye", "unknown node": "gone -> (built-in fallback)"}
	for _, c := range r.Cases {
		if got := strings.Join(c.Path, " -> "); got != paths[c.Name] {
			t.Errorf("%s: path %q, want %q", c.Name, got, paths[c.Name])
		}
	}
}

func TestScenarioParseErrors(t *testing.T) {
	path := scenarioDir + "bad.test.yaml"
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, diags := scenario.Load(path, src)
	want := []string{
		`testdata/bad.test.yaml:4:11: error: case "one" keys must be a list, got "1" [type]`,
		`testdata/bad.test.yaml:6:7: error: unknown key "heard" in case "one" expect; allowed keys: hears, reaches, ends_at, dials, hangs_up, outcomes, lang, retries; did you mean "hears"? [unknown-key]`,
		`testdata/bad.test.yaml:7:5: error: case 2 needs a name [missing-key]`,
		`testdata/bad.test.yaml:8:13: error: case 2 expect checks nothing; give at least one of hears, reaches, ends_at, dials, hangs_up, outcomes, lang, retries [missing-key]`,
		`testdata/bad.test.yaml:9:11: error: case "three" needs expect: what the call must do [missing-key]`,
		`testdata/bad.test.yaml:10:14: error: case "three" inbound must be true or false, got "maybe" [type]`,
		`testdata/bad.test.yaml:11:11: error: duplicate case name "one"; first at 3:11 [duplicate-key]`,
		`testdata/bad.test.yaml:13:17: error: case "one" expect hangs_up must be a single value, got a list [type]`,
	}
	if got := strings.Split(diags.Error(), "\n"); !slices.Equal(got, want) {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	tests := []struct{ path, src, want string }{
		{"x.test.yaml", "", "x.test.yaml:1:1: error: the scenario file is empty; it needs cases [missing-key]"},
		{"x.test.yaml", "cases: [\n", "x.test.yaml:1:1: error: invalid YAML: did not find expected node content [syntax]"},
		{"x.test.yaml", "- 1\n", "x.test.yaml:1:1: error: the scenario file must be a mapping, got a list [type]"},
		{"x.test.yaml", "flow: x.yaml\n", `x.test.yaml:1:1: error: missing required key "cases": the list of calls to play [missing-key]`},
		{"x.test.yaml", "cases: {}\nfolw: 1\n", "x.test.yaml:1:8: error: cases must be a list, got a mapping [type]\n" +
			`x.test.yaml:2:1: error: unknown key "folw" in the scenario file; allowed keys: flow, cases; did you mean "flow"? [unknown-key]`},
		{"x.yaml", "cases: []\n", `x.yaml:1:1: error: missing key "flow": the file name does not end in .test.yaml, so the flow it tests cannot be told [missing-key]`},
		{"x.test.yaml", "cases:\n  - name: a\n    keys: [[1]]\n    expect: {reaches: [a, {}]}\n",
			"x.test.yaml:3:12: error: case \"a\" keys must be a single value, got a list [type]\n" +
				"x.test.yaml:4:27: error: case \"a\" expect reaches must be a single value, got a mapping [type]"},
		{"x.test.yaml", "cases:\n  - name: a\n    keys: [\"1\", l, abc, -, \"*#\", \"\", 1 2]\n    expect: {hears: []}\n",
			"x.test.yaml:3:17: error: case \"a\" keys: \"l\" is not a key 8x8 can send: use digits 0-9, * and #, or - for none [value]\n" +
				"x.test.yaml:3:20: error: case \"a\" keys: \"abc\" is not a key 8x8 can send: use digits 0-9, * and #, or - for none [value]\n" +
				"x.test.yaml:3:38: error: case \"a\" keys: \"1 2\" is not a key 8x8 can send: use digits 0-9, * and #, or - for none [value]\n" +
				"x.test.yaml:4:13: error: case \"a\" expect checks nothing; give at least one of hears, reaches, ends_at, dials, hangs_up, outcomes, lang, retries [missing-key]"},
	}
	for _, tt := range tests {
		_, diags := scenario.Load(tt.path, []byte(tt.src))
		if got := diags.Error(); got != tt.want {
			t.Errorf("Load(%q):\n%s\nwant:\n%s", tt.src, got, tt.want)
		}
	}
}

// TestShippedScenarios: the shipped scenario files pass and cover every
// node and key of their flows.
func TestShippedScenarios(t *testing.T) {
	for _, path := range []string{"../../flows/restaurant.test.yaml", "../../examples/clinic.test.yaml"} {
		_, r := runScenarios(t, path)
		if got := failures(r); len(got) > 0 {
			t.Errorf("%s:\n%s", path, strings.Join(got, "\n"))
		}
		if c := r.Coverage; c.Nodes != c.NodesTotal || c.Edges != c.EdgesTotal || c.NodesTotal == 0 {
			t.Errorf("%s: coverage %s, want 100%%", path, c)
		}
	}
}

// noEnv is an environment with nothing set.
func noEnv(string) (string, bool) { return "", false }
