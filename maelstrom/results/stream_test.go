package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"broadcast/maelstrom/history"
)

// The writers the bench had before streaming, kept as the oracle the
// HistoryWriter must match byte for byte.
func oracleHistoryTxt(w io.Writer, ops []history.Op) error {
	bw := bufio.NewWriter(w)
	for _, op := range ops {
		var p string
		if op.Process == history.NemesisProcess {
			p = ":nemesis"
		} else {
			p = strconv.Itoa(op.Process)
		}
		fmt.Fprintf(bw, "%s\t:%s\t:%s\t%s", p, op.Type, op.F, FlatEDN(oracleValue(op)))
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

func oracleHistoryEDN(w io.Writer, ops []history.Op) error {
	bw := bufio.NewWriter(w)
	for _, op := range ops {
		m := OpMap(op, "")
		m[5] = kv("value", oracleValue(op))
		bw.WriteString(FlatEDN(m))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// oracleValue renders a read the old way: the value as []json.RawMessage
// through Value.
func oracleValue(op history.Op) any {
	if r, ok := op.Value.(*history.ReadValue); ok {
		op.Value = op.ReadValues()
		_ = r
	}
	return opValue(op)
}

// randomOps makes ops of every shape the bench records, reads given as
// *history.ReadValue parsed from JSON text with odd elements and spacing.
func randomOps(rng *rand.Rand, n int) []history.Op {
	var ops []history.Op
	elems := []string{"3.0", `"x"`, "-0", "1e3", "99999999999999999999", `{"a":[1,"]"]}`, "null", "true", "-5", `"\u00e9\"q"`}
	for i := 0; i < n; i++ {
		op := history.Op{Index: i, Time: int64(i) * 1000, Process: rng.Intn(4), Node: "n" + strconv.Itoa(rng.Intn(3))}
		switch rng.Intn(6) {
		case 0:
			op.Type, op.F, op.Value = history.Invoke, "broadcast", int64(rng.Intn(100))
		case 1:
			op.Type, op.F, op.Value = history.OK, "broadcast", int64(rng.Intn(100))
		case 2:
			op.Type, op.F, op.Final = history.Invoke, "read", rng.Intn(5) == 0
		case 3:
			var b bytes.Buffer
			b.WriteString("[")
			k := rng.Intn(40)
			for j := 0; j < k; j++ {
				if j > 0 {
					b.WriteString([]string{",", ", ", " ,\n"}[rng.Intn(3)])
				}
				if rng.Intn(8) == 0 {
					b.WriteString(elems[rng.Intn(len(elems))])
				} else {
					b.WriteString(strconv.Itoa(rng.Intn(200)))
				}
			}
			b.WriteString("]")
			r, err := history.ParseReadValue(b.Bytes())
			if err != nil {
				panic(fmt.Sprintf("%s: %v", b.String(), err))
			}
			op.Type, op.F, op.Value = history.OK, "read", r
		case 4:
			op.Type, op.F = []history.Type{history.Fail, history.Info}[rng.Intn(2)], []string{"read", "broadcast"}[rng.Intn(2)]
			op.Error = []any{"net-timeout", []any{"crash", "boom <&>"}, "indeterminate: bad \"reply\""}[rng.Intn(3)]
			if rng.Intn(2) == 0 {
				op.Exception = "clojure.lang.ExceptionInfo"
			}
		default:
			op.Process, op.Type, op.F = history.NemesisProcess, history.Info, "start-partition"
			op.Value = []any{"isolated", map[string][]string{"n0": {"n1"}}}
		}
		ops = append(ops, op)
	}
	return ops
}

func streamRun(t *testing.T, format string, run history.Run) (string, *HistoryWriter) {
	t.Helper()
	dir := t.TempDir()
	h, err := NewHistoryWriter(dir, HistoryConfig{Format: format, Nodes: run.Nodes, Concurrency: run.Concurrency})
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range run.Ops {
		h.Observe(op)
	}
	if err := h.Close(run); err != nil {
		t.Fatal(err)
	}
	return dir, h
}

// Rule: the streamed history.txt, history.edn and history.json are byte
// for byte what the bench's batch writers (and encoding/json on the whole
// run) produce from the same ops; reads held as *ReadValue print exactly
// as the []json.RawMessage they were parsed from.
func TestHistoryWriterMatchesBatchWriters(t *testing.T) {
	for seed := int64(1); seed <= 40; seed++ {
		rng := rand.New(rand.NewSource(seed))
		run := smallRun()
		if seed > 1 {
			run.Ops = randomOps(rng, rng.Intn(60))
		}
		dir, h := streamRun(t, FormatFull, run)
		var txt, edn, js bytes.Buffer
		oracleHistoryTxt(&txt, run.Ops)
		oracleHistoryEDN(&edn, run.Ops)
		old := run
		old.Ops = append([]history.Op(nil), run.Ops...)
		for i := range old.Ops {
			if _, ok := old.Ops[i].Value.(*history.ReadValue); ok {
				old.Ops[i].Value = old.Ops[i].ReadValues()
			}
		}
		enc := json.NewEncoder(&js)
		enc.SetEscapeHTML(false)
		enc.Encode(old)
		for name, want := range map[string][]byte{HistoryTxt: txt.Bytes(), HistoryEDN: edn.Bytes(), HistoryJSON: js.Bytes()} {
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("seed %d: streamed %s differs:\n got %q\nwant %q", seed, name, got, want)
			}
			if h.Sizes()[name] != int64(len(got)) {
				t.Errorf("seed %d: %s size %d, file %d", seed, name, h.Sizes()[name], len(got))
			}
		}
		// Resolve reads ops back from history.json.
		if len(run.Ops) > 0 {
			pos := []int{len(run.Ops) - 1, 0}
			got, err := h.Resolve(pos)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range pos {
				if a, b := FlatEDN(OpMap(got[i], "")), FlatEDN(OpMap(run.Ops[p], "")); a != b {
					t.Fatalf("seed %d: resolved op %d = %s, want %s", seed, p, a, b)
				}
			}
		}
	}
}

// sameRead compares two reads as sets: integer elements, counts,
// duplicates and non-integers.
func sameRead(a, b *history.ReadValue) bool {
	var x, y []int64
	a.EachInt(func(v int64) { x = append(x, v) })
	b.EachInt(func(v int64) { y = append(y, v) })
	return reflect.DeepEqual(x, y) && a.Len() == b.Len() && a.Count() == b.Count() &&
		a.Duplicates() == b.Duplicates() && a.NonIntegers() == b.NonIntegers()
}

// Rule: the delta history reads back to the same ops, each read to the
// same set of elements (with the same duplicates and non-integers), and
// the same trailer; Resolve rebuilds any op from it.
func TestDeltaHistoryRoundTrip(t *testing.T) {
	for seed := int64(1); seed <= 40; seed++ {
		rng := rand.New(rand.NewSource(seed))
		run := smallRun()
		if seed > 1 {
			run.Ops = randomOps(rng, rng.Intn(80))
		}
		for i := range run.Ops {
			if r, ok := history.ReadValueOf(run.Ops[i].Value); ok && run.Ops[i].F == "read" && run.Ops[i].Type == history.OK {
				run.Ops[i].Value = r
			}
		}
		dir, h := streamRun(t, FormatDelta, run)
		f, err := os.Open(filepath.Join(dir, HistoryDelta))
		if err != nil {
			t.Fatal(err)
		}
		back, err := ReadHistoryDelta(f)
		f.Close()
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if len(back.Ops) != len(run.Ops) || !reflect.DeepEqual(back.Net, run.Net) || !reflect.DeepEqual(back.Faults, run.Faults) ||
			back.Start != run.Start || !reflect.DeepEqual(back.Nodes, run.Nodes) || back.Concurrency != run.Concurrency {
			t.Fatalf("seed %d: run read back differs", seed)
		}
		check := func(got, want history.Op) {
			t.Helper()
			if r := want.Read(); r != nil {
				if !sameRead(got.Read(), r) {
					t.Fatalf("seed %d: op %d read differs", seed, want.Index)
				}
				got.Value, want.Value = nil, nil
			}
			if a, b := FlatEDN(OpMap(got, "")), FlatEDN(OpMap(want, "")); a != b {
				t.Fatalf("seed %d: op read back %s, want %s", seed, a, b)
			}
		}
		for i := range run.Ops {
			check(back.Ops[i], run.Ops[i])
		}
		if len(run.Ops) > 2 {
			pos := []int{len(run.Ops) - 1, 1, len(run.Ops) / 2}
			got, err := h.Resolve(pos)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range pos {
				check(got[i], run.Ops[p])
			}
		}
	}
}

// Rule: a read that grows by a few values costs a few bytes in the delta
// history, not the whole list again.
func TestDeltaHistoryIsCompact(t *testing.T) {
	var ops []history.Op
	for i := 0; i < 200; i++ {
		var b bytes.Buffer
		b.WriteString("[")
		for v := 0; v < 1000+i*10; v++ {
			if v > 0 {
				b.WriteString(",")
			}
			b.WriteString(strconv.Itoa(v))
		}
		b.WriteString("]")
		r, _ := history.ParseReadValue(b.Bytes())
		ops = append(ops, history.Op{Index: i, Type: history.OK, Process: 0, F: "read", Node: "n0", Value: r})
	}
	_, h := streamRun(t, FormatDelta, history.Run{Ops: ops})
	if n := h.Sizes()[HistoryDelta]; n > 200*200 {
		t.Errorf("delta history of 200 growing reads is %d bytes, want < %d", n, 200*200)
	}
}

// Rule: the jepsen.util log line of an op is its history.txt line; in the
// delta format a read's value is shortened to its count.
func TestHistoryWriterLogLines(t *testing.T) {
	r, _ := history.ParseReadValue([]byte("[1,2,2]"))
	ops := []history.Op{
		{Index: 0, Type: history.Invoke, Process: 0, F: "read"},
		{Index: 1, Type: history.OK, Process: 0, F: "read", Value: r},
	}
	for format, want := range map[string]string{FormatFull: "0\t:ok\t:read\t[1 2 2]", FormatDelta: "0\t:ok\t:read\t<3 values>"} {
		var lines []string
		h, err := NewHistoryWriter(t.TempDir(), HistoryConfig{Format: format, Log: func(l string) { lines = append(lines, l) }})
		if err != nil {
			t.Fatal(err)
		}
		for _, op := range ops {
			h.Observe(op)
		}
		h.Close(history.Run{})
		if len(lines) != 2 || lines[0] != "0\t:invoke\t:read\tnil" || lines[1] != want {
			t.Errorf("%s: log lines %q, want the invoke line and %q", format, lines, want)
		}
	}
}
