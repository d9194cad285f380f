package history

import "math"

// IntLiteral parses raw JSON that is an integer literal (-?(0|[1-9][0-9]*),
// surrounding JSON whitespace allowed) and is the bench's only JSON-integer
// parser. It is the rule Maelstrom applies twice (MODEL.md, "Checker" and
// "Reply schemas"): a read element 3 equals the broadcast value 3, while 3.0,
// 3e0, "3" and null equal nothing; and a reply's in_reply_to or msg_id
// passes the Int schema only if it is such a literal (null fails, as
// (integer? nil) does). "-0" is the integer 0. Literals beyond int64 are not
// integers here: they equal no broadcast value and no msg_id.
func IntLiteral(raw []byte) (int64, bool) {
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
