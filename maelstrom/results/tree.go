package results

import (
	"math"
	"strconv"
	"strings"

	"broadcast/maelstrom/checker"
)

// The value tree both encoders print. Go maps are avoided so that key order
// is fixed; the EDN and JSON forms come from the same tree.
type (
	// Keyword is an EDN keyword (:name); a JSON string or key "name".
	Keyword string
	// Symbol is an EDN symbol (a class name); a JSON string.
	Symbol string
	// List is an EDN list (...); a JSON array.
	List []any
	// Vector is an EDN vector [...]; a JSON array.
	Vector []any
	// Set is an EDN set #{...}; a JSON array.
	Set []any
	// Map is an ordered map; keys are Keyword, string, int64 or Double.
	Map []Entry
	// Float32 prints as Java's Float.toString (Clojure's float).
	Float32 float32
	// Double prints as Java's Double.toString (Clojure's double).
	Double float64
	// BigInt is an integer too large for int64, kept as its decimal text
	// (EDN prints it with an N suffix).
	BigInt string
)

// Tagged is an EDN tagged literal #tag form, as fipp prints a Clojure
// record (#jepsen.history.Op{...}); in JSON it is just the form.
type Tagged struct {
	Tag  string
	Form any
}

// OpTag is the tag jepsen's ops carry in results.edn.
const OpTag = "jepsen.history.Op"

// Entry is one key/value pair of a Map.
type Entry struct {
	Key any
	Val any
}

// Get returns the value under key, if present.
func (m Map) Get(key any) (any, bool) {
	for _, e := range m {
		if e.Key == key {
			return e.Val, true
		}
	}
	return nil, false
}

// kv builds an Entry with a keyword key.
func kv(k string, v any) Entry { return Entry{Keyword(k), v} }

// validity is a checker verdict in the tree: EDN true/false/:unknown, JSON
// true/false/"unknown".
type validity checker.Validity

// javaFloat formats f the way Java's Float/Double.toString does: plain
// decimal with at least one fractional digit for 1e-3 <= |f| < 1e7,
// otherwise d.dddE±n; shortest digits that round-trip at the given size.
func javaFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, bits)
		if !strings.ContainsRune(s, '.') {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, bits)
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.ContainsRune(mant, '.') {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

// isKeywordName reports whether s can be printed as a keyword and read back
// as the same keyword (conservatively: lower-case identifiers with - ? ! _ .).
func isKeywordName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9', r == '-', r == '?', r == '!', r == '_', r == '*', r == '.', r == '+':
			if i == 0 && (r >= '0' && r <= '9') {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// isSymbolName reports whether s can be printed as a bare symbol (a Java
// class name such as clojure.lang.ExceptionInfo).
func isSymbolName(s string) bool {
	if !isKeywordName(s) {
		return false
	}
	return s != "nil" && s != "true" && s != "false"
}
