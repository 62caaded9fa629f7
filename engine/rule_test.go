package engine_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/engine"
)

// TestRules checks the registry: sorted by name, each rule described and
// found by LookupRule.
func TestRules(t *testing.T) {
	rules := engine.Rules()
	if len(rules) == 0 {
		t.Fatal("no rules")
	}
	for i, r := range rules {
		if i > 0 && rules[i-1].Name >= r.Name {
			t.Errorf("rules not sorted by name: %s before %s", rules[i-1].Name, r.Name)
		}
		if r.Description == "" || strings.Contains(r.Description, "\n") || r.Example == "" {
			t.Errorf("rule %s needs a one-line description and an example", r.Name)
		}
		if got, ok := engine.LookupRule(r.Name); !ok || got.Name != r.Name {
			t.Errorf("LookupRule(%q) = %v, %v", r.Name, got, ok)
		}
	}
	if _, ok := engine.LookupRule("no-such-rule"); ok {
		t.Error("LookupRule found a rule that does not exist")
	}
}

// TestRuleExamples loads each rule's example, which must break that rule,
// with the rule's severity.
func TestRuleExamples(t *testing.T) {
	for _, r := range engine.Rules() {
		t.Run(r.Name, func(t *testing.T) {
			_, diags, _ := engine.Load(r.Name+".yaml", engine.LoadOptions{Source: []byte(r.Example), Env: noEnv, Voices: fixtureVoices})
			for _, d := range diags {
				if d.Rule == r.Name {
					if d.Severity != r.Severity {
						t.Errorf("%s is a %s, the registry says %s", d, d.Severity, r.Severity)
					}
					return
				}
			}
			t.Errorf("the example does not break %s; it reports:\n%v", r.Name, diags)
		})
	}
}

// TestRuleFixtures: every registered rule has a fixture in testdata/err or
// testdata/warn whose expected output reports it, and every rule a fixture
// reports is registered.
func TestRuleFixtures(t *testing.T) {
	outs, err := filepath.Glob("testdata/*/*.out")
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) == 0 {
		t.Fatal("no fixtures found")
	}
	reported := map[string]bool{}
	ruleOf := regexp.MustCompile(`(?m) \[([a-z-]+)\]$`)
	for _, out := range outs {
		if dir := filepath.Base(filepath.Dir(out)); dir != "err" && dir != "warn" {
			continue
		}
		src, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ruleOf.FindAllStringSubmatch(string(src), -1) {
			if !reported[m[1]] {
				if _, ok := engine.LookupRule(m[1]); !ok {
					t.Errorf("%s reports rule %s, which is not registered", out, m[1])
				}
			}
			reported[m[1]] = true
		}
	}
	for _, r := range engine.Rules() {
		if !reported[r.Name] {
			t.Errorf("rule %s has no fixture: add testdata/err or testdata/warn NAME.yaml and NAME.out", r.Name)
		}
	}
}
