package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"broadcast/maelstrom/history"
	"broadcast/maelstrom/results"
)

// Maelstrom's checker only compares the most recent reads, so a node that
// forgets values after a restart and relearns them before the final reads
// passes it. These checks are stricter, per node, over the whole history,
// across restarts:
//
//   - monotonic reads: a value returned by a read on node X is in every
//     read on X invoked after that read completed;
//   - read your acknowledged writes: a value whose broadcast X acknowledged
//     is in every read on X invoked after the acknowledgement arrived.
//
// Both hold for our node because it shows and acknowledges only values it
// has made durable.

type nodeRead struct {
	node           string
	invoke, finish int64 // history times, ns
	values         map[int64]bool
}

type nodeAck struct {
	node  string
	value int64
	at    int64
}

// consistencyViolations loads history.json of a run directory and returns
// a description of each violation (at most a few of each kind).
func consistencyViolations(runDir string) ([]string, error) {
	f, err := os.Open(filepath.Join(runDir, "history.json"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	run, err := results.ReadHistoryJSON(f)
	if err != nil {
		return nil, err
	}
	reads, acks := collect(run.Ops)
	byNode := map[string][]nodeRead{}
	for _, r := range reads {
		byNode[r.node] = append(byNode[r.node], r)
	}
	var out []string
	const most = 5
	for node, rs := range byNode {
		sort.Slice(rs, func(i, j int) bool { return rs[i].finish < rs[j].finish })
		// Values shown by reads that completed before a given time, kept
		// as the reads go by in completion order.
		for i, later := range rs {
			for _, earlier := range rs[:i] {
				if earlier.finish >= later.invoke {
					continue
				}
				for v := range earlier.values {
					if !later.values[v] && len(out) < most {
						out = append(out, fmt.Sprintf("monotonic reads: %s showed %d in a read done at %.3fs, missing from its read invoked at %.3fs",
							node, v, sec(earlier.finish), sec(later.invoke)))
					}
				}
			}
		}
	}
	for _, a := range acks {
		for _, r := range byNode[a.node] {
			if r.invoke > a.at && !r.values[a.value] && len(out) < 2*most {
				out = append(out, fmt.Sprintf("read your acknowledged writes: %s acknowledged %d at %.3fs, missing from its read invoked at %.3fs",
					a.node, a.value, sec(a.at), sec(r.invoke)))
			}
		}
	}
	return out, nil
}

func sec(ns int64) float64 { return float64(ns) / 1e9 }

// collect pairs invocations with completions (by process) and returns the
// ok reads and the ok broadcasts.
func collect(ops []history.Op) ([]nodeRead, []nodeAck) {
	pending := map[int]history.Op{}
	var reads []nodeRead
	var acks []nodeAck
	for _, op := range ops {
		if op.Process == history.NemesisProcess {
			continue
		}
		if op.Type == history.Invoke {
			pending[op.Process] = op
			continue
		}
		inv, ok := pending[op.Process]
		delete(pending, op.Process)
		if !ok || op.Type != history.OK {
			continue
		}
		switch op.F {
		case "read":
			vals := map[int64]bool{}
			for _, raw := range op.ReadValues() {
				if v, ok := history.IntLiteral(raw); ok {
					vals[v] = true
				}
			}
			reads = append(reads, nodeRead{node: inv.Node, invoke: inv.Time, finish: op.Time, values: vals})
		case "broadcast":
			if v, ok := inv.BroadcastValue(); ok {
				acks = append(acks, nodeAck{node: inv.Node, value: v, at: op.Time})
			}
		}
	}
	return reads, acks
}
