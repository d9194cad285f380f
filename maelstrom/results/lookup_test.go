package results

import (
	"encoding/json"
	"testing"
)

// Rule: Lookup follows nested maps by key and gives nil for a missing key
// or a non-map on the way.
func TestLookup(t *testing.T) {
	var m map[string]any
	if err := json.Unmarshal([]byte(`{"bench":{"staleness":{"n":3}},"valid?":true,"xs":[1]}`), &m); err != nil {
		t.Fatal(err)
	}
	if got := Lookup(m, "bench", "staleness", "n"); got != 3.0 {
		t.Errorf("bench.staleness.n = %v", got)
	}
	if got := Lookup(m, "valid?"); got != true {
		t.Errorf("valid? = %v", got)
	}
	for _, keys := range [][]string{{"nope"}, {"bench", "nope", "n"}, {"xs", "0"}, {"valid?", "x"}} {
		if got := Lookup(m, keys...); got != nil {
			t.Errorf("%q = %v, want nil", keys, got)
		}
	}
	if got := Lookup(m); got == nil {
		t.Error("no keys: want the map itself")
	}
}
