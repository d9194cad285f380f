package checker

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// IntValue converts a broadcast value to the integer Maelstrom sent. It
// accepts Go integers, json.Number and json.RawMessage integer literals, and
// integral float64s (what encoding/json gives for a history read back
// without UseNumber; Maelstrom only ever broadcasts integers).
func IntValue(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case int16:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint8:
		return int64(x), true
	case uint:
		if uint64(x) > math.MaxInt64 {
			return 0, false
		}
		return int64(x), true
	case uint64:
		if x > math.MaxInt64 {
			return 0, false
		}
		return int64(x), true
	case float64:
		if x != math.Trunc(x) || x < -(1<<63) || x >= 1<<63 {
			return 0, false
		}
		return int64(x), true
	case json.Number:
		return IntLiteral([]byte(x))
	case json.RawMessage:
		return IntLiteral(x)
	}
	return 0, false
}

// IntLiteral parses raw JSON that is an integer literal (-?(0|[1-9][0-9]*),
// surrounding whitespace allowed). This is the exact-equality rule of the
// set-full checker: the read element 3 equals the broadcast value 3, while
// 3.0, 3e0 and "3" do not (Jackson parses those as a double or a string).
// "-0" is the integer 0. Literals beyond int64 equal no broadcast value.
func IntLiteral(raw []byte) (int64, bool) {
	// Trim JSON whitespace.
	for len(raw) > 0 && isSpace(raw[0]) {
		raw = raw[1:]
	}
	for len(raw) > 0 && isSpace(raw[len(raw)-1]) {
		raw = raw[:len(raw)-1]
	}
	neg := len(raw) > 0 && raw[0] == '-'
	if neg {
		raw = raw[1:]
	}
	if len(raw) == 0 || (len(raw) > 1 && raw[0] == '0') {
		return 0, false
	}
	var n uint64
	for _, c := range raw {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (math.MaxUint64-9)/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	switch {
	case !neg && n <= math.MaxInt64:
		return int64(n), true
	case neg && n <= 1<<63:
		return int64(-n), true // -(1<<63) wraps to MinInt64
	}
	return 0, false
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// intSet is a set of int64: a bitmap for small non-negative values (the
// broadcast values 0, 1, 2, ...) and a map for the rest.
type intSet struct {
	bits  []uint64
	other map[int64]struct{}
}

// bitmapLimit bounds the values kept in the bitmap.
const bitmapLimit = 1 << 22

func (s *intSet) add(v int64) {
	if v >= 0 && v < bitmapLimit {
		w := int(v >> 6)
		if w >= len(s.bits) {
			s.bits = append(s.bits, make([]uint64, w+1-len(s.bits))...)
		}
		s.bits[w] |= 1 << uint(v&63)
		return
	}
	if s.other == nil {
		s.other = map[int64]struct{}{}
	}
	s.other[v] = struct{}{}
}

func (s *intSet) has(v int64) bool {
	if v >= 0 && v < bitmapLimit {
		w := int(v >> 6)
		return w < len(s.bits) && s.bits[w]&(1<<uint(v&63)) != 0
	}
	_, ok := s.other[v]
	return ok
}

// readIntSet returns the integers in a read completion's value under the
// exact-equality rule. Non-integer elements are dropped: they can equal no
// broadcast value. ok is false if v is not a list at all.
func readIntSet(v any) (set *intSet, ok bool) {
	set = &intSet{}
	add := func(n int64, isInt bool) {
		if isInt {
			set.add(n)
		}
	}
	switch xs := v.(type) {
	case nil:
	case []json.RawMessage:
		for _, x := range xs {
			add(IntLiteral(x))
		}
	case []int64:
		for _, x := range xs {
			set.add(x)
		}
	case []int:
		for _, x := range xs {
			set.add(int64(x))
		}
	case []any:
		for _, x := range xs {
			switch e := x.(type) {
			case json.RawMessage:
				add(IntLiteral(e))
			case json.Number:
				add(IntLiteral([]byte(e)))
			case int, int64, int32:
				add(IntValue(e))
			}
			// float64, strings, maps...: never equal to an integer value.
		}
	default:
		return nil, false
	}
	return set, true
}

// ErrorName names an op's :error for counting: "net-timeout", the name of an
// error reply ("temporarily-unavailable", "crash", "unknown", ...), or the
// error text itself (e.g. "indeterminate: ..."). Empty if there is no error.
func ErrorName(e any) string {
	switch x := e.(type) {
	case nil:
		return ""
	case string:
		return x
	case []string:
		if len(x) > 0 {
			return strings.TrimPrefix(x[0], ":")
		}
	case []any:
		if len(x) > 0 {
			return strings.TrimPrefix(fmt.Sprint(x[0]), ":")
		}
	case [2]string:
		return strings.TrimPrefix(x[0], ":")
	}
	return fmt.Sprint(e)
}
