package topology

import (
	"errors"
	"fmt"
	"math"
)

// Names lists every accepted --topology value, in the order the usage text
// shows them.
var Names = []string{"grid", "line", "total", "tree", "tree2", "tree3", "tree4"}

// ErrUnknown is returned for a topology name Maelstrom does not accept.
var ErrUnknown = errors.New("topology: unknown topology")

// Map is a topology: each node's neighbour list. A node may be absent (line
// topology with one node) or map to an empty list.
type Map map[string][]string

// Build returns the neighbour map named kind over nodes (in test order).
func Build(kind string, nodes []string) (Map, error) {
	switch kind {
	case "line":
		return Line(nodes), nil
	case "grid":
		return Grid(nodes), nil
	case "total":
		return Total(nodes), nil
	case "tree", "tree2":
		return Tree(nodes, 2), nil
	case "tree3":
		return Tree(nodes, 3), nil
	case "tree4":
		return Tree(nodes, 4), nil
	}
	return nil, fmt.Errorf("%w %q (want one of %v)", ErrUnknown, kind, Names)
}

// Line arranges nodes in a line: node 0 gets [node 1], the last node
// [node N-2], every other node k [node k-1, node k+1]. One node gives an
// empty map, as in Maelstrom.
func Line(nodes []string) Map {
	n := len(nodes)
	m := Map{}
	if n < 2 {
		return m
	}
	m[nodes[0]] = []string{nodes[1]}
	m[nodes[n-1]] = []string{nodes[n-2]}
	for k := 1; k < n-1; k++ {
		m[nodes[k]] = []string{nodes[k-1], nodes[k+1]}
	}
	return m
}

// Grid fills a ceil(sqrt(N))-wide grid row by row; each node's neighbours are,
// in this order, the nodes below, above, right and left of it that exist.
func Grid(nodes []string) Map {
	n := len(nodes)
	m := Map{}
	if n == 0 {
		return m
	}
	side := int(math.Ceil(math.Sqrt(float64(n))))
	at := func(row, col int) (string, bool) {
		if row < 0 || col < 0 || col >= side {
			return "", false
		}
		idx := row*side + col
		if idx >= n {
			return "", false
		}
		return nodes[idx], true
	}
	for i, id := range nodes {
		row, col := i/side, i%side
		nb := []string{}
		for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
			if x, ok := at(row+d[0], col+d[1]); ok {
				nb = append(nb, x)
			}
		}
		m[id] = nb
	}
	return m
}

// Total gives every node every other node, in list order.
func Total(nodes []string) Map {
	m := Map{}
	for _, id := range nodes {
		nb := make([]string, 0, len(nodes))
		for _, o := range nodes {
			if o != id {
				nb = append(nb, o)
			}
		}
		m[id] = nb
	}
	return m
}

// Tree lays nodes out breadth-first in a complete b-ary tree (heap layout):
// each neighbour list is [parent] (omitted for the root) followed by the
// children in index order.
func Tree(nodes []string, b int) Map {
	m := Map{}
	for i, id := range nodes {
		nb := []string{}
		if i > 0 {
			nb = append(nb, nodes[(i-1)/b])
		}
		for c := b*i + 1; c <= b*i+b && c < len(nodes); c++ {
			nb = append(nb, nodes[c])
		}
		m[id] = nb
	}
	return m
}
