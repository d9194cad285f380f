package timeline

import (
	"bufio"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"sort"
	"strconv"
	"strings"

	"broadcast/maelstrom/history"
)

// FileName is timeline.html's name in a run directory.
const FileName = "timeline.html"

// Config configures a timeline.
type Config struct {
	// PxPerMS is the vertical scale (default 0.2: 5 ms a pixel).
	PxPerMS float64
	// ColumnWidth is a process column's width in pixels (default 90).
	ColumnWidth int
	// MaxReadValues is how many values of a read are listed on hover
	// (default 20); the count is always shown.
	MaxReadValues int
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config { return Config{PxPerMS: 0.2, ColumnWidth: 90, MaxReadValues: 20} }

func (c *Config) validate() error {
	d := DefaultConfig()
	if c.PxPerMS < 0 || c.ColumnWidth < 0 || c.MaxReadValues < 0 {
		return fmt.Errorf("timeline: negative setting in %+v", *c)
	}
	if c.PxPerMS == 0 {
		c.PxPerMS = d.PxPerMS
	}
	if c.ColumnWidth == 0 {
		c.ColumnWidth = d.ColumnWidth
	}
	if c.MaxReadValues == 0 {
		c.MaxReadValues = d.MaxReadValues
	}
	return nil
}

// Timeline writes timeline.html as ops arrive. Not safe for concurrent
// use: one goroutine observes the history in index order.
type Timeline struct {
	cfg     Config
	f       *os.File
	w       *bufio.Writer
	open    map[int]history.Op // invocation per process, until it completes
	columns map[int]int        // process -> column, in order of first op
	order   []int
	ops     int
	maxTime int64
	err     error
}

// Create starts timeline.html at path.
func Create(path string, cfg Config) (*Timeline, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	t := &Timeline{cfg: cfg, f: f, w: bufio.NewWriterSize(f, 64<<10), open: map[int]history.Op{}, columns: map[int]int{}}
	t.column(history.NemesisProcess)
	fmt.Fprintf(t.w, `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>timeline</title>
<style>
body{font:12px sans-serif;margin:0}
#ops{position:relative;margin:40px 10px 10px 60px}
.op{position:absolute;box-sizing:border-box;border:1px solid #0003;border-radius:2px;min-height:3px;overflow:hidden;white-space:nowrap;font-size:10px;padding:0 2px}
.ok{background:#6db6ff}.fail{background:#ff8a80}.info{background:#ffd54f}.open{background:#ddd}
.nemesis{background:#e9dca0}
.op:hover{outline:2px solid #000;z-index:2}
.col{position:absolute;top:-28px;font-weight:bold;white-space:nowrap}
.tick{position:absolute;left:-58px;width:100%%;border-top:1px solid #eee;color:#888}
#legend{position:fixed;top:0;right:0;background:#fffe;padding:4px 8px;border:1px solid #ccc}
#legend span{display:inline-block;padding:0 6px;margin:0 2px}
</style></head><body>
<div id="legend"><span class="ok">ok</span><span class="fail">fail</span><span class="info">info</span><span class="open">not completed</span><span class="nemesis">nemesis</span></div>
<div id="ops">
`)
	return t, nil
}

func (t *Timeline) column(p int) int {
	if c, ok := t.columns[p]; ok {
		return c
	}
	c := len(t.order)
	t.columns[p] = c
	t.order = append(t.order, p)
	return c
}

// Observe takes the next op of the history (in index order).
func (t *Timeline) Observe(op history.Op) {
	t.ops++
	t.maxTime = max(t.maxTime, op.Time)
	if op.Process == history.NemesisProcess {
		t.observeNemesis(op)
		return
	}
	if op.Type == history.Invoke {
		if prev, ok := t.open[op.Process]; ok {
			t.box(prev, nil)
		}
		t.open[op.Process] = op
		t.column(op.Process)
		return
	}
	inv, ok := t.open[op.Process]
	if !ok {
		inv = op // a completion without its invocation: a thin box
	}
	delete(t.open, op.Process)
	t.box(inv, &op)
}

// observeNemesis draws a nemesis op: Maelstrom records each as an info
// start ("start-partition" with its shape) and an info completion (the
// same f with what happened); a pair with the same f is one box.
func (t *Timeline) observeNemesis(op history.Op) {
	if prev, ok := t.open[op.Process]; ok && prev.F == op.F {
		delete(t.open, op.Process)
		t.box(prev, &op)
		return
	}
	if prev, ok := t.open[op.Process]; ok {
		t.box(prev, nil)
	}
	t.open[op.Process] = op
}

// box writes one operation: inv, completed by done (nil: never completed).
func (t *Timeline) box(inv history.Op, done *history.Op) {
	end := inv.Time
	class := "open"
	var tip strings.Builder
	fmt.Fprintf(&tip, "process %s, %s", processName(inv.Process), inv.F)
	if inv.Node != "" {
		fmt.Fprintf(&tip, " on %s", inv.Node)
	}
	if inv.Final {
		tip.WriteString(" (final read)")
	}
	if v := valueText(inv, t.cfg.MaxReadValues); v != "" {
		fmt.Fprintf(&tip, "\ninvoke value: %s", v)
	}
	fmt.Fprintf(&tip, "\ninvoked %s s", secs(inv.Time))
	label := inv.F
	if done != nil {
		end = done.Time
		class = string(done.Type)
		fmt.Fprintf(&tip, ", %s %s s (%s ms)", done.Type, secs(done.Time), strconv.FormatFloat(float64(done.Time-inv.Time)/1e6, 'f', 2, 64))
		if v := valueText(*done, t.cfg.MaxReadValues); v != "" {
			fmt.Fprintf(&tip, "\nvalue: %s", v)
		}
		if done.Error != nil {
			fmt.Fprintf(&tip, "\nerror: %s", jsonText(done.Error))
		}
	} else {
		tip.WriteString(", never completed")
	}
	if inv.Process == history.NemesisProcess {
		class += " nemesis"
	}
	if b, ok := inv.BroadcastValue(); ok {
		label += " " + strconv.FormatInt(b, 10)
	}
	top := float64(inv.Time) / 1e6 * t.cfg.PxPerMS
	h := float64(end-inv.Time) / 1e6 * t.cfg.PxPerMS
	col := t.column(inv.Process)
	fmt.Fprintf(t.w, "<div class=\"op %s\" style=\"left:%dpx;top:%.1fpx;width:%dpx;height:%.1fpx\" title=\"%s\">%s</div>\n",
		class, col*t.cfg.ColumnWidth, top, t.cfg.ColumnWidth-4, h, html.EscapeString(tip.String()), html.EscapeString(label))
}

// valueText renders an op's value for a tooltip; a read's values are
// summarised by readSummary.
func valueText(op history.Op, maxValues int) string {
	if op.F == "read" {
		return readSummary(op, maxValues)
	}
	if op.Value == nil {
		return ""
	}
	return jsonText(op.Value)
}

// readSummary renders a read completion's value as its count and its
// first maxValues elements. It is the one place that knows how a read's
// values are held.
func readSummary(op history.Op, maxValues int) string {
	r := op.Read()
	if r == nil {
		return ""
	}
	parts := make([]string, 0, min(r.Len(), maxValues))
	r.Head(maxValues, func(e []byte) { parts = append(parts, string(e)) })
	s := fmt.Sprintf("%d values [%s", r.Len(), strings.Join(parts, " "))
	if len(parts) < r.Len() {
		s += fmt.Sprintf(" … %d more", r.Len()-len(parts))
	}
	return s + "]"
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func processName(p int) string {
	if p == history.NemesisProcess {
		return "nemesis"
	}
	return strconv.Itoa(p)
}

func secs(ns int64) string { return strconv.FormatFloat(float64(ns)/1e9, 'f', 3, 64) }

// Close draws the operations still open, the column heads and the time
// ticks, and closes the file.
func (t *Timeline) Close() error {
	procs := make([]int, 0, len(t.open))
	for p := range t.open {
		procs = append(procs, p)
	}
	sort.Ints(procs)
	for _, p := range procs {
		t.box(t.open[p], nil)
	}
	t.open = nil
	for c, p := range t.order {
		fmt.Fprintf(t.w, "<div class=\"col\" style=\"left:%dpx\">%s</div>\n", c*t.cfg.ColumnWidth, processName(p))
	}
	for s := int64(0); s <= t.maxTime/1e9; s++ {
		fmt.Fprintf(t.w, "<div class=\"tick\" style=\"top:%.1fpx\">%d s</div>\n", float64(s)*1e3*t.cfg.PxPerMS, s)
	}
	height := float64(t.maxTime)/1e6*t.cfg.PxPerMS + 40
	fmt.Fprintf(t.w, "<div style=\"height:%.0fpx;width:%dpx\"></div>\n</div>\n<p style=\"margin-left:60px\">%d history entries, %d processes.</p>\n</body></html>\n",
		height, len(t.order)*t.cfg.ColumnWidth, t.ops, len(t.order)-1)
	err := t.w.Flush()
	if cerr := t.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("timeline: %w", err)
	}
	return nil
}
