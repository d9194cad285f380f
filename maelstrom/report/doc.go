// Package report prints the end-of-run summary and picks the exit status:
//
//	report.Summary(os.Stdout, run, res) // table, targets, verdict line
//	os.Exit(report.ExitCode(res))       // 0 valid, 1 invalid, 2 unknown
//
// The summary shows operations by f and outcome, the workload counts and
// the first lost values, stable latency beside client latency (broadcast
// acknowledgement and read), message counts and msgs-per-op, availability,
// and, for runs shaped like Gossip Glomers 3d/3e (25 nodes, rate 100,
// latency 100), the figures against their targets. It ends with Maelstrom's
// own verdict line.
package report
