// Package checker analyses a bench run the way Maelstrom (jepsen 0.3.7)
// does for the broadcast workload, and adds a few figures of its own.
//
// Drive it with the run the bench recorded:
//
//	res := checker.Check(run) // Maelstrom defaults
//	// or, with --availability and the run parameters:
//	res = checker.CheckWith(run, checker.Config{Availability: "total", Params: &params})
//	switch res.Valid { case checker.Valid, checker.Invalid, checker.Unknown: }
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
