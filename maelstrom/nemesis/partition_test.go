package nemesis

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func nodeNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("n%d", i)
	}
	return out
}

func drops(g map[string][]string, a, b string) bool {
	for _, x := range g[a] {
		if x == b {
			return true
		}
	}
	return false
}

func cutCount(g map[string][]string) int {
	c := 0
	for _, d := range g {
		c += len(d)
	}
	return c
}

// sides returns the component sizes of a complete grudge (a clean split).
func sides(t *testing.T, g map[string][]string, nodes []string) (small, large int) {
	t.Helper()
	for _, a := range nodes {
		for _, b := range nodes {
			if drops(g, a, b) != drops(g, b, a) {
				t.Fatalf("asymmetric clean split between %s and %s", a, b)
			}
		}
	}
	n := len(nodes)
	k := len(g[nodes[0]]) // nodes[0]'s side has n-k members
	a, b := n-k, k
	if a > b {
		a, b = b, a
	}
	return a, b
}

// Reference: MODEL.md, "Partitions" shape table (5 and 25 nodes) and degenerate sizes.
func TestShapeSizes(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 5, 6, 7, 9, 25} {
		nodes := nodeNames(n)
		for seed := uint64(0); seed < 30; seed++ {
			r := rand.New(rand.NewPCG(seed, 1))
			for shape, wantSmall := range map[string]int{"one": 1, "majority": n / 2, "minority-third": (n - 1) / 3} {
				g, err := Grudge(shape, nodes, r)
				if err != nil {
					t.Fatal(err)
				}
				if n == 1 || (shape == "minority-third" && n <= 3) {
					if cutCount(g) != 0 {
						t.Fatalf("%s over %d nodes must be a no-op: %v", shape, n, g)
					}
					continue
				}
				small, large := sides(t, g, nodes)
				if small != wantSmall || small+large != n {
					t.Fatalf("%s over %d: sides %d|%d, want %d|%d (seed %d)", shape, n, small, large, wantSmall, n-wantSmall, seed)
				}
			}
		}
	}
}

// Reference: MODEL.md, "Partitions" perfect ring for N <= 5 and stochastic ring above.
func TestMajoritiesRing(t *testing.T) {
	for seed := uint64(0); seed < 50; seed++ {
		r := rand.New(rand.NewPCG(seed, 2))
		for _, n := range []int{1, 2} {
			g, _ := Grudge("majorities-ring", nodeNames(n), r)
			if cutCount(g) != 0 {
				t.Fatalf("ring over %d must be a no-op: %v", n, g)
			}
		}
		// N = 3: each node drops exactly one other, one direction only.
		g, _ := Grudge("majorities-ring", nodeNames(3), r)
		for a, d := range g {
			if len(d) != 1 || drops(g, d[0], a) {
				t.Fatalf("ring3 seed %d: %v (want one asymmetric cut each)", seed, g)
			}
		}
		// N = 4: each node drops the one node opposite, symmetric.
		g, _ = Grudge("majorities-ring", nodeNames(4), r)
		for a, d := range g {
			if len(d) != 1 || !drops(g, d[0], a) {
				t.Fatalf("ring4 seed %d: %v", seed, g)
			}
		}
		// N = 5: each node hears itself and its two ring neighbours:
		// drops exactly 2, symmetric, and the "hears" graph is one 5-cycle.
		nodes := nodeNames(5)
		g, _ = Grudge("majorities-ring", nodes, r)
		for a, d := range g {
			if len(d) != 2 {
				t.Fatalf("ring5 seed %d: %s drops %v", seed, a, d)
			}
			for _, b := range d {
				if !drops(g, b, a) {
					t.Fatalf("ring5 seed %d not symmetric: %v", seed, g)
				}
			}
		}
		cur, prev, steps := nodes[0], "", 0
		for {
			var next string
			for _, b := range nodes {
				if b != cur && b != prev && !drops(g, cur, b) {
					next = b
					break
				}
			}
			prev, cur, steps = cur, next, steps+1
			if cur == nodes[0] || steps > 5 {
				break
			}
		}
		if steps != 5 {
			t.Fatalf("ring5 seed %d is not a single cycle: %v", seed, g)
		}
		// N > 5: symmetric, every node connected to >= floor(N/2)+1 nodes
		// (itself included).
		for _, n := range []int{6, 7, 10, 25} {
			nodes := nodeNames(n)
			g, _ := Grudge("majorities-ring", nodes, r)
			for _, a := range nodes {
				if conn := n - len(g[a]); conn < n/2+1 {
					t.Fatalf("ring%d seed %d: %s connected to %d", n, seed, a, conn)
				}
				if drops(g, a, a) {
					t.Fatalf("%s drops itself", a)
				}
				for _, b := range g[a] {
					if !drops(g, b, a) {
						t.Fatalf("ring%d seed %d asymmetric", n, seed)
					}
				}
			}
		}
	}
}

// Same seed, same partition (every random choice comes from the seed).
func TestGrudgeDeterministic(t *testing.T) {
	for _, shape := range Shapes {
		a, _ := Grudge(shape, nodeNames(25), rand.New(rand.NewPCG(9, 9)))
		b, _ := Grudge(shape, nodeNames(25), rand.New(rand.NewPCG(9, 9)))
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Fatalf("%s not deterministic", shape)
		}
	}
	if _, err := Grudge("primaries", nodeNames(5), rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Fatal("unknown shape accepted")
	}
}
