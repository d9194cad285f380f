package gossip

import (
	"cmp"
	"slices"
)

// sortedIDs returns the node ids in a canonical order every node agrees
// on: shorter ids first, then lexicographic, so n2 comes before n10.
func sortedIDs(ids []string) []string {
	out := slices.Clone(ids)
	slices.SortFunc(out, func(a, b string) int {
		if c := cmp.Compare(len(a), len(b)); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return out
}

// treeNeighbours returns self's parent (nil for the root) and children in
// the heap-layout tree of the given fanout over ids (already sorted). A
// fanout < 1 or >= len(ids)-1 is a star around ids[0].
func treeNeighbours(ids []string, self string, fanout int) (parent []string, children []string) {
	n := len(ids)
	if fanout < 1 || fanout >= n-1 {
		fanout = max(n-1, 1)
	}
	i := slices.Index(ids, self)
	if i < 0 {
		return nil, nil
	}
	if i > 0 {
		parent = []string{ids[(i-1)/fanout]}
	}
	for k := fanout*i + 1; k <= fanout*i+fanout && k < n; k++ {
		children = append(children, ids[k])
	}
	return parent, children
}
