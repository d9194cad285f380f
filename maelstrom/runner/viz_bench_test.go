package runner

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"broadcast/maelstrom/diagram"
	"broadcast/maelstrom/journal"
)

// JournalCPUTarget is the most the message journal may add to the bench's
// own CPU on the 3d/3e run, as a fraction.
const JournalCPUTarget = 0.05

// BenchmarkJournalCost runs the 3d/3e configuration (25 nodes of
// cmd/broadcast, rate 100, latency 100, JOURNAL_TIME_LIMIT seconds, default
// 20) with and without the message journal, JOURNAL_SEEDS times each
// (default 3, alternating), and reports the bench's CPU medians, the
// added fraction against its target, and the sizes of messages.journal and
// messages.svg. Run it with
//
//	go test -run '^$' -bench JournalCost -benchtime 1x -timeout 30m ./maelstrom/runner/
func BenchmarkJournalCost(b *testing.B) {
	limit := envInt("JOURNAL_TIME_LIMIT", 20)
	seeds := envInt("JOURNAL_SEEDS", 3)
	bin := filepath.Join(b.TempDir(), "broadcast")
	build := exec.Command("go", "build", "-o", bin, "./cmd/broadcast")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build cmd/broadcast: %v\n%s", err, out)
	}
	for i := 0; i < b.N; i++ {
		cpu := map[bool][]float64{}
		p99 := map[bool][]float64{}
		for s := 1; s <= seeds; s++ {
			for _, journaled := range []bool{true, false} {
				cfg := DefaultConfig()
				cfg.Bin = bin
				cfg.Nodes = nodeIDs(25)
				cfg.Rate, cfg.Latency = 100, 100
				cfg.TimeLimit = time.Duration(limit) * time.Second
				cfg.Seed = uint64(s)
				cfg.NoJournal = !journaled
				cfg.StoreDir = filepath.Join(b.TempDir(), "store")
				cfg.Console, cfg.Stdout = io.Discard, io.Discard
				load, _ := os.ReadFile("/proc/loadavg")
				res := Run(context.Background(), cfg)
				if res.Exit != ExitValid {
					b.Fatalf("seed %d journal %v: exit %d: %v", s, journaled, res.Exit, res.Err)
				}
				cpu[journaled] = append(cpu[journaled], res.Bench.BenchCPUSeconds)
				p99[journaled] = append(p99[journaled], res.Bench.LatenessMS["p99"])
				line := fmt.Sprintf("seed %d journal %-5v: bench CPU %.3f s over %.1f s wall, lateness p99 %.3f ms, %d messages; loadavg %s",
					s, journaled, res.Bench.BenchCPUSeconds, res.Bench.WallSeconds, res.Bench.LatenessMS["p99"], res.Run.Net.All.Msg, string(load[:len(load)-1]))
				if journaled {
					jf, _ := os.Stat(filepath.Join(res.Dir, journal.FileName))
					sf, _ := os.Stat(filepath.Join(res.Dir, diagram.SVGName))
					if jf != nil && sf != nil {
						line += fmt.Sprintf("; messages.journal %d bytes, messages.svg %d bytes (target < 10 MB)", jf.Size(), sf.Size())
						b.ReportMetric(float64(sf.Size())/1e6, "svg-MB")
					}
				}
				fmt.Println(line)
			}
		}
		on, off := median(cpu[true]), median(cpu[false])
		added := (on - off) / off
		verdict := "PASS"
		if added >= JournalCPUTarget {
			verdict = "FAIL"
		}
		fmt.Printf("bench CPU median: with journal %.3f s, without %.3f s: %+.1f%% (target < %.0f%%: %s); lateness p99 median %.3f ms with, %.3f ms without\n",
			on, off, 100*added, 100*JournalCPUTarget, verdict, median(p99[true]), median(p99[false]))
		b.ReportMetric(100*added, "journal-cpu-%")
	}
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

func envInt(name string, def int) int {
	var v int
	if _, err := fmt.Sscan(os.Getenv(name), &v); err == nil && v > 0 {
		return v
	}
	return def
}
