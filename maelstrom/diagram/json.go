package diagram

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"broadcast/maelstrom/history"
	"broadcast/maelstrom/journal"
)

// WriteJSON streams the journal at journalPath as the JSON document the
// interactive diagram draws:
//
//	{"msgs": [[id, sent, end, due, src, dest, kind, fate, body], ...],
//	 "lanes": [...], "faults": [...], "start": ms, "end": ms,
//	 "messages": n, "lost": n, "truncated": bool}
//
// Times are milliseconds on the run's relative clock; kind is "s" (node to
// node), "c" (client) or "e" (error body); fate is "d" (delivered), "x"
// (dropped by a partition), "k" (dropped: receiver down) or "f" (never
// delivered; end is then the due time). Lanes are "clients", then nodes
// (in the given order, then as first seen). Every message is included:
// memory is bounded by the messages in flight, not by the run's length.
func WriteJSON(w io.Writer, journalPath string, nodes []string, faults []history.Interval) error {
	r, err := journal.Open(journalPath)
	if err != nil {
		return err
	}
	defer r.Close()
	return WriteJSONFrom(w, r, nodes, faults)
}

// WriteJSONFrom is WriteJSON reading from r.
func WriteJSONFrom(w io.Writer, r *journal.Reader, nodes []string, faults []history.Interval) error {
	l := newLanes(nodes)
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(`{"msgs":[`)
	first := true
	var buf []byte
	sum, err := journal.Messages(r, func(m journal.Message) error {
		l.of(m.Src)
		l.of(m.Dest)
		buf = buf[:0]
		if !first {
			buf = append(buf, ",\n"...)
		}
		first = false
		end, fate := m.End, "d"
		switch m.Fate {
		case journal.Dropped:
			fate = "x"
			if m.Why != 1 {
				fate = "k"
			}
		case journal.InFlight:
			end, fate = m.Due, "f"
		}
		kind := "s"
		switch {
		case m.IsError:
			kind = "e"
		case m.IsClient:
			kind = "c"
		}
		buf = append(buf, '[')
		buf = strconv.AppendInt(buf, m.ID, 10)
		for _, t := range []int64{m.Sent, end, m.Due} {
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, float64(t)/1e6, 'f', 3, 64)
		}
		buf = append(buf, ',')
		buf = strconv.AppendQuote(buf, m.Src)
		buf = append(buf, ',')
		buf = strconv.AppendQuote(buf, m.Dest)
		buf = append(buf, `,"`...)
		buf = append(buf, kind...)
		buf = append(buf, `","`...)
		buf = append(buf, fate...)
		buf = append(buf, `",`...)
		switch {
		case len(m.Body) == 0:
			buf = append(buf, "null"...)
		case m.BodyBytes > len(m.Body):
			// The journal kept only the head of a long body: a string that
			// says how much is missing.
			q, _ := json.Marshal(fmt.Sprintf("%s… (%d more bytes)", strings.ToValidUTF8(string(m.Body), "\uFFFD"), m.BodyBytes-len(m.Body)))
			buf = append(buf, q...)
		case json.Valid(m.Body):
			buf = append(buf, m.Body...)
		default:
			q, _ := json.Marshal(string(m.Body))
			buf = append(buf, q...)
		}
		buf = append(buf, ']')
		_, err := bw.Write(buf)
		return err
	})
	if err != nil {
		return err
	}
	type faultJSON struct {
		band
		Start float64 `json:"start"`
		End   float64 `json:"end"`
	}
	bs := bands(faults, l)
	fj := make([]faultJSON, len(bs))
	for i, b := range bs {
		fj[i] = faultJSON{band: b, Start: float64(b.Start) / 1e6, End: float64(b.End) / 1e6}
	}
	tail, err := json.Marshal(struct {
		Lanes     []string    `json:"lanes"`
		Faults    []faultJSON `json:"faults"`
		Start     float64     `json:"start"`
		End       float64     `json:"end"`
		Messages  int64       `json:"messages"`
		Lost      int64       `json:"lost"`
		Truncated bool        `json:"truncated"`
	}{l.names, fj, msFloor(sum.Start), msCeil(sum.End), sum.Messages, sum.Lost, sum.Truncated})
	if err != nil {
		return fmt.Errorf("diagram: %w", err)
	}
	bw.WriteString("],")
	bw.Write(tail[1:])
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("diagram: %w", err)
	}
	return nil
}

// msFloor and msCeil turn ns into ms on the microsecond grid the message
// times are printed on, rounding outward, so that the span they bound
// holds every message as printed.
func msFloor(ns int64) float64 { return math.Floor(float64(ns)/1e3) / 1e3 }
func msCeil(ns int64) float64  { return math.Ceil(float64(ns)/1e3) / 1e3 }
