// Package results writes a checked run to disk in Maelstrom's layout
// (MODEL.md, "Results layout"):
//
//	res := checker.Check(run)
//	err := results.Write(dir, run, res)
//
// writes
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
//     re-check.
//
// Maelstrom and Bench return the value trees; EDN and JSON render any tree.
package results
