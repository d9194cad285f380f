package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"broadcast/maelstrom/history"
)

// History formats: which history files a run writes (--history-format).
const (
	// FormatFull writes Maelstrom's history.txt and history.edn, and
	// history.json. Every read lists every value it returned, so for a
	// long run these are gigabytes.
	FormatFull = "full"
	// FormatDelta writes history.delta.jsonl instead: one JSON op per line,
	// each ok read stored as the difference from the previous ok read on
	// the same node (see delta.go). Reads keep their set of values, not
	// their order.
	FormatDelta = "delta"
)

// HistoryDelta is the file FormatDelta writes.
const HistoryDelta = "history.delta.jsonl"

// HistoryFiles lists the files each format writes.
var HistoryFiles = map[string][]string{
	FormatFull:  {HistoryTxt, HistoryEDN, HistoryJSON},
	FormatDelta: {HistoryDelta},
}

// HistoryConfig configures a HistoryWriter.
type HistoryConfig struct {
	// Format is FormatFull (the default, "") or FormatDelta.
	Format string
	// Nodes and Concurrency head the history (history.Run's fields).
	Nodes       []string
	Concurrency int
	// Log, if set, receives each op's jepsen.util line, without a
	// newline: the history.txt line in FormatFull; in FormatDelta the same
	// with a read's value shortened to its count.
	Log func(line string)
}

// HistoryWriter streams a run's history to disk as ops are recorded, so
// that the run never holds its history in memory. It is a history.Observer:
// feed it every op in index order from one goroutine, then Close it with
// the rest of the run. Write errors are kept (Err) and stop the writing;
// they never stop the run.
type HistoryWriter struct {
	cfg   HistoryConfig
	dir   string
	files []*countingFile
	txt   *countingFile
	edn   *countingFile
	js    *countingFile
	delta *deltaWriter

	n       int     // ops written
	offsets []int64 // FormatFull: each op's offset in history.json
	lens    []int32
	err     error
	closed  bool

	buf bytes.Buffer // scratch for one line
}

var _ history.Observer = (*HistoryWriter)(nil)

// countingFile is a buffered file that counts the bytes written.
type countingFile struct {
	name string
	f    *os.File
	w    *bufio.Writer
	n    int64
}

// Write writes p and counts it.
func (c *countingFile) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// WriteString writes s and counts it.
func (c *countingFile) WriteString(s string) (int, error) {
	n, err := c.w.WriteString(s)
	c.n += int64(n)
	return n, err
}

// NewHistoryWriter creates the format's files in dir (which must exist).
func NewHistoryWriter(dir string, cfg HistoryConfig) (*HistoryWriter, error) {
	if cfg.Format == "" {
		cfg.Format = FormatFull
	}
	names, ok := HistoryFiles[cfg.Format]
	if !ok {
		return nil, fmt.Errorf("results: unknown history format %q (want %s or %s)", cfg.Format, FormatFull, FormatDelta)
	}
	h := &HistoryWriter{cfg: cfg, dir: dir}
	for _, name := range names {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			h.closeFiles()
			return nil, fmt.Errorf("results: %w", err)
		}
		cf := &countingFile{name: name, f: f, w: bufio.NewWriterSize(f, 1<<20)}
		h.files = append(h.files, cf)
		switch name {
		case HistoryTxt:
			h.txt = cf
		case HistoryEDN:
			h.edn = cf
		case HistoryJSON:
			h.js = cf
		case HistoryDelta:
			h.delta = newDeltaWriter(cf)
		}
	}
	if h.delta != nil {
		h.fail(h.delta.header(cfg.Nodes, cfg.Concurrency))
	}
	return h, nil
}

func (h *HistoryWriter) fail(err error) {
	if err != nil && h.err == nil {
		h.err = fmt.Errorf("results: writing the history: %w", err)
	}
}

// Observe writes one op, the next in index order.
func (h *HistoryWriter) Observe(op history.Op) {
	if h.closed {
		return
	}
	logged := false
	if h.err == nil {
		if h.delta != nil {
			h.fail(h.delta.op(op))
		} else {
			h.writeTxt(op)
			if h.cfg.Log != nil {
				h.cfg.Log(string(bytes.TrimSuffix(h.buf.Bytes(), []byte("\n"))))
				logged = true
			}
			h.writeEDNAndJSON(op)
		}
	}
	if h.cfg.Log != nil && !logged {
		h.cfg.Log(h.logLine(op))
	}
	h.n++
}

// writeTxt writes op's history.txt line; the line stays in h.buf.
func (h *HistoryWriter) writeTxt(op history.Op) {
	b := &h.buf
	b.Reset()
	appendTxtLine(b, op)
	b.WriteByte('\n')
	_, err := h.txt.Write(b.Bytes())
	h.fail(err)
}

func (h *HistoryWriter) writeEDNAndJSON(op history.Op) {
	b := &h.buf
	var err error

	b.Reset()
	writeFlatTo(b, OpMap(op, ""))
	b.WriteByte('\n')
	_, err = h.edn.Write(b.Bytes())
	h.fail(err)

	if h.n == 0 {
		h.fail(h.jsonHead())
		_, err = h.js.WriteString(`"ops":[`)
	} else {
		_, err = h.js.WriteString(",")
	}
	h.fail(err)
	b.Reset()
	if err := encodeJSON(b, op); err != nil {
		h.fail(err)
		return
	}
	h.offsets = append(h.offsets, h.js.n)
	h.lens = append(h.lens, int32(b.Len()))
	_, err = h.js.Write(b.Bytes())
	h.fail(err)
}

// jsonHead writes history.json up to the ops: history.Run's fields before
// Ops, as encoding/json writes them.
func (h *HistoryWriter) jsonHead() error {
	var b bytes.Buffer
	b.WriteByte('{')
	b.WriteString(`"nodes":`)
	if err := encodeJSON(&b, h.cfg.Nodes); err != nil {
		return err
	}
	b.WriteString(`,"concurrency":`)
	b.WriteString(strconv.Itoa(h.cfg.Concurrency))
	b.WriteByte(',')
	_, err := h.js.Write(b.Bytes())
	return err
}

// logLine is the op's jepsen.util line in FormatDelta: the history.txt
// line, with a read's value shortened to its count.
func (h *HistoryWriter) logLine(op history.Op) string {
	var b bytes.Buffer
	if r, ok := op.Value.(*history.ReadValue); ok && r != nil {
		appendTxtLineWith(&b, op, Symbol(fmt.Sprintf("<%d values>", r.Len())))
	} else {
		appendTxtLine(&b, op)
	}
	return b.String()
}

// Close writes the rest of the run (history.Run's fields after Ops; in
// FormatDelta a trailer line), flushes and closes the files. It returns the
// first error the writer met. The writer can still Resolve after Close.
func (h *HistoryWriter) Close(run history.Run) error {
	if h.closed {
		return h.err
	}
	h.closed = true
	if h.err == nil {
		if h.delta != nil {
			h.fail(h.delta.trailer(run))
		} else {
			h.fail(h.jsonTail(run))
		}
	}
	h.closeFiles()
	return h.err
}

func (h *HistoryWriter) jsonTail(run history.Run) error {
	var b bytes.Buffer
	if h.n == 0 {
		if err := h.jsonHead(); err != nil {
			return err
		}
		b.WriteString(`"ops":null`)
	} else {
		b.WriteString("]")
	}
	tail := struct {
		Net         history.Net        `json:"net"`
		Faults      []history.Interval `json:"faults"`
		Series      []history.Sample   `json:"series"`
		SeriesWidth int64              `json:"series-width"`
		Start       string             `json:"start"`
	}{run.Net, run.Faults, run.Series, run.SeriesWidth, run.Start}
	var t bytes.Buffer
	if err := encodeJSON(&t, tail); err != nil {
		return err
	}
	b.WriteByte(',')
	b.Write(t.Bytes()[1:]) // drop the tail object's "{"
	b.WriteByte('\n')
	_, err := h.js.Write(b.Bytes())
	return err
}

func (h *HistoryWriter) closeFiles() {
	for _, f := range h.files {
		if f.w != nil {
			h.fail(f.w.Flush())
			h.fail(f.f.Close())
			f.w = nil
		}
	}
}

// Flush writes buffered data to the files.
func (h *HistoryWriter) Flush() error {
	for _, f := range h.files {
		if f.w != nil {
			h.fail(f.w.Flush())
		}
	}
	return h.err
}

// Err returns the first write error, if any.
func (h *HistoryWriter) Err() error { return h.err }

// Sizes returns each history file's size in bytes so far.
func (h *HistoryWriter) Sizes() map[string]int64 {
	out := map[string]int64{}
	for _, f := range h.files {
		out[f.name] = f.n
	}
	return out
}

// Resolve reads back the ops at the given positions (0 = the first op
// observed), in the order asked: from history.json in FormatFull (one read
// per op), by one pass over history.delta.jsonl in FormatDelta.
func (h *HistoryWriter) Resolve(positions []int) ([]history.Op, error) {
	if h.err != nil {
		return nil, h.err
	}
	if err := h.Flush(); err != nil {
		return nil, err
	}
	if h.delta != nil {
		return resolveDelta(filepath.Join(h.dir, HistoryDelta), positions)
	}
	f, err := os.Open(filepath.Join(h.dir, HistoryJSON))
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	defer f.Close()
	out := make([]history.Op, len(positions))
	for i, pos := range positions {
		if pos < 0 || pos >= len(h.offsets) {
			return nil, fmt.Errorf("results: no op at position %d in %s", pos, HistoryJSON)
		}
		b := make([]byte, h.lens[pos])
		if _, err := f.ReadAt(b, h.offsets[pos]); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("results: %w", err)
		}
		op, err := decodeOp(b)
		if err != nil {
			return nil, err
		}
		out[i] = op
	}
	return out, nil
}

// encodeJSON writes v as encoding/json does inside history.json (no HTML
// escaping), without a newline.
func encodeJSON(b *bytes.Buffer, v any) error {
	start := b.Len()
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		b.Truncate(start)
		return err
	}
	b.Truncate(b.Len() - 1)
	return nil
}

// WriteHistoryTxt writes jepsen's history.txt for ops held in memory.
func WriteHistoryTxt(w io.Writer, ops []history.Op) error {
	bw := bufio.NewWriter(w)
	var b bytes.Buffer
	for _, op := range ops {
		b.Reset()
		appendTxtLine(&b, op)
		b.WriteByte('\n')
		bw.Write(b.Bytes())
	}
	return bw.Flush()
}

// WriteHistoryEDN writes jepsen's history.edn for ops held in memory.
func WriteHistoryEDN(w io.Writer, ops []history.Op) error {
	bw := bufio.NewWriter(w)
	var b bytes.Buffer
	for _, op := range ops {
		b.Reset()
		writeFlatTo(&b, OpMap(op, ""))
		b.WriteByte('\n')
		bw.Write(b.Bytes())
	}
	return bw.Flush()
}

// WriteHistoryJSON writes a run held in memory as history.json
// (history.Run's own field names), which ReadHistoryJSON reads back.
func WriteHistoryJSON(w io.Writer, run history.Run) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(run)
}

// appendTxtLine writes op's history.txt line (no newline):
// "process\ttype\tf\tvalue[\terror]", values printed as EDN and the error
// as Clojure's str prints it (":net-timeout", "[:crash \"text\"]", or the
// bare text of a string).
func appendTxtLine(b *bytes.Buffer, op history.Op) {
	appendTxtLineWith(b, op, opValue(op))
}

// appendTxtLineWith writes op's history.txt line with value as its value.
func appendTxtLineWith(b *bytes.Buffer, op history.Op, value any) {
	if op.Process == history.NemesisProcess {
		b.WriteString(":nemesis")
	} else {
		b.WriteString(strconv.Itoa(op.Process))
	}
	b.WriteString("\t:")
	b.WriteString(string(op.Type))
	b.WriteString("\t:")
	b.WriteString(op.F)
	b.WriteByte('\t')
	writeFlatTo(b, value)
	if op.Error != nil {
		b.WriteByte('\t')
		e := ErrorValue(op.Error)
		if s, ok := e.(string); ok {
			b.WriteString(s)
		} else {
			writeFlatTo(b, e)
		}
	}
}

// Format returns the history format being written.
func (h *HistoryWriter) Format() string { return h.cfg.Format }
