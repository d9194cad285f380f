package store

import (
	"iter"
	"math/bits"
	"slices"
)

// Set is the in-memory grow-only set of broadcast values. It is not safe for
// concurrent use: one goroutine owns it.
//
// It is compact for the values a broadcast workload produces (mostly dense
// runs of small non-negative integers) and correct for any int64:
//
//   - values are grouped in chunks of chunkSize consecutive integers; a
//     chunk that holds at least promoteAt values is a bitmap (one bit per
//     integer of its range, so a full chunk costs 1 bit per value);
//   - every other value is in a sorted slice (8 bytes per value), or, if it
//     arrived since the slice was last rebuilt, in a small unsorted buffer
//     that is merged into it when it reaches a quarter of its size.
//
// Add and Has cost a map lookup (plus a binary search for values outside
// bitmaps). All iterates in ascending order without allocating a slice.
type Set struct {
	n int
	// chunks maps a chunk key (v >> chunkBits) to its bitmap; keys lists
	// the same keys ascending. A value whose chunk exists is only ever in
	// that chunk.
	chunks map[int64]*chunk
	keys   []int64
	// last caches the most recently used chunk.
	lastKey   int64
	lastChunk *chunk
	// sparse holds the values outside chunks, ascending, no duplicates.
	sparse []int64
	// recent holds values outside chunks and sparse, added since sparse
	// was last rebuilt.
	recent map[int64]struct{}
}

const (
	chunkBits  = 12
	chunkSize  = 1 << chunkBits // integers per chunk
	chunkWords = chunkSize / 64
	// promoteAt is the number of values of one chunk's range at which a
	// bitmap (chunkSize/8 bytes) costs no more than keeping them sparse (8
	// bytes each).
	promoteAt = chunkSize / 64
	// minRecent is the least number of recent values that triggers a merge.
	minRecent = 64
)

// chunk is the bitmap of one range of chunkSize integers.
type chunk [chunkWords]uint64

// NewSet returns an empty Set.
func NewSet() *Set {
	return &Set{chunks: make(map[int64]*chunk), recent: make(map[int64]struct{})}
}

// chunkOf returns the chunk of key k, or nil.
func (s *Set) chunkOf(k int64) *chunk {
	if s.lastChunk != nil && s.lastKey == k {
		return s.lastChunk
	}
	c := s.chunks[k]
	if c != nil {
		s.lastKey, s.lastChunk = k, c
	}
	return c
}

// Add inserts v and reports whether it was not in the set before.
func (s *Set) Add(v int64) bool {
	k, bit := v>>chunkBits, uint64(v&(chunkSize-1))
	if c := s.chunkOf(k); c != nil {
		w, m := bit/64, uint64(1)<<(bit%64)
		if c[w]&m != 0 {
			return false
		}
		c[w] |= m
		s.n++
		return true
	}
	if s.hasLoose(v) {
		return false
	}
	s.recent[v] = struct{}{}
	s.n++
	if len(s.recent) >= max(minRecent, len(s.sparse)/4) {
		s.compact()
	}
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
	if c := s.chunkOf(v >> chunkBits); c != nil {
		bit := uint64(v & (chunkSize - 1))
		return c[bit/64]&(1<<(bit%64)) != 0
	}
	return s.hasLoose(v)
}

// hasLoose reports whether v is in sparse or recent.
func (s *Set) hasLoose(v int64) bool {
	if _, ok := s.recent[v]; ok {
		return true
	}
	_, ok := slices.BinarySearch(s.sparse, v)
	return ok
}

// Len returns the number of values in the set.
func (s *Set) Len() int {
	return s.n
}

// compact merges recent into sparse, then turns every run of sparse values
// that share a chunk and number at least promoteAt into a bitmap.
func (s *Set) compact() {
	if len(s.recent) > 0 {
		add := make([]int64, 0, len(s.recent))
		for v := range s.recent {
			add = append(add, v)
		}
		slices.Sort(add)
		s.sparse = mergeSorted(s.sparse, add)
		clear(s.recent)
	}
	kept := s.sparse[:0]
	for i := 0; i < len(s.sparse); {
		k := s.sparse[i] >> chunkBits
		j := i + 1
		for j < len(s.sparse) && s.sparse[j]>>chunkBits == k {
			j++
		}
		if j-i >= promoteAt {
			c := new(chunk)
			for _, v := range s.sparse[i:j] {
				bit := uint64(v & (chunkSize - 1))
				c[bit/64] |= 1 << (bit % 64)
			}
			s.chunks[k] = c
			at, _ := slices.BinarySearch(s.keys, k)
			s.keys = slices.Insert(s.keys, at, k)
		} else {
			kept = append(kept, s.sparse[i:j]...)
		}
		i = j
	}
	clear(s.sparse[len(kept):])
	s.sparse = kept
	// Give back the slack of a slice that shrank a lot.
	if cap(s.sparse) > 64 && cap(s.sparse) > 4*len(s.sparse) {
		s.sparse = slices.Clip(slices.Clone(s.sparse))
	}
}

// All returns an iterator over every value in ascending order. The set
// must not be modified during the iteration.
func (s *Set) All() iter.Seq[int64] {
	if len(s.recent) > 0 {
		s.compact()
	}
	return func(yield func(int64) bool) {
		sp := s.sparse
		for _, k := range s.keys {
			base := k << chunkBits
			for len(sp) > 0 && sp[0] < base {
				if !yield(sp[0]) {
					return
				}
				sp = sp[1:]
			}
			c := s.chunks[k]
			for w, word := range c {
				for word != 0 {
					b := bits.TrailingZeros64(word)
					word &= word - 1
					if !yield(base | int64(w*64+b)) {
						return
					}
				}
			}
		}
		for _, v := range sp {
			if !yield(v) {
				return
			}
		}
	}
}

// Sorted returns every value in ascending order, in a new slice that the
// caller owns. It costs 8 bytes per value: prefer All.
func (s *Set) Sorted() []int64 {
	return slices.AppendSeq(make([]int64, 0, s.n), s.All())
}

// Clone returns an independent copy of the set.
func (s *Set) Clone() *Set {
	c := &Set{
		n:      s.n,
		chunks: make(map[int64]*chunk, len(s.chunks)),
		keys:   slices.Clone(s.keys),
		sparse: slices.Clone(s.sparse),
		recent: make(map[int64]struct{}, len(s.recent)),
	}
	for k, ch := range s.chunks {
		cp := *ch
		c.chunks[k] = &cp
	}
	for v := range s.recent {
		c.recent[v] = struct{}{}
	}
	return c
}

// mergeSorted returns a new ascending slice holding a and b (both ascending,
// disjoint).
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

// newSetFromSorted returns a Set holding sorted (ascending, no duplicates).
func newSetFromSorted(sorted []int64) *Set {
	s := NewSet()
	s.AddAll(sorted)
	return s
}
