package topology

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

func names(prefix string, from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, from+i)
	}
	return out
}

func mustJSON(t *testing.T, s string) Map {
	t.Helper()
	var m Map
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("golden %s: %v", s, err)
	}
	return m
}

// Reference: MODEL.md, "Topology" golden examples.
func TestGoldenMaps(t *testing.T) {
	n5 := names("n", 0, 5)
	cases := []struct {
		kind  string
		nodes []string
		want  string
	}{
		{"grid", n5, `{"n0":["n3","n1"],"n1":["n4","n2","n0"],"n2":["n1"],"n3":["n0","n4"],"n4":["n1","n3"]}`},
		{"line", n5, `{"n0":["n1"],"n1":["n0","n2"],"n2":["n1","n3"],"n3":["n2","n4"],"n4":["n3"]}`},
		{"tree", n5, `{"n0":["n1","n2"],"n1":["n0","n3","n4"],"n2":["n0"],"n3":["n1"],"n4":["n1"]}`},
		{"tree2", n5, `{"n0":["n1","n2"],"n1":["n0","n3","n4"],"n2":["n0"],"n3":["n1"],"n4":["n1"]}`},
		{"tree3", n5, `{"n0":["n1","n2","n3"],"n1":["n0","n4"],"n2":["n0"],"n3":["n0"],"n4":["n1"]}`},
		{"tree4", n5, `{"n0":["n1","n2","n3","n4"],"n1":["n0"],"n2":["n0"],"n3":["n0"],"n4":["n0"]}`},
		{"total", n5, `{"n0":["n1","n2","n3","n4"],"n1":["n0","n2","n3","n4"],"n2":["n0","n1","n3","n4"],"n3":["n0","n1","n2","n4"],"n4":["n0","n1","n2","n3"]}`},
		{"grid", names("n", 1, 5), `{"n1":["n4","n2"],"n2":["n5","n3","n1"],"n3":["n2"],"n4":["n1","n5"],"n5":["n2","n4"]}`},
		{"grid", names("n", 0, 1), `{"n0":[]}`},
		{"line", names("n", 0, 1), `{}`},
		{"tree", names("n", 0, 1), `{"n0":[]}`},
		{"tree3", names("n", 0, 1), `{"n0":[]}`},
		{"tree4", names("n", 0, 1), `{"n0":[]}`},
		{"total", names("n", 0, 1), `{"n0":[]}`},
		{"line", names("n", 0, 2), `{"n0":["n1"],"n1":["n0"]}`},
		{"grid", names("n", 0, 3), `{"n0":["n2","n1"],"n1":["n0"],"n2":["n0"]}`},
		{"grid", names("n", 0, 4), `{"n0":["n2","n1"],"n1":["n3","n0"],"n2":["n0","n3"],"n3":["n1","n2"]}`},
	}
	for _, c := range cases {
		got, err := Build(c.kind, c.nodes)
		if err != nil {
			t.Fatalf("%s/%d: %v", c.kind, len(c.nodes), err)
		}
		if want := mustJSON(t, c.want); !reflect.DeepEqual(got, want) {
			t.Errorf("%s over %v:\n got %v\nwant %v", c.kind, c.nodes, got, want)
		}
	}
}

// Reference: MODEL.md, "Topology", the 25-node excerpts.
func TestGolden25(t *testing.T) {
	n25 := names("n", 0, 25)
	grid, _ := Build("grid", n25)
	for id, want := range map[string][]string{
		"n0": {"n5", "n1"}, "n1": {"n6", "n2", "n0"}, "n6": {"n11", "n1", "n7", "n5"},
		"n24": {"n19", "n23"}, "n20": {"n15", "n21"},
	} {
		if !reflect.DeepEqual(grid[id], want) {
			t.Errorf("grid25 %s = %v, want %v", id, grid[id], want)
		}
	}
	tree4, _ := Build("tree4", n25)
	for id, want := range map[string][]string{
		"n0": {"n1", "n2", "n3", "n4"}, "n1": {"n0", "n5", "n6", "n7", "n8"},
		"n5": {"n1", "n21", "n22", "n23", "n24"}, "n2": {"n0", "n9", "n10", "n11", "n12"}, "n21": {"n5"},
	} {
		if !reflect.DeepEqual(tree4[id], want) {
			t.Errorf("tree4/25 %s = %v, want %v", id, tree4[id], want)
		}
	}
}

// Every topology is symmetric (a neighbour relation both ways), mentions only
// known nodes, and never lists a node as its own neighbour.
func TestSymmetricAndClosed(t *testing.T) {
	for _, kind := range Names {
		for n := 1; n <= 40; n++ {
			nodes := names("n", 0, n)
			m, err := Build(kind, nodes)
			if err != nil {
				t.Fatal(err)
			}
			known := map[string]bool{}
			for _, id := range nodes {
				known[id] = true
			}
			for a, nb := range m {
				if !known[a] {
					t.Fatalf("%s/%d: unknown key %s", kind, n, a)
				}
				for _, b := range nb {
					if b == a || !known[b] {
						t.Fatalf("%s/%d: %s has bad neighbour %s", kind, n, a, b)
					}
					found := false
					for _, c := range m[b] {
						found = found || c == a
					}
					if !found {
						t.Fatalf("%s/%d: %s->%s not symmetric", kind, n, a, b)
					}
				}
			}
			if kind == "grid" {
				for a, nb := range m {
					if len(nb) > 4 {
						t.Fatalf("grid/%d: %s has %d neighbours", n, a, len(nb))
					}
				}
			}
		}
	}
}

func TestUnknown(t *testing.T) {
	if _, err := Build("star", names("n", 0, 3)); !errors.Is(err, ErrUnknown) {
		t.Fatalf("err = %v, want ErrUnknown", err)
	}
}

func ExampleBuild() {
	topo, _ := Build("grid", []string{"n0", "n1", "n2", "n3", "n4"})
	b, _ := json.Marshal(topo)
	fmt.Println(string(b))
	// Output: {"n0":["n3","n1"],"n1":["n4","n2","n0"],"n2":["n1"],"n3":["n0","n4"],"n4":["n1","n3"]}
}
