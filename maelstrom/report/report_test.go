package report

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/checker/synth"
	"broadcast/maelstrom/history"
)

// MODEL.md, "Exit status", "Acceptance cases" 23: exit status 0, 1, 2 follows the merged verdict.
func TestExitCode(t *testing.T) {
	cases := map[checker.Validity]int{checker.Valid: 0, checker.Invalid: 1, checker.Unknown: 2}
	for v, want := range cases {
		if got := ExitCode(checker.Results{Valid: v}); got != want {
			t.Errorf("ExitCode(%v) = %d, want %d", v, got, want)
		}
	}
	// From a real check: a node that never answers reads is invalid (1).
	h := []history.Op{
		{Index: 0, Type: history.Invoke, Process: 0, F: "read"},
		{Index: 1, Time: 5e9, Type: history.Fail, Process: 0, F: "read", Error: "net-timeout"},
	}
	if got := ExitCode(checker.Check(history.Run{Ops: h})); got != 1 {
		t.Errorf("never-answered read: exit %d, want 1", got)
	}
	if got := ExitCode(checker.Check(history.Run{})); got != 2 {
		t.Errorf("empty run: exit %d, want 2 (nothing stable)", got)
	}
}

// The verdict lines are Maelstrom's, byte for byte.
func TestVerdictLines(t *testing.T) {
	want := map[checker.Validity]string{
		checker.Valid:   "Everything looks good! ヽ(‘ー`)ノ",
		checker.Invalid: "Analysis invalid! (ﾉಥ益ಥ）ﾉ ┻━┻",
		checker.Unknown: "Errors occurred during analysis, but no anomalies found. ಠ~ಠ",
	}
	for v, line := range want {
		var b bytes.Buffer
		Summary(&b, history.Run{}, checker.Results{Valid: v})
		out := strings.TrimRight(b.String(), "\n")
		if last := out[strings.LastIndex(out, "\n")+1:]; last != line {
			t.Errorf("%v: last line %q, want %q", v, last, line)
		}
	}
}

// smallRun is MODEL.md, "Acceptance cases" 21 plus one lost value, on 2 nodes.
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
	add(history.Op{Time: 990 * ms, Type: history.Invoke, Process: 0, F: "broadcast", Value: int64(7), Node: "n0"})
	add(history.Op{Time: 1000 * ms, Type: history.OK, Process: 0, F: "broadcast", Value: int64(7), Node: "n0"})
	add(history.Op{Time: 1010 * ms, Type: history.Invoke, Process: 0, F: "broadcast", Value: int64(8), Node: "n0"})
	add(history.Op{Time: 1030 * ms, Type: history.OK, Process: 0, F: "broadcast", Value: int64(8), Node: "n0"})
	add(history.Op{Time: 1050 * ms, Type: history.Invoke, Process: 1, F: "read", Node: "n1"})
	add(history.Op{Time: 1052 * ms, Type: history.OK, Process: 1, F: "read", Value: raw(), Node: "n1"})
	add(history.Op{Time: 1100 * ms, Type: history.Invoke, Process: 0, F: "broadcast", Value: int64(9), Node: "n0"})
	add(history.Op{Time: 6100 * ms, Type: history.Info, Process: 0, F: "broadcast", Value: int64(9), Error: "net-timeout", Node: "n0"})
	add(history.Op{Time: 12000 * ms, Type: history.Invoke, Process: 2, F: "read", Final: true, Node: "n0"})
	add(history.Op{Time: 12000 * ms, Type: history.Invoke, Process: 1, F: "read", Final: true, Node: "n1"})
	add(history.Op{Time: 12004 * ms, Type: history.OK, Process: 2, F: "read", Final: true, Value: raw("7", "8"), Node: "n0"})
	add(history.Op{Time: 12004 * ms, Type: history.OK, Process: 1, F: "read", Final: true, Value: raw("7"), Node: "n1"})
	return history.Run{
		Nodes: []string{"n0", "n1"}, Concurrency: 2, Ops: ops,
		Net: history.Net{
			All:     history.Counts{Send: 46, Recv: 44, Msg: 46},
			Clients: history.Counts{Send: 20, Recv: 20, Msg: 20},
			Servers: history.Counts{Send: 26, Recv: 24, Msg: 26},
		},
	}
}

// The table on a small result: every figure is where it should be.
func TestSummaryTable(t *testing.T) {
	run := smallRun()
	res := checker.CheckWith(run, checker.Config{Availability: "0.5"})
	var b bytes.Buffer
	Summary(&b, run, res)
	out := b.String()
	for _, want := range []string{
		"broadcast run: 2 nodes, concurrency 2\n",
		"  operations  ok  fail  info  total\n",
		"  broadcast    2     0     1      3\n",
		"  read         3     0     0      3\n",
		"  all          5     0     1      6\n",
		"errors: broadcast net-timeout x1\n",
		"  workload          attempted  stable  lost  never-read  stale\n",
		"  broadcast values          3       1     1           1      1\n",
		"lost values: 8\n",
		"  stable (visible everywhere)  1     50     50     50     50     50\n",
		"  lost                         1  10970  10970  10970  10970  10970\n",
		"  staleness while reachable    2     50  10970  10970  10970  10970\n",
		"  staleness after heal         2     50  10970  10970  10970  10970\n",
		"  broadcast ack (client)       2  10.00  20.00  20.00  20.00  20.00\n",
		"  read (client round trip)     3   2.00   4.00   4.00   4.00   4.00\n",
		"  servers     26        24         4.33\n",
		"  clients     20        20\n",
		"  all         46        44         7.67\n",
		"op-count (client invocations): 6\n",
		"availability: ok-fraction 0.833333 (required 0.5) -> true\n",
		"workload false => false\n",
		"Analysis invalid!",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Gossip Glomers") {
		t.Error("targets shown for a 2-node run")
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasSuffix(line, " ") {
			t.Errorf("trailing space in %q", line)
		}
	}
}

// Lost values are listed up to 10, then counted.
func TestFirstFew(t *testing.T) {
	vs := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	if got := firstFew(vs, 10); got != "1 2 3 4 5 6 7 8 9 10 ... (2 more)" {
		t.Errorf("%q", got)
	}
	if got := firstFew(vs[:3], 10); got != "1 2 3" {
		t.Errorf("%q", got)
	}
}

// The 3d/3e targets: strict bounds on servers msgs-per-op and stable
// latency p50 / max, shown only for 25 nodes, rate 100, latency 100.
func TestTargets(t *testing.T) {
	res := checker.Results{}
	res.Net.Servers = checker.NetGroup{MsgsPerOp: 20, HasMsgsPerOp: true}
	res.Workload.StableLatencies = checker.QuantilesOf([]int64{0, 399, 399, 500, 600})
	if v, _ := res.Workload.StableLatencies.At(0.5); v != 399 {
		t.Fatalf("fixture median %d", v)
	}
	got := map[string]bool{}
	for _, r := range EvaluateTargets(res) {
		if !r.Known {
			t.Fatalf("%+v unknown", r)
		}
		got[r.Challenge+" "+r.Figure] = r.Pass
	}
	want := map[string]bool{
		"3d msgs-per-op": true, "3e msgs-per-op": false, // 20 is not < 20
		"3d median latency": true, "3e median latency": true,
		"3d max latency": false, "3e max latency": true, // 600 is not < 600
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: pass %v, want %v", k, got[k], v)
		}
	}
	none := EvaluateTargets(checker.Results{})
	for _, r := range none {
		if r.Known || r.Pass {
			t.Errorf("no figures: %+v", r)
		}
	}

	nodes := make([]string, 25)
	run := history.Run{Nodes: nodes}
	p3d := &checker.Params{NodeCount: 25, Rate: 100, Latency: 100, TimeLimit: 20}
	if yes, assumed := LooksLike3d(run, checker.Results{Bench: checker.Bench{Params: p3d}}); !yes || assumed {
		t.Error("3d params not recognised")
	}
	p3b := &checker.Params{NodeCount: 25, Rate: 10, Latency: 0}
	if yes, _ := LooksLike3d(run, checker.Results{Bench: checker.Bench{Params: p3b}}); yes {
		t.Error("rate 10 taken for 3d")
	}
	if yes, assumed := LooksLike3d(run, checker.Results{}); !yes || !assumed {
		t.Error("25 nodes without params should be assumed 3d")
	}
	if yes, _ := LooksLike3d(history.Run{Nodes: nodes[:5]}, checker.Results{}); yes {
		t.Error("5 nodes taken for 3d")
	}
}

// A 3d-shaped run prints the target table next to the figures.
func TestSummaryShowsTargets(t *testing.T) {
	cfg := synth.Gossip3d()
	cfg.TimeLimit = 4
	run := synth.Run(cfg)
	res := checker.CheckWith(run, checker.Config{Params: &checker.Params{NodeCount: 25, Concurrency: 25, Rate: 100, Latency: 100, TimeLimit: 4}})
	var b bytes.Buffer
	Summary(&b, run, res)
	out := b.String()
	for _, want := range []string{
		"Gossip Glomers 3d/3e targets (25 nodes, rate 100, latency 100):",
		"msgs-per-op (servers)", "median latency (stable)", "max latency (stable)",
		"< 30", "< 20", "< 400 ms", "< 1000 ms", "< 600 ms", "< 2000 ms",
		"broadcast ack latency, for comparison",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	if testing.Verbose() {
		os.Stdout.WriteString(out)
	}
}

// A checker that failed is reported, and the verdict is unknown.
func TestSummaryCheckerError(t *testing.T) {
	res := checker.Check(history.Run{Ops: []history.Op{
		{Index: 0, Type: history.Invoke, Process: 0, F: "broadcast", Value: "x"},
	}})
	var b bytes.Buffer
	Summary(&b, history.Run{}, res)
	if !strings.Contains(b.String(), "workload checker failed: checker: broadcast invocation 0 has a non-integer value") ||
		!strings.HasSuffix(b.String(), VerdictUnknown+"\n") {
		t.Errorf("%s", b.String())
	}
}
