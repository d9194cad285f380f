package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"broadcast/maelstrom/diagram"
	"broadcast/maelstrom/journal"
	"broadcast/maelstrom/timeline"
)

// Rule: every run journals every message it counted: one journal message
// per :net :all :msg-count, hand-overs to servers as its servers
// recv-count, drops as its dropped count; messages.svg and timeline.html
// are written beside it. NoJournal writes neither journal nor diagram.
func TestRunWritesJournalDiagramTimeline(t *testing.T) {
	o := runNode(t, "correct", func(c *Config) {
		c.Nemesis, c.NemesisInterval = []string{"partition"}, 500*time.Millisecond
	})
	if o.Exit != ExitValid {
		t.Fatalf("exit %d: %v", o.Exit, o.Err)
	}
	r, err := journal.Open(filepath.Join(o.Dir, journal.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var serverDelivered, dropped int64
	sum, err := journal.Messages(r, func(m journal.Message) error {
		switch {
		case m.Fate == journal.Delivered && !m.IsClient:
			serverDelivered++
		case m.Fate == journal.Dropped:
			dropped++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	net := o.Run.Net
	if sum.Messages != net.All.Msg || serverDelivered != net.Servers.Recv || dropped != o.Bench.Dropped || sum.Lost != 0 || sum.Truncated {
		t.Fatalf("journal: %d messages, %d server hand-overs, %d dropped (summary %+v); the run counted %d, %d, %d",
			sum.Messages, serverDelivered, dropped, sum, net.All.Msg, net.Servers.Recv, o.Bench.Dropped)
	}
	if dropped == 0 {
		t.Fatalf("no drops under partitions every 0.5 s: %+v", o.Run.Faults)
	}
	svg, err := os.ReadFile(filepath.Join(o.Dir, diagram.SVGName))
	if err != nil || !strings.Contains(string(svg), "</svg>") || strings.Count(string(svg), `<line class="m `) != int(net.All.Msg) {
		t.Fatalf("messages.svg: %v, %d arrows for %d messages", err, strings.Count(string(svg), `<line class="m `), net.All.Msg)
	}
	tl, err := os.ReadFile(filepath.Join(o.Dir, timeline.FileName))
	if err != nil || strings.Count(string(tl), `class="op `) == 0 {
		t.Fatalf("timeline.html: %v", err)
	}

	off := runNode(t, "correct", func(c *Config) { c.NoJournal = true })
	for _, name := range []string{journal.FileName, diagram.SVGName} {
		if _, err := os.Stat(filepath.Join(off.Dir, name)); err == nil {
			t.Errorf("NoJournal run wrote %s", name)
		}
	}
	if _, err := os.Stat(filepath.Join(off.Dir, timeline.FileName)); err != nil {
		t.Errorf("NoJournal run has no timeline: %v", err)
	}
}
