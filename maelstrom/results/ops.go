package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/history"
)

// OpMap renders an op as Jepsen prints it in history.edn: {:index :time
// :type :process :f :value [:error] [:exception] [:final?]}. If f is not
// empty it replaces the op's :f (the workload checker sees :add).
func OpMap(op history.Op, f string) Map {
	if f == "" {
		f = op.F
	}
	m := Map{
		kv("index", int64(op.Index)),
		kv("time", op.Time),
		kv("type", Keyword(op.Type)),
		kv("process", process(op.Process)),
		kv("f", Keyword(f)),
		kv("value", opValue(op)),
	}
	if op.Error != nil {
		m = append(m, kv("error", ErrorValue(op.Error)))
	}
	if op.Exception != "" {
		m = append(m, kv("exception", exceptionMap(op)))
	}
	if op.Final {
		m = append(m, kv("final?", true))
	}
	return m
}

// process renders a process id: an integer, or :nemesis.
func process(p int) any {
	if p == history.NemesisProcess {
		return Keyword("nemesis")
	}
	return int64(p)
}

// opValue renders an op's :value: a broadcast's integer, a read's messages
// exactly as received (3 stays 3, 3.0 stays 3.0), a nemesis description.
func opValue(op history.Op) any {
	if op.F == "broadcast" {
		if v, ok := checker.IntValue(op.Value); ok {
			return v
		}
	}
	if r, ok := op.Value.(*history.ReadValue); ok && r != nil {
		return readVector{r}
	}
	return Value(op.Value, op.Process == history.NemesisProcess)
}

// readVector is a read's messages in the tree: rendered element by element
// straight from the JSON text (integers as written, anything else as
// rawValue converts it), without building a Vector of every element.
type readVector struct{ r *history.ReadValue }

func (v readVector) writeFlat(b ednSink) {
	b.WriteByte('[')
	first := true
	var num []byte
	v.r.Each(func(e []byte) {
		if !first {
			b.WriteByte(' ')
		}
		first = false
		if n, ok := history.IntLiteral(e); ok {
			num = strconv.AppendInt(num[:0], n, 10)
			b.Write(num)
			return
		}
		writeFlat(b, rawValue(e))
	})
	b.WriteByte(']')
}

// vector converts the read to a Vector, for the pretty printer and JSON.
func (v readVector) vector() Vector {
	out := make(Vector, 0, v.r.Len())
	v.r.Each(func(e []byte) { out = append(out, rawValue(append(json.RawMessage(nil), e...))) })
	return out
}

// Value converts a Go value from a history into the tree. Raw JSON is
// converted by JSON type; with keywords set, an identifier-like string, or
// the head of a vector, becomes a keyword (nemesis values such as :majority
// or [:isolated {"n1" ["n2"]}]).
func Value(v any, keywords bool) any {
	switch x := v.(type) {
	case nil:
		return nil
	case json.RawMessage:
		return rawValue(x)
	case []json.RawMessage:
		out := make(Vector, len(x))
		for i, r := range x {
			out[i] = rawValue(r)
		}
		return out
	case string:
		if keywords && isKeywordName(x) {
			return Keyword(x)
		}
		return x
	case bool:
		return x
	case float64:
		return Double(x)
	case float32:
		return Float32(x)
	case json.Number:
		return rawValue(json.RawMessage(x))
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		if n, ok := checker.IntValue(x); ok {
			return n
		}
		return BigInt(fmt.Sprint(x))
	case fmt.Stringer:
		return Value(x.String(), keywords)
	}
	// Nested values keep strings as strings (node names), except the head of
	// a tagged vector such as [:isolated {...}].
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		out := make(Vector, rv.Len())
		for i := range out {
			out[i] = Value(rv.Index(i).Interface(), keywords && i == 0)
		}
		return out
	case reflect.Map:
		keys := rv.MapKeys()
		m := make(Map, 0, len(keys))
		for _, k := range keys {
			m = append(m, Entry{Value(k.Interface(), false), Value(rv.MapIndex(k).Interface(), false)})
		}
		sort.Slice(m, func(a, b int) bool { return FlatEDN(m[a].Key) < FlatEDN(m[b].Key) })
		return m
	case reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
		return Value(rv.Elem().Interface(), keywords)
	case reflect.Struct:
		b, err := json.Marshal(v)
		if err == nil {
			return rawValue(b)
		}
	}
	return fmt.Sprint(v)
}

// rawValue converts one raw JSON value by JSON type, the way Maelstrom's
// JSON parser would: integer literals stay integers, other numbers become
// doubles, objects maps with string keys.
func rawValue(raw json.RawMessage) any {
	if n, ok := history.IntLiteral(raw); ok { // the common case, kept cheap
		return n
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return string(raw)
	}
	return jsonValue(v)
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, ok := history.IntLiteral([]byte(x)); ok {
			return n
		}
		if !strings.ContainsAny(string(x), ".eE") {
			return BigInt(strings.TrimPrefix(string(x), "+"))
		}
		f, _ := x.Float64()
		return Double(f)
	case []any:
		out := make(Vector, len(x))
		for i, e := range x {
			out[i] = jsonValue(e)
		}
		return out
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		m := make(Map, 0, len(x))
		for _, k := range keys {
			m = append(m, Entry{k, jsonValue(x[k])})
		}
		return m
	default: // string, bool, nil
		return x
	}
}

// ErrorValue renders an op's :error as Maelstrom does: :net-timeout, a
// vector [:name "text"] for an error reply, or a string such as
// "indeterminate: ...".
func ErrorValue(e any) any {
	switch x := e.(type) {
	case string:
		if isKeywordName(x) {
			return Keyword(x)
		}
		return x
	case []string:
		out := make(Vector, len(x))
		for i, s := range x {
			out[i] = s
		}
		if len(x) > 0 {
			out[0] = Keyword(strings.TrimPrefix(x[0], ":"))
		}
		return out
	case [2]string:
		return Vector{Keyword(strings.TrimPrefix(x[0], ":")), x[1]}
	case []any:
		out := make(Vector, len(x))
		for i, s := range x {
			out[i] = Value(s, false)
		}
		if len(x) > 0 {
			if s, ok := x[0].(string); ok {
				out[0] = Keyword(strings.TrimPrefix(s, ":"))
			}
		}
		return out
	}
	return Value(e, true)
}

// exceptionMap renders an op's exception as a datafied Throwable:
// {:via [{:type Class, :message "..."}], :cause "..."}.
func exceptionMap(op history.Op) Map {
	var class any = op.Exception
	if isSymbolName(op.Exception) {
		class = Symbol(op.Exception)
	}
	msg := strings.TrimPrefix(fmt.Sprint(op.Error), "indeterminate: ")
	if op.Error == nil {
		msg = ""
	}
	return Map{
		kv("via", Vector{Map{kv("type", class), kv("message", msg)}}),
		kv("cause", msg),
	}
}

// classValue renders an exception class name as a symbol when it can be.
func classValue(c string) any {
	if isSymbolName(c) {
		return Symbol(c)
	}
	return c
}
