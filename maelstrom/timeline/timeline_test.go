package timeline

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"broadcast/maelstrom/history"
)

const msNS = int64(1e6) // a millisecond in ns

func raw(vals ...int) []json.RawMessage {
	out := make([]json.RawMessage, len(vals))
	for i, v := range vals {
		out[i] = json.RawMessage(fmt.Sprint(v))
	}
	return out
}

// Rule: each operation becomes one box from invocation to completion in
// its process's column, classed by its outcome (ok, fail, info, or never
// completed), with the value and error in its tooltip; a read shows its
// count and at most MaxReadValues values; nemesis ops pair up in a column
// of their own.
func TestTimelineBoxes(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	tl, err := Create(path, Config{MaxReadValues: 3})
	if err != nil {
		t.Fatal(err)
	}
	ops := []history.Op{
		{Time: 0, Type: history.Info, Process: history.NemesisProcess, F: "start-partition", Value: "majority"},
		{Time: 1 * msNS, Type: history.Invoke, Process: 0, F: "broadcast", Value: int64(7), Node: "n0"},
		{Time: 1 * msNS, Type: history.Info, Process: history.NemesisProcess, F: "start-partition", Value: []any{"isolated", map[string][]string{"n1": {"n0"}}}},
		{Time: 2 * msNS, Type: history.Invoke, Process: 1, F: "read", Node: "n1"},
		{Time: 3 * msNS, Type: history.OK, Process: 0, F: "broadcast", Value: int64(7), Node: "n0"},
		{Time: 9 * msNS, Type: history.OK, Process: 1, F: "read", Value: raw(1, 2, 3, 4, 5, 6), Node: "n1"},
		{Time: 10 * msNS, Type: history.Invoke, Process: 2, F: "read", Node: "n2"},
		{Time: 15 * msNS, Type: history.Fail, Process: 2, F: "read", Error: "net-timeout", Node: "n2"},
		{Time: 16 * msNS, Type: history.Invoke, Process: 3, F: "broadcast", Value: int64(8), Node: "n0"},
		{Time: 20 * msNS, Type: history.Info, Process: 3, F: "broadcast", Value: int64(8), Error: []string{"crash", "boom"}},
		{Time: 21 * msNS, Type: history.Invoke, Process: 4, F: "read", Final: true},
	}
	for _, op := range ops {
		tl.Observe(op)
	}
	if err := tl.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	for class, want := range map[string]int{`"op ok"`: 2, `"op fail"`: 1, `"op info"`: 1, `"op open"`: 1, `"op info nemesis"`: 1} {
		if got := strings.Count(html, "class="+class); got != want {
			t.Errorf("%s boxes: %d, want %d", class, got, want)
		}
	}
	for _, want := range []string{
		"6 values [1 2 3 … 3 more]",    // read: count and a truncated list
		"error: &#34;net-timeout&#34;", // fail with its error
		"error: [&#34;crash&#34;,&#34;boom&#34;]",
		"broadcast 7",     // label
		"(final read)",    // final reads marked
		"never completed", // an op still open at Close
		"isolated",        // nemesis completion value
		`<div class="col" style="left:0px">nemesis</div>`,
		"11 history entries, 5 processes.",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("timeline lacks %q", want)
		}
	}
	// Box geometry: process 1's read runs from 2 ms to 9 ms at 0.2 px/ms.
	if !strings.Contains(html, "top:0.4px;width:86px;height:1.4px") {
		t.Errorf("read box geometry wrong")
	}
}

func TestConfigRejectsNegative(t *testing.T) {
	if _, err := Create(filepath.Join(t.TempDir(), FileName), Config{PxPerMS: -1}); err == nil {
		t.Fatal("negative scale accepted")
	}
}

// Rule: a recorded read (the compact value the bench's recorder hands
// over) is summarised by its element count and its first values in the
// order the node sent them, duplicates included.
func TestReadSummaryOfRecordedRead(t *testing.T) {
	r, err := history.ParseReadValue([]byte(`[30,10,20,10,40]`))
	if err != nil {
		t.Fatal(err)
	}
	op := history.Op{Type: history.OK, Process: 1, F: "read", Value: r}
	if got, want := readSummary(op, 3), "5 values [30 10 20 … 2 more]"; got != want {
		t.Errorf("readSummary = %q, want %q", got, want)
	}
	if got, want := readSummary(op, 10), "5 values [30 10 20 10 40]"; got != want {
		t.Errorf("readSummary = %q, want %q", got, want)
	}
}
