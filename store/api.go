package store

// This file is the contract between the store and its users (gossip uses
// Set; node uses Set and Log).
//
// Set: the in-memory grow-only set of broadcast values. Not safe for
// concurrent use: one goroutine owns it.
//
//	func NewSet() *Set
//	func (s *Set) Add(v int64) bool          // true if v was not there before
//	func (s *Set) Has(v int64) bool
//	func (s *Set) Len() int
//	func (s *Set) All() iter.Seq[int64]      // ascending; no Add during the iteration
//	func (s *Set) Sorted() []int64           // ascending, a new slice the caller owns
//
// Log: the durable form of a set of values, in a directory of its own:
// an append-only log of checksummed records written by group commit and
// fsynced, plus snapshots after which the log is cut. One background
// goroutine does the writing; every other method is called from the
// owner goroutine and never blocks on the disk.
//
//	func DefaultConfig() Config
//	func Open(cfg Config) (*Log, error)      // creates cfg.Dir if needed, recovers
//	func (l *Log) Recovered() []int64        // values found at Open, ascending, a new slice
//	func (l *Log) Restarted() bool           // cfg.Dir held this store's files before Open
//	func (l *Log) Append(values []int64) uint64  // queues values; returns their sequence number (1, 2, ...)
//	func (l *Log) Notify() <-chan struct{}   // signalled (coalesced, never blocks the writer) when DurableSeq or Err changes
//	func (l *Log) DurableSeq() uint64        // every Append with seq <= this is on disk and fsynced
//	func (l *Log) Err() error                // sticky: the first write, fsync or snapshot failure, wrapped with what failed
//	func (l *Log) Close() error              // flushes what was appended, stops the writer; safe to call twice
//
// Config (in config.go) has at least: Dir string, FS FS (nil: the real
// file system; tests inject faults through it), Logf, plus the group
// commit and snapshot settings, each with its unit and trade-off.
