package quantile

import "math"

// Points are the points Maelstrom reports: {0, 0.5, 0.95, 0.99, 1}.
var Points = []float64{0, 0.5, 0.95, 0.99, 1}

// Index is jepsen's frequency-distribution index for n sorted samples at
// point q: min(n-1, floor(n*q)), computed in double precision as jepsen
// does.
func Index(n int, q float64) int {
	return min(n-1, int(math.Floor(float64(n)*q)))
}
