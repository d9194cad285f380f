// Package netsim is the bench's simulated network: Maelstrom's net.clj and
// client.clj (MODEL.md, "Envelope", "Replies nobody waits for", "Fatal output", "Network", "Msgs-per-op") for real node
// processes talking JSON lines over pipes.
//
// It owns the global envelope id counter, the registry of server and client
// ids, one deadline-ordered queue per receiver with one delivery goroutine
// per server, the latency draws, the partition drop table (checked when a
// message is taken off its queue), the :net counters, the message-rate time
// series and the bench's own lateness histogram (hand-over time minus due
// time).
//
// Driving it:
//
//	n, err := netsim.New(netsim.Config{Latency: 100, Dist: "constant", Seed: 1, Logf: logf})
//	n.AddServer("n0")                     // register (before the process starts)
//	n.Attach("n0", proc.Stdin())          // the node's stdin, once it runs
//	snd := n.Sender("n0")                 // the node's stdout reader uses this
//	err = snd.SendLine(line)              // per stdout line; an error is fatal for that reader (MODEL.md, "Fatal output")
//	c := n.OpenClient()                   // c0, c1, ... from one counter
//	reply, err := c.Call("n0", body, 5*time.Second)
//	n.Partition(map[string][]string{"n0": {"n1"}}) // n0 drops messages from n1
//	n.Heal()
//	n.Close()                             // stop delivery goroutines
//	stats := n.Stats()                    // history.Net, series, lateness
//
// Config.Journal (or SetJournal, before any traffic) receives every send,
// hand-over and drop as it happens, for the message journal behind the
// Lamport diagram; the hook must not block (package journal buffers and
// writes from a goroutine of its own).
//
// Each server's delivery goroutine sleeps until a message is due, truncating
// the remaining time to whole milliseconds as Maelstrom does; with
// Config.ThreadPerServer it runs on an OS thread of its own and sleeps with
// nanosleep (like Maelstrom's delivery threads), otherwise on Go timers.
//
// Only what routing needs is parsed on the hot path: the envelope's keys and
// src/dest; the body is validated as JSON, compacted if it holds whitespace,
// and copied into the re-encoded line {"id":N,"src":..,"dest":..,"body":..}.
package netsim
