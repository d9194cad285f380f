package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// recover runs inside Open, before the writer starts: it loads the newest
// valid snapshot, replays the segments after it, cuts torn tails, fsyncs
// what it replayed, and opens the segment to append to.
func (l *Log) recover() error {
	start := time.Now()
	d, err := l.listDir()
	if errors.Is(err, fs.ErrNotExist) {
		if err := l.fs.MkdirAll(l.cfg.Dir, 0o755); err != nil {
			return fmt.Errorf("create directory: %w", err)
		}
		if err := syncDir(l.fs, parentDir(l.cfg.Dir)); err != nil {
			return fmt.Errorf("fsync parent directory: %w", err)
		}
		d = dirListing{}
	} else if err != nil {
		return fmt.Errorf("read directory: %w", err)
	}
	l.restarted = len(d.segments) > 0 || len(d.snapshots) > 0

	for _, name := range d.temps {
		if err := l.fs.Remove(filepath.Join(l.cfg.Dir, name)); err != nil {
			l.logf("store: remove leftover temporary file %s: %v", name, err)
		}
	}

	// The newest snapshot that reads back intact is the base.
	var base uint64
	for i := len(d.snapshots) - 1; i >= 0 && base == 0; i-- {
		id := d.snapshots[i]
		vals, err := l.readSnapshot(id)
		if err != nil {
			if !errors.Is(err, errCorruptSnapshot) {
				return err // an I/O error, not damage: do not guess
			}
			msg := fmt.Sprintf("snapshot %s is unreadable (%v); values it held that are not in later segments are LOST", l.snapshotPath(id), err)
			l.logf("store: CORRUPTION: %s", msg)
			l.report.Corruption = append(l.report.Corruption, msg)
			continue
		}
		base = id
		l.set = newSetFromSorted(vals)
		l.report.SnapshotID = id
		l.report.SnapshotValues = len(vals)
	}
	if l.set == nil {
		l.set = NewSet()
	}

	maxID := base
	var replay []uint64
	for _, id := range d.segments {
		maxID = max(maxID, id)
		if id < base {
			// Covered by the snapshot; left over from an interrupted cut.
			if err := l.fs.Remove(l.segmentPath(id)); err != nil {
				l.logf("store: remove covered segment: %v", err)
			}
			continue
		}
		replay = append(replay, id)
	}
	for _, id := range d.snapshots {
		maxID = max(maxID, id)
		if id < base {
			if err := l.fs.Remove(l.snapshotPath(id)); err != nil {
				l.logf("store: remove old snapshot: %v", err)
			}
		}
	}

	appendTo := uint64(0) // the segment to keep appending to, if clean
	for i, id := range replay {
		newest := i == len(replay)-1
		clean, err := l.replaySegment(id, newest)
		if err != nil {
			return err
		}
		// Keep appending to the newest segment only if it is intact and no
		// file with a higher id exists.
		if newest && clean && id == maxID {
			appendTo = id
		}
	}
	l.report.Segments = len(replay)
	l.sinceSnap = l.report.LogValues

	if appendTo != 0 {
		path := l.segmentPath(appendTo)
		f, err := l.fs.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return fmt.Errorf("open segment for append: %w", err)
		}
		// The directory fsync makes sure segments a previous process
		// created (and we just replayed and fsynced) keep their names.
		if err := syncDir(l.fs, l.cfg.Dir); err != nil {
			f.Close()
			return fmt.Errorf("fsync directory: %w", err)
		}
		l.seg, l.segID = f, appendTo
	} else if err := l.createSegment(maxID + 1); err != nil {
		return err
	}

	l.recovered = l.set.Clone()
	l.recovered.compact()
	if l.restarted {
		l.logf("store: recovered %d values from %s in %v (snapshot %d with %d values, %d segments adding %d values, %d torn tails cut, %d corruptions)",
			l.recovered.Len(), l.cfg.Dir, time.Since(start).Round(time.Microsecond), l.report.SnapshotID, l.report.SnapshotValues,
			l.report.Segments, l.report.LogValues, len(l.report.TornTails), len(l.report.Corruption))
	}
	return nil
}

var errCorruptSnapshot = errors.New("corrupt snapshot")

// readSnapshot reads and decodes snapshot id. Damage is reported wrapping
// errCorruptSnapshot; I/O errors are returned as they are.
func (l *Log) readSnapshot(id uint64) ([]int64, error) {
	data, err := l.readFile(l.snapshotPath(id))
	if err != nil {
		return nil, err
	}
	vals, err := decodeSnapshot(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errCorruptSnapshot, err)
	}
	return vals, nil
}

func (l *Log) readFile(path string) ([]byte, error) {
	f, err := l.fs.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	return data, nil
}

// replaySegment adds the values of every good record of segment id to the
// set. A torn tail of the newest segment is truncated away (one log line);
// any other damage stops the replay of this segment there and is reported
// loudly, leaving the file as it is. The segment is fsynced afterwards: a
// previous process may have written records it never fsynced, and they
// must be durable before values recovered from them are treated as logged.
// clean is true when the segment can be appended to.
func (l *Log) replaySegment(id uint64, newest bool) (clean bool, err error) {
	path := l.segmentPath(id)
	f, err := l.fs.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return false, fmt.Errorf("open segment: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return false, fmt.Errorf("read segment: %w", err)
	}
	good, damage := scanRecords(data, func(vals []int64) {
		for _, v := range vals {
			if l.set.Add(v) {
				l.report.LogValues++
			}
		}
	})
	clean = damage == nil
	if damage != nil {
		if damage.Torn && newest {
			if err := f.Truncate(int64(good)); err != nil {
				return false, fmt.Errorf("truncate torn tail: %w", err)
			}
			msg := fmt.Sprintf("%s: cut torn tail at offset %d (%d bytes dropped: %v)", path, good, len(data)-good, damage.Err)
			l.logf("store: %s", msg)
			l.report.TornTails = append(l.report.TornTails, msg)
			clean = true
		} else {
			msg := fmt.Sprintf("%s: bad record at offset %d of %d (%v); replay of this segment stopped there, %d bytes after it are ignored and may hold LOST values",
				path, damage.Offset, len(data), damage.Err, len(data)-good)
			l.logf("store: CORRUPTION: %s", msg)
			l.report.Corruption = append(l.report.Corruption, msg)
		}
	}
	if err := f.Sync(); err != nil {
		return false, fmt.Errorf("fsync segment: %w", err)
	}
	l.stats.fsyncs.Add(1)
	return clean, nil
}
