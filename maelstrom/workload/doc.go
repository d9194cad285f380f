// Package workload is Maelstrom's broadcast workload (MODEL.md, "Workload")
// driven against the simulated network: C worker threads, one
// global stagger schedule, the 50/50 broadcast/read mix with values 0, 1,
// 2, ..., 5 s RPC timeouts, the closed response schemas, the mapping of RPC
// outcomes to :ok/:fail/:info, new process and client ids after :info, and
// the final reads.
//
// Pure pieces, tested on their own: Schedule (gaps uniform on [0, 2/R),
// op mix, value counter) and Complete (one RPC outcome to a completion op).
// Recorder is the history: it numbers ops and hands each, in index order,
// to its observers (history files, online checker, others); it keeps none.
//
// Driving it:
//
//	rec := workload.NewRecorder(historyWriter, onlineChecker) // history.Observers
//	w, err := workload.New(workload.Config{Nodes: nodes, Concurrency: C, Rate: 100,
//		TimeLimit: 20 * time.Second, Seed: 1, Open: open, Rec: rec, Now: clock})
//	cutoff := w.Main(ctx, t0)   // main phase; returns once every worker is idle
//	... nemesis final, "Waiting for recovery...", sleep 10 s ...
//	w.Final(ctx)                // exactly C final reads, thread t on node t mod N
//	rec.Close()                 // waits until the observers have seen every op
package workload
