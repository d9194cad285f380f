package checker

import (
	"encoding/json"
	"strconv"

	"broadcast/maelstrom/history"
)

// hist builds hand-written histories; times are given in milliseconds.
type hist struct{ ops []history.Op }

const ms = int64(1e6)

func (h *hist) add(op history.Op) int {
	op.Index = len(h.ops)
	h.ops = append(h.ops, op)
	return op.Index
}

// bInv invokes broadcast v on process p at t ms.
func (h *hist) bInv(p int, v int64, t int64) int {
	return h.add(history.Op{Time: t * ms, Type: history.Invoke, Process: p, F: "broadcast", Value: v})
}

// bDone completes process p's broadcast of v with typ at t ms.
func (h *hist) bDone(p int, typ history.Type, v int64, t int64, err any) int {
	return h.add(history.Op{Time: t * ms, Type: typ, Process: p, F: "broadcast", Value: v, Error: err})
}

// rInv invokes a read on process p at t ms.
func (h *hist) rInv(p int, t int64) int {
	return h.add(history.Op{Time: t * ms, Type: history.Invoke, Process: p, F: "read"})
}

// rFinal invokes a final read on process p at t ms.
func (h *hist) rFinal(p int, t int64) int {
	return h.add(history.Op{Time: t * ms, Type: history.Invoke, Process: p, F: "read", Final: true})
}

// rOK completes process p's read at t ms with the given raw JSON elements.
func (h *hist) rOK(p int, t int64, raw ...string) int {
	return h.add(history.Op{Time: t * ms, Type: history.OK, Process: p, F: "read", Value: rawList(raw...)})
}

// rOKInts completes process p's read at t ms with integer values.
func (h *hist) rOKInts(p int, t int64, vs ...int64) int {
	raw := make([]string, len(vs))
	for i, v := range vs {
		raw[i] = strconv.FormatInt(v, 10)
	}
	return h.rOK(p, t, raw...)
}

// rFail fails process p's read at t ms.
func (h *hist) rFail(p int, t int64, err any) int {
	return h.add(history.Op{Time: t * ms, Type: history.Fail, Process: p, F: "read", Error: err})
}

// nemesis appends a nemesis info op at t ms.
func (h *hist) nemesis(f string, t int64) int {
	return h.add(history.Op{Time: t * ms, Type: history.Info, Process: history.NemesisProcess, F: f})
}

func rawList(raw ...string) []json.RawMessage {
	out := make([]json.RawMessage, len(raw))
	for i, r := range raw {
		out[i] = json.RawMessage(r)
	}
	return out
}

// element returns the element result for v.
func element(w Workload, v int64) (Element, bool) {
	for _, e := range w.Elements {
		if e.Value == v {
			return e, true
		}
	}
	return Element{}, false
}
