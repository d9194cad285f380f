package plot

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/checker/synth"
	"broadcast/maelstrom/history"
)

// checkPNGs asserts every plot file exists and decodes as a PNG of cfg's size.
func checkPNGs(t *testing.T, dir string, cfg Config) {
	t.Helper()
	for _, name := range Files {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
			t.Fatalf("%s: not a PNG", name)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if sz := img.Bounds().Size(); sz.X != cfg.Width || sz.Y != cfg.Height {
			t.Fatalf("%s: %dx%d, want %dx%d", name, sz.X, sz.Y, cfg.Width, cfg.Height)
		}
	}
}

// outDir keeps the images under PLOT_OUT when set, for looking at them.
func outDir(t *testing.T, name string) string {
	if base := os.Getenv("PLOT_OUT"); base != "" {
		return filepath.Join(base, name)
	}
	return t.TempDir()
}

func TestWriteRealisticRun(t *testing.T) {
	cfg := synth.Gossip3d()
	cfg.Partitions, cfg.LoseEvery, cfg.TimeoutEvery = true, 97, 150
	if testing.Short() || os.Getenv("PLOT_OUT") == "" {
		cfg.TimeLimit = 8 // the full 20 s run is for looking at (PLOT_OUT)
	}
	run := synth.Run(cfg)
	run.Faults = append(run.Faults, history.Interval{Kind: "kill", Start: 3e9, End: 4e9, Detail: "n3"},
		history.Interval{Kind: "kill-all", Start: 7e9, End: -1}) // still open: shaded to the end
	res := checker.CheckWith(run, checker.Config{Params: &checker.Params{
		NodeCount: 25, Concurrency: 25, Rate: 100, TimeLimit: cfg.TimeLimit, Latency: 100, Topology: "grid", Nemesis: "partition"}})
	dir := outDir(t, "realistic")
	if err := Write(dir, run, res); err != nil {
		t.Fatal(err)
	}
	checkPNGs(t, dir, DefaultConfig())
}

// Write handles an empty history (no ops, no faults, no series).
func TestWriteEmptyRun(t *testing.T) {
	dir := outDir(t, "empty")
	run := history.Run{}
	if err := Write(dir, run, checker.Check(run)); err != nil {
		t.Fatal(err)
	}
	checkPNGs(t, dir, DefaultConfig())
}

// A run where every op failed: log axes still have a range.
func TestWriteAllFailed(t *testing.T) {
	cfg := synth.Config{Seed: 2, Nodes: 3, Rate: 10, TimeLimit: 3, TimeoutEvery: 1}
	run := synth.Run(cfg)
	dir := outDir(t, "failed")
	small := Config{Width: 640, Height: 400, DPI: 72}
	if err := WriteWith(dir, run, checker.Check(run), small); err != nil {
		t.Fatal(err)
	}
	checkPNGs(t, dir, small)
}

func TestConfigValidate(t *testing.T) {
	if _, err := (Config{Width: 10, Height: 10}).validate(); err == nil {
		t.Fatal("tiny image accepted")
	}
	if c, err := (Config{}).validate(); err != nil || c != DefaultConfig() {
		t.Fatalf("zero config: %+v %v", c, err)
	}
	if err := WriteWith(t.TempDir(), history.Run{}, checker.Results{}, Config{Width: 1}); err == nil {
		t.Fatal("bad config not reported")
	}
}

func TestBucketWidth(t *testing.T) {
	cases := []struct{ span, pref, want float64 }{
		{20, 10, 1}, {20, 30, 1}, {600, 30, 30}, {600, 10, 10}, {35, 10, 2}, {1, 30, 0.1},
	}
	for _, c := range cases {
		if got := bucketWidth(c.span, c.pref); got != c.want {
			t.Errorf("bucketWidth(%v, %v) = %v, want %v", c.span, c.pref, got, c.want)
		}
	}
}

func TestLogTicks(t *testing.T) {
	labels := func(min, max float64) []string {
		var out []string
		for _, tk := range (logTicks{}).Ticks(min, max) {
			if tk.Label != "" {
				out = append(out, tk.Label)
			}
		}
		return out
	}
	if got := labels(0.1, 10); strings.Join(got, " ") != "0.1 0.2 0.5 1 2 5 10" {
		t.Errorf("0.1..10: %v", got)
	}
	if got := labels(0.01, 10000); strings.Join(got, " ") != "0.01 0.1 1 10 100 1000 10000" {
		t.Errorf("0.01..10000: %v", got)
	}
}
