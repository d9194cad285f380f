package history

import (
	"strings"
	"testing"
)

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
