package results

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/history"
)

// The histories in testdata/recorded were recorded by the bench before its
// checker went online (the batch checker), with its results.edn and
// results.json: test nodes and the real node, under partitions and kills.
var recorded = []string{"correct-partition", "nogossip", "slowread", "garbage", "node-partition-kill"}

func readRecorded(t *testing.T, name string) (history.Run, []byte, map[string]any) {
	t.Helper()
	dir := filepath.Join("testdata", "recorded", name)
	run := readHistoryFile(t, filepath.Join(dir, HistoryJSON))
	edn, err := os.ReadFile(filepath.Join(dir, ResultsEDN))
	if err != nil {
		t.Fatal(err)
	}
	var js map[string]any
	b, err := os.ReadFile(filepath.Join(dir, ResultsJSON))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &js); err != nil {
		t.Fatal(err)
	}
	return run, edn, js
}

// sameAsRecorded compares res rendered with what the batch checker wrote:
// results.edn byte for byte; results.json's Maelstrom keys exactly, and the
// bench figures the batch checker computed.
func sameAsRecorded(t *testing.T, label string, res checker.Results, edn []byte, js map[string]any) {
	t.Helper()
	if got := EDN(Maelstrom(res)); !bytes.Equal(got, edn) {
		t.Fatalf("%s: results.edn differs from the recorded one:\n got %s\nwant %s", label, got, edn)
	}
	var got map[string]any
	if err := json.Unmarshal(JSON(ResultsJSONTree(res)), &got); err != nil {
		t.Fatal(err)
	}
	gb, wb := got[BenchKey].(map[string]any), js[BenchKey].(map[string]any)
	for _, k := range []string{"client-latency-ms", "stable-latencies-ms", "op-count", "faults", "errors"} {
		if !reflect.DeepEqual(gb[k], wb[k]) {
			t.Fatalf("%s: bench %s = %v, recorded %v", label, k, gb[k], wb[k])
		}
	}
	want := map[string]any{}
	for k, v := range js {
		if k != BenchKey {
			want[k] = v
		}
	}
	delete(got, BenchKey)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: results.json differs from the recorded one", label)
	}
}

// Rule: on histories recorded from real runs, the online checker's
// results.edn is byte for byte the batch checker's, and results.json has
// the same Maelstrom map and bench figures, whether it is fed from memory
// or streamed through the history writer and read back from its files.
func TestOnlineMatchesRecordedResults(t *testing.T) {
	for _, name := range recorded {
		run, edn, js := readRecorded(t, name)
		if len(run.Ops) == 0 {
			t.Fatalf("%s: empty history", name)
		}
		var params map[string]any
		if p, ok := js[BenchKey].(map[string]any)["params"].(map[string]any); ok {
			params = p
		}
		cfg := checker.Config{}
		if params != nil {
			cfg.Params = &checker.Params{TimeLimit: params["time-limit"].(float64)}
		}
		sameAsRecorded(t, name+" (in memory)", checker.CheckWith(run, cfg), edn, js)

		for _, format := range []string{FormatFull, FormatDelta} {
			dir := t.TempDir()
			hw, err := NewHistoryWriter(dir, HistoryConfig{Format: format, Nodes: run.Nodes, Concurrency: run.Concurrency})
			if err != nil {
				t.Fatal(err)
			}
			c := checker.NewOnline(cfg)
			for _, op := range run.Ops {
				hw.Observe(op)
				c.Observe(op)
			}
			if err := hw.Close(run); err != nil {
				t.Fatal(err)
			}
			res := c.Finish(checker.Final{Net: run.Net, Faults: run.Faults, Resolve: hw.Resolve})
			sameAsRecorded(t, name+" ("+format+" history)", res, edn, js)
		}
	}
}
