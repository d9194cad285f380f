package store

import (
	"math"
	"math/rand"
	"runtime"
	"slices"
	"testing"
	"testing/quick"
)

// Rule: Set behaves exactly like a map plus a sort, and a slice returned by
// Sorted never changes afterwards (it is shared with callers).
func TestSetMatchesNaiveModel(t *testing.T) {
	check := func(ops []int16, sortEvery uint8) bool {
		s := NewSet()
		model := map[int64]bool{}
		type kept struct{ got, want []int64 }
		var handedOut []kept
		for i, op := range ops {
			v := int64(op % 64) // small range: plenty of duplicates
			if op < 0 {
				v = -v * 1e15 // and some large magnitudes
			}
			if got, want := s.Add(v), !model[v]; got != want {
				t.Logf("Add(%d) = %v, model says %v", v, got, want)
				return false
			}
			model[v] = true
			probe := int64(i % 70)
			if s.Has(probe) != model[probe] || s.Len() != len(model) {
				t.Logf("Has(%d)/Len disagree with model", probe)
				return false
			}
			if sortEvery != 0 && i%int(sortEvery) == 0 {
				got := s.Sorted()
				want := sortedKeys(model)
				if !slices.Equal(got, want) {
					t.Logf("Sorted = %v, want %v", got, want)
					return false
				}
				handedOut = append(handedOut, kept{got, slices.Clone(want)})
			}
		}
		if !slices.Equal(s.Sorted(), sortedKeys(model)) {
			return false
		}
		for _, k := range handedOut {
			if !slices.Equal(k.got, k.want) {
				t.Logf("a slice returned by Sorted changed after later Adds")
				return false
			}
		}
		return true
	}
	cfg := &quick.Config{MaxCount: 500, Rand: rand.New(rand.NewSource(1))}
	if err := quick.Check(check, cfg); err != nil {
		t.Fatal(err)
	}
}

func sortedKeys(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for v := range m {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

// Rule: Sorted hands out a slice the caller owns: changing it, or adding
// values afterwards, changes neither the set nor an earlier slice.
func TestSetSortedIsCallerOwned(t *testing.T) {
	s := NewSet()
	if got := s.Sorted(); got == nil || len(got) != 0 {
		t.Fatalf("empty set: Sorted = %#v, want empty non-nil", got)
	}
	s.AddAll([]int64{3, 1, 2, 1})
	a := s.Sorted()
	a[0] = 99
	if b := s.Sorted(); !slices.Equal(b, []int64{1, 2, 3}) {
		t.Fatalf("after the caller changed its slice: Sorted = %v", b)
	}
	b := s.Sorted()
	s.Add(0)
	if c := s.Sorted(); !slices.Equal(c, []int64{0, 1, 2, 3}) || !slices.Equal(b, []int64{1, 2, 3}) {
		t.Fatalf("after Add(0): Sorted = %v, earlier slice = %v", c, b)
	}
}

// Rule: every int64 works, in every representation: dense runs become
// bitmaps, scattered values stay sparse, negative values and the extremes
// sort correctly, and All stops when asked.
func TestSetRepresentations(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	s := NewSet()
	model := map[int64]bool{}
	add := func(v int64) {
		if got, want := s.Add(v), !model[v]; got != want {
			t.Fatalf("Add(%d) = %v, want %v", v, got, want)
		}
		model[v] = true
	}
	for v := range int64(10_000) { // dense from 0: bitmaps
		add(v)
	}
	for v := int64(-5000); v < -3000; v++ { // dense negative range
		add(v)
	}
	for range 5000 { // scattered: sparse
		add(rng.Int63() - rng.Int63())
	}
	for _, v := range []int64{math.MinInt64, math.MaxInt64, math.MinInt64 + 1, math.MaxInt64 - 1, -1, 0} {
		add(v)
	}
	for range 3000 { // duplicates of everything so far
		add(int64(rng.Intn(10_000)))
	}
	if len(s.chunks) == 0 || len(s.sparse) == 0 {
		t.Fatalf("want both bitmaps and sparse values; got %d chunks, %d sparse", len(s.chunks), len(s.sparse))
	}
	if s.Len() != len(model) {
		t.Fatalf("Len = %d, want %d", s.Len(), len(model))
	}
	want := sortedKeys(model)
	if got := s.Sorted(); !slices.Equal(got, want) {
		t.Fatalf("Sorted differs from the model (len %d vs %d)", len(got), len(want))
	}
	for _, v := range want[:100] {
		if !s.Has(v) {
			t.Fatalf("Has(%d) = false", v)
		}
	}
	for _, v := range []int64{10_000, -3000, -5001, math.MaxInt64 - 2} {
		if s.Has(v) != model[v] {
			t.Fatalf("Has(%d) = %v, want %v", v, s.Has(v), model[v])
		}
	}
	n := 0
	for range s.All() {
		n++
		if n == 10 {
			break
		}
	}
	if n != 10 {
		t.Fatalf("All did not stop at break")
	}
	c := s.Clone()
	c.Add(10_001)
	if s.Has(10_001) || !c.Has(10_001) || c.Len() != s.Len()+1 {
		t.Fatal("Clone is not independent of the original")
	}
}

func BenchmarkSetAdd(b *testing.B) {
	s := NewSet()
	for i := 0; b.Loop(); i++ {
		s.Add(int64(i))
	}
}

func BenchmarkSetHas(b *testing.B) {
	s := NewSet()
	for i := range 1 << 16 {
		s.Add(int64(i))
	}
	for i := 0; b.Loop(); i++ {
		s.Has(int64(i & (1<<17 - 1)))
	}
}

// BenchmarkSetAll is the read path: one ascending pass over 100,000 values.
func BenchmarkSetAll(b *testing.B) {
	s := NewSet()
	for i := range 100_000 {
		s.Add(int64(i * 7 % 100_003))
	}
	b.ReportAllocs()
	for b.Loop() {
		var sum int64
		for v := range s.All() {
			sum += v
		}
		if sum == 0 {
			b.Fatal("empty pass")
		}
	}
}

// BenchmarkSetMemory reports the live heap per value of a Set holding
// 100,000 values, dense (0..n-1 in a shuffled order, as a broadcast
// workload produces) and scattered (random int64s), next to the node's
// budget of 64 bytes per value for all its structures together.
func BenchmarkSetMemory(b *testing.B) {
	const n = 100_000
	for _, tc := range []struct {
		name  string
		value func(rng *rand.Rand, i int) int64
	}{
		{"dense", func(_ *rand.Rand, i int) int64 { return int64(i) }},
		{"scattered", func(rng *rand.Rand, _ int) int64 { return rng.Int63() - rng.Int63() }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			rng := rand.New(rand.NewSource(1))
			vals := make([]int64, n)
			for i := range vals {
				vals[i] = tc.value(rng, i)
			}
			rng.Shuffle(n, func(i, j int) { vals[i], vals[j] = vals[j], vals[i] })
			var perValue float64
			for b.Loop() {
				before := liveHeap()
				s := NewSet()
				s.AddAll(vals)
				perValue = float64(liveHeap()-before) / n
				runtime.KeepAlive(s)
			}
			b.ReportMetric(perValue, "B/value")
			b.ReportMetric(64, "target-B/value")
		})
	}
}

// liveHeap returns the bytes of live heap objects after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
