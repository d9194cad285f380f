package results

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// readEDN is a tiny test-only EDN reader for what Write emits: maps, lists,
// vectors, sets, keywords, symbols, strings, integers (N suffix allowed),
// floats, nil, true, false. It returns the tree types of this package
// (floats as Double, integers as int64, verdicts as bool or :unknown).
func readEDN(s string) (any, error) {
	r := &ednReader{s: s}
	v, err := r.read()
	if err != nil {
		return nil, err
	}
	r.skip()
	if r.i != len(r.s) {
		return nil, fmt.Errorf("trailing input at %d: %q", r.i, r.rest())
	}
	return v, nil
}

type ednReader struct {
	s string
	i int
}

func (r *ednReader) rest() string {
	end := r.i + 20
	if end > len(r.s) {
		end = len(r.s)
	}
	return r.s[r.i:end]
}

func (r *ednReader) skip() {
	for r.i < len(r.s) && (r.s[r.i] == ' ' || r.s[r.i] == ',' || r.s[r.i] == '\n' || r.s[r.i] == '\t' || r.s[r.i] == '\r') {
		r.i++
	}
}

func (r *ednReader) read() (any, error) {
	r.skip()
	if r.i >= len(r.s) {
		return nil, fmt.Errorf("unexpected end")
	}
	switch c := r.s[r.i]; {
	case c == '{':
		r.i++
		items, err := r.until('}')
		if err != nil {
			return nil, err
		}
		if len(items)%2 != 0 {
			return nil, fmt.Errorf("odd map")
		}
		m := Map{}
		for j := 0; j < len(items); j += 2 {
			m = append(m, Entry{items[j], items[j+1]})
		}
		return m, nil
	case c == '(':
		r.i++
		items, err := r.until(')')
		return List(items), err
	case c == '[':
		r.i++
		items, err := r.until(']')
		return Vector(items), err
	case c == '#' && strings.HasPrefix(r.s[r.i:], "#{"):
		r.i += 2
		items, err := r.until('}')
		return Set(items), err
	case c == '#':
		r.i++
		tag := r.token()
		form, err := r.read()
		return Tagged{tag, form}, err
	case c == '"':
		return r.str()
	case c == ':':
		r.i++
		return Keyword(r.token()), nil
	default:
		tok := r.token()
		switch {
		case tok == "":
			return nil, fmt.Errorf("unexpected %q at %d", c, r.i)
		case tok == "nil":
			return nil, nil
		case tok == "true":
			return true, nil
		case tok == "false":
			return false, nil
		case tok[0] == '-' || unicode.IsDigit(rune(tok[0])):
			if strings.HasSuffix(tok, "N") {
				return BigInt(strings.TrimSuffix(tok, "N")), nil
			}
			if n, err := strconv.ParseInt(tok, 10, 64); err == nil {
				return n, nil
			}
			f, err := strconv.ParseFloat(tok, 64)
			if err != nil {
				return nil, fmt.Errorf("bad number %q", tok)
			}
			return Double(f), nil
		default:
			return Symbol(tok), nil
		}
	}
}

func (r *ednReader) token() string {
	start := r.i
	for r.i < len(r.s) && !strings.ContainsRune(" ,\n\t\r{}()[]\"", rune(r.s[r.i])) {
		r.i++
	}
	return r.s[start:r.i]
}

func (r *ednReader) until(close byte) ([]any, error) {
	items := []any{}
	for {
		r.skip()
		if r.i >= len(r.s) {
			return nil, fmt.Errorf("unclosed %q", close)
		}
		if r.s[r.i] == close {
			r.i++
			return items, nil
		}
		v, err := r.read()
		if err != nil {
			return nil, err
		}
		items = append(items, v)
	}
}

func (r *ednReader) str() (string, error) {
	var b strings.Builder
	r.i++
	for r.i < len(r.s) {
		c := r.s[r.i]
		switch c {
		case '"':
			r.i++
			return b.String(), nil
		case '\\':
			r.i++
			if r.i >= len(r.s) {
				return "", fmt.Errorf("bad escape")
			}
			switch r.s[r.i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			default:
				b.WriteByte(r.s[r.i])
			}
		default:
			b.WriteByte(c)
		}
		r.i++
	}
	return "", fmt.Errorf("unclosed string")
}

// normalize maps a written tree to what readEDN gives back, so the two can
// be compared: verdicts become true/false/:unknown, floats Double.
func normalize(v any) any {
	switch x := v.(type) {
	case validity:
		s := FlatEDN(x)
		if s == ":unknown" {
			return Keyword("unknown")
		}
		return s == "true"
	case Float32:
		f, _ := strconv.ParseFloat(FlatEDN(x), 64)
		return Double(f)
	case float64:
		return Double(x)
	case int:
		return int64(x)
	case Map:
		out := Map{}
		for _, e := range x {
			out = append(out, Entry{normalize(e.Key), normalize(e.Val)})
		}
		return out
	case Tagged:
		return Tagged{x.Tag, normalize(x.Form)}
	case List:
		out := List{}
		for _, e := range x {
			out = append(out, normalize(e))
		}
		return out
	case Vector:
		out := Vector{}
		for _, e := range x {
			out = append(out, normalize(e))
		}
		return out
	case Set:
		out := Set{}
		for _, e := range x {
			out = append(out, normalize(e))
		}
		return out
	}
	return v
}
