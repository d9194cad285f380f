package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// writerGoroutines waits up to patience for every Log writer goroutine to
// exit and returns the stacks of those that did not ("" if none).
func writerGoroutines(patience time.Duration) string {
	deadline := time.Now().Add(patience)
	for {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		if !bytes.Contains(buf, []byte("store.(*Log).run")) {
			return ""
		}
		if time.Now().After(deadline) {
			return string(buf)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkNoLeak makes t fail if a Log writer goroutine outlives it.
// Tests using it must not run in parallel.
func checkNoLeak(t *testing.T) {
	t.Helper()
	t.Cleanup(func() {
		if stacks := writerGoroutines(5 * time.Second); stacks != "" {
			t.Errorf("Log writer goroutine leaked:\n%s", stacks)
		}
	})
}

// logCapture collects Logf lines.
type logCapture struct {
	t     *testing.T // nil: do not echo lines to the test log
	mu    sync.Mutex
	lines []string
}

func (c *logCapture) logf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	c.mu.Lock()
	c.lines = append(c.lines, line)
	c.mu.Unlock()
	if c.t != nil {
		c.t.Log(line)
	}
}

func (c *logCapture) count(substr string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, l := range c.lines {
		if strings.Contains(l, substr) {
			n++
		}
	}
	return n
}

func memConfig(t *testing.T, fsys FS) (Config, *logCapture) {
	lc := &logCapture{t: t}
	cfg := DefaultConfig()
	cfg.Dir = "/data/store"
	cfg.FS = fsys
	cfg.Logf = lc.logf
	return cfg, lc
}

func mustOpen(t *testing.T, cfg Config) *Log {
	t.Helper()
	l, err := Open(cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { l.Close() }) // a no-op if the test closed it
	return l
}

// waitDurable waits until seq is durable or the log failed; it returns the
// failure. It waits on Notify only, never on time.
func waitDurable(l *Log, seq uint64) error {
	for l.DurableSeq() < seq {
		if err := l.Err(); err != nil {
			return err
		}
		<-l.Notify()
	}
	return nil
}

func appendDurable(t *testing.T, l *Log, vals ...int64) {
	t.Helper()
	if err := waitDurable(l, l.Append(vals)); err != nil {
		t.Fatalf("append %v: %v", vals, err)
	}
}

func mustClose(t *testing.T, l *Log) {
	t.Helper()
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// Rule: what was durable before Close is recovered by the next Open, on the
// real file system, across snapshots; Restarted tells a fresh Dir apart.
func TestLogRoundTripOnDisk(t *testing.T) {
	checkNoLeak(t)
	lc := &logCapture{t: t}
	cfg := DefaultConfig()
	cfg.Dir = filepath.Join(t.TempDir(), "a", "b")
	cfg.Logf = lc.logf
	cfg.SnapshotEveryValues = 25
	l := mustOpen(t, cfg)
	if l.Restarted() || len(l.Recovered()) != 0 {
		t.Fatalf("fresh dir: Restarted %v, Recovered %v", l.Restarted(), l.Recovered())
	}
	want := map[int64]bool{}
	for i := range 100 {
		vals := []int64{int64(i * 3), int64(-i), 1 << 62}
		appendDurable(t, l, vals...)
		for _, v := range vals {
			want[v] = true
		}
	}
	if s := l.Stats(); s.Snapshots < 3 || s.GroupCommits == 0 {
		t.Fatalf("expected several snapshots and commits, stats %+v", s)
	}
	mustClose(t, l)

	l = mustOpen(t, cfg)
	defer mustClose(t, l)
	if !l.Restarted() {
		t.Fatal("Restarted = false after a previous run")
	}
	if got := l.Recovered(); !slices.Equal(got, sortedKeys(want)) {
		t.Fatalf("Recovered %d values, want %d", len(got), len(want))
	}
	if r := l.Report(); r.SnapshotID == 0 || len(r.Corruption) != 0 || len(r.TornTails) != 0 {
		t.Fatalf("report %+v", r)
	}
	names, _ := os.ReadDir(cfg.Dir)
	if len(names) > 3 {
		t.Fatalf("old segments and snapshots were not removed: %v", names)
	}
}

// Rule: Restarted is false for an existing but empty directory or one that
// holds only files that are not ours.
func TestRestartedOnlyForOurFiles(t *testing.T) {
	checkNoLeak(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "unrelated.txt"), []byte("hi"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Dir = dir
	l := mustOpen(t, cfg)
	defer mustClose(t, l)
	if l.Restarted() {
		t.Fatal("Restarted = true for a dir without store files")
	}
}

// Rule: Close writes everything appended before it; no wait needed.
func TestCloseFlushesQueuedAppends(t *testing.T) {
	checkNoLeak(t)
	fsys := NewMemFS()
	cfg, _ := memConfig(t, fsys)
	l := mustOpen(t, cfg)
	var last uint64
	for i := range 1000 {
		last = l.Append([]int64{int64(i)})
	}
	mustClose(t, l)
	if l.DurableSeq() != last {
		t.Fatalf("after Close DurableSeq = %d, want %d", l.DurableSeq(), last)
	}
	l = mustOpen(t, cfg)
	defer mustClose(t, l)
	if len(l.Recovered()) != 1000 {
		t.Fatalf("recovered %d values, want 1000", len(l.Recovered()))
	}
}

// Rule: Close twice is harmless; Append after Close never becomes durable
// and Err says ErrClosed.
func TestCloseTwiceAndAppendAfterClose(t *testing.T) {
	checkNoLeak(t)
	cfg, _ := memConfig(t, NewMemFS())
	l := mustOpen(t, cfg)
	appendDurable(t, l, 1)
	mustClose(t, l)
	mustClose(t, l)
	<-l.Notify() // Close signals
	seq := l.Append([]int64{2})
	if seq <= l.DurableSeq() {
		t.Fatalf("Append after Close returned %d <= DurableSeq %d", seq, l.DurableSeq())
	}
	if !errors.Is(l.Err(), ErrClosed) {
		t.Fatalf("Err after Close = %v, want ErrClosed", l.Err())
	}
}

// Rule: sequence numbers start at 1 and grow by one per Append, and an
// empty Append becomes durable too.
func TestSequenceNumbers(t *testing.T) {
	checkNoLeak(t)
	cfg, _ := memConfig(t, NewMemFS())
	l := mustOpen(t, cfg)
	defer mustClose(t, l)
	for want := uint64(1); want <= 5; want++ {
		if got := l.Append(nil); got != want {
			t.Fatalf("Append #%d returned %d", want, got)
		}
	}
	if err := waitDurable(l, 5); err != nil {
		t.Fatal(err)
	}
}

// Rule: a value logged before is not written again (and is still acked).
func TestDuplicatesAreNotRewritten(t *testing.T) {
	checkNoLeak(t)
	cfg, _ := memConfig(t, NewMemFS())
	l := mustOpen(t, cfg)
	defer mustClose(t, l)
	appendDurable(t, l, 1, 2, 3)
	before := l.Stats()
	appendDurable(t, l, 3, 2, 1, 2)
	if after := l.Stats(); after.GroupCommits != before.GroupCommits || after.BytesWritten != before.BytesWritten {
		t.Fatalf("duplicates caused a write: %+v -> %+v", before, after)
	}
}

// Rule: with a group-commit delay, appends still become durable, and fewer
// fsyncs happen than appends.
func TestGroupCommitDelay(t *testing.T) {
	checkNoLeak(t)
	cfg, _ := memConfig(t, NewMemFS())
	cfg.GroupCommitDelay = 2 * time.Millisecond
	cfg.GroupCommitMaxValues = 50
	l := mustOpen(t, cfg)
	defer mustClose(t, l)
	var last uint64
	for i := range 200 {
		last = l.Append([]int64{int64(i)})
	}
	if err := waitDurable(l, last); err != nil {
		t.Fatal(err)
	}
	if s := l.Stats(); s.ValuesWritten != 200 || s.GroupCommits >= 200 {
		t.Fatalf("stats %+v", s)
	}
}

// Rule: Config.validate rejects nonsense and fills zero fields.
func TestConfigValidate(t *testing.T) {
	bad := []func(*Config){
		func(c *Config) { c.Dir = "" },
		func(c *Config) { c.GroupCommitDelay = -1 },
		func(c *Config) { c.GroupCommitDelay = time.Second },
		func(c *Config) { c.GroupCommitMaxValues = -1 },
		func(c *Config) { c.SnapshotEveryValues = -5 },
	}
	for i, mutate := range bad {
		c := DefaultConfig()
		c.Dir = "/x"
		mutate(&c)
		if err := c.validate(); err == nil || !strings.HasPrefix(err.Error(), "store: ") {
			t.Errorf("case %d: validate = %v, want a store: error", i, err)
		}
	}
	c := Config{Dir: "/x"}
	if err := c.validate(); err != nil || c.FS == nil || c.Logf == nil || c.SnapshotEveryValues == 0 || c.GroupCommitMaxValues == 0 {
		t.Fatalf("zero config not filled: %v %+v", err, c)
	}
}

// errnoFault returns a MemFS fault hook that fails op on paths containing
// substr with errno, after skip matching calls.
func errnoFault(op, substr string, skip int, errno syscall.Errno) func(string, string) error {
	n := 0
	return func(o, path string) error {
		if o == op && strings.Contains(path, substr) {
			n++
			if n > skip {
				return errno
			}
		}
		return nil
	}
}

// Rule: a disk error while writing is sticky in Err (wrapped with what and
// where), Notify fires, DurableSeq stops, and it stays failed even when the
// disk recovers (no retrying an fsync and claiming success).
func TestDiskErrorsAreSticky(t *testing.T) {
	cases := []struct {
		name, op, substr string
		errno            syscall.Errno
		snapshot         bool // the failure hits the snapshot, not the log write
		wantIn           string
	}{
		{"ENOSPC on write", OpWrite, "wal-", syscall.ENOSPC, false, "store: write /data/store/wal-"},
		{"EIO on fsync", OpSync, "wal-", syscall.EIO, false, "store: fsync /data/store/wal-"},
		{"EIO on snapshot fsync", OpSync, ".tmp", syscall.EIO, true, "store: snapshot: fsync"},
		{"ENOSPC on snapshot write", OpWrite, ".tmp", syscall.ENOSPC, true, "store: snapshot: write"},
		{"EACCES creating snapshot", OpOpen, ".tmp", syscall.EACCES, true, "store: snapshot: create"},
		{"EIO on directory fsync", OpSync, "/data/store", syscall.EIO, true, "store: snapshot: fsync directory /data/store after creating"},
		{"EROFS on rename", OpRename, ".tmp", syscall.EROFS, true, "store: snapshot: rename /data/store/snap-"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkNoLeak(t)
			fsys := NewMemFS()
			cfg, lc := memConfig(t, fsys)
			cfg.SnapshotEveryValues = 4
			l := mustOpen(t, cfg)
			appendDurable(t, l, 1)
			good := l.DurableSeq()
			// The directory fsync fault must spare the fsync of a segment.
			substr := tc.substr
			if tc.op == OpSync && substr == "/data/store" {
				fsys.SetFault(func(op, path string) error {
					if op == OpSync && path == "/data/store" {
						return syscall.EIO
					}
					return nil
				})
			} else {
				fsys.SetFault(errnoFault(tc.op, substr, 0, tc.errno))
			}
			drain(l.Notify())
			seq := l.Append([]int64{2, 3, 4, 5, 6}) // enough to trigger a snapshot
			err := waitDurable(l, seq)
			if tc.snapshot {
				// The log write succeeded; the snapshot right after failed.
				if err != nil {
					t.Fatalf("log write failed: %v", err)
				}
				<-l.Notify()
				err = l.Err()
				good = seq
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantIn) {
				t.Fatalf("Err = %v, want it to contain %q", err, tc.wantIn)
			}
			if !errors.Is(err, tc.errno) {
				t.Fatalf("Err = %v does not wrap %v", err, tc.errno)
			}
			if l.DurableSeq() != good {
				t.Fatalf("DurableSeq = %d after failure, want %d", l.DurableSeq(), good)
			}
			// The disk recovers: the log must stay failed.
			fsys.SetFault(nil)
			next := l.Append([]int64{7})
			l.Append(nil)
			if err := l.Close(); err == nil {
				t.Fatal("Close after a failure returned nil")
			}
			if l.DurableSeq() >= next {
				t.Fatalf("DurableSeq advanced to %d after a sticky failure", l.DurableSeq())
			}
			if !errors.Is(l.Err(), err) && l.Err().Error() != err.Error() {
				t.Fatalf("Err changed from %v to %v", err, l.Err())
			}
			if lc.count("FAILED") != 1 {
				t.Fatalf("want exactly one FAILED log line, got %d", lc.count("FAILED"))
			}
			// Whatever was durable is still recovered.
			l = mustOpen(t, cfg)
			defer mustClose(t, l)
			if !l.set.Has(1) || (tc.snapshot && !l.set.Has(6)) {
				t.Fatalf("durable values lost: recovered %v", l.Recovered())
			}
		})
	}
}

func drain(c <-chan struct{}) {
	select {
	case <-c:
	default:
	}
}

// Rule: Open fails with a clear wrapped error when the directory can not be
// used, and never leaves a goroutine behind.
func TestOpenErrors(t *testing.T) {
	checkNoLeak(t)
	t.Run("EACCES on open", func(t *testing.T) {
		fsys := NewMemFS()
		cfg, _ := memConfig(t, fsys)
		fsys.SetFault(errnoFault(OpOpen, "", 0, syscall.EACCES))
		_, err := Open(cfg)
		if err == nil || !strings.HasPrefix(err.Error(), "store: open /data/store: ") || !errors.Is(err, syscall.EACCES) {
			t.Fatalf("Open = %v", err)
		}
	})
	t.Run("EROFS on mkdir", func(t *testing.T) {
		fsys := NewMemFS()
		cfg, _ := memConfig(t, fsys)
		fsys.SetFault(errnoFault(OpMkdir, "", 0, syscall.EROFS))
		if _, err := Open(cfg); err == nil || !errors.Is(err, syscall.EROFS) {
			t.Fatalf("Open = %v", err)
		}
	})
	t.Run("EIO reading a snapshot", func(t *testing.T) {
		fsys := NewMemFS()
		cfg, _ := memConfig(t, fsys)
		cfg.SnapshotEveryValues = 1
		l := mustOpen(t, cfg)
		appendDurable(t, l, 1)
		mustClose(t, l)
		fsys.SetFault(errnoFault(OpRead, "snap-", 0, syscall.EIO))
		if _, err := Open(cfg); err == nil || !errors.Is(err, syscall.EIO) {
			t.Fatalf("Open = %v, want the EIO, not a silent fallback", err)
		}
	})
	t.Run("Dir is a regular file (real disk)", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(file, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg := DefaultConfig()
		cfg.Dir = file
		_, err := Open(cfg)
		if err == nil || !strings.HasPrefix(err.Error(), "store: open "+file+": ") || !errors.Is(err, syscall.ENOTDIR) {
			t.Fatalf("Open = %v", err)
		}
	})
	t.Run("Dir below a regular file (real disk)", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(file, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg := DefaultConfig()
		cfg.Dir = filepath.Join(file, "sub")
		if _, err := Open(cfg); err == nil || !strings.HasPrefix(err.Error(), "store: open ") {
			t.Fatalf("Open = %v", err)
		}
	})
	t.Run("read-only directory (real disk)", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("running as root: permissions are not enforced")
		}
		dir := t.TempDir()
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(dir, 0o700)
		cfg := DefaultConfig()
		cfg.Dir = dir
		if _, err := Open(cfg); err == nil || !errors.Is(err, syscall.EACCES) {
			t.Fatalf("Open = %v", err)
		}
	})
}

// segmentFiles returns the names of the segments in fsys's store dir.
func segmentFiles(t *testing.T, fsys *MemFS, dir string) []string {
	t.Helper()
	names, err := fsys.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var segs []string
	for _, n := range names {
		if strings.HasPrefix(n, segmentPrefix) {
			segs = append(segs, filepath.Join(dir, n))
		}
	}
	return segs
}

// setFile replaces a MemFS file's contents, durably.
func setFile(fsys *MemFS, name string, data []byte) {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	n := fsys.live[name]
	n.data, n.synced = bytes.Clone(data), bytes.Clone(data)
}

func fileData(fsys *MemFS, name string) []byte {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	return bytes.Clone(fsys.live[name].data)
}

// Rule: a log cut at any byte offset recovers exactly the records wholly
// before the cut, cuts the file back to the last good record with one log
// line, never panics, and the store keeps working afterwards.
func TestLogRecoversEveryCut(t *testing.T) {
	checkNoLeak(t)
	base := NewMemFS()
	cfg, _ := memConfig(t, base)
	l := mustOpen(t, cfg)
	var batches [][]int64
	for i := range 6 {
		b := []int64{int64(i) + 1, int64(i+1) * 1000, -int64(i) - 1}
		appendDurable(t, l, b...)
		batches = append(batches, b)
	}
	mustClose(t, l)
	segs := segmentFiles(t, base, cfg.Dir)
	if len(segs) != 1 {
		t.Fatalf("segments %v", segs)
	}
	full := fileData(base, segs[0])
	_, ends := scanAllEnds(full)
	if len(ends) != len(batches) {
		t.Fatalf("%d records on disk, want %d", len(ends), len(batches))
	}
	for cut := 0; cut <= len(full); cut++ {
		fsys := base.Clone()
		setFile(fsys, segs[0], full[:cut])
		cfg, lc := memConfig(t, fsys)
		lc.t = nil // quiet: this loop runs hundreds of times
		l := mustOpen(t, cfg)
		n := 0
		for n < len(ends) && ends[n] <= cut {
			n++
		}
		var want []int64
		for _, b := range batches[:n] {
			want = append(want, b...)
		}
		slices.Sort(want)
		if got := l.Recovered(); !slices.Equal(got, want) {
			t.Fatalf("cut %d: recovered %v, want %v", cut, got, want)
		}
		goodLen := 0
		if n > 0 {
			goodLen = ends[n-1]
		}
		torn := cut != goodLen
		if len(l.Report().TornTails) != btoi(torn) || lc.count("cut torn tail") != btoi(torn) || len(l.Report().Corruption) != 0 {
			t.Fatalf("cut %d: report %+v", cut, l.Report())
		}
		if got := len(fileData(fsys, segs[0])); got != goodLen {
			t.Fatalf("cut %d: file is %d bytes after recovery, want %d", cut, got, goodLen)
		}
		appendDurable(t, l, 424242)
		mustClose(t, l)
		l = mustOpen(t, cfg)
		if !l.set.Has(424242) || len(l.Report().TornTails) != 0 {
			t.Fatalf("cut %d: value appended after recovery lost, report %+v", cut, l.Report())
		}
		mustClose(t, l)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func scanAllEnds(data []byte) (good int, ends []int) {
	off := 0
	good, _ = scanRecords(data, func([]int64) {})
	for off < good {
		n := int(uint32(data[off]) | uint32(data[off+1])<<8 | uint32(data[off+2])<<16 | uint32(data[off+3])<<24)
		off += recordHeaderSize + n
		ends = append(ends, off)
	}
	return good, ends
}

// Rule: a corrupt record in the middle of a segment stops its replay there,
// keeps every good record before it, is reported loudly (Logf and Report),
// and the store keeps working.
func TestLogCorruptMiddleRecordReported(t *testing.T) {
	checkNoLeak(t)
	fsys := NewMemFS()
	cfg, lc := memConfig(t, fsys)
	l := mustOpen(t, cfg)
	appendDurable(t, l, 1, 2)
	appendDurable(t, l, 3, 4)
	appendDurable(t, l, 5, 6)
	mustClose(t, l)
	seg := segmentFiles(t, fsys, cfg.Dir)[0]
	data := fileData(fsys, seg)
	_, ends := scanAllEnds(data)
	data[ends[0]+recordHeaderSize+2] ^= 0x10 // inside the second record's payload
	setFile(fsys, seg, data)

	l = mustOpen(t, cfg)
	if got := l.Recovered(); !slices.Equal(got, []int64{1, 2}) {
		t.Fatalf("recovered %v, want [1 2]", got)
	}
	if r := l.Report(); len(r.Corruption) != 1 || len(r.TornTails) != 0 || lc.count("CORRUPTION") != 1 {
		t.Fatalf("report %+v", r)
	}
	if !bytes.Equal(fileData(fsys, seg), data) {
		t.Fatal("the damaged segment was modified; it must be left as evidence")
	}
	appendDurable(t, l, 7)
	mustClose(t, l)
	l = mustOpen(t, cfg)
	defer mustClose(t, l)
	if !l.set.Has(7) || !l.set.Has(1) {
		t.Fatalf("recovered %v", l.Recovered())
	}
}

// Rule: an unreadable snapshot is reported loudly, recovery falls back to an
// older snapshot or the segments, and nothing panics.
func TestLogCorruptSnapshotReported(t *testing.T) {
	checkNoLeak(t)
	fsys := NewMemFS()
	cfg, lc := memConfig(t, fsys)
	cfg.SnapshotEveryValues = 2
	l := mustOpen(t, cfg)
	appendDurable(t, l, 1, 2) // snapshot, cut
	appendDurable(t, l, 3)
	mustClose(t, l)
	names, _ := fsys.ReadDir(cfg.Dir)
	var snap string
	for _, n := range names {
		if strings.HasPrefix(n, snapshotPrefix) {
			snap = filepath.Join(cfg.Dir, n)
		}
	}
	data := fileData(fsys, snap)
	data[len(data)/2] ^= 1
	setFile(fsys, snap, data)
	l = mustOpen(t, cfg)
	defer mustClose(t, l)
	if got := l.Recovered(); !slices.Equal(got, []int64{3}) {
		t.Fatalf("recovered %v, want [3] (the segment after the lost snapshot)", got)
	}
	if len(l.Report().Corruption) != 1 || lc.count("CORRUPTION") != 1 {
		t.Fatalf("report %+v", l.Report())
	}
}

// Rule: leftovers of an interrupted snapshot (temp file, covered segments,
// older snapshots) are ignored by recovery and removed.
func TestLeftoversRemovedAtOpen(t *testing.T) {
	checkNoLeak(t)
	fsys := NewMemFS()
	cfg, _ := memConfig(t, fsys)
	cfg.SnapshotEveryValues = 2
	l := mustOpen(t, cfg)
	appendDurable(t, l, 1, 2)
	appendDurable(t, l, 3)
	mustClose(t, l)
	// Plant an old segment, an old snapshot and a temp file.
	for _, name := range []string{"wal-0000000000000001.log", "snap-0000000000000001.snap", "snap-0000000000000009.snap.tmp"} {
		f, err := fsys.OpenFile(filepath.Join(cfg.Dir, name), os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte("garbage"))
		f.Close()
	}
	l = mustOpen(t, cfg)
	defer mustClose(t, l)
	if got := l.Recovered(); !slices.Equal(got, []int64{1, 2, 3}) {
		t.Fatalf("recovered %v", got)
	}
	if r := l.Report(); len(r.Corruption) != 0 {
		t.Fatalf("leftovers reported as corruption: %+v", r)
	}
	names, _ := fsys.ReadDir(cfg.Dir)
	for _, n := range names {
		if strings.HasSuffix(n, tempSuffix) || n == "wal-0000000000000001.log" || n == "snap-0000000000000001.snap" {
			t.Fatalf("leftover %s not removed (dir: %v)", n, names)
		}
	}
}

// Rule: many appenders at once (Append is safe from any goroutine) all get
// durable sequence numbers and every value is recovered.
func TestConcurrentAppends(t *testing.T) {
	checkNoLeak(t)
	cfg := DefaultConfig()
	cfg.Dir = t.TempDir()
	cfg.SnapshotEveryValues = 500
	l := mustOpen(t, cfg)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var maxSeq uint64
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				s := l.Append([]int64{int64(g*1000 + i)})
				mu.Lock()
				maxSeq = max(maxSeq, s)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := waitDurable(l, maxSeq); err != nil {
		t.Fatal(err)
	}
	mustClose(t, l)
	l = mustOpen(t, cfg)
	defer mustClose(t, l)
	if len(l.Recovered()) != 1600 {
		t.Fatalf("recovered %d values, want 1600", len(l.Recovered()))
	}
}
