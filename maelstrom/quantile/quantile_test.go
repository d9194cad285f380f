package quantile

import "testing"

// Rule: Index is min(n-1, floor(n*q)): the upper middle for an even n at
// 0.5, the last sample at 1, the first at 0.
func TestIndex(t *testing.T) {
	for _, c := range []struct {
		n    int
		q    float64
		want int
	}{{1, 0, 0}, {1, 1, 0}, {4, 0.5, 2}, {5, 0.5, 2}, {100, 0.95, 95}, {100, 0.99, 99}, {100, 1, 99}, {10, 0, 0}, {3, 0.99, 2}} {
		if got := Index(c.n, c.q); got != c.want {
			t.Errorf("Index(%d, %v) = %d, want %d", c.n, c.q, got, c.want)
		}
	}
}
