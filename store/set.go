package store

import "slices"

// Set is the in-memory grow-only set of broadcast values. It is not safe for
// concurrent use: one goroutine owns it.
//
// Add and Has are O(1) (a hash map). Sorted is O(1) when nothing was added
// since the previous call; otherwise it merges the values added since then
// into the cached sorted slice (O(n + k log k) for k new values).
type Set struct {
	members map[int64]struct{}
	// sorted holds every value that was in the set at the last Sorted call,
	// ascending. It is handed out to callers, so it is never modified in
	// place: a later Sorted builds a new slice.
	sorted []int64
	// pending holds the values added since sorted was built, in arrival order.
	pending []int64
}

// NewSet returns an empty Set.
func NewSet() *Set {
	return &Set{members: make(map[int64]struct{})}
}

// Add inserts v and reports whether it was not in the set before.
func (s *Set) Add(v int64) bool {
	if _, ok := s.members[v]; ok {
		return false
	}
	s.members[v] = struct{}{}
	s.pending = append(s.pending, v)
	return true
}

// AddAll inserts every value of vs and returns how many were new.
func (s *Set) AddAll(vs []int64) int {
	n := 0
	for _, v := range vs {
		if s.Add(v) {
			n++
		}
	}
	return n
}

// Has reports whether v is in the set.
func (s *Set) Has(v int64) bool {
	_, ok := s.members[v]
	return ok
}

// Len returns the number of values in the set.
func (s *Set) Len() int {
	return len(s.members)
}

// Sorted returns every value in ascending order. The slice is shared and
// read-only: callers must not modify it. It stays valid (and unchanged) after
// later Adds, which simply make a later Sorted call return a new slice.
func (s *Set) Sorted() []int64 {
	if len(s.pending) == 0 {
		if s.sorted == nil {
			s.sorted = []int64{}
		}
		return s.sorted
	}
	slices.Sort(s.pending)
	s.sorted = mergeSorted(s.sorted, s.pending)
	s.pending = s.pending[:0]
	return s.sorted
}

// mergeSorted returns a new ascending slice holding a and b (both ascending,
// disjoint). It copies the runs of a between b's insertion points, so a few
// new values cost O(len(a)) memory copying plus O(len(b) log len(a)).
func mergeSorted(a, b []int64) []int64 {
	out := make([]int64, 0, len(a)+len(b))
	for _, v := range b {
		i, _ := slices.BinarySearch(a, v)
		out = append(out, a[:i]...)
		out = append(out, v)
		a = a[i:]
	}
	return append(out, a...)
}

// newSetFromSorted returns a Set holding sorted (ascending, no duplicates),
// which it keeps and shares as its Sorted slice.
func newSetFromSorted(sorted []int64) *Set {
	s := &Set{members: make(map[int64]struct{}, len(sorted)), sorted: sorted}
	for _, v := range sorted {
		s.members[v] = struct{}{}
	}
	return s
}
