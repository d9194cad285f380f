package merkle

import (
	"bytes"
	"errors"
	"math/rand"
	"reflect"
	"slices"
	"testing"
	"testing/quick"
)

func mustNew(t testing.TB, buckets int) *Tree {
	t.Helper()
	tr, err := New(Config{Buckets: buckets})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// naiveDiff is the model: the buckets holding a value of the symmetric
// difference of a and b.
func naiveDiff(tr *Tree, a, b map[int64]bool) []int {
	set := map[int]bool{}
	for v := range a {
		if !b[v] {
			set[tr.Bucket(v)] = true
		}
	}
	for v := range b {
		if !a[v] {
			set[tr.Bucket(v)] = true
		}
	}
	out := make([]int, 0, len(set))
	for i := range set {
		out = append(out, i)
	}
	slices.Sort(out)
	return out
}

func build(tr *Tree, set map[int64]bool) {
	for v := range set {
		tr.Add(v)
	}
}

// Rule: Diff reports exactly the buckets holding a value of the symmetric
// difference (every differing bucket is reported, every reported bucket
// really differs), and equal sets give equal roots.
func TestDiffAgreesWithSetDifference(t *testing.T) {
	for _, buckets := range []int{1, 2, 64, 256} {
		prop := func(common, onlyA, onlyB []int64) bool {
			a, b := map[int64]bool{}, map[int64]bool{}
			for _, v := range common {
				a[v], b[v] = true, true
			}
			for _, v := range onlyA {
				a[v] = true
			}
			for _, v := range onlyB {
				b[v] = true
			}
			ta, tb := mustNew(t, buckets), mustNew(t, buckets)
			build(ta, a)
			build(tb, b)
			got, err := Diff(ta.Digests(), tb.Digests())
			if err != nil {
				t.Error(err)
				return false
			}
			want := naiveDiff(ta, a, b)
			if len(got) == 0 && len(want) == 0 {
				return bytes.Equal(ta.Root(), tb.Root())
			}
			if !reflect.DeepEqual(got, want) {
				t.Logf("buckets %d: Diff %v, model %v", buckets, got, want)
				return false
			}
			return !bytes.Equal(ta.Root(), tb.Root())
		}
		cfg := &quick.Config{MaxCount: 300, Rand: rand.New(rand.NewSource(int64(buckets)))}
		if err := quick.Check(prop, cfg); err != nil {
			t.Errorf("buckets %d: %v", buckets, err)
		}
	}
}

// Rule: the summary depends on the set only, not on the order of Adds,
// and the cached root follows later Adds.
func TestRootIndependentOfOrder(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	vals := make([]int64, 500)
	for i := range vals {
		vals[i] = int64(i) // sequential, like Maelstrom's values
	}
	a, b := mustNew(t, 64), mustNew(t, 64)
	emptyRoot := slices.Clone(a.Root())
	for _, v := range vals {
		a.Add(v)
	}
	rng.Shuffle(len(vals), func(i, j int) { vals[i], vals[j] = vals[j], vals[i] })
	for i, v := range vals {
		b.Add(v)
		if i == 0 && bytes.Equal(b.Root(), emptyRoot) {
			t.Fatal("root did not change after the first Add")
		}
	}
	if !bytes.Equal(a.Root(), b.Root()) || !bytes.Equal(a.Digests(), b.Digests()) {
		t.Fatal("same set, different summaries")
	}
}

// Rule: sequential values spread over the buckets (no bucket holds more
// than twice its share).
func TestSequentialValuesSpread(t *testing.T) {
	tr := mustNew(t, 64)
	count := make([]int, 64)
	for v := int64(0); v < 6400; v++ {
		count[tr.Bucket(v)]++
	}
	for i, c := range count {
		if c < 50 || c > 200 {
			t.Errorf("bucket %d holds %d of 6400 sequential values (share 100)", i, c)
		}
	}
}

// Rule: peer digests of the wrong length are an error, never a panic.
func TestDiffRejectsWrongLength(t *testing.T) {
	tr := mustNew(t, 4)
	mine := tr.Digests()
	for _, theirs := range [][]byte{nil, {}, make([]byte, 31), make([]byte, 33), make([]byte, 64)} {
		if _, err := Diff(mine, theirs); !errors.Is(err, ErrDigestLength) {
			t.Errorf("Diff with %d bytes: err %v, want ErrDigestLength", len(theirs), err)
		}
	}
	if _, err := Diff(mine, slices.Clone(mine)); err != nil {
		t.Errorf("same length: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, b := range []int{-1, 3, 100, MaxBuckets * 2} {
		if _, err := New(Config{Buckets: b}); !errors.Is(err, ErrConfig) {
			t.Errorf("Buckets %d: err %v, want ErrConfig", b, err)
		}
	}
	tr, err := New(Config{})
	if err != nil || tr.Buckets() != DefaultConfig().Buckets {
		t.Errorf("zero Config: %v, %d buckets", err, tr.Buckets())
	}
}

// FuzzDiff feeds arbitrary peer digests to the decoder: it must return an
// error or a sorted list of in-range buckets that really differ.
func FuzzDiff(f *testing.F) {
	tr := mustNew(f, 8)
	for v := int64(0); v < 20; v++ {
		tr.Add(v)
	}
	f.Add(slices.Clone(tr.Digests()))
	f.Add(make([]byte, 64))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, theirs []byte) {
		mine := tr.Digests()
		got, err := Diff(mine, theirs)
		if err != nil {
			if !errors.Is(err, ErrDigestLength) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		prev := -1
		for _, b := range got {
			if b <= prev || b >= 8 {
				t.Fatalf("bad bucket list %v", got)
			}
			prev = b
			if bytes.Equal(mine[b*DigestSize:(b+1)*DigestSize], theirs[b*DigestSize:(b+1)*DigestSize]) {
				t.Fatalf("bucket %d reported but equal", b)
			}
		}
	})
}

func BenchmarkAdd(b *testing.B) {
	tr := mustNew(b, 64)
	for i := 0; b.Loop(); i++ {
		tr.Add(int64(i))
	}
}

func BenchmarkRootRebuild(b *testing.B) {
	for _, buckets := range []int{64, 256} {
		b.Run(map[int]string{64: "buckets=64", 256: "buckets=256"}[buckets], func(b *testing.B) {
			tr := mustNew(b, buckets)
			for i := 0; b.Loop(); i++ {
				tr.Add(int64(i)) // makes the tree dirty
				tr.Root()
			}
		})
	}
}

func BenchmarkDiff(b *testing.B) {
	x, y := mustNew(b, 64), mustNew(b, 64)
	for v := int64(0); v < 1000; v++ {
		x.Add(v)
		if v%10 != 0 {
			y.Add(v)
		}
	}
	for b.Loop() {
		if _, err := Diff(x.Digests(), y.Digests()); err != nil {
			b.Fatal(err)
		}
	}
}
