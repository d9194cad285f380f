package history

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"slices"
)

// BitmapLimit bounds the integer elements a ReadValue keeps in its bitmap:
// 0 <= v < BitmapLimit (the bench broadcasts 0, 1, 2, ...). Other integers
// go to a sorted list.
const BitmapLimit = 1 << 22

// ReadValue is a read completion's messages array, held compactly: the
// array's JSON text exactly as the node sent it (for the history files) and
// an index of its integer elements (a bitmap, plus a sorted list for
// integers outside [0, BitmapLimit)). Membership follows Maelstrom's exact
// equality (MODEL.md, "Checker"): 3 is the integer 3; 3.0, "3" and null are
// non-integer elements and equal no broadcast value. Duplicates are counted.
//
// The bench hands each read completion's ReadValue to the op observers and
// the online checker once, then drops it: nothing in the pipeline keeps a
// read's values, so a run's memory does not grow with the values per read.
// Observers must not keep it either (copy what they need).
type ReadValue struct {
	raw      []byte   // the JSON array as received; nil if built from Go values
	bits     []uint64 // bit v%64 of word v/64 for integer elements 0 <= v < BitmapLimit
	others   []int64  // sorted distinct integer elements outside the bitmap
	n        int      // elements as received
	distinct int      // distinct integer elements
	nonInt   int      // elements that are not integer literals
	dups     int      // integer elements that repeat an earlier one
}

// Len is the number of elements as received, duplicates and non-integer
// elements included (Maelstrom's (count value)).
func (r *ReadValue) Len() int { return r.n }

// Count is the number of distinct integer elements: how many broadcast
// values the read can show.
func (r *ReadValue) Count() int { return r.distinct }

// Duplicates is the number of integer elements that repeat an earlier one.
func (r *ReadValue) Duplicates() int { return r.dups }

// NonIntegers is the number of elements that are not integer literals.
func (r *ReadValue) NonIntegers() int { return r.nonInt }

// Has reports whether the integer v is an element (exact equality).
func (r *ReadValue) Has(v int64) bool {
	if v >= 0 && v < BitmapLimit {
		w := int(v >> 6)
		return w < len(r.bits) && r.bits[w]&(1<<uint(v&63)) != 0
	}
	_, ok := slices.BinarySearch(r.others, v)
	return ok
}

// Words returns the bitmap of integer elements in [0, BitmapLimit): bit
// v%64 of word v/64 is set iff v is an element. Words past the end are
// zero. The slice is the ReadValue's own: read it, do not change it.
func (r *ReadValue) Words() []uint64 { return r.bits }

// Others returns the integer elements outside [0, BitmapLimit), sorted.
func (r *ReadValue) Others() []int64 { return r.others }

// Each calls fn with every element's JSON text, in the order received. A
// ReadValue built from Go integers yields their decimal text.
func (r *ReadValue) Each(fn func(elem []byte)) { r.Head(r.n, fn) }

// errHeadDone stops Head's scan once it has yielded enough elements.
var errHeadDone = errors.New("head done")

// Head is Each for the first n elements only: the scan stops there, so a
// summary of a large read costs n elements, not the whole array.
func (r *ReadValue) Head(n int, fn func(elem []byte)) {
	seen := 0
	if r.raw != nil {
		if n <= 0 {
			return
		}
		_ = scanArray(r.raw, func(e []byte) error {
			fn(e)
			if seen++; seen == n {
				return errHeadDone
			}
			return nil
		})
		return
	}
	var buf []byte
	r.EachInt(func(v int64) {
		if seen < n {
			buf = fmt.Appendf(buf[:0], "%d", v)
			fn(buf)
			seen++
		}
	})
}

// EachInt calls fn with every distinct integer element in ascending order.
func (r *ReadValue) EachInt(fn func(v int64)) {
	i := 0
	for ; i < len(r.others) && r.others[i] < 0; i++ {
		fn(r.others[i])
	}
	for w, word := range r.bits {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			fn(int64(w)<<6 | int64(b))
			word &= word - 1
		}
	}
	for ; i < len(r.others); i++ {
		fn(r.others[i])
	}
}

// Raw returns the array's JSON text as received, or nil if the ReadValue
// was built from Go values.
func (r *ReadValue) Raw() []byte { return r.raw }

// MarshalJSON writes the array as received (encoding/json compacts it).
func (r *ReadValue) MarshalJSON() ([]byte, error) {
	if r.raw != nil {
		return r.raw, nil
	}
	b := []byte{'['}
	first := true
	r.Each(func(e []byte) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, e...)
	})
	return append(b, ']'), nil
}

// ErrNotArray is returned by ParseReadValue for JSON that is not an array.
var ErrNotArray = errors.New("history: read value is not a JSON array")

// ParseReadValue indexes a messages array given as JSON text. raw is kept,
// not copied: it must not change afterwards.
func ParseReadValue(raw []byte) (*ReadValue, error) {
	r := &ReadValue{raw: raw}
	if err := scanArray(raw, r.add); err != nil {
		return nil, err
	}
	r.finish()
	return r, nil
}

// ReadValueOf converts a read completion's Value, in any form a history may
// hold it, to a ReadValue: a *ReadValue as is, raw JSON elements
// ([]json.RawMessage, or []any of json.RawMessage and json.Number), Go
// integers ([]int64, []int, or in a []any), or nil (no elements). Other
// elements of a []any (floats, strings, maps) are non-integers. ok is false
// if v is not a list at all.
func ReadValueOf(v any) (r *ReadValue, ok bool) {
	switch xs := v.(type) {
	case *ReadValue:
		return xs, xs != nil
	case nil:
		return &ReadValue{}, true
	case []json.RawMessage:
		var b bytes.Buffer
		b.WriteByte('[')
		r = &ReadValue{}
		for i, x := range xs {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(x)
			r.add(x)
		}
		b.WriteByte(']')
		r.raw = b.Bytes()
	case []int64:
		r = &ReadValue{}
		for _, x := range xs {
			r.addInt(x)
		}
	case []int:
		r = &ReadValue{}
		for _, x := range xs {
			r.addInt(int64(x))
		}
	case []any:
		r = &ReadValue{}
		for _, x := range xs {
			switch e := x.(type) {
			case json.RawMessage:
				r.add(e)
			case json.Number:
				r.add([]byte(e))
			case int:
				r.addInt(int64(e))
			case int64:
				r.addInt(e)
			case int32:
				r.addInt(int64(e))
			default:
				r.n++
				r.nonInt++
			}
		}
	default:
		return nil, false
	}
	r.finish()
	return r, true
}

// add indexes one element given as JSON text.
func (r *ReadValue) add(elem []byte) error {
	if v, ok := IntLiteral(elem); ok {
		r.addInt(v)
	} else {
		r.n++
		r.nonInt++
	}
	return nil
}

func (r *ReadValue) addInt(v int64) {
	r.n++
	if v >= 0 && v < BitmapLimit {
		w := int(v >> 6)
		if w >= len(r.bits) {
			if w < cap(r.bits) {
				r.bits = r.bits[:w+1]
			} else {
				r.bits = append(r.bits, make([]uint64, w+1-len(r.bits))...)
			}
		}
		bit := uint64(1) << uint(v&63)
		if r.bits[w]&bit != 0 {
			r.dups++
			return
		}
		r.bits[w] |= bit
		r.distinct++
		return
	}
	r.others = append(r.others, v)
}

// finish sorts the out-of-bitmap integers and counts their duplicates.
func (r *ReadValue) finish() {
	if len(r.others) == 0 {
		return
	}
	slices.Sort(r.others)
	out := r.others[:1]
	for _, v := range r.others[1:] {
		if v == out[len(out)-1] {
			r.dups++
			continue
		}
		out = append(out, v)
	}
	r.others = out
	r.distinct += len(out)
}

// scanArray calls fn with each element of the JSON array raw, trimmed of
// whitespace. It checks the array's structure; elements that are not plain
// numbers are checked with json.Valid.
func scanArray(raw []byte, fn func(elem []byte) error) error {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return ErrNotArray
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == ']' {
		if skipSpace(raw, i+1) != len(raw) {
			return ErrNotArray
		}
		return nil
	}
	for {
		end, err := valueEnd(raw, i)
		if err != nil {
			return err
		}
		if err := fn(raw[i:end]); err != nil {
			return err
		}
		i = skipSpace(raw, end)
		if i >= len(raw) {
			return ErrNotArray
		}
		switch raw[i] {
		case ',':
			i = skipSpace(raw, i+1)
		case ']':
			if skipSpace(raw, i+1) != len(raw) {
				return ErrNotArray
			}
			return nil
		default:
			return ErrNotArray
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// valueEnd returns the end of the JSON value starting at b[i].
func valueEnd(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, ErrNotArray
	}
	switch c := b[i]; {
	case c == '-' || (c >= '0' && c <= '9'):
		j := i + 1
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == len(b) || b[j] == ',' || b[j] == ']' || isSpace(b[j]) {
			return j, nil // digits only: IntLiteral judges it
		}
		// A fraction or exponent: find the end, then validate.
		for j < len(b) && b[j] != ',' && b[j] != ']' && !isSpace(b[j]) {
			j++
		}
		return j, validElem(b[i:j])
	case c == '"' || c == '[' || c == '{':
		depth, inStr := 0, false
		for j := i; j < len(b); j++ {
			ch := b[j]
			if inStr {
				switch ch {
				case '\\':
					j++
				case '"':
					inStr = false
					if depth == 0 {
						return j + 1, validElem(b[i : j+1])
					}
				}
				continue
			}
			switch ch {
			case '"':
				inStr = true
			case '[', '{':
				depth++
			case ']', '}':
				depth--
				if depth == 0 {
					return j + 1, validElem(b[i : j+1])
				}
			}
		}
		return 0, ErrNotArray
	default: // true, false, null
		j := i
		for j < len(b) && b[j] != ',' && b[j] != ']' && !isSpace(b[j]) {
			j++
		}
		return j, validElem(b[i:j])
	}
}

func validElem(b []byte) error {
	if !json.Valid(b) {
		return fmt.Errorf("history: read element %q is not JSON", b)
	}
	return nil
}
