package netsim

import (
	"math"
	"math/rand/v2"
)

// drawLatency draws one server-to-server latency in whole milliseconds
// (MODEL.md, "Latency"). dist and m have been validated.
func drawLatency(r *rand.Rand, dist string, m int) int64 {
	switch dist {
	case DistUniform:
		// Integer uniform on [0, 2m).
		return r.Int64N(int64(2 * m))
	case DistExponential:
		// floor(-ln(1-U) * m), U uniform on [0, 1): Exp(rate 1/m) truncated
		// to whole ms, as incanter's exponential draw cast to long.
		u := r.Float64()
		return int64(math.Floor(-math.Log1p(-u) * float64(m)))
	default:
		return int64(m)
	}
}
