// Package checker analyses a bench run the way Maelstrom (jepsen 0.3.7)
// does for the broadcast workload, and adds a few figures of its own.
//
// During a run the checker is online: it is a history.Observer, fed every
// op in index order as it is recorded, and finished when the run is over.
// It keeps per broadcast value a few op positions, per op its index and
// time, and never a read's values, so memory does not grow with the values
// per read:
//
//	c := checker.NewOnline(checker.Config{Availability: "total", Params: &params})
//	c.OnReadMiss(func(node string, invoke int64, missed []int64) { ... }) // optional
//	for each op, in index order: c.Observe(op)
//	res := c.Finish(checker.Final{Net: net, Faults: faults, Resolve: historyWriter.Resolve})
//	switch res.Valid { case checker.Valid, checker.Invalid, checker.Unknown: }
//
// Resolve reads back the few whole ops :worst-stale prints. For a run held
// in memory, checker.Check(run) and CheckWith(run, cfg) do the same over
// run.Ops. The batch checker the bench had before is kept in
// oracle_test.go; the tests require identical results.
//
// The read-miss hook gets, for each ok read completion, the read's node,
// its invocation time, and the values whose first broadcast_ok completed
// before that time and which the read lacks (a word-wise and-not of the
// acknowledged bitmap and the read's; the slice is reused after the call).
//
// The parts of Results mirror Maelstrom's results map (MODEL.md, "Checker", "Other checkers", "Msgs-per-op"):
//
//   - Workload: jepsen's set-full checker with :linearizable? false,
//     including its quirks (stability compares only the most recently
//     invoked reads; duplicates are never reported; 3.0 is not 3).
//   - Stats, Availability, Net, Exceptions, Perf, Timeline.
//   - Valid: the merge of the parts, false beats unknown beats true.
//
// A part whose checker panics becomes Unknown with its Error set, as
// jepsen's check-safe does. Bench holds what Maelstrom does not report:
// client latency per f (broadcast acknowledgement, read) to set beside the
// stable latencies, fault intervals, error counts, run parameters.
//
// Rendering is elsewhere: package results writes results.edn/json and the
// histories, plot draws PNGs, report prints the terminal summary.
package checker
