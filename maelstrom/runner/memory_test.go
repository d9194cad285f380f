package runner

import (
	"runtime"
	"strconv"
	"testing"

	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/history"
	"broadcast/maelstrom/results"
	"broadcast/maelstrom/workload"
)

// longHistory feeds rec a synthetic run of n ops: broadcasts of start,
// start+1, ... and reads on 25 nodes, each read returning every value
// broadcast so far (0 .. start-1 exist from the outset), as the JSON text a
// node sends, parsed as the workload parses it.
func longHistory(rec *workload.Recorder, n, start int) {
	nodes := 25
	next := start
	buf := []byte{'['}
	for v := 0; v < start; v++ {
		if v > 0 {
			buf = append(buf, ',')
		}
		buf = strconv.AppendInt(buf, int64(v), 10)
	}
	for i := 0; i < n; i += 2 {
		p := i / 2 % nodes
		node := "n" + strconv.Itoa(p)
		t := int64(i) * 1e6
		if i%4 == 0 {
			rec.Add(history.Op{Time: t, Type: history.Invoke, Process: p, F: "broadcast", Value: int64(next), Node: node})
			rec.Add(history.Op{Time: t + 5e5, Type: history.OK, Process: p, F: "broadcast", Value: int64(next), Node: node})
			buf = strconv.AppendInt(append(buf, ','), int64(next), 10)
			next++
			continue
		}
		rec.Add(history.Op{Time: t, Type: history.Invoke, Process: p, F: "read", Node: node})
		r, err := history.ParseReadValue(append(buf[:len(buf):len(buf)], ']'))
		if err != nil {
			panic(err)
		}
		rec.Add(history.Op{Time: t + 5e5, Type: history.OK, Process: p, F: "read", Value: r, Node: node})
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// Rule: the run pipeline (recorder, delta history writer, online checker)
// keeps no read value: after 10,000 ops whose reads return 50,000 values or
// more each (about 1.5 GB of read values as JSON; 2,000 with -short), the retained heap is the
// per-value and per-op state only: under 32 MiB. (BenchmarkPipelineLongRun
// feeds 200,000 such ops.)
func TestPipelineMemoryIsBounded(t *testing.T) {
	ops, values := 10_000, 50_000
	if testing.Short() {
		ops = 2_000 // still about 300 MB of read values if any were kept
	}
	dir := t.TempDir()
	before := heapInUse()
	hw, err := results.NewHistoryWriter(dir, results.HistoryConfig{Format: results.FormatDelta, Concurrency: 25})
	if err != nil {
		t.Fatal(err)
	}
	c := checker.NewOnline(checker.DefaultConfig())
	misses := 0
	c.OnReadMiss(func(string, int64, []int64) { misses++ })
	rec := workload.NewRecorder(hw, c)
	longHistory(rec, ops, values)
	rec.Close()
	retained := heapInUse() - min(before, heapInUse())
	if err := hw.Close(history.Run{}); err != nil {
		t.Fatal(err)
	}
	res := c.Finish(checker.Final{Resolve: hw.Resolve})
	t.Logf("retained heap after %d ops with reads of >= %d values: %.1f MiB (bound 32 MiB); delta history %.1f MB; stable %d",
		ops, values, float64(retained)/(1<<20), float64(hw.Sizes()[results.HistoryDelta])/1e6, res.Workload.StableCount)
	if retained > 32<<20 {
		t.Fatalf("retained heap %d MiB > 32 MiB: the pipeline keeps read values", retained>>20)
	}
	if res.Workload.AttemptCount != ops/4 || misses != ops/4 {
		t.Fatalf("attempts %d, read-miss calls %d, want %d each", res.Workload.AttemptCount, misses, ops/4)
	}
	runtime.KeepAlive(c)
}

// BenchmarkPipelineLongRun times the pipeline on a long history (200,000
// ops, reads of 50,000+ values): the bench's cost per op during a long run
// (delta format), and its peak heap. Target: well under the 2 ms per op a
// 500 ops/s run leaves.
func BenchmarkPipelineLongRun(b *testing.B) {
	for _, format := range []string{results.FormatDelta} {
		b.Run(format, func(b *testing.B) {
			n := 200_000
			for i := 0; i < b.N; i++ {
				hw, err := results.NewHistoryWriter(b.TempDir(), results.HistoryConfig{Format: format, Concurrency: 25})
				if err != nil {
					b.Fatal(err)
				}
				c := checker.NewOnline(checker.DefaultConfig())
				rec := workload.NewRecorder(hw, c)
				longHistory(rec, n, 50_000)
				rec.Close()
				hw.Close(history.Run{})
				c.Finish(checker.Final{Resolve: hw.Resolve})
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n)/1e3, "µs/history-op")
			b.ReportMetric(float64(heapInUse())/(1<<20), "MiB-heap-after")
		})
	}
}
