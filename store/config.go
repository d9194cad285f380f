package store

import (
	"errors"
	"fmt"
	"time"
)

// Config configures a Log. Start from DefaultConfig and set Dir.
type Config struct {
	// Dir is the directory that holds the store's files, and nothing else
	// of ours should live there. It is created (with parents) if missing.
	Dir string

	// FS is the file system. Nil means the real one (OSFS); tests pass a
	// MemFS to inject faults and simulate crashes.
	FS FS

	// Logf receives the store's log lines (recovery summary, torn tails,
	// corruption, failures). Nil discards them. Log to stderr only.
	Logf func(format string, args ...any)

	// GroupCommitDelay is how long the writer, once woken by an Append,
	// waits for more appends before it writes and fsyncs. Zero writes at
	// once; batches still form on their own while an fsync is running.
	// Higher: fewer fsyncs when appends trickle in, but every ack waits up
	// to this long more, and when the owner limits how many appends are in
	// flight the wait is pure loss: the batch is no bigger, each one only
	// later (BenchmarkDurableThroughput shows it). Timers may not fire
	// sooner than a millisecond or so, so any non-zero value may act like
	// that much. Unit: time; must be in [0, 100ms]. Default 0.
	GroupCommitDelay time.Duration

	// GroupCommitMaxValues ends the GroupCommitDelay wait early once this
	// many values are queued. Only meaningful with GroupCommitDelay > 0.
	// Unit: values. Zero: the default.
	GroupCommitMaxValues int

	// SnapshotEveryValues is how many new values may be logged after the
	// last snapshot before the writer takes a new one and cuts the log.
	// Lower: shorter log replay at Open and less disk, but each snapshot
	// rewrites every value (cost grows with the set), stalling acks for that
	// long. Higher: rarer snapshots, longer replay. Unit: values. Zero: the
	// default.
	SnapshotEveryValues int
}

// Defaults for Config fields.
const (
	DefaultGroupCommitDelay     = 0
	DefaultGroupCommitMaxValues = 4096
	DefaultSnapshotEveryValues  = 100_000
	maxGroupCommitDelay         = 100 * time.Millisecond
)

// DefaultConfig returns the default configuration; the caller sets Dir.
func DefaultConfig() Config {
	return Config{
		GroupCommitDelay:     DefaultGroupCommitDelay,
		GroupCommitMaxValues: DefaultGroupCommitMaxValues,
		SnapshotEveryValues:  DefaultSnapshotEveryValues,
	}
}

// validate rejects nonsense and fills zero fields with defaults.
func (c *Config) validate() error {
	if c.Dir == "" {
		return errors.New("store: Config.Dir is empty")
	}
	if c.GroupCommitDelay < 0 || c.GroupCommitDelay > maxGroupCommitDelay {
		return fmt.Errorf("store: Config.GroupCommitDelay %v outside [0, %v]", c.GroupCommitDelay, maxGroupCommitDelay)
	}
	if c.GroupCommitMaxValues < 0 {
		return fmt.Errorf("store: Config.GroupCommitMaxValues %d is negative", c.GroupCommitMaxValues)
	}
	if c.SnapshotEveryValues < 0 {
		return fmt.Errorf("store: Config.SnapshotEveryValues %d is negative", c.SnapshotEveryValues)
	}
	if c.GroupCommitMaxValues == 0 {
		c.GroupCommitMaxValues = DefaultGroupCommitMaxValues
	}
	if c.SnapshotEveryValues == 0 {
		c.SnapshotEveryValues = DefaultSnapshotEveryValues
	}
	if c.FS == nil {
		c.FS = OSFS{}
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
	return nil
}
