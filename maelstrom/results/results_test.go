package results

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/history"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// smallRun is MODEL.md, "Acceptance cases" 21 plus a lost element, a malformed reply, an
// error reply and a partition: small, but every part of the map shows up.
func smallRun() history.Run {
	var ops []history.Op
	add := func(op history.Op) { op.Index = len(ops); ops = append(ops, op) }
	ms := int64(1e6)
	raw := func(xs ...string) []json.RawMessage {
		out := []json.RawMessage{}
		for _, x := range xs {
			out = append(out, json.RawMessage(x))
		}
		return out
	}
	add(history.Op{Time: 0, Type: history.Info, Process: history.NemesisProcess, F: "start-partition", Value: "majority"})
	add(history.Op{Time: 1 * ms, Type: history.Info, Process: history.NemesisProcess, F: "start-partition",
		Value: []any{"isolated", map[string][]string{"n0": {"n1"}, "n1": {"n0"}}}})
	add(history.Op{Time: 990 * ms, Type: history.Invoke, Process: 0, F: "broadcast", Value: int64(7), Node: "n0"})
	add(history.Op{Time: 1000 * ms, Type: history.OK, Process: 0, F: "broadcast", Value: int64(7), Node: "n0"})
	add(history.Op{Time: 1010 * ms, Type: history.Invoke, Process: 0, F: "broadcast", Value: int64(8), Node: "n0"})
	add(history.Op{Time: 1020 * ms, Type: history.OK, Process: 0, F: "broadcast", Value: int64(8), Node: "n0"})
	add(history.Op{Time: 1050 * ms, Type: history.Invoke, Process: 1, F: "read", Node: "n1"})
	add(history.Op{Time: 1051 * ms, Type: history.OK, Process: 1, F: "read", Value: raw("3.0", `"x"`), Node: "n1"})
	add(history.Op{Time: 1100 * ms, Type: history.Invoke, Process: 0, F: "broadcast", Value: int64(9), Node: "n0"})
	add(history.Op{Time: 1101 * ms, Type: history.Fail, Process: 0, F: "broadcast", Value: int64(9), Node: "n0",
		Error: []any{"temporarily-unavailable", "try \"later\""}})
	add(history.Op{Time: 1150 * ms, Type: history.Invoke, Process: 1, F: "read", Node: "n1"})
	add(history.Op{Time: 1151 * ms, Type: history.Info, Process: 1, F: "read", Node: "n1",
		Error: "indeterminate: Malformed RPC response", Exception: "clojure.lang.ExceptionInfo"})
	add(history.Op{Time: 1200 * ms, Type: history.Invoke, Process: 3, F: "read", Node: "n1"})
	add(history.Op{Time: 1201 * ms, Type: history.OK, Process: 3, F: "read", Value: raw("7"), Node: "n1"})
	add(history.Op{Time: 2000 * ms, Type: history.Info, Process: history.NemesisProcess, F: "stop-partition", Value: "network-healed"})
	add(history.Op{Time: 12000 * ms, Type: history.Invoke, Process: 0, F: "read", Final: true, Node: "n0"})
	add(history.Op{Time: 12000 * ms, Type: history.Invoke, Process: 3, F: "read", Final: true, Node: "n1"})
	add(history.Op{Time: 12001 * ms, Type: history.OK, Process: 0, F: "read", Final: true, Value: raw("7", "8"), Node: "n0"})
	add(history.Op{Time: 12001 * ms, Type: history.OK, Process: 3, F: "read", Final: true, Value: raw("7", "7"), Node: "n1"})
	return history.Run{
		Nodes: []string{"n0", "n1"}, Concurrency: 2, Ops: ops,
		Net: history.Net{
			All:     history.Counts{Send: 438, Recv: 430, Msg: 438},
			Clients: history.Counts{Send: 28, Recv: 28, Msg: 28},
			Servers: history.Counts{Send: 410, Recv: 402, Msg: 410},
		},
		Faults:      []history.Interval{{Kind: "partition", Start: 0, End: 2000 * ms, Detail: "majority"}},
		Series:      []history.Sample{{Time: 0, ServerMsgs: 400, ClientMsgs: 20, Dropped: 8}},
		SeriesWidth: 1e9,
		Start:       "2025-01-01T00:00:00Z",
	}
}

func writeSmall(t *testing.T) (string, checker.Results) {
	t.Helper()
	run := smallRun()
	res := checker.CheckWith(run, checker.Config{Availability: "0.5"})
	dir := t.TempDir()
	if err := Write(dir, run, res); err != nil {
		t.Fatal(err)
	}
	return dir, res
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// MODEL.md, "Acceptance cases" 23: results.edn has exactly the top-level keys :perf
// :timeline :exceptions :stats :availability :net :workload :valid?.
func TestResultsEDNTopLevelKeys(t *testing.T) {
	dir, res := writeSmall(t)
	v, err := readEDN(readFile(t, dir, ResultsEDN))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range v.(Map) {
		keys = append(keys, FlatEDN(e.Key))
	}
	want := []string{":perf", ":timeline", ":exceptions", ":stats", ":availability", ":net", ":workload", ":valid?"}
	if !reflect.DeepEqual(keys, want) {
		t.Fatalf("keys %v, want %v", keys, want)
	}
	if valid, _ := v.(Map).Get(Keyword("valid?")); valid != false || res.Valid != checker.Invalid {
		t.Fatalf("valid? %v (checker %v)", valid, res.Valid)
	}
}

// results.edn parses back to exactly the tree that was written.
func TestResultsEDNRoundTrip(t *testing.T) {
	dir, res := writeSmall(t)
	v, err := readEDN(readFile(t, dir, ResultsEDN))
	if err != nil {
		t.Fatal(err)
	}
	if want := normalize(Maelstrom(res)); !reflect.DeepEqual(v, want) {
		t.Fatalf("round trip differs:\n got %s\nwant %s", FlatEDN(v), FlatEDN(want))
	}
}

// Scripts written for real Maelstrom grep results.edn; what they grep for
// must be there in Maelstrom's spelling, the quantile map on one line.
func TestResultsEDNGrepCompatible(t *testing.T) {
	dir, _ := writeSmall(t)
	edn := readFile(t, dir, ResultsEDN)
	for _, re := range []string{
		`:stable-latencies \{0 50, 0\.5 50, 0\.95 50, 0\.99 50, 1 50\}`,
		`:lost-latencies \{0 10980,\n *0\.5 10980,`, // too wide for one line at width 70
		`:servers \{:send-count 410,`,
		`:msgs-per-op 51\.25\}`,
		`:msgs-per-op 54\.75\}`,
		`:known #jepsen\.history\.Op\{:index 3,`,
	} {
		if !regexp.MustCompile(re).MatchString(edn) {
			t.Errorf("results.edn lacks %s:\n%s", re, edn)
		}
	}
	for _, s := range []string{":lost (8)", ":stale (7)", ":never-read (9)", ":duplicated-count 0", ":duplicated {}",
		":ok-fraction 0.75", ":class clojure.lang.ExceptionInfo", ":f :add", ":worst-stale ({:element 7,"} {
		if !strings.Contains(edn, s) {
			t.Errorf("results.edn lacks %q", s)
		}
	}
	if strings.Contains(edn, "bench") {
		t.Error("bench extension leaked into results.edn")
	}
}

// results.json decodes back, with Maelstrom's key names and the bench
// extension under its own key.
func TestResultsJSONRoundTrip(t *testing.T) {
	dir, res := writeSmall(t)
	text := readFile(t, dir, ResultsJSON)
	var m map[string]any
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for k := range m {
		keys[k] = true
	}
	for _, k := range []string{"perf", "timeline", "exceptions", "stats", "availability", "net", "workload", "valid?", BenchKey} {
		if !keys[k] {
			t.Errorf("missing %q", k)
		}
		delete(keys, k)
	}
	if len(keys) != 0 {
		t.Errorf("extra keys %v", keys)
	}
	w := m["workload"].(map[string]any)
	sl := w["stable-latencies"].(map[string]any)
	if len(sl) != 5 || sl["0.5"] != 50.0 || sl["1"] != 50.0 || sl["0.95"] != 50.0 {
		t.Errorf("stable-latencies %v", sl)
	}
	if w["valid?"] != false || w["attempt-count"] != 3.0 || !reflect.DeepEqual(w["lost"], []any{8.0}) {
		t.Errorf("workload %v", w)
	}
	if !strings.Contains(text, `"msgs-per-op": 51.25`) {
		t.Error("servers msgs-per-op not written as 51.25")
	}
	bench := m[BenchKey].(map[string]any)
	lat := bench["client-latency-ms"].(map[string]any)["broadcast"].(map[string]any)
	if lat["count"] != 2.0 || lat["mean"] != 10.0 {
		t.Errorf("bench broadcast latency %v", lat)
	}
	if bench["availability-threshold"] != "0.5" || len(bench["faults"].([]any)) != 1 {
		t.Errorf("bench %v", bench)
	}
	// An unknown verdict is the string "unknown" in JSON, :unknown in EDN.
	res.Workload = checker.Workload{Error: "boom"}
	res.Valid = checker.Unknown
	var u map[string]any
	if err := json.Unmarshal(JSON(ResultsJSONTree(res)), &u); err != nil {
		t.Fatal(err)
	}
	if u["valid?"] != "unknown" || u["workload"].(map[string]any)["error"] != "boom" || len(u["workload"].(map[string]any)) != 2 {
		t.Errorf("unknown verdict: %v %v", u["valid?"], u["workload"])
	}
	if edn := string(EDN(Maelstrom(res))); !strings.Contains(edn, ":workload {:valid? :unknown, :error \"boom\"}") {
		t.Errorf("errored part in EDN:\n%s", edn)
	}
}

// Golden files for the small run: results.edn, history.txt, history.edn.
// Run with -update to rewrite them after reviewing a change.
func TestGoldenFiles(t *testing.T) {
	dir, _ := writeSmall(t)
	for _, name := range []string{ResultsEDN, HistoryTxt, HistoryEDN} {
		got := readFile(t, dir, name)
		golden := filepath.Join("testdata", "small."+name)
		if *update {
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("%s differs from %s:\n%s", name, golden, got)
		}
	}
}

// history.txt is jepsen's "process\ttype\tf\tvalue[\terror]".
func TestHistoryTxtLines(t *testing.T) {
	dir, _ := writeSmall(t)
	lines := strings.Split(strings.TrimRight(readFile(t, dir, HistoryTxt), "\n"), "\n")
	want := map[int]string{
		0:  ":nemesis\t:info\t:start-partition\t:majority",
		2:  "0\t:invoke\t:broadcast\t7",
		6:  "1\t:invoke\t:read\tnil",
		7:  "1\t:ok\t:read\t[3.0 \"x\"]",
		9:  "0\t:fail\t:broadcast\t9\t[:temporarily-unavailable \"try \\\"later\\\"\"]",
		11: "1\t:info\t:read\tnil\tindeterminate: Malformed RPC response",
	}
	for i, w := range want {
		if lines[i] != w {
			t.Errorf("line %d: %q, want %q", i, lines[i], w)
		}
	}
	if len(lines) != len(smallRun().Ops) {
		t.Errorf("%d lines for %d ops", len(lines), len(smallRun().Ops))
	}
}

// history.edn: one op map per line, each parsing back with the right keys.
func TestHistoryEDNParses(t *testing.T) {
	dir, _ := writeSmall(t)
	run := smallRun()
	lines := strings.Split(strings.TrimRight(readFile(t, dir, HistoryEDN), "\n"), "\n")
	if len(lines) != len(run.Ops) {
		t.Fatalf("%d lines", len(lines))
	}
	for i, line := range lines {
		v, err := readEDN(line)
		if err != nil {
			t.Fatalf("line %d: %v: %s", i, err, line)
		}
		m := v.(Map)
		var keys []string
		for _, e := range m {
			keys = append(keys, string(e.Key.(Keyword)))
		}
		if strings.Join(keys[:6], " ") != "index time type process f value" {
			t.Errorf("line %d keys %v", i, keys)
		}
		if idx, _ := m.Get(Keyword("index")); idx != int64(i) {
			t.Errorf("line %d index %v", i, idx)
		}
		if fin, ok := m.Get(Keyword("final?")); ok != run.Ops[i].Final || (ok && fin != true) {
			t.Errorf("line %d final? %v", i, fin)
		}
		if _, ok := m.Get(Keyword("error")); ok != (run.Ops[i].Error != nil) {
			t.Errorf("line %d error presence", i)
		}
	}
	if !strings.Contains(lines[12], ":value nil") || !strings.Contains(lines[18], ":value [7 7], :final? true") {
		t.Errorf("lines:\n%s\n%s", lines[12], lines[18])
	}
	if !strings.Contains(lines[11], ":exception {:via [{:type clojure.lang.ExceptionInfo") {
		t.Errorf("exception line %s", lines[11])
	}
}

// history.json reads back into a run that checks to the same results,
// with read values still raw (3.0 is not 3).
func TestHistoryJSONRoundTrip(t *testing.T) {
	dir, res := writeSmall(t)
	run := readHistoryFile(t, filepath.Join(dir, HistoryJSON))
	again := checker.CheckWith(run, checker.Config{Availability: "0.5"})
	if a, b := FlatEDN(Maelstrom(again)), FlatEDN(Maelstrom(res)); a != b {
		t.Fatalf("re-check differs:\n%s\n%s", a, b)
	}
	if a, b := FlatEDN(Bench(again)), FlatEDN(Bench(res)); a != b {
		t.Fatalf("bench differs:\n%s\n%s", a, b)
	}
	orig := smallRun()
	if !reflect.DeepEqual(run.Net, orig.Net) || !reflect.DeepEqual(run.Faults, orig.Faults) || run.Start != orig.Start ||
		!reflect.DeepEqual(run.Series, orig.Series) || run.Ops[7].Node != "n1" || !run.Ops[17].Final {
		t.Fatalf("run fields lost: %+v", run)
	}
	if v := run.Ops[3].Value; v != int64(7) {
		t.Fatalf("broadcast value %#v", v)
	}
}

func TestJavaFloat(t *testing.T) {
	cases := []struct {
		f    float64
		bits int
		want string
	}{
		{float64(float32(63.071358)), 32, "63.071358"},
		{float64(float32(400.0 / 205.0)), 32, "1.9512196"},
		{float64(float32(5.0125566)), 32, "5.0125566"},
		{float64(float32(125512.0 / 1990.0)), 32, "63.071358"}, // MODEL.md, "Msgs-per-op"'s figure
		{0, 32, "0.0"},
		{1, 64, "1.0"},
		{0.5, 64, "0.5"},
		{1e7, 64, "1.0E7"},
		{1.5e-4, 64, "1.5E-4"},
		{123456789, 64, "1.23456789E8"},
		{0.001, 64, "0.001"},
	}
	for _, c := range cases {
		if got := javaFloat(c.f, c.bits); got != c.want {
			t.Errorf("javaFloat(%v, %d) = %q, want %q", c.f, c.bits, got, c.want)
		}
	}
}

// Write creates the directory and works on an empty run.
func TestWriteEmptyRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	res := checker.Check(history.Run{})
	if err := Write(dir, history.Run{}, res); err != nil {
		t.Fatal(err)
	}
	v, err := readEDN(readFile(t, dir, ResultsEDN))
	if err != nil {
		t.Fatal(err)
	}
	w, _ := v.(Map).Get(Keyword("workload"))
	if _, ok := w.(Map).Get(Keyword("stable-latencies")); ok {
		t.Error("stable-latencies present with no elements")
	}
	if a, _ := v.(Map).Get(Keyword("availability")); FlatEDN(a) != "{:valid? true, :ok-fraction 1}" {
		t.Errorf("availability %s", FlatEDN(a))
	}
	if n, _ := v.(Map).Get(Keyword("net")); strings.Contains(FlatEDN(n), "msgs-per-op") {
		t.Errorf("msgs-per-op with op-count 0: %s", FlatEDN(n))
	}
	if readFile(t, dir, HistoryTxt) != "" || readFile(t, dir, HistoryEDN) != "" {
		t.Error("history files not empty")
	}
}

// FuzzReadHistoryJSON: the history.json decoder never panics, and whatever
// it accepts survives a write/read cycle unchanged.
func FuzzReadHistoryJSON(f *testing.F) {
	var b bytes.Buffer
	_ = WriteHistoryJSON(&b, smallRun())
	f.Add(b.String())
	f.Add(`{"ops":[{"index":0,"f":"read","type":"ok","value":[1,2.0,"x"]}]}`)
	f.Add(`{"ops":[{"f":"broadcast","value":3.5}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		run, err := ReadHistoryJSON(strings.NewReader(s))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := WriteHistoryJSON(&out, run); err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		again, err := ReadHistoryJSON(&out)
		if err != nil {
			t.Fatalf("re-read: %v", err)
		}
		var b1, b2 bytes.Buffer
		_ = WriteHistoryEDN(&b1, run.Ops)
		_ = WriteHistoryEDN(&b2, again.Ops)
		if b1.String() != b2.String() {
			t.Fatalf("not stable:\n%s\n%s", b1.String(), b2.String())
		}
		_ = checker.Check(run) // must not panic: panics become :unknown parts
	})
}

// MODEL.md, "Acceptance cases" cases 11 and 20 as written: msgs-per-op prints as Clojure prints a
// float: 0.0 with no server messages, 1.9512196 for 400 / 205.
func TestMsgsPerOpRendering(t *testing.T) {
	var ops []history.Op
	for i := 0; i < 205; i++ {
		ops = append(ops, history.Op{Index: 2 * i, Type: history.Invoke, Process: 0, F: "read"},
			history.Op{Index: 2*i + 1, Type: history.OK, Process: 0, F: "read", Value: []json.RawMessage{}})
	}
	for _, c := range []struct {
		msgs int64
		want string
	}{{0, ":msgs-per-op 0.0}"}, {400, ":msgs-per-op 1.9512196}"}} {
		n := checker.CheckNet(ops, history.Net{Servers: history.Counts{Send: c.msgs, Recv: c.msgs, Msg: c.msgs}})
		edn := FlatEDN(net(n))
		if !strings.Contains(edn, ":servers {:send-count "+strconv.FormatInt(c.msgs, 10)) || !strings.Contains(edn, c.want) {
			t.Errorf("%d msgs: %s, want %s", c.msgs, edn, c.want)
		}
		js := string(JSON(net(n)))
		if !strings.Contains(js, `"msgs-per-op": `+strings.TrimSuffix(strings.TrimPrefix(c.want, ":msgs-per-op "), "}")) {
			t.Errorf("%d msgs: JSON %s", c.msgs, js)
		}
	}
}

// readHistoryFile reads a history.json file back.
func readHistoryFile(t *testing.T, path string) history.Run {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	run, err := ReadHistoryJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	return run
}
