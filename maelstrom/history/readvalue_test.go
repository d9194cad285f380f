package history

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// naiveRead indexes a messages array with encoding/json and IntLiteral.
func naiveRead(raw []byte) (n, distinct, dups, nonInt int, ints []int64, err error) {
	var elems []json.RawMessage
	if err = json.Unmarshal(raw, &elems); err != nil {
		return
	}
	seen := map[int64]bool{}
	for _, e := range elems {
		n++
		v, ok := IntLiteral(e)
		switch {
		case !ok:
			nonInt++
		case seen[v]:
			dups++
		default:
			seen[v] = true
			ints = append(ints, v)
		}
	}
	slices.Sort(ints)
	return n, len(ints), dups, nonInt, ints, nil
}

func checkAgainstNaive(t *testing.T, raw string) {
	t.Helper()
	n, distinct, dups, nonInt, ints, nerr := naiveRead([]byte(raw))
	r, err := ParseReadValue([]byte(raw))
	if (err != nil) != (nerr != nil) {
		t.Fatalf("%q: error %v, encoding/json says %v", raw, err, nerr)
	}
	if err != nil {
		return
	}
	var got []int64
	r.EachInt(func(v int64) { got = append(got, v) })
	if r.Len() != n || r.Count() != distinct || r.Duplicates() != dups || r.NonIntegers() != nonInt || !reflect.DeepEqual(got, ints) {
		t.Fatalf("%q: len %d count %d dups %d nonint %d ints %v; want %d %d %d %d %v",
			raw, r.Len(), r.Count(), r.Duplicates(), r.NonIntegers(), got, n, distinct, dups, nonInt, ints)
	}
	for _, v := range ints {
		if !r.Has(v) {
			t.Fatalf("%q: Has(%d) false", raw, v)
		}
	}
	var elems []string
	r.Each(func(e []byte) { elems = append(elems, string(e)) })
	if len(elems) != n {
		t.Fatalf("%q: Each gave %d elements, want %d", raw, len(elems), n)
	}
}

// Rule: a read's value keeps Maelstrom's exact equality and counts every
// element: 3.0, "3", null and 1e0 are non-integers, -0 is 0, integers
// beyond int64 are non-integers, duplicates are counted, integers outside
// the bitmap (negative, huge) are members too.
func TestReadValueExactForm(t *testing.T) {
	r, err := ParseReadValue([]byte(` [ 3, 3.0, "3", null, 1e0, -0, 0, 7, 7, -5, 4194304, 99999999999999999999, {"a": [1, "]"]}, [2] ] `))
	if err != nil {
		t.Fatal(err)
	}
	if r.Len() != 14 || r.Count() != 5 || r.Duplicates() != 2 || r.NonIntegers() != 7 {
		t.Fatalf("len %d count %d dups %d nonint %d", r.Len(), r.Count(), r.Duplicates(), r.NonIntegers())
	}
	for v, want := range map[int64]bool{3: true, 0: true, 7: true, -5: true, 4194304: true, 1: false, 2: false, 4: false} {
		if r.Has(v) != want {
			t.Errorf("Has(%d) = %v", v, !want)
		}
	}
	if !reflect.DeepEqual(r.Others(), []int64{-5, 4194304}) {
		t.Errorf("others %v", r.Others())
	}
	for _, raw := range []string{`[]`, ` [ ] `, `[1,2,3]`, `[1, 2 ,3 ]`, `[-1,-1,0]`, `["a,b]", "\"]"]`, `[[],[[]],{}]`, `[true,false,null]`} {
		checkAgainstNaive(t, raw)
	}
	for _, bad := range []string{``, `{}`, `[1,]`, `[1 2]`, `[`, `[1]x`, `null`, `"[]"`} {
		if _, err := ParseReadValue([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// FuzzReadValue: the scanner agrees with encoding/json on what is an array
// and with the naive index on its elements.
func FuzzReadValue(f *testing.F) {
	for _, s := range []string{`[1,2,3]`, `[3.0,"x",null]`, `[1,1,-1]`, `[[1],{"a":"]"}]`, `[1e3, -0]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !json.Valid([]byte(s)) {
			return // the bench only parses reply bodies that are valid JSON
		}
		checkAgainstNaive(t, s)
	})
}

// Rule: Head yields the first n elements as received (a recorded read) or
// the first n distinct integers ascending (a read built from Go values),
// and no more; Each yields them all.
func TestReadValueHead(t *testing.T) {
	r, err := ParseReadValue([]byte(`[9, 3, "x", 3, 7.5, 1]`))
	if err != nil {
		t.Fatal(err)
	}
	collect := func(n int) string {
		var parts []string
		r.Head(n, func(e []byte) { parts = append(parts, string(e)) })
		return strings.Join(parts, " ")
	}
	for n, want := range map[int]string{0: "", 1: "9", 3: `9 3 "x"`, 6: `9 3 "x" 3 7.5 1`, 10: `9 3 "x" 3 7.5 1`} {
		if got := collect(n); got != want {
			t.Errorf("Head(%d) = %q, want %q", n, got, want)
		}
	}
	var all []string
	r.Each(func(e []byte) { all = append(all, string(e)) })
	if got := strings.Join(all, " "); got != `9 3 "x" 3 7.5 1` {
		t.Errorf("Each = %q", got)
	}
	built, ok := ReadValueOf([]int64{5, 2, 8})
	if !ok {
		t.Fatal("ReadValueOf([]int64) failed")
	}
	var head []string
	built.Head(2, func(e []byte) { head = append(head, string(e)) })
	if got := strings.Join(head, " "); got != "2 5" {
		t.Errorf("built Head(2) = %q, want \"2 5\"", got)
	}
}
