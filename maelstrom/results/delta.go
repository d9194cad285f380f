package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"sort"
	"strconv"

	"broadcast/maelstrom/history"
)

// The delta history (FormatDelta, history.delta.jsonl) is this bench's own
// compact history for long runs. It is JSON Lines:
//
//	{"format":"maelstrom-local delta history 1","nodes":[...],"concurrency":C}
//	{"index":0,"time":...,"type":"invoke","process":0,"f":"broadcast","value":0,"node":"n0"}
//	{"index":5,...,"type":"ok","f":"read","node":"n0","delta":{"base":-1,"add":[0,41],"del":[],"extra":[],"dup":[]}}
//	...
//	{"net":{...},"faults":[...],"series":[...],"series-width":...,"start":"..."}
//
// Every op is one line, as in history.json, except an ok read completion:
// instead of "value" it has "delta", the difference from the previous ok
// read on the same node (base: that read's line number among the ops, -1
// for the node's first read):
//
//   - add, del: the integers in [0, history.BitmapLimit) the read has and
//     the previous one lacked, and the other way round, as inclusive runs
//     [from0, to0, from1, to1, ...];
//   - extra: every element that is not an integer in that range (3.0,
//     "x", -1, 1e99), as JSON, in the order received;
//   - dup: each extra occurrence of an integer in range.
//
// A read's value is therefore its set of elements, not their order: read
// back, the integers come in ascending order, then extra, then dup. The
// checker's figures depend only on the set, so a run checks the same from
// either format.
const deltaFormat = "maelstrom-local delta history 1"

type deltaRec struct {
	Base  int               `json:"base"`
	Add   []int64           `json:"add"`
	Del   []int64           `json:"del"`
	Extra []json.RawMessage `json:"extra"`
	Dup   []int64           `json:"dup"`
}

// deltaWriter writes history.delta.jsonl.
type deltaWriter struct {
	w    *countingFile
	n    int                 // op lines written
	prev map[string]nodeRead // per node, the previous ok read
	buf  bytes.Buffer
}

type nodeRead struct {
	pos   int
	words []uint64
}

func newDeltaWriter(w *countingFile) *deltaWriter {
	return &deltaWriter{w: w, prev: map[string]nodeRead{}}
}

func (d *deltaWriter) header(nodes []string, concurrency int) error {
	d.buf.Reset()
	err := encodeJSON(&d.buf, struct {
		Format      string   `json:"format"`
		Nodes       []string `json:"nodes"`
		Concurrency int      `json:"concurrency"`
	}{deltaFormat, nodes, concurrency})
	if err != nil {
		return err
	}
	d.buf.WriteByte('\n')
	_, err = d.w.Write(d.buf.Bytes())
	return err
}

func (d *deltaWriter) op(op history.Op) error {
	b := &d.buf
	b.Reset()
	r := op.Read()
	if r == nil {
		if err := encodeJSON(b, op); err != nil {
			return err
		}
	} else {
		short := op
		short.Value = nil
		if err := encodeJSON(b, short); err != nil {
			return err
		}
		b.Truncate(b.Len() - 1) // the closing brace
		rec := d.diff(op.Node, r)
		b.WriteString(`,"delta":`)
		if err := encodeJSON(b, rec); err != nil {
			return err
		}
		b.WriteByte('}')
	}
	b.WriteByte('\n')
	_, err := d.w.Write(b.Bytes())
	d.n++
	return err
}

// diff computes the delta of r against the node's previous read and makes
// r the new previous one.
func (d *deltaWriter) diff(node string, r *history.ReadValue) deltaRec {
	prev, had := d.prev[node]
	rec := deltaRec{Base: -1, Add: []int64{}, Del: []int64{}, Extra: []json.RawMessage{}, Dup: []int64{}}
	if had {
		rec.Base = prev.pos
	}
	cur := r.Words()
	n := max(len(cur), len(prev.words))
	word := func(ws []uint64, i int) uint64 {
		if i < len(ws) {
			return ws[i]
		}
		return 0
	}
	var add, del runs
	for i := 0; i < n; i++ {
		c, p := word(cur, i), word(prev.words, i)
		add.addWord(i, c&^p)
		del.addWord(i, p&^c)
	}
	rec.Add, rec.Del = add.flat(), del.flat()
	if r.NonIntegers() > 0 || len(r.Others()) > 0 || r.Duplicates() > 0 {
		var seen []uint64
		r.Each(func(e []byte) {
			v, ok := history.IntLiteral(e)
			if !ok || v < 0 || v >= history.BitmapLimit {
				rec.Extra = append(rec.Extra, append(json.RawMessage(nil), e...))
				return
			}
			w := int(v >> 6)
			for w >= len(seen) {
				seen = append(seen, 0)
			}
			bit := uint64(1) << uint(v&63)
			if seen[w]&bit != 0 {
				rec.Dup = append(rec.Dup, v)
			}
			seen[w] |= bit
		})
	}
	words := append(prev.words[:0], cur...)
	d.prev[node] = nodeRead{pos: d.n, words: words}
	return rec
}

func (d *deltaWriter) trailer(run history.Run) error {
	d.buf.Reset()
	err := encodeJSON(&d.buf, struct {
		Net         history.Net        `json:"net"`
		Faults      []history.Interval `json:"faults"`
		Series      []history.Sample   `json:"series"`
		SeriesWidth int64              `json:"series-width"`
		Start       string             `json:"start"`
	}{run.Net, run.Faults, run.Series, run.SeriesWidth, run.Start})
	if err != nil {
		return err
	}
	d.buf.WriteByte('\n')
	_, err = d.w.Write(d.buf.Bytes())
	return err
}

// runs collects set bits as inclusive runs.
type runs struct {
	out      []int64
	open     bool
	from, to int64
}

func (rs *runs) addWord(w int, bitsSet uint64) {
	for bitsSet != 0 {
		v := int64(w)<<6 | int64(bits.TrailingZeros64(bitsSet))
		bitsSet &= bitsSet - 1
		if rs.open && v == rs.to+1 {
			rs.to = v
			continue
		}
		if rs.open {
			rs.out = append(rs.out, rs.from, rs.to)
		}
		rs.open, rs.from, rs.to = true, v, v
	}
}

func (rs *runs) flat() []int64 {
	if rs.open {
		rs.out = append(rs.out, rs.from, rs.to)
		rs.open = false
	}
	if rs.out == nil {
		return []int64{}
	}
	return rs.out
}

// deltaReader replays history.delta.jsonl.
type deltaReader struct {
	sc    *bufio.Scanner
	line  int
	pos   int
	nodes map[string]*nodeSet
}

type nodeSet struct {
	pos   int
	words []uint64
}

func newDeltaReader(r io.Reader) *deltaReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	return &deltaReader{sc: sc, nodes: map[string]*nodeSet{}}
}

type deltaHeader struct {
	Format      string   `json:"format"`
	Nodes       []string `json:"nodes"`
	Concurrency int      `json:"concurrency"`
}

func (d *deltaReader) next() ([]byte, error) {
	if !d.sc.Scan() {
		if err := d.sc.Err(); err != nil {
			return nil, fmt.Errorf("results: %s line %d: %w", HistoryDelta, d.line+1, err)
		}
		return nil, io.EOF
	}
	d.line++
	return d.sc.Bytes(), nil
}

func (d *deltaReader) header() (deltaHeader, error) {
	var h deltaHeader
	b, err := d.next()
	if err != nil {
		return h, err
	}
	if err := json.Unmarshal(b, &h); err != nil || h.Format != deltaFormat {
		return h, fmt.Errorf("results: %s does not start with a %q header", HistoryDelta, deltaFormat)
	}
	return h, nil
}

// op decodes one op line; materialize says whether to build a read's
// value (the node's set is updated either way). trailer is set instead on
// the last line.
func (d *deltaReader) op(b []byte, materialize bool) (op history.Op, trailer *history.Run, err error) {
	var o struct {
		rawOp
		Delta *deltaRec        `json:"delta"`
		Net   *json.RawMessage `json:"net"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return op, nil, fmt.Errorf("results: %s line %d: %w", HistoryDelta, d.line, err)
	}
	if o.Net != nil {
		var run history.Run
		if err := json.Unmarshal(b, &run); err != nil {
			return op, nil, fmt.Errorf("results: %s trailer: %w", HistoryDelta, err)
		}
		return op, &run, nil
	}
	pos := d.pos
	d.pos++
	if o.Delta == nil {
		op, err = o.rawOp.restore()
		return op, nil, err
	}
	o.rawOp.Value = nil
	if op, err = o.rawOp.restore(); err != nil {
		return op, nil, err
	}
	s := d.nodes[op.Node]
	if s == nil {
		s = &nodeSet{pos: -1}
		d.nodes[op.Node] = s
	}
	if o.Delta.Base != s.pos {
		return op, nil, fmt.Errorf("results: %s line %d: delta base %d, but the node's previous read is %d", HistoryDelta, d.line, o.Delta.Base, s.pos)
	}
	if err := applyRuns(&s.words, o.Delta.Add, true); err != nil {
		return op, nil, err
	}
	if err := applyRuns(&s.words, o.Delta.Del, false); err != nil {
		return op, nil, err
	}
	s.pos = pos
	if materialize {
		var raw bytes.Buffer
		raw.WriteByte('[')
		first := true
		sep := func() {
			if !first {
				raw.WriteByte(',')
			}
			first = false
		}
		for w, word := range s.words {
			for word != 0 {
				sep()
				raw.WriteString(strconv.FormatInt(int64(w)<<6|int64(bits.TrailingZeros64(word)), 10))
				word &= word - 1
			}
		}
		for _, e := range o.Delta.Extra {
			sep()
			raw.Write(e)
		}
		for _, v := range o.Delta.Dup {
			sep()
			raw.WriteString(strconv.FormatInt(v, 10))
		}
		raw.WriteByte(']')
		r, err := history.ParseReadValue(raw.Bytes())
		if err != nil {
			return op, nil, fmt.Errorf("results: %s line %d: %w", HistoryDelta, d.line, err)
		}
		op.Value = r
	}
	return op, nil, nil
}

func applyRuns(words *[]uint64, rs []int64, set bool) error {
	if len(rs)%2 != 0 {
		return errors.New("results: delta runs must come in pairs")
	}
	for i := 0; i < len(rs); i += 2 {
		from, to := rs[i], rs[i+1]
		if from < 0 || to < from || to >= history.BitmapLimit {
			return fmt.Errorf("results: bad delta run [%d, %d]", from, to)
		}
		for v := from; v <= to; v++ {
			w := int(v >> 6)
			for w >= len(*words) {
				*words = append(*words, 0)
			}
			if set {
				(*words)[w] |= 1 << uint(v&63)
			} else {
				(*words)[w] &^= 1 << uint(v&63)
			}
		}
	}
	return nil
}

// ReadHistoryDelta reads a whole history.delta.jsonl back into a run, each
// read's value rebuilt from the deltas (integers ascending, then the extra
// elements, then the duplicates).
func ReadHistoryDelta(r io.Reader) (history.Run, error) {
	d := newDeltaReader(r)
	h, err := d.header()
	if err != nil {
		return history.Run{}, err
	}
	run := history.Run{Nodes: h.Nodes, Concurrency: h.Concurrency}
	for {
		b, err := d.next()
		if err == io.EOF {
			return run, fmt.Errorf("results: %s has no trailer line (the run did not finish writing it)", HistoryDelta)
		}
		if err != nil {
			return run, err
		}
		op, tr, err := d.op(b, true)
		if err != nil {
			return run, err
		}
		if tr != nil {
			run.Net, run.Faults, run.Series, run.SeriesWidth, run.Start = tr.Net, tr.Faults, tr.Series, tr.SeriesWidth, tr.Start
			return run, nil
		}
		run.Ops = append(run.Ops, op)
	}
}

// resolveDelta returns the ops at the given positions in one pass.
func resolveDelta(path string, positions []int) ([]history.Op, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	defer f.Close()
	want := map[int][]int{} // position -> indices in the answer
	for i, p := range positions {
		want[p] = append(want[p], i)
	}
	order := append([]int(nil), positions...)
	sort.Ints(order)
	out := make([]history.Op, len(positions))
	d := newDeltaReader(f)
	if _, err := d.header(); err != nil {
		return nil, err
	}
	found := 0
	for found < len(want) {
		b, err := d.next()
		if err != nil {
			return nil, fmt.Errorf("results: resolving ops from %s: %w", HistoryDelta, err)
		}
		pos := d.pos
		idx, wanted := want[pos]
		op, tr, err := d.op(b, wanted)
		if err != nil {
			return nil, err
		}
		if tr != nil {
			return nil, fmt.Errorf("results: no op at position %d in %s", order[len(order)-1], HistoryDelta)
		}
		if wanted {
			for _, i := range idx {
				out[i] = op
			}
			found++
		}
	}
	return out, nil
}
