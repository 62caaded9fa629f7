package engine_test

import (
	"slices"
	"testing"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine"
)

// envMap is an injected environment that records what was looked up.
type envMap struct {
	vars   map[string]string
	looked []string
}

func (e *envMap) lookup(name string) (string, bool) {
	e.looked = append(e.looked, name)
	v, ok := e.vars[name]
	return v, ok
}

// varsFlow says the var "value" and dials the vars "to" and "from", so that
// a test can read back what they expanded to.
func varsFlow(value, to, from string) string {
	return `
start: main
vars:
  value: "` + value + `"
  to: "` + to + `"
  from: "` + from + `"
nodes:
  main:
    menu: "Value [{{value}}], press 1."
    keys: {"1": call}
  call:
    dial: {to: "{{ to }}", from: "{{from}}"}
    then: bye
  bye:
    say: Bye from {{  value  }}.
`
}

// expanded returns what the vars of varsFlow became in the compiled flow.
func expanded(t *testing.T, flow *engine.Flow) (menu, say string, mc *callflows.MakeCall) {
	t.Helper()
	main, _ := flow.Node("main")
	menu = main.Callflow()[0].(*callflows.SayAndCapture).PromptMessage
	bye, _ := flow.Node("bye")
	say = bye.Callflow()[0].(*callflows.Say).Text
	call, _ := flow.Node("call")
	mc = call.Callflow()[0].(*callflows.MakeCall)
	return menu, say, mc
}

func TestVars(t *testing.T) {
	tests := []struct {
		name             string
		value, to, from  string
		env              map[string]string
		wantValue        string
		wantTo, wantFrom string
		wantLooked       []string
	}{
		{
			name:  "defaults when unset",
			value: "${V:-default value}", to: "${TO:-+6598888888}", from: "${FROM:-+6568888888}",
			wantValue: "default value", wantTo: "+6598888888", wantFrom: "+6568888888",
			wantLooked: []string{"V", "TO", "FROM"},
		},
		{
			name:  "environment when set",
			value: "${V:-default}", to: "${TO:-+6598888888}", from: "${FROM}",
			env:       map[string]string{"V": "from env", "TO": "+6511111111", "FROM": "+6522222222"},
			wantValue: "from env", wantTo: "+6511111111", wantFrom: "+6522222222",
			wantLooked: []string{"V", "TO", "FROM"},
		},
		{
			name:  "default when set but empty",
			value: "${V:-default}", to: "${TO:-+6598888888}", from: "+6568888888",
			env:       map[string]string{"V": "", "TO": ""},
			wantValue: "default", wantTo: "+6598888888", wantFrom: "+6568888888",
			wantLooked: []string{"V", "TO"},
		},
		{
			name:  "plain values and several references",
			value: "a ${A:-1}-${B:-2} b", to: "+65${TO_SUFFIX}", from: "+6568888888",
			env:       map[string]string{"B": "x", "TO_SUFFIX": "98888888"},
			wantValue: "a 1-x b", wantTo: "+6598888888", wantFrom: "+6568888888",
			wantLooked: []string{"A", "B", "TO_SUFFIX"},
		},
		{
			name:  "default with colons and slashes",
			value: "${URL:-https://example.com:8443/a}", to: "+6591111111", from: "+6592222222",
			wantValue: "https://example.com:8443/a", wantTo: "+6591111111", wantFrom: "+6592222222",
			wantLooked: []string{"URL"},
		},
		{
			name:  "set to empty with no default",
			value: "[${V}]", to: "+6591111111", from: "+6592222222",
			env:       map[string]string{"V": ""},
			wantValue: "[]", wantTo: "+6591111111", wantFrom: "+6592222222",
			wantLooked: []string{"V"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := &envMap{vars: tt.env}
			flow, diags, _ := engine.Load("vars.yaml", engine.LoadOptions{Source: []byte(varsFlow(tt.value, tt.to, tt.from)), Env: env.lookup})
			if len(diags) > 0 || flow == nil {
				t.Fatalf("diagnostics:\n%v", diags)
			}
			menu, say, mc := expanded(t, flow)
			if want := "Value [" + tt.wantValue + "], press 1."; menu != want {
				t.Errorf("menu text = %q, want %q", menu, want)
			}
			if want := "Bye from " + tt.wantValue + "."; say != want {
				t.Errorf("say text = %q, want %q", say, want)
			}
			if mc.Destination != tt.wantTo || mc.Source != tt.wantFrom {
				t.Errorf("dial to %q from %q, want to %q from %q", mc.Destination, mc.Source, tt.wantTo, tt.wantFrom)
			}
			if !slices.Equal(env.looked, tt.wantLooked) {
				t.Errorf("looked up %q, want %q", env.looked, tt.wantLooked)
			}
		})
	}
}

// TestVarsNeverReadRealEnvironment: with an injected LookupEnv, a variable
// set in the process environment is not seen.
func TestVarsNeverReadRealEnvironment(t *testing.T) {
	t.Setenv("IVRCTL_TEST_REAL_ENV", "+6599999999")
	src := varsFlow("${IVRCTL_TEST_REAL_ENV:-injected default}", "+6591111111", "+6592222222")
	flow, diags, _ := engine.Load("vars.yaml", engine.LoadOptions{Source: []byte(src), Env: noEnv})
	if len(diags) > 0 {
		t.Fatalf("diagnostics:\n%v", diags)
	}
	if _, say, _ := expanded(t, flow); say != "Bye from injected default." {
		t.Errorf("say text = %q: the real environment leaked in", say)
	}

	// A nil LookupEnv is documented to mean the process environment.
	flow, diags, _ = engine.Load("vars.yaml", engine.LoadOptions{Source: []byte(src)})
	if len(diags) > 0 {
		t.Fatalf("diagnostics:\n%v", diags)
	}
	if _, say, _ := expanded(t, flow); say != "Bye from +6599999999." {
		t.Errorf("with a nil LookupEnv, say text = %q, want the process environment's value", say)
	}
}

// TestVarsErrors covers what the err fixtures cannot: the same file with
// and without a variable set.
func TestVarsErrors(t *testing.T) {
	src := varsFlow("x", "${FRONT_DESK}", "+6568888888")
	_, diags, _ := engine.Load("vars.yaml", engine.LoadOptions{Source: []byte(src), Env: noEnv})
	// The unset variable, and where its empty value ends up.
	want := "vars.yaml:5:7: error: environment variable FRONT_DESK is not set and has no default; set it, or give a default as ${FRONT_DESK:-value} [env]\n" +
		`vars.yaml:12:16: error: dial to of node "call" is empty [empty-text]`
	if diags.Error() != want {
		t.Errorf("unset:\n got %s\nwant %s", diags.Error(), want)
	}
	env := &envMap{vars: map[string]string{"FRONT_DESK": "+6598888888"}}
	flow, diags, _ := engine.Load("vars.yaml", engine.LoadOptions{Source: []byte(src), Env: env.lookup})
	if len(diags) > 0 {
		t.Fatalf("set:\n%v", diags)
	}
	if _, _, mc := expanded(t, flow); mc.Destination != "+6598888888" {
		t.Errorf("destination = %q, want +6598888888", mc.Destination)
	}
	// Set but empty passes the vars, and the dial says what is wrong.
	env.vars["FRONT_DESK"] = ""
	_, diags, _ = engine.Load("vars.yaml", engine.LoadOptions{Source: []byte(src), Env: env.lookup})
	want = `vars.yaml:12:16: error: dial to of node "call" is empty [empty-text]`
	if diags.Error() != want {
		t.Errorf("set but empty:\n got %s\nwant %s", diags.Error(), want)
	}
}
