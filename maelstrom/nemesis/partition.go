package nemesis

import (
	"fmt"
	"math/rand/v2"
	"sort"
)

// Shapes are the partition shapes Maelstrom picks from, uniformly (its DB has
// no primaries, so jepsen's fifth shape never occurs).
var Shapes = []string{"one", "minority-third", "majority", "majorities-ring"}

// Grudge returns the drop table of one partition: each node mapped to the
// sorted list of nodes it drops messages from (possibly empty). Every node of
// nodes appears as a key.
func Grudge(shape string, nodes []string, r *rand.Rand) (map[string][]string, error) {
	n := len(nodes)
	switch shape {
	case "one":
		if n == 0 {
			return map[string][]string{}, nil
		}
		loner := nodes[r.IntN(n)]
		rest := make([]string, 0, n)
		for _, x := range nodes {
			if x != loner {
				rest = append(rest, x)
			}
		}
		return completeGrudge(nodes, [][]string{{loner}, rest}), nil
	case "majority":
		s := shuffled(nodes, r)
		return completeGrudge(nodes, [][]string{s[:n/2], s[n/2:]}), nil
	case "minority-third":
		s := shuffled(nodes, r)
		k := 0
		if n > 0 {
			k = (n - 1) / 3
		}
		return completeGrudge(nodes, [][]string{s[:k], s[k:]}), nil
	case "majorities-ring":
		if n <= 5 {
			return ringPerfect(nodes, r), nil
		}
		return ringStochastic(nodes, r), nil
	}
	return nil, fmt.Errorf("nemesis: unknown partition shape %q", shape)
}

func shuffled(nodes []string, r *rand.Rand) []string {
	s := append([]string(nil), nodes...)
	r.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	return s
}

// completeGrudge: no node hears any node outside its own component.
func completeGrudge(nodes []string, components [][]string) map[string][]string {
	comp := map[string]int{}
	for i, c := range components {
		for _, x := range c {
			comp[x] = i
		}
	}
	g := map[string][]string{}
	for _, a := range nodes {
		drops := []string{}
		for _, b := range nodes {
			if comp[b] != comp[a] {
				drops = append(drops, b)
			}
		}
		sort.Strings(drops)
		g[a] = drops
	}
	return g
}

// invert turns a connection table into a drop table.
func invert(nodes []string, conns map[string]map[string]bool) map[string][]string {
	g := map[string][]string{}
	for _, a := range nodes {
		drops := []string{}
		for _, b := range nodes {
			if !conns[a][b] {
				drops = append(drops, b)
			}
		}
		sort.Strings(drops)
		g[a] = drops
	}
	return g
}

// ringPerfect: shuffle the nodes into a ring; for each window of
// m = floor(N/2)+1 consecutive positions, the node at offset floor(m/2)
// drops every node outside the window.
func ringPerfect(nodes []string, r *rand.Rand) map[string][]string {
	n := len(nodes)
	ring := shuffled(nodes, r)
	m := n/2 + 1
	conns := map[string]map[string]bool{}
	for _, x := range nodes {
		conns[x] = map[string]bool{x: true}
	}
	for i := 0; i < n; i++ {
		center := ring[(i+m/2)%n]
		in := map[string]bool{}
		for k := 0; k < m; k++ {
			in[ring[(i+k)%n]] = true
		}
		conns[center] = in
	}
	return invert(nodes, conns)
}

// ringStochastic: start with every node connected to itself; repeatedly take
// a node a of minimum degree (ties at random) and, until its degree reaches
// m, link it (both ways) to the first node in the same order it is not yet
// connected to.
func ringStochastic(nodes []string, r *rand.Rand) map[string][]string {
	n := len(nodes)
	m := n/2 + 1
	conns := map[string]map[string]bool{}
	for _, x := range nodes {
		conns[x] = map[string]bool{x: true}
	}
	for {
		maxDeg := 0
		for _, x := range nodes {
			if d := len(conns[x]); d > maxDeg {
				maxDeg = d
			}
		}
		var order []string
		for d := 1; d <= maxDeg; d++ {
			var group []string
			for _, x := range nodes {
				if len(conns[x]) == d {
					group = append(group, x)
				}
			}
			r.Shuffle(len(group), func(i, j int) { group[i], group[j] = group[j], group[i] })
			order = append(order, group...)
		}
		a := order[0]
		if len(conns[a]) >= m {
			return invert(nodes, conns)
		}
		for _, b := range order {
			if !conns[a][b] {
				conns[a][b] = true
				conns[b][a] = true
				break
			}
		}
	}
}
