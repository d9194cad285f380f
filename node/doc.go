// Package node is the Maelstrom adapter and event loop of the broadcast
// node: it turns JSON lines into calls on a gossip.Core and a store.Log, and
// their results into JSON lines. cmd/broadcast is only flags around it.
//
// # Driving it
//
//	cfg := node.DefaultConfig()                      // then set fields
//	n, err := node.New(cfg, node.NewStdio(os.Stdin, os.Stdout))
//	err = n.Run()                                    // until EOF or n.Stop()
//
// Tests and simulations use the in-memory twin of the transport:
//
//	tr := node.NewMem()
//	n, _ := node.New(cfg, tr) // cfg.DisableTicker: the core's time stands still; n.Tick() steps it
//	n.Start()
//	tr.Deliver(line)                  // inbound line
//	out, err := tr.Next(time.Second)  // next flushed outbound line
//	n.Stop()                          // idempotent; waits for every goroutine
//
// # Goroutines
//
// Four, and only the owner touches state (the core, the set of visible
// values, the pending acks):
//
//   - reader: Transport.ReadLine, decode (wire.go), hand an event to the owner;
//   - owner: advance the core to the current tick (TickInterval of real
//     time each) and send what came due (the event may not touch the
//     core), handle the event, then core.Ready(): send its Messages,
//     Append its NewValues to the log; on Log.Notify, make durable values
//     visible and send their acks; between events, sleep until the core's
//     NextDeadline (an idle node does not wake; while replies wait for the
//     disk it wakes every 100 ms to drop those past ClientReplyDeadline);
//   - writer: owns the output; writes each queued line, flushes when nothing
//     more is queued (a read_ok's messages array is written from the shared
//     read cache, not copied into the line); it drops a client reply whose
//     deadline passed while it was queued;
//   - liveness: stamps every LivenessInterval that the process runs, and
//     turns SIGCONT (Config.Resumes) into a stall record (stall.go).
//
// # Files
//
// handle.go dispatches each event; init.go handles init (core, data
// directory, store, recovery); durable.go is the rule "acknowledge only
// what is durable"; reply.go builds and queues replies; readcache.go keeps
// read_ok's messages array: encoded in one pass over the visible set,
// extended in place while values arrive in ascending order, shared by every
// queued read_ok; stall.go is the rule "input that waited through a stop
// counts from the stop"; wire.go is all the JSON.
//
// # Protocol rules
//
//   - init, topology, broadcast, read are answered with replies that carry
//     exactly type and in_reply_to (and messages for read_ok, always an
//     array): Maelstrom's response schemas are closed.
//   - Gossip between nodes uses our own types (gossip_push, gossip_sync,
//     gossip_sync_reply, gossip_sync_values, gossip_hello), fire-and-forget:
//     no msg_id, no in_reply_to, never answered, not even with an error.
//   - The messages one Ready has for the same peer go as one gossip_batch,
//     {"type":"gossip_batch","msgs":[body,...]}, up to the core's
//     MaxMessageBytes (batch.go); the peer steps them in order and handles
//     the Ready once. A malformed part is logged and left out; the others
//     count.
//   - A message with an in_reply_to key (even 0 or null) is a reply; this
//     node sends no requests, so every reply is logged and dropped.
//   - Nothing is ever sent to an id that is neither a client ("c...") nor in
//     node_ids: Maelstrom stops reading a node's output for good after one
//     such message. Messages from other ids are logged and dropped.
//   - No client reply goes out more than ClientReplyDeadline (4 s) after its
//     request arrived: Maelstrom's client gives up at 5 s and closes; a reply
//     to a closed client would be fatal in the same way.
//   - Bad input never stops the node: invalid JSON and unusable envelopes
//     are logged; an unknown type gets error 10 (not-supported); a missing
//     or wrongly typed field, or a message that is not an int64 integer,
//     gets 12 (malformed-request); a client request before init gets 11
//     (temporarily-unavailable); a second init is answered init_ok again for
//     the same node id, 22 (precondition-failed) for another. Each is one
//     line on stderr at level warn. Requests without msg_id are never
//     answered (an answer could only say in_reply_to 0).
//   - Lines have no 64 KiB limit: up to MaxLineBytes (16 MiB) they are
//     parsed; a longer one is skipped up to its newline, with one log line.
//
// # Durability and acknowledgement order
//
// durable.go holds these rules, durable_test.go their tests.
//
// With DurabilityDisk (the default) a value is acknowledged, and shown in
// reads, only once the store.Log has it fsynced; so a restarted node's
// reads never go backwards for anything it ever showed or acknowledged.
// Values from peers are appended too and become visible when durable.
// Forwarding does not wait for the disk. A broadcast of a value already
// durable is acknowledged at once; of one known but not yet durable, when
// it becomes durable. DurabilityNone keeps values in memory: visible and
// acknowledged at once.
//
// Disk errors (Open failure, or a sticky Log.Err): one error line with the
// path and cause; broadcasts waiting for their ack get error 13 (crash:
// indefinite, the value may be durable or spread), later broadcasts get 11
// (definite: not accepted, not spread); reads keep working from memory,
// including values learned since; peer values are still relayed.
//
// After a restart (Log.Restarted) the node takes a new incarnation id (a
// UUIDv7), restores the recovered values into the core and calls
// core.Rejoin, so that peers push what it missed.
//
// # Stops and stalls
//
// stall.go holds this rule, stall_test.go its tests. While the process is
// stopped (SIGSTOP) its clients' requests wait in the stdin pipe; a client
// gives up after 5 s, and a reply to it then makes Maelstrom stop reading
// this node's output (maelstrom/MODEL.md). So a line that was already
// waiting when the process ran again (up to Transport.InputReceived at the
// moment SIGCONT, the liveness goroutine or the reader noticed the stop)
// counts as arrived at the last liveness stamp before the stop, and the
// reply deadline drops the late ones (one log line each; the request is
// still applied). Lines received after the notice keep their read time.
// Replies waiting for the disk keep their real arrival time.
//
// # Data directory
//
// Chosen at init, when the node id is known (resolveDataDir):
//
//  1. Config.DataDir (-data-dir, BROADCAST_DATA_DIR): DataDir/<node-id>,
//     used as is; a restart with the same directory recovers.
//  2. Else Config.RunDir (MAELSTROM_RUN_DIR, the absolute run directory our
//     bench sets, unique per run): RunDir/data/<node-id>.
//  3. Else (real Maelstrom starts every node in the JVM temp directory,
//     reuses the ids n0, n1, ... in every run, and never restarts nodes):
//     TempDir/broadcast-<parent pid>-<parent start time>/<node-id>, the start
//     time being field 22 of /proc/<ppid>/stat, so that the pair names one
//     Maelstrom process for the life of the machine. A node restarted by the
//     same parent recovers; a new Maelstrom process never sees an earlier
//     run's values. An init whose envelope id is below len(node_ids) marks a
//     brand-new network (Maelstrom's message ids start at 0 per test and the
//     N inits come first), so state found under rule 3 is discarded then
//     (this covers --test-count > 1 in one JVM). Rule-3 directories whose
//     parent process is gone are removed at init. Without /proc (not
//     Linux) the start time is taken as 0 and nothing is removed; the
//     new-network discard still applies.
//
// The store is opened, and recovered, synchronously at init, inside
// Maelstrom's 10 s init timeout.
//
// # Why our own read loop around the Maelstrom library's types
//
// The Go library (github.com/jepsen-io/maelstrom/demo/go, pinned) has sharp
// edges that libcompat_test.go demonstrates against the real library, each
// next to our loop surviving the same input:
//
//   - Run returns on a message type with no handler (TestLibraryExitsOnUnknownType);
//   - Run returns bufio.ErrTooLong on an input line over 64 KiB (TestLibraryDiesOnLongLine);
//   - its Reply to a message sent with Send says in_reply_to 0, which the
//     sender's Run takes for a new request of type *_ok and returns
//     (TestLibraryExitsOnReplyToSend);
//   - Run also starts a goroutine per message (no ordering, no bound) and
//     SyncRPC leaks the callback (and a goroutine) of every timed-out call;
//     we send no requests, so we need neither.
//
// BenchmarkLoop runs the library's Run and our loop on the same input
// (init, topology, then alternating client broadcasts and reads); the
// BroadcastAck and Read benchmarks measure latency through the loop. `just
// bench` runs them; the README keeps the figures. So the node keeps the
// library's types (maelstrom.Message as the inbound envelope, the error
// code constants, RPCError and ErrorCodeText) and runs its own loop.
//
// # Logging
//
// Config.Logf receives every line (cmd/broadcast: stderr), prefixed with the
// node id and level, filtered by Config.LogLevel: error (degradations),
// warn (one line per bad input or suppressed reply), info (state changes:
// init, topology, recovery, restart; the default), debug (every decision).
package node
