// Package workload is Maelstrom's broadcast workload (maelstrom-compat.md
// §4.1–§4.5) driven against the simulated network: C worker threads, one
// global stagger schedule, the 50/50 broadcast/read mix with values 0, 1,
// 2, ..., 5 s RPC timeouts, the closed response schemas, the mapping of RPC
// outcomes to :ok/:fail/:info, new process and client ids after :info, and
// the final reads.
//
// Pure pieces, tested on their own: Schedule (gaps uniform on [0, 2/R),
// op mix, value counter) and Complete (one RPC outcome to a completion op).
// Recorder is the history: it numbers ops and logs them as jepsen.util
// lines.
//
// Driving it:
//
//	rec := workload.NewRecorder(C, logf)
//	w, err := workload.New(workload.Config{Nodes: nodes, Concurrency: C, Rate: 100,
//		TimeLimit: 20 * time.Second, Seed: 1, Open: open, Rec: rec, Now: clock})
//	cutoff := w.Main(ctx, t0)   // main phase; returns once every worker is idle
//	... nemesis final, "Waiting for recovery...", sleep 10 s ...
//	w.Final(ctx)                // exactly C final reads, thread t on node t mod N
//	ops := rec.Ops()
package workload
