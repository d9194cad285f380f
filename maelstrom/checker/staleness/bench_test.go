package staleness

import (
	"fmt"
	"testing"

	"broadcast/maelstrom/history"
)

// BenchmarkRead is the tracker's cost per read (invocation, 50 misses,
// completion) on 25 nodes with 100,000 acknowledged values and a pause or
// resume every 100 reads: it should not grow with the number of values.
func BenchmarkRead(b *testing.B) {
	nodes := make([]string, 25)
	for i := range nodes {
		nodes[i] = fmt.Sprintf("n%d", i)
	}
	tr := New(nodes)
	var now int64
	for v := int64(0); v < 100000; v++ {
		now += 1000
		tr.Op(history.Op{Time: now, Type: history.Invoke, Process: 0, F: "broadcast", Value: v, Node: "n0"})
		tr.Op(history.Op{Time: now, Type: history.OK, Process: 0, F: "broadcast", Value: v, Node: "n0"})
	}
	missed := make([]int64, 50)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		now += 1000
		node := nodes[1+i%24]
		if i%100 == 0 {
			f, res := "pause", "paused"
			if i%200 == 100 {
				f, res = "resume", "resumed"
			}
			tr.Op(history.Op{Time: now, Type: history.Info, Process: history.NemesisProcess, F: f, Value: map[string]string{"n7": res}})
		}
		tr.Op(history.Op{Time: now, Type: history.Invoke, Process: 1 + i%24, F: "read", Node: node})
		for k := range missed {
			missed[k] = int64((i*50 + k) % 100000)
		}
		tr.Missed(node, now, missed)
		tr.Op(history.Op{Time: now + 1, Type: history.OK, Process: 1 + i%24, F: "read", Node: node})
	}
}
