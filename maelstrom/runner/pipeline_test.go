package runner

import (
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"broadcast/maelstrom/history"
	"broadcast/maelstrom/results"
)

// Rule: an observer registered in Config.Observers sees every op of the
// history, in index order, each once; the read-miss hook is called once per
// ok read with ascending values; the delta format writes only its own file
// and the run checks the same way.
func TestObserversAndReadMissHook(t *testing.T) {
	var mu sync.Mutex
	var seen []history.Op
	var readOKs, hookCalls int
	var badMiss bool
	obs := history.ObserverFunc(func(op history.Op) {
		mu.Lock()
		defer mu.Unlock()
		if r := op.Read(); r != nil {
			readOKs++
			if r.Count() > r.Len() {
				badMiss = true
			}
			op.Value = nil // the value is not kept past the call
		}
		seen = append(seen, op)
	})
	hook := func(node string, invoke int64, missed []int64) {
		mu.Lock()
		defer mu.Unlock()
		hookCalls++
		if node == "" || !slices.IsSorted(missed) {
			badMiss = true
		}
	}
	o := runNode(t, "correct", func(c *Config) {
		c.Observers = []history.Observer{obs}
		c.ReadMiss = append(c.ReadMiss, hook)
		c.HistoryFormat = results.FormatDelta
	})
	if o.Exit != ExitValid {
		t.Fatalf("exit %d: %v", o.Exit, o.Err)
	}
	if len(seen) == 0 {
		t.Fatal("observer saw no op")
	}
	for i, op := range seen {
		if op.Index != i {
			t.Fatalf("op %d has index %d: not in index order", i, op.Index)
		}
	}
	if readOKs == 0 || hookCalls != readOKs || badMiss {
		t.Fatalf("%d ok reads, %d hook calls, bad %v", readOKs, hookCalls, badMiss)
	}
	for _, name := range []string{results.HistoryTxt, results.HistoryEDN, results.HistoryJSON} {
		if _, err := os.Stat(filepath.Join(o.Dir, name)); !os.IsNotExist(err) {
			t.Errorf("%s written in delta format", name)
		}
	}
	f, err := os.Open(filepath.Join(o.Dir, results.HistoryDelta))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	run, err := results.ReadHistoryDelta(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Ops) != len(seen) {
		t.Fatalf("delta history has %d ops, observer saw %d", len(run.Ops), len(seen))
	}
	if o.Bench.HistoryBytes[results.HistoryDelta] == 0 || o.Bench.HistoryFormat != results.FormatDelta {
		t.Errorf("bench.json history figures: %v %q", o.Bench.HistoryBytes, o.Bench.HistoryFormat)
	}
}
