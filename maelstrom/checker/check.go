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
	// Nodes are the servers in test order, for the staleness figures
	// (reachability); CheckWith takes run.Nodes when it is empty.
	Nodes []string
}

// DefaultConfig returns Maelstrom's defaults: no availability requirement,
// no parameters.
func DefaultConfig() Config { return Config{} }

// Validate rejects an Availability that Maelstrom's CLI would reject (the
// runner should exit 254 on it). The checker does not require a valid
// config: a bad threshold makes :availability unknown with an :error, as
// Maelstrom's checker would throw.
func (c Config) Validate() error {
	_, _, _, err := ParseAvailability(c.Availability)
	return err
}

// nodesFor returns the nodes for the staleness figures: Nodes, else
// run.Nodes, else (a hand-made history) the nodes its ops name, in order of
// appearance.
func (c Config) nodesFor(run history.Run) []string {
	if len(c.Nodes) > 0 {
		return c.Nodes
	}
	if len(run.Nodes) > 0 {
		return run.Nodes
	}
	var nodes []string
	seen := map[string]bool{}
	for _, op := range run.Ops {
		if op.Node != "" && !seen[op.Node] {
			seen[op.Node] = true
			nodes = append(nodes, op.Node)
		}
	}
	return nodes
}

// Check runs every checker over run with DefaultConfig.
func Check(run history.Run) Results {
	return CheckWith(run, DefaultConfig())
}

// CheckWith runs every checker over a run held in memory: it feeds run.Ops
// to an Online checker and finishes it.
func CheckWith(run history.Run, cfg Config) Results {
	cfg.Nodes = cfg.nodesFor(run)
	c := NewOnline(cfg)
	for _, op := range run.Ops {
		c.Observe(op)
	}
	return c.Finish(Final{Net: run.Net, Faults: run.Faults, Resolve: opsResolver(run.Ops)})
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
