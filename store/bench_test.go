package store

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// Benchmarks run on the real file system (b.TempDir). Targets are printed
// next to the figures; nothing here asserts on timing.

// benchLog opens a Log in a fresh temp dir for a benchmark.
func benchLog(b *testing.B, mutate func(*Config)) *Log {
	b.Helper()
	cfg := DefaultConfig()
	cfg.Dir = b.TempDir()
	cfg.Logf = b.Logf
	if mutate != nil {
		mutate(&cfg)
	}
	l, err := Open(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	return l
}

// driveOwner plays the node's owner goroutine: it appends n batches of
// perAppend new values, keeping at most inflight of them unacknowledged,
// and calls acked(i) when DurableSeq covers append i. It returns when all
// are durable.
func driveOwner(b *testing.B, l *Log, n, perAppend, inflight int, sent, acked func(i int)) {
	vals := make([]int64, perAppend)
	next := int64(0)
	type pending struct {
		seq uint64
		i   int
	}
	var queue []pending
	release := func() {
		durable := l.DurableSeq()
		for len(queue) > 0 && queue[0].seq <= durable {
			if acked != nil {
				acked(queue[0].i)
			}
			queue = queue[1:]
		}
	}
	wait := func() {
		<-l.Notify()
		if err := l.Err(); err != nil {
			b.Fatal(err)
		}
		release()
	}
	for i := range n {
		for len(queue) >= inflight {
			wait()
		}
		for j := range vals {
			vals[j] = next
			next++
		}
		if sent != nil {
			sent(i)
		}
		queue = append(queue, pending{l.Append(vals), i})
		release()
	}
	for len(queue) > 0 {
		wait()
	}
}

// BenchmarkDurableThroughput: values per second through the durable store
// (Append, then wait until DurableSeq covers it), with many appends in
// flight at once as a busy node has, and the fsyncs per second that took.
// Each op is one Append.
func BenchmarkDurableThroughput(b *testing.B) {
	for _, tc := range []struct {
		perAppend, inflight int
		delay               time.Duration
	}{
		{1, 1, 0},
		{1, 64, 0},
		{1, 1024, 0},
		{100, 1, 0},
		{100, 16, 0},
		{1, 64, 200 * time.Microsecond},
		{1, 64, 1 * time.Millisecond},
		{100, 16, 1 * time.Millisecond},
	} {
		name := fmt.Sprintf("values=%d/inflight=%d/delay=%v", tc.perAppend, tc.inflight, tc.delay)
		b.Run(name, func(b *testing.B) {
			l := benchLog(b, func(c *Config) { c.GroupCommitDelay = tc.delay })
			before := l.Stats()
			start := time.Now()
			driveOwner(b, l, b.N, tc.perAppend, tc.inflight, nil, nil)
			secs := time.Since(start).Seconds()
			s := l.Stats()
			commits := float64(s.GroupCommits - before.GroupCommits)
			b.ReportMetric(float64(b.N*tc.perAppend)/secs, "values/s")
			b.ReportMetric(commits/secs, "fsyncs/s")
			b.ReportMetric(float64(b.N)/commits, "appends/fsync")
		})
	}
}

// BenchmarkAckLatency: how long from Append until DurableSeq covers it
// (p50, p99), against a memory-only store whose "ack" is just Set.Add.
// The difference is the extra acknowledgement latency of durability.
func BenchmarkAckLatency(b *testing.B) {
	report := func(b *testing.B, lat []time.Duration) {
		slices.Sort(lat)
		p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Nanoseconds()) }
		b.ReportMetric(p(0.50), "p50-ns")
		b.ReportMetric(p(0.99), "p99-ns")
		b.ReportMetric(0, "ns/op")
	}
	b.Run("memory", func(b *testing.B) {
		s := NewSet()
		lat := make([]time.Duration, b.N)
		for i := range b.N {
			t0 := time.Now()
			s.Add(int64(i))
			lat[i] = time.Since(t0)
		}
		report(b, lat)
	})
	for _, tc := range []struct {
		inflight int
		delay    time.Duration
	}{{1, 0}, {32, 0}, {32, 200 * time.Microsecond}, {32, time.Millisecond}} {
		b.Run(fmt.Sprintf("durable/inflight=%d/delay=%v", tc.inflight, tc.delay), func(b *testing.B) {
			l := benchLog(b, func(c *Config) { c.GroupCommitDelay = tc.delay })
			starts := make([]time.Time, b.N)
			lat := make([]time.Duration, b.N)
			driveOwner(b, l, b.N, 1, tc.inflight,
				func(i int) { starts[i] = time.Now() },
				func(i int) { lat[i] = time.Since(starts[i]) })
			report(b, lat)
		})
	}
}

// writeRecoveryFixture builds a store directory holding a snapshot of
// snapValues values plus a log tail of tailValues more (in records of 100),
// with values spread over 2^40 so deltas are not trivially small.
func writeRecoveryFixture(b *testing.B, dir string, snapValues, tailValues int) {
	r := rand.New(rand.NewSource(1))
	set := make(map[int64]bool, snapValues+tailValues)
	for len(set) < snapValues+tailValues {
		set[r.Int63n(1<<40)] = true
	}
	all := make([]int64, 0, len(set))
	for v := range set {
		all = append(all, v)
	}
	snap, tail := slices.Clone(all[:snapValues]), all[snapValues:]
	slices.Sort(snap)
	l := &Log{cfg: Config{Dir: dir}}
	if err := os.WriteFile(l.snapshotPath(2), snapshotBytes(snap), 0o644); err != nil {
		b.Fatal(err)
	}
	var seg []byte
	for len(tail) > 0 {
		n := min(100, len(tail))
		rec := slices.Clone(tail[:n])
		slices.Sort(rec)
		seg = appendValuesRecord(seg, rec)
		tail = tail[n:]
	}
	if err := os.WriteFile(l.segmentPath(2), seg, 0o644); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRecovery1M: Open of a store holding 1,000,000 values (a snapshot
// of 950,000 plus a log tail of 50,000). Target: under 1 s.
func BenchmarkRecovery1M(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "store")
	if err := os.Mkdir(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	writeRecoveryFixture(b, dir, 950_000, 50_000)
	cfg := DefaultConfig()
	cfg.Dir = dir
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		l, err := Open(cfg)
		if err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		if n := len(l.Recovered()); n != 1_000_000 {
			b.Fatalf("recovered %d values", n)
		}
		l.Close()
	}
	ms := float64(total.Milliseconds()) / float64(b.N)
	b.ReportMetric(ms, "ms/recovery")
	b.Logf("recovery of 1,000,000 values (snapshot 950k + log 50k): %.0f ms per Open (target < 1000 ms)", ms)
}

// BenchmarkSnapshotStall1M: with 1,000,000 values in the store, how long a
// snapshot and log cut takes (it runs on the writer goroutine, so appends
// queued meanwhile wait this long). Each op appends one new value and waits
// for it (the snapshot it triggers starts right after that ack), then waits
// for an empty Append, which the writer reaches only after the snapshot.
func BenchmarkSnapshotStall1M(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "store")
	if err := os.Mkdir(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	writeRecoveryFixture(b, dir, 1_000_000, 0)
	cfg := DefaultConfig()
	cfg.Dir = dir
	cfg.SnapshotEveryValues = 1
	l, err := Open(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	next := int64(-1)
	for b.Loop() {
		if err := waitDurable(l, l.Append([]int64{next})); err != nil {
			b.Fatal(err)
		}
		next--
		if err := waitDurable(l, l.Append(nil)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(l.Stats().Snapshots)/float64(b.N), "snapshots/op")
}
