//go:build race

package gossip

// raceEnabled trims the seed sweeps under the race detector: the core is
// single-goroutine, so many seeds find no more races, only take longer.
const raceEnabled = true
