package results

import (
	"encoding/json"
	"reflect"
	"testing"
)

// results.json carries both staleness figures under bench.staleness, with
// the quantiles in ms at Maelstrom's points. In the small run, n1 misses 8
// (acknowledged on n0 during the n0|n1 partition) in its final read, 10 s
// after the heal: 8 is stale after heal, never while reachable.
func TestStalenessInResultsJSON(t *testing.T) {
	dir, _ := writeSmall(t)
	var m map[string]any
	if err := json.Unmarshal([]byte(readFile(t, dir, ResultsJSON)), &m); err != nil {
		t.Fatal(err)
	}
	st, ok := m[BenchKey].(map[string]any)["staleness"].(map[string]any)
	if !ok {
		t.Fatalf("no bench.staleness in %v", m[BenchKey])
	}
	for _, k := range []string{"while-reachable", "after-heal"} {
		f, ok := st[k].(map[string]any)
		if !ok {
			t.Fatalf("no %s in %v", k, st)
		}
		qs, _ := f["quantiles-ms"].(map[string]any)
		want := map[string]any{"0": 0.0, "0.5": 0.0, "0.95": 0.0, "0.99": 0.0, "1": 0.0}
		wantStale, wantWorst := 0.0, any(nil)
		if k == "after-heal" {
			want = map[string]any{"0": 0.0, "0.5": 10000.0, "0.95": 10000.0, "0.99": 10000.0, "1": 10000.0}
			wantStale, wantWorst = 1.0, 8.0
		}
		if !reflect.DeepEqual(qs, want) || f["value-count"] != 2.0 || f["stale-count"] != wantStale || f["worst-value"] != wantWorst {
			t.Fatalf("%s: %v", k, f)
		}
	}
}
