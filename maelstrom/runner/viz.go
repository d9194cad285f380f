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

// startTimeline creates timeline.html, which the recorder then feeds op by
// op as the run goes; nil (with a warning) if it cannot.
func startTimeline(dir string, log *logger) *timeline.Timeline {
	tl, err := timeline.Create(filepath.Join(dir, timeline.FileName), timeline.Config{})
	if err != nil {
		log.Logf("WARN %s: %v", timeline.FileName, err)
		return nil
	}
	return tl
}

// closeTimeline finishes timeline.html once the recorder has handed over
// its last op.
func closeTimeline(tl *timeline.Timeline, log *logger) {
	if tl == nil {
		return
	}
	if err := tl.Close(); err != nil {
		log.Logf("WARN %s: %v", timeline.FileName, err)
	}
}

// writeDiagram writes messages.svg from the journal, with the run's fault
// intervals as bands.
func (r *run) writeDiagram(run history.Run) {
	if r.journal == nil {
		return
	}
	st, err := diagram.WriteSVGFile(filepath.Join(r.dir, diagram.SVGName), filepath.Join(r.dir, journal.FileName), run.Nodes, run.Faults, diagram.Config{})
	if err != nil {
		r.log.Logf("WARN %s: %v", diagram.SVGName, err)
	} else if st.Omitted > 0 {
		r.log.Logf("WARN %s: %d of %d messages not drawn (size bound); the journal has them all", diagram.SVGName, st.Omitted, st.Messages)
	}
}
