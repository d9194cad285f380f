package diagram

import (
	"bufio"
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"broadcast/maelstrom/history"
	"broadcast/maelstrom/journal"
)

// SVGName is messages.svg's name in a run directory.
const SVGName = "messages.svg"

// Config configures messages.svg.
type Config struct {
	// MaxBytes bounds the file (default 9.5 MB). A longer run is cut at a
	// send time, with a banner saying what was left out.
	MaxBytes int64
	// MaxBody is the longest body shown whole in a tooltip (default 1,000
	// bytes); longer ones are shortened and say by how much.
	MaxBody int
	// PxPerMS is the vertical scale (default 1 pixel per millisecond),
	// lowered for long runs so that the picture stays under MaxHeight.
	PxPerMS float64
	// MaxHeight is the tallest picture in pixels (default 100,000).
	MaxHeight float64
	// LaneWidth is the horizontal distance between lanes (default 44 px).
	LaneWidth float64
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{MaxBytes: 9_500_000, MaxBody: 1000, PxPerMS: 1, MaxHeight: 100_000, LaneWidth: 44}
}

func (c *Config) validate() error {
	d := DefaultConfig()
	if c.MaxBytes < 0 || c.MaxBody < 0 || c.PxPerMS < 0 || c.MaxHeight < 0 || c.LaneWidth < 0 {
		return fmt.Errorf("diagram: negative setting in %+v", *c)
	}
	if c.MaxBytes == 0 {
		c.MaxBytes = d.MaxBytes
	}
	if c.MaxBody == 0 {
		c.MaxBody = d.MaxBody
	}
	if c.PxPerMS == 0 {
		c.PxPerMS = d.PxPerMS
	}
	if c.MaxHeight == 0 {
		c.MaxHeight = d.MaxHeight
	}
	if c.LaneWidth == 0 {
		c.LaneWidth = d.LaneWidth
	}
	return nil
}

// SVGStats says what messages.svg holds.
type SVGStats struct {
	// Messages counts the journal's messages; Drawn those drawn; Omitted
	// those sent at or after Cutoff, left out to stay under MaxBytes.
	Messages, Drawn, Omitted int64
	// Cutoff is the send time (relative ns) from which messages were left
	// out; -1 if none were.
	Cutoff int64
	// LostEvents counts journal events the writer lost.
	LostEvents int64
	// Bytes is the file's size.
	Bytes int64
}

// Geometry and size estimates.
const (
	marginTop  = 60.0
	marginLeft = 70.0
	// perArrow is the size of one arrow without its body text, for the
	// cut-off estimate.
	perArrow = 190
	// reserve keeps room for the closing banner and tags.
	reserve = 4096
)

// WriteSVGFile writes messages.svg at path from the journal at
// journalPath. nodes are the server ids in test order; faults the run's
// fault intervals.
func WriteSVGFile(path, journalPath string, nodes []string, faults []history.Interval, cfg Config) (SVGStats, error) {
	f, err := os.Create(path)
	if err != nil {
		return SVGStats{}, fmt.Errorf("diagram: %w", err)
	}
	st, err := WriteSVG(f, journalPath, nodes, faults, cfg)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("diagram: %w", cerr)
	}
	return st, err
}

// scan is the first pass: the time span, the lanes, and the cut-off time
// that keeps the file under budget.
type scan struct {
	start, end int64
	cutoff     int64
	messages   int64
	lost       int64
	truncated  bool
}

func firstPass(journalPath string, l *lanes, cfg Config, fixed int64) (scan, error) {
	r, err := journal.Open(journalPath)
	if err != nil {
		return scan{}, err
	}
	defer r.Close()
	s := scan{cutoff: -1, start: -1}
	// Sends are in send order in the file (one lock), so the running total
	// of their estimated sizes crosses the budget at the cut-off send time.
	budget := cfg.MaxBytes - fixed - reserve
	var total int64
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			s.truncated = true
			break
		}
		if err != nil {
			return scan{}, err
		}
		if ev.At > s.end {
			s.end = ev.At
		}
		switch ev.Kind {
		case journal.Send:
			s.messages++
			if s.start < 0 {
				s.start = ev.At
			}
			l.of(ev.Src)
			l.of(ev.Dest)
			if s.cutoff < 0 {
				total += perArrow + escapedLen(ev.Body[:min(len(ev.Body), cfg.MaxBody)])
				if total > budget {
					s.cutoff = ev.At
				}
			}
		case journal.Lost:
			s.lost += ev.Count
		}
	}
	if s.start < 0 {
		s.start = 0
	}
	return s, nil
}

// countingWriter counts bytes written.
type countingWriter struct {
	w *bufio.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (c *countingWriter) printf(format string, args ...any) { fmt.Fprintf(c, format, args...) }

// WriteSVG writes messages.svg to w (see WriteSVGFile).
func WriteSVG(w io.Writer, journalPath string, nodes []string, faults []history.Interval, cfg Config) (SVGStats, error) {
	if err := cfg.validate(); err != nil {
		return SVGStats{}, err
	}
	l := newLanes(nodes)
	fixed := int64(2000 + 120*len(faults))
	s, err := firstPass(journalPath, l, cfg, fixed+int64(200*len(l.names)))
	if err != nil {
		return SVGStats{}, err
	}
	st := SVGStats{Messages: s.messages, Cutoff: s.cutoff, LostEvents: s.lost}
	spanEnd := s.end
	if s.cutoff >= 0 {
		spanEnd = s.cutoff
	}
	for _, f := range faults {
		if f.End > spanEnd && (s.cutoff < 0) {
			spanEnd = f.End
		}
	}
	spanMS := float64(spanEnd-s.start)/1e6 + 20
	px := cfg.PxPerMS
	if spanMS*px > cfg.MaxHeight {
		px = cfg.MaxHeight / spanMS
	}
	y := func(t int64) float64 { return marginTop + float64(t-s.start)/1e6*px }
	x := func(lane int) float64 { return marginLeft + float64(lane)*cfg.LaneWidth }
	width := x(len(l.names)-1) + cfg.LaneWidth
	height := marginTop + spanMS*px + 20

	cw := &countingWriter{w: bufio.NewWriterSize(w, 64<<10)}
	cw.printf(`<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="11">
<style>
line.s{stroke:#000}line.c{stroke:#8ec5ef}line.e{stroke:#f29cc3}line.d{stroke:#e0201b;stroke-dasharray:4 3}line.f{stroke:#999;stroke-dasharray:2 3}
line.m{stroke-width:1;marker-end:url(#a)}line.c.m{marker-end:url(#ac)}line.e.m{marker-end:url(#ae)}line.d.m{marker-end:url(#ad)}line.f.m{marker-end:none}
line.m:hover{stroke-width:3}.lane{stroke:#bbb}.grid{stroke:#eee}.fault{opacity:.55}
</style>
<defs>
<marker id="a" viewBox="0 0 6 6" refX="6" refY="3" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L6,3L0,6z" fill="#000"/></marker>
<marker id="ac" viewBox="0 0 6 6" refX="6" refY="3" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L6,3L0,6z" fill="#8ec5ef"/></marker>
<marker id="ae" viewBox="0 0 6 6" refX="6" refY="3" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L6,3L0,6z" fill="#f29cc3"/></marker>
<marker id="ad" viewBox="0 0 6 6" refX="3" refY="3" markerWidth="6" markerHeight="6"><path d="M0,0L6,6M0,6L6,0" stroke="#e0201b" stroke-width="1.5"/></marker>
</defs>
<rect width="100%%" height="100%%" fill="#fff"/>
`, width, height, width, height)
	// Time grid: a line per second (per 10 s on long runs).
	step := int64(time.Second)
	if spanMS > 120_000 {
		step = 10 * int64(time.Second)
	}
	for t := s.start - s.start%step; t <= spanEnd; t += step {
		if t < s.start {
			continue
		}
		cw.printf("<line class=\"grid\" x1=\"0\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\"/><text x=\"4\" y=\"%.1f\">%gs</text>\n", width, y(t), y(t), y(t)-2, float64(t)/1e9)
	}
	for _, b := range bands(faults, l) {
		colour := faultColour(b.Kind)
		for _, ln := range b.Lanes {
			cw.printf("<rect class=\"fault\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s %s–%s s: %s</title></rect>\n",
				x(ln)-cfg.LaneWidth*0.3, y(b.Start), cfg.LaneWidth*0.6, max(1, y(b.End)-y(b.Start)), colour,
				html.EscapeString(b.Kind), secs(b.Start), secs(b.End), html.EscapeString(b.Detail))
		}
	}
	for i, name := range l.names {
		cw.printf("<line class=\"lane\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\"/><text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%s</text>\n",
			x(i), x(i), marginTop-8, height, x(i), marginTop-14, html.EscapeString(name))
	}

	r, err := journal.Open(journalPath)
	if err != nil {
		return st, err
	}
	defer r.Close()
	full := false
	_, err = journal.Messages(r, func(m journal.Message) error {
		if s.cutoff >= 0 && m.Sent >= s.cutoff {
			st.Omitted++
			return nil
		}
		if full || cw.n > cfg.MaxBytes-reserve {
			full = true
			st.Omitted++
			return nil
		}
		writeArrow(cw, m, l, x, y, cfg)
		st.Drawn++
		return nil
	})
	if err != nil {
		return st, err
	}
	var notes []string
	if st.Omitted > 0 {
		if s.cutoff >= 0 {
			notes = append(notes, fmt.Sprintf("%d of %d messages, those sent from %s s on, are not drawn, to keep this file under %s MB; %s and `maelstrom-local serve` show them all.",
				st.Omitted, st.Messages, secs(s.cutoff), megabytes(cfg.MaxBytes), journal.FileName))
		} else {
			notes = append(notes, fmt.Sprintf("%d of %d messages are not drawn, to keep this file under %s MB; %s and `maelstrom-local serve` show them all.",
				st.Omitted, st.Messages, megabytes(cfg.MaxBytes), journal.FileName))
		}
	}
	if s.lost > 0 {
		notes = append(notes, fmt.Sprintf("The journal lost %d events while the run went (the disk fell behind): their messages are missing here.", s.lost))
	}
	if s.truncated {
		notes = append(notes, "The journal ends in a partial record (the run was still writing or stopped abruptly).")
	}
	cw.printf("<text x=\"4\" y=\"14\" font-size=\"12\">%d messages, %d drawn; %d lanes; %.2f px per ms. Light blue: client, pink: error, black: node to node, red dashed: dropped, grey dashed: never delivered.</text>\n",
		st.Messages, st.Drawn, len(l.names), px)
	for i, n := range notes {
		cw.printf("<text x=\"4\" y=\"%d\" font-size=\"12\" fill=\"#c00\">%s</text>\n", 28+14*i, html.EscapeString(n))
	}
	cw.printf("</svg>\n")
	if err := cw.w.Flush(); err != nil {
		return st, fmt.Errorf("diagram: %w", err)
	}
	st.Bytes = cw.n
	return st, nil
}

// writeArrow draws one message with its tooltip.
func writeArrow(cw *countingWriter, m journal.Message, l *lanes, x func(int) float64, y func(int64) float64, cfg Config) {
	src, dst := l.of(m.Src), l.of(m.Dest)
	x1, y1 := x(src), y(m.Sent)
	x2, y2 := x(dst), 0.0
	class := "s"
	switch {
	case m.IsError:
		class = "e"
	case m.IsClient:
		class = "c"
	}
	fate := ""
	switch m.Fate {
	case journal.Delivered:
		y2 = y(m.End)
		fate = fmt.Sprintf("delivered %s s (+%s ms)", secs(m.End), ms(m.End-m.Sent))
	case journal.Dropped:
		class = "d"
		fx := 1.0
		if m.Due > m.Sent && m.End < m.Due {
			fx = float64(m.End-m.Sent) / float64(m.Due-m.Sent)
		}
		x2 = x1 + fx*(x2-x1)
		y2 = y(m.End)
		why := "partition"
		if m.Why != 1 {
			why = "receiver down"
		}
		fate = fmt.Sprintf("dropped %s s (%s)", secs(m.End), why)
	default:
		class = "f"
		y2 = y(m.Due)
		fate = "never delivered"
	}
	body := m.Body[:min(len(m.Body), cfg.MaxBody)]
	more := ""
	if whole := max(m.BodyBytes, len(m.Body)); whole > len(body) {
		more = fmt.Sprintf(" … (%d more bytes)", whole-len(body))
	}
	cw.printf("<line class=\"m %s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"><title>#%d %s → %s sent %s s, %s\n%s%s</title></line>\n",
		class, x1, y1, x2, y2, m.ID, html.EscapeString(m.Src), html.EscapeString(m.Dest), secs(m.Sent), fate,
		html.EscapeString(strings.ToValidUTF8(string(body), "\uFFFD")), more)
}

// escapedLen is len(html.EscapeString(b)), without building it.
func escapedLen(b []byte) int64 {
	n := int64(len(b))
	for _, c := range b {
		switch c {
		case '"', '\'', '&':
			n += 4 // &#34; &#39; &amp;
		case '<', '>':
			n += 3 // &lt; &gt;
		}
	}
	return n
}

func megabytes(b int64) string { return strconv.FormatFloat(float64(b)/1e6, 'f', -1, 64) }

func secs(ns int64) string { return strconv.FormatFloat(float64(ns)/1e9, 'f', 3, 64) }
func ms(ns int64) string   { return strconv.FormatFloat(float64(ns)/1e6, 'f', 1, 64) }

// faultColour is the shade of a fault kind: partitions in the plots'
// #E9DCA0, kills grey-red, pauses blue, anything else grey.
func faultColour(kind string) string {
	switch kind {
	case "partition":
		return "#E9DCA0"
	case "kill", "kill-all":
		return "#E8B4B4"
	case "pause":
		return "#B4C8E8"
	}
	return "#DDDDDD"
}
