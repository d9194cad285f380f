package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"broadcast/maelstrom/checker"
)

// JSON renders the tree v as indented JSON: keywords become their names
// ("valid?", "msgs-per-op"), numeric map keys their EDN text ("0", "0.5"),
// verdicts true, false or "unknown", and every sequence an array.
func JSON(v any) []byte {
	var b bytes.Buffer
	writeJSON(&b, v, "")
	b.WriteByte('\n')
	return b.Bytes()
}

func writeJSON(b *bytes.Buffer, v any, indent string) {
	inner := indent + "  "
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case validity:
		switch checker.Validity(x) {
		case checker.Valid:
			b.WriteString("true")
		case checker.Invalid:
			b.WriteString("false")
		default:
			b.WriteString(`"unknown"`)
		}
	case int:
		b.WriteString(strconv.Itoa(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case BigInt:
		b.WriteString(string(x))
	case Float32:
		b.WriteString(jsonFloat(float64(x), 32))
	case Double:
		b.WriteString(jsonFloat(float64(x), 64))
	case float64:
		b.WriteString(jsonFloat(x, 64))
	case string:
		writeJSONString(b, x)
	case Keyword:
		writeJSONString(b, string(x))
	case Symbol:
		writeJSONString(b, string(x))
	case Map:
		if len(x) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for i, e := range x {
			b.WriteString(inner)
			writeJSONString(b, jsonKey(e.Key))
			b.WriteString(": ")
			writeJSON(b, e.Val, inner)
			if i < len(x)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "}")
	case Tagged:
		writeJSON(b, x.Form, indent)
	case readVector:
		writeJSONSeq(b, x.vector(), indent)
	case List:
		writeJSONSeq(b, x, indent)
	case Vector:
		writeJSONSeq(b, x, indent)
	case Set:
		writeJSONSeq(b, x, indent)
	default:
		writeJSONString(b, fmt.Sprint(x))
	}
}

// writeJSONSeq writes short scalar arrays on one line, others one item per line.
func writeJSONSeq(b *bytes.Buffer, xs []any, indent string) {
	if len(xs) == 0 {
		b.WriteString("[]")
		return
	}
	scalar := true
	for _, x := range xs {
		switch x.(type) {
		case Map, List, Vector, Set, Tagged:
			scalar = false
		}
	}
	if scalar {
		b.WriteByte('[')
		for i, x := range xs {
			if i > 0 {
				b.WriteString(", ")
			}
			writeJSON(b, x, indent)
		}
		b.WriteByte(']')
		return
	}
	inner := indent + "  "
	b.WriteString("[\n")
	for i, x := range xs {
		b.WriteString(inner)
		writeJSON(b, x, inner)
		if i < len(xs)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString(indent + "]")
}

func jsonKey(k any) string {
	switch x := k.(type) {
	case Keyword:
		return string(x)
	case string:
		return x
	default:
		return FlatEDN(k)
	}
}

// jsonFloat is javaFloat, made valid JSON (non-finite values become null).
func jsonFloat(f float64, bits int) string {
	s := javaFloat(f, bits)
	if strings.ContainsAny(s, "IN") {
		return "null"
	}
	return s
}

func writeJSONString(b *bytes.Buffer, s string) {
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	b.Write(bytes.TrimRight(out.Bytes(), "\n"))
}

// Lookup walks a results.json map as encoding/json decodes it (nested
// map[string]any) by keys: nil where a key is missing or a value on the
// way is not a map.
func Lookup(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}
