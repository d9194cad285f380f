// Package proc launches and supervises one node process the way Maelstrom's
// process.clj does (MODEL.md, "Framing", "Fatal output", "Node processes"): argv[0] is the
// canonical absolute path of the binary, followed by the positional
// arguments; the working directory is the temp directory; stdin, stdout and
// stderr are pipes.
//
// stdout is read line by line with no length limit (\n, \r and \r\n end a
// line, as Java's readLine) and each line is handed to Config.OnLine; the
// first error OnLine returns is logged once as a WARN and the reader stops
// for good (Maelstrom's fatal quirk, without its spinning thread). stderr is
// copied to Config.LogFile as it arrives (complete lines only, flushed per
// read) and, with OnStderr, line by line to the caller. The last 32 lines of
// each stream are kept for crash reports.
//
// RaisePriority lowers the bench's own nice value (when permitted) while
// Start keeps launching nodes at the caller's original nice value, so that
// node processes cannot delay the bench's deliveries under CPU contention.
//
// Driving it:
//
//	p, err := proc.Start(proc.Config{NodeID: "n0", Bin: bin, Args: args,
//		LogFile: "store/.../node-logs/n0.log", OnLine: sender.SendLine, Logf: logf})
//	net.Attach("n0", p.Stdin())
//	...
//	p.Kill()                      // SIGKILL (the nemesis, or teardown)
//	<-p.Done()                    // exited; p.ExitStatus(), p.Killed()
//	p.WaitIO(time.Second)         // readers drained
//	p.LastStdout(), p.LastStderr() // for "Node n0 crashed with exit status ..."
package proc
