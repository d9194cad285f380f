package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/history"
)

// WriteHistoryTxt writes jepsen's history.txt: one line per op,
// "process\ttype\tf\tvalue[\terror]", with values printed as EDN and the
// error as Clojure's str prints it (":net-timeout", "[:crash \"text\"]", or
// the bare text of a string).
func WriteHistoryTxt(w io.Writer, ops []history.Op) error {
	bw := bufio.NewWriter(w)
	for _, op := range ops {
		var p string
		if op.Process == history.NemesisProcess {
			p = ":nemesis"
		} else {
			p = strconv.Itoa(op.Process)
		}
		fmt.Fprintf(bw, "%s\t:%s\t:%s\t%s", p, op.Type, op.F, FlatEDN(opValue(op)))
		if op.Error != nil {
			e := ErrorValue(op.Error)
			if s, ok := e.(string); ok {
				fmt.Fprintf(bw, "\t%s", s)
			} else {
				fmt.Fprintf(bw, "\t%s", FlatEDN(e))
			}
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// WriteHistoryEDN writes jepsen's history.edn: one op map per line.
func WriteHistoryEDN(w io.Writer, ops []history.Op) error {
	bw := bufio.NewWriter(w)
	for _, op := range ops {
		bw.WriteString(FlatEDN(OpMap(op, "")))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// WriteHistoryJSON writes the whole run as JSON (history.Run's own field
// names), which ReadHistoryJSON reads back.
func WriteHistoryJSON(w io.Writer, run history.Run) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(run)
}

// ReadHistoryJSON reads a run written by WriteHistoryJSON and restores the
// value types the checker relies on: broadcast values as int64, read values
// as []json.RawMessage (so 3.0 stays distinct from 3), errors as a string
// or a []any.
func ReadHistoryJSON(r io.Reader) (history.Run, error) {
	var raw struct {
		history.Run
		Ops []struct {
			history.Op
			Value json.RawMessage `json:"value"`
			Error json.RawMessage `json:"error"`
		} `json:"ops"`
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&raw); err != nil {
		return history.Run{}, fmt.Errorf("results: decode history.json: %w", err)
	}
	run := raw.Run
	run.Ops = make([]history.Op, len(raw.Ops))
	for i, o := range raw.Ops {
		op := o.Op
		v, err := decodeValue(op, o.Value)
		if err != nil {
			return history.Run{}, fmt.Errorf("results: op %d value: %w", op.Index, err)
		}
		op.Value = v
		if len(o.Error) > 0 {
			var e any
			if err := json.Unmarshal(o.Error, &e); err != nil {
				return history.Run{}, fmt.Errorf("results: op %d error: %w", op.Index, err)
			}
			op.Error = e
		}
		run.Ops[i] = op
	}
	return run, nil
}

func decodeValue(op history.Op, raw json.RawMessage) (any, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if op.F == "broadcast" {
		if n, ok := checker.IntLiteral(raw); ok {
			return n, nil
		}
	}
	if op.F == "read" && op.Process != history.NemesisProcess {
		var elems []json.RawMessage
		if err := json.Unmarshal(raw, &elems); err == nil {
			for i := range elems {
				elems[i] = bytes.Clone(elems[i])
			}
			return elems, nil
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}
