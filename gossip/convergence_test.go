package gossip

import (
	"flag"
	"fmt"
	"math/rand"
	"testing"
)

var (
	flagSeeds = flag.Int("seeds", 200, "number of seeds for the randomized simulation tests")
	flagSeed  = flag.Int64("seed", -1, "run only this seed of the randomized simulation tests")
)

// chaosRun drives one randomized scenario: random overlay config, latency
// (constant or random), loss, Maelstrom partition shapes, crashes and
// restarts, while clients broadcast; then everything heals, and it checks
// that every live node converges to exactly the acknowledged values.
func chaosRun(seed int64) error {
	rng := rand.New(rand.NewSource(seed))
	n := 2 + rng.Intn(8)
	if rng.Intn(8) == 0 {
		n = 25
	}
	cfg := starConfig()
	switch rng.Intn(5) {
	case 0:
		cfg.TreeFanout = 1 + rng.Intn(3)
	case 1:
		cfg.Overlay = OverlayFull
	case 2:
		cfg.Overlay = OverlayGiven
	}
	cfg.RelayTicks = 1 + rng.Intn(15)
	cfg.ClientFlush = ClientFlush(rng.Intn(3))
	switch rng.Intn(4) {
	case 0, 1: // suspicion on, automatic SuspectTicks
		cfg.SuspectTicks = SuspectAuto
	case 2: // quick to suspect: slow links pass for broken ones
		cfg.SuspectTicks = cfg.RelayTicks + 1 + rng.Intn(20)
	} // else the default: off
	switch rng.Intn(4) {
	case 0, 1: // the relay strategy, windows and timeouts of any size
		cfg.Strategy = StrategyRelay
		cfg.WindowTicks = 1 + rng.Intn(15)
		cfg.LeadTicks = 1 + rng.Intn(3)
		cfg.FailoverTicks = 5 + rng.Intn(40)
		cfg.FailoverMarginTicks = 1 + rng.Intn(10)
	case 2:
		cfg.Strategy = StrategyDirect
	}
	cfg.MerkleBuckets = 1 << rng.Intn(8)
	if rng.Intn(4) == 0 {
		cfg.MaxMessageBytes = 1024 // forces split messages
		cfg.MerkleBuckets = 1 << rng.Intn(6)
	}
	var latency func(*rand.Rand) int64
	switch lat := int64(1 + rng.Intn(12)); rng.Intn(3) {
	case 0:
		latency = func(*rand.Rand) int64 { return lat }
	case 1:
		latency = func(r *rand.Rand) int64 { return 1 + r.Int63n(2*lat) }
	default:
		latency = func(r *rand.Rand) int64 { return 1 + int64(r.ExpFloat64()*float64(lat)) }
	}
	s, err := newSimNet(seed, n, 1, latency, cfg)
	if err != nil {
		return err
	}
	if cfg.Overlay == OverlayGiven {
		s.setTopology(lineTopology(s.ids))
	}
	desc := fmt.Sprintf("strategy=%d window=%d failover=%d n=%d fanout=%d overlay=%d relay=%d flush=%d suspect=%d buckets=%d maxbytes=%d",
		cfg.Strategy, cfg.WindowTicks, cfg.FailoverTicks, n, cfg.TreeFanout, cfg.Overlay, cfg.RelayTicks, cfg.ClientFlush, cfg.SuspectTicks, cfg.MerkleBuckets, cfg.MaxMessageBytes)
	var events []string
	next := int64(0)
	for t := 0; t < 1500; t++ {
		if rng.Intn(3) == 0 {
			s.broadcast(s.ids[rng.Intn(n)], next)
			next++
		}
		if rng.Intn(150) == 0 {
			switch rng.Intn(5) {
			case 0, 1:
				events = append(events, fmt.Sprintf("t=%d partition %s", s.now, s.nemesisPartition(rng.Intn(4))))
			case 2:
				s.heal()
				events = append(events, fmt.Sprintf("t=%d heal", s.now))
			case 3:
				s.dropRate = rng.Float64() * 0.3
				events = append(events, fmt.Sprintf("t=%d drop %.2f", s.now, s.dropRate))
			case 4:
				id := s.ids[rng.Intn(n)]
				if s.down[id] {
					if err := s.restart(id, rng.Float64()); err != nil {
						return err
					}
					events = append(events, fmt.Sprintf("t=%d restart %s", s.now, id))
				} else {
					s.crash(id)
					events = append(events, fmt.Sprintf("t=%d crash %s", s.now, id))
				}
			}
		}
		s.step()
	}
	s.heal()
	s.dropRate = 0
	for _, id := range s.ids {
		if s.down[id] {
			if err := s.restart(id, rng.Float64()); err != nil {
				return err
			}
		}
	}
	// Bound: a few maximal anti-entropy intervals after the heal.
	limit := int64(6 * cfg.MaxSyncTicks)
	took, ok := s.runUntilConverged(limit)
	if len(s.errs) > 0 {
		return fmt.Errorf("%s: protocol errors: %v", desc, s.errs[:min(5, len(s.errs))])
	}
	if !ok {
		_, why := s.converged()
		return fmt.Errorf("%s: not converged %d ticks after heal: %s; events %v", desc, took, why, events)
	}
	return nil
}

// Rule: every acknowledged broadcast appears in every read after the
// network heals and crashed nodes restart (acknowledged = broadcast to a
// live core), whatever the partitions, loss, crashes and latency before.
func TestConvergenceAfterChaos(t *testing.T) {
	seeds := int64(*flagSeeds)
	if (testing.Short() || raceEnabled) && seeds > 50 {
		seeds = 50
	}
	first := int64(0)
	if *flagSeed >= 0 {
		first, seeds = *flagSeed, 1
	}
	failed := 0
	for seed := first; seed < first+seeds; seed++ {
		if err := chaosRun(seed); err != nil {
			t.Errorf("seed %d (rerun with -seed %d): %v", seed, seed, err)
			if failed++; failed >= 5 {
				t.Fatal("too many failures")
			}
		}
	}
}

// Rule: after a heal, every node holds every value broadcast before it
// within one maximal sync interval, for each Maelstrom partition shape, in
// the 3d setting (25 nodes, 100 ms latency, 100 ops/s), whether traffic
// goes on after the heal or stops (Maelstrom's final phase).
func TestHealRepairsWithinOneSyncInterval(t *testing.T) {
	cfg := starConfig()
	bound := float64(cfg.MaxSyncTicks * 10) // ms
	for shape := range 4 {
		for _, stop := range []bool{false, true} {
			sp := spec3d()
			sp.seconds, sp.recoveryMs = 8, 6000
			sp.partition, sp.partitionAt, sp.healAt = shape, 2000, 5000
			if stop {
				sp.seconds = 5
			}
			seed := int64(10 + shape)
			r, err := simulateLoad(seed, sp, cfg)
			if err != nil {
				t.Fatalf("shape %d seed %d: %v", shape, seed, err)
			}
			if r.unconverged > 0 || r.healMs > bound {
				t.Errorf("shape %d (traffic stops at heal: %v) seed %d: %d values never everywhere; heal repaired after %.0f ms, bound %.0f",
					shape, stop, seed, r.unconverged, r.healMs, bound)
			}
		}
	}
}

// Rule: crashed nodes (a leaf and the hub) that restart having lost part
// of their disk catch up, and every acknowledged value reaches every node,
// while load goes on (25 nodes, 100 ms latency, 1 tick = 10 ms).
func TestRestartUnderLoad(t *testing.T) {
	for seed := int64(1); seed <= 3; seed++ {
		s, err := newSimNet(seed, 25, 10, func(*rand.Rand) int64 { return 100 }, starConfig())
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewSource(seed))
		v := int64(0)
		for s.now < 8000 {
			switch s.now {
			case 2000:
				s.crash("n0")
				s.crash("n7")
			case 4000:
				if err := s.restart("n0", 0.5); err != nil {
					t.Fatal(err)
				}
				if err := s.restart("n7", 0); err != nil {
					t.Fatal(err)
				}
			}
			if rng.Intn(20) == 0 {
				s.broadcast(s.ids[rng.Intn(25)], v)
				v++
			}
			s.step()
		}
		took, ok := s.runUntilConverged(int64(starConfig().MaxSyncTicks) * 10)
		if len(s.errs) > 0 {
			t.Fatalf("seed %d: %v", seed, s.errs)
		}
		if !ok {
			_, why := s.converged()
			t.Errorf("seed %d: not converged %d ms after load: %s", seed, took, why)
		}
	}
}
