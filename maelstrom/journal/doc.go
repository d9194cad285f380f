// Package journal records every message of a run in a compact binary file
// in the run directory (messages.journal) while the run goes, and reads it
// back as a stream: the source of messages.svg and of the diagram that
// `maelstrom-local serve` draws.
//
// Writing: a Writer is a netsim.Journal. Its methods encode each event into
// an in-memory chunk under one short lock and never touch the disk; one
// goroutine of its own writes full chunks (and, every FlushEvery, the
// partial one, so a run in progress can be read). If the disk falls behind
// by more than MaxPending chunks, events are counted as lost instead of
// blocking the network, and the file says how many.
//
//	w, err := journal.Create(filepath.Join(dir, journal.FileName), journal.Config{})
//	net, err := netsim.New(netsim.Config{..., Journal: w})
//	... run ...
//	net.Close()
//	st, err := w.Close() // st.Events, st.Bytes, st.Lost
//
// Reading: Open returns a Reader whose Next yields events in file order
// (a message's send always comes before its hand-over or drop); Messages
// pairs them into one Message per send, in the order their fate is known.
//
//	r, err := journal.Open(path)
//	err = journal.Messages(r, func(m journal.Message) error { ...; return nil })
//
// The format: the magic line "maelstrom-journal 2\n", then records, each a
// kind byte and unsigned varints: 'N' idx len name (a new endpoint name);
// 'S' id sent due src dest fulllen len body (the first len bytes of a body
// of fulllen, at most Config.MaxBodyBytes); 'D' id at; 'X' id at reason; 'L' count
// (events lost). Times are nanoseconds on the run's relative clock. A file
// cut short (a run in progress, a crash) ends in a partial record, which
// Next reports as io.ErrUnexpectedEOF after every whole record.
package journal
