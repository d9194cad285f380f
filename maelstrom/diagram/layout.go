package diagram

import (
	"strings"

	"broadcast/maelstrom/history"
)

// ClientLane is the name of the lane every client shares.
const ClientLane = "clients"

// lanes maps endpoint names to lane indexes: every client to lane 0, the
// server nodes to 1..N in test order, any other name after them as it is
// first seen.
type lanes struct {
	names []string
	index map[string]int
}

func newLanes(nodes []string) *lanes {
	l := &lanes{names: []string{ClientLane}, index: map[string]int{}}
	for _, n := range nodes {
		l.of(n)
	}
	return l
}

// of returns name's lane, adding a lane for a new server name.
func (l *lanes) of(name string) int {
	if len(name) > 0 && name[0] == 'c' {
		return 0
	}
	if i, ok := l.index[name]; ok {
		return i
	}
	l.index[name] = len(l.names)
	l.names = append(l.names, name)
	return len(l.names) - 1
}

// band is one fault interval shaded on some lanes.
type band struct {
	Kind   string `json:"kind"`
	Start  int64  `json:"start"`
	End    int64  `json:"end"`
	Detail string `json:"detail"`
	Lanes  []int  `json:"lanes"`
}

// bands places each fault interval on the lanes it hits: for a partition,
// every node that drops messages from someone (the receivers of its drop
// table, "n1<-{n0 n2}"); for any other fault, the nodes its detail names,
// or every node if it names none.
func bands(faults []history.Interval, l *lanes) []band {
	out := make([]band, 0, len(faults))
	for _, f := range faults {
		b := band{Kind: f.Kind, Start: f.Start, End: f.End, Detail: f.Detail}
		seen := map[int]bool{}
		add := func(name string) {
			if i, ok := l.index[name]; ok && !seen[i] {
				seen[i] = true
				b.Lanes = append(b.Lanes, i)
			}
		}
		words := strings.FieldsFunc(f.Detail, func(r rune) bool { return strings.ContainsRune(" ,;{}[]()", r) })
		for _, w := range words {
			if f.Kind == "partition" {
				if recv, _, ok := strings.Cut(w, "<-"); ok {
					add(recv)
				}
				continue
			}
			add(w)
		}
		if len(b.Lanes) == 0 && f.Kind != "partition" {
			for i := 1; i < len(l.names); i++ {
				add(l.names[i])
			}
		}
		out = append(out, b)
	}
	return out
}
