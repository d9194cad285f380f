package store

import (
	"errors"
	"fmt"
	"math/rand"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var errCrashed = errors.New("simulated crash: the process is gone")

// crashPoint is a MemFS fault hook that lets limit operations through and
// fails every later one, as if the process stopped right after operation
// number limit. limit < 0 never crashes. It records the operations done.
type crashPoint struct {
	mu    sync.Mutex
	limit int
	trace []string
}

func (c *crashPoint) hook(op, path string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.limit >= 0 && len(c.trace) >= c.limit {
		return errCrashed
	}
	c.trace = append(c.trace, op+" "+filepath.Base(path))
	return nil
}

// crashRun is what one run of the crash scenario did before it stopped.
type crashRun struct {
	appended map[int64]bool // every value ever passed to Append
	acked    map[int64]bool // values whose Append was covered by DurableSeq
	crashed  bool
}

// runCrashScenario drives two process lifetimes against fsys: open, six
// durable appends of two values (a snapshot and log cut every four values),
// close; then a torn tail is planted in the newest segment; then open
// (recovery cuts it), six more appends, close. It stops at the first
// failure, as a crashed process would.
func runCrashScenario(fsys *MemFS) crashRun {
	run := crashRun{appended: map[int64]bool{}, acked: map[int64]bool{}}
	cfg := DefaultConfig()
	cfg.Dir = "/data/store"
	cfg.FS = fsys
	cfg.SnapshotEveryValues = 4
	lifetime := func(first int64) bool {
		l, err := Open(cfg)
		if err != nil {
			return false
		}
		var batches [][]int64
		var seqs []uint64
		for i := range int64(6) {
			b := []int64{first + 2*i, first + 2*i + 1}
			for _, v := range b {
				run.appended[v] = true
			}
			batches, seqs = append(batches, b), append(seqs, l.Append(b))
			if waitDurable(l, seqs[len(seqs)-1]) != nil {
				break
			}
		}
		l.Close()
		durable := l.DurableSeq()
		for i, s := range seqs {
			if s <= durable {
				for _, v := range batches[i] {
					run.acked[v] = true
				}
			}
		}
		return errors.Is(l.Err(), ErrClosed)
	}
	if !lifetime(100) {
		run.crashed = true
		return run
	}
	plantTornTail(fsys, cfg.Dir)
	if !lifetime(200) {
		run.crashed = true
	}
	return run
}

// plantTornTail appends half a record to the newest segment, durably, the
// way a crash in the middle of a write leaves it.
func plantTornTail(fsys *MemFS, dir string) {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	newest := ""
	for name := range fsys.live {
		if filepath.Dir(name) == dir && strings.HasPrefix(filepath.Base(name), segmentPrefix) && name > newest {
			newest = name
		}
	}
	rec := appendValuesRecord(nil, []int64{999_999, 1_000_000})
	n := fsys.live[newest]
	n.data = append(n.data, rec[:len(rec)-3]...)
	n.synced = append([]byte(nil), n.data...)
}

// Rule: whatever step the process or the machine stops after (each group
// commit write and fsync, each step of snapshot and log cut, each step of
// recovery), reopening recovers every value that was acknowledged as
// durable, and no value that was never appended.
func TestCrashAtEveryStepLosesNothingDurable(t *testing.T) {
	checkNoLeak(t)
	clean := &crashPoint{limit: -1}
	fsys := NewMemFS()
	fsys.SetFault(clean.hook)
	if run := runCrashScenario(fsys); run.crashed || len(run.acked) != 24 {
		t.Fatalf("clean run: crashed %v, %d acked", run.crashed, len(run.acked))
	}
	total := len(clean.trace)
	// The scenario must exercise every step of the snapshot and cut
	// sequence, and recovery's truncation of a torn tail.
	trace := strings.Join(clean.trace, "\n")
	for _, step := range []string{
		"write wal-", "sync wal-", // group commit
		"open wal-0000000000000002.log", "sync store", // create new segment + dir fsync
		"open snap-0000000000000002.snap.tmp", "write snap-0000000000000002.snap.tmp", "sync snap-0000000000000002.snap.tmp",
		"rename snap-0000000000000002.snap.tmp", "remove wal-0000000000000001.log", // cut
		"truncate wal-", // recovery of the planted torn tail
	} {
		if !strings.Contains(trace, step) {
			t.Fatalf("clean run never did %q; trace:\n%s", step, trace)
		}
	}
	t.Logf("scenario does %d file-system operations; crashing after each", total)

	type mode struct {
		name  string
		after func(fs *MemFS, k int) *MemFS
	}
	modes := []mode{
		{"process crash (page cache survives)", func(fs *MemFS, k int) *MemFS { return fs.Clone() }},
		{"power loss (unsynced data and names lost)", func(fs *MemFS, k int) *MemFS { return fs.Crash(nil) }},
		{"power loss with torn writes", func(fs *MemFS, k int) *MemFS { return fs.Crash(rand.New(rand.NewSource(int64(k)))) }},
	}
	for k := 0; k <= total; k++ {
		for _, m := range modes {
			fsys := NewMemFS()
			cp := &crashPoint{limit: k}
			fsys.SetFault(cp.hook)
			run := runCrashScenario(fsys)
			last := "(none)"
			if len(cp.trace) > 0 {
				last = cp.trace[len(cp.trace)-1]
			}
			where := fmt.Sprintf("crash after op %d (%s), %s (seed %d)", k, last, m.name, k)
			if err := checkRecovery(m.after(fsys, k), run); err != nil {
				t.Fatalf("%s: %v", where, err)
			}
		}
	}
}

// checkRecovery opens the store on fsys and checks it against run: every
// acked value is there, nothing that was never appended is, no corruption
// is reported (a crash must only ever leave torn tails), and the store
// still takes new values.
func checkRecovery(fsys *MemFS, run crashRun) error {
	var lines []string
	cfg := DefaultConfig()
	cfg.Dir = "/data/store"
	cfg.FS = fsys
	cfg.Logf = func(f string, a ...any) { lines = append(lines, fmt.Sprintf(f, a...)) }
	l, err := Open(cfg)
	if err != nil {
		return fmt.Errorf("reopen: %w", err)
	}
	defer l.Close()
	got := map[int64]bool{}
	for _, v := range l.Recovered() {
		got[v] = true
		if !run.appended[v] {
			return fmt.Errorf("recovered %d, which was never appended", v)
		}
	}
	for v := range run.acked {
		if !got[v] {
			return fmt.Errorf("acknowledged value %d lost; recovered %v; log:\n%s", v, l.Recovered(), strings.Join(lines, "\n"))
		}
	}
	if r := l.Report(); len(r.Corruption) != 0 {
		return fmt.Errorf("a crash was reported as corruption: %v", r.Corruption)
	}
	if err := waitDurable(l, l.Append([]int64{-7})); err != nil {
		return fmt.Errorf("append after recovery: %w", err)
	}
	return l.Close()
}

// Rule: values that recovery found in data a crashed process wrote but never
// fsynced are made durable by Open, so acking them again (a duplicate
// Append writes nothing) is safe across a later power loss.
func TestRecoveredValuesAreMadeDurable(t *testing.T) {
	checkNoLeak(t)
	fsys := NewMemFS()
	cfg, _ := memConfig(t, fsys)
	l := mustOpen(t, cfg)
	appendDurable(t, l, 1)
	// The next group commit's write lands in the page cache; the process
	// dies before its fsync.
	cp := &crashPoint{limit: -1}
	fsys.SetFault(func(op, path string) error {
		if op == OpSync {
			cp.mu.Lock()
			cp.limit = 0
			cp.mu.Unlock()
		}
		return cp.hook(op, path)
	})
	if err := waitDurable(l, l.Append([]int64{2})); err == nil {
		t.Fatal("append became durable without an fsync")
	}
	l.Close()

	restarted := fsys.Clone() // process crash: the page cache survives
	cfg.FS = restarted
	l = mustOpen(t, cfg)
	if !l.set.Has(2) {
		t.Fatalf("value 2 not found in the page cache: %v", l.Recovered())
	}
	appendDurable(t, l, 2) // a duplicate: acked without a write
	mustClose(t, l)

	cfg.FS = restarted.Crash(nil) // now the machine loses power
	l = mustOpen(t, cfg)
	defer mustClose(t, l)
	if !l.set.Has(1) || !l.set.Has(2) {
		t.Fatalf("acknowledged value lost after power loss: recovered %v", l.Recovered())
	}
}
