package node

import (
	"encoding/json"
	"math/rand"
	"slices"
	"testing"

	"broadcast/store"
)

// Rule: a read shows exactly the visible set, ascending, whatever the order
// values arrive in; and an array handed out earlier (shared by queued
// read_ok lines) never changes afterwards.
func TestReadCacheMatchesSet(t *testing.T) {
	for seed := int64(1); seed <= 8; seed++ {
		rng := rand.New(rand.NewSource(seed))
		set := store.NewSet()
		var c readCache
		type handedOut struct {
			got  []byte
			want string
		}
		var kept []handedOut
		next := int64(0)
		for step := range 3000 {
			var v int64
			switch r := rng.Intn(100); {
			case r < 80: // ascending, the common case
				next += int64(1 + rng.Intn(3))
				v = next
			case r < 95: // late, below the largest
				v = rng.Int63n(next + 1)
			default: // far away, or negative
				v = rng.Int63() - rng.Int63()
			}
			if set.Add(v) {
				c.noteAdded(v)
			}
			if rng.Intn(25) == 0 || step == 2999 {
				got := c.messages(set)
				full := string(got) + "]"
				var vs []int64
				if err := json.Unmarshal([]byte(full), &vs); err != nil {
					t.Fatalf("seed %d: not a JSON array: %.80q: %v", seed, full, err)
				}
				if want := set.Sorted(); !slices.Equal(vs, want) && !(len(vs) == 0 && len(want) == 0) {
					t.Fatalf("seed %d step %d: the read (%d values) differs from the set, ascending (%d values)", seed, step, len(vs), len(want))
				}
				kept = append(kept, handedOut{got, string(got)})
			}
		}
		for _, k := range kept {
			if string(k.got) != k.want {
				t.Fatalf("seed %d: an array handed out earlier changed afterwards", seed)
			}
		}
	}
}

// Rule: values arriving in ascending order extend the cached array in
// place: no pass over the set.
func TestReadCacheExtendsInPlace(t *testing.T) {
	set := store.NewSet()
	var c readCache
	for v := range int64(100) {
		set.Add(v)
		c.noteAdded(v)
	}
	first := c.messages(set) // the one pass
	for v := int64(100); v < 110; v++ {
		set.Add(v)
		c.noteAdded(v)
	}
	second := c.messages(set)
	if &first[0] != &second[0] && cap(first) >= len(second) {
		t.Fatal("ascending values rebuilt the array instead of extending it")
	}
	set.Add(-1) // below the largest: rebuild
	c.noteAdded(-1)
	if third := c.messages(set); string(third[:4]) != "[-1," {
		t.Fatalf("after a smaller value: %.10s, want it first", third)
	}
}
