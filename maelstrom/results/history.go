package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"broadcast/maelstrom/history"
)

// rawOp is an op as history.json and history.delta.jsonl hold it, before
// its value and error get the types the checker relies on.
type rawOp struct {
	history.Op
	Value json.RawMessage `json:"value"`
	Error json.RawMessage `json:"error"`
}

// ReadHistoryJSON reads a run written by a HistoryWriter in FormatFull (or
// WriteHistoryJSON) and restores the value types the checker relies on:
// broadcast values as int64, read values as *history.ReadValue (so 3.0
// stays distinct from 3), errors as a string or a []any.
func ReadHistoryJSON(r io.Reader) (history.Run, error) {
	var raw struct {
		history.Run
		Ops []rawOp `json:"ops"`
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&raw); err != nil {
		return history.Run{}, fmt.Errorf("results: decode history.json: %w", err)
	}
	run := raw.Run
	run.Ops = make([]history.Op, len(raw.Ops))
	for i, o := range raw.Ops {
		op, err := o.restore()
		if err != nil {
			return history.Run{}, err
		}
		run.Ops[i] = op
	}
	return run, nil
}

// decodeOp decodes one op of history.json.
func decodeOp(b []byte) (history.Op, error) {
	var o rawOp
	if err := json.Unmarshal(b, &o); err != nil {
		return history.Op{}, fmt.Errorf("results: decode op: %w", err)
	}
	return o.restore()
}

func (o rawOp) restore() (history.Op, error) {
	op := o.Op
	v, err := decodeValue(op, o.Value)
	if err != nil {
		return history.Op{}, fmt.Errorf("results: op %d value: %w", op.Index, err)
	}
	op.Value = v
	op.Error = nil
	if len(o.Error) > 0 {
		var e any
		if err := json.Unmarshal(o.Error, &e); err != nil {
			return history.Op{}, fmt.Errorf("results: op %d error: %w", op.Index, err)
		}
		op.Error = e
	}
	return op, nil
}

func decodeValue(op history.Op, raw json.RawMessage) (any, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if op.F == "broadcast" {
		if n, ok := history.IntLiteral(raw); ok {
			return n, nil
		}
	}
	if op.F == "read" && op.Process != history.NemesisProcess && len(raw) > 0 && raw[0] == '[' {
		if r, err := history.ParseReadValue(bytes.Clone(raw)); err == nil {
			return r, nil
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}
