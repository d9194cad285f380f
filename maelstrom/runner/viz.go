package runner

import (
	"path/filepath"

	"broadcast/maelstrom/diagram"
	"broadcast/maelstrom/history"
	"broadcast/maelstrom/journal"
	"broadcast/maelstrom/netsim"
	"broadcast/maelstrom/timeline"
)

// startJournal creates the run's message journal and hands it to the
// network; nil (with a warning) if it cannot, or if Config.NoJournal.
func startJournal(cfg *Config, dir string, net *netsim.Net, log *logger) *journal.Writer {
	if cfg.NoJournal {
		return nil
	}
	jw, err := journal.Create(filepath.Join(dir, journal.FileName), journal.Config{})
	if err != nil {
		log.Logf("WARN no message journal: %v", err)
		return nil
	}
	net.SetJournal(jw)
	return jw
}

// closeJournal flushes the journal once the network is closed.
func closeJournal(jw *journal.Writer, log *logger) {
	if jw == nil {
		return
	}
	st, err := jw.Close()
	if err != nil {
		log.Logf("WARN message journal: %v", err)
	}
	if st.Lost > 0 {
		log.Logf("WARN message journal: %d events lost (the disk fell behind)", st.Lost)
	}
	log.Logf("INFO [jepsen test runner] maelstrom.journal: %d events, %d bytes in %s", st.Events, st.Bytes, journal.FileName)
}

// writePictures writes messages.svg (from the journal) and timeline.html
// (from the history) into the run directory.
func writePictures(dir string, run history.Run, journaled bool, log *logger) {
	if journaled {
		st, err := diagram.WriteSVGFile(filepath.Join(dir, diagram.SVGName), filepath.Join(dir, journal.FileName), run.Nodes, run.Faults, diagram.Config{})
		if err != nil {
			log.Logf("WARN %s: %v", diagram.SVGName, err)
		} else if st.Omitted > 0 {
			log.Logf("WARN %s: %d of %d messages not drawn (size bound); the journal has them all", diagram.SVGName, st.Omitted, st.Messages)
		}
	}
	tl, err := timeline.Create(filepath.Join(dir, timeline.FileName), timeline.Config{})
	if err != nil {
		log.Logf("WARN %s: %v", timeline.FileName, err)
		return
	}
	for _, op := range run.Ops {
		tl.Observe(op)
	}
	if err := tl.Close(); err != nil {
		log.Logf("WARN %s: %v", timeline.FileName, err)
	}
}
