package staleness

import "broadcast/maelstrom/history"

// nemesis applies one nemesis op. Invocations carry no effect (their values
// are a shape or "one"/"all"); completions say what was done.
func (t *Tracker) nemesis(op history.Op) {
	switch op.F {
	case "start-partition":
		g, ok := isolated(op.Value)
		if !ok {
			return
		}
		t.event(op.Time, func() {
			t.partitioned = false
			for r := range t.cut {
				for s := range t.cut[r] {
					t.cut[r][s] = false
				}
			}
			for recv, senders := range g {
				r := t.node(recv)
				if r < 0 {
					continue
				}
				for _, from := range senders {
					if s := t.node(from); s >= 0 && s != r {
						t.cut[r][s] = true
						t.partitioned = true
					}
				}
			}
		})
	case "stop-partition":
		if op.Value != "network-healed" {
			return
		}
		t.event(op.Time, func() {
			if t.partitioned {
				t.lastHeal = op.Time
			}
			t.partitioned = false
			for r := range t.cut {
				for s := range t.cut[r] {
					t.cut[r][s] = false
				}
			}
		})
	case "kill", "kill-all":
		t.nodeEvent(op, "killed", func(i int) { t.down[i], t.paused[i] = true, false })
	case "start", "start-all":
		t.nodeEvent(op, "started", func(i int) { t.down[i], t.paused[i] = false, false })
	case "pause":
		t.nodeEvent(op, "paused", func(i int) { t.paused[i] = true })
	case "resume":
		t.nodeEvent(op, "resumed", func(i int) { t.paused[i] = false })
	}
}

// nodeEvent applies set to every node the completion op reports as want.
func (t *Tracker) nodeEvent(op history.Op, want string, set func(i int)) {
	res := results(op.Value)
	var hit []int
	for name, r := range res {
		if i := t.node(name); i >= 0 && r == want {
			hit = append(hit, i)
		}
	}
	if len(hit) == 0 {
		return
	}
	t.event(op.Time, func() {
		for _, i := range hit {
			set(i)
		}
	})
}

// event applies change at time at: pending reads first keep the fault state
// of their invocation, then reachability is recomputed.
func (t *Tracker) event(at int64, change func()) {
	for _, p := range t.byKey {
		if p.col == nil && p.key.node >= 0 {
			p.col = make([]int64, len(t.nodes))
			for o := range t.nodes {
				p.col[o] = t.lastBroken[o][p.key.node]
			}
		}
	}
	change()
	t.recompute(at)
}

// recompute rebuilds reach from the fault state and updates lastBroken
// (which is broken exactly while a pair is unreachable): a pair that becomes
// unreachable is broken from now on, a pair that becomes reachable was last
// unreachable at at.
func (t *Tracker) recompute(at int64) {
	n := len(t.nodes)
	live := func(i int) bool { return !t.down[i] && !t.paused[i] }
	for o := 0; o < n; o++ {
		row := t.reach[o]
		for i := range row {
			row[i] = false
		}
		if live(o) {
			row[o] = true
			stack := append(t.scratch[:0], o)
			for len(stack) > 0 {
				x := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				for y := 0; y < n; y++ {
					if !row[y] && live(y) && !t.cut[y][x] {
						row[y] = true
						stack = append(stack, y)
					}
				}
			}
			t.scratch = stack
		}
		for d := 0; d < n; d++ {
			switch {
			case row[d] && t.lastBroken[o][d] == broken:
				t.lastBroken[o][d] = at
			case !row[d] && t.lastBroken[o][d] != broken:
				t.lastBroken[o][d] = broken
			}
		}
	}
}

// isolated reads a start-partition completion's value,
// ["isolated" {receiver [senders it drops]}], as recorded in memory or read
// back from JSON.
func isolated(v any) (map[string][]string, bool) {
	pair, ok := v.([]any)
	if !ok || len(pair) != 2 || pair[0] != "isolated" {
		return nil, false
	}
	switch g := pair[1].(type) {
	case map[string][]string:
		return g, true
	case map[string]any:
		out := map[string][]string{}
		for k, x := range g {
			xs, _ := x.([]any)
			for _, s := range xs {
				if str, ok := s.(string); ok {
					out[k] = append(out[k], str)
				}
			}
		}
		return out, true
	}
	return nil, false
}

// results reads a node-fault completion's value, {node result}.
func results(v any) map[string]string {
	switch m := v.(type) {
	case map[string]string:
		return m
	case map[string]any:
		out := map[string]string{}
		for k, x := range m {
			if s, ok := x.(string); ok {
				out[k] = s
			}
		}
		return out
	}
	return nil
}
