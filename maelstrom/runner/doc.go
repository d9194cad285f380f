// Package runner performs one bench run end to end, the way `maelstrom test
// -w broadcast` does (MODEL.md, "Node processes", "Schedule", "Command line"): it builds the
// simulated network, creates store/broadcast/<YYYYMMDDTHHMMSS.mmm±ZZZZ>/
// (with the store/latest, store/current and store/broadcast/latest
// symlinks), writes jepsen.log and node-logs/, starts every node and sends
// init then topology, runs the workload and the nemesis until the time
// limit, heals, waits for recovery, performs the final reads, tears the
// nodes down (a node that exited on its own aborts the run), and hands the
// history to the analysis packages (checker, results, plot, report).
//
// Every run also writes bench.json: the seed, the bench's own hand-over
// lateness quantiles, its CPU time, and the nodes' CPU time.
//
// Driving it:
//
//	cfg := runner.DefaultConfig()
//	cfg.Bin, cfg.Nodes, cfg.Rate = "./node", []string{"n0", "n1", "n2"}, 10
//	cfg.TimeLimit, cfg.Seed = 20*time.Second, 7
//	res := runner.Run(ctx, cfg)
//	os.Exit(res.Exit) // 0 valid, 1 invalid, 2 unknown/internal, 254 bad config, 255 aborted
//
// res.Run is the recorded history.Run, res.Results the analysis (nil when
// the run aborted), res.Bench the bench's own figures, res.Dir the run
// directory.
package runner
