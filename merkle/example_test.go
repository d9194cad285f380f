package merkle_test

import (
	"fmt"

	"broadcast/merkle"
)

// Two replicas find the buckets where their sets differ.
func Example() {
	a, _ := merkle.New(merkle.Config{Buckets: 16})
	b, _ := merkle.New(merkle.Config{Buckets: 16})
	for v := int64(0); v < 10; v++ {
		a.Add(v)
		if v != 7 {
			b.Add(v)
		}
	}
	diff, _ := merkle.Diff(a.Digests(), b.Digests())
	fmt.Println(len(diff), diff[0] == a.Bucket(7))
	b.Add(7)
	fmt.Println(string(a.Root()) == string(b.Root()))
	// Output:
	// 1 true
	// true
}
