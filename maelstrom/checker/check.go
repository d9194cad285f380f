package checker

import (
	"broadcast/maelstrom/history"
)

// Config tunes the checker.
type Config struct {
	// Availability is Maelstrom's --availability: "" (always valid),
	// "total" (ok-fraction must be exactly 1) or a number in [0, 1]
	// (ok-fraction must be at least that).
	Availability string
	// Params are the run parameters, copied into Results.Bench for the plot
	// titles and the report's Gossip Glomers targets; optional.
	Params *Params
}

// DefaultConfig returns Maelstrom's defaults: no availability requirement,
// no parameters.
func DefaultConfig() Config { return Config{} }

// Validate rejects an Availability that Maelstrom's CLI would reject (the
// runner should exit 254 on it). CheckWith does not require a valid config:
// a bad threshold makes :availability unknown with an :error, as Maelstrom's
// checker would throw.
func (c Config) Validate() error {
	_, _, _, err := ParseAvailability(c.Availability)
	return err
}

// Check runs every checker over run with DefaultConfig.
func Check(run history.Run) Results {
	return CheckWith(run, DefaultConfig())
}

// CheckWith runs every checker over run. Each checker that panics becomes
// {valid? unknown, error ...} for its part, as jepsen's check-safe does; the
// top-level verdict merges the parts (false beats unknown beats true).
func CheckWith(run history.Run, cfg Config) Results {
	ops := run.Ops
	res := Results{
		Perf:     Perf{Valid: Valid, LatencyGraphValid: Valid, RateGraphValid: Valid},
		Timeline: Timeline{Valid: Valid},
	}
	safe(&res.Exceptions.Error, func() { res.Exceptions = CheckExceptions(ops) })
	safe(&res.Stats.Error, func() { res.Stats = CheckStats(ops) })
	safe(&res.Availability.Error, func() { res.Availability = CheckAvailability(ops, cfg.Availability) })
	safe(&res.Net.Error, func() { res.Net = CheckNet(ops, run.Net) })
	safe(&res.Workload.Error, func() { res.Workload = CheckWorkload(ops) })
	res.Valid = Merge(res.Perf.Valid, res.Timeline.Valid, res.Exceptions.Valid,
		res.Stats.Valid, res.Availability.Valid, res.Net.Valid, res.Workload.Valid)

	safeBench := func() (b Bench) {
		defer func() {
			if r := recover(); r != nil {
				b = Bench{}
			}
		}()
		return checkBench(ops, run.Faults)
	}
	res.Bench = safeBench()
	safe(&res.Bench.StalenessError, func() { f := checkStaleness(run); res.Bench.Staleness = &f })
	res.Bench.AvailabilityThreshold = cfg.Availability
	if cfg.Params != nil {
		p := *cfg.Params
		res.Bench.Params = &p
	}
	return res
}

// safe runs fn; if it panics, *errField gets the panic text. The part's
// Validity is then its zero value, Unknown, because fn never finished
// assigning the part (callers assign the whole part at the end of fn).
func safe(errField *string, fn func()) {
	defer func() {
		if r := recover(); r != nil {
			*errField = panicError(r)
		}
	}()
	fn()
}
