package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"broadcast/maelstrom/procstat"
)

// Rule: with SampleProcs, every node process is sampled from setup to the
// final reads into procs.jsonl, the plots are written and the soak figures
// follow the summary; without it, none of that.
func TestSampleProcs(t *testing.T) {
	t.Parallel()
	o := runNode(t, "correct", func(c *Config) { c.SampleProcs = 200 * time.Millisecond })
	if o.Exit != ExitValid {
		t.Fatalf("exit %d: %v", o.Exit, o.Err)
	}
	samples, err := procstat.Load(filepath.Join(o.Dir, procstat.File))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, s := range samples {
		seen[s.Node]++
		if s.RSS <= 0 || s.Threads < 1 || s.FDs < 3 {
			t.Fatalf("implausible sample %+v", s)
		}
	}
	for _, id := range []string{"n0", "n1", "n2"} {
		if seen[id] < 5 { // 2 s main phase + 0.5 s recovery at 200 ms
			t.Errorf("node %s sampled %d times, want at least 5", id, seen[id])
		}
	}
	for _, f := range []string{procstat.RSSPlot, procstat.ThreadsPlot, procstat.FDsPlot, procstat.PerMinutePlot} {
		if !exists(filepath.Join(o.Dir, f)) {
			t.Errorf("%s missing", f)
		}
	}
	out := o.stdout.String()
	for _, want := range []string{"Soak: ", "acknowledged values lost", "stable latency per minute"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}

	plain := runNode(t, "correct", nil)
	if _, err := os.Stat(filepath.Join(plain.Dir, procstat.File)); err == nil || strings.Contains(plain.stdout.String(), "Soak: ") {
		t.Error("a run without SampleProcs sampled processes")
	}
}
