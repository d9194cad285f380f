package workload

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Reference: MODEL.md, "Schedule" rate: gaps uniform on [0, 2/R), mean 1/R; MODEL.md, "Operations" mix 50/50
// and values 0, 1, 2, ...
func TestScheduleGapsUniform(t *testing.T) {
	for _, rate := range []float64{5, 10, 100, 1000} {
		s := NewSchedule(rate, rand.New(rand.NewPCG(11, uint64(rate))))
		bound := 2e9 / rate
		const n = 100000
		const bins = 10
		var counts [bins]int
		var sum float64
		for i := 0; i < n; i++ {
			g := float64(s.Gap())
			if g < 0 || g >= bound {
				t.Fatalf("rate %v: gap %v outside [0, %v)", rate, g, bound)
			}
			sum += g
			counts[int(g/bound*bins)]++
		}
		mean := sum / n
		sd := bound / math.Sqrt(12) / math.Sqrt(n)
		if math.Abs(mean-1e9/rate) > 5*sd {
			t.Errorf("rate %v: mean gap %.0f ns, want %.0f ± %.0f", rate, mean, 1e9/rate, 5*sd)
		}
		// Chi-square over 10 equal bins, 9 degrees of freedom: 27.9 is the
		// 0.999 quantile.
		var chi float64
		exp := float64(n) / bins
		for _, c := range counts {
			chi += (float64(c) - exp) * (float64(c) - exp) / exp
		}
		if chi > 27.9 {
			t.Errorf("rate %v: gaps not uniform, chi-square %.1f, bins %v", rate, chi, counts)
		}
	}
}

func TestScheduleMixAndValues(t *testing.T) {
	s := NewSchedule(100, rand.New(rand.NewPCG(5, 6)))
	const n = 20000
	var b int
	var want int64
	for i := 0; i < n; i++ {
		op := s.Next()
		switch op.F {
		case "broadcast":
			if op.Value != want {
				t.Fatalf("value %d, want %d", op.Value, want)
			}
			want++
			b++
		case "read":
		default:
			t.Fatalf("op %v", op)
		}
	}
	// Binomial(n, 1/2): sd = sqrt(n)/2; allow 5 sd.
	if d := math.Abs(float64(b) - n/2); d > 5*math.Sqrt(n)/2 {
		t.Fatalf("%d broadcasts of %d", b, n)
	}
}
