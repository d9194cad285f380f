// Package results writes a run to disk in Maelstrom's layout (MODEL.md,
// "Results layout"). During a run a HistoryWriter (a history.Observer)
// streams the history files as ops are recorded, and WriteResults writes
// the checked results at the end:
//
//	hw, err := results.NewHistoryWriter(dir, results.HistoryConfig{Format: results.FormatFull, Nodes: nodes, Concurrency: c})
//	for each op, in index order: hw.Observe(op)
//	err = hw.Close(run)                      // the rest of the run: net counters, faults, series
//	res := online.Finish(checker.Final{..., Resolve: hw.Resolve})
//	err = results.WriteResults(dir, res)
//
// For a run held in memory, Write(dir, run, res) does both. The files:
//
//   - results.edn: Maelstrom's results map, pretty-printed as jepsen's fipp
//     does (width 70; ops as #jepsen.history.Op{...}; :unknown; quantile
//     maps {0 a, 0.5 b, 0.95 c, 0.99 d, 1 e}; msgs-per-op as floats), so
//     that scripts written for real Maelstrom keep working;
//   - results.json: the same map with Maelstrom's key names ("valid?",
//     "stable-latencies" with keys "0", "0.5", ...; verdicts true, false or
//     "unknown"), plus the bench's own figures under the "bench" key;
//   - history.txt: jepsen's "process type f value [error]" lines;
//   - history.edn: one op map per line;
//   - history.json: the whole run, which ReadHistoryJSON reads back for a
//     re-check;
//   - or, with FormatDelta, only history.delta.jsonl: one op per line, each
//     ok read stored as the change since the node's previous read
//     (delta.go), which ReadHistoryDelta reads back.
//
// Maelstrom and Bench return the value trees; EDN and JSON render any tree.
package results
