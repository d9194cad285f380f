package procstat

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Rule: Read reports this process's resident memory, threads and
// descriptors as the kernel shows them, and a new descriptor counts.
func TestReadSelf(t *testing.T) {
	a, err := Read("/proc", os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if a.RSS <= 0 || a.Threads < 1 || a.FDs < 3 {
		t.Fatalf("implausible sample of this process: %+v", a)
	}
	f, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := Read("/proc", os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if b.FDs != a.FDs+1 {
		t.Fatalf("fds %d after opening a file, %d before", b.FDs, a.FDs)
	}
	if _, err := Read("/proc", 1<<30); err == nil {
		t.Fatal("Read of a process that does not exist: no error")
	}
}

// Rule: the sampler writes a JSONL line per process per interval, skips
// processes that are gone, and Load reads back what it wrote.
func TestSamplerWritesAndLoads(t *testing.T) {
	path := filepath.Join(t.TempDir(), File)
	procs := func() []Proc { return []Proc{{"n0", os.Getpid()}, {"n1", 1 << 30}} }
	s, err := Start(Config{Interval: 20 * time.Millisecond, Path: path, Procs: procs})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(110 * time.Millisecond)
	got, err := s.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Stop(); len(again) != len(got) {
		t.Fatal("a second Stop changed the samples")
	}
	if len(got) < 3 {
		t.Fatalf("%d samples in 110 ms at 20 ms, want at least 3", len(got))
	}
	for _, smp := range got {
		if smp.Node != "n0" || smp.PID != os.Getpid() {
			t.Fatalf("sample of the wrong process: %+v", smp)
		}
	}
	loaded, err := Load(path)
	if err != nil || len(loaded) != len(got) || loaded[0] != got[0] {
		t.Fatalf("Load = %d samples (%v), want the %d written", len(loaded), err, len(got))
	}
}

// Rule: growth is judged per process after its first minute: a restarted
// node is a new process; the memory slope is per value broadcast; a
// descriptor that keeps growing is not flat.
func TestGrowths(t *testing.T) {
	var samples []Sample
	for i := range 13 { // 0..120 s
		ts := float64(i * 10)
		threads := 8
		if i == 2 {
			threads = 9 // within the first minute: the level to judge by
		}
		if i == 12 {
			threads = 9 + ThreadSlack // the runtime's high-water mark: still flat
		}
		samples = append(samples, Sample{T: ts, Node: "n0", PID: 1, RSS: 10e6 + int64(ts*1000*40), Threads: threads, FDs: 6})
		samples = append(samples, Sample{T: ts, Node: "n1", PID: 2, RSS: 10e6, Threads: 8 + i, FDs: 6 + i})
		if ts >= 90 {
			samples = append(samples, Sample{T: ts, Node: "n2", PID: 3, RSS: 9e6, Threads: 7, FDs: 6})
		}
	}
	valuesAt := func(ts float64) int { return int(ts * 1000) } // 1,000 values/s
	gs := Growths(samples, valuesAt)
	if len(gs) != 2 {
		t.Fatalf("%d growths, want 2 (n2 lived under a minute)", len(gs))
	}
	if g := gs[0]; g.Node != "n0" || math.Abs(g.BytesPerValue-40) > 1e-6 || !g.ThreadsFlat() || !g.FDsFlat() || g.Values != 60_000 {
		t.Fatalf("n0: %+v, want 40 B/value over 60,000 values, flat", g)
	}
	if g := gs[1]; g.Node != "n1" || g.ThreadsFlat() || g.FDsFlat() || g.BytesPerValue != 0 {
		t.Fatalf("n1: %+v, want threads and descriptors not flat (they keep rising), no memory growth", g)
	}
	var b strings.Builder
	// Minute 0 has 100 and 300 ms: the median is Maelstrom's 0.5 quantile, the upper middle.
	Report(&b, Outcome{Valid: "true"}, samples, gs, PerMinute([]Point{{T: 1, LatencyMS: 100}, {T: 2, LatencyMS: 300}, {T: 61, LatencyMS: 50}}))
	for _, want := range []string{"1/2", "FAIL", "40.0", "     0        2         300         300", "     1        1          50          50"} {
		if !strings.Contains(b.String(), want) {
			t.Fatalf("report lacks %q:\n%s", want, b.String())
		}
	}
}

// Rule: the plots are written even for runs with restarts and no
// latencies.
func TestWritePlots(t *testing.T) {
	dir := t.TempDir()
	samples := []Sample{{T: 0, Node: "n0", PID: 1, RSS: 1e6, Threads: 5, FDs: 5}, {T: 10, Node: "n0", PID: 1, RSS: 2e6, Threads: 6, FDs: 5}, {T: 20, Node: "n0", PID: 4, RSS: 1e6, Threads: 5, FDs: 5}}
	if err := WritePlots(dir, samples, nil); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{RSSPlot, ThreadsPlot, FDsPlot, PerMinutePlot} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Fatalf("%s: %v", f, err)
		}
	}
}
