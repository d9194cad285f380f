// Package runner performs one bench run end to end, the way `maelstrom test
// -w broadcast` does (MODEL.md, "Node processes", "Schedule", "Command line"): it builds the
// simulated network, creates store/broadcast/<YYYYMMDDTHHMMSS.mmm±ZZZZ>/
// (with the store/latest, store/current and store/broadcast/latest
// symlinks), writes jepsen.log and node-logs/, starts every node and sends
// init then topology, runs the workload and the nemesis until the time
// limit, heals, waits for recovery, performs the final reads, tears the
// nodes down (a node that exited on its own aborts the run), and finishes
// the analysis (checker, results, plot, report).
//
// Ops are not kept: the workload's Recorder hands each op, in index order,
// as it is recorded, to the history files (results.HistoryWriter, which
// also writes jepsen.log's op lines), the online checker, then every
// Config.Observers entry; Config.ReadMiss hooks get the checker's read
// misses. After the run the checker reads back the few whole ops it prints
// from the history files.
//
// Every run also writes bench.json: the seed, the bench's own hand-over
// lateness quantiles, its CPU time and peak memory, the nodes' CPU time, the
// history files' sizes, the analysis time, and how well the op schedule was
// kept.
//
// Driving it:
//
//	cfg := runner.DefaultConfig()
//	cfg.Bin, cfg.Nodes, cfg.Rate = "./node", []string{"n0", "n1", "n2"}, 10
//	cfg.TimeLimit, cfg.Seed = 20*time.Second, 7
//	res := runner.Run(ctx, cfg)
//	os.Exit(res.Exit) // 0 valid, 1 invalid, 2 unknown/internal, 254 bad config, 255 aborted
//
// res.Run is the recorded history.Run without its ops, res.Results the
// analysis (nil when the run aborted), res.Bench the bench's own figures,
// res.Dir the run directory.
package runner
