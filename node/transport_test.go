package node

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// readAll reads lines until EOF, recording too-long lines as "TOOLONG:<len>".
func readAll(t testing.TB, tr Transport, max int) []string {
	t.Helper()
	var out []string
	for {
		line, err := tr.ReadLine(max)
		var tl *LineTooLongError
		switch {
		case err == nil:
			out = append(out, string(line))
		case errors.As(err, &tl):
			out = append(out, "TOOLONG:"+itoa(tl.Len))
		case errors.Is(err, io.EOF):
			return out
		default:
			t.Fatalf("ReadLine: %v", err)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Rule: no 64 KiB limit; lines up to the cap are parsed, a longer one is
// skipped up to its newline and reading goes on; CRLF and a last line
// without newline are handled.
func TestStdioReadLine(t *testing.T) {
	long := strings.Repeat("a", 200<<10)      // over bufio's 64 KiB buffer, under the cap
	tooLong := strings.Repeat("b", 300<<10+1) // over the cap
	input := "first\r\n" + long + "\n\n" + tooLong + "\nafter\nlast-no-newline"
	want := []string{"first", long, "", "TOOLONG:" + itoa(int64(len(tooLong))), "after", "last-no-newline"}
	for name, r := range map[string]io.Reader{
		"whole":    strings.NewReader(input),
		"one byte": iotest.OneByteReader(strings.NewReader(input)),
		"half":     iotest.HalfReader(strings.NewReader(input)),
	} {
		got := readAll(t, NewStdio(r, io.Discard), 300<<10)
		if len(got) != len(want) {
			t.Fatalf("%s: %d lines, want %d", name, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: line %d = %.40q (len %d), want %.40q (len %d)", name, i, got[i], len(got[i]), want[i], len(want[i]))
			}
		}
	}
}

// Rule: a read error other than EOF is reported after the lines before it.
func TestStdioReadError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("a\nb"), iotest.ErrReader(boom))
	s := NewStdio(r, io.Discard)
	for _, want := range []string{"a", "b"} {
		if line, err := s.ReadLine(1024); err != nil || string(line) != want {
			t.Fatalf("got %q %v, want %q", line, err, want)
		}
	}
	if _, err := s.ReadLine(1024); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
}

// Rule: CloseInput on a closable reader wakes a blocked ReadLine.
func TestStdioCloseInputWakesReader(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	s := NewStdio(pr, io.Discard)
	done := make(chan error, 1)
	go func() {
		_, err := s.ReadLine(1024)
		done <- err
	}()
	s.CloseInput()
	s.CloseInput()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("ReadLine returned a line after CloseInput")
		}
	case <-time.After(waitLong):
		t.Fatal("ReadLine still blocked after CloseInput")
	}
}

// Rule: every written line ends with "\n" and output is buffered until Flush.
func TestStdioWrite(t *testing.T) {
	var buf bytes.Buffer
	s := NewStdio(strings.NewReader(""), &buf)
	s.WriteLine([]byte(`{"a":1}`))
	s.WriteLine([]byte(`{"b":2}`))
	if buf.Len() != 0 {
		t.Fatalf("wrote %q before Flush", buf.String())
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "{\"a\":1}\n{\"b\":2}\n" {
		t.Fatalf("output %q", buf.String())
	}
}

// Rule: the in-memory twin behaves like Stdio: cap, EOF after CloseInput,
// output visible only after Flush.
func TestMemTransport(t *testing.T) {
	m := NewMem()
	m.Deliver([]byte("one"))
	m.Deliver([]byte(strings.Repeat("x", 2000)))
	m.CloseInput()
	m.Deliver([]byte("dropped"))
	if got := readAll(t, m, 1024); len(got) != 2 || got[0] != "one" || got[1] != "TOOLONG:2000" {
		t.Fatalf("got %q", got)
	}
	m.WriteLine([]byte("out"))
	if _, err := m.Next(time.Millisecond); !errors.Is(err, ErrNoLine) {
		t.Fatalf("line visible before Flush: %v", err)
	}
	m.Flush()
	if line, err := m.Next(waitLong); err != nil || string(line) != "out" {
		t.Fatalf("Next = %q %v", line, err)
	}
}

// FuzzStdioReadLine checks the line reader against bytes.Split under
// arbitrary chunking: every line under the cap comes back intact, every
// line over it is reported with its length.
func FuzzStdioReadLine(f *testing.F) {
	f.Add([]byte("a\nbb\n\nccc"), int64(1), 4)
	f.Add([]byte(strings.Repeat("z", 5000)+"\nq\n"), int64(2), 1024)
	f.Fuzz(func(t *testing.T, data []byte, seed int64, max int) {
		if max < 1 || max > 1<<16 {
			return
		}
		r := &chunkReader{data: data, rnd: rand.New(rand.NewSource(seed))}
		got := readAll(t, NewStdio(r, io.Discard), max)
		parts := bytes.Split(data, []byte("\n"))
		if len(parts) > 0 && len(parts[len(parts)-1]) == 0 {
			parts = parts[:len(parts)-1]
		}
		if len(got) != len(parts) {
			t.Fatalf("%d lines, want %d", len(got), len(parts))
		}
		for i, p := range parts {
			want := string(bytes.TrimSuffix(p, []byte("\r")))
			if len(p) > max {
				want = "TOOLONG:" + itoa(int64(len(p)))
			}
			if got[i] != want {
				t.Fatalf("line %d = %q, want %q", i, got[i], want)
			}
		}
	})
}

// chunkReader returns data in random-sized pieces.
type chunkReader struct {
	data []byte
	rnd  *rand.Rand
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := 1 + c.rnd.Intn(len(c.data))
	n = min(n, len(p))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}
