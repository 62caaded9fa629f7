package scenario_test

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

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
	suite, flow := loadInline(t, "inline.test.yaml", src)
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

// loadInline loads the scenario file src as if it were testdata/NAME,
// and the flow it names, both of which must load.
func loadInline(t *testing.T, name, src string) (*scenario.Suite, *engine.Flow) {
	t.Helper()
	suite, diags := scenario.Load(scenarioDir+name, []byte(src))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	flow, _, err := engine.Load(suite.Flow, engine.LoadOptions{Env: noEnv})
	if err != nil || flow == nil {
		t.Fatal(err)
	}
	return suite, flow
}

// noEnv is an environment with nothing set.
func noEnv(string) (string, bool) { return "", false }

// TestScenarioFullCoverage: each file passes through the real step and
// takes every node and edge of its flow. line.test.yaml walks budgets,
// hotkeys, back to each parent and a transfer chain; hours.test.yaml
// places each call at a wall-clock time read in the line's zone
// (Pacific/Auckland, whatever the machine's), takes each schedule branch,
// and picks each language by its key or by the case's lang.
func TestScenarioFullCoverage(t *testing.T) {
	for _, tt := range []struct{ file, coverage string }{
		// 10 nodes; edges: 2+2+2+1 keys, 4 hotkeys declared once (9, #, 0
		// and the repeat), back from appointments, billing (to main_menu)
		// and hours (to each), wrong key and silence once each, the
		// message that continues, 2+2 transfer branches and 2 thens.
		{"line.test.yaml", "nodes 10/10 (100%), edges 23/23 (100%)"},
		// greeting's continue, choose's 2 language keys, wrong key and
		// silence, and hours's 3 branches.
		{"hours.test.yaml", "nodes 7/7 (100%), edges 8/8 (100%)"},
	} {
		_, r := runScenarios(t, scenarioDir+tt.file)
		if got := failures(r); len(got) > 0 {
			t.Errorf("%s: failures:\n%s", tt.file, strings.Join(got, "\n"))
		}
		if got := r.Coverage.String(); got != tt.coverage {
			t.Errorf("%s: coverage %s, want %s", tt.file, got, tt.coverage)
		}
	}
}

// TestScenarioLineCoverage: what a case leaves out shows under the name
// coverage gives it.
func TestScenarioLineCoverage(t *testing.T) {
	src := `flow: line.yaml
cases:
  - name: one back
    keys: ["1", "2", "*"]
    expect: {ends_at: appointments}
`
	suite, flow := loadInline(t, "partial.test.yaml", src)
	c := suite.Run(flow, scenario.RunOptions{}).Coverage
	want := []string{
		"main_menu/2", "hotkey 9 (repeat)", "hotkey # -> main_menu", "hotkey 0 -> operator",
		"invalid -> operator", "no-input -> goodbye", "appointments/1", "appointments/hotkey * -> main_menu (back)",
		"billing/1", "billing/2", "billing/hotkey * -> main_menu (back)", "hours/1", "hours/hotkey * -> billing (back)",
		"operator/busy -> manager", "operator/no_answer -> manager", "operator/then -> goodbye",
		"manager/answered -> goodbye", "manager/failed -> sorry", "manager/then -> sorry",
	}
	if !slices.Equal(c.UncoveredEdges, want) {
		t.Errorf("uncovered edges:\n%q\nwant:\n%q", c.UncoveredEdges, want)
	}
	if got := c.String(); got != "nodes 4/10 (40%), edges 4/23 (17%)" {
		t.Errorf("coverage %s", got)
	}
}

// TestScenarioExpectations: each new expectation fails with a message
// that says what happened.
func TestScenarioExpectations(t *testing.T) {
	src := `flow: line.yaml
cases:
  - name: retries
    keys: ["-", "7"]
    expect:
      retries: {no_input: 2, invalid: 1}
  - name: outcomes in order
    keys: ["1", "*"]
    expect:
      outcomes: [back, key]
  - name: language
    expect:
      lang: fr
  - name: lang the flow lacks
    lang: fr
    expect: {ends_at: main_menu}
  - name: busy at a menu
    keys: [busy]
    expect: {ends_at: main_menu}
  - name: at a dial
    at: operator
    keys: [failed]
    time: "2026-12-24 18:00"
    expect:
      ends_at: goodbye
      outcomes: [then]
      hears: Goodbye.
`
	suite, flow := loadInline(t, "expect.test.yaml", src)
	want := []string{
		"retries: testdata/expect.test.yaml:6:17: expected no input 2 times at main_menu; it was 1",
		"outcomes in order: testdata/expect.test.yaml:10:24: expected the outcome key (after the ones before it); the steps were start, key, back",
		"language: testdata/expect.test.yaml:13:7: expected the call to be in fr at its end; it is in no language",
		`lang the flow lacks: testdata/expect.test.yaml:15:11: lang: the flow declares no languages, so a call cannot start in "fr"`,
		"busy at a menu: testdata/expect.test.yaml:18:12: keys: busy ends a transfer, but the call is at the menu main_menu",
	}
	if got := failures(suite.Run(flow, scenario.RunOptions{})); !slices.Equal(got, want) {
		t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestScenarioNewKeysParse(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"cases:\n  - name: a\n    time: noon\n    expect: {hangs_up: true}\n",
			`x.test.yaml:3:11: error: case "a" time: "noon" is not a time: use RFC 3339 (2026-12-24T18:30:00+01:00) or "2006-01-02 15:04" [value]`},
		{"cases:\n  - name: a\n    expect: {outcomes: [busy, nope]}\n",
			`x.test.yaml:3:31: error: case "a" expect outcomes: "nope" is not an outcome; outcomes are start, key, hotkey, repeat, back, main, invalid_key, invalid_key_retry, no_input, no_input_retry, then, answered, busy, no_answer, failed, collected, leaf, unknown_node, bad_state [value]`},
		{"cases:\n  - name: a\n    expect: {retries: {no_input: x, wrong: 1}}\n",
			"x.test.yaml:3:34: error: case \"a\" expect retries no_input must be a whole number, got \"x\" [type]\n" +
				`x.test.yaml:3:37: error: unknown key "wrong" in case "a" expect retries; allowed keys: no_input, invalid [unknown-key]`},
		{"cases:\n  - name: a\n    keys: [\"0\", busy, no-answer, no_answer, answered, failed]\n    expect: {hangs_up: true}\n", ""},
	} {
		_, diags := scenario.Load("x.test.yaml", []byte(tt.src))
		if got := diags.Error(); got != tt.want {
			t.Errorf("Load(%q):\n%s\nwant:\n%s", tt.src, got, tt.want)
		}
	}
}

// TestScenarioBranchCoverage: a schedule's branches count by the branch
// that held, even when two lead to one node, and then by the time no
// branch of its own held.
func TestScenarioBranchCoverage(t *testing.T) {
	for _, tt := range []struct {
		time      string
		uncovered []string
	}{
		{"2026-12-25 10:00", []string{"hours/branch open -> open", "hours/branch closed -> shut", "hours/then -> later"}},
		{"2026-12-24 20:00", []string{"hours/branch open -> open", "hours/branch holiday -> shut", "hours/then -> later"}},
		{"2026-12-24 14:00", []string{"hours/branch open -> open", "hours/branch closed -> shut", "hours/branch holiday -> shut"}},
	} {
		src := "flow: shut.yaml\ncases:\n  - name: one call\n    time: " + tt.time + "\n    expect: {hangs_up: true}\n"
		suite, flow := loadInline(t, "shut.test.yaml", src)
		r := suite.Run(flow, scenario.RunOptions{})
		if got := failures(r); len(got) > 0 {
			t.Errorf("%s: failures:\n%s", tt.time, strings.Join(got, "\n"))
		}
		if !slices.Equal(r.Coverage.UncoveredEdges, tt.uncovered) {
			t.Errorf("%s: uncovered edges %q, want %q", tt.time, r.Coverage.UncoveredEdges, tt.uncovered)
		}
	}
}

// TestZone: wall-clock times are read in the zone of the schedule a call
// reaches first, and in the local zone for a flow without one.
func TestZone(t *testing.T) {
	for _, tt := range []struct{ flow, zone string }{
		{"hours.yaml", "Pacific/Auckland"},
		{"shut.yaml", "Asia/Tokyo"},
		{"two_zones.yaml", "Europe/London"},
		{"line.yaml", time.Local.String()},
	} {
		flow, _, err := engine.Load(scenarioDir+tt.flow, engine.LoadOptions{Env: noEnv})
		if err != nil || flow == nil {
			t.Fatal(err)
		}
		if got := scenario.Zone(flow).String(); got != tt.zone {
			t.Errorf("Zone(%s) = %s, want %s", tt.flow, got, tt.zone)
		}
	}
	flow, _, err := engine.Load(scenarioDir+"hours.yaml", engine.LoadOptions{Env: noEnv})
	if err != nil || flow == nil {
		t.Fatal(err)
	}
	got, err := scenario.ParseTime("2026-12-24 10:00", scenario.Zone(flow))
	if want := "2026-12-23T21:00:00Z"; err != nil || got.UTC().Format(time.RFC3339) != want {
		t.Errorf("ParseTime in hours.yaml's zone = %v, %v; want %s", got, err, want)
	}
}

// TestScenarioSwitchCoverage: a switch node's positions count by the
// position the case set, or the flow's default, even when both lead to
// one node; a case that names a switch the flow lacks fails.
func TestScenarioSwitchCoverage(t *testing.T) {
	for _, tt := range []struct {
		switches  string
		uncovered []string
		failure   string
	}{
		{"", []string{"check/switch on -> bye"}, ""},
		{"{outage_banner: on}", []string{"check/switch off -> bye"}, ""},
		{"{outage_banner: off}", []string{"check/switch on -> bye"}, ""},
		{"{outage_baner: on}", []string{"check/switch on -> bye", "check/switch off -> bye"}, `switches: the flow has no switch "outage_baner"; it has outage_banner`},
	} {
		src := "flow: banner.yaml\ncases:\n  - name: one call\n    expect: {hangs_up: true}\n"
		if tt.switches != "" {
			src += "    switches: " + tt.switches + "\n"
		}
		suite, flow := loadInline(t, "banner.test.yaml", src)
		r := suite.Run(flow, scenario.RunOptions{})
		got := strings.Join(failures(r), "\n")
		if !strings.Contains(got, tt.failure) || (tt.failure == "") != (got == "") {
			t.Errorf("%s: failures %q, want %q", tt.switches, got, tt.failure)
		}
		if !slices.Equal(r.Coverage.UncoveredEdges, tt.uncovered) {
			t.Errorf("%s: uncovered edges %q, want %q", tt.switches, r.Coverage.UncoveredEdges, tt.uncovered)
		}
	}
}
