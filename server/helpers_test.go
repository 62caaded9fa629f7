package server_test

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ivrctl/ivrctl/engine"
)

// loadWithAPI loads the flow at path with the environment variable name,
// the business API's base, set to url+"/api", and nothing else set.
func loadWithAPI(tb testing.TB, path, name, url string) *engine.Flow {
	tb.Helper()
	flow, diags, err := engine.Load(path, engine.LoadOptions{Env: func(n string) (string, bool) {
		if n == name {
			return url + "/api", true
		}
		return "", false
	}})
	if flow == nil {
		tb.Fatal(diags, err)
	}
	return flow
}

// seriesOf returns the series /metrics shows at base, one a line, without
// their values: where a PIN could show, in a label.
func seriesOf(t *testing.T, base string) string {
	t.Helper()
	return strings.Join(slices.Sorted(maps.Keys(scrape(t, base))), "\n")
}

// checkNoPINs fails t for each of the places (name -> text) that holds one
// of pins as a value of its own: not as a run of digits inside a number (a
// duration of 0.0019713 s is no leak).
func checkNoPINs(t *testing.T, places map[string]string, pins ...string) {
	t.Helper()
	re := regexp.MustCompile(`(^|[^0-9.])(` + strings.Join(pins, "|") + `)([^0-9]|$)`)
	for where, text := range places {
		if m := re.FindString(text); m != "" {
			t.Errorf("a PIN is in the %s: %q", where, m)
		}
	}
}
