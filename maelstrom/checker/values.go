package checker

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"broadcast/maelstrom/history"
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
		return history.IntLiteral([]byte(x))
	case json.RawMessage:
		return history.IntLiteral(x)
	}
	return 0, false
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
