package node

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"broadcast/gossip"
	"broadcast/store"
)

// Durability says when a value counts as held: after it is on disk, or at once.
type Durability uint8

const (
	// DurabilityDisk acknowledges a broadcast, and shows a value in reads,
	// only once the value is fsynced in the node's store.Log.
	DurabilityDisk Durability = iota
	// DurabilityNone keeps values in memory only: visible and acknowledged
	// at once, lost when the process dies.
	DurabilityNone
)

// String returns the flag spelling of d ("disk" or "none").
func (d Durability) String() string {
	switch d {
	case DurabilityDisk:
		return "disk"
	case DurabilityNone:
		return "none"
	}
	return fmt.Sprintf("Durability(%d)", d)
}

// ParseDurability parses "disk" or "none".
func ParseDurability(s string) (Durability, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "disk":
		return DurabilityDisk, nil
	case "none":
		return DurabilityNone, nil
	}
	return 0, fmt.Errorf("%w: durability %q (want disk or none)", ErrConfig, s)
}

// Level is a log level; a line is written when its level <= Config.LogLevel.
type Level int8

const (
	// LevelError logs only failures that degrade the node (disk errors, broken stdout).
	LevelError Level = iota
	// LevelWarn adds one line per bad input and per suppressed reply.
	LevelWarn
	// LevelInfo adds state changes: init, topology, recovery, restarts.
	LevelInfo
	// LevelDebug adds one line per decision (each message handled, each ack).
	LevelDebug
)

// String returns the flag spelling of l.
func (l Level) String() string {
	switch l {
	case LevelError:
		return "error"
	case LevelWarn:
		return "warn"
	case LevelInfo:
		return "info"
	case LevelDebug:
		return "debug"
	}
	return fmt.Sprintf("Level(%d)", l)
}

// ParseLevel parses "error", "warn", "info" or "debug".
func ParseLevel(s string) (Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "error":
		return LevelError, nil
	case "warn", "warning":
		return LevelWarn, nil
	case "info":
		return LevelInfo, nil
	case "debug":
		return LevelDebug, nil
	}
	return 0, fmt.Errorf("%w: log level %q (want error, warn, info or debug)", ErrConfig, s)
}

// ErrConfig reports an invalid Config.
var ErrConfig = errors.New("node: invalid config")

// Config configures a Node. Build it from DefaultConfig and change fields.
type Config struct {
	// Gossip is the template for the gossip core. ID, NodeIDs and Logf are
	// filled in at init; a zero Seed is replaced by a hash of the node id
	// (so nodes differ, and a run is replayable).
	Gossip gossip.Config

	// Durability chooses between acknowledging after fsync (disk, the
	// default: slower acks, reads never go backwards across restarts) and
	// at once (none: memory only).
	Durability Durability
	// DataDir is rule 1 of the data directory (doc.go): node data lives in
	// DataDir/<node-id>, kept across runs. Empty: rules 2 and 3 apply.
	DataDir string
	// RunDir is rule 2: the absolute directory of this run
	// (MAELSTROM_RUN_DIR); node data lives in RunDir/data/<node-id>.
	RunDir string
	// TempDir is the base of rule 3; empty means os.TempDir().
	TempDir string
	// ProcDir is where the process table is read (rule 3); empty means "/proc".
	ProcDir string
	// ParentPID is the parent process for rule 3; 0 means os.Getppid().
	ParentPID int
	// Store is the template for the store.Log (group commit, snapshots);
	// Dir and Logf are filled in at init.
	Store store.Config
	// OpenLog opens the durable log in dir; nil means store.Open with the
	// Store template. Tests inject slow or failing logs through it.
	OpenLog func(dir string) (Log, error)

	// TickInterval is the real time per gossip tick (default 10 ms), the
	// unit of every interval in gossip.Config. The owner loop wakes only at
	// the core's deadlines, so it costs nothing when idle. Lower: finer
	// gossip timing (intervals must be scaled to match).
	TickInterval time.Duration
	// DisableTicker stops the owner loop from keeping the core's time: the
	// core advances only by Node.Tick (tests and simulations).
	DisableTicker bool
	// MaxLineBytes caps one inbound line (default 16 MiB). A longer line is
	// discarded up to its newline, with one log line.
	MaxLineBytes int
	// ClientReplyDeadline: no reply goes to a client later than this after
	// its request arrived (default 4 s, under Maelstrom's 5 s client
	// timeout, after which a reply to the closed client would kill this
	// node's output). Higher: slow acks still count; lower: more margin.
	ClientReplyDeadline time.Duration
	// LivenessInterval is how often the node stamps that it is running
	// (default 500 ms). After a stop (SIGSTOP) or a stall, the input that
	// waited counts from the last stamp, so the reply deadline judges it by
	// the stop's start; a stall longer than twice this is noticed even
	// without SIGCONT. Higher: less idle CPU, requests after a stop judged
	// up to this much older than they are. With DisableTicker there is no
	// periodic stamp: the lines read stamp it.
	LivenessInterval time.Duration
	// Resumes delivers an event each time the process runs again after a
	// stop; nil means SIGCONT (the kernel sends it on resume). Tests
	// inject resumes through it.
	Resumes <-chan struct{}
	// InboxSize is the number of decoded inbound messages that may wait
	// for the owner goroutine (default 1024). Higher: absorbs bursts,
	// more memory.
	InboxSize int
	// OutboxSize is the number of encoded lines that may wait for the
	// writer (default 4096).
	OutboxSize int

	// Now is the clock for reply deadlines; nil means time.Now.
	Now func() time.Time
	// Logf receives log lines (stderr in cmd/broadcast); nil discards.
	Logf func(format string, args ...any)
	// LogLevel filters log lines (default LevelInfo).
	LogLevel Level
}

// DefaultConfig returns the configuration cmd/broadcast starts from.
func DefaultConfig() Config {
	return Config{
		Gossip:              gossip.DefaultConfig(),
		Durability:          DurabilityDisk,
		Store:               store.DefaultConfig(),
		TickInterval:        10 * time.Millisecond,
		MaxLineBytes:        16 << 20,
		ClientReplyDeadline: 4 * time.Second,
		LivenessInterval:    500 * time.Millisecond,
		InboxSize:           1024,
		OutboxSize:          4096,
		LogLevel:            LevelInfo,
	}
}

// validate fills zero fields from DefaultConfig and rejects nonsense.
func (c *Config) validate() error {
	d := DefaultConfig()
	if c.Durability > DurabilityNone {
		return fmt.Errorf("%w: unknown durability %d", ErrConfig, c.Durability)
	}
	if c.LogLevel < LevelError || c.LogLevel > LevelDebug {
		return fmt.Errorf("%w: unknown log level %d", ErrConfig, c.LogLevel)
	}
	if c.TickInterval < 0 || c.MaxLineBytes < 0 || c.ClientReplyDeadline < 0 || c.LivenessInterval < 0 || c.InboxSize < 0 || c.OutboxSize < 0 {
		return fmt.Errorf("%w: negative interval, size or deadline", ErrConfig)
	}
	if c.TickInterval == 0 {
		c.TickInterval = d.TickInterval
	}
	if c.MaxLineBytes == 0 {
		c.MaxLineBytes = d.MaxLineBytes
	}
	if c.MaxLineBytes < 1024 {
		return fmt.Errorf("%w: MaxLineBytes %d < 1024", ErrConfig, c.MaxLineBytes)
	}
	if c.ClientReplyDeadline == 0 {
		c.ClientReplyDeadline = d.ClientReplyDeadline
	}
	if c.LivenessInterval == 0 {
		c.LivenessInterval = d.LivenessInterval
	}
	if c.InboxSize == 0 {
		c.InboxSize = d.InboxSize
	}
	if c.OutboxSize == 0 {
		c.OutboxSize = d.OutboxSize
	}
	if c.TempDir == "" {
		c.TempDir = os.TempDir()
	}
	if c.ProcDir == "" {
		c.ProcDir = "/proc"
	}
	if c.ParentPID == 0 {
		c.ParentPID = os.Getppid()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
	return nil
}
