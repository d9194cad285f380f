package netsim

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// Reference: MODEL.md, "Latency" latency table.
func TestLatencyDistributions(t *testing.T) {
	const draws = 200000
	for _, m := range []int{1, 7, 100} {
		r := rand.New(rand.NewPCG(1, uint64(m)))
		var sum float64
		for i := 0; i < draws; i++ {
			if v := drawLatency(r, DistConstant, m); v != int64(m) {
				t.Fatalf("constant %d drew %d", m, v)
			}
		}
		seen := map[int64]bool{}
		for i := 0; i < draws; i++ {
			v := drawLatency(r, DistUniform, m)
			if v < 0 || v >= int64(2*m) {
				t.Fatalf("uniform m=%d drew %d outside [0,%d)", m, v, 2*m)
			}
			seen[v] = true
			sum += float64(v)
		}
		if len(seen) != 2*m {
			t.Errorf("uniform m=%d hit %d of %d values", m, len(seen), 2*m)
		}
		mean := sum / draws
		// Mean m - 0.5; sd of the mean about (2m/sqrt(12))/sqrt(draws).
		if tol := 5 * (2 * float64(m) / math.Sqrt(12)) / math.Sqrt(draws); math.Abs(mean-(float64(m)-0.5)) > tol {
			t.Errorf("uniform m=%d mean %.4f, want %.4f ± %.4f", m, mean, float64(m)-0.5, tol)
		}
		sum = 0
		for i := 0; i < draws; i++ {
			v := drawLatency(r, DistExponential, m)
			if v < 0 {
				t.Fatalf("exponential drew %d", v)
			}
			sum += float64(v)
		}
		mean = sum / draws
		// floor(Exp(mean m)) has mean 1/(e^(1/m)-1) (about m - 0.5).
		want := 1 / (math.Exp(1/float64(m)) - 1)
		if tol := 5 * float64(m) / math.Sqrt(draws); math.Abs(mean-want) > tol {
			t.Errorf("exponential m=%d mean %.4f, want %.4f ± %.4f", m, mean, want, tol)
		}
	}
}

// Reference: MODEL.md, "Latency": with m = 0, uniform and exponential fail at start-up;
// constant 0 is fine.
func TestLatencyZeroFailsAtStartup(t *testing.T) {
	for _, d := range []string{DistUniform, DistExponential} {
		if _, err := New(Config{Dist: d, Latency: 0}); !errors.Is(err, ErrLatency) {
			t.Errorf("%s with m=0: err = %v, want ErrLatency", d, err)
		}
	}
	if _, err := New(Config{Dist: DistConstant}); err != nil {
		t.Errorf("constant 0: %v", err)
	}
	if _, err := New(Config{Dist: "normal", Latency: 3}); !errors.Is(err, ErrLatency) {
		t.Errorf("unknown dist accepted")
	}
	if _, err := New(Config{Latency: -1}); !errors.Is(err, ErrLatency) {
		t.Errorf("negative latency accepted")
	}
}

func TestHistogram(t *testing.T) {
	var h Histogram
	r := rand.New(rand.NewPCG(3, 4))
	vals := make([]int64, 0, 10000)
	for i := 0; i < 10000; i++ {
		v := r.Int64N(50_000_000)
		vals = append(vals, v)
		h.Add(v)
	}
	for _, q := range []float64{0.5, 0.9, 0.99} {
		got := h.Quantile(q)
		// Count how many true values are <= got: should be within ~2% of q.
		var le int
		for _, v := range vals {
			if v <= got {
				le++
			}
		}
		if frac := float64(le) / float64(len(vals)); math.Abs(frac-q) > 0.02 {
			t.Errorf("q%.2f = %d covers %.3f", q, got, frac)
		}
	}
	for v := int64(0); v < 1<<20; v += 37 {
		if lo := histLow(histIndex(v)); lo > v || float64(v-lo) > 0.016*float64(v)+1 {
			t.Fatalf("bucket of %d starts at %d", v, lo)
		}
	}
}
