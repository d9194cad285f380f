package runner

import (
	"hash/fnv"
	"math/rand/v2"
	"testing"
	"time"

	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/history"
)

// pauseSeed finds a seed whose first pause (on a single target) lasts a gap
// in [lo, hi) under interval, by drawing from the nemesis's pause stream the
// way its schedule does (pick one target, then the gap to the resume). The
// test then checks the recorded interval, so a drift in that order fails.
func pauseSeed(t *testing.T, interval, lo, hi time.Duration) (uint64, time.Duration) {
	t.Helper()
	h := fnv.New64a()
	h.Write([]byte("nemesis/pause"))
	for seed := uint64(1); seed < 100000; seed++ {
		r := rand.New(rand.NewPCG(seed, h.Sum64()))
		r.IntN(1)
		if g := time.Duration(r.Int64N(int64(2 * interval))); g >= lo && g < hi {
			return seed, g
		}
	}
	t.Fatal("no seed found")
	return 0, 0
}

// runPausedN1 runs the correct node on 3 nodes (two workers each, so that
// one of n1's workers is free to send it something while the other is held)
// with the pause nemesis aimed at n1, with a seed whose first pause lasts a
// gap in [lo, hi), and a time limit that ends one second after it.
func runPausedN1(t *testing.T, interval, lo, hi time.Duration, mod func(c *Config)) (outcome, time.Duration) {
	t.Helper()
	seed, gap := pauseSeed(t, interval, lo, hi)
	return runNode(t, "correct", func(c *Config) {
		c.Seed = seed
		c.Concurrency = 6
		c.Nemesis = []string{"pause"}
		c.NemesisTargets = []string{"n1"}
		c.NemesisInterval = interval
		c.TimeLimit = gap + time.Second
		c.RecoveryWait = time.Second
		if mod != nil {
			mod(c)
		}
	}), gap
}

// firstPause returns the first pause interval of the run.
func firstPause(t *testing.T, o outcome) history.Interval {
	t.Helper()
	for _, f := range o.Run.Faults {
		if f.Kind == "pause" {
			return f
		}
	}
	t.Fatalf("no pause interval in %+v", o.Run.Faults)
	return history.Interval{}
}

// eachCompletion calls fn with every client completion and its invocation.
func eachCompletion(ops []history.Op, fn func(inv, comp history.Op)) {
	inv := map[int]history.Op{}
	for _, op := range ops {
		switch {
		case op.Process < 0:
		case op.Type == history.Invoke:
			inv[op.Process] = op
		default:
			fn(inv[op.Process], op)
		}
	}
}

// Rule: a node paused for 3 s (less than the 5 s client timeout) keeps its
// values: operations sent to it wait and complete ok after the resume, and
// the run stays valid.
func TestPauseKeepsValues(t *testing.T) {
	if testing.Short() {
		t.Skip("a 3 s pause")
	}
	t.Parallel()
	o, gap := runPausedN1(t, 2*time.Second, 3*time.Second, 3300*time.Millisecond, nil)
	if o.Exit != ExitValid || o.Results == nil || o.Results.Valid != checker.Valid {
		t.Fatalf("exit %d, want 0 (valid)", o.Exit)
	}
	// The resume is scheduled gap after the pause's scheduled time; the
	// interval runs from SIGSTOP to SIGCONT, so it is a little shorter when
	// the nemesis is late.
	p := firstPause(t, o)
	if d := time.Duration(p.End - p.Start); p.Detail != "n1" || d < 2800*time.Millisecond || d > gap+time.Second {
		t.Fatalf("first pause %+v lasted %v, want about %v on n1", p, d, gap)
	}
	// Operations on n1 that were in flight during the pause waited for the
	// resume and completed ok; none timed out.
	// The interval's end is taken just after SIGCONT; the resume op's
	// invocation, just before it.
	var resumeAt int64 = -1
	for _, op := range o.Run.Ops {
		if op.Process == history.NemesisProcess && op.F == "resume" && op.Value == "all" && op.Time > p.Start {
			resumeAt = op.Time
			break
		}
	}
	if resumeAt < 0 {
		t.Fatal("no resume op after the first pause")
	}
	held := 0
	eachCompletion(o.Run.Ops, func(i, op history.Op) {
		if op.Type != history.OK {
			t.Fatalf("op %+v: no op may fail or time out", op)
		}
		if op.Node == "n1" && i.Time < p.End-100e6 && op.Time > p.Start {
			held++
			if i.Time > p.Start && op.Time < resumeAt {
				t.Fatalf("op %+v on paused n1 completed at %d, before the resume at %d", op, op.Time, resumeAt)
			}
		}
	})
	if held == 0 {
		t.Fatal("no operation on n1 was in flight during its pause")
	}
	if o.Bench.Dropped != 0 {
		t.Fatalf("%d server messages dropped: a pause must drop none", o.Bench.Dropped)
	}
	// n1's final read holds every acknowledged value.
	w := o.Results.Workload
	if w.LostCount != 0 || w.NeverReadCount != 0 {
		t.Fatalf("lost %d never read %d", w.LostCount, w.NeverReadCount)
	}
	var acked = map[int64]bool{}
	for _, op := range o.Run.Ops {
		if v, ok := op.BroadcastValue(); ok && op.F == "broadcast" && op.Type == history.OK {
			acked[v] = true
		}
	}
	for _, op := range o.Run.Ops {
		if op.Final && op.Type == history.OK && op.Node == "n1" {
			if got := len(op.ReadValues()); got != len(acked) {
				t.Fatalf("n1's final read has %d values, %d were acknowledged", got, len(acked))
			}
		}
	}
	if st := o.Results.Bench.Staleness; st == nil || st.Reachable.Values != len(acked) {
		t.Fatalf("staleness %+v", st)
	}
}

// Rule: a pause longer than the client timeout makes the operations sent to
// the paused node time out as Maelstrom's client does: broadcasts :info,
// reads :fail, both :net-timeout, one timeout after their invocation. (The
// timeout is shortened to 1 s here to keep the test short; the mechanism is
// the 5 s one's.)
func TestLongPauseTimesOut(t *testing.T) {
	if testing.Short() {
		t.Skip("a 2.5 s pause")
	}
	t.Parallel()
	o, _ := runPausedN1(t, 1500*time.Millisecond, 2500*time.Millisecond, 2900*time.Millisecond,
		func(c *Config) { c.RPCTimeout = time.Second })
	if o.Exit == ExitAborted || o.Results == nil {
		t.Fatalf("exit %d err %v", o.Exit, o.Err)
	}
	p := firstPause(t, o)
	timedOut := map[string]int{}
	eachCompletion(o.Run.Ops, func(i, op history.Op) {
		if op.Node != "n1" || i.Time < p.Start || i.Time+int64(time.Second) > p.End-100e6 {
			return // not sent to n1 well inside the pause
		}
		want := history.Info
		if op.F == "read" {
			want = history.Fail
		}
		if op.Type != want || op.Error != "net-timeout" {
			t.Fatalf("op %+v sent to paused n1: want %s :net-timeout", op, want)
		}
		if d := time.Duration(op.Time - i.Time); d < time.Second || d > 1500*time.Millisecond {
			t.Fatalf("op %+v timed out after %v, want the 1 s timeout", op, d)
		}
		timedOut[op.F]++
	})
	if timedOut["broadcast"]+timedOut["read"] == 0 {
		t.Fatalf("no operation timed out on n1 during its %v pause", time.Duration(p.End-p.Start))
	}
	t.Logf("timed out on paused n1: %v", timedOut)
}

// Rule: partition, pause and kill run together: every fault is recorded as
// nemesis ops and intervals, --nemesis-targets aims kill and pause at n1
// only, the final phase resumes and restarts everything, and the analysis
// runs with both staleness figures.
func TestCombinedFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	t.Parallel()
	o := runNode(t, "correct", func(c *Config) {
		c.Nodes = nodeIDs(5)
		c.Nemesis = []string{"partition", "pause", "kill"}
		c.NemesisTargets = []string{"n1"}
		c.NemesisInterval = 250 * time.Millisecond
		c.TimeLimit = 3 * time.Second
		c.RecoveryWait = time.Second
	})
	if o.Exit == ExitAborted || o.Results == nil {
		t.Fatalf("exit %d err %v: faults must not abort the run", o.Exit, o.Err)
	}
	kinds := map[string]int{}
	for _, f := range o.Run.Faults {
		kinds[f.Kind]++
		if f.End < f.Start {
			t.Fatalf("interval %+v", f)
		}
		if (f.Kind == "pause" || f.Kind == "kill") && f.Detail != "n1" {
			t.Fatalf("%s of %s: targets are n1 only", f.Kind, f.Detail)
		}
	}
	if kinds["partition"] == 0 || kinds["pause"] == 0 || kinds["kill"] == 0 {
		t.Fatalf("fault kinds %v", kinds)
	}
	fs := map[string]int{}
	var last []history.Op
	for _, op := range o.Run.Ops {
		if op.Process == history.NemesisProcess {
			fs[op.F]++
			last = append(last, op)
		}
	}
	if fs["pause"] == 0 || fs["resume"] == 0 || fs["kill"] == 0 || fs["start"] == 0 {
		t.Fatalf("nemesis ops %v", fs)
	}
	// Final: resume, then heal, then restart.
	n := len(last)
	if n < 6 || last[n-6].F != "resume" || last[n-4].F != "stop-partition" || last[n-2].F != "start" {
		t.Fatalf("final nemesis ops %+v", last[max(0, n-6):])
	}
	if o.Results.Bench.Staleness == nil {
		t.Fatal("no staleness figures")
	}
	t.Logf("faults %v, staleness %+v", kinds, *o.Results.Bench.Staleness)
}
