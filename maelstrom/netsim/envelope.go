package netsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Envelope errors, all fatal for the sending node's stdout reader (MODEL.md, "Fatal output").
var (
	// ErrNotJSON: the line is not well-formed JSON.
	ErrNotJSON = errors.New("netsim: line is not well-formed JSON")
	// ErrMalformed: the line fails the closed envelope schema (MODEL.md, "Envelope").
	ErrMalformed = errors.New("netsim: malformed network message")
	// ErrBody: the body is neither an object nor null.
	ErrBody = errors.New("netsim: message body is not a JSON object")
	// ErrInvalidSource / ErrInvalidDest: src or dest is not registered now.
	ErrInvalidSource = errors.New("Invalid source")
	ErrInvalidDest   = errors.New("Invalid dest")
)

// envelope is what routing needs from one stdout line. src and dest alias
// the line (or a fresh unescaped copy); body is the raw body value, nil if
// absent or null.
type envelope struct {
	src, dest []byte
	body      []byte
}

// skipWS returns the index of the first non-whitespace byte at or after i.
func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index just past the JSON string starting at b[i]
// (b[i] == '"'); b is known to be valid JSON.
func skipString(b []byte, i int) int {
	i++
	for i < len(b) {
		switch b[i] {
		case '\\':
			i += 2
		case '"':
			return i + 1
		default:
			i++
		}
	}
	return i
}

// skipValue returns the index just past the JSON value starting at b[i]; b
// is known to be valid JSON.
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	default:
		for i < len(b) {
			switch b[i] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				return i
			}
			i++
		}
		return i
	}
}

// eachMember calls fn for every member of the JSON object obj (valid JSON,
// leading whitespace allowed). key is the unescaped key; val the raw value.
// It reports false if obj is not an object.
func eachMember(obj []byte, fn func(key, val []byte)) bool {
	i := skipWS(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return false
	}
	i = skipWS(obj, i+1)
	if i < len(obj) && obj[i] == '}' {
		return true
	}
	for i < len(obj) {
		end := skipString(obj, i)
		key := obj[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			var s string
			if json.Unmarshal(obj[i:end], &s) == nil {
				key = []byte(s)
			}
		}
		i = skipWS(obj, end)
		i = skipWS(obj, i+1) // past ':'
		vend := skipValue(obj, i)
		fn(key, obj[i:vend])
		i = skipWS(obj, vend)
		if i >= len(obj) || obj[i] == '}' {
			return true
		}
		i = skipWS(obj, i+1) // past ','
	}
	return true
}

// stringValue unquotes a raw JSON string value, reporting false if raw is
// not a string. The result aliases raw when there are no escapes.
func stringValue(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return nil, false
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return inner, true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil, false
	}
	return []byte(s), true
}

// isIntLiteral reports whether raw is a JSON integer literal (no fraction,
// no exponent): what Clojure's integer? accepts after parsing.
func isIntLiteral(raw []byte) bool {
	i := 0
	if i < len(raw) && raw[i] == '-' {
		i++
	}
	if i >= len(raw) {
		return false
	}
	for ; i < len(raw); i++ {
		if raw[i] < '0' || raw[i] > '9' {
			return false
		}
	}
	return true
}

// intValue parses raw as an integer literal.
func intValue(raw []byte) (int64, bool) {
	if !isIntLiteral(raw) {
		return 0, false
	}
	v, err := strconv.ParseInt(string(raw), 10, 64)
	return v, err == nil
}

// parseEnvelope checks line against the closed envelope schema of MODEL.md, "Envelope":
// keys src (string), dest (string), body (object or null) and id (integer,
// ignored). Errors wrap ErrNotJSON, ErrMalformed or ErrBody.
func parseEnvelope(line []byte) (envelope, error) {
	var env envelope
	if len(bytes.TrimSpace(line)) == 0 {
		// Cheshire parses a blank line as nil, which then fails the schema.
		return env, fmt.Errorf("%w: {:src missing-required-key, :dest missing-required-key}", ErrMalformed)
	}
	if !json.Valid(line) {
		return env, ErrNotJSON
	}
	var problems []string
	var haveSrc, haveDest bool
	ok := eachMember(line, func(key, val []byte) {
		switch string(key) {
		case "src":
			s, isStr := stringValue(val)
			if !isStr {
				problems = append(problems, ":src (not (instance? java.lang.String "+string(val)+"))")
				return
			}
			env.src, haveSrc = s, true
		case "dest":
			s, isStr := stringValue(val)
			if !isStr {
				problems = append(problems, ":dest (not (instance? java.lang.String "+string(val)+"))")
				return
			}
			env.dest, haveDest = s, true
		case "body":
			if string(val) == "null" {
				env.body = nil
			} else {
				env.body = val
			}
		case "id":
			if !isIntLiteral(val) {
				problems = append(problems, ":id (not (integer? "+string(val)+"))")
			}
		default:
			problems = append(problems, strconv.Quote(string(key))+" disallowed-key")
		}
	})
	if !ok {
		return env, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	if !haveSrc && !containsProblem(problems, ":src") {
		problems = append(problems, ":src missing-required-key")
	}
	if !haveDest && !containsProblem(problems, ":dest") {
		problems = append(problems, ":dest missing-required-key")
	}
	if len(problems) > 0 {
		return env, fmt.Errorf("%w: %s", ErrMalformed, joinProblems(problems))
	}
	if env.body != nil {
		switch env.body[0] {
		case '{':
		case '[':
			// An empty array keywordizes to {}; any other array throws.
			if i := skipWS(env.body, 1); i < len(env.body) && env.body[i] == ']' {
				env.body = nil
			} else {
				return env, ErrBody
			}
		default:
			return env, ErrBody
		}
	}
	return env, nil
}

func containsProblem(ps []string, prefix string) bool {
	for _, p := range ps {
		if len(p) >= len(prefix) && p[:len(prefix)] == prefix {
			return true
		}
	}
	return false
}

func joinProblems(ps []string) string {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range ps {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p)
	}
	b.WriteByte('}')
	return b.String()
}

// hasSpace reports whether b holds any JSON whitespace byte (inside strings
// too: a cheap over-approximation that only costs a needless Compact).
func hasSpace(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			return true
		}
	}
	return false
}

// appendDelivery appends the line Maelstrom writes to a node's stdin:
// {"id":N,"src":S,"dest":D,"body":B}\n with a compact body ({} if nil).
// srcQ and destQ are already JSON-quoted.
func appendDelivery(dst []byte, id int64, srcQ, destQ, body []byte) []byte {
	dst = append(dst, `{"id":`...)
	dst = strconv.AppendInt(dst, id, 10)
	dst = append(dst, `,"src":`...)
	dst = append(dst, srcQ...)
	dst = append(dst, `,"dest":`...)
	dst = append(dst, destQ...)
	dst = append(dst, `,"body":`...)
	dst = appendBody(dst, body)
	dst = append(dst, '}', '\n')
	return dst
}

// appendBody appends body compacted, or {} when body is nil.
func appendBody(dst, body []byte) []byte {
	if body == nil {
		return append(dst, '{', '}')
	}
	if !hasSpace(body) {
		return append(dst, body...)
	}
	buf := bytes.NewBuffer(dst)
	if err := json.Compact(buf, body); err != nil {
		return append(dst, body...)
	}
	return buf.Bytes()
}

// quote returns s as a JSON string.
func quote(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}
