// Package diagram draws a run's messages as a Lamport (space-time) diagram
// from its message journal: messages.svg, a standalone SVG written after
// the run, and the JSON the interactive diagram of `maelstrom-local serve`
// renders.
//
// Both read the journal as a stream (package journal) and lay it out the
// same way: one vertical lane per server node, in test order, after one
// lane shared by every client; time runs down. Each message is one arrow
// from its send to its hand-over; client messages are light blue, "error"
// bodies pink, node-to-node messages black, dropped messages (partition or
// dead node) red and dashed, ending where they were dropped on their way,
// and messages never handed over before the end grey and dashed. The run's
// fault intervals are shaded on the lanes they hit.
//
//	st, err := diagram.WriteSVGFile(filepath.Join(dir, diagram.SVGName),
//	    filepath.Join(dir, journal.FileName), run.Nodes, run.Faults, diagram.Config{})
//	// st.Drawn, st.Omitted, st.Bytes
//	err = diagram.WriteJSON(w, journalPath, nodes, faults)
//
// messages.svg is kept under Config.MaxBytes: a run too long for it gets
// every message sent before a cut-off time, and a banner at the top says
// how many messages after that time were left out and that the journal
// (and the server's diagram) holds all of them. A message body longer than
// Config.MaxBody is shortened in its tooltip, which says so.
package diagram
