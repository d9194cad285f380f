// Package store holds the node's broadcast values: Set, the in-memory
// grow-only set, and Log, its durable form on disk.
//
// # Set
//
// One goroutine owns a Set. Add reports whether a value is new (gossip
// forwards only new values); All iterates in ascending order. Dense runs of
// values are kept as bitmaps (about one bit per value), scattered ones in a
// sorted slice (8 bytes each).
//
//	s := store.NewSet()
//	if s.Add(v) { /* new: forward it */ }
//	for v := range s.All() { /* ascending */ }
//
// # Log
//
// A Log lives in a directory of its own: an append-only log of CRC-32C
// checksummed records, written by group commit (one writer goroutine takes
// everything queued, writes it with one write and one fsync, then publishes
// DurableSeq), and snapshots after which the log is cut. Open recovers the
// newest valid snapshot plus every log segment after it; a torn tail left
// by a crash is cut off, other damage is reported loudly (Logf, Report).
//
// The owner goroutine drives it like this. Append never blocks on the disk;
// Notify is a coalescing signal, so after each receive read DurableSeq and
// Err and release every acknowledgement whose sequence number is covered:
//
//	lg, err := store.Open(cfg) // cfg := store.DefaultConfig(); cfg.Dir = dir
//	if err != nil { return err }
//	defer lg.Close()
//	set := store.NewSet()
//	set.AddAll(lg.Recovered())
//	if lg.Restarted() { /* announce the restart */ }
//	type pending struct{ seq uint64; reply func() }
//	var waiting []pending // ascending seq
//	for {
//		select {
//		case v := <-broadcasts:
//			if set.Add(v.value) {
//				waiting = append(waiting, pending{lg.Append([]int64{v.value}), v.reply})
//			} else {
//				v.reply() // already durable (or pending under an earlier seq; see below)
//			}
//		case <-lg.Notify():
//			if err := lg.Err(); err != nil {
//				return err // nothing more will become durable
//			}
//			durable := lg.DurableSeq()
//			for len(waiting) > 0 && waiting[0].seq <= durable {
//				waiting[0].reply()
//				waiting = waiting[1:]
//			}
//		}
//	}
//
// (A value already in the set may still be waiting for its own fsync; a
// strict node acks it only once DurableSeq covers lg.Append(nil), which
// costs nothing extra on disk.)
//
// Crash safety: an Append is acknowledged (DurableSeq covers it) only after
// its record is fsynced, and a new segment or snapshot only counts once its
// directory entry is fsynced. A failed write or fsync is final (Err is
// sticky, DurableSeq stops): after a failed fsync the kernel may have
// dropped the dirty pages, so retrying could falsely succeed.
//
// MemFS is an in-memory FS that injects faults and simulates power loss;
// other packages' tests may use it to run a Log without a disk.
package store
