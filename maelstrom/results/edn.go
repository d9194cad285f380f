package results

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"broadcast/maelstrom/checker"
)

// ednWidth is the line width of the pretty printer (fipp's default, which
// jepsen's store uses for results.edn).
const ednWidth = 70

// EDN renders v pretty-printed as fipp does: a collection goes on one line
// if it ends within the width (separators after it do not count), otherwise
// maps put one entry per line, aligned after the opening brace, with ","
// separators, and sequences one item per line.
func EDN(v any) []byte {
	var p ednPrinter
	p.pretty(v)
	p.buf.WriteByte('\n')
	return p.buf.Bytes()
}

// FlatEDN renders v on one line (as Clojure's pr-str does).
func FlatEDN(v any) string {
	var b strings.Builder
	writeFlat(&b, v)
	return b.String()
}

// ednSink is what the flat printer writes to (strings.Builder,
// bytes.Buffer).
type ednSink interface {
	WriteString(s string) (int, error)
	WriteByte(c byte) error
	Write(p []byte) (int, error)
}

// writeFlatTo renders v on one line into b.
func writeFlatTo(b *bytes.Buffer, v any) { writeFlat(b, v) }

type ednPrinter struct {
	buf bytes.Buffer
	col int
}

func (p *ednPrinter) write(s string) {
	p.buf.WriteString(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		p.col = utf8.RuneCountInString(s[i+1:])
	} else {
		p.col += utf8.RuneCountInString(s)
	}
}

// pretty prints v at the current column.
func (p *ednPrinter) pretty(v any) {
	flat := FlatEDN(v)
	if p.col+utf8.RuneCountInString(flat) <= ednWidth {
		p.write(flat)
		return
	}
	switch x := v.(type) {
	case Map:
		p.write("{")
		start := p.col
		for i, e := range x {
			if i > 0 {
				p.write(",\n" + strings.Repeat(" ", start))
			}
			p.write(FlatEDN(e.Key) + " ")
			p.pretty(e.Val)
		}
		p.write("}")
	case Tagged:
		p.write("#" + x.Tag)
		p.pretty(x.Form)
	case readVector:
		p.seq("[", "]", x.vector())
	case List:
		p.seq("(", ")", x)
	case Vector:
		p.seq("[", "]", x)
	case Set:
		p.seq("#{", "}", x)
	default:
		p.write(flat)
	}
}

func (p *ednPrinter) seq(open, close string, xs []any) {
	p.write(open)
	start := p.col
	for i, x := range xs {
		if i > 0 {
			p.write("\n" + strings.Repeat(" ", start))
		}
		p.pretty(x)
	}
	p.write(close)
}

func writeFlat(b ednSink, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("nil")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case validity:
		switch checker.Validity(x) {
		case checker.Valid:
			b.WriteString("true")
		case checker.Invalid:
			b.WriteString("false")
		default:
			b.WriteString(":unknown")
		}
	case int:
		b.WriteString(strconv.Itoa(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case BigInt:
		b.WriteString(string(x) + "N")
	case Float32:
		b.WriteString(javaFloat(float64(x), 32))
	case Double:
		b.WriteString(javaFloat(float64(x), 64))
	case float64:
		b.WriteString(javaFloat(x, 64))
	case string:
		b.WriteString(ednString(x))
	case Keyword:
		b.WriteString(":" + string(x))
	case Symbol:
		b.WriteString(string(x))
	case Map:
		b.WriteByte('{')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeFlat(b, e.Key)
			b.WriteByte(' ')
			writeFlat(b, e.Val)
		}
		b.WriteByte('}')
	case Tagged:
		b.WriteString("#" + x.Tag)
		writeFlat(b, x.Form)
	case List:
		writeSeq(b, "(", ")", x)
	case Vector:
		writeSeq(b, "[", "]", x)
	case Set:
		writeSeq(b, "#{", "}", x)
	case readVector:
		x.writeFlat(b)
	default:
		b.WriteString(ednString(fmt.Sprint(x)))
	}
}

func writeSeq(b ednSink, open, close string, xs []any) {
	b.WriteString(open)
	for i, x := range xs {
		if i > 0 {
			b.WriteByte(' ')
		}
		writeFlat(b, x)
	}
	b.WriteString(close)
}

// ednString quotes s as Clojure's pr does.
func ednString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
