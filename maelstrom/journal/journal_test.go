package journal

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"broadcast/maelstrom/netsim"
)

// Rule: every event written concurrently reads back, names resolved, each
// message's send before its fate, and Messages pairs them into one Message
// per send with its fate.
func TestRoundTripConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	w, err := Create(path, Config{ChunkBytes: 512, MaxPending: 1 << 16})
	if err != nil {
		t.Fatal(err)
	}
	const writers, per = 8, 500
	var wg sync.WaitGroup
	for g := 0; g < writers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := []byte(fmt.Sprintf("n%d", g))
			for i := 0; i < per; i++ {
				id := int64(g*per + i)
				body := []byte(fmt.Sprintf(`{"type":"gossip","i":%d}`, i))
				if i%7 == 0 {
					body = []byte(`{"type":"error","code":11}`)
				}
				w.Send(id, id*10, id*10+5, src, []byte("c3"), body)
				switch i % 3 {
				case 0:
					w.Deliver(id, id*10+6)
				case 1:
					w.Drop(id, id*10+2, netsim.DropPartition)
				}
			}
		}()
	}
	wg.Wait()
	st, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	wantEvents := int64(writers * (per + per - per/3))
	if st.Lost != 0 || st.Events != wantEvents {
		t.Fatalf("stats %+v, want %d events and none lost", st, wantEvents)
	}
	if fi, _ := os.Stat(path); fi.Size() != st.Bytes {
		t.Fatalf("file %d bytes, stats say %d", fi.Size(), st.Bytes)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	counts := map[Fate]int{}
	seen := map[int64]bool{}
	sum, err := Messages(r, func(m Message) error {
		if seen[m.ID] {
			return fmt.Errorf("message %d twice", m.ID)
		}
		seen[m.ID] = true
		counts[m.Fate]++
		i := m.ID % per
		wantSrc := fmt.Sprintf("n%d", m.ID/per)
		if m.Src != wantSrc || m.Dest != "c3" || m.Sent != m.ID*10 || m.Due != m.ID*10+5 || !m.IsClient {
			return fmt.Errorf("message %+v", m)
		}
		if m.IsError != (i%7 == 0) {
			return fmt.Errorf("message %d: IsError %v for %s", m.ID, m.IsError, m.Body)
		}
		switch {
		case i%3 == 0 && (m.Fate != Delivered || m.End != m.ID*10+6):
			return fmt.Errorf("message %d: want delivered at +6: %+v", m.ID, m)
		case i%3 == 1 && (m.Fate != Dropped || m.Why != netsim.DropPartition || m.End != m.ID*10+2):
			return fmt.Errorf("message %d: want dropped at +2: %+v", m.ID, m)
		case i%3 == 2 && m.Fate != InFlight:
			return fmt.Errorf("message %d: want in flight: %+v", m.ID, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Messages != writers*per || sum.Truncated || sum.Lost != 0 {
		t.Fatalf("summary %+v", sum)
	}
	if counts[Delivered] != writers*167 || counts[Dropped] != writers*167 || counts[InFlight] != writers*166 {
		t.Fatalf("fates %v", counts)
	}
}

// Rule: a journal cut anywhere (a run in progress, a crash) reads back its
// whole records and then reports truncation, never a format error.
func TestTruncatedFile(t *testing.T) {
	var full bytes.Buffer
	path := filepath.Join(t.TempDir(), FileName)
	w, err := Create(path, Config{})
	if err != nil {
		t.Fatal(err)
	}
	for i := int64(0); i < 20; i++ {
		w.Send(i, i, i+100, []byte("n1"), []byte("n2"), []byte(`{"type":"x"}`))
		w.Deliver(i, i+100)
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	full.Write(b)
	for cut := len(magic); cut < full.Len(); cut++ {
		r, err := NewReader(bytes.NewReader(full.Bytes()[:cut]))
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		sum, err := Messages(r, func(Message) error { return nil })
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		if sum.Messages > 20 {
			t.Fatalf("cut at %d: %d messages", cut, sum.Messages)
		}
	}
	if _, err := NewReader(bytes.NewReader([]byte("not a journal at all\n"))); !errors.Is(err, ErrFormat) {
		t.Fatalf("bad magic: %v", err)
	}
	if _, err := NewReader(bytes.NewReader(nil)); !errors.Is(err, ErrFormat) {
		t.Fatalf("empty: %v", err)
	}
	r, _ := NewReader(bytes.NewReader(append([]byte(magic), 'Q')))
	if _, err := r.Next(); !errors.Is(err, ErrFormat) {
		t.Fatalf("unknown kind: %v", err)
	}
}

// Rule: the network is never blocked on the disk: when the writing
// goroutine is stuck (here on a pipe nobody reads), events are counted as
// lost instead, calls return at once, and the file says how many were lost.
func TestStuckDiskLosesEventsWithoutBlocking(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("no fifo: %v", err)
	}
	rd, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	w, err := Create(path, Config{ChunkBytes: 4096, MaxPending: 2, FlushEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("x"), 1000)
	start := time.Now()
	const n = 2000 // 2 MB: far beyond the pipe buffer plus 2 chunks
	for i := int64(0); i < n; i++ {
		w.Send(i, i, i, []byte("n1"), []byte("n2"), body)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("2000 sends took %v with the disk stuck", d)
	}
	var got bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		syscall.SetNonblock(int(rd.Fd()), false)
		io.Copy(&got, rd)
	}()
	st, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	<-done
	rd.Close()
	if st.Lost == 0 || st.Events+st.Lost != n {
		t.Fatalf("stats %+v: want some lost and events+lost = %d", st, n)
	}
	r, err := NewReader(&got)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Messages(r, func(Message) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if sum.Lost != st.Lost || sum.Messages != st.Events {
		t.Fatalf("file says %d lost, %d messages; writer %+v", sum.Lost, sum.Messages, st)
	}
}

func BenchmarkSendDeliver(b *testing.B) {
	w, err := Create(filepath.Join(b.TempDir(), FileName), Config{})
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"type":"gossip","values":[1,2,3,4,5,6,7,8],"msg_id":123}`)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var i int64
		for pb.Next() {
			i++
			w.Send(i, i, i+100, []byte("n12"), []byte("n7"), body)
			w.Deliver(i, i+100)
		}
	})
	b.StopTimer()
	if _, err := w.Close(); err != nil {
		b.Fatal(err)
	}
}

// Rule: a body longer than MaxBodyBytes is kept only up to it, with its
// whole length; shorter bodies are kept whole. A long run's read_ok
// bodies therefore cost MaxBodyBytes each, not their size.
func TestLongBodiesKeepTheirHeadAndLength(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	w, err := Create(path, Config{MaxBodyBytes: 64})
	if err != nil {
		t.Fatal(err)
	}
	long := bytes.Repeat([]byte("1234567,"), 100_000) // 800 KB
	short := []byte(`{"type":"read_ok","messages":[1,2]}`)
	w.Send(1, 10, 20, []byte("n1"), []byte("c2"), long)
	w.Send(2, 10, 20, []byte("n1"), []byte("c2"), short)
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Size() > 1024 {
		t.Fatalf("journal of two messages is %d bytes: the long body was kept whole", fi.Size())
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got []Message
	if _, err := Messages(r, func(m Message) error { got = append(got, m); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d messages, want 2", len(got))
	}
	byID := map[int64]Message{got[0].ID: got[0], got[1].ID: got[1]}
	if m := byID[1]; !bytes.Equal(m.Body, long[:64]) || m.BodyBytes != len(long) {
		t.Errorf("long body: kept %d bytes of %d, want 64 of %d", len(m.Body), m.BodyBytes, len(long))
	}
	if m := byID[2]; !bytes.Equal(m.Body, short) || m.BodyBytes != len(short) {
		t.Errorf("short body: %q (%d), want it whole", m.Body, m.BodyBytes)
	}
}

// Rule: an error body is recognised whole or cut short, and a cut body
// (invalid JSON) never breaks the reader.
func TestIsErrorBodyOnHeads(t *testing.T) {
	for body, want := range map[string]bool{
		`{"type":"error","code":11,"text":"x"}`:       true,
		`{"in_reply_to":3,"type":"error","text":"abc`: true,
		`{"type":"read_ok","messages":[1,2,3`:         false,
		`{"messages":[1,2,3,4,5,6,7,8,9,10,11,1`:      false,
		`{"text":"a \"type\":\"error\" inside","ty`:   false,
		`{`:   false,
		``:    false,
		`[1,`: false,
	} {
		if got := IsErrorBody([]byte(body)); got != want {
			t.Errorf("IsErrorBody(%q) = %v, want %v", body, got, want)
		}
	}
}
