package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClosed is what Err reports after Close when nothing failed before.
var ErrClosed = errors.New("store: log closed")

// Log is the durable form of a set of values: an append-only log of
// checksummed records, written by group commit and fsynced, plus snapshots
// after which the log is cut. One background goroutine (the writer) does
// all the writing. Append, Notify, DurableSeq and Err never block on the
// disk and are safe to call from any goroutine; Close waits for the writer.
type Log struct {
	cfg  Config
	fs   FS
	logf func(format string, args ...any)

	// Set by Open, read-only afterwards.
	recovered *Set // compacted: All does not modify it
	restarted bool
	report    RecoveryReport

	wakeC   chan struct{} // 1-buffered: something was appended, or Close
	notifyC chan struct{} // 1-buffered: DurableSeq or Err changed
	done    chan struct{} // closed when the writer has exited
	durable atomic.Uint64
	stats   statCounters

	mu sync.Mutex // protects queue, lastSeq, closing, err
	// queue holds the values appended since the writer last took them.
	queue []int64
	// lastSeq is the sequence number of the latest Append.
	lastSeq uint64
	closing bool
	// err is the sticky first failure.
	err error

	// Owned by the writer goroutine (and by Open before the writer starts).
	set       *Set   // every value logged or recovered
	seg       File   // the segment being appended to
	segID     uint64 // its id
	sinceSnap int    // values logged since the last snapshot
	spare     []int64
	fresh     []int64
	buf       []byte

	closeOnce sync.Once
	closeErr  error
}

// RecoveryReport says what Open found on disk.
type RecoveryReport struct {
	// SnapshotID is the id of the snapshot recovery started from; 0 if none.
	SnapshotID uint64
	// SnapshotValues is how many values that snapshot held.
	SnapshotValues int
	// Segments is how many log segments were replayed.
	Segments int
	// LogValues is how many values the replay added beyond the snapshot.
	LogValues int
	// TornTails lists the segments whose torn tail was cut off (expected
	// after a crash; the lost bytes were never acknowledged).
	TornTails []string
	// Corruption lists damage that is not explained by a crash: a bad
	// record before the end of a segment, or an unreadable snapshot. Values
	// after such damage may be lost. Empty in a healthy store.
	Corruption []string
}

// Stats counts the writer's work since Open.
type Stats struct {
	GroupCommits  uint64 // group commits that wrote and fsynced a segment
	ValuesWritten uint64 // new values written to the log
	BytesWritten  uint64 // bytes written to log segments
	Fsyncs        uint64 // every fsync: segments, snapshots, directories
	Snapshots     uint64 // snapshots completed (each followed by a log cut)
}

type statCounters struct {
	groupCommits, valuesWritten, bytesWritten, fsyncs, snapshots atomic.Uint64
}

// Open opens the store in cfg.Dir, creating the directory if needed, and
// recovers its values: the newest valid snapshot plus a replay of every log
// segment after it. A torn tail is cut off; corruption is logged loudly and
// listed in Report. Errors are wrapped as "store: open DIR: ...".
func Open(cfg Config) (*Log, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	l := &Log{
		cfg:     cfg,
		fs:      cfg.FS,
		logf:    cfg.Logf,
		wakeC:   make(chan struct{}, 1),
		notifyC: make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
	if err := l.recover(); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", cfg.Dir, err)
	}
	go l.run()
	return l, nil
}

// Recovered returns the values found at Open, ascending, in a new slice
// that the caller owns (the log keeps them in compact form).
func (l *Log) Recovered() []int64 { return l.recovered.Sorted() }

// Restarted reports whether cfg.Dir held this store's files before Open.
func (l *Log) Restarted() bool { return l.restarted }

// Report returns what recovery found at Open.
func (l *Log) Report() RecoveryReport { return l.report }

// Stats returns the writer's counters so far.
func (l *Log) Stats() Stats {
	return Stats{
		GroupCommits:  l.stats.groupCommits.Load(),
		ValuesWritten: l.stats.valuesWritten.Load(),
		BytesWritten:  l.stats.bytesWritten.Load(),
		Fsyncs:        l.stats.fsyncs.Load(),
		Snapshots:     l.stats.snapshots.Load(),
	}
}

// Append queues values (copied; the caller may reuse the slice) and returns
// their sequence number: 1 for the first Append after Open, then 2, 3, ...
// They are durable once DurableSeq() >= that number. Append never blocks on
// the disk. After a failure (Err() != nil) or after Close the values are
// dropped and the returned number never becomes durable.
func (l *Log) Append(values []int64) uint64 {
	l.mu.Lock()
	l.lastSeq++
	seq := l.lastSeq
	accept := l.err == nil && !l.closing
	if accept {
		l.queue = append(l.queue, values...)
	}
	l.mu.Unlock()
	if accept {
		signal(l.wakeC)
	}
	return seq
}

// Notify returns a channel that receives (coalesced) whenever DurableSeq or
// Err changes. The writer never blocks on it: one pending signal stands for
// any number of changes, so read DurableSeq and Err after each receive.
func (l *Log) Notify() <-chan struct{} { return l.notifyC }

// DurableSeq returns the highest sequence number such that every Append
// with a number at or below it is written and fsynced.
func (l *Log) DurableSeq() uint64 { return l.durable.Load() }

// Err returns the first write, fsync or snapshot failure, wrapped with what
// failed and the path. It is sticky: once set, DurableSeq never advances
// again. After Close it returns ErrClosed if nothing failed before.
func (l *Log) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil && l.closing {
		return ErrClosed
	}
	return l.err
}

// Close writes and fsyncs everything appended before it, stops the writer
// and releases the files. It returns the sticky failure, if any. Calling it
// again is harmless and returns the same result.
func (l *Log) Close() error {
	l.closeOnce.Do(func() {
		l.mu.Lock()
		l.closing = true
		l.mu.Unlock()
		signal(l.wakeC)
		<-l.done
		l.mu.Lock()
		l.closeErr = l.err
		l.mu.Unlock()
		signal(l.notifyC)
	})
	return l.closeErr
}

// signal does a non-blocking send on a 1-buffered channel.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// fail records the first failure (later ones are only logged) and notifies.
func (l *Log) fail(err error) {
	l.mu.Lock()
	first := l.err == nil
	if first {
		l.err = err
	}
	l.mu.Unlock()
	if first {
		l.logf("store: FAILED, no further values will become durable: %v", err)
	} else {
		l.logf("store: further failure: %v", err)
	}
	signal(l.notifyC)
}

func (l *Log) failed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err != nil
}

// File names. Ids are shared by segments and snapshots and only grow: a
// snapshot with id N holds every value of every segment with id < N.
const (
	segmentPrefix  = "wal-"
	segmentSuffix  = ".log"
	snapshotPrefix = "snap-"
	snapshotSuffix = ".snap"
	tempSuffix     = ".tmp"
)

func (l *Log) segmentPath(id uint64) string {
	return filepath.Join(l.cfg.Dir, fmt.Sprintf("%s%016x%s", segmentPrefix, id, segmentSuffix))
}

func (l *Log) snapshotPath(id uint64) string {
	return filepath.Join(l.cfg.Dir, fmt.Sprintf("%s%016x%s", snapshotPrefix, id, snapshotSuffix))
}

// parseID parses names made by segmentPath / snapshotPath.
func parseID(name, prefix, suffix string) (uint64, bool) {
	if len(name) != len(prefix)+16+len(suffix) || name[:len(prefix)] != prefix || name[len(name)-len(suffix):] != suffix {
		return 0, false
	}
	var id uint64
	for _, c := range name[len(prefix) : len(prefix)+16] {
		switch {
		case c >= '0' && c <= '9':
			id = id<<4 | uint64(c-'0')
		case c >= 'a' && c <= 'f':
			id = id<<4 | uint64(c-'a'+10)
		default:
			return 0, false
		}
	}
	return id, true
}

// dirListing is the store's files in Dir, by kind.
type dirListing struct {
	segments  []uint64 // ascending
	snapshots []uint64 // ascending
	temps     []string // names of leftover temporary files
}

func (l *Log) listDir() (dirListing, error) {
	names, err := l.fs.ReadDir(l.cfg.Dir)
	if err != nil {
		return dirListing{}, err
	}
	var d dirListing
	for _, name := range names {
		if id, ok := parseID(name, segmentPrefix, segmentSuffix); ok {
			d.segments = append(d.segments, id)
		} else if id, ok := parseID(name, snapshotPrefix, snapshotSuffix); ok {
			d.snapshots = append(d.snapshots, id)
		} else if filepath.Ext(name) == tempSuffix && (len(name) > len(snapshotPrefix) && name[:len(snapshotPrefix)] == snapshotPrefix) {
			d.temps = append(d.temps, name)
		}
	}
	slices.Sort(d.segments)
	slices.Sort(d.snapshots)
	return d, nil
}

// run is the writer goroutine: take everything queued, write it as one
// group commit, publish the new DurableSeq, maybe snapshot; repeat.
func (l *Log) run() {
	defer close(l.done)
	for {
		<-l.wakeC
		l.waitForBatch()
		l.mu.Lock()
		batch, seq, closing, failed := l.queue, l.lastSeq, l.closing, l.err != nil
		l.queue = l.spare[:0]
		l.mu.Unlock()
		if !failed {
			l.commit(batch, seq)
		}
		l.spare = batch[:0]
		if closing {
			if err := l.seg.Close(); err != nil && !l.failed() {
				path := l.segmentPath(l.segID)
				l.fail(fmt.Errorf("store: close %s: %w", path, bare(err, path)))
			}
			return
		}
	}
}

// waitForBatch waits up to GroupCommitDelay for more appends, ending early
// once GroupCommitMaxValues are queued or Close was called.
func (l *Log) waitForBatch() {
	if l.cfg.GroupCommitDelay <= 0 {
		return
	}
	timer := time.NewTimer(l.cfg.GroupCommitDelay)
	defer timer.Stop()
	for {
		l.mu.Lock()
		enough := len(l.queue) >= l.cfg.GroupCommitMaxValues || l.closing
		l.mu.Unlock()
		if enough {
			return
		}
		select {
		case <-timer.C:
			return
		case <-l.wakeC:
		}
	}
}

// commit makes batch durable and publishes seq. Values already in the
// store are skipped: they are on disk already (or the store has failed).
func (l *Log) commit(batch []int64, seq uint64) {
	fresh := l.fresh[:0]
	for _, v := range batch {
		if l.set.Add(v) {
			fresh = append(fresh, v)
		}
	}
	l.fresh = fresh[:0]
	if len(fresh) > 0 {
		slices.Sort(fresh)
		l.buf = appendValuesRecords(l.buf[:0], fresh)
		path := l.segmentPath(l.segID)
		if _, err := l.seg.Write(l.buf); err != nil {
			l.fail(fmt.Errorf("store: write %s: %w", path, bare(err, path)))
			return
		}
		// After a failed fsync the kernel may have dropped the dirty pages;
		// retrying could "succeed" without the data. So a failure is final.
		if err := l.seg.Sync(); err != nil {
			l.fail(fmt.Errorf("store: fsync %s: %w", path, bare(err, path)))
			return
		}
		l.stats.fsyncs.Add(1)
		l.stats.groupCommits.Add(1)
		l.stats.valuesWritten.Add(uint64(len(fresh)))
		l.stats.bytesWritten.Add(uint64(len(l.buf)))
		l.sinceSnap += len(fresh)
	}
	if seq > l.durable.Load() {
		l.durable.Store(seq)
		signal(l.notifyC)
	}
	if l.sinceSnap >= l.cfg.SnapshotEveryValues {
		if err := l.snapshotAndCut(); err != nil {
			l.fail(fmt.Errorf("store: snapshot: %w", err))
		}
	}
}

// createSegment creates segment id, makes its name durable, and makes it
// the one the writer appends to. The previous segment (fully fsynced
// already) is closed.
func (l *Log) createSegment(id uint64) error {
	path := l.segmentPath(id)
	f, err := l.fs.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("create segment %s: %w", path, bare(err, path))
	}
	// Without this, records fsynced into the new file could vanish with
	// the file's directory entry after a power loss.
	if err := syncDir(l.fs, l.cfg.Dir); err != nil {
		f.Close()
		return fmt.Errorf("fsync directory %s after creating %s: %w", l.cfg.Dir, path, bare(err, l.cfg.Dir))
	}
	l.stats.fsyncs.Add(1)
	if l.seg != nil {
		if err := l.seg.Close(); err != nil {
			l.logf("store: close %s: %v (its records were fsynced before)", l.segmentPath(l.segID), err)
		}
	}
	l.seg, l.segID = f, id
	return nil
}

// snapshotAndCut writes a snapshot of every value logged so far and cuts
// the log. The steps, and why a crash between any two loses nothing:
//
//  1. Create segment N+1 (and fsync Dir); later appends go there. Crash:
//     recovery replays segments <= N and N+1 on top of the old snapshot.
//  2. Write snap-(N+1).tmp, fsync it. Crash: the temp file is ignored and
//     removed at Open.
//  3. Rename it to snap-(N+1).snap, fsync Dir. Crash before the directory
//     fsync: either name may survive; both recover everything, because
//     segments <= N still exist.
//  4. Remove segments <= N and older snapshots. Crash: leftovers are
//     covered by snapshot N+1 and removed at the next Open.
func (l *Log) snapshotAndCut() error {
	id := l.segID + 1
	if err := l.createSegment(id); err != nil {
		return err
	}
	// A buffer of its own: keeping one this size would cost memory per
	// value for good.
	data := encodeSnapshot(nil, l.set.Len(), l.set.All())
	final := l.snapshotPath(id)
	tmp := final + tempSuffix
	if err := l.writeFileSynced(tmp, data); err != nil {
		return err
	}
	if err := l.fs.Rename(tmp, final); err != nil {
		return fmt.Errorf("rename %s to %s: %w", tmp, final, bare(err, tmp))
	}
	if err := syncDir(l.fs, l.cfg.Dir); err != nil {
		return fmt.Errorf("fsync directory %s after renaming %s: %w", l.cfg.Dir, final, bare(err, l.cfg.Dir))
	}
	l.stats.fsyncs.Add(1)
	l.stats.snapshots.Add(1)
	l.sinceSnap = 0
	l.removeCovered(id)
	return nil
}

// writeFileSynced creates (or replaces) path with data and fsyncs it.
func (l *Log) writeFileSynced(path string, data []byte) error {
	f, err := l.fs.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, bare(err, path))
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, bare(err, path))
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("fsync %s: %w", path, bare(err, path))
	}
	l.stats.fsyncs.Add(1)
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, bare(err, path))
	}
	return nil
}

// removeCovered removes the segments and snapshots that snapshot id makes
// redundant. Failures only cost disk space (recovery skips such files and
// retries the removal), so they are logged, not fatal.
func (l *Log) removeCovered(id uint64) {
	d, err := l.listDir()
	if err != nil {
		l.logf("store: list %s to remove old files: %v", l.cfg.Dir, err)
		return
	}
	for _, seg := range d.segments {
		if seg < id {
			if err := l.fs.Remove(l.segmentPath(seg)); err != nil {
				l.logf("store: remove old segment: %v", err)
			}
		}
	}
	for _, snap := range d.snapshots {
		if snap < id {
			if err := l.fs.Remove(l.snapshotPath(snap)); err != nil {
				l.logf("store: remove old snapshot: %v", err)
			}
		}
	}
}

// bare strips an *os.PathError (or *os.LinkError) about path down to its
// cause, so messages that already name the path do not repeat it.
func bare(err error, path string) error {
	var pe *os.PathError
	if errors.As(err, &pe) && pe.Path == path {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) && le.Old == path {
		return le.Err
	}
	return err
}
