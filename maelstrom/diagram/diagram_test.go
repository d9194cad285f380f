package diagram

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"broadcast/maelstrom/history"
	"broadcast/maelstrom/journal"
	"broadcast/maelstrom/netsim"
)

const msNS = int64(1e6) // a millisecond in ns

// writeJournal writes n node-to-node messages (every third dropped by a
// partition, every fifth an error) plus a client request and reply, and
// one message left in flight.
func writeJournal(t testing.TB, n int, bodyLen int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), journal.FileName)
	w, err := journal.Create(path, journal.Config{})
	if err != nil {
		t.Fatal(err)
	}
	pad := strings.Repeat("x", bodyLen)
	w.Send(0, 0, 0, []byte("c7"), []byte("n0"), []byte(`{"type":"read","msg_id":1}`))
	w.Deliver(0, 1*msNS)
	w.Send(1, 2*msNS, 2*msNS, []byte("n0"), []byte("c7"), []byte(`{"type":"read_ok","messages":[],"in_reply_to":1}`))
	w.Deliver(1, 2*msNS)
	for i := 0; i < n; i++ {
		id := int64(i + 2)
		at := int64(i) * msNS
		src, dst := fmt.Sprintf("n%d", i%3), fmt.Sprintf("n%d", (i+1)%3)
		body := fmt.Sprintf(`{"type":"gossip","i":%d,"pad":"%s"}`, i, pad)
		if i%5 == 0 {
			body = `{"type":"error","code":11,"text":"<&>"}`
		}
		w.Send(id, at, at+100*msNS, []byte(src), []byte(dst), []byte(body))
		if i%3 == 1 {
			w.Drop(id, at+40*msNS, netsim.DropPartition)
		} else {
			w.Deliver(id, at+100*msNS)
		}
	}
	w.Send(int64(n+2), int64(n)*msNS, int64(n+100)*msNS, []byte("n1"), []byte("n2"), []byte(`{"type":"late"}`))
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// Rule: messages.svg is well-formed XML with one arrow per message, in the
// colours of its class (client, error, node to node, dropped, in flight),
// a tooltip holding the body, lanes for the clients and every node, and
// fault bands on the lanes the fault hit.
func TestSVGDrawsEveryMessage(t *testing.T) {
	jp := writeJournal(t, 30, 10)
	var b bytes.Buffer
	faults := []history.Interval{
		{Kind: "partition", Start: 5 * msNS, End: 20 * msNS, Detail: "one n1<-{n0 n2} n0<-{n1} n2<-{n1}"},
		{Kind: "kill", Start: 10 * msNS, End: 15 * msNS, Detail: "n2"},
	}
	st, err := WriteSVG(&b, jp, []string{"n0", "n1", "n2"}, faults, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Messages != 33 || st.Drawn != 33 || st.Omitted != 0 || st.Cutoff != -1 || st.Bytes != int64(b.Len()) {
		t.Fatalf("stats %+v (file %d bytes)", st, b.Len())
	}
	d := xml.NewDecoder(bytes.NewReader(b.Bytes()))
	classes := map[string]int{}
	titles := 0
	bands := map[string]int{}
	lanes := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		attr := map[string]string{}
		for _, a := range se.Attr {
			attr[a.Name.Local] = a.Value
		}
		switch {
		case se.Name.Local == "line" && strings.HasPrefix(attr["class"], "m "):
			classes[strings.TrimPrefix(attr["class"], "m ")]++
		case se.Name.Local == "line" && attr["class"] == "lane":
			lanes++
		case se.Name.Local == "rect" && attr["class"] == "fault":
			bands[attr["fill"]]++
		case se.Name.Local == "title":
			titles++
		}
	}
	// 30 node messages: 10 dropped (i%3==1), 6 errors (i%5==0), of which
	// i=10, 25 are dropped too; 2 client messages; 1 in flight.
	want := map[string]int{"d": 10, "e": 4, "s": 16, "c": 2, "f": 1}
	for k, v := range want {
		if classes[k] != v {
			t.Errorf("class %s: %d arrows, want %d (all %v)", k, classes[k], v, classes)
		}
	}
	if lanes != 4 || bands["#E9DCA0"] != 3 || bands["#E8B4B4"] != 1 {
		t.Errorf("lanes %d, bands %v: want 4 lanes, the partition on 3, the kill on 1", lanes, bands)
	}
	if titles < 33+4 {
		t.Errorf("%d tooltips", titles)
	}
	if !strings.Contains(b.String(), `{&#34;type&#34;:&#34;error&#34;,&#34;code&#34;:11,&#34;text&#34;:&#34;&lt;&amp;&gt;&#34;}`) {
		t.Errorf("error body not shown escaped in its tooltip")
	}
}

// Rule: a run too big for MaxBytes is cut at a send time, the file stays
// under the bound, and a banner says how many messages were left out and
// from when; a long body is shortened in its tooltip and says by how much.
func TestSVGBoundAndBanner(t *testing.T) {
	jp := writeJournal(t, 3000, 200)
	var b bytes.Buffer
	st, err := WriteSVG(&b, jp, []string{"n0", "n1", "n2"}, nil, Config{MaxBytes: 200_000, MaxBody: 50})
	if err != nil {
		t.Fatal(err)
	}
	if int64(b.Len()) > 200_000 || st.Omitted == 0 || st.Drawn+st.Omitted != st.Messages || st.Cutoff <= 0 {
		t.Fatalf("stats %+v, %d bytes", st, b.Len())
	}
	want := fmt.Sprintf("%d of %d messages, those sent from %s s on, are not drawn", st.Omitted, st.Messages, secs(st.Cutoff))
	if !strings.Contains(b.String(), want) {
		t.Fatalf("no banner %q", want)
	}
	if !strings.Contains(b.String(), "more bytes)") {
		t.Fatalf("a long body is not marked as shortened")
	}
	if err := xml.Unmarshal(b.Bytes(), new(struct{})); err != nil {
		t.Fatalf("cut file is not well-formed: %v", err)
	}
}

// Rule: the JSON for the server's diagram holds every message (no cut)
// with its kind and fate, times in msNS, and the lanes.
func TestJSONHoldsEveryMessage(t *testing.T) {
	jp := writeJournal(t, 3000, 200)
	var b bytes.Buffer
	if err := WriteJSON(&b, jp, nil, []history.Interval{{Kind: "pause", Start: 1, End: 2, Detail: "n1"}}); err != nil {
		t.Fatal(err)
	}
	var d struct {
		Msgs     [][]json.RawMessage     `json:"msgs"`
		Lanes    []string                `json:"lanes"`
		Faults   []struct{ Lanes []int } `json:"faults"`
		Messages int                     `json:"messages"`
	}
	if err := json.Unmarshal(b.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Msgs) != 3003 || d.Messages != 3003 {
		t.Fatalf("%d messages (%d)", len(d.Msgs), d.Messages)
	}
	if strings.Join(d.Lanes, " ") != "clients n0 n1 n2" || len(d.Faults) != 1 || len(d.Faults[0].Lanes) != 1 || d.Faults[0].Lanes[0] != 2 {
		t.Fatalf("lanes %v faults %+v", d.Lanes, d.Faults)
	}
	dropped := 0
	for _, m := range d.Msgs {
		if string(m[7]) == `"x"` {
			dropped++
			var sent, end float64
			json.Unmarshal(m[1], &sent)
			json.Unmarshal(m[2], &end)
			if end-sent != 40 {
				t.Fatalf("dropped message %s: sent %v end %v msNS", m[0], sent, end)
			}
		}
	}
	if dropped != 1000 {
		t.Fatalf("%d dropped", dropped)
	}
}

func BenchmarkSVG(b *testing.B) {
	jp := writeJournal(b, 11000, 60)
	out := filepath.Join(b.TempDir(), SVGName)
	var st SVGStats
	for i := 0; i < b.N; i++ {
		var err error
		st, err = WriteSVGFile(out, jp, []string{"n0", "n1", "n2"}, nil, Config{})
		if err != nil {
			b.Fatal(err)
		}
	}
	fi, _ := os.Stat(out)
	b.ReportMetric(float64(fi.Size())/1e6, "MB")
	b.ReportMetric(float64(st.Drawn), "arrows")
}

func TestEscapedLen(t *testing.T) {
	for _, s := range []string{"", `{"a":"<b>&'c'"}`, "plain", `"""`} {
		if got, want := escapedLen([]byte(s)), int64(len(html.EscapeString(s))); got != want {
			t.Errorf("escapedLen(%q) = %d, want %d", s, got, want)
		}
	}
}
