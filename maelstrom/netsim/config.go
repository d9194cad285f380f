package netsim

import (
	"errors"
	"fmt"
	"time"
)

// Latency distributions accepted by Config.Dist (Maelstrom's --latency-dist).
const (
	DistConstant    = "constant"
	DistUniform     = "uniform"
	DistExponential = "exponential"
)

// Config configures a Net.
type Config struct {
	// Latency is --latency: the mean server-to-server latency in whole
	// milliseconds (m). Messages touching a client always get 0.
	Latency int
	// Dist is --latency-dist: constant (exactly m), uniform (integer on
	// [0, 2m)) or exponential (floor(-ln U * m)). Empty means constant.
	Dist string
	// Seed seeds every latency draw (one stream per sending node).
	Seed uint64
	// LogSend and LogRecv log every send / hand-over through Logf
	// (--log-net-send, --log-net-recv).
	LogSend, LogRecv bool
	// Logf receives log lines; a line starting with "WARN " is a warning.
	// Nil discards.
	Logf func(format string, args ...any)
	// SeriesWidth is the bucket width of the message-rate series (default
	// 100 ms). Wider: smaller series, coarser plots.
	SeriesWidth time.Duration
	// ThreadPerServer gives each server's delivery goroutine an OS thread of
	// its own that sleeps with nanosleep, as Maelstrom's delivery threads
	// do: sub-millisecond hand-over precision at the cost of one thread per
	// server. Off: Go timers (about 1 ms granularity on Linux).
	ThreadPerServer bool
	// Epoch is the zero of the run's relative clock; zero means New's call
	// time. Deadlines, series buckets and client timeouts all use it.
	Epoch time.Time
	// Journal, if not nil, is told of every send, hand-over and drop (the
	// message journal behind messages.svg). Nil records nothing.
	Journal Journal
}

// DefaultConfig returns Maelstrom's defaults: latency 0, constant.
func DefaultConfig() Config {
	return Config{Dist: DistConstant, SeriesWidth: 100 * time.Millisecond}
}

// ErrLatency is returned by New for a latency setting Maelstrom cannot start
// with.
var ErrLatency = errors.New("netsim: bad latency settings")

func (c *Config) validate() error {
	if c.Dist == "" {
		c.Dist = DistConstant
	}
	if c.Latency < 0 {
		return fmt.Errorf("%w: --latency %d must be non-negative", ErrLatency, c.Latency)
	}
	switch c.Dist {
	case DistConstant:
	case DistUniform:
		if c.Latency == 0 {
			// MODEL.md, "Latency": incanter's integer-distribution asserts end > start.
			return fmt.Errorf("%w: --latency-dist uniform with --latency 0: Maelstrom fails at start-up here (incanter's integer-distribution 0 0 asserts end > start)", ErrLatency)
		}
	case DistExponential:
		if c.Latency == 0 {
			return fmt.Errorf("%w: --latency-dist exponential with --latency 0: Maelstrom fails at start-up here (exponential rate 1/0: divide by zero)", ErrLatency)
		}
	default:
		return fmt.Errorf("%w: --latency-dist %q (want constant, uniform or exponential)", ErrLatency, c.Dist)
	}
	if c.SeriesWidth <= 0 {
		c.SeriesWidth = 100 * time.Millisecond
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
	if c.Epoch.IsZero() {
		c.Epoch = time.Now()
	}
	return nil
}
