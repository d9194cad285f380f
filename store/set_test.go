package store

import (
	"math/rand"
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

// Rule: Sorted is cached: with no Add in between, the same slice comes back.
func TestSetSortedCachedUntilAdd(t *testing.T) {
	s := NewSet()
	if got := s.Sorted(); got == nil || len(got) != 0 {
		t.Fatalf("empty set: Sorted = %#v, want empty non-nil", got)
	}
	s.AddAll([]int64{3, 1, 2, 1})
	a, b := s.Sorted(), s.Sorted()
	if &a[0] != &b[0] {
		t.Fatal("Sorted rebuilt its slice with no Add in between")
	}
	s.Add(2) // not new: cache stays
	if c := s.Sorted(); &c[0] != &a[0] {
		t.Fatal("Sorted rebuilt its slice after an Add of an existing value")
	}
	s.Add(0)
	if c := s.Sorted(); !slices.Equal(c, []int64{0, 1, 2, 3}) || !slices.Equal(a, []int64{1, 2, 3}) {
		t.Fatalf("after Add(0): Sorted = %v, old slice = %v", c, a)
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

// BenchmarkSetSortedUnchanged is the read path: Sorted with no new values.
func BenchmarkSetSortedUnchanged(b *testing.B) {
	s := NewSet()
	for i := range 100_000 {
		s.Add(int64(i * 7 % 100_003))
	}
	s.Sorted()
	for b.Loop() {
		s.Sorted()
	}
}

// BenchmarkSetSortedAfterAdd is one new value then a read, at 10,000 to
// 11,000 values (the set is rebuilt, untimed, every 1,000 ops).
func BenchmarkSetSortedAfterAdd(b *testing.B) {
	var s *Set
	for i := 0; i < b.N; i++ {
		if i%1000 == 0 {
			b.StopTimer()
			s = NewSet()
			for j := range 10_000 {
				s.Add(int64(j) * 2)
			}
			s.Sorted()
			b.StartTimer()
		}
		s.Add(int64(i%1000)*2 + 1)
		s.Sorted()
	}
}
